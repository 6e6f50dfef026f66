; virtiobench.asm - what a virtio doorbell costs, in TSC ticks (in Bochs
; with `clock: sync=none`, instructions): virtio-rng's queue 0 set up as a
; driver does, then N times, timed with RDTSC around the loop:
;   virtio-request: one 16-byte request made available, the notification
;     (an MMIO write exit: Shale serves the queue), the ISR read (an MMIO
;     read exit) that a driver's interrupt handler makes;
;   virtio-request-noirq: the same with VIRTQ_AVAIL_F_NO_INTERRUPT set,
;     so that no interrupt line moves (the ISR read stays);
;   virtio-isr: the ISR read alone, the cost of an MMIO exit to this device;
;   virtio-request-pio-noirq: the request without interrupt, notified
;     through the notify port (BAR2, an OUT: an I/O exit), no ISR read;
;   virtio-notify-empty, virtio-notify-empty-pio: the doorbell alone,
;     nothing made available, through BAR0 and through the port: what
;     Shale spends to take a notification and find the ring empty;
;   baseline: the loop with the ring update and no exit.
; Prints "BENCH <name> <ticks-per-op>"; the doorbell is request - isr -
; baseline. Needs `devices = pc, virtio-rng`.
        bits 64
        org 0x100000
%include "lib.inc"
%include "virtio.inc"

BAR             equ 0xc0000000  ; BAR0 as Shale places it; in RBX
ISR             equ 0x100
NOTIFY          equ 0x300
NOTIFY_PORT     equ 0xc004      ; BAR2 of 00:01.0 as Shale places it
DESC            equ 0x200000
AVAIL           equ 0x201000
USED            equ 0x202000
BUF             equ 0x203000
QSIZE           equ 64
N               equ 1000

; TIMED "name", body: N runs of the body, ticks per run printed. The body
; may clobber RAX, RCX, RDX (not RBX, R12-R14).
%macro TIMED 2
        mov     r12d, N
        lfence
        rdtsc
        lfence
        shl     rdx, 32
        or      rax, rdx
        mov     r14, rax
%%loop:
        %2
        dec     r12d
        jnz     %%loop
        lfence
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        sub     rax, r14
        xor     edx, edx
        mov     ecx, N
        div     rcx
        call    lb_reset
        LB_STR  'BENCH ', %1, ' '
        call    lb_dec
        mov     al, 10
        call    lb_char
        call    lb_flush
%endmacro

; The next request: descriptor 0 again, at the next available slot.
%macro OFFER 0
        movzx   eax, word [AVAIL + 2]
        mov     ecx, eax
        and     ecx, QSIZE - 1
        mov     word [AVAIL + 4 + rcx * 2], 0
        inc     eax
        mov     [AVAIL + 2], ax
%endmacro

%macro REQUEST 0
        OFFER
        mov     word [rbx + NOTIFY], 0
        movzx   eax, byte [rbx + ISR]
%endmacro

%macro NOTIFY_MMIO 0
        mov     word [rbx + NOTIFY], 0
%endmacro

%macro NOTIFY_PIO 0
        mov     dx, NOTIFY_PORT
        xor     eax, eax
        out     dx, ax
%endmacro

%macro REQUEST_PIO 0
        OFFER
        NOTIFY_PIO
%endmacro

%macro ISR_READ 0
        movzx   eax, byte [rbx + ISR]
%endmacro

_start:
        LIB_INIT
        cli
        mov     ebx, BAR
        PCI_CFG_WRITE16 0x80000804, 3   ; 00:01.0 command: memory and I/O space on
        VIRTIO_START 0, QSIZE, DESC, AVAIL, USED
        mov     qword [DESC], BUF
        mov     dword [DESC + 8], 16
        mov     word [DESC + 12], 2     ; VIRTQ_DESC_F_WRITE

        REQUEST                         ; warm up
        movzx   eax, word [USED + 2]
        CHECK_EQ "virtiobench-served", rax, 1
        TIMED   'virtio-request', REQUEST
        movzx   eax, word [USED + 2]
        CHECK_EQ "virtiobench-all-served", rax, N + 1
        mov     word [AVAIL], 1         ; VIRTQ_AVAIL_F_NO_INTERRUPT
        TIMED   'virtio-request-noirq', REQUEST
        movzx   eax, word [USED + 2]
        CHECK_EQ "virtiobench-all-served-noirq", rax, 2 * N + 1
        TIMED   'virtio-request-pio-noirq', REQUEST_PIO
        movzx   eax, word [USED + 2]
        CHECK_EQ "virtiobench-all-served-pio", rax, 3 * N + 1
        TIMED   'virtio-notify-empty', NOTIFY_MMIO
        TIMED   'virtio-notify-empty-pio', NOTIFY_PIO
        movzx   eax, word [USED + 2]
        CHECK_EQ "virtiobench-none-served-empty", rax, 3 * N + 1
        TIMED   'virtio-isr', ISR_READ
        TIMED   'baseline', OFFER
        EXIT
