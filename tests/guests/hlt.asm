; hlt.asm - SHALE_HC_TIMER_ONESHOT wakes HLT; the interrupt waits while IF=0
; and comes in after STI.
        bits 64
        org 0x100000
%include "lib.inc"

%define TIMER_VECTOR    0x40
%define WAIT_TICKS      2000000
%define SHORT_TICKS     1000
%define SPIN_TICKS      1000000         ; IF=0 spin: 1000 x the short delay

; RDTSC -> RAX (64-bit), serialised against earlier instructions
%macro TSC 0
        lfence
        rdtsc
        shl     rdx, 32
        or      rax, rdx
%endmacro

_start:
        LIB_INIT
        SET_HANDLER TIMER_VECTOR, timer_isr

        ; --- HLT woken by the timer
        TSC
        mov     r14, rax                ; t0, before arming
        mov     edi, TIMER_VECTOR
        mov     esi, WAIT_TICKS
        HYPERCALL SHALE_HC_TIMER_ONESHOT
        mov     r12, rax
        CHECK_EQ "hlt-timer-call", r12, 0
        sti
        hlt                             ; STI shadow: nothing gets in before HLT
        cli
        TSC
        sub     rax, r14
        mov     r13, rax                ; elapsed
        mov     r12, [rel ticks]
        CHECK_EQ "hlt-woken-by-timer", r12, 1
        CHECK_GE "hlt-waited", r13, WAIT_TICKS

        ; --- IF=0: the expired timer must stay pending
        cli
        mov     edi, TIMER_VECTOR
        mov     esi, SHORT_TICKS
        HYPERCALL SHALE_HC_TIMER_ONESHOT
        TSC
        mov     r14, rax
        mov     ecx, 100000             ; at least 100000 iterations ...
.spin:
        pause
        dec     ecx
        jnz     .spin
.spin_tsc:                              ; ... and at least SPIN_TICKS
        TSC
        sub     rax, r14
        cmp     rax, SPIN_TICKS
        jb      .spin_tsc
        mov     r12, [rel ticks]
        CHECK_EQ "hlt-masked-while-cli", r12, 1

        ; --- STI lets it in (after the one-instruction STI shadow)
        sti
        nop
        nop
        nop
        cli
        mov     r12, [rel ticks]
        CHECK_EQ "hlt-delivered-after-sti", r12, 2

        EXIT

; Vector 0x40: count and return. No EOI (there is no APIC).
timer_isr:
        inc     qword [rel ticks]
        iretq

section .data
        align   8, db 0
ticks:          dq 0
section .text
