; realmode.asm - a guest started in real mode (`mode = real`, `load = 0x10000`):
; CS = 0x1000, IP = 0. Standalone: lib.inc is 64-bit only.
; Addresses below are offsets from CS base 0x10000 (org 0); a hypercall
; buffer address is the physical one, LOAD + offset.
        bits 16
        org 0

%define LOAD 0x10000

; PRINT16 label - console write of the string at `label` (length label_len)
%macro PRINT16 1
        mov     edi, LOAD + %1
        mov     esi, %1_len
        mov     eax, 1                  ; SHALE_HC_CONSOLE_WRITE
        vmcall
%endmacro

; STR16 label, "text" - a line and its length
%macro STR16 2
%1:     db %2, 10
%1_len  equ $ - %1
%endmacro

start:
        cli
        mov     [cs:signature], edx     ; EDX at start = CPUID.1:EAX
        mov     ax, cs
        mov     ds, ax
        mov     es, ax
        xor     ax, ax
        mov     ss, ax
        mov     sp, 0xFFF0              ; stack below the image
        cld
        mov     byte [failed], 0

        PRINT16 m_started

        ; CS is 0x1000 (load >> 4)
        mov     ax, cs
        cmp     ax, LOAD >> 4
        je      .cs_ok
        PRINT16 m_cs_fail
        mov     byte [failed], 1
        jmp     .cs_done
.cs_ok:
        PRINT16 m_cs_pass
.cs_done:

        ; CR0.PE clear (MOV from CR0 works at CPL 0 in real mode), and SMSW agrees
        mov     eax, cr0
        mov     [cr0_value], eax
        test    al, 1
        jnz     .pe_fail
        smsw    ax
        test    al, 1
        jnz     .pe_fail
        PRINT16 m_pe_pass
        jmp     .pe_done
.pe_fail:
        PRINT16 m_pe_fail
        mov     byte [failed], 1
.pe_done:

        ; CR0 as seen by the guest is the INIT value 0x60000010 (ET, CD, NW)
        cmp     dword [cr0_value], 0x60000010
        je      .cr0_ok
        PRINT16 m_cr0_fail
        mov     byte [failed], 1
        jmp     .cr0_done
.cr0_ok:
        PRINT16 m_cr0_pass
.cr0_done:

        ; EDX at start = processor signature (CPUID.1:EAX)
        mov     eax, 1
        xor     ecx, ecx
        cpuid
        cmp     eax, [signature]
        je      .sig_ok
        PRINT16 m_sig_fail
        mov     byte [failed], 1
        jmp     .sig_done
.sig_ok:
        PRINT16 m_sig_pass
.sig_done:

        ; SHALE_HC_EXIT with 0 / 1
        movzx   edi, byte [failed]
        mov     eax, 2
        vmcall
        PRINT16 m_exit_fail
.hang:
        hlt
        jmp     .hang

        STR16   m_started,   'PASS realmode-started'
        STR16   m_cs_pass,   'PASS realmode-cs'
        STR16   m_cs_fail,   'FAIL realmode-cs: CS is not 0x1000'
        STR16   m_pe_pass,   'PASS realmode-pe-clear'
        STR16   m_pe_fail,   'FAIL realmode-pe-clear: CR0.PE is set'
        STR16   m_cr0_pass,  'PASS realmode-cr0-init-value'
        STR16   m_cr0_fail,  'FAIL realmode-cr0-init-value: CR0 is not 0x60000010'
        STR16   m_sig_pass,  'PASS realmode-edx-signature'
        STR16   m_sig_fail,  'FAIL realmode-edx-signature: EDX at start differs from CPUID.1:EAX'
        STR16   m_exit_fail, 'FAIL exit-returned: SHALE_HC_EXIT returned'

        align   4
signature:      dd 0
cr0_value:      dd 0
failed:         db 0
