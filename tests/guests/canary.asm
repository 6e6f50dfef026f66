; canary.asm - measures its own share of the CPU while other guests of the
; case flood the console or crash with reports: for CANARY_WINDOW TSC ticks
; it reads the TSC in a tight loop and counts as its own every step shorter
; than CANARY_GAP (a longer step is time it did not run: another guest, or
; Shale). It prints the share in percent and passes if it is at least
; CANARY_MIN_PCT: Shale must not spend the canary's time on the others'
; output. (With `clock: sync=none` in Bochs, ticks count instructions.)
        bits 64
        org 0x100000
%include "lib.inc"

%define CANARY_WINDOW   400000000       ; 2 s at Bochs' 200 MHz
%define CANARY_GAP      50000
%define CANARY_MIN_PCT  50

_start:
        LIB_INIT
        PASS    "canary-started"
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        mov     r8, rax                 ; start
        mov     r9, rax                 ; last
        xor     r10d, r10d              ; ticks the canary ran
.loop:
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        mov     rcx, rax
        sub     rcx, r9
        mov     r9, rax
        cmp     rcx, CANARY_GAP
        jae     .away
        add     r10, rcx
.away:
        sub     rax, r8
        cmp     rax, CANARY_WINDOW
        jb      .loop
        ; share = ran * 100 / elapsed
        mov     rcx, rax
        mov     rax, r10
        mov     r11, 100
        mul     r11
        div     rcx
        mov     r12, rax
        call    lb_reset
        LB_STR  'canary share '
        mov     rax, r12
        call    lb_dec
        LB_STR  '%', 10
        call    lb_flush
        CHECK_GE "canary-share", r12, CANARY_MIN_PCT
        EXIT
