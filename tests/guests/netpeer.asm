; netpeer.asm - a small virtio-net driver (devices = pc, net = SWITCH,
; mac=02:00:00:00:00:ROLE) whose role is the last byte of its address:
;
;   1 ping   (lan0) a broadcast "hello"; a broadcast with pong's address as
;            its source (the switch must drop it); a frame to its own
;            address (nothing comes back); then 20 frames to pong, each
;            answered before the next. PASS netpeer-echo.
;   2 pong   (lan0) posts no receive buffer for 100M TSC ticks, so that
;            flood's frames pile up in its queue on the switch; then answers
;            every frame from ping, 20 of them, and must have seen hello
;            and never the spoofed frame. PASS netpeer-pong.
;   3 watch  (lan0) must see hello, never a frame between ping and pong
;            (unicast to known addresses) nor the spoofed one; runs until
;            destroyed. PASS netpeer-watch-hello.
;   4 spy    (lan1) must see beacon's frame and nothing of lan0; runs
;            until destroyed. PASS netpeer-spy-beacon.
;   5 flood  (lan0) 500 frames at pong, as fast as it can send them, while
;            pong takes none. PASS netpeer-flood-sent.
;   6 beacon (lan1) one broadcast. PASS netpeer-beacon-sent.
;
; Frames: 60 bytes, EtherType 0x88B5 (local experimental), then a tag
; byte and a 32-bit sequence number. Interrupts stay off: the used rings
; are polled. The device is eth0: PCI 00:08.0, BAR0 0xC0008000.
        bits 64
        org 0x100000
%include "lib.inc"
%include "virtio.inc"

BAR             equ 0xc0008000
CFG             equ 0x80004000  ; 00:08.0
NOTIFY_RX       equ 0x300
NOTIFY_TX       equ 0x304
DEVCFG          equ 0x200
QSIZE           equ 8
RXD             equ 0x200000
RXA             equ 0x201000
RXU             equ 0x202000
TXD             equ 0x203000
TXA             equ 0x204000
TXU             equ 0x205000
RXBUF           equ 0x210000        ; 8 x 2 KiB
TXBUF           equ 0x220000
BUFLEN          equ 1530            ; header and a tagged frame
HDR             equ 12
FLEN            equ 60
ECHOES          equ 20
FLOODS          equ 500
PONG_WAIT       equ 100000000       ; TSC ticks
TIMEOUT         equ 0x100000000     ; TSC ticks: a hang, not a slow peer
RX_VECTOR       equ 0x40

_start:
        LIB_INIT
        cli
        mov     ebx, BAR
        mov     eax, CFG
        mov     dx, 0xcf8
        out     dx, eax
        mov     dx, 0xcfc
        in      eax, dx
        CHECK_EQ "netpeer-found", rax, 0x10411af4
        PCI_CFG_WRITE16 CFG | 4, 2      ; memory space on

        ; 3.1.1, with VIRTIO_NET_F_MAC and VERSION_1; two queues.
        mov     byte [rbx + 0x14], 0
        mov     byte [rbx + 0x14], 3
        mov     dword [rbx + 0x08], 0
        mov     dword [rbx + 0x0c], 0x20
        mov     dword [rbx + 0x08], 1
        mov     dword [rbx + 0x0c], 1
        mov     byte [rbx + 0x14], 0xb
        movzx   eax, byte [rbx + 0x14]
        CHECK_EQ "netpeer-features-ok", rax, 0xb
        mov     word [rbx + 0x16], 0
        mov     word [rbx + 0x18], QSIZE
        mov     qword [rbx + 0x20], RXD
        mov     qword [rbx + 0x28], RXA
        mov     qword [rbx + 0x30], RXU
        mov     word [rbx + 0x1c], 1
        mov     word [rbx + 0x16], 1
        mov     word [rbx + 0x18], QSIZE
        mov     qword [rbx + 0x20], TXD
        mov     qword [rbx + 0x28], TXA
        mov     qword [rbx + 0x30], TXU
        mov     word [rbx + 0x1c], 1
        mov     byte [rbx + 0x14], 0xf
        movzx   eax, byte [rbx + 0x14]
        CHECK_EQ "netpeer-driver-ok", rax, 0xf

        ; The address from the device configuration, and the role.
        mov     eax, [rbx + DEVCFG]
        mov     [rel mymac], eax
        mov     [rel srcmac], eax
        movzx   eax, word [rbx + DEVCFG + 4]
        mov     [rel mymac + 4], ax
        mov     [rel srcmac + 4], ax
        ; Receive interrupts (MSI-X, vector RX_VECTOR), for the waits
        ; without a timeout: HLT rather than a loop that would take its
        ; CPU from the other guests.
        SET_HANDLER RX_VECTOR, rx_irq
        VIRTIO_MSIX_ON CFG, 0, RX_VECTOR, 0, "netpeer-msix"
        movzx   eax, byte [rel mymac + 5]
        cmp     eax, 2
        je      pong
        call    post_all
        cmp     eax, 1
        je      ping
        cmp     eax, 3
        je      watch
        cmp     eax, 4
        je      spy
        cmp     eax, 5
        je      flood
        cmp     eax, 6
        je      beacon
        FAIL_VAL "netpeer-role", "no role for address byte", rax
        EXIT

; ------------------------------------------------------------------ roles

ping:
        lea     rsi, [rel bcast]
        mov     al, 'H'
        xor     ecx, ecx
        call    send
        mov     byte [rel srcmac + 5], 2    ; pong's address as the source
        lea     rsi, [rel bcast]
        mov     al, 'S'
        call    send
        mov     byte [rel srcmac + 5], 1
        lea     rsi, [rel mymac]
        mov     al, 'O'
        call    send
        xor     r14d, r14d                  ; echoes answered
.next:
        inc     r14d
        lea     rsi, [rel pongmac]
        mov     al, 'P'
        mov     ecx, r14d
        call    send
.wait:
        mov     rdx, TIMEOUT
        call    recv
        jc      .timeout
        cmp     byte [rsi + 14], 'R'
        jne     .other
        mov     eax, [rsi + 15]
        cmp     eax, r14d
        jne     .bad_seq
        call    repost
        cmp     r14d, ECHOES
        jb      .next
        PASS    "netpeer-echo"
        EXIT
.other:
        cmp     byte [rsi + 14], 'O'
        je      .own
        call    repost                      ; pong's hello is not for ping
        jmp     .wait
.own:
        FAIL    "netpeer-echo", "its own frame came back"
        EXIT
.bad_seq:
        FAIL_VAL "netpeer-echo", "answer out of order", rax
        EXIT
.timeout:
        FAIL_VAL "netpeer-echo", "no answer to frame", r14
        EXIT

pong:
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        mov     r13, rax
.sleep:
        pause
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        sub     rax, r13
        cmp     rax, PONG_WAIT
        jb      .sleep
        call    post_all
        xor     r14d, r14d                  ; answered
        xor     r15d, r15d                  ; hellos seen
.loop:
        mov     rdx, TIMEOUT
        call    recv
        jc      .timeout
        mov     al, [rsi + 14]
        cmp     al, 'S'
        je      .spoofed
        cmp     al, 'H'
        jne     .not_hello
        inc     r15d
.not_hello:
        cmp     al, 'P'
        jne     .next
        ; Back to the sender, as 'R' with the same number.
        mov     eax, [rsi + 6]
        mov     [rel peer], eax
        movzx   eax, word [rsi + 10]
        mov     [rel peer + 4], ax
        mov     ecx, [rsi + 15]
        call    repost
        lea     rsi, [rel peer]
        mov     al, 'R'
        call    send
        inc     r14d
        cmp     r14d, ECHOES
        jb      .loop
        CHECK_EQ "netpeer-pong-hello", r15, 1
        PASS    "netpeer-pong"
        EXIT
.next:
        call    repost
        jmp     .loop
.spoofed:
        FAIL    "netpeer-pong", "a frame with its own address as the source arrived"
        EXIT
.timeout:
        FAIL_VAL "netpeer-pong", "ping stopped after", r14
        EXIT

watch:
        xor     edx, edx
        call    recv
        mov     al, [rsi + 14]
        call    repost
        cmp     al, 'H'
        je      .hello
        cmp     al, 'F'                     ; flood's, to pong alone
        je      .unicast
        cmp     al, 'P'
        je      .unicast
        cmp     al, 'R'
        je      .unicast
        cmp     al, 'S'
        je      .spoofed
        jmp     watch
.hello:
        PASS    "netpeer-watch-hello"
        jmp     watch
.unicast:
        FAIL    "netpeer-watch", "a frame between two other guests reached it"
        jmp     watch
.spoofed:
        FAIL    "netpeer-watch", "the spoofed frame reached it"
        jmp     watch

spy:
        xor     edx, edx
        call    recv
        mov     al, [rsi + 14]
        call    repost
        cmp     al, 'B'
        jne     .leak
        PASS    "netpeer-spy-beacon"
        jmp     spy
.leak:
        FAIL    "netpeer-spy", "a frame from the other switch reached it"
        jmp     spy

flood:
        xor     r14d, r14d
.send:
        lea     rsi, [rel pongmac]
        mov     al, 'F'
        mov     ecx, r14d
        call    send
        inc     r14d
        cmp     r14d, FLOODS
        jb      .send
        PASS    "netpeer-flood-sent"
        EXIT

beacon:
        lea     rsi, [rel bcast]
        mov     al, 'B'
        xor     ecx, ecx
        call    send
        PASS    "netpeer-beacon-sent"
        EXIT

; ---------------------------------------------------------------- driver

; post_all - every receive buffer posted, then the notification.
; Preserves all but flags.
post_all:
        push    rax
        push    rcx
        push    rdi
        xor     ecx, ecx
.one:
        mov     rax, rcx
        shl     rax, 11
        add     rax, RXBUF
        mov     rdi, rcx
        shl     rdi, 4
        mov     [RXD + rdi], rax
        mov     dword [RXD + rdi + 8], BUFLEN
        mov     word [RXD + rdi + 12], 2    ; F_WRITE
        mov     [RXA + 4 + 2 * rcx], cx
        inc     ecx
        cmp     ecx, QSIZE
        jb      .one
        mov     word [RXA + 2], QSIZE
        mov     [rel rx_avail], cx
        mov     word [rbx + NOTIFY_RX], 0
        pop     rdi
        pop     rcx
        pop     rax
        ret

; send - one frame: RSI the destination address, AL the tag, ECX the
; number; source srcmac. Checks that the device gave the chain back.
; Clobbers RAX, RCX, RDI, R10.
send:
        push    rdx
        movzx   edx, word [rel tx_avail]
        and     edx, QSIZE - 1
        mov     r10, rdx
        shl     r10, 4                      ; the descriptor
        mov     rdi, rdx
        shl     rdi, 11
        add     rdi, TXBUF                  ; its buffer
        mov     [TXD + r10], rdi
        mov     dword [TXD + r10 + 8], HDR + FLEN
        mov     word [TXD + r10 + 12], 0
        push    rax
        push    rcx
        push    rdi
        xor     eax, eax
        mov     ecx, HDR + FLEN
        rep stosb
        pop     rdi
        pop     rcx
        pop     rax
        mov     [rdi + HDR + 14], al
        mov     [rdi + HDR + 15], ecx
        mov     eax, [rsi]
        mov     [rdi + HDR], eax
        movzx   eax, word [rsi + 4]
        mov     [rdi + HDR + 4], ax
        mov     eax, [rel srcmac]
        mov     [rdi + HDR + 6], eax
        movzx   eax, word [rel srcmac + 4]
        mov     [rdi + HDR + 10], ax
        mov     word [rdi + HDR + 12], 0xb588   ; 0x88B5, big-endian
        movzx   eax, word [rel tx_avail]
        mov     ecx, eax
        and     ecx, QSIZE - 1
        mov     [TXA + 4 + 2 * rcx], dx
        inc     eax
        mov     [rel tx_avail], ax
        mov     [TXA + 2], ax
        mov     word [rbx + NOTIFY_TX], 1
        cmp     ax, [TXU + 2]               ; served at the notification
        je      .done
        FAIL    "netpeer-send", "the transmit chain did not come back"
        EXIT
.done:
        pop     rdx
        ret

; recv - the next received frame: RSI its destination address (after the
; header), [rel rx_id] the descriptor to give back with repost. RDX: a
; timeout in TSC ticks, polled for; 0 for none, waited for in HLT until
; the receive interrupt. CF set when the timeout passed. Clobbers RAX,
; RCX, RDX, RSI, R8, R9.
recv:
        mov     r8, rdx
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        mov     r9, rax
.poll:
        movzx   eax, word [RXU + 2]
        cmp     ax, [rel rx_used]
        jne     .got
        test    r8, r8
        jnz     .timed
        sti                                 ; HLT starts before the interrupt
        hlt
        cli
        jmp     .poll
.timed:
        pause
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        sub     rax, r9
        cmp     rax, r8
        jb      .poll
        stc
        ret
.got:
        movzx   ecx, word [rel rx_used]
        and     ecx, QSIZE - 1
        mov     eax, [RXU + 4 + 8 * rcx]    ; id
        mov     edx, [RXU + 4 + 8 * rcx + 4] ; length
        inc     word [rel rx_used]
        mov     [rel rx_id], eax
        cmp     edx, HDR + FLEN
        jne     .bad_len
        mov     rsi, rax
        shl     rsi, 11
        add     rsi, RXBUF + HDR
        clc
        ret
.bad_len:
        FAIL_VAL "netpeer-recv", "used length", rdx
        EXIT

; rx_irq - the receive interrupt: it only ends recv's HLT.
rx_irq:
        push    rax
        mov     eax, LAPIC_EOI
        mov     dword [rax], 0
        pop     rax
        iretq

; repost - the buffer of the last frame back to the device. Preserves all
; but flags.
repost:
        push    rax
        push    rcx
        movzx   eax, word [rel rx_avail]
        mov     ecx, eax
        and     ecx, QSIZE - 1
        push    rdx
        mov     edx, [rel rx_id]
        mov     [RXA + 4 + 2 * rcx], dx
        pop     rdx
        inc     eax
        mov     [rel rx_avail], ax
        mov     [RXA + 2], ax
        mov     word [rbx + NOTIFY_RX], 0
        pop     rcx
        pop     rax
        ret

[section .data]
bcast:          db      0xff, 0xff, 0xff, 0xff, 0xff, 0xff
pongmac:        db      0x02, 0, 0, 0, 0, 2
mymac:          times 6 db 0
srcmac:         times 6 db 0
peer:           times 6 db 0
                align 4
rx_id:          dd      0
rx_avail:       dw      0
rx_used:        dw      0
tx_avail:       dw      0
