; SPDX-License-Identifier: MIT
; Multiboot 1 kernel without ELF that runs unchanged under QEMU and Shale:
; a flat binary whose header sets flag 16, so the address fields say
; where it loads (2M), how much of the file, where its BSS ends and where
; it starts. The checks of mbqcheck.inc, in 32-bit mode, plus its own BSS
; zeroed; ends through isa-debug-exit: status 33 if all passed, 3 after
; any FAIL.
; QEMU: -kernel mbqraw.bin -append "raw" -initrd "mod1.txt x=1,mod2.txt"
; Shale: mode = multiboot, kernel = mbqraw.bin, cmdline = "raw",
; modules = mod1.txt x=1, mod2.txt, devices = isa-debug-exit, debugcon, fw_cfg
; (tests/emu/cases_multiboot_qemu.py).
bits 32
org 0x200000
%include "mbqcheck.inc"

MB_FLAGS        equ (1 << 16) | 3       ; address fields, page-align modules, memory info

section .text
load_start:
header:
        dd      0x1BADB002, MB_FLAGS, -(0x1BADB002 + MB_FLAGS)
        dd      header                  ; header_addr
        dd      load_start              ; load_addr
        dd      load_end                ; load_end_addr
        dd      bss_end                 ; bss_end_addr
        dd      start                   ; entry_addr

start:
        MBQ_ENTRY
        ; The BSS below the stack (all but the bytes MBQ_ENTRY just wrote)
        ; is zero: the loader cleared it.
        mov     edi, bss_check_start
        mov     ecx, (stack_top - 16 - bss_check_start) / 4
        xor     eax, eax
        repe scasd
        QCHECK  "mbqraw-bss-zero", je
        call    mbq_checks
        QEXIT

MBQ_CODE
MBQ_DATA

section .rodata
want_cmdline:   db "mbqraw.bin raw", 0
; NASM's bin format puts .rodata after .text and .bss after both: the
; loaded image ends here.
align 4
load_end:

section .bss
alignb 4
bss_check_start:
        resb 0x2000
stack_top:
bss_end:
