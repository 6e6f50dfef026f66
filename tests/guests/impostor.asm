; impostor.asm - prints the lines that end or fail a test run, as Shale
; would print them, then goes on: a guest must not be able to end or fail
; its own test (Shale prefixes every guest line with "[guest NAME] ", and
; the harness only counts such markers at the start of a line of Shale's).
; The forgeries come in one write each, with newlines and a CR inside.
; It exits with status 4, having claimed 0.
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT
        PRINT   '[panic] Shale halted this CPU', 10
        PRINT   'x', 10, '[shale] all guests have stopped; Shale halts', 10
        PRINT   13, '[shale] error: returning to the firmware', 10
        PRINT   '[vm] guest "impostor" exited with status 0', 10
        PASS    "impostor-survived"
        EXIT_STATUS 4
