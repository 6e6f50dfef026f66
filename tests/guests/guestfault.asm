; guestfault.asm - asks the test device to break something (the VMCS guest state is broken, so the VM entry fails),
; to test how Shale reports it. Needs devices = testdev.
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT
        PASS    "guestfault-started"
        mov     dx, TESTDEV_PORT_FAULT
        mov     eax, 3
        out     dx, eax
        FAIL    "guestfault-not-stopped", "execution continued"
        EXIT_STATUS 1
