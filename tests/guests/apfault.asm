; apfault.asm - asks the test device for an exception in the hypervisor on
; another host CPU (CPU 1, idle), then keeps running: that CPU's panic must
; stop this one too (an NMI, a VM exit). Needs devices = testdev and a
; machine with two CPUs.
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT
        PASS    "apfault-started"
        mov     dx, TESTDEV_PORT_FAULT
        mov     eax, 5
        out     dx, eax
        ; Spin in the guest: CPU 1's report must stop this CPU from here.
        mov     ecx, 200000000
.spin:
        pause
        dec     ecx
        jnz     .spin
        FAIL    "apfault-not-stopped", "execution continued"
        EXIT_STATUS 1
