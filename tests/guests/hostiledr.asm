; hostiledr.asm - MOV DR while a debugger owns the debug registers: the
; gdb case `hostile-dr` (tests/emu/cases_hostile.py) holds a hardware
; breakpoint, so every MOV DR exits to Shale, which keeps the guest's own
; values aside. Writing 1 to bits 63:32 of DR6 or DR7 must give the guest
; #GP(0) (SDM Vol. 2B, MOV to/from debug registers), and must never reach
; the real registers: Shale loads the guest's values when the debugger
; lets go. Fixed addresses the test's gdb commands use:
;   0x100008 hbreak       (the hardware breakpoint; run once, at the end)
;   0x100010 release      dq 0 (gdb writes 1 after setting the hbreak)
        bits 64
        org 0x100000
%include "lib.inc"

CR4_DE  equ 3

_start:
        jmp     start
        times 8 - ($ - $$) db 0x90
hbreak:
        ret
        times 0x10 - ($ - $$) db 0x90
release:
        dq      0

start:
        LIB_INIT
        PRINT   "hostiledr: waiting for gdb", 10
.wait:
        pause
        cmp     qword [rel release], 0
        je      .wait

        ; --- the debugger's DR7 is loaded, but MOV DR shows the guest's own
        mov     rax, dr7
        mov     r12, rax
        CHECK_EQ "hostiledr-dr7-own-view", r12, 0x400

        ; --- bits 63:32 of DR7 and DR6: #GP(0), nothing stored
        mov     rax, 1 << 32
        TRY
        mov     dr7, rax
        ENDTRY
        CHECK_FAULT "hostiledr-dr7-upper-gp", 13
        mov     rax, 0xffffffff00000000
        TRY
        mov     dr6, rax
        ENDTRY
        CHECK_FAULT "hostiledr-dr6-upper-gp", 13
        mov     rax, dr7
        mov     r12, rax
        CHECK_EQ "hostiledr-dr7-unchanged", r12, 0x400
        mov     rax, dr6
        mov     r12, rax
        shr     r12, 32
        CHECK_EQ "hostiledr-dr6-unchanged", r12, 0

        ; --- CR4.DE clear: DR4/DR5 are DR6/DR7, with the same rule
        mov     rax, 1 << 32
        TRY
        mov     dr5, rax
        ENDTRY
        CHECK_FAULT "hostiledr-dr5-upper-gp", 13
        mov     rax, 0x700
        TRY
        mov     dr5, rax
        ENDTRY
        CHECK_NO_FAULT "hostiledr-dr5-alias-write"
        mov     rax, dr7
        mov     r12, rax
        CHECK_EQ "hostiledr-dr5-alias-dr7", r12, 0x700
        mov     rax, 0x12345678
        mov     dr0, rax

        ; --- CR4.DE set: DR4/DR5 are reserved, #UD
        mov     rax, cr4
        mov     r13, rax
        bts     rax, CR4_DE
        mov     cr4, rax
        TRY
        mov     rax, dr4
        ENDTRY
        CHECK_FAULT "hostiledr-dr4-de-ud", 6
        mov     cr4, r13

        ; --- the breakpoint: gdb deletes it and lets go, Shale loads the
        ; guest's own values into the real registers (no exits now)
        call    hbreak
        mov     rax, dr0
        mov     r12, rax
        CHECK_EQ "hostiledr-dr0-restored", r12, 0x12345678
        mov     rax, dr7
        mov     r12, rax
        CHECK_EQ "hostiledr-dr7-restored", r12, 0x700
        xor     eax, eax
        mov     dr7, rax
        EXIT
