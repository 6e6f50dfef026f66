; vmxon.asm - VMX instructions are not available to the guest (CR4.VMXE is
; clear as far as it can see): each raises #UD (vector 6).
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT

        TRY
        vmxon   [rel region]
        ENDTRY
        CHECK_FAULT "vmxon-vmxon-ud", 6

        TRY
        mov     rbx, 0x4402             ; VM-exit reason field
        vmread  rax, rbx
        ENDTRY
        CHECK_FAULT "vmxon-vmread-ud", 6

        TRY
        mov     rbx, 0x681E             ; guest RIP field
        xor     eax, eax
        vmwrite rbx, rax
        ENDTRY
        CHECK_FAULT "vmxon-vmwrite-ud", 6

        TRY
        mov     eax, 1                  ; single-context
        invept  rax, [rel desc]
        ENDTRY
        CHECK_FAULT "vmxon-invept-ud", 6

        TRY
        mov     eax, 1                  ; single-address
        invvpid rax, [rel desc]
        ENDTRY
        CHECK_FAULT "vmxon-invvpid-ud", 6

        TRY
        vmptrld [rel region]
        ENDTRY
        CHECK_FAULT "vmxon-vmptrld-ud", 6

        TRY
        vmptrst [rel scratch]
        ENDTRY
        CHECK_FAULT "vmxon-vmptrst-ud", 6

        TRY
        vmclear [rel region]
        ENDTRY
        CHECK_FAULT "vmxon-vmclear-ud", 6

        TRY
        vmlaunch
        ENDTRY
        CHECK_FAULT "vmxon-vmlaunch-ud", 6

        TRY
        vmresume
        ENDTRY
        CHECK_FAULT "vmxon-vmresume-ud", 6

        TRY
        vmxoff
        ENDTRY
        CHECK_FAULT "vmxon-vmxoff-ud", 6

        EXIT

section .data
        align   4096, db 0
region:         times 4096 db 0         ; the page a VMXON/VMPTRLD would name;
                                        ; never used: every instruction is #UD
desc:           dq 1, 0x1000            ; INVEPT/INVVPID descriptor
scratch:        dq 0
section .text
