; flood.asm - writes 3000 long lines as fast as it can: far more than the
; console carries. Shale must drop this guest's excess, say how much, and
; lose nothing of the other guests' output.
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT
        PASS    "flood-started"
        mov     r12d, 3000
.again:
        lea     rdi, [rel text]
        mov     esi, text_len
        call    hc_write
        dec     r12d
        jnz     .again
        PASS    "flood-done"
        EXIT

text:   db "flood flood flood flood flood flood flood flood flood flood flood flood flood flood", 10
text_len equ $ - text
