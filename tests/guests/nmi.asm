; nmi.asm - NMIs end to end, in a flat guest with the PC devices
; (devices = pc, testdev): CPUID shows the local APIC, the RSDP is where a
; PC has it; NMIs sent through the local APIC's ICR (by destination, by
; logical destination, with the "self" shorthand) reach vector 2 once each,
; with RFLAGS.IF = 0; one sent to another APIC ID or to "all excluding
; self" does not; two sent from inside the NMI handler wait for its IRET
; and then come as one (SDM Vol. 3A, "NMI Handling"); an NMI from the PIT
; through an I/O APIC pin in NMI delivery mode ends a HLT with IF = 0.
        bits 64
        org 0x100000
%include "lib.inc"

%define LAPIC           0xfee00000
%define LAPIC_ID        0x20
%define LAPIC_LDR       0xd0
%define LAPIC_DFR       0xe0
%define LAPIC_ICR_LO    0x300
%define LAPIC_ICR_HI    0x310
%define LAPIC_LINT1     0x360
%define ICR_NMI         (4 << 8)
%define ICR_LOGICAL     (1 << 11)
%define ICR_SELF        (1 << 18)
%define ICR_OTHERS      (3 << 18)
%define IOAPIC          0xfec00000
%define TESTDEV_ID      0x5004
%define WAIT_LOOPS      20000           ; exits Shale gets to deliver an NMI

_start:
        LIB_INIT
        SET_HANDLER 2, nmi_handler
        cli
        mov     eax, 1
        cpuid
        CHECK_BIT "nmi-cpuid-apic", rdx, 9, 1
        mov     r15, LAPIC              ; (absolute addresses above 2 GiB
        mov     r14, IOAPIC             ; do not fit a 32-bit displacement)
        call    find_rsdp
        CHECK_EQ "nmi-rsdp", rax, 0xe0000
        mov     eax, [r15 + LAPIC_LINT1]
        and     eax, 0x1ffff            ; mask, trigger, delivery mode
        CHECK_EQ "nmi-lint1-is-nmi", rax, ICR_NMI

        ; --- by destination: our own APIC ID, physical
        mov     eax, [r15 + LAPIC_ID]
        mov     [rel own_id], eax
        mov     esi, [rel own_id]
        mov     edi, ICR_NMI
        call    send_and_wait
        CHECK_EQ "nmi-dest-once", rax, 1
        mov     rax, [rel nmi_rip]
        CHECK_EQ "nmi-dest-rip", rax, [rel sent_rip]

        ; --- by logical destination (flat model, LDR bit 0)
        mov     dword [r15 + LAPIC_DFR], 0xffffffff
        mov     dword [r15 + LAPIC_LDR], 1 << 24
        mov     esi, 1 << 24
        mov     edi, ICR_NMI | ICR_LOGICAL
        call    send_and_wait
        CHECK_EQ "nmi-logical-once", rax, 1

        ; --- the "self" shorthand (the SDM calls NMI with it invalid;
        ; Shale delivers it, docs/devices.md)
        xor     esi, esi
        mov     edi, ICR_NMI | ICR_SELF
        call    send_and_wait
        CHECK_EQ "nmi-self-once", rax, 1

        ; --- not for us: another APIC ID, "all excluding self"
        mov     esi, [rel own_id]
        add     esi, 5 << 24
        mov     edi, ICR_NMI
        call    send_and_wait
        CHECK_EQ "nmi-other-id-none", rax, 0
        xor     esi, esi
        mov     edi, ICR_NMI | ICR_OTHERS
        call    send_and_wait
        CHECK_EQ "nmi-others-none", rax, 0

        ; --- two more NMIs sent inside the handler: held until its IRET,
        ; then one
        mov     byte [rel nest], 1
        mov     esi, [rel own_id]
        mov     edi, ICR_NMI
        call    send_and_wait
        CHECK_EQ "nmi-held-then-once", rax, 2
        mov     rax, [rel inside]
        CHECK_EQ "nmi-held-in-handler", rax, 1
        mov     rax, [rel max_depth]
        CHECK_EQ "nmi-not-nested", rax, 1

        ; --- HLT with IF = 0, ended by an NMI from the PIT via the I/O APIC
        call    hlt_nmi
        EXIT

; Send ICR = EDI (low), ESI (high) and give Shale WAIT_LOOPS exits to
; deliver; RAX = the NMIs taken meanwhile.
send_and_wait:
        mov     r12, [rel count]
        mov     [r15 + LAPIC_ICR_HI], esi
        lea     rax, [rel .sent]
        mov     [rel sent_rip], rax
        mov     [r15 + LAPIC_ICR_LO], edi
.sent:
        call    settle
        mov     rax, [rel count]
        sub     rax, r12
        ret

; WAIT_LOOPS port reads, each an exit and an entry that could inject.
settle:
        push    rcx
        push    rdx
        push    rax
        mov     ecx, WAIT_LOOPS
        mov     dx, TESTDEV_ID
.loop:
        in      eax, dx
        dec     ecx
        jnz     .loop
        pop     rax
        pop     rdx
        pop     rcx
        ret

; RAX = the 16-byte aligned address of "RSD PTR " in 0xE0000-0xFFFFF, or 0.
find_rsdp:
        mov     rax, 0xe0000
        mov     rdx, 'RSD PTR '
.next:
        cmp     [rax], rdx
        je      .done
        add     rax, 16
        cmp     rax, 0x100000
        jb      .next
        xor     eax, eax
.done:
        ret

; PIT channel 0 in mode 0 raises IRQ 0 once, on I/O APIC pin 2, which
; sends an NMI; the guest waits in HLT with IF = 0 and must wake.
hlt_nmi:
        mov     al, 0xff
        out     0x21, al                ; the 8259 stays out of it
        out     0xa1, al
        mov     dword [r14], 0x15    ; pin 2, high: destination
        mov     eax, [rel own_id]
        mov     [r14 + 0x10], eax
        mov     dword [r14], 0x14    ; pin 2, low: NMI, edge, unmasked
        mov     dword [r14 + 0x10], ICR_NMI | 2
        mov     r12, [rel count]
        mov     al, 0x30                ; channel 0, lo/hi byte, mode 0
        out     0x43, al
        mov     al, 0x00
        out     0x40, al
        mov     al, 0x10                ; 0x1000 PIT ticks, about 3.4 ms
        out     0x40, al
        hlt
.woke:
        mov     rax, [rel count]
        sub     rax, r12
        CHECK_EQ "nmi-hlt-woken", rax, 1
        mov     rax, [rel nmi_rip]
        lea     rdx, [rel .woke]
        CHECK_EQ "nmi-hlt-rip", rax, rdx
        call    settle
        mov     rax, [rel count]
        sub     rax, r12
        CHECK_EQ "nmi-pit-once", rax, 1
        mov     dword [r14], 0x14
        mov     dword [r14 + 0x10], 1 << 16 ; masked again
        ret

; Vector 2. Counts, records where it interrupted and how deep it is; with
; `nest` set it sends two NMIs itself and gives Shale many exits in which
; it must not deliver them.
nmi_handler:
        push    rax
        inc     qword [rel count]
        inc     qword [rel depth]
        mov     rax, [rel depth]
        cmp     rax, [rel max_depth]
        jbe     .depth_ok
        mov     [rel max_depth], rax
.depth_ok:
        mov     rax, [rsp + 8]
        mov     [rel nmi_rip], rax
        cmp     byte [rel nest], 0
        je      .out
        mov     byte [rel nest], 0
        push    rsi
        push    rdi
        push    r12
        mov     esi, [rel own_id]
        mov     edi, ICR_NMI
        mov     [r15 + LAPIC_ICR_HI], esi
        mov     [r15 + LAPIC_ICR_LO], edi
        mov     [r15 + LAPIC_ICR_LO], edi
        call    settle
        mov     rax, [rel count]
        sub     rax, r12                ; send_and_wait's count before
        mov     [rel inside], rax
        pop     r12
        pop     rdi
        pop     rsi
.out:
        dec     qword [rel depth]
        pop     rax
        iretq

        align   8
count:          dq 0
depth:          dq 0
max_depth:      dq 0
inside:         dq 0
nmi_rip:        dq 0
sent_rip:       dq 0
own_id:         dd 0
nest:           db 0
