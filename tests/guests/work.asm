; work.asm - CPU-bound work for the SMP scaling benchmark (make bench):
; counts blocks of WORK_BLOCK loop iterations done in a fixed TSC window
; and prints the count with the window's exact ends.
; The window starts at the first multiple of WORK_ALIGN ticks at least
; WORK_WARM ticks after the guest's start, so that copies started within
; a few slices of each other measure the same window (with
; `clock: sync=none` in Bochs every CPU's TSC counts the same ticks), and
; every copy keeps spinning WORK_COOL ticks past its window, so that no
; copy's window sees the CPU freed by another's end. It checks the TSC
; once per block and counts the blocks that end inside the window: all
; copies count over the same ticks, so their counts add up to the work
; the CPUs did in them, however the slices fell.
; Line: "work B blocks of N from TSC S for W, first check at F".
        bits 64
        org 0x100000
%include "lib.inc"

%define WORK_BLOCK      1024
%define WORK_WARM       8000000         ; 40 ms at Bochs' 200 MHz
%define WORK_ALIGN      (1 << 24)
%define WORK_WINDOW     (1 << 26)       ; 67 M ticks, 335 ms
%define WORK_COOL       16000000

%macro TSC 1                            ; %1 = the TSC; clobbers RAX, RDX
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        mov     %1, rax
%endmacro

%macro BLOCK 0                          ; WORK_BLOCK iterations; clobbers ECX
        mov     ecx, WORK_BLOCK
%%spin:
        dec     ecx
        jnz     %%spin
%endmacro

_start:
        LIB_INIT
        TSC     r8
        add     r8, WORK_WARM + WORK_ALIGN - 1
        and     r8, ~(WORK_ALIGN - 1)   ; r8: the window's start
        lea     r10, [r8 + WORK_WINDOW] ; r10: its end
.warm:
        BLOCK
        TSC     r9
        cmp     r9, r8
        jb      .warm
        ; r9: the first check in the window (later than r8 by the time
        ; another guest had this CPU); the block that ended there began
        ; before the window and is not counted
        xor     r12d, r12d              ; blocks ended inside the window
.work:
        BLOCK
        TSC     r11
        cmp     r11, r10
        jae     .done
        inc     r12
        jmp     .work
.done:
        lea     r13, [r11 + WORK_COOL]
.cool:
        BLOCK
        TSC     rax
        cmp     rax, r13
        jb      .cool
        call    lb_reset
        LB_STR  'work '
        mov     rax, r12
        call    lb_dec
        LB_STR  ' blocks of '
        mov     rax, WORK_BLOCK
        call    lb_dec
        LB_STR  ' from TSC '
        mov     rax, r8
        call    lb_dec
        LB_STR  ' for '
        mov     rax, WORK_WINDOW
        call    lb_dec
        LB_STR  ', first check at '
        mov     rax, r9
        call    lb_dec
        LB_STR  10
        call    lb_flush
        EXIT
