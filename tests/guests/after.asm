; after.asm - runs after `outside` in the same boot: Shale went on.
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT
        PASS    "after-ran"
        EXIT
