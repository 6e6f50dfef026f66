; SPDX-License-Identifier: MIT
; Multiboot 1 test kernel: an ELF32 file whose code switches to long mode
; itself (page tables in its BSS, PAE, EFER.LME, paging), as many
; `qemu -kernel` kernels do, then reads its command line in 64-bit mode.
; Config: mode = multiboot, memory = 16M, kernel = mblong.elf,
; cmdline = "long".
bits 32
%include "mb32.inc"

MB_FLAGS        equ 2

section .multiboot progbits alloc noexec nowrite align=4
        dd      0x1BADB002, MB_FLAGS, -(0x1BADB002 + MB_FLAGS)

section .text
global _start
_start:
        mov     esp, stack_top
        mov     [info], ebx
        cmp     eax, 0x2BADB002
        CHECK   "mblong-magic", je
        ; Identity map of the first 1G with 2M pages.
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
        or      eax, 1 << 5             ; PAE
        mov     cr4, eax
        mov     ecx, 0xC0000080         ; EFER
        rdmsr
        or      eax, 1 << 8             ; LME
        wrmsr
        mov     eax, cr0
        or      eax, 0x80000000         ; PG
        mov     cr0, eax
        lgdt    [gdtr]
        jmp     0x08:long_mode

bits 64
long_mode:
        mov     ax, 0x10
        mov     ds, ax
        mov     ss, ax
        mov     ecx, 0xC0000080
        rdmsr
        test    eax, 1 << 10            ; LMA
        jz      .bad
        lea     rdi, [rel pass_long]
        mov     esi, pass_long_len
        mov     eax, SHALE_HC_CONSOLE_WRITE
        vmcall
        mov     ebx, [rel info]
        mov     esi, [rbx + 16]
        lea     rdi, [rel want_cmdline]
.cmp:   mov     al, [rsi]
        cmp     al, [rdi]
        jne     .bad
        inc     rsi
        inc     rdi
        test    al, al
        jnz     .cmp
        lea     rdi, [rel pass_cmdline]
        mov     esi, pass_cmdline_len
        mov     eax, SHALE_HC_CONSOLE_WRITE
        vmcall
        movzx   edi, byte [rel failed]
        jmp     .exit
.bad:   lea     rdi, [rel fail_line]
        mov     esi, fail_line_len
        mov     eax, SHALE_HC_CONSOLE_WRITE
        vmcall
        mov     edi, 1
.exit:  mov     eax, SHALE_HC_EXIT
        vmcall
        hlt

section .rodata
align 8
gdt:    dq      0
        dq      0x00af9b000000ffff      ; 0x08 code64
        dq      0x00cf93000000ffff      ; 0x10 data
gdtr:   dw      gdtr - gdt - 1
        dd      gdt
pass_long:      db "PASS mblong-long-mode", 10
pass_long_len   equ $ - pass_long
pass_cmdline:   db "PASS mblong-cmdline", 10
pass_cmdline_len equ $ - pass_cmdline
fail_line:      db "FAIL mblong-long-mode: no LMA or a wrong command line", 10
fail_line_len   equ $ - fail_line
want_cmdline:   db "mblong.elf long", 0

section .bss
alignb 4096
pml4:   resb 4096
pdpt:   resb 4096
pd:     resb 4096
info:   resd 1
failed: resb 1
        resb 4096
stack_top:
