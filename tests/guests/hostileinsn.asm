; hostileinsn.asm - instructions that would reach the host's hardware if
; Shale let them: RDPMC (the host's performance counters) must be #GP(0),
; as on a processor without performance monitoring (CPUID leaf 0xA reads
; 0); WBINVD and INVD complete, and are no-ops (nothing here can tell).
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT

        xor     ecx, ecx                ; general-purpose counter 0
        TRY
        rdpmc
        ENDTRY
        CHECK_FAULT "hostileinsn-rdpmc-gp0", 13
        mov     r12, [rel lib_last_error]
        CHECK_EQ "hostileinsn-rdpmc-error-0", r12, 0

        mov     ecx, 1 << 30            ; fixed-function counter 0
        TRY
        rdpmc
        ENDTRY
        CHECK_FAULT "hostileinsn-rdpmc-fixed-gp", 13

        TRY
        wbinvd
        ENDTRY
        CHECK_NO_FAULT "hostileinsn-wbinvd-completes"
        TRY
        invd
        ENDTRY
        CHECK_NO_FAULT "hostileinsn-invd-completes"
        EXIT
