; ipistorm.asm - a guest with two vCPUs (vcpus = 2, devices = pc) whose
; vCPU 0 starts vCPU 1 again and again and then floods it, and APIC IDs
; nobody has, with IPIs. First SIPI_ROUNDS rounds of INIT + start-up IPI
; to APIC ID 1: each start runs a real-mode stub at 0x8000 that counts
; itself at 0x9000 and halts; every round must count exactly once. Then
; STORM_ROUNDS rounds of fixed, NMI, INIT and start-up IPIs to vCPU 1, to
; "all excluding self" and to an APIC ID nobody has. The guest must come
; out of it alive, and the canary beside it keep its share of the CPU.
        bits 64
        org 0x100000
%include "lib.inc"

%define LAPIC           0xfee00000
%define ICR_LO          0x300
%define ICR_HI          0x310
%define DM_FIXED        (0 << 8)
%define DM_NMI          (4 << 8)
%define DM_INIT         (5 << 8)
%define DM_SIPI         (6 << 8)
%define ASSERT          (1 << 14)
%define SH_OTHERS       (3 << 18)
%define SIBLING         (1 << 24)
%define NOBODY          (0x55 << 24)
%define STUB            0x8000          ; SIPI vector 8
%define COUNTER         0x9000
%define SIPI_ROUNDS     40
%define STORM_ROUNDS    3000
%define WAIT_TICKS      200000000       ; 1 s at Bochs' 200 MHz, per start

%macro ICR 2
        mov     dword [r15 + ICR_HI], %1
        mov     dword [r15 + ICR_LO], %2
%endmacro

_start:
        LIB_INIT
        cli
        PASS    "ipistorm-started"
        ; The stub, and its NMI vector in the real-mode IVT (entry 2 at
        ; 0x8): an NMI while it halts returns to its HLT.
        lea     rsi, [rel stub]
        mov     edi, STUB
        mov     ecx, stub_end - stub
        rep movsb
        mov     word [0x8], nmi_iret - stub     ; offset
        mov     word [0xa], STUB >> 4           ; segment
        mov     dword [COUNTER], 0
        mov     r15, LAPIC
        xor     r12d, r12d                      ; rounds
.start_round:
        ICR     SIBLING, DM_INIT | ASSERT
        ICR     SIBLING, DM_SIPI | (STUB >> 12)
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        mov     r8, rax
.wait:
        mov     eax, [COUNTER]
        cmp     eax, r12d
        ja      .started
        pause
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        sub     rax, r8
        cmp     rax, WAIT_TICKS
        jb      .wait
        FAIL    "ipistorm-sipi", "vCPU 1 did not start within a second"
        jmp     .storm
.started:
        inc     r12d
        cmp     r12d, SIPI_ROUNDS
        jb      .start_round
        mov     eax, [COUNTER]
        CHECK_EQ "ipistorm-sipis", rax, SIPI_ROUNDS

.storm:
        xor     r12d, r12d
.storm_round:
        ICR     SIBLING, DM_FIXED | 0x40
        ICR     SIBLING, DM_NMI
        ICR     0, DM_FIXED | 0x41 | SH_OTHERS
        ICR     0, DM_NMI | SH_OTHERS
        ICR     NOBODY, DM_FIXED | 0x42
        ICR     NOBODY, DM_NMI
        ICR     NOBODY, DM_INIT | ASSERT
        ICR     NOBODY, DM_SIPI | (STUB >> 12)
        test    r12d, 63
        jnz     .next
        ICR     SIBLING, DM_INIT | ASSERT
        ICR     SIBLING, DM_SIPI | (STUB >> 12)
.next:
        inc     r12d
        cmp     r12d, STORM_ROUNDS
        jb      .storm_round
        PASS    "ipistorm-survived"
        EXIT

; The real-mode stub vCPU 1 runs at each start (CS = 0x800, IP = 0).
        bits 16
stub:
        xor     ax, ax
        mov     ds, ax
        lock inc dword [COUNTER]
.halt:
        cli
        hlt
        jmp     .halt
nmi_iret:
        iret
stub_end:
        bits 64
