; cr8a.asm - CR8 (the task-priority register) belongs to this guest alone:
; it writes 0xF, reads it back, sees #GP for a value with a bit above 3 set
; (CR8 unchanged), then holds 0xF across many preemptions while cr8b.asm,
; sharing the CPU, must keep reading its own value. Run with
; [hypervisor] timeslice = 1ms.
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT
        mov     rax, cr8
        mov     r12, rax
        CHECK_EQ "cr8a-starts-zero", r12, 0

        mov     eax, 0x5
        mov     cr8, rax
        mov     rax, cr8
        mov     r12, rax
        CHECK_EQ "cr8a-write-read", r12, 0x5

        mov     eax, 0xf
        mov     cr8, rax
        mov     rax, cr8
        mov     r12, rax
        CHECK_EQ "cr8a-write-read-f", r12, 0xf

        ; Bits 63:4 are reserved: #GP(0), and CR8 keeps its value.
        TRY
        mov     eax, 0x10
        mov     cr8, rax
        ENDTRY
        CHECK_FAULT "cr8a-bit4-gp", 13
        TRY
        mov     rax, (1 << 63) | 0x3
        mov     cr8, rax
        ENDTRY
        CHECK_FAULT "cr8a-bit63-gp", 13
        mov     rax, cr8
        mov     r12, rax
        CHECK_EQ "cr8a-unchanged-after-gp", r12, 0xf

        mov     eax, 0xf
        call    cr8_rounds
        mov     r12, rax
        mov     r13, rcx
        CHECK_EQ "cr8a-kept", r12, 0xf
        CHECK_EQ "cr8a-wrong-rounds", r13, 0
        CHECK_GE "cr8a-preempted", rbx, 10

        xor     eax, eax
        mov     cr8, rax
        EXIT

%include "cr8.inc"
