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
        ; a flat guest has no local APIC model: no APIC, no x2APIC
        CHECK_BIT "cpuid-x2apic-hidden", r12, 21, 0
        mov     r12, rdx
        CHECK_BIT "cpuid-apic-hidden-flat", r12, 9, 0

        ; leaf 0xA: no performance monitoring (RDPMC is #GP)
        mov     eax, 0xA
        xor     ecx, ecx
        cpuid
        movzx   r12, al
        CHECK_EQ "cpuid-pmu-version-0", r12, 0

        ; leaf (0xD, 1): no supervisor state (IA32_XSS holds 0 only)
        mov     eax, 0xD
        mov     ecx, 1
        cpuid
        mov     r12, rcx
        or      r12, rdx
        CHECK_EQ "cpuid-xss-states-none", r12, 0

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
