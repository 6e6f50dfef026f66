; cr.asm - control registers as the guest sees them: CR4.VMXE hidden and
; refused, CR0.NE through the read shadow, XSETBV checks, WBINVD/INVD.
        bits 64
        org 0x100000
%include "lib.inc"

%define CR4_VMXE        13
%define CR4_OSXSAVE     18
%define CR0_NE          5

_start:
        LIB_INIT

        ; --- CR4.VMXE reads as 0
        mov     rax, cr4
        mov     r12, rax                ; original CR4
        CHECK_BIT "cr-cr4-vmxe-hidden", r12, CR4_VMXE, 0

        ; --- setting CR4.VMXE is refused with #GP
        mov     rax, r12
        bts     rax, CR4_VMXE
        TRY
        mov     cr4, rax
        ENDTRY
        CHECK_FAULT "cr-cr4-vmxe-refused", 13
        mov     rax, cr4
        mov     r13, rax
        CHECK_EQ "cr-cr4-unchanged", r13, r12

        ; --- CR0.NE: set at start; clearing it shows in the read shadow
        mov     rax, cr0
        mov     r12, rax                ; original CR0
        CHECK_BIT "cr-cr0-ne-set", r12, CR0_NE, 1
        mov     rax, r12
        btr     rax, CR0_NE
        TRY
        mov     cr0, rax
        ENDTRY
        IF_FAULT_FAIL "cr-cr0-ne-shadow", .ne_restore
        mov     rax, cr0
        mov     r13, rax
        CHECK_BIT "cr-cr0-ne-shadow", r13, CR0_NE, 0
.ne_restore:
        TRY
        mov     cr0, r12
        ENDTRY
        mov     rax, cr0
        mov     r13, rax
        CHECK_EQ "cr-cr0-ne-restored", r13, r12

        ; --- XSETBV, if the CPU (as presented) has XSAVE
        mov     eax, 1
        xor     ecx, ecx
        cpuid
        bt      ecx, 26
        jc      .xsave
        PASS    "cr-xsetbv-skipped"
        jmp     .xsave_done
.xsave:
        mov     rax, cr4
        bts     rax, CR4_OSXSAVE
        TRY
        mov     cr4, rax
        ENDTRY
        IF_FAULT_FAIL "cr-cr4-osxsave", .xsave_done
        mov     rax, cr4
        mov     r12, rax
        CHECK_BIT "cr-cr4-osxsave", r12, CR4_OSXSAVE, 1

        ; XCR0 = 1 (x87 only): valid
        TRY
        xor     ecx, ecx
        mov     eax, 1
        xor     edx, edx
        xsetbv
        ENDTRY
        CHECK_NO_FAULT "cr-xsetbv-valid"
        xor     ecx, ecx
        xgetbv
        shl     rdx, 32
        mov     eax, eax
        or      rax, rdx
        mov     r12, rax
        CHECK_EQ "cr-xsetbv-readback", r12, 1

        ; XCR0 = 0 (x87 bit clear): #GP
        TRY
        xor     ecx, ecx
        xor     eax, eax
        xor     edx, edx
        xsetbv
        ENDTRY
        CHECK_FAULT "cr-xsetbv-invalid", 13

        ; XCR0 with a reserved bit (62): #GP
        TRY
        xor     ecx, ecx
        mov     eax, 1
        mov     edx, 1 << 30
        xsetbv
        ENDTRY
        CHECK_FAULT "cr-xsetbv-reserved-bit", 13

        ; ECX = 1 is not a writable XCR: #GP
        TRY
        mov     ecx, 1
        mov     eax, 1
        xor     edx, edx
        xsetbv
        ENDTRY
        CHECK_FAULT "cr-xsetbv-bad-index", 13

        ; AVX without SSE (x87|AVX = 5): #GP, if AVX state is supported
        mov     eax, 0xD
        xor     ecx, ecx
        cpuid
        bt      eax, 2
        jnc     .no_avx
        TRY
        xor     ecx, ecx
        mov     eax, 5
        xor     edx, edx
        xsetbv
        ENDTRY
        CHECK_FAULT "cr-xsetbv-avx-without-sse", 13
.no_avx:
.xsave_done:

        ; --- cache flushes complete
        wbinvd
        invd
        PASS    "cr-wbinvd"

        EXIT
