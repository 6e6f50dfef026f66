; vmcall.asm - the hypercall ABI (docs/hypercalls.md): results, error
; numbers, preserved registers. Exits with status 0 when all pass.
        bits 64
        org 0x100000
%include "lib.inc"

%define TIMER_VECTOR    0x41

_start:
        LIB_INIT

        ; SHALE_HC_VERSION: major << 16 | minor, > 0
        HYPERCALL SHALE_HC_VERSION
        mov     r12, rax
        test    r12, r12
        jg      .version_ok
        FAIL_VAL "vmcall-version", 'not positive:', r12
        jmp     .version_done
.version_ok:
        PASS    "vmcall-version"
.version_done:

        ; unknown hypercall number
        HYPERCALL 0x7777
        mov     r12, rax
        CHECK_EQ "vmcall-unknown-enosys", r12, SHALE_ENOSYS

        ; CONSOLE_WRITE returns the length; the text is itself a PASS line
        lea     rdi, [rel console_line]
        mov     esi, console_line_len
        HYPERCALL SHALE_HC_CONSOLE_WRITE
        mov     r12, rax
        CHECK_EQ "vmcall-console-returns-length", r12, console_line_len

        ; CONSOLE_WRITE from beyond RAM
        mov     edi, 0x80000000
        mov     esi, 16
        HYPERCALL SHALE_HC_CONSOLE_WRITE
        mov     r12, rax
        CHECK_EQ "vmcall-console-efault", r12, SHALE_EFAULT

        ; CONSOLE_WRITE straddling the end of RAM (RDI at entry = RAM size)
        mov     rdi, [rel lib_ram_size]
        sub     rdi, 8
        mov     esi, 16
        HYPERCALL SHALE_HC_CONSOLE_WRITE
        mov     r12, rax
        CHECK_EQ "vmcall-console-straddle-efault", r12, SHALE_EFAULT

        ; CONSOLE_WRITE longer than 4096 bytes: out of range
        mov     edi, 0x200000           ; inside RAM (16M), zeroed
        mov     esi, 4097
        HYPERCALL SHALE_HC_CONSOLE_WRITE
        mov     r12, rax
        CHECK_EQ "vmcall-console-too-long-einval", r12, SHALE_EINVAL

        ; TIMER with a vector below 32, and above 255
        mov     edi, 5
        mov     esi, 1000
        HYPERCALL SHALE_HC_TIMER_ONESHOT
        mov     r12, rax
        CHECK_EQ "vmcall-timer-vector-einval", r12, SHALE_EINVAL
        mov     edi, 256
        mov     esi, 1000
        HYPERCALL SHALE_HC_TIMER_ONESHOT
        mov     r12, rax
        CHECK_EQ "vmcall-timer-vector-256-einval", r12, SHALE_EINVAL

        ; TIMER with the largest delay: the deadline saturates, it must
        ; not wrap around and fire at once
        SET_HANDLER TIMER_VECTOR, timer_isr
        mov     edi, TIMER_VECTOR
        mov     rsi, -1                 ; 2^64 - 1 ticks
        HYPERCALL SHALE_HC_TIMER_ONESHOT
        mov     r12, rax
        CHECK_EQ "vmcall-timer-max-delay-accepted", r12, 0
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        mov     r14, rax
        sti
.timer_spin:                            ; IF=1 for 1000000 ticks
        pause
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        sub     rax, r14
        cmp     rax, 1000000
        jb      .timer_spin
        cli
        mov     r12, [rel timer_ticks]
        CHECK_EQ "vmcall-timer-max-delay-not-fired", r12, 0
        ; a short one replaces it, and does fire
        mov     edi, TIMER_VECTOR
        mov     esi, 1000
        HYPERCALL SHALE_HC_TIMER_ONESHOT
        sti
        hlt
        cli
        mov     r12, [rel timer_ticks]
        CHECK_EQ "vmcall-timer-short-fires", r12, 1

        ; STAT(1) = VM exits of this vCPU: grows across hypercalls
        mov     edi, 1
        HYPERCALL SHALE_HC_STAT
        mov     r12, rax
        HYPERCALL SHALE_HC_VERSION
        mov     edi, 1
        HYPERCALL SHALE_HC_STAT
        mov     r13, rax
        cmp     r13, r12
        ja      .stat_ok
        FAIL_VAL "vmcall-stat-exits", 'did not grow, now', r13
        jmp     .stat_done
.stat_ok:
        PASS    "vmcall-stat-exits"
.stat_done:

        ; every register but RAX is preserved
        mov     [rel saved_rsp], rsp
        mov     rbx, 0x1111111111111101
        mov     rcx, 0x2222222222222202
        mov     rdx, 0x3333333333333303
        mov     rsi, 0x4444444444444404
        mov     rdi, 0x5555555555555505
        mov     rbp, 0x6666666666666606
        mov     r8,  0x7777777777777707
        mov     r9,  0x8888888888888808
        mov     r10, 0x9999999999999909
        mov     r11, 0xAAAAAAAAAAAAAA0A
        mov     r12, 0xBBBBBBBBBBBBBB0B
        mov     r13, 0xCCCCCCCCCCCCCC0C
        mov     r14, 0xDDDDDDDDDDDDDD0D
        mov     r15, 0xEEEEEEEEEEEEEE0E
        xor     eax, eax                ; SHALE_HC_VERSION, no arguments used
        vmcall
        mov     [rel after_regs + 0 * 8], rbx
        mov     [rel after_regs + 1 * 8], rcx
        mov     [rel after_regs + 2 * 8], rdx
        mov     [rel after_regs + 3 * 8], rsi
        mov     [rel after_regs + 4 * 8], rdi
        mov     [rel after_regs + 5 * 8], rbp
        mov     [rel after_regs + 6 * 8], r8
        mov     [rel after_regs + 7 * 8], r9
        mov     [rel after_regs + 8 * 8], r10
        mov     [rel after_regs + 9 * 8], r11
        mov     [rel after_regs + 10 * 8], r12
        mov     [rel after_regs + 11 * 8], r13
        mov     [rel after_regs + 12 * 8], r14
        mov     [rel after_regs + 13 * 8], r15
        mov     [rel after_regs + 14 * 8], rsp
        mov     rax, [rel saved_rsp]
        mov     [rel expect_regs + 14 * 8], rax
        ; compare
        lea     rsi, [rel after_regs]
        lea     rdi, [rel expect_regs]
        xor     ecx, ecx
.cmp:
        mov     rax, [rsi + rcx * 8]
        cmp     rax, [rdi + rcx * 8]
        jne     .regs_bad
        inc     ecx
        cmp     ecx, 15
        jb      .cmp
        PASS    "vmcall-preserves-registers"
        jmp     .regs_done
.regs_bad:
        FAIL_VAL "vmcall-preserves-registers", 'a register changed, it holds', rax
.regs_done:

        EXIT

; TIMER_VECTOR: count and return (no EOI: there is no APIC).
timer_isr:
        inc     qword [rel timer_ticks]
        iretq

section .data
        align   8, db 0
timer_ticks:    dq 0
console_line:   db 'PASS vmcall-console-write', 10
console_line_len equ $ - console_line
        align   8, db 0
saved_rsp:      dq 0
expect_regs:    dq 0x1111111111111101, 0x2222222222222202, 0x3333333333333303
                dq 0x4444444444444404, 0x5555555555555505, 0x6666666666666606
                dq 0x7777777777777707, 0x8888888888888808, 0x9999999999999909
                dq 0xAAAAAAAAAAAAAA0A, 0xBBBBBBBBBBBBBB0B, 0xCCCCCCCCCCCCCC0C
                dq 0xDDDDDDDDDDDDDD0D, 0xEEEEEEEEEEEEEE0E, 0
after_regs:     times 15 dq 0
section .text
