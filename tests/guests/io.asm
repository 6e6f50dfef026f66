; io.asm - port I/O: unclaimed ports, the testdev ports, string I/O.
; Needs `devices = testdev`.
        bits 64
        org 0x100000
%include "lib.inc"

%define UNCLAIMED_PORT  0x5100

_start:
        LIB_INIT

        ; testdev present: the id port reads "SHLE"
        mov     dx, TESTDEV_PORT_ID
        in      eax, dx
        mov     r12, rax
        CHECK_EQ "io-testdev-id", r12, TESTDEV_ID

        ; ---- unclaimed port: reads all ones, writes are dropped, counted
        mov     edi, 0                  ; counter 0: unclaimed port accesses
        HYPERCALL SHALE_HC_STAT
        mov     r15, rax                ; before

        mov     dx, UNCLAIMED_PORT
        mov     rax, 0x1111111111111100
        in      al, dx                  ; upper 56 bits of RAX are kept
        mov     r12, rax
        mov     rax, 0x1111111111110000
        in      ax, dx                  ; upper 48 bits of RAX are kept
        mov     r13, rax
        mov     rax, 0x1111111111111111
        in      eax, dx                 ; 32-bit result zero-extends RAX
        mov     r14, rax
        TRY
        mov     dx, UNCLAIMED_PORT
        mov     eax, 0x12345678
        out     dx, al
        out     dx, ax
        out     dx, eax
        ENDTRY
        ; 6 unclaimed accesses (3 in, 3 out) if the OUTs did not fault

        mov     edi, 0
        HYPERCALL SHALE_HC_STAT
        sub     rax, r15
        mov     r15, rax                ; delta

        CHECK_EQ "io-unclaimed-in8", r12, 0x11111111111111FF
        CHECK_EQ "io-unclaimed-in16", r13, 0x111111111111FFFF
        CHECK_EQ "io-unclaimed-in32", r14, 0x00000000FFFFFFFF
        CHECK_NO_FAULT "io-unclaimed-out"
        CHECK_EQ "io-unclaimed-stat", r15, 6

        ; ---- testdev scratch port
        mov     dx, TESTDEV_PORT_SCRATCH
        mov     eax, 0x12345678
        out     dx, eax
        xor     eax, eax
        in      eax, dx
        mov     r12, rax
        CHECK_EQ "io-scratch-32", r12, 0x12345678

        mov     ax, 0xBEEF
        out     dx, ax
        xor     eax, eax
        in      ax, dx
        mov     r12, rax
        CHECK_EQ "io-scratch-16", r12, 0xBEEF

        mov     al, 0xA5
        out     dx, al
        xor     eax, eax
        in      al, dx
        mov     r12, rax
        CHECK_EQ "io-scratch-8", r12, 0xA5

        ; ---- rep outsb: 4 bytes to the scratch port, the last one stays
        lea     rsi, [rel out_bytes]
        mov     r13, rsi
        mov     ecx, 4
        mov     dx, TESTDEV_PORT_SCRATCH
        rep outsb
        mov     r14, rcx
        sub     rsi, r13
        mov     r13, rsi                ; bytes RSI advanced
        xor     eax, eax
        in      al, dx
        mov     r12, rax
        CHECK_EQ "io-rep-outsb-value", r12, 0x44
        CHECK_EQ "io-rep-outsb-rcx", r14, 0
        CHECK_EQ "io-rep-outsb-rsi", r13, 4

        ; ---- rep insd: 3 dwords from the id port
        lea     rdi, [rel in_buf]
        mov     r13, rdi
        mov     ecx, 3
        mov     dx, TESTDEV_PORT_ID
        rep insd
        mov     r14, rcx
        sub     rdi, r13
        mov     r13, rdi                ; bytes RDI advanced
        mov     r12, [rel in_buf]
        CHECK_EQ "io-rep-insd-dword0-1", r12, 0x454C4853454C4853
        mov     r12, [rel in_buf + 8]   ; dword 2 and the canary after it
        CHECK_EQ "io-rep-insd-dword2", r12, 0xCAFECAFE454C4853
        CHECK_EQ "io-rep-insd-rcx", r14, 0
        CHECK_EQ "io-rep-insd-rdi", r13, 12

        ; ---- insw with DF=1: RDI goes backwards by 2
        mov     dx, TESTDEV_PORT_SCRATCH
        mov     ax, 0x1234
        out     dx, ax
        lea     rdi, [rel std_buf + 2]
        mov     r13, rdi
        std
        insw
        cld
        sub     r13, rdi
        movzx   r12d, word [rel std_buf + 2]
        CHECK_EQ "io-insw-std-value", r12, 0x1234
        CHECK_EQ "io-insw-std-rdi", r13, 2

        EXIT

section .data
        align   8, db 0
out_bytes:      db 0x41, 0x42, 0x43, 0x44
        align   8, db 0
in_buf:         dd 0, 0, 0, 0xCAFECAFE
std_buf:        dw 0, 0, 0, 0
section .text
