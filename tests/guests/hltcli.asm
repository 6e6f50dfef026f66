; hltcli.asm - HLT with RFLAGS.IF = 0 is not ended by a maskable interrupt
; (SDM Vol. 2A, HLT: only NMI, SMI, INIT or reset). The guest arms
; SHALE_HC_TIMER_ONESHOT, waits with IF = 0 until it has expired, then
; halts: the pending interrupt must not resume it, and Shale stops it as
; halted with interrupts disabled. Nothing after the HLT may run.
        bits 64
        org 0x100000
%include "lib.inc"

%define TIMER_VECTOR    0x40
%define SHORT_TICKS     1000
%define SPIN_TICKS      1000000

%macro TSC 0
        lfence
        rdtsc
        shl     rdx, 32
        or      rax, rdx
%endmacro

_start:
        LIB_INIT
        SET_HANDLER TIMER_VECTOR, timer_isr
        cli
        mov     edi, TIMER_VECTOR
        mov     esi, SHORT_TICKS
        HYPERCALL SHALE_HC_TIMER_ONESHOT
        mov     r12, rax
        CHECK_EQ "hltcli-timer-call", r12, 0
        TSC
        mov     r14, rax
.spin:                                  ; the timer expires while IF = 0
        pause
        TSC
        sub     rax, r14
        cmp     rax, SPIN_TICKS
        jb      .spin
        mov     r12, [rel ticks]
        CHECK_EQ "hltcli-masked", r12, 0
        hlt                             ; IF = 0: only an NMI ends this
        FAIL    "hltcli-stays-halted", "a maskable interrupt ended HLT with IF=0"
        EXIT

timer_isr:
        inc     qword [rel ticks]
        iretq

section .data
        align   8, db 0
ticks:          dq 0
section .text
