; SPDX-License-Identifier: MIT
; Multiboot 1 kernel, ELF32, that runs unchanged under QEMU and Shale:
; it talks only to QEMU's debug devices (debugcon.inc). It checks the
; entry state and the boot information (mbqcheck.inc) in 32-bit mode, then
; switches to long mode itself, as many `qemu -kernel` kernels do, reads
; its first module again from 64-bit code and ends through isa-debug-exit
; from there: status 33 if all passed, 3 after any FAIL.
; QEMU: -kernel mbqelf.elf -append "hello=1 world" -initrd "mod1.txt x=1,mod2.txt"
; Shale: mode = multiboot, kernel = mbqelf.elf, cmdline = "hello=1 world",
; modules = mod1.txt x=1, mod2.txt, devices = isa-debug-exit, debugcon, fw_cfg
; (tests/emu/cases_multiboot_qemu.py).
bits 32
%include "mbqcheck.inc"

MB_FLAGS        equ 3                   ; page-align modules, memory info

section .multiboot progbits alloc noexec nowrite align=4
        dd      0x1BADB002, MB_FLAGS, -(0x1BADB002 + MB_FLAGS)

section .text
global _start
_start:
        MBQ_ENTRY
        call    mbq_checks
        ; Identity map of the first 1G with 2M pages, PAE, EFER.LME, paging.
        mov     eax, pdpt
        or      eax, 3
        mov     [pml4], eax
        mov     eax, pd
        or      eax, 3
        mov     [pdpt], eax
        xor     ecx, ecx
.pde:   mov     eax, ecx
        shl     eax, 21
        or      eax, 0x83
        mov     [pd + ecx * 8], eax
        inc     ecx
        cmp     ecx, 512
        jb      .pde
        mov     eax, pml4
        mov     cr3, eax
        mov     eax, cr4
        or      eax, 1 << 5
        mov     cr4, eax
        mov     ecx, 0xC0000080
        rdmsr
        or      eax, 1 << 8
        wrmsr
        mov     eax, cr0
        or      eax, 0x80000000
        mov     cr0, eax
        lgdt    [gdtr]
        jmp     0x08:long_mode

MBQ_CODE

bits 64
long_mode:
        mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     ecx, 0xC0000080
        rdmsr
        test    eax, 1 << 10            ; LMA
        QCHECK  "mbqelf-long-mode", jnz
        ; The first module, read from 64-bit code through the info pointer.
        mov     ebx, [rel info]
        mov     ebx, [rbx + MBI_MODS_ADDR]
        mov     edi, [rbx]
        lea     rsi, [rel mod1_file]
        mov     ecx, mod1_file_len
        repe cmpsb
        QCHECK  "mbqelf-long-mode-mod1", je
        QEXIT

DC_WRITE_FN dc_write64

MBQ_DATA

section .rodata
align 8
gdt:    dq      0
        dq      0x00af9b000000ffff      ; 0x08 code64
        dq      0x00cf93000000ffff      ; 0x10 data
gdtr:   dw      gdtr - gdt - 1
        dd      gdt
want_cmdline:   db "mbqelf.elf hello=1 world", 0

section .bss
alignb 4096
pml4:   resb 4096
pdpt:   resb 4096
pd:     resb 4096
        resb 4096
stack_top:
