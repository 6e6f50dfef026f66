; hvfault.asm - asks the test device to break something (the hypervisor takes an exception on purpose),
; to test how Shale reports it. Needs devices = testdev.
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT
        PASS    "hvfault-started"
        mov     dx, TESTDEV_PORT_FAULT
        mov     eax, 1
        out     dx, eax
        FAIL    "hvfault-not-stopped", "execution continued"
        EXIT_STATUS 1
