; speca.asm - IA32_SPEC_CTRL belongs to this guest alone: it sets SSBD
; (bit 2) and must read it back after many preemptions, while specb.asm,
; sharing the CPU, keeps reading its own 0. Needs a host that offers
; SSBD (Bochs' corei7_icelake_u does). Run with [hypervisor] timeslice = 1ms.
        bits 64
        org 0x100000
%include "lib.inc"
%include "spec.inc"

_start:
        LIB_INIT
        CPUID7_EDX
        CHECK_BIT "speca-ssbd-offered", r15, 31, 1
        test    r15d, CPUID7_EDX_SSBD
        jz      .out

        MSR_READ IA32_SPEC_CTRL
        CHECK_EQ "speca-starts-zero", r12, 0
        MSR_WRITE IA32_SPEC_CTRL, 4
        CHECK_NO_FAULT "speca-write-ssbd"

        mov     eax, 4
        call    spec_rounds
        mov     r12, rax
        mov     r13, rcx
        CHECK_EQ "speca-kept", r12, 4
        CHECK_EQ "speca-wrong-rounds", r13, 0
        CHECK_GE "speca-preempted", rbx, 10
.out:
        EXIT
