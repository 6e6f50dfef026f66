; exit7.asm - SHALE_HC_EXIT passes the status through: exits with 7.
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT
        PASS    "exit7-started"
        EXIT_STATUS 7                   ; prints FAIL exit-returned if it returns
