; outside.asm - read guest-physical 0x80000000, far beyond the guest's RAM
; (16M) and claimed by no device: Shale must stop the guest on that EPT
; violation. Runs before `after` in the same boot.
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT
        PASS    "outside-started"
        mov     ebx, 0x80000000         ; not [0x80000000]: a disp32 sign-extends
        mov     rax, [rbx]
        FAIL    "outside-not-stopped", "read returned"
        EXIT_STATUS 1
