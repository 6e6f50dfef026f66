; chatter.asm - prints "line 1" .. "line 40" with some work between lines,
; so that several copies running at once interleave on the console. The
; hypervisor puts each guest's name in front; the test checks every copy's
; lines arrive complete and in order.
        bits 64
        org 0x100000
%include "lib.inc"

%define LINES 40

_start:
        LIB_INIT
        mov     r12, 1
.line:
        call    lb_reset
        LB_STR  "line "
        mov     rax, r12
        call    lb_dec
        mov     al, 10
        call    lb_char
        call    lb_flush
        mov     ecx, 20000              ; work, so the scheduler switches mid-run
.work:
        dec     ecx
        jnz     .work
        inc     r12
        cmp     r12, LINES
        jbe     .line
        PASS    "chatter-done"
        EXIT
