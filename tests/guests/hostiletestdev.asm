; hostiletestdev.asm - asks the test device for every fault it can inject,
; without [hypervisor] selftest = on: each request must be refused, Shale
; must not halt and the guest goes on. Needs devices = testdev.
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT
        mov     dx, TESTDEV_PORT_FAULT
        mov     ebx, 1
.next:
        mov     eax, ebx
        out     dx, eax
        inc     ebx
        cmp     ebx, 4
        jbe     .next
        ; the port reads 0, and the device still works
        in      eax, dx
        mov     r12, rax
        CHECK_EQ "hostiletestdev-fault-port-reads-0", r12, 0
        mov     dx, TESTDEV_PORT_SCRATCH
        mov     eax, 0x5a5aa5a5
        out     dx, eax
        in      eax, dx
        mov     r12, rax
        CHECK_EQ "hostiletestdev-scratch-works", r12, 0x5a5aa5a5
        PASS    "hostiletestdev-survived"
        EXIT
