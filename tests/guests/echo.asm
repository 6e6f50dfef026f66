; echo.asm - reads what the person types (SHALE_HC_CONSOLE_READ, polled
; every few milliseconds with HLT and the one-shot timer) and prints each
; line back as "got: <line>". Exits when it reads the line "quit".
        bits 64
        org 0x100000
%include "lib.inc"

%define SHALE_HC_CONSOLE_READ 5

_start:
        LIB_INIT
        SET_HANDLER 0x40, tick
        PASS    "echo-ready"
        call    lb_reset
        LB_STR  "got: "
.poll:
        lea     rdi, [rel inbuf]
        mov     esi, 64
        HYPERCALL SHALE_HC_CONSOLE_READ
        test    rax, rax
        jz      .sleep
        lea     rbx, [rel inbuf]
        mov     rcx, rax
.byte:
        mov     al, [rbx]
        inc     rbx
        cmp     al, 13
        je      .line
        cmp     al, 10
        je      .line
        call    lb_char
        jmp     .next
.line:
        mov     rax, [rel lib_line_len]
        cmp     rax, 5                  ; "got: " alone: an empty line
        je      .next
        mov     rdx, rax
        lea     rsi, [rel lib_line]
        cmp     rdx, 9
        jne     .print
        cmp     dword [rsi + 5], 'quit'
        je      .quit
.print:
        mov     al, 10
        call    lb_char
        call    lb_flush
        call    lb_reset
        LB_STR  "got: "
.next:
        dec     rcx
        jnz     .byte
        jmp     .poll
.sleep:
        mov     edi, 0x40
        mov     esi, 400000             ; 2 ms at Bochs' 200 MHz
        HYPERCALL SHALE_HC_TIMER_ONESHOT
        sti
        hlt
        cli
        jmp     .poll
.quit:
        PASS    "echo-quit"
        EXIT

tick:
        iretq

section .data
inbuf:  times 64 db 0
