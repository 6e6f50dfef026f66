; spinner.asm - CPU-bound work for the scheduler benchmark: prints "P"
; after every 2^19 loop iterations (about half a 10 ms slice in Bochs),
; 320 times, then exits. Run several at
; once with different weights: the lines each prints before the first one
; finishes measure its share of the CPU.
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT
        mov     r12d, 320
.line:
        mov     ecx, 1 << 19
.spin:
        dec     ecx
        jnz     .spin
        lea     rdi, [rel p]
        mov     esi, 2
        call    hc_write
        dec     r12d
        jnz     .line
        EXIT

p:      db "P", 10
