; gdbtarget.asm - a program for the GDB stub test to debug. It counts in a
; loop until something writes 1 to `release` (the debugger does), then
; says so and exits. The labels sit at fixed addresses, which the test's
; gdb commands use (there are no symbols):
;   0x100100 loop      inc rbx
;   0x100103           mov eax, 0x1234abcd
;   0x100108 bp_here   mov rcx, rbx         (software breakpoint, stepi)
;   0x10010b           mov [counter], rbx   (write watchpoint)
;   0x100180 released                       (hardware breakpoint)
;   0x100200 release   dq 0
;   0x100208 counter   dq 0
        bits 64
        org 0x100000
%include "lib.inc"

_start:
        LIB_INIT
        PRINT   "gdbtarget: waiting for gdb", 10
        xor     ebx, ebx
        jmp     loop

        times 0x100 - ($ - $$) db 0x90
loop:
        inc     rbx
        mov     eax, 0x1234abcd
        times 0x108 - ($ - $$) db 0x90
bp_here:
        mov     rcx, rbx
        times 0x10b - ($ - $$) db 0x90
        mov     [rel counter], rbx
        pause
        cmp     qword [rel release], 0
        je      loop

        times 0x180 - ($ - $$) db 0x90
released:
        PRINT   "gdbtarget: released by the debugger", 10
        PASS    "gdbtarget-released"
        EXIT

        times 0x200 - ($ - $$) db 0
release:
        dq      0
counter:
        dq      0
