; crmode.asm - control-register writes that change the paging mode, which
; Shale must refuse as the CPU does: CPUID hides LA57 (Shale walks only
; 4-level page tables) and CR4.LA57 set -> #GP with CR4 unchanged; in
; 64-bit mode, MOV CR0 that clears PG (with CD set, so that the write
; exits to Shale) -> #GP(0) with CR0 unchanged, and the guest goes on.
        bits 64
        org 0x100000
%include "lib.inc"

%define CR4_LA57        (1 << 12)
%define CR0_CD          (1 << 30)
%define CR0_PG          (1 << 31)

_start:
        LIB_INIT

        ; ---- LA57: hidden in CPUID.(EAX=7,ECX=0):ECX[16], refused in CR4
        mov     eax, 7
        xor     ecx, ecx
        cpuid
        mov     r12, rcx
        CHECK_BIT "crmode-la57-hidden", r12, 16, 0

        mov     r13, cr4
        mov     rax, r13
        or      rax, CR4_LA57
        TRY
        mov     cr4, rax
        ENDTRY
        CHECK_FAULT "crmode-la57-gp", 13
        mov     r12, cr4
        CHECK_EQ "crmode-la57-cr4-unchanged", r12, r13

        ; ---- clearing CR0.PG in 64-bit mode: #GP(0), not a mode change
        mov     r13, cr0
        mov     rax, r13
        btr     rax, 31                 ; PG clear
        bts     rax, 30                 ; CD set: the write exits
        TRY
        mov     cr0, rax
        ENDTRY
        CHECK_FAULT "crmode-pg-clear-gp", 13
        mov     r12, [rel lib_last_error]
        CHECK_EQ "crmode-pg-clear-error", r12, 0
        mov     r12, cr0
        CHECK_EQ "crmode-pg-clear-cr0-unchanged", r12, r13
        ; still in 64-bit mode with paging: a 64-bit push/pop works
        mov     rax, 0x123456789ABCDEF0
        push    rax
        pop     r12
        CHECK_EQ "crmode-pg-clear-survived", r12, 0x123456789ABCDEF0

        EXIT
