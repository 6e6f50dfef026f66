; SPDX-License-Identifier: MIT
; Multiboot 1 test kernel as an ELF64 file (nasm -f elf64, ld -m
; elf_x86_64): GRUB and Shale load its PT_LOAD segments like an ELF32's and
; start it in 32-bit protected mode all the same.
; Config: mode = multiboot, memory = 16M, kernel = mb64.elf.
bits 32
%include "mb32.inc"

MB_FLAGS        equ 2

section .multiboot progbits alloc noexec nowrite align=4
        dd      0x1BADB002, MB_FLAGS, -(0x1BADB002 + MB_FLAGS)

section .text
global _start
_start:
        mov     esp, stack_top
        cmp     eax, 0x2BADB002
        CHECK   "mb64-magic", je
        mov     eax, cr0
        and     eax, 0x80000001
        cmp     eax, 1
        CHECK   "mb64-protected-mode", je
        mov     esi, [ebx + 16]
        mov     edi, want_cmdline
        call    streq
        CHECK   "mb64-cmdline", je
        EXIT32

STREQ_FN

section .rodata
want_cmdline:   db "mb64.elf", 0

section .bss
failed: resb 1
        resb 4096
stack_top:
