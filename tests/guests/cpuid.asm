; cpuid.asm - CPUID as Shale presents it to a guest.
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT

        ; leaf 1: hypervisor-present bit set, VMX hidden
        mov     eax, 1
        xor     ecx, ecx
        cpuid
        mov     r12, rcx                ; zero-extended ECX
        CHECK_BIT "cpuid-hypervisor-bit", r12, 31, 1
        CHECK_BIT "cpuid-vmx-hidden", r12, 5, 0

        ; leaf 0x40000000: max hypervisor leaf and "ShaleVMM\0\0\0\0"
        mov     eax, 0x40000000
        xor     ecx, ecx
        cpuid
        mov     r12, rax
        mov     r13, rbx
        mov     r14, rcx
        mov     r15, rdx
        CHECK_GE "cpuid-hv-max-leaf", r12, 0x40000001
        CHECK_EQ "cpuid-signature-ebx", r13, 'Shal'
        CHECK_EQ "cpuid-signature-ecx", r14, 'eVMM'
        CHECK_EQ "cpuid-signature-edx", r15, 0

        ; leaf 0x40000001: version, nonzero
        mov     eax, 0x40000001
        xor     ecx, ecx
        cpuid
        mov     r12, rax
        CHECK_NE "cpuid-version", r12, 0

        ; leaf 0: max basic leaf >= 1, vendor string not all zero
        xor     eax, eax
        xor     ecx, ecx
        cpuid
        mov     r12, rax
        CHECK_GE "cpuid-max-basic-leaf", r12, 1
        or      ebx, ecx
        or      ebx, edx
        mov     r13, rbx
        CHECK_NE "cpuid-vendor", r13, 0

        EXIT
