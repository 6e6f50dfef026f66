; mmio.asm - MOV forms on the testdev MMIO page (decoded and emulated by
; Shale on each EPT violation). Needs `devices = testdev`.
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT
        mov     ebx, TESTDEV_MMIO       ; RBX = 0x00000000FEB00000

        ; --- register stores and loads of each size; loads of 8/16 bits
        ;     keep the rest of the destination, 32-bit loads zero-extend
        mov     al, 0x11
        mov     [rbx], al               ; 88 03
        mov     r8, -1
        mov     r8b, [rbx]              ; 44 8a 03
        CHECK_EQ "mmio-mov-8", r8, 0xFFFFFFFFFFFFFF11

        mov     ax, 0x2233
        mov     [rbx], ax               ; 66 89 03
        mov     r9, -1
        mov     r9w, [rbx]              ; 66 44 8b 0b
        CHECK_EQ "mmio-mov-16", r9, 0xFFFFFFFFFFFF2233

        mov     eax, 0x44556677
        mov     [rbx], eax              ; 89 03
        mov     r10, -1
        mov     r10d, [rbx]             ; 44 8b 13
        CHECK_EQ "mmio-mov-32", r10, 0x44556677

        mov     rax, 0x8899AABBCCDDEEFF
        mov     [rbx], rax              ; 48 89 03
        mov     r11, [rbx]              ; 4c 8b 1b
        mov     rax, 0x8899AABBCCDDEEFF
        CHECK_EQ "mmio-mov-64", r11, rax

        ; --- immediate stores
        mov     byte [rbx], 0x5a        ; c6 03 5a
        mov     rcx, -1
        mov     cl, [rbx]
        CHECK_EQ "mmio-mov-imm8", rcx, 0xFFFFFFFFFFFFFF5A

        mov     word [rbx], 0x1234      ; 66 c7 03 34 12
        xor     ecx, ecx
        mov     cx, [rbx]
        CHECK_EQ "mmio-mov-imm16", rcx, 0x1234

        mov     dword [rbx], 0x89ABCDEF ; c7 03 ef cd ab 89
        mov     ecx, [rbx]
        CHECK_EQ "mmio-mov-imm32", rcx, 0x89ABCDEF

        mov     qword [rbx], -2         ; 48 c7 03 fe ff ff ff (sign-extended)
        mov     rdx, [rbx]
        CHECK_EQ "mmio-mov-imm32-sext", rdx, 0xFFFFFFFFFFFFFFFE

        ; --- zero / sign extension from MMIO
        mov     byte [rbx], 0x9c
        mov     rax, -1
        movzx   eax, byte [rbx]         ; 0f b6 03
        mov     r12, rax
        CHECK_EQ "mmio-movzx-8", r12, 0x9C

        mov     rax, -1
        movsx   eax, byte [rbx]         ; 0f be 03 (32-bit dest zero-extends)
        mov     r12, rax
        CHECK_EQ "mmio-movsx-8-32", r12, 0xFFFFFF9C

        mov     word [rbx], 0x8001
        xor     eax, eax
        movsx   rax, word [rbx]         ; 48 0f bf 03
        mov     r12, rax
        CHECK_EQ "mmio-movsx-16-64", r12, 0xFFFFFFFFFFFF8001

        mov     rax, -1
        movzx   eax, word [rbx]         ; 0f b7 03
        mov     r12, rax
        CHECK_EQ "mmio-movzx-16", r12, 0x8001

        ; --- high-byte registers (no REX): AH load, CH store
        mov     byte [rbx], 0x7e
        mov     rax, 0x1111111111111111
        mov     ah, [rbx]               ; 8a 23
        mov     r12, rax
        CHECK_EQ "mmio-mov-high-byte-load", r12, 0x1111111111117E11

        mov     ecx, 0xC300
        mov     [rbx], ch               ; 88 2b
        xor     eax, eax
        mov     al, [rbx]
        mov     r12, rax
        CHECK_EQ "mmio-mov-high-byte-store", r12, 0xC3

        ; --- REX.R (r12 as the data register) and REX.B (r14 as the base)
        mov     r12, 0x0123456789ABCDEF
        mov     [rbx], r12              ; 4c 89 23
        xor     r12d, r12d
        mov     r12, [rbx]              ; 4c 8b 23
        mov     rax, 0x0123456789ABCDEF
        CHECK_EQ "mmio-rex-r", r12, rax

        mov     r14, rbx
        mov     dword [r14], 0x600DF00D ; 41 c7 06 ...
        mov     r15d, [r14]             ; 45 8b 3e
        CHECK_EQ "mmio-rex-b", r15, 0x600DF00D

        ; --- id register at offset 8, with a displacement
        mov     eax, [rbx + TESTDEV_MMIO_ID]    ; 8b 43 08
        mov     r12, rax
        CHECK_EQ "mmio-id", r12, TESTDEV_ID

        ; --- moffs forms (A1 / A3) with a 64-bit absolute address
        mov     rax, -1
        mov     eax, [qword TESTDEV_MMIO + TESTDEV_MMIO_ID]     ; a1 moffs64
        mov     r12, rax
        CHECK_EQ "mmio-moffs-load", r12, TESTDEV_ID

        mov     eax, 0x5EED5EED
        mov     [qword TESTDEV_MMIO], eax                       ; a3 moffs64
        mov     ecx, [rbx]
        CHECK_EQ "mmio-moffs-store", rcx, 0x5EED5EED

        ; --- the count register at offset 0x10 increases with accesses
        mov     eax, [rbx + TESTDEV_MMIO_COUNT]
        mov     r12, rax
        mov     ecx, [rbx + TESTDEV_MMIO_ID]
        mov     eax, [rbx + TESTDEV_MMIO_COUNT]
        mov     r13, rax
        cmp     r13, r12
        ja      .count_ok
        FAIL_VAL "mmio-count", 'did not increase, second read', r13
        jmp     .count_done
.count_ok:
        PASS    "mmio-count"
.count_done:

        EXIT
