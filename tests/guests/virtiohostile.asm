; virtiohostile.asm - a driver of virtio-rng that turns hostile
; (devices = pc, virtio-rng): it finds the device at PCI 00:01.0, does the
; virtio 1.x handshake, has one good request served, then makes available
; a chain whose buffer is the local APIC's page. Shale must refuse it:
; DEVICE_NEEDS_RESET in device_status, a configuration interrupt in the
; ISR, nothing more served, until a reset clears it all. Then, set up
; again with MSI-X, it aims its message at guest RAM, at an illegal vector
; (3) and with delivery modes Shale does not model (SMI, ExtINT), and asks
; for a vector the table lacks: no interrupt comes and no memory changes
; for any of these, and the guest runs on; a good message then arrives.
        bits 64
        org 0x100000
%include "lib.inc"
%include "virtio.inc"

BAR             equ 0xc0000000  ; where Shale places BAR0 (docs/devices.md);
                                ; RBX holds it (above 2 GiB: no disp32)
CC              equ 0           ; common configuration, from RBX
ISR             equ 0x100
NOTIFY          equ 0x300       ; queue 0
DESC            equ 0x200000
AVAIL           equ 0x201000
USED            equ 0x202000
BUF             equ 0x203000
QSIZE           equ 8
SCRATCH         equ 0x300000    ; where the first message is aimed: RAM,
                                ; destination bits 19:12 = APIC ID 0
GOOD_VECTOR     equ 0x41

_start:
        LIB_INIT
        cli                             ; INTx is read from the ISR here
        mov     ebx, BAR
        mov     eax, 0x80000800         ; 00:01.0, register 0
        mov     dx, 0xcf8
        out     dx, eax
        mov     dx, 0xcfc
        in      eax, dx
        CHECK_EQ "virtiohostile-found", rax, 0x10441af4
        mov     eax, 0x80000804         ; command: memory space on
        mov     dx, 0xcf8
        out     dx, eax
        mov     dx, 0xcfc
        mov     ax, 2
        out     dx, ax

        ; 3.1.1: reset, ACKNOWLEDGE | DRIVER, VERSION_1, FEATURES_OK.
        mov     byte [rbx + 0x14], 0
        mov     byte [rbx + 0x14], 3
        mov     dword [rbx + 0x08], 1
        mov     dword [rbx + 0x0c], 1    ; bit 32: VIRTIO_F_VERSION_1
        mov     byte [rbx + 0x14], 0xb
        movzx   eax, byte [rbx + 0x14]
        CHECK_EQ "virtiohostile-features-ok", rax, 0xb
        mov     word [rbx + 0x16], 0     ; queue 0
        mov     word [rbx + 0x18], QSIZE
        mov     dword [rbx + 0x20], DESC
        mov     dword [rbx + 0x24], 0
        mov     dword [rbx + 0x28], AVAIL
        mov     dword [rbx + 0x2c], 0
        mov     dword [rbx + 0x30], USED
        mov     dword [rbx + 0x34], 0
        mov     word [rbx + 0x1c], 1
        mov     byte [rbx + 0x14], 0xf   ; DRIVER_OK

        ; A good request: 16 device-writable bytes.
        mov     qword [DESC], BUF
        mov     dword [DESC + 8], 16
        mov     word [DESC + 12], 2     ; VIRTQ_DESC_F_WRITE
        mov     word [AVAIL + 4], 0     ; ring[0] = descriptor 0
        mov     word [AVAIL + 2], 1     ; idx
        mov     word [rbx + NOTIFY], 0
        movzx   eax, word [USED + 2]
        CHECK_EQ "virtiohostile-served", rax, 1
        movzx   eax, byte [rbx + ISR]
        CHECK_EQ "virtiohostile-queue-interrupt", rax, 1

        ; The hostile one: a buffer in the local APIC's page.
        mov     eax, 0xfee00000
        mov     [DESC + 16], rax
        mov     dword [DESC + 24], 16
        mov     word [DESC + 28], 2
        mov     word [AVAIL + 6], 1     ; ring[1] = descriptor 1
        mov     word [AVAIL + 2], 2
        mov     word [rbx + NOTIFY], 0
        movzx   eax, byte [rbx + 0x14]
        CHECK_EQ "virtiohostile-needs-reset", rax, 0x4f
        movzx   eax, byte [rbx + ISR]
        CHECK_EQ "virtiohostile-config-interrupt", rax, 2
        movzx   eax, word [USED + 2]
        CHECK_EQ "virtiohostile-not-served", rax, 1

        ; A good chain now: still nothing, the device waits for a reset.
        mov     word [AVAIL + 8], 0
        mov     word [AVAIL + 2], 3
        mov     word [rbx + NOTIFY], 0
        movzx   eax, word [USED + 2]
        CHECK_EQ "virtiohostile-stopped", rax, 1

        ; The driver's way out: reset.
        mov     byte [rbx + 0x14], 0
        movzx   eax, byte [rbx + 0x14]
        CHECK_EQ "virtiohostile-reset", rax, 0
        movzx   eax, word [rbx + 0x1c]
        CHECK_EQ "virtiohostile-reset-queue", rax, 0

        ; MSI-X: the rings empty again, the device set up anew.
        SET_HANDLER GOOD_VECTOR, good_irq
        SET_HANDLER 3, bad_irq
        mov     dword [AVAIL], 0
        mov     dword [USED], 0
        VIRTIO_START 0, QSIZE, DESC, AVAIL, USED
        movzx   eax, byte [rbx + 0x14]
        CHECK_EQ "virtiohostile-msix-driver-ok", rax, 0xf
        mov     word [rbx + 0x1a], 5    ; the table has vectors 0 and 1
        movzx   eax, word [rbx + 0x1a]
        CHECK_EQ "virtiohostile-msix-no-such-vector", rax, 0xffff
        mov     qword [SCRATCH], 0x1234
        VIRTIO_MSIX_ON 0x80000800, 0, GOOD_VECTOR, 0, "virtiohostile-msix-vector"
        mov     dword [rbx + MSIX_TABLE], SCRATCH   ; a write to RAM
        call    request
        CHECK_EQ "virtiohostile-msix-ram-served", rax, 1
        mov     rax, [taken]
        CHECK_EQ "virtiohostile-msix-ram-no-interrupt", rax, 0
        mov     rax, [SCRATCH]
        CHECK_EQ "virtiohostile-msix-ram-untouched", rax, 0x1234
        mov     dword [rbx + MSIX_TABLE], 0xfee00000
        mov     dword [rbx + MSIX_TABLE + 8], 3     ; an illegal vector
        call    request
        mov     rax, [bad_taken]
        CHECK_EQ "virtiohostile-msix-illegal-vector", rax, 0
        mov     dword [rbx + MSIX_TABLE + 8], 0x200 | GOOD_VECTOR ; SMI
        call    request
        mov     dword [rbx + MSIX_TABLE + 8], 0x700 | GOOD_VECTOR ; ExtINT
        call    request
        mov     rax, [taken]
        CHECK_EQ "virtiohostile-msix-smi-extint-dropped", rax, 0
        mov     dword [rbx + MSIX_TABLE + 8], GOOD_VECTOR
        call    request
        CHECK_EQ "virtiohostile-msix-all-served", rax, 5
        mov     rax, [taken]
        CHECK_EQ "virtiohostile-msix-good", rax, 1
        mov     rax, [bad_taken]
        CHECK_EQ "virtiohostile-msix-no-vector-3", rax, 0
        EXIT

; request: descriptor 0 (16 device-writable bytes at BUF) made available,
; the notification, then a one-instruction window for an interrupt.
; Returns the used index in RAX; clobbers RDX.
request:
        mov     qword [DESC], BUF
        mov     dword [DESC + 8], 16
        mov     word [DESC + 12], 2
        movzx   eax, word [AVAIL + 2]
        mov     edx, eax
        and     edx, QSIZE - 1
        mov     word [AVAIL + 4 + rdx * 2], 0
        inc     eax
        mov     [AVAIL + 2], ax
        mov     word [rbx + NOTIFY], 0
        sti
        nop
        cli
        movzx   eax, word [USED + 2]
        ret

good_irq:
        push    rax
        inc     qword [taken]
        mov     eax, LAPIC_EOI
        mov     dword [rax], 0
        pop     rax
        iretq

bad_irq:
        inc     qword [bad_taken]
        iretq

taken:     dq  0
bad_taken: dq  0
