; qdev.asm - QEMU's debug devices, as a kernel written for `qemu -kernel`
; uses them (devices = isa-debug-exit, debugcon, fw_cfg):
;   debugcon: port 0xE9 reads back 0xE9; bytes written there are a line on
;     the guest's console;
;   fw_cfg: signature "QEMU", ID 1 (no DMA), RAM size = the guest's 16M,
;     CPU count 1, an empty file directory;
;   isa-debug-exit: a write of 0x10 to port 0xF4 ends the guest with
;     status 0x21 (33); nothing after it runs.
        bits 64
        org 0x100000
%include "lib.inc"

FW_CFG_SEL      equ 0x510
FW_CFG_DATA     equ 0x511

_start:
        LIB_INIT
        in      al, 0xe9
        movzx   rax, al
        CHECK_EQ "qdev-debugcon-readback", rax, 0xe9
        lea     rsi, [rel hello]
.put:   lodsb
        test    al, al
        jz      .put_done
        out     0xe9, al
        jmp     .put
.put_done:

        mov     edi, 0                  ; FW_CFG_SIGNATURE
        mov     ecx, 4
        call    fw_cfg_read
        CHECK_EQ "qdev-fw-cfg-signature", rax, 0x554d4551 ; "QEMU"
        mov     edi, 1                  ; FW_CFG_ID
        mov     ecx, 4
        call    fw_cfg_read
        CHECK_EQ "qdev-fw-cfg-id", rax, 1
        mov     edi, 3                  ; FW_CFG_RAM_SIZE
        mov     ecx, 8
        call    fw_cfg_read
        CHECK_EQ "qdev-fw-cfg-ram-size", rax, 16 << 20
        mov     edi, 5                  ; FW_CFG_NB_CPUS
        mov     ecx, 2
        call    fw_cfg_read
        CHECK_EQ "qdev-fw-cfg-cpus", rax, 1
        mov     edi, 0x19               ; FW_CFG_FILE_DIR: big-endian count
        mov     ecx, 4
        call    fw_cfg_read
        CHECK_EQ "qdev-fw-cfg-no-files", rax, 0

        PASS    "qdev-before-exit"
        mov     al, 0x10
        out     0xf4, al
        FAIL    "qdev-exit-returned", "the guest ran on after isa-debug-exit"
        EXIT

; Item EDI, ECX bytes (at most 8) read little-endian into RAX.
fw_cfg_read:
        mov     eax, edi
        mov     dx, FW_CFG_SEL
        out     dx, ax
        mov     dx, FW_CFG_DATA
        xor     r8d, r8d                ; result
        xor     r9d, r9d                ; shift
.next:  in      al, dx
        movzx   rax, al
        shlx    rax, rax, r9
        or      r8, rax
        add     r9d, 8
        loop    .next
        mov     rax, r8
        ret

hello:  db "debugcon-hello", 10, 0
