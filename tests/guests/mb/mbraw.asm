; SPDX-License-Identifier: MIT
; Multiboot 1 test kernel without ELF: a flat binary whose header sets
; flag 16, so the header's address fields say where it loads (at 2M), how
; much of the file, where its BSS ends and where it starts.
; Config: mode = multiboot, memory = 16M, kernel = mbraw.bin.
bits 32
org 0x200000
%include "mb32.inc"

MB_FLAGS        equ (1 << 16) | 2

load_start:
header:
        dd      0x1BADB002, MB_FLAGS, -(0x1BADB002 + MB_FLAGS)
        dd      header                  ; header_addr
        dd      load_start              ; load_addr
        dd      load_end                ; load_end_addr
        dd      bss_end                 ; bss_end_addr
        dd      start                   ; entry_addr

start:
        mov     esp, stack_top
        cmp     eax, 0x2BADB002
        CHECK   "mbraw-magic", je
        cmp     dword [start], 0
        CHECK   "mbraw-loaded", jne
        ; The BSS below the stack is zero: the loader cleared it.
        mov     edi, bss_start
        mov     ecx, (stack_bottom - bss_start) / 4
        xor     eax, eax
        repe scasd
        CHECK   "mbraw-bss-zero", je
        mov     esi, [ebx + 16]
        mov     edi, want_cmdline
        call    streq
        CHECK   "mbraw-cmdline", je
        EXIT32

STREQ_FN

want_cmdline:   db "mbraw.bin", 0
failed:         db 0
; The strings of PASS/FAIL live in .rodata, which NASM places after
; .text: the loaded image ends with it.
section .rodata
align 4
load_end:
bss_start equ load_end
stack_bottom equ bss_start + 0x2000
stack_top equ bss_start + 0x3000      ; the top 4K of the BSS is the stack
bss_end equ bss_start + 0x3000
