; c1ctl.asm - prints a C1 control (CSI, 0x9b) raw and encoded in UTF-8,
; well-formed UTF-8 text, and a malformed sequence. The operator's terminal
; must see only the text: the C1 controls and the malformed byte as '?'.
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT
        PRINT   'c1 raw[', 0x9b, '] enc[', 0xc2, 0x9b, '] utf8[', 0xc3, 0xa9, 0xe2, 0x80, 0x94, '] bad[', 0xc3, 0x28, ']', 10
        PASS    "c1ctl-printed"
        EXIT
