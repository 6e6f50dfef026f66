; spin.asm - says it started, then spins forever with interrupts off. The
; scheduler's time slices must keep the other guests running.
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT
        PASS    "spin-started"
        cli
.forever:
        jmp     .forever
