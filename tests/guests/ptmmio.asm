; ptmmio.asm - a page table whose PML4 entry points at the test device's
; MMIO page, then a read through it: the CPU's own page walk reads a
; paging-structure entry from device memory (EPT violation with exit
; qualification bit 7 set and bit 8 clear). Shale must stop the guest,
; not emulate the MOV as if its operand were the device register.
; Needs `devices = testdev`; runs before `after` in the same boot.
        bits 64
        org 0x100000
%include "lib.inc"

%define WALK_LA         0x0000008000000000      ; PML4 index 1

_start:
        LIB_INIT
        mov     rax, cr3
        and     rax, ~0xFFF
        mov     rax, [rax]              ; Shale's PML4[0]: the identity map
        mov     [rel pml4], rax
        mov     eax, TESTDEV_MMIO
        or      rax, 7                  ; PML4[1]: "PDPT" = the device page
        mov     [rel pml4 + 8], rax
        lea     rax, [rel pml4]
        mov     cr3, rax
        PASS    "ptmmio-started"
        mov     rdx, WALK_LA
        mov     rax, [rdx]
        FAIL    "ptmmio-not-stopped", "the read through device page tables returned"
        EXIT_STATUS 1

section .data
        align   4096, db 0
pml4:           times 512 dq 0
section .text
