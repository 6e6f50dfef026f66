; mmiorsp.asm - MOV between RSP and the testdev MMIO page. The guest's RSP
; is in the VMCS, not in the registers Shale's exit stub saves, so the
; emulation must read and write it there. Needs `devices = testdev`.
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT
        mov     ebx, TESTDEV_MMIO
        mov     r15, rsp                ; the real stack, kept aside

        ; --- store RSP (64 and 32 bits)
        mov     rsp, 0x1122334455667788
        mov     [rbx], rsp              ; 48 89 23
        mov     rsp, r15
        mov     r12, [rbx]
        CHECK_EQ "mmiorsp-store-64", r12, 0x1122334455667788

        mov     qword [rbx], 0
        mov     rsp, 0x99AABBCCDDEEFF00
        mov     [rbx], esp              ; 89 23
        mov     rsp, r15
        mov     r12, [rbx]
        CHECK_EQ "mmiorsp-store-32", r12, 0xDDEEFF00

        ; --- load RSP: 64 bits, 32 bits (zero-extends), 16 bits (keeps
        ;     bits 63:16)
        mov     rax, 0x0123456789ABCDEF
        mov     [rbx], rax
        mov     rsp, [rbx]              ; 48 8b 23
        mov     r12, rsp
        mov     rsp, r15
        CHECK_EQ "mmiorsp-load-64", r12, 0x0123456789ABCDEF

        mov     rsp, -1
        mov     esp, [rbx]              ; 8b 23
        mov     r12, rsp
        mov     rsp, r15
        CHECK_EQ "mmiorsp-load-32", r12, 0x89ABCDEF

        mov     rsp, 0x7777777777777777
        mov     sp, [rbx]               ; 66 8b 23
        mov     r12, rsp
        mov     rsp, r15
        CHECK_EQ "mmiorsp-load-16", r12, 0x777777777777CDEF

        EXIT
