; SPDX-License-Identifier: MIT
; Multiboot 1 test kernel, ELF32 (nasm -f elf32, ld -m elf_i386 at 1M):
; checks the machine state and the boot information Shale hands over.
; Config: mode = multiboot, memory = 16M, kernel = mbtest.elf,
; cmdline = "hello=1 world", modules = mod1.txt alpha beta, mod2.txt
; (tests/emu/cases_multiboot.py).
bits 32
%include "mb32.inc"

MEM_KIB         equ 16 * 1024
MB_FLAGS        equ 3                   ; page-align modules, memory info

section .multiboot progbits alloc noexec nowrite align=4
        dd      0x1BADB002, MB_FLAGS, -(0x1BADB002 + MB_FLAGS)

section .text
global _start
_start:
        mov     [magic], eax
        mov     [info], ebx
        mov     esp, stack_top
        ; The GDT Shale gives: reloading data and code selectors works.
        mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        jmp     0x08:.reloaded
.reloaded:
        PASS    "mbtest-segments"
        cmp     dword [magic], 0x2BADB002
        CHECK   "mbtest-magic", je
        mov     eax, cr0
        and     eax, 0x80000001
        cmp     eax, 1
        CHECK   "mbtest-cr0-pe-no-pg", je
        pushfd
        pop     eax
        test    eax, 0x20200            ; IF and VM clear
        CHECK   "mbtest-eflags", jz
        mov     ebx, [info]
        mov     eax, [ebx]
        and     eax, 0x24d
        cmp     eax, 0x24d              ; mem, cmdline, mods, mmap, name
        CHECK   "mbtest-info-flags", je
        cmp     dword [ebx + 4], 639
        CHECK   "mbtest-mem-lower", je
        cmp     dword [ebx + 8], MEM_KIB - 1024
        CHECK   "mbtest-mem-upper", je
        call    check_mmap
        mov     esi, [ebx + 16]
        mov     edi, want_cmdline
        call    streq
        CHECK   "mbtest-cmdline", je
        mov     esi, [ebx + 64]
        mov     edi, want_loader
        mov     ecx, want_loader_len
        repe cmpsb
        CHECK   "mbtest-loader-name", je
        call    check_mods
        EXIT32

; The map must have RAM from 0 to 639K and from 1M to the end of memory,
; and no RAM in between.
check_mmap:
        mov     esi, [ebx + 48]
        mov     ecx, [ebx + 44]
        add     ecx, esi
        xor     edx, edx                ; bit 0: low RAM, bit 1: high RAM
.next:  cmp     esi, ecx
        jae     .done
        cmp     dword [esi + 20], 1
        jne     .skip
        cmp     dword [esi + 8], 0      ; base high
        jne     .bad
        mov     eax, [esi + 4]
        test    eax, eax
        jnz     .high
        cmp     dword [esi + 12], 639 * 1024
        jne     .bad
        or      edx, 1
        jmp     .skip
.high:  cmp     eax, 0x100000
        jne     .bad
        cmp     dword [esi + 12], (MEM_KIB - 1024) * 1024
        jne     .bad
        or      edx, 2
.skip:  add     esi, [esi]
        add     esi, 4
        jmp     .next
.bad:   xor     edx, edx
        mov     esi, ecx
        jmp     .next
.done:  cmp     edx, 3
        CHECK   "mbtest-mmap", je
        ret

; Two modules, page aligned (header flag 0), with their strings and
; contents.
check_mods:
        cmp     dword [ebx + 20], 2
        CHECK   "mbtest-mods-count", je
        mov     ebp, [ebx + 24]
        mov     eax, [ebp]
        or      eax, [ebp + 16]
        test    eax, 0xfff
        CHECK   "mbtest-mods-aligned", jz
        mov     esi, [ebp + 8]
        mov     edi, want_mod1
        call    streq
        CHECK   "mbtest-mod1-string", je
        mov     esi, [ebp + 24]
        mov     edi, want_mod2
        call    streq
        CHECK   "mbtest-mod2-string", je
        mov     esi, [ebp]
        mov     edi, want_mod1_text
        mov     ecx, 10
        repe cmpsb
        CHECK   "mbtest-mod1-contents", je
        mov     esi, [ebp + 16]
        mov     edi, want_mod2_text
        mov     ecx, 10
        repe cmpsb
        CHECK   "mbtest-mod2-contents", je
        ; mod_end - mod_start is the file's size: mod1.txt is 27 bytes.
        mov     eax, [ebp + 4]
        sub     eax, [ebp]
        cmp     eax, 27
        CHECK   "mbtest-mod1-size", je
        ret

STREQ_FN

section .rodata
want_cmdline:   db "mbtest.elf hello=1 world", 0
want_loader:    db "Shale "
want_loader_len equ $ - want_loader
want_mod1:      db "mod1.txt alpha beta", 0
want_mod2:      db "mod2.txt", 0
want_mod1_text: db "MODULE-ONE"
want_mod2_text: db "MODULE-TWO"

section .bss
magic:  resd 1
info:   resd 1
failed: resb 1
        resb 4096
stack_top:
