; consbench.asm - VM exits per KiB of console output, through COM1 (the
; 16550) and through virtio-console's transmitq0, for the same text: 16
; KiB of 64-byte lines each way. Shale counts the exits (SHALE_HC_STAT 1) around
; each way of writing it:
;   console-16550: one OUT to THR per byte, with nothing else (no LSR
;     polling, no interrupt): the least a 16550 driver can do;
;   console-virtio-N: chains of N bytes, each made available, the
;     notification (an MMIO write exit) and the ISR read a driver's
;     interrupt handler makes (an MMIO read exit). N = 16 is what Linux's
;     hvc console gives per call for kernel messages, 64 a line per
;     write(), 4096 a burst through the tty (hvc's buffer is a page);
;   console-virtio-msix-N: the same chains with MSI-X on, as Linux's
;     virtio_pci sets it up: transmitq0's used buffers raise a message
;     (vector MSIX_VECTOR) instead of INTA#, so there is no ISR read; the
;     guest takes each interrupt (STI; NOP; CLI) and its handler writes
;     the local APIC's EOI, as a driver's would.
; First a line through virtio-console alone, which must reach the log.
; Prints "BENCH console-<way> <exits> <bytes>" after each way, once a
; sleep has let the console carry the text (what it cannot hold, it drops,
; and the result line must not be among that). Needs
; `devices = pc, virtio-console`.
        bits 64
        org 0x100000
%include "lib.inc"
%include "virtio.inc"

BAR             equ 0xc0002000  ; BAR0 as Shale places virtio-console's; in RBX
ISR             equ 0x100
NOTIFY_TX       equ 0x304       ; transmitq0 (queue 1) at 0x300 + 4 x 1
DESC            equ 0x200000
AVAIL           equ 0x201000
USED            equ 0x202000
TEXT            equ 0x300000
LEN             equ 4096
QSIZE           equ 64
TIMER_VECTOR    equ 0x40
MSIX_VECTOR     equ 0x41
SLEEP_TICKS     equ 100000000       ; 0.5 s at Bochs' 200 MHz: 4 KiB is 0.36 s at 115200 baud

; exits -> RAX: this vCPU's VM exits so far (the call is one of them).
%macro EXITS 0
        mov     edi, 1
        HYPERCALL SHALE_HC_STAT
%endmacro

; REPORT 'name', exits in R13, bytes in R15: after a sleep.
%macro REPORT 1
        mov     edi, TIMER_VECTOR
        mov     esi, SLEEP_TICKS
        HYPERCALL SHALE_HC_TIMER_ONESHOT
        sti
        hlt
        cli
        call    lb_reset
        LB_STR  'BENCH console-', %1, ' '
        mov     rax, r13
        call    lb_dec
        mov     al, ' '
        call    lb_char
        mov     rax, r15
        call    lb_dec
        mov     al, 10
        call    lb_char
        call    lb_flush
%endmacro

; VIRTIO_WAY 'name', chain bytes[, send routine]: the text in chains of
; that size.
%macro VIRTIO_WAY 2-3 send_chain
        EXITS
        mov     r13, rax
        mov     r12, TEXT
%%next:
        mov     rsi, r12
        mov     ecx, %2
        call    %3
        add     r12, %2
        cmp     r12, TEXT + LEN
        jb      %%next
        EXITS
        sub     rax, r13
        sub     rax, r14                ; the EXITS pair's own
        mov     r13, rax
        mov     r15d, LEN
        REPORT  %1
%endmacro

_start:
        LIB_INIT
        cli
        SET_HANDLER TIMER_VECTOR, wake
        ; The text: lines of 63 letters and a newline, a letter a line.
        mov     edi, TEXT
        xor     ecx, ecx
.fill:
        mov     eax, ecx
        shr     eax, 6
        xor     edx, edx
        push    rcx
        mov     ecx, 26
        div     ecx
        pop     rcx
        lea     eax, [rdx + 'a']
        mov     edx, ecx
        and     edx, 63
        cmp     edx, 63
        jne     .letter
        mov     al, 10
.letter:
        mov     [rdi + rcx], al
        inc     ecx
        cmp     ecx, LEN
        jb      .fill

        ; virtio-console (00:03.0): memory space and bus master on, the
        ; handshake (3.1.1), transmitq0 in RAM; receiveq0 stays off.
        mov     ebx, BAR
        PCI_CFG_WRITE16 0x80001804, 6
        VIRTIO_START 1, QSIZE, DESC, AVAIL, USED
        movzx   eax, byte [rbx + 0x14]
        CHECK_EQ "consbench-driver-ok", rax, 0xf

        lea     rsi, [rel hello]
        mov     ecx, hello_len
        call    send_chain
        movzx   eax, word [USED + 2]
        CHECK_EQ "consbench-hello-served", rax, 1

        ; What two EXITS in a row count: subtracted from each way.
        EXITS
        mov     r13, rax
        EXITS
        sub     rax, r13
        mov     r14, rax

        ; COM1: a byte an OUT.
        EXITS
        mov     r13, rax
        mov     esi, TEXT
        mov     ecx, LEN
        mov     dx, 0x3f8
.byte:
        lodsb
        out     dx, al
        dec     ecx
        jnz     .byte
        EXITS
        sub     rax, r13
        sub     rax, r14
        mov     r13, rax
        mov     r15d, LEN
        REPORT  '16550'

        VIRTIO_WAY 'virtio-16', 16
        VIRTIO_WAY 'virtio-64', 64
        VIRTIO_WAY 'virtio-4096', 4096

        ; MSI-X: the local APIC on, vector 1 of the table aimed at it
        ; (APIC ID 0, physical), transmitq0 mapped to vector 1, MSI-X on.
        SET_HANDLER MSIX_VECTOR, msix_irq
        VIRTIO_MSIX_ON 0x80001800, 1, MSIX_VECTOR, 1, "consbench-msix-vector"
        mov     qword [msix_taken], 0
        VIRTIO_WAY 'virtio-msix-16', 16, send_chain_msix
        VIRTIO_WAY 'virtio-msix-64', 64, send_chain_msix
        VIRTIO_WAY 'virtio-msix-4096', 4096, send_chain_msix
        mov     rax, [msix_taken]
        CHECK_EQ "consbench-msix-interrupts", rax, LEN / 16 + LEN / 64 + LEN / 4096
        movzx   eax, word [USED + 2]
        CHECK_EQ "consbench-all-served", rax, 1 + 2 * (LEN / 16 + LEN / 64 + LEN / 4096)
        EXIT

; offer_chain: RSI = address, ECX = length: one readable descriptor (0,
; free again once served) made available, and the notification.
; Clobbers RAX, RDX.
offer_chain:
        mov     [DESC], rsi
        mov     [DESC + 8], ecx
        mov     word [DESC + 12], 0
        movzx   eax, word [AVAIL + 2]
        mov     edx, eax
        and     edx, QSIZE - 1
        mov     word [AVAIL + 4 + rdx * 2], 0
        inc     eax
        mov     [AVAIL + 2], ax
        mov     word [rbx + NOTIFY_TX], 0
        ret

; send_chain: offer_chain, then the ISR read of an INTx handler.
send_chain:
        call    offer_chain
        movzx   eax, byte [rbx + ISR]
        ret

; send_chain_msix: offer_chain, then, the device's answer being an MSI-X
; message, a one-instruction window for it instead of the ISR read.
send_chain_msix:
        call    offer_chain
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

wake:
        iretq

msix_taken: dq  0

hello:  db      "consbench: hello through virtio-console", 10
hello_len equ $ - hello
