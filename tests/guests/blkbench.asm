; blkbench.asm - VM exits and ticks per request of virtio-blk reads and
; writes, 4 KiB and 64 KiB a request, with INTx and with MSI-X
; (devices = pc, disk = FILE, rw as vda; the image at least 1 MiB).
; Each way moves 1 MiB: 256 requests of 4 KiB or 16 of 64 KiB, each a
; chain of a header, the data in 4 KiB buffers (size_max is 8 KiB) and
; the status byte, made available and notified; the device serves it
; during the notification's exit. With INTx the driver then reads the
; ISR, as an interrupt handler does (an MMIO read exit); with MSI-X it
; opens a one-instruction interrupt window (STI; NOP; CLI) and its handler
; writes the local APIC's EOI (virtualized with APIC virtualization).
; Shale counts the exits (SHALE_HC_STAT 1; the counting calls subtracted);
; ticks are RDTSC deltas, in Bochs instructions of the guest and Shale.
; Prints "BENCH blk-<way> <exits> <ticks> <bytes> <requests>" per way.
        bits 64
        org 0x100000
%include "lib.inc"
%include "virtio.inc"

BAR             equ 0xc0004000  ; vda's BAR0 (docs/devices.md); RBX holds it
ISR             equ 0x100
NOTIFY          equ 0x300       ; queue 0
DESC            equ 0x200000
AVAIL           equ 0x201000
USED            equ 0x202000
HDR             equ 0x203000
ST              equ 0x204000
BUF             equ 0x300000    ; 64 KiB
QSIZE           equ 32
TOTAL           equ 1 << 20
MSIX_VECTOR     equ 0x41

T_IN            equ 0
T_OUT           equ 1
F_NEXT          equ 1
F_WRITE         equ 2

%macro EXITS 0
        mov     edi, 1
        HYPERCALL SHALE_HC_STAT
%endmacro

; WAY 'name', type, data flags, bytes a request, after-routine
%macro WAY 5
        EXITS
        mov     r13, rax
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        mov     r12, rax
        xor     r15d, r15d              ; sector
%%next:
        mov     eax, %2
        mov     rcx, r15
        mov     edx, %3
        mov     r8d, %4
        call    request
        call    %5
        cmp     byte [ST], 0
        jne     bad_status
        add     r15, %4 / 512
        cmp     r15, TOTAL / 512
        jb      %%next
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        sub     rax, r12
        mov     r12, rax
        EXITS
        sub     rax, r13
        sub     rax, r14
        mov     r13, rax
        call    lb_reset
        LB_STR  'BENCH blk-', %1, ' '
        mov     rax, r13
        call    lb_dec
        mov     al, ' '
        call    lb_char
        mov     rax, r12
        call    lb_dec
        mov     al, ' '
        call    lb_char
        mov     eax, TOTAL
        call    lb_dec
        mov     al, ' '
        call    lb_char
        mov     eax, TOTAL / %4
        call    lb_dec
        mov     al, 10
        call    lb_char
        call    lb_flush
%endmacro

_start:
        LIB_INIT
        cli
        mov     ebx, BAR
        mov     eax, 0x80002000         ; 00:04.0
        mov     dx, 0xcf8
        out     dx, eax
        mov     dx, 0xcfc
        in      eax, dx
        CHECK_EQ "blkbench-found", rax, 0x10421af4
        PCI_CFG_WRITE16 0x80002004, 6   ; memory space, bus master
        VIRTIO_START 0, QSIZE, DESC, AVAIL, USED
        movzx   eax, byte [rbx + 0x14]
        CHECK_EQ "blkbench-driver-ok", rax, 0xf

        ; What two EXITS in a row count: subtracted from each way.
        EXITS
        mov     r13, rax
        EXITS
        sub     rax, r13
        mov     r14, rax

        WAY     'write-4k', T_OUT, 0, 4096, isr_read
        WAY     'read-4k', T_IN, F_WRITE, 4096, isr_read
        WAY     'write-64k', T_OUT, 0, 65536, isr_read
        WAY     'read-64k', T_IN, F_WRITE, 65536, isr_read

        ; MSI-X: the local APIC on, vector 0 (the queue's) aimed at it.
        SET_HANDLER MSIX_VECTOR, msix_irq
        VIRTIO_MSIX_ON 0x80002000, 0, MSIX_VECTOR, 0, "blkbench-msix-vector"
        WAY     'msix-write-4k', T_OUT, 0, 4096, irq_window
        WAY     'msix-read-4k', T_IN, F_WRITE, 4096, irq_window
        WAY     'msix-write-64k', T_OUT, 0, 65536, irq_window
        WAY     'msix-read-64k', T_IN, F_WRITE, 65536, irq_window
        mov     rax, [msix_taken]
        CHECK_EQ "blkbench-msix-interrupts", rax, 2 * (TOTAL / 4096 + TOTAL / 65536)
        movzx   eax, word [USED + 2]
        CHECK_EQ "blkbench-all-served", rax, 4 * (TOTAL / 4096 + TOTAL / 65536)
        EXIT

bad_status:
        movzx   eax, byte [ST]
        FAIL_VAL "blkbench-status", "a request's status is not VIRTIO_BLK_S_OK:", rax
        EXIT

; request: EAX type, RCX sector, EDX the data's flags (F_WRITE or 0), R8D
; bytes (a multiple of 4096): descriptor 0 the header, 1.. the data, 4 KiB
; each, then the status; made available as head 0 and notified.
; Clobbers RAX, RCX, RDX, RDI, R8-R10.
request:
        mov     dword [HDR], eax
        mov     dword [HDR + 4], 0
        mov     [HDR + 8], rcx
        mov     byte [ST], 0xee
        mov     qword [DESC], HDR
        mov     dword [DESC + 8], 16
        mov     word [DESC + 12], F_NEXT
        mov     word [DESC + 14], 1
        or      edx, F_NEXT
        mov     r9d, 1
        mov     r10d, BUF
.seg:
        mov     rdi, r9
        shl     rdi, 4
        add     rdi, DESC
        mov     [rdi], r10
        mov     dword [rdi + 8], 4096
        mov     [rdi + 12], dx
        lea     eax, [r9 + 1]
        mov     [rdi + 14], ax
        add     r10, 4096
        inc     r9d
        sub     r8d, 4096
        jnz     .seg
        mov     rdi, r9
        shl     rdi, 4
        add     rdi, DESC
        mov     qword [rdi], ST
        mov     dword [rdi + 8], 1
        mov     word [rdi + 12], F_WRITE
        mov     word [rdi + 14], 0
        movzx   eax, word [AVAIL + 2]
        mov     ecx, eax
        and     ecx, QSIZE - 1
        mov     word [AVAIL + 4 + rcx * 2], 0
        inc     eax
        mov     [AVAIL + 2], ax
        mov     word [rbx + NOTIFY], 0
        ret

isr_read:
        movzx   eax, byte [rbx + ISR]
        ret

irq_window:
        sti
        nop
        cli
        ret

msix_irq:
        push    rax
        inc     qword [msix_taken]
        mov     eax, LAPIC_EOI
        mov     dword [rax], 0
        pop     rax
        iretq

msix_taken: dq  0
