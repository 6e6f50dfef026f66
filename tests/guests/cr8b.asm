; cr8b.asm - runs beside cr8a.asm, which holds CR8 = 0xF: this guest must
; read its own CR8, 0, across many preemptions, then 0x7 after writing it.
; Run with [hypervisor] timeslice = 1ms.
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT
        xor     eax, eax
        call    cr8_rounds
        mov     r12, rax
        mov     r13, rcx
        mov     r14, rbx
        CHECK_EQ "cr8b-own-zero", r12, 0
        CHECK_EQ "cr8b-wrong-rounds", r13, 0

        mov     eax, 0x7
        mov     cr8, rax
        call    cr8_rounds
        mov     r12, rax
        mov     r13, rcx
        add     r14, rbx
        CHECK_EQ "cr8b-own-seven", r12, 0x7
        CHECK_EQ "cr8b-wrong-rounds-seven", r13, 0
        CHECK_GE "cr8b-preempted", r14, 10

        xor     eax, eax
        mov     cr8, rax
        EXIT

%include "cr8.inc"
