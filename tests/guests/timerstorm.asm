; timerstorm.asm - 50000 times: arm the one-shot timer hypercall with a
; delay of 1 or 2 ticks and take its interrupt at once. A storm of exits
; and injections that only the storming guest may pay for.
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT
        SET_HANDLER 0x40, tick
        PASS    "timerstorm-started"
        xor     r12d, r12d
        xor     r13d, r13d              ; interrupts taken
.again:
        mov     edi, 0x40
        mov     esi, r12d
        and     esi, 1
        inc     esi                     ; 1 or 2 (0 would cancel it)
        HYPERCALL SHALE_HC_TIMER_ONESHOT
        sti
        hlt
        cli
        inc     r12d
        cmp     r12d, 50000
        jb      .again
        CHECK_EQ "timerstorm-all-taken", r13, 50000
        EXIT

tick:
        inc     r13
        iretq
