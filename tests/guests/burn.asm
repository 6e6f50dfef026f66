; burn.asm - keeps its CPU busy for BURN_TICKS TSC ticks (40 ms at Bochs'
; 200 MHz), then exits: a CPU-bound guest whose end leaves a CPU idle, so
; that the scheduler moves another guest there (tests/emu/cases_smp_sched.py).
        bits 64
        org 0x100000
%include "lib.inc"

%define BURN_TICKS      8000000

_start:
        LIB_INIT
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        mov     r8, rax
.spin:
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        sub     rax, r8
        cmp     rax, BURN_TICKS
        jb      .spin
        PASS    "burn-done"
        EXIT
