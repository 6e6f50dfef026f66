; virtioblk.asm - a small virtio-blk driver (devices = pc, disk = FILE, rw
; as vda): it finds the device at PCI 00:04.0, does the virtio 1.x
; handshake, and reads sector 0. Its first life finds no mark there: it
; checks the device's answers (capacity, a read past the end, data in the
; wrong direction, an unknown type, flush, get-ID), writes the mark and
; resets the machine through 0xCF9. Its second life (on_reboot = restart)
; must find the mark: a rw disk's writes outlive a guest's reboot.
        bits 64
        org 0x100000
%include "lib.inc"

BAR             equ 0xc0004000  ; vda's BAR0 (docs/devices.md); RBX holds it
ISR             equ 0x100
NOTIFY          equ 0x300       ; queue 0
DEVCFG          equ 0x200       ; capacity first
DESC            equ 0x200000
AVAIL           equ 0x201000
USED            equ 0x202000
HDR             equ 0x203000
BUF             equ 0x204000
ST              equ 0x205000
QSIZE           equ 8
SECTORS         equ 2048        ; the 1 MiB image of the case
MARK            equ 0x4b4c42454c414853 ; "SHALEBLK"

T_IN            equ 0
T_OUT           equ 1
T_FLUSH         equ 4
T_GET_ID        equ 8
F_NEXT          equ 1
F_WRITE         equ 2

_start:
        LIB_INIT
        cli                             ; completions are seen in the used ring
        mov     ebx, BAR
        mov     eax, 0x80002000         ; 00:04.0, register 0
        mov     dx, 0xcf8
        out     dx, eax
        mov     dx, 0xcfc
        in      eax, dx
        CHECK_EQ "virtioblk-found", rax, 0x10421af4
        mov     eax, 0x80002004         ; command: memory space on
        mov     dx, 0xcf8
        out     dx, eax
        mov     dx, 0xcfc
        mov     ax, 2
        out     dx, ax

        ; 3.1.1: reset, ACKNOWLEDGE | DRIVER, features, FEATURES_OK.
        mov     byte [rbx + 0x14], 0
        mov     byte [rbx + 0x14], 3
        mov     dword [rbx + 0x08], 0
        mov     dword [rbx + 0x0c], 0x200 ; VIRTIO_BLK_F_FLUSH
        mov     dword [rbx + 0x08], 1
        mov     dword [rbx + 0x0c], 1    ; bit 32: VIRTIO_F_VERSION_1
        mov     byte [rbx + 0x14], 0xb
        movzx   eax, byte [rbx + 0x14]
        CHECK_EQ "virtioblk-features-ok", rax, 0xb
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

        mov     rax, [rbx + DEVCFG]
        CHECK_EQ "virtioblk-capacity", rax, SECTORS
        mov     eax, T_IN
        xor     ecx, ecx
        mov     edx, F_WRITE
        mov     r8d, 512
        call    request
        CHECK_EQ "virtioblk-read", rax, 0
        mov     rax, MARK
        cmp     [BUF], rax
        je      second_life

        ; First life: the device's answers.
        mov     eax, T_IN               ; the sector after the last
        mov     ecx, SECTORS
        mov     edx, F_WRITE
        mov     r8d, 512
        call    request
        CHECK_EQ "virtioblk-past-end", rax, 1
        mov     eax, T_IN               ; read into a device-readable buffer
        xor     ecx, ecx
        xor     edx, edx
        mov     r8d, 512
        call    request
        CHECK_EQ "virtioblk-wrong-direction", rax, 1
        mov     eax, 99
        xor     ecx, ecx
        xor     edx, edx
        xor     r8d, r8d
        call    request
        CHECK_EQ "virtioblk-unsupported", rax, 2
        mov     eax, T_FLUSH
        xor     ecx, ecx
        xor     edx, edx
        xor     r8d, r8d
        call    request
        CHECK_EQ "virtioblk-flush", rax, 0
        mov     eax, T_GET_ID
        xor     ecx, ecx
        mov     edx, F_WRITE
        mov     r8d, 20
        call    request
        CHECK_EQ "virtioblk-get-id", rax, 0
        mov     rax, [BUF]
        CHECK_EQ "virtioblk-id", rax, 0x2e74736973726570 ; "persist."

        ; The mark, read back, then a reset of the machine.
        mov     rax, MARK
        mov     [BUF], rax
        mov     eax, T_OUT
        xor     ecx, ecx
        xor     edx, edx
        mov     r8d, 512
        call    request
        CHECK_EQ "virtioblk-write", rax, 0
        mov     qword [BUF], 0
        mov     eax, T_IN
        xor     ecx, ecx
        mov     edx, F_WRITE
        mov     r8d, 512
        call    request
        mov     rax, [BUF]
        CHECK_EQ "virtioblk-read-back", rax, MARK
        PRINT   'rebooting', 10
        mov     dx, 0xcf9
        mov     al, 6                   ; SYS_RST | RST_CPU
        out     dx, al
.wait:
        hlt
        jmp     .wait

second_life:
        PASS    "virtioblk-persisted"
        EXIT

; request - one request of three descriptors (header, data, status) as
; descriptor 0, 1, 2, made available and notified. EAX type, RCX sector,
; EDX the data descriptor's flags (F_WRITE or 0), R8D its length.
; Returns the status byte in RAX; clobbers RCX, RDX.
request:
        mov     dword [HDR], eax
        mov     dword [HDR + 4], 0
        mov     [HDR + 8], rcx
        mov     byte [ST], 0xee
        mov     qword [DESC], HDR
        mov     dword [DESC + 8], 16
        mov     word [DESC + 12], F_NEXT
        mov     word [DESC + 14], 1
        mov     qword [DESC + 16], BUF
        mov     dword [DESC + 24], r8d
        or      edx, F_NEXT
        mov     word [DESC + 28], dx
        mov     word [DESC + 30], 2
        mov     qword [DESC + 32], ST
        mov     dword [DESC + 40], 1
        mov     word [DESC + 44], F_WRITE
        movzx   eax, word [AVAIL + 2]
        mov     ecx, eax
        and     ecx, QSIZE - 1
        mov     word [AVAIL + 4 + rcx * 2], 0
        inc     eax
        mov     word [AVAIL + 2], ax
        mov     word [rbx + NOTIFY], 0
        movzx   eax, byte [ST]
        ret
