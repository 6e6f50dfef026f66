; portsweep.asm - reads every I/O port at every width and writes back what
; it read: 65536 x 3 reads and as many writes, all through Shale's I/O
; exit and whatever device model claims the port. Shale must survive, and
; the guest too (it has `devices = testdev`, whose fault port is refused
; while selftest is off).
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT
        PASS    "portsweep-started"
        xor     r12d, r12d              ; port
.next:
        mov     edx, r12d
        in      al, dx
        out     dx, al
        in      ax, dx
        out     dx, ax
        in      eax, dx
        out     dx, eax
        inc     r12d
        cmp     r12d, 0x10000
        jb      .next
        PASS    "portsweep-survived"
        EXIT
