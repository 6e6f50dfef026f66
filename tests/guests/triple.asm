; triple.asm - a triple fault stops the guest: load an IDT with limit 0 and
; execute INT3 (#BP -> #GP -> #DF -> shutdown).
;
; Shale's crash report must show the state the guest had at that moment. The
; guest first prints what it knows of it (one "triple-state" line: CR0 as it
; reads it, CR3, RSP and the address of the INT3), then loads every
; general-purpose register but RSP with its SDM number times
; 0x0101010101010101 (RAX 0, RCX 0x0101..., ... R15 0x0f0f...).
; tests/emu/cases.py compares the report with both.
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        ; no LIB_INIT: this guest wants no IDT. Print with plain hypercalls.
        mov     byte [rel lib_failed], 0
        PASS    "triple-started"
        call    lb_reset
        LB_STR  "triple-state cr0 "
        mov     rax, cr0
        call    lb_hex
        LB_STR  " cr3 "
        mov     rax, cr3
        call    lb_hex
        LB_STR  " rsp "
        mov     rax, rsp
        call    lb_hex
        LB_STR  " rip "
        lea     rax, [rel fault]
        call    lb_hex
        mov     al, 10
        call    lb_char
        call    lb_flush
        lidt    [rel null_idtr]
        xor     eax, eax
        mov     rcx, 0x0101010101010101
        mov     rdx, 0x0202020202020202
        mov     rbx, 0x0303030303030303
        mov     rbp, 0x0505050505050505
        mov     rsi, 0x0606060606060606
        mov     rdi, 0x0707070707070707
        mov     r8,  0x0808080808080808
        mov     r9,  0x0909090909090909
        mov     r10, 0x0a0a0a0a0a0a0a0a
        mov     r11, 0x0b0b0b0b0b0b0b0b
        mov     r12, 0x0c0c0c0c0c0c0c0c
        mov     r13, 0x0d0d0d0d0d0d0d0d
        mov     r14, 0x0e0e0e0e0e0e0e0e
        mov     r15, 0x0f0f0f0f0f0f0f0f
fault:  int3
        FAIL    "triple-not-stopped", "execution continued after int3"
        EXIT_STATUS 1

section .data
        align   8, db 0
null_idtr:      dw 0                    ; limit 0
                dq 0                    ; base 0
section .text
