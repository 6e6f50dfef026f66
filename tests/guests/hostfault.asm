; hostfault.asm - asks the test device to break something (the VMCS host state is broken, so VMRESUME fails),
; to test how Shale reports it. Needs devices = testdev.
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT
        PASS    "hostfault-started"
        mov     dx, TESTDEV_PORT_FAULT
        mov     eax, 2
        out     dx, eax
        FAIL    "hostfault-not-stopped", "execution continued"
        EXIT_STATUS 1
