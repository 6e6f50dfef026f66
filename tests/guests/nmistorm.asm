; nmistorm.asm - NMIs, INITs and SIPIs as fast as a guest can send them,
; beside the canary (devices = pc, testdev). First STORM_ROUNDS rounds of
; ICR writes: an NMI to its own APIC ID, with the "self" shorthand and to
; the physical broadcast ID (three that name it), INIT and SIPI with the
; "self" shorthand, INIT, SIPI and NMI to an APIC ID nobody has and to "all
; excluding self" (nobody else is there): exactly three NMIs per round
; must come in. Then PIT channel 0 at its fastest period drives I/O APIC
; pin 2 in NMI mode until PIT_NMIS NMIs have come (within a TSC bound);
; masked again, the pin sends no more.
        bits 64
        org 0x100000
%include "lib.inc"

%define LAPIC           0xfee00000
%define IOAPIC          0xfec00000
%define LAPIC_ID        0x20
%define ICR_LO          0x300
%define ICR_HI          0x310
%define DM_NMI          (4 << 8)
%define DM_INIT         (5 << 8)
%define DM_SIPI         (6 << 8)
%define ASSERT          (1 << 14)
%define SH_SELF         (1 << 18)
%define SH_OTHERS       (3 << 18)
%define NOBODY          (0x55 << 24)
%define BROADCAST       (0xff << 24)
%define STORM_ROUNDS    5000
%define PIT_NMIS        20000
%define PIT_TICKS_MAX   1500000000      ; TSC bound on the PIT phase
%define TESTDEV_ID      0x5004

; ICR high, low
%macro ICR 2
        mov     dword [r15 + ICR_HI], %1
        mov     dword [r15 + ICR_LO], %2
%endmacro

_start:
        LIB_INIT
        SET_HANDLER 2, nmi_handler
        cli
        PASS    "nmistorm-started"
        mov     r15, LAPIC
        mov     r14, IOAPIC
        mov     ebx, [r15 + LAPIC_ID]
        xor     r13d, r13d              ; NMIs taken
        xor     r12d, r12d
.round:
        ICR     ebx, DM_NMI
        ICR     0, DM_NMI | SH_SELF
        ICR     BROADCAST, DM_NMI
        ICR     0, DM_INIT | ASSERT | SH_SELF
        ICR     0, DM_SIPI | 0x10 | SH_SELF
        ICR     NOBODY, DM_INIT | ASSERT
        ICR     NOBODY, DM_SIPI | 0x10
        ICR     NOBODY, DM_NMI
        ICR     0, DM_INIT | ASSERT | SH_OTHERS
        ICR     0, DM_SIPI | 0x10 | SH_OTHERS
        ICR     0, DM_NMI | SH_OTHERS
        inc     r12d
        cmp     r12d, STORM_ROUNDS
        jb      .round
        call    settle
        CHECK_EQ "nmistorm-icr-nmis", r13, 3 * STORM_ROUNDS

        ; --- the PIT's fastest period (count 2) as NMIs
        mov     al, 0xff
        out     0x21, al
        out     0xa1, al
        mov     dword [r14], 0x15
        mov     [r14 + 0x10], ebx       ; destination: its own APIC ID
        mov     dword [r14], 0x14
        mov     dword [r14 + 0x10], DM_NMI | 2
        xor     r13d, r13d
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        mov     r12, rax                ; start
        mov     al, 0x34                ; channel 0, lo/hi, mode 2
        out     0x43, al
        mov     al, 2
        out     0x40, al
        xor     eax, eax
        out     0x40, al
.pit:
        cmp     r13, PIT_NMIS
        jae     .pit_done
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        sub     rax, r12
        cmp     rax, PIT_TICKS_MAX
        jb      .pit
.pit_done:
        CHECK_GE "nmistorm-pit-nmis", r13, PIT_NMIS
        mov     dword [r14], 0x14
        mov     dword [r14 + 0x10], (1 << 16) | DM_NMI | 2 ; masked
        call    settle                  ; an NMI latched before the mask may land
        mov     r12, r13
        call    settle
        CHECK_EQ "nmistorm-masked-quiet", r13, r12
        EXIT

; 2000 port reads: exits and entries in which a latched NMI comes in.
settle:
        mov     ecx, 2000
        mov     dx, TESTDEV_ID
.loop:
        in      eax, dx
        dec     ecx
        jnz     .loop
        ret

nmi_handler:
        inc     r13
        iretq
