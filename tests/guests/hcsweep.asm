; hcsweep.asm - every hypercall number up to 1023 and a few far beyond,
; but EXIT, with arguments at the edges of the guest's memory and of the
; address space: NULL, the last byte of RAM, straddling its end, 2^63, -1,
; and lengths of 0, 1, 4096, 4097 and 2^64-1. Each must return an error or
; do its job; Shale must survive, and the guest too.
        bits 64
        org 0x100000
%include "lib.inc"

%define GUEST_MEM 0x1000000             ; memory = 16M

section .data
args:   dq 0, 1, GUEST_MEM - 1, GUEST_MEM - 8, GUEST_MEM, 0x8000000000000000
        dq 0xffffffffffffffff, 0x100000, 4096, 4097
nargs equ ($ - args) / 8
section .text

_start:
        LIB_INIT
        PASS    "hcsweep-started"
        xor     r12d, r12d              ; hypercall number
.nr:
        cmp     r12d, SHALE_HC_EXIT
        je      .skip
        xor     r13d, r13d              ; argument pattern
.arg:
        lea     rbx, [rel args]
        mov     rdi, [rbx + r13 * 8]
        mov     rax, r13
        inc     rax
        xor     edx, edx
        mov     rcx, nargs
        div     rcx
        mov     rsi, [rbx + rdx * 8]
        mov     rdx, [rbx + rdx * 8]
        mov     eax, r12d
        cli                             ; a timer it arms must not fire
        vmcall
        inc     r13d
        cmp     r13d, nargs
        jb      .arg
.skip:
        inc     r12d
        cmp     r12d, 1024
        jb      .nr
        mov     rax, 0xffffffff
        vmcall
        mov     rax, 0x8000000000000002 ; EXIT's number with the top bit set
        vmcall
        PRINT   10                      ; end the console writes' last line
        PASS    "hcsweep-survived"
        EXIT
