; msr.asm - RDMSR/WRMSR: allowed MSRs work, the rest raise #GP.
        bits 64
        org 0x100000
%include "lib.inc"

%define IA32_FEATURE_CONTROL    0x3A
%define IA32_PAT                0x277
%define IA32_EFER               0xC0000080
%define AMD_HWCR                0xC0010015      ; never on Shale's allow list
%define PAT_TEST_VALUE          0x0007010600070106

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

        EXIT

section .data
        align   8, db 0
pat_saved:      dq 0
fc_saved:       dq 0x1                  ; locked, if the read failed
section .text
