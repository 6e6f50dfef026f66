; canary.asm - measures its own share of the CPU while other guests of the
; case flood the console or crash with reports: for CANARY_WINDOW TSC ticks
; it reads the TSC in a tight loop and counts as its own every step shorter
; than CANARY_GAP (a longer step is time it did not run: another guest, or
; Shale). It prints the share in percent and passes if it is at least
; CANARY_MIN_PCT: Shale must not spend the canary's time on the others'
; output. (With `clock: sync=none` in Bochs, ticks count instructions.)
; It prints its window's start and length, so that a case can tell whether
; two canaries ran at the same time on two CPUs (tests/emu/cases_smp.py).
; Before the window it fills CANARY_BYTES of its memory with a pattern and
; checks it after: nothing another guest does may change it.
        bits 64
        org 0x100000
%include "lib.inc"

%define CANARY_WINDOW   400000000       ; 2 s at Bochs' 200 MHz
%define CANARY_GAP      50000
%define CANARY_MIN_PCT  50
%define CANARY_MEM      0x400000        ; 4 MiB into its RAM
%define CANARY_BYTES    0x100000

_start:
        LIB_INIT
        PASS    "canary-started"
        mov     rdi, CANARY_MEM         ; qword i holds i ^ pattern
        xor     ecx, ecx
        mov     rdx, 0x5a5a0000c0ffee00
.fill:
        mov     rax, rcx
        xor     rax, rdx
        mov     [rdi + rcx * 8], rax
        inc     rcx
        cmp     rcx, CANARY_BYTES / 8
        jb      .fill
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
        mov     r13, rax                ; elapsed: the window is r8..r8+r13
        call    lb_reset
        LB_STR  'canary window from TSC '
        mov     rax, r8
        call    lb_dec
        LB_STR  ' for '
        mov     rax, r13
        call    lb_dec
        LB_STR  10
        call    lb_flush
        mov     rcx, r13
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
        mov     rdi, CANARY_MEM
        xor     ecx, ecx
        xor     r13d, r13d              ; qwords changed
        mov     rdx, 0x5a5a0000c0ffee00
.check:
        mov     rax, rcx
        xor     rax, rdx
        cmp     [rdi + rcx * 8], rax
        je      .same
        inc     r13
.same:
        inc     rcx
        cmp     rcx, CANARY_BYTES / 8
        jb      .check
        CHECK_EQ "canary-memory", r13, 0
        EXIT
