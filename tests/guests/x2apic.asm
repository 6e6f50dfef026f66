; x2apic.asm - the local APIC in x2APIC mode (vcpus = 2, devices = pc).
; vCPU 0 checks what CPUID and IA32_APIC_BASE say, the mode transitions
; the SDM allows and the ones it answers with #GP (Vol. 3A, 11.12.5), the
; registers as MSRs (11.12.1), a self-IPI, and EOI by MSR. It then starts
; vCPU 1 with INIT and start-up IPIs through the 64-bit ICR MSR; vCPU 1,
; in real mode, switches its own APIC to x2APIC mode and answers with an
; IPI. vCPU 0 then reaches vCPU 1 by physical ID, by logical (cluster)
; destination and by the "all excluding self" shorthand, and sends to an
; x2APIC ID nobody has, which must reach no one.
        bits 64
        org 0x100000
%include "lib.inc"

%define IA32_APIC_BASE  0x1b
%define X2_ID           0x802
%define X2_VERSION      0x803
%define X2_TPR          0x808
%define X2_EOI          0x80b
%define X2_LDR          0x80d
%define X2_SVR          0x80f
%define X2_ISR2         0x812           ; ISR bits 95:64 (vector 0x40)
%define X2_ICR          0x830
%define X2_SELF_IPI     0x83f
%define BASE_BSP        0x100
%define BASE_EXTD       0x400
%define BASE_EN         0x800
%define XAPIC_SVR       0xfee000f0
%define DM_FIXED        (0 << 8)
%define DM_INIT         (5 << 8)
%define DM_SIPI         (6 << 8)
%define LOGICAL         (1 << 11)
%define ASSERT          (1 << 14)
%define SH_OTHERS       (3 << 18)
%define STUB            0x8000          ; SIPI vector 8
%define AP_READY        0x9000          ; vCPU 1 is in x2APIC mode
%define AP_GOT          0x9004          ; vector 0x42s vCPU 1 took
%define WAIT_TICKS      200000000       ; 1 s at Bochs' 200 MHz

; WRMSR_IMM msr, value64
%macro WRMSR_IMM 2
        mov     ecx, %1
        mov     rax, %2
        mov     rdx, rax
        shr     rdx, 32
        wrmsr
%endmacro

; RDMSR64 msr -> rax
%macro RDMSR64 1
        mov     ecx, %1
        rdmsr
        shl     rdx, 32
        or      rax, rdx
%endmacro

; WAIT_DWORD addr, value, "name": until dword [addr] >= value, or FAIL.
%macro WAIT_DWORD 3
        mov     r9d, %2
        mov     r10, %1
        call    wait_dword
        test    eax, eax
        jnz     %%ok
        FAIL    %3, "timed out"
%%ok:
%endmacro

_start:
        LIB_INIT
        cli
        SET_HANDLER 0x40, self_ipi
        SET_HANDLER 0x41, from_ap

        mov     eax, 1
        cpuid
        CHECK_BIT "x2apic-cpuid", rcx, 21, 1

        RDMSR64 IA32_APIC_BASE
        CHECK_EQ "x2apic-base-reset", rax, 0xfee00000 | BASE_EN | BASE_BSP

        ; xAPIC mode: the x2APIC MSRs do not exist.
        TRY
        RDMSR64 X2_ID
        ENDTRY
        CHECK_FAULT "x2apic-msr-in-xapic-mode", 13
        ; EN = 0 with EXTD = 1 is the invalid state.
        TRY
        WRMSR_IMM IA32_APIC_BASE, 0xfee00000 | BASE_EXTD | BASE_BSP
        ENDTRY
        CHECK_FAULT "x2apic-invalid-state", 13

        ; xAPIC -> x2APIC.
        TRY
        WRMSR_IMM IA32_APIC_BASE, 0xfee00000 | BASE_EN | BASE_EXTD | BASE_BSP
        ENDTRY
        CHECK_NO_FAULT "x2apic-enter"
        RDMSR64 IA32_APIC_BASE
        CHECK_EQ "x2apic-base-x2", rax, 0xfee00000 | BASE_EN | BASE_EXTD | BASE_BSP
        RDMSR64 X2_ID
        CHECK_EQ "x2apic-id", rax, 0
        RDMSR64 X2_LDR
        CHECK_EQ "x2apic-ldr", rax, 1          ; cluster 0, member bit 0
        RDMSR64 X2_VERSION
        and     eax, 0xff
        CHECK_NE "x2apic-version", rax, 0
        ; x2APIC -> xAPIC directly is not a transition.
        TRY
        WRMSR_IMM IA32_APIC_BASE, 0xfee00000 | BASE_EN | BASE_BSP
        ENDTRY
        CHECK_FAULT "x2apic-to-xapic", 13
        ; The LDR is read-only, EOI write-only and takes only 0.
        TRY
        WRMSR_IMM X2_LDR, 2
        ENDTRY
        CHECK_FAULT "x2apic-ldr-write", 13
        TRY
        RDMSR64 X2_EOI
        ENDTRY
        CHECK_FAULT "x2apic-eoi-read", 13
        TRY
        WRMSR_IMM X2_EOI, 1
        ENDTRY
        CHECK_FAULT "x2apic-eoi-nonzero", 13

        ; A self-IPI, taken and retired by an EOI written as an MSR.
        WRMSR_IMM X2_SVR, 0x1ff
        WRMSR_IMM X2_TPR, 0
        WRMSR_IMM X2_SELF_IPI, 0x40
        sti
        WAIT_DWORD got_self, 1, "x2apic-self-ipi"
        cli
        mov     eax, [rel got_self]
        CHECK_EQ "x2apic-self-ipi", rax, 1
        RDMSR64 X2_ISR2
        CHECK_EQ "x2apic-eoi-retired", rax, 0

        ; vCPU 1: INIT and start-up IPI through the 64-bit ICR.
        lea     rsi, [rel stub]
        mov     edi, STUB
        mov     ecx, stub_end - stub
        rep movsb
        mov     word [0x42 * 4], ap_vec42 - stub        ; real-mode IVT
        mov     word [0x42 * 4 + 2], STUB >> 4
        mov     dword [AP_READY], 0
        mov     dword [AP_GOT], 0
        WRMSR_IMM X2_ICR, (1 << 32) | DM_INIT | ASSERT
        WRMSR_IMM X2_ICR, (1 << 32) | DM_SIPI | (STUB >> 12)
        sti
        WAIT_DWORD AP_READY, 1, "x2apic-ap-started"
        WAIT_DWORD got_ap, 1, "x2apic-ap-ipi"
        mov     eax, [rel got_ap]
        CHECK_EQ "x2apic-ap-ipi", rax, 1

        ; To vCPU 1 by physical x2APIC ID, by cluster 0 member bit 1, and
        ; by shorthand; then to x2APIC ID 0x55, which nobody has.
        WRMSR_IMM X2_ICR, (1 << 32) | DM_FIXED | 0x42
        WAIT_DWORD AP_GOT, 1, "x2apic-physical"
        WRMSR_IMM X2_ICR, (2 << 32) | LOGICAL | DM_FIXED | 0x42
        WAIT_DWORD AP_GOT, 2, "x2apic-logical"
        WRMSR_IMM X2_ICR, SH_OTHERS | DM_FIXED | 0x42
        WAIT_DWORD AP_GOT, 3, "x2apic-others"
        WRMSR_IMM X2_ICR, (0x55 << 32) | DM_FIXED | 0x42
        ; Cluster 1 has no member: vCPU 1 is in cluster 0.
        WRMSR_IMM X2_ICR, (0x10002 << 32) | LOGICAL | DM_FIXED | 0x42
        mov     r9d, 4                  ; a fourth must not come
        mov     r10, AP_GOT
        call    wait_dword
        CHECK_EQ "x2apic-nobody", rax, 0
        mov     eax, [AP_GOT]
        CHECK_EQ "x2apic-ipis", rax, 3
        cli

        ; x2APIC -> disabled -> xAPIC: the registers come back reset, and
        ; the MSRs are gone again.
        TRY
        WRMSR_IMM IA32_APIC_BASE, 0xfee00000 | BASE_BSP
        WRMSR_IMM IA32_APIC_BASE, 0xfee00000 | BASE_EN | BASE_BSP
        ENDTRY
        CHECK_NO_FAULT "x2apic-leave"
        mov     rbx, XAPIC_SVR
        mov     eax, [rbx]
        CHECK_EQ "x2apic-reset-by-disable", rax, 0xff
        TRY
        RDMSR64 X2_ID
        ENDTRY
        CHECK_FAULT "x2apic-msr-after-leave", 13
        ; disabled -> x2APIC directly is not a transition either.
        WRMSR_IMM IA32_APIC_BASE, 0xfee00000 | BASE_BSP
        TRY
        WRMSR_IMM IA32_APIC_BASE, 0xfee00000 | BASE_EN | BASE_EXTD | BASE_BSP
        ENDTRY
        CHECK_FAULT "x2apic-from-disabled", 13
        WRMSR_IMM IA32_APIC_BASE, 0xfee00000 | BASE_EN | BASE_BSP
        EXIT

; eax = 1 once dword [r10] >= r9d, 0 after WAIT_TICKS. Interrupts as the
; caller has them.
wait_dword:
        push    r8
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        mov     r8, rax
.loop:
        cmp     [r10], r9d
        jae     .yes
        pause
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        sub     rax, r8
        cmp     rax, WAIT_TICKS
        jb      .loop
        xor     eax, eax
        pop     r8
        ret
.yes:
        mov     eax, 1
        pop     r8
        ret

self_ipi:
        lock inc dword [rel got_self]
        jmp     eoi_iret
from_ap:
        lock inc dword [rel got_ap]
eoi_iret:
        push    rax
        push    rcx
        push    rdx
        mov     ecx, X2_EOI
        xor     eax, eax
        xor     edx, edx
        wrmsr
        pop     rdx
        pop     rcx
        pop     rax
        iretq

; vCPU 1, in real mode at CS = 0x800, IP = 0: its APIC into x2APIC mode,
; then an IPI to vCPU 0, then halts taking vector 0x42.
        bits 16
stub:
        xor     ax, ax
        mov     ds, ax
        mov     ss, ax
        mov     sp, 0x7000
        mov     ecx, IA32_APIC_BASE
        rdmsr
        or      eax, BASE_EXTD
        wrmsr
        mov     ecx, X2_SVR
        mov     eax, 0x1ff
        xor     edx, edx
        wrmsr
        mov     ecx, X2_ICR
        mov     eax, DM_FIXED | 0x41
        xor     edx, edx                ; x2APIC ID 0
        wrmsr
        mov     dword [AP_READY], 1
.halt:
        sti
        hlt
        jmp     .halt
ap_vec42:
        push    eax
        push    ecx
        push    edx
        lock inc dword [AP_GOT]
        mov     ecx, X2_EOI
        xor     eax, eax
        xor     edx, edx
        wrmsr
        pop     edx
        pop     ecx
        pop     eax
        iret
stub_end:
        bits 64

        section .data
got_self:       dd 0
got_ap:         dd 0
