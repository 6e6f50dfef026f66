; virtiohostile.asm - a driver of virtio-rng that turns hostile
; (devices = pc, virtio-rng): it finds the device at PCI 00:01.0, does the
; virtio 1.x handshake, has one good request served, then makes available
; a chain whose buffer is the local APIC's page. Shale must refuse it:
; DEVICE_NEEDS_RESET in device_status, a configuration interrupt in the
; ISR, nothing more served, until a reset clears it all.
        bits 64
        org 0x100000
%include "lib.inc"

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
        EXIT
