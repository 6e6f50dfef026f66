; canon.asm - an instruction Shale emulates that ends at the top of the
; lower canonical half: CPUID with its last byte at 0x00007FFFFFFFFFFF.
; The next RIP would not be canonical, so the CPU's next fetch is #GP(0);
; Shale reports it at the CPUID itself (a VM entry cannot take the
; non-canonical RIP: docs/security.md), CPUID's results kept, and the
; guest goes on. Before, the VM entry failed and the guest was stopped.
        bits 64
        org 0x100000
%include "lib.inc"

%define TOP_PAGE        0x00007FFFFFFFF000
%define CPUID_LA        0x00007FFFFFFFFFFE      ; 0F A2, last byte at the top

_start:
        LIB_INIT
        ; PML4[255] -> PDPT[511] -> PD[511] -> PT[511] -> code_page, added
        ; to the tables Shale built (identity map of the first 4 GiB).
        mov     rbx, cr3
        and     rbx, ~0xFFF
        lea     rax, [rel pdpt]
        or      rax, 3
        mov     [rbx + 255 * 8], rax
        lea     rax, [rel pd]
        or      rax, 3
        mov     [rel pdpt + 511 * 8], rax
        lea     rax, [rel pt]
        or      rax, 3
        mov     [rel pd + 511 * 8], rax
        lea     rax, [rel code_page]
        or      rax, 3
        mov     [rel pt + 511 * 8], rax
        mov     rax, cr3
        mov     cr3, rax
        mov     word [rel code_page + 0xFFE], 0xA20F    ; cpuid

        xor     eax, eax                ; leaf 0: EAX = max leaf, >= 1
        mov     ebx, 0xB0B0B0B0
        TRY
        mov     rcx, CPUID_LA
        push    rcx
        xor     ecx, ecx
        ret                             ; to the CPUID at the top
        ENDTRY
        mov     r12, rbx                ; CPUID ran: EBX is the vendor's
        CHECK_FAULT "canon-gp", 13
        mov     r13, [rel lib_last_rip]
        mov     r14, CPUID_LA
        CHECK_EQ "canon-gp-rip", r13, r14
        mov     r13, [rel lib_last_error]
        CHECK_EQ "canon-gp-error", r13, 0
        CHECK_NE "canon-cpuid-done", r12, 0xB0B0B0B0
        PASS    "canon-went-on"
        EXIT

section .data
        align   4096, db 0
pdpt:           times 512 dq 0
pd:             times 512 dq 0
pt:             times 512 dq 0
code_page:      times 4096 db 0xCC
section .text
