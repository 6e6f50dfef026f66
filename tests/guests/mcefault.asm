; mcefault.asm - asks the test device for a machine check while it runs
; (fault 6: Shale's machine-check path on made-up banks, an uncorrected
; error that requires action in this guest's memory). Shale must stop this
; guest, with the report, and nothing else. Needs devices = testdev and
; [hypervisor] selftest = on.
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT
        PASS    "mcefault-started"
        mov     dx, TESTDEV_PORT_FAULT
        mov     eax, 6
        out     dx, eax
        FAIL    "mcefault-not-stopped", "execution continued"
        EXIT_STATUS 1
