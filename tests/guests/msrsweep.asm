; msrsweep.asm - RDMSR of every MSR in the architectural, hypervisor and
; extended ranges; where the read works, WRMSR of the same value back.
; Each either works or raises #GP in the guest; Shale must survive, and so
; must the guest (writing back what it read changes nothing it relies on).
        bits 64
        org 0x100000
%include "lib.inc"

; SWEEP first, last: every MSR in [first, last].
%macro SWEEP 2
        mov     r12d, %1
%%next:
        mov     ecx, r12d
        TRY
        rdmsr
        ENDTRY
        cmp     qword [rel lib_last_vector], NO_VECTOR
        jne     %%skip
        inc     r14                     ; readable
        mov     ecx, r12d
        TRY
        wrmsr
        ENDTRY
        cmp     qword [rel lib_last_vector], NO_VECTOR
        jne     %%skip
        inc     r15                     ; writable with its own value
%%skip:
        inc     r12d
        cmp     r12d, %2
        jbe     %%next
%endmacro

_start:
        LIB_INIT
        PASS    "msrsweep-started"
        xor     r14d, r14d
        xor     r15d, r15d
        SWEEP   0x00000000, 0x00001fff
        SWEEP   0x40000000, 0x400000ff
        SWEEP   0xc0000000, 0xc0001fff
        SWEEP   0xc0010000, 0xc00100ff
        call    lb_reset
        LB_STR  'msrsweep readable '
        mov     rax, r14
        call    lb_dec
        LB_STR  ' rewritable '
        mov     rax, r15
        call    lb_dec
        mov     al, 10
        call    lb_char
        call    lb_flush
        PASS    "msrsweep-survived"
        EXIT
