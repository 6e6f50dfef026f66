; scan.asm - isolation. Run two copies at once, one with 16M and one with
; 18M of memory. Each fills its free RAM with a magic value derived from its
; own size, lets the other run, then searches its whole RAM for the other's
; magic (which it must not find), and finally reads one byte past its RAM,
; where Shale must stop it.
        bits 64
        org 0x100000
%include "lib.inc"

%define MAGIC 0x5348414c45534341      ; "SHALESCA"
%define FREE_START 0x200000            ; above the image and its stack

_start:
        LIB_INIT
        mov     r15, [rel lib_ram_size]
        mov     r14, MAGIC
        xor     r14, r15                ; my magic
        mov     r13, MAGIC
        mov     rax, (16 << 20) ^ (18 << 20)
        xor     rax, r15                ; the other's size
        xor     r13, rax                ; the other's magic

        mov     rdi, FREE_START         ; fill my free RAM with my magic
.fill:
        mov     [rdi], r14
        add     rdi, 8
        cmp     rdi, r15
        jb      .fill
        PASS    "scan-filled"

        mov     r12d, 5                 ; give the other guest time to fill
.wait:
        mov     esi, 200000
        mov     edi, 0x40
        SET_HANDLER 0x40, tick
        HYPERCALL SHALE_HC_TIMER_ONESHOT
        sti
        hlt
        cli
        dec     r12d
        jnz     .wait

        xor     edi, edi                ; search all of my RAM for the other's
.search:
        cmp     [rdi], r13
        je      .found
        add     rdi, 8
        cmp     rdi, r15
        jb      .search
        PASS    "scan-other-guest-invisible"
        mov     al, [r15]               ; one byte past my RAM
        FAIL    "scan-edge-not-stopped", "read past the end of RAM returned"
        EXIT_STATUS 1
.found:
        FAIL    "scan-other-guest-invisible", "found the other guest's magic"
        EXIT_STATUS 1

tick:
        iretq
