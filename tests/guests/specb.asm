; specb.asm - the other half of speca.asm: IA32_SPEC_CTRL reads 0 here
; throughout, however speca sets its own, then takes this guest's own
; STIBP (bit 1) or, without STIBP, SSBD. Run with timeslice = 1ms.
        bits 64
        org 0x100000
%include "lib.inc"
%include "spec.inc"

_start:
        LIB_INIT
        CPUID7_EDX
        test    r15d, CPUID7_EDX_SPEC_CTRL
        jnz     .offered
        FAIL    "specb-spec-ctrl-offered", 'CPUID shows no IBRS, STIBP or SSBD'
        jmp     .out
.offered:
        PASS    "specb-spec-ctrl-offered"

        xor     eax, eax
        call    spec_rounds
        mov     r12, rax
        mov     r13, rcx
        CHECK_EQ "specb-kept-zero", r12, 0
        CHECK_EQ "specb-wrong-rounds", r13, 0
        CHECK_GE "specb-preempted", rbx, 10

        mov     r14d, 2                         ; STIBP
        test    r15d, CPUID7_EDX_STIBP
        jnz     .write
        mov     r14d, 4                         ; SSBD
.write:
        MSR_WRITE IA32_SPEC_CTRL, r14
        IF_FAULT_FAIL "specb-own-value", .out
        MSR_READ IA32_SPEC_CTRL
        CHECK_EQ "specb-own-value", r12, r14
        MSR_WRITE IA32_SPEC_CTRL, 0
.out:
        EXIT
