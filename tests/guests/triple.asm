; triple.asm - a triple fault stops the guest: load an IDT with limit 0 and
; execute INT3 (#BP -> #GP -> #DF -> shutdown).
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        ; no LIB_INIT: this guest wants no IDT. Print with plain hypercalls.
        mov     byte [rel lib_failed], 0
        PASS    "triple-started"
        lidt    [rel null_idtr]
        int3
        FAIL    "triple-not-stopped", "execution continued after int3"
        EXIT_STATUS 1

section .data
        align   8, db 0
null_idtr:      dw 0                    ; limit 0
                dq 0                    ; base 0
section .text
