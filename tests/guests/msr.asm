; msr.asm - RDMSR/WRMSR: allowed MSRs work, the rest raise #GP.
        bits 64
        org 0x100000
%include "lib.inc"

%define IA32_FEATURE_CONTROL    0x3A
%define IA32_PAT                0x277
%define IA32_EFER               0xC0000080
%define AMD_HWCR                0xC0010015      ; never on Shale's allow list
%define PAT_TEST_VALUE          0x0007010600070106
%define IA32_APIC_BASE          0x1B
%define IA32_SYSENTER_ESP       0x175
%define IA32_SYSENTER_EIP       0x176
%define IA32_XSS                0xDA0
%define IA32_LSTAR              0xC0000082
%define IA32_CSTAR              0xC0000083
%define IA32_FS_BASE            0xC0000100
%define IA32_GS_BASE            0xC0000101
%define IA32_KERNEL_GS_BASE     0xC0000102
%define NON_CANONICAL           0x8000000000000000

; WRMSR_GP "name", msr, value64 - PASS if the write raises #GP.
%macro WRMSR_GP 3
        mov     rax, %3
        mov     rdx, rax
        shr     rdx, 32
        mov     ecx, %2
        TRY
        wrmsr
        ENDTRY
        CHECK_FAULT %1, 13
%endmacro

_start:
        LIB_INIT

        ; IA32_PAT: readable
        TRY
        mov     ecx, IA32_PAT
        rdmsr
        ENDTRY
        CHECK_NO_FAULT "msr-pat-read"
        mov     [rel pat_saved], eax
        mov     [rel pat_saved + 4], edx

        ; IA32_PAT: a valid value written reads back
        TRY
        mov     ecx, IA32_PAT
        mov     eax, PAT_TEST_VALUE & 0xFFFFFFFF
        mov     edx, PAT_TEST_VALUE >> 32
        wrmsr
        ENDTRY
        IF_FAULT_FAIL "msr-pat-write", .pat_done
        TRY
        mov     ecx, IA32_PAT
        rdmsr
        ENDTRY
        IF_FAULT_FAIL "msr-pat-write", .pat_done
        shl     rdx, 32
        mov     eax, eax
        or      rax, rdx
        mov     r12, rax
        mov     rax, PAT_TEST_VALUE
        CHECK_EQ "msr-pat-write", r12, rax
.pat_done:
        ; put the original PAT back
        TRY
        mov     ecx, IA32_PAT
        mov     eax, [rel pat_saved]
        mov     edx, [rel pat_saved + 4]
        wrmsr
        ENDTRY

        ; IA32_EFER: LME (bit 8) and LMA (bit 10)
        TRY
        mov     ecx, IA32_EFER
        rdmsr
        ENDTRY
        IF_FAULT_FAIL "msr-efer-long-mode", .efer_done
        mov     r12, rax
        and     eax, (1 << 8) | (1 << 10)
        cmp     eax, (1 << 8) | (1 << 10)
        je      .efer_ok
        FAIL_VAL "msr-efer-long-mode", 'LME/LMA not both set in', r12
        jmp     .efer_done
.efer_ok:
        PASS    "msr-efer-long-mode"
.efer_done:

        ; IA32_FEATURE_CONTROL: allowed, locked (bit 0), VMX outside SMX off (bit 2)
        TRY
        mov     ecx, IA32_FEATURE_CONTROL
        rdmsr
        ENDTRY
        IF_FAULT_FAIL "msr-feature-control-read", .fc_done
        PASS    "msr-feature-control-read"
        mov     [rel fc_saved], eax
        mov     [rel fc_saved + 4], edx
        mov     r12, [rel fc_saved]
        CHECK_BIT "msr-feature-control-locked", r12, 0, 1
        CHECK_BIT "msr-feature-control-vmx-off", r12, 2, 0
.fc_done:

        ; an MSR that is not on the allow list: #GP on read and on write
        TRY
        mov     ecx, AMD_HWCR
        rdmsr
        ENDTRY
        CHECK_FAULT "msr-unknown-read-gp", 13

        TRY
        mov     ecx, AMD_HWCR
        xor     eax, eax
        xor     edx, edx
        wrmsr
        ENDTRY
        CHECK_FAULT "msr-unknown-write-gp", 13

        ; IA32_FEATURE_CONTROL is locked: writing it (its own value) is #GP
        TRY
        mov     ecx, IA32_FEATURE_CONTROL
        mov     eax, [rel fc_saved]
        mov     edx, [rel fc_saved + 4]
        wrmsr
        ENDTRY
        CHECK_FAULT "msr-feature-control-write-gp", 13

        ; IA32_APIC_BASE: the value read writes back; reserved bits -> #GP
        mov     ecx, IA32_APIC_BASE
        rdmsr
        mov     [rel apic_base], eax
        mov     [rel apic_base + 4], edx
        TRY
        wrmsr
        ENDTRY
        CHECK_NO_FAULT "msr-apic-base-write-back"
        mov     r12, [rel apic_base]
        mov     r13, r12
        bts     r13, 0
        WRMSR_GP "msr-apic-base-bit0-gp", IA32_APIC_BASE, r13
        mov     r13, r12
        bts     r13, 9
        WRMSR_GP "msr-apic-base-bit9-gp", IA32_APIC_BASE, r13
        mov     r13, r12
        bts     r13, 63
        WRMSR_GP "msr-apic-base-bit63-gp", IA32_APIC_BASE, r13

        ; non-canonical addresses: #GP, whether the MSR exits or not
        WRMSR_GP "msr-sysenter-esp-noncanonical-gp", IA32_SYSENTER_ESP, NON_CANONICAL
        WRMSR_GP "msr-sysenter-eip-noncanonical-gp", IA32_SYSENTER_EIP, NON_CANONICAL
        WRMSR_GP "msr-fs-base-noncanonical-gp", IA32_FS_BASE, NON_CANONICAL
        WRMSR_GP "msr-gs-base-noncanonical-gp", IA32_GS_BASE, NON_CANONICAL
        WRMSR_GP "msr-kernel-gs-base-noncanonical-gp", IA32_KERNEL_GS_BASE, NON_CANONICAL
        WRMSR_GP "msr-lstar-noncanonical-gp", IA32_LSTAR, NON_CANONICAL
        WRMSR_GP "msr-cstar-noncanonical-gp", IA32_CSTAR, NON_CANONICAL

        ; IA32_XSS exists exactly when CPUID offers XSAVES
        ; (CPUID.(0DH,1):EAX bit 3); no supervisor state is offered, so it
        ; holds 0 and only 0
        mov     eax, 0xD
        mov     ecx, 1
        cpuid
        mov     r14d, eax
        and     r14d, 1 << 3            ; r14 = XSAVES offered
        mov     ecx, IA32_XSS
        mov     eax, 0xffffffff
        mov     edx, eax
        TRY
        rdmsr
        ENDTRY
        test    r14d, r14d
        jz      .no_xsaves
        IF_FAULT_FAIL "msr-xss-read", .xss_write
        shl     rdx, 32
        or      rax, rdx
        mov     r12, rax
        CHECK_EQ "msr-xss-read", r12, 0
.xss_write:
        mov     ecx, IA32_XSS
        xor     eax, eax
        xor     edx, edx
        TRY
        wrmsr
        ENDTRY
        CHECK_NO_FAULT "msr-xss-write-zero"
        jmp     .xss_done
.no_xsaves:
        CHECK_FAULT "msr-xss-read", 13
        WRMSR_GP "msr-xss-write-zero", IA32_XSS, 0
.xss_done:
        ; bit 8 (PT state), not offered: #GP
        WRMSR_GP "msr-xss-write-pt-gp", IA32_XSS, 1 << 8

        EXIT

section .data
        align   8, db 0
pat_saved:      dq 0
fc_saved:       dq 0x1                  ; locked, if the read failed
apic_base:      dq 0
section .text
