; shadow.asm - blocking by STI and by MOV SS lasts one instruction, also
; when that instruction is one Shale emulates (an MMIO load): an interrupt
; that waits for the end of the shadow is taken right after the MMIO
; instruction, not one instruction later. The timer's interrupt is made
; pending while IF = 0; then `sti` (or `sti; mov ss`) and the MMIO load
; run under the shadow, and the handler records where it came in.
; Needs `devices = testdev`.
        bits 64
        org 0x100000
%include "lib.inc"

%define TIMER_VECTOR    0x40
%define SHORT_TICKS     1000
%define SPIN_TICKS      1000000

%macro TSC 0
        lfence
        rdtsc
        shl     rdx, 32
        or      rax, rdx
%endmacro

; ARM_AND_WAIT - with IF = 0, arm the one-shot timer and spin until its
; interrupt has certainly become pending.
%macro ARM_AND_WAIT 0
        cli
        mov     qword [rel isr_rip], 0
        mov     edi, TIMER_VECTOR
        mov     esi, SHORT_TICKS
        HYPERCALL SHALE_HC_TIMER_ONESHOT
        TSC
        mov     r14, rax
%%spin:
        pause
        TSC
        sub     rax, r14
        cmp     rax, SPIN_TICKS
        jb      %%spin
%endmacro

_start:
        LIB_INIT
        SET_HANDLER TIMER_VECTOR, timer_isr
        mov     rbx, TESTDEV_MMIO + TESTDEV_MMIO_ID

        ARM_AND_WAIT
        sti
        mov     eax, [rbx]              ; STI shadow: emulated, then the interrupt
.after_sti_mmio:
        nop
        cli
        mov     r12, [rel isr_rip]
        lea     r13, [rel .after_sti_mmio]
        CHECK_EQ "shadow-sti-mmio", r12, r13

        ARM_AND_WAIT
        mov     cx, ss
        sti
        mov     ss, cx                  ; MOV SS shadow after STI's
        mov     eax, [rbx]              ; emulated, then the interrupt
.after_movss_mmio:
        nop
        cli
        mov     r12, [rel isr_rip]
        lea     r13, [rel .after_movss_mmio]
        CHECK_EQ "shadow-movss-mmio", r12, r13
        EXIT

timer_isr:
        push    rax
        mov     rax, [rsp + 8]          ; the interrupted RIP
        mov     [rel isr_rip], rax
        pop     rax
        iretq

section .data
        align   8, db 0
isr_rip:        dq 0
section .text
