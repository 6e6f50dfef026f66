; realgp.asm - a real-mode guest (`mode = real`, `load = 0x10000`) takes
; the #GP Shale injects for RDMSR/WRMSR of an MSR it refuses (0xC0010015)
; through its own IVT entry: in real mode an exception pushes FLAGS, CS, IP
; and no error code, and VM entry forbids "deliver error code" with
; CR0.PE = 0 (SDM Vol. 3C, 27.2.1.3), so an injected error code would
; kill the guest instead of faulting it.
        bits 16
        org 0

%define LOAD 0x10000
%define BAD_MSR 0xC0010015

%macro PRINT16 1
        mov     edi, LOAD + %1
        mov     esi, %1_len
        mov     eax, 1                  ; SHALE_HC_CONSOLE_WRITE
        vmcall
%endmacro

%macro STR16 2
%1:     db %2, 10
%1_len  equ $ - %1
%endmacro

; CHECK16 name-label, fail-label, condition: PRINT16 one or the other
%macro CHECK16 3
        j%-3    %%fail
        PRINT16 %1
        jmp     %%done
%%fail:
        PRINT16 %2
        mov     byte [failed], 1
%%done:
%endmacro

start:
        cli
        mov     ax, cs
        mov     ds, ax
        xor     ax, ax
        mov     ss, ax
        mov     sp, 0xFFF0
        mov     es, ax
        cld
        ; IVT entry 13 (#GP) at linear 13 * 4: offset, then segment
        mov     word [es:13 * 4], gp_handler
        mov     word [es:13 * 4 + 2], LOAD >> 4

        ; RDMSR of a refused MSR: #GP, handled, and on after it
        mov     ecx, BAD_MSR
rd_insn:
        rdmsr
        cmp     word [gp_count], 1
        CHECK16 m_rd_pass, m_rd_fail, e
        cmp     word [gp_ip], rd_insn
        CHECK16 m_rdip_pass, m_rdip_fail, e

        ; WRMSR of the same: a second #GP
        mov     ecx, BAD_MSR
        xor     eax, eax
        xor     edx, edx
wr_insn:
        wrmsr
        cmp     word [gp_count], 2
        CHECK16 m_wr_pass, m_wr_fail, e
        cmp     word [gp_ip], wr_insn
        CHECK16 m_wrip_pass, m_wrip_fail, e

        movzx   edi, byte [failed]
        mov     eax, 2                  ; SHALE_HC_EXIT
        vmcall
        PRINT16 m_exit_fail
.hang:
        hlt
        jmp     .hang

; #GP: the frame is IP, CS, FLAGS (no error code in real mode). Record IP
; and return past the 2-byte RDMSR/WRMSR.
gp_handler:
        push    bp
        mov     bp, sp
        inc     word [cs:gp_count]
        push    ax
        mov     ax, [bp + 2]
        mov     [cs:gp_ip], ax
        pop     ax
        add     word [bp + 2], 2
        pop     bp
        iret

        STR16   m_rd_pass,   'PASS realgp-rdmsr-gp'
        STR16   m_rd_fail,   'FAIL realgp-rdmsr-gp: no #GP through the IVT'
        STR16   m_rdip_pass, 'PASS realgp-rdmsr-frame'
        STR16   m_rdip_fail, 'FAIL realgp-rdmsr-frame: the #GP frame does not hold the RDMSR'
        STR16   m_wr_pass,   'PASS realgp-wrmsr-gp'
        STR16   m_wr_fail,   'FAIL realgp-wrmsr-gp: no #GP through the IVT'
        STR16   m_wrip_pass, 'PASS realgp-wrmsr-frame'
        STR16   m_wrip_fail, 'FAIL realgp-wrmsr-frame: the #GP frame does not hold the WRMSR'
        STR16   m_exit_fail, 'FAIL exit-returned: SHALE_HC_EXIT returned'

        align   2
gp_count:       dw 0
gp_ip:          dw 0
failed:         db 0
