; vmreadfault.asm - asks the test device to break something (a VMREAD in the hypervisor fails),
; to test how Shale reports it. Needs devices = testdev.
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT
        PASS    "vmreadfault-started"
        mov     dx, TESTDEV_PORT_FAULT
        mov     eax, 4
        out     dx, eax
        FAIL    "vmreadfault-not-stopped", "execution continued"
        EXIT_STATUS 1
