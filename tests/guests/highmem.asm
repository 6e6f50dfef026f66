; highmem.asm - RAM on both sides of the MMIO hole (docs/guest-start.md,
; "Guest memory"). Run with memory = 4200M and devices = testdev: RAM is
; 0-0xbfffffff and 0x100000000-0x1467fffff.
;
; Maps 4-6 GiB with page tables of its own (2 MiB pages), writes an
; address-dependent pattern at the edges of both RAM ranges (so that an
; alias of one range onto the other, or onto nothing, shows), reads it all
; back, has Shale read a line from RAM above 4 GiB, finds the test device
; still answering in the hole, and last reads the start of the hole, which
; is neither RAM nor a device: Shale must stop it there.
        bits 64
        org 0x100000
%include "lib.inc"

%define GIB             0x40000000
%define RAM_SIZE        4200 * 0x100000
%define LOW_TOP         3 * GIB                 ; RAM below the hole ends here
%define HIGH_BASE       4 * GIB
%define HIGH_END        (HIGH_BASE + RAM_SIZE - LOW_TOP)
%define PDPT            0x3000                  ; Shale's start-up PDPT
%define PD_HIGH         0x200000                ; two PDs of ours: 4-5G, 5-6G
%define BLOCK           0x200000                ; bytes patterned per edge
%define MAGIC           0x5ca1ab1e00000000

_start:
        LIB_INIT
        mov     r14, rsi                        ; RAM below 4 GiB
        mov     rax, [rel lib_ram_size]
        CHECK_EQ "highmem-rdi-all-ram", rax, RAM_SIZE
        CHECK_EQ "highmem-rsi-low-ram", r14, LOW_TOP

        ; --- map 4-6 GiB: PDPT[4], PDPT[5] -> two PDs of 2 MiB pages
        mov     rdi, PD_HIGH
        mov     rax, HIGH_BASE | 0x83           ; P, RW, PS
        mov     ecx, 1024
.pde:   mov     [rdi], rax
        add     rax, 0x200000
        add     rdi, 8
        dec     ecx
        jnz     .pde
        mov     qword [PDPT + 4 * 8], PD_HIGH | 3
        mov     qword [PDPT + 5 * 8], (PD_HIGH + 0x1000) | 3
        mov     rax, cr3
        mov     cr3, rax

        ; --- write every edge, then read every edge
        mov     r12, 0
        call    all_edges
        mov     r12, 1
        call    all_edges
        CHECK_EQ "highmem-pattern-errors", r13, 0

        ; --- Shale reads guest-physical RAM above 4 GiB (hypercall buffer)
        mov     rdi, HIGH_BASE + 0x1000
        lea     rsi, [rel line]
        mov     ecx, line_len
        rep movsb
        mov     rdi, HIGH_BASE + 0x1000
        mov     esi, line_len
        call    hc_write
        CHECK_EQ "highmem-console-from-high-ram", rax, line_len
        ; a buffer that runs from low RAM into the hole, from high RAM
        ; past its end: neither is all RAM
        mov     rdi, LOW_TOP - 8
        mov     esi, 16
        call    hc_write
        CHECK_EQ "highmem-console-into-hole", rax, SHALE_EFAULT
        mov     rdi, HIGH_END - 8
        mov     esi, 16
        call    hc_write
        CHECK_EQ "highmem-console-past-end", rax, SHALE_EFAULT

        ; --- the test device's page in the hole still exits to Shale
        mov     ebx, TESTDEV_MMIO
        mov     eax, [rbx + TESTDEV_MMIO_ID]
        CHECK_EQ "highmem-testdev-id", rax, TESTDEV_ID
        mov     rax, 0x1122334455667788
        mov     [rbx + TESTDEV_MMIO_SCRATCH], rax
        mov     rcx, [rbx + TESTDEV_MMIO_SCRATCH]
        CHECK_EQ "highmem-testdev-scratch", rcx, rax

        ; --- the hole is not RAM: this read stops the guest
        PASS    "highmem-reading-hole"
        mov     ebx, LOW_TOP
        mov     rax, [rbx]
        FAIL    "highmem-hole-not-stopped", "read of 0xc0000000 returned"
        EXIT_STATUS 1

; all_edges: R12 = 0 writes, 1 checks (R13 += mismatching qwords) the
; pattern in the first and last BLOCK of each RAM range and across the
; 5 GiB line, where the guest's own page tables change PD.
all_edges:
        xor     r13d, r13d
        mov     rdi, 0x400000                   ; low RAM, above the image
        call    edge
        mov     rdi, LOW_TOP - BLOCK
        call    edge
        mov     rdi, HIGH_BASE
        call    edge
        mov     rdi, HIGH_BASE + GIB - BLOCK / 2
        call    edge
        mov     rdi, HIGH_END - BLOCK
        call    edge
        ret

; edge: RDI = start of a BLOCK; each qword holds MAGIC ^ its address.
edge:
        mov     rcx, BLOCK / 8
        mov     rdx, MAGIC
.next:  mov     rax, rdi
        xor     rax, rdx
        test    r12, r12
        jnz     .check
        mov     [rdi], rax
        jmp     .step
.check: cmp     [rdi], rax
        je      .step
        inc     r13
.step:  add     rdi, 8
        dec     rcx
        jnz     .next
        ret

line:   db "highmem: this line was read from guest-physical 0x100001000", 10
line_len equ $ - line
