; tfstep.asm - RFLAGS.TF after instructions Shale emulates: the CPU traps
; after every instruction, so a single-step #DB must come after OUT, CPUID,
; an MMIO load, VMCALL and each iteration of REP OUTSB, each with RIP just
; after it (the REP's first iteration: on the instruction itself, RCX one
; less) and DR6.BS set. The #DB handler records RIP, RCX and DR6 of each
; trap and clears TF at the end label (or after MAX_TRAPS).
; Needs `devices = testdev`.
        bits 64
        org 0x100000
%include "lib.inc"

%define MAX_TRAPS       8
%define DR6_BS          14

; TRAP n, "rip-check", "bs-check", expected-rip - record n: RIP, DR6.BS.
%macro TRAP 4
        mov     r12, [rel trap_rip + %1 * 8]
        lea     r13, [rel %4]
        CHECK_EQ %2, r12, r13
        mov     r12, [rel trap_dr6 + %1 * 8]
        CHECK_BIT %3, r12, DR6_BS, 1
%endmacro

_start:
        LIB_INIT
        SET_HANDLER 1, db_isr
        mov     r15, TESTDEV_MMIO + TESTDEV_MMIO_ID
        mov     dx, TESTDEV_PORT_SCRATCH
        lea     rsi, [rel out_bytes]
        xor     eax, eax
        mov     dr6, rax

        pushfq
        or      qword [rsp], 0x100      ; TF: traps start after the next one
        popfq
        out     dx, al
.after_out:
        cpuid                           ; leaf 0 (clobbers EDX: after OUT)
.after_cpuid:
        mov     eax, [r15]
.after_mmio:
        mov     eax, SHALE_HC_VERSION
.after_mov:
        vmcall
.after_vmcall:
        mov     ecx, 2
.after_mov_ecx:
.rep_outs:
        rep outsb
.after_rep:
.stop:                                  ; the handler clears TF here
        nop

        mov     r12, [rel trap_count]
        CHECK_EQ "tfstep-count", r12, 8
        TRAP    0, "tfstep-out-rip", "tfstep-out-bs", .after_out
        TRAP    1, "tfstep-cpuid-rip", "tfstep-cpuid-bs", .after_cpuid
        TRAP    2, "tfstep-mmio-rip", "tfstep-mmio-bs", .after_mmio
        TRAP    3, "tfstep-mov-rip", "tfstep-mov-bs", .after_mov
        TRAP    4, "tfstep-vmcall-rip", "tfstep-vmcall-bs", .after_vmcall
        TRAP    5, "tfstep-mov-ecx-rip", "tfstep-mov-ecx-bs", .after_mov_ecx
        TRAP    6, "tfstep-rep1-rip", "tfstep-rep1-bs", .rep_outs
        mov     r12, [rel trap_rcx + 6 * 8]
        CHECK_EQ "tfstep-rep1-rcx", r12, 1
        TRAP    7, "tfstep-rep2-rip", "tfstep-rep2-bs", .after_rep
        mov     r12, [rel trap_rcx + 7 * 8]
        CHECK_EQ "tfstep-rep2-rcx", r12, 0
        EXIT

; #DB: record, clear DR6 (its bits are sticky), stop stepping at `stop`.
db_isr:
        push    rax
        push    rdx
        mov     rdx, [rel trap_count]
        cmp     rdx, MAX_TRAPS
        jae     .clear_tf
        push    rbx
        mov     rax, [rsp + 24]         ; RIP
        lea     rbx, [rel trap_rip]
        mov     [rbx + rdx * 8], rax
        lea     rbx, [rel trap_rcx]
        mov     [rbx + rdx * 8], rcx
        mov     rax, dr6
        lea     rbx, [rel trap_dr6]
        mov     [rbx + rdx * 8], rax
        pop     rbx
        inc     qword [rel trap_count]
        lea     rax, [rel _start.stop]
        cmp     [rsp + 16], rax
        jne     .done
.clear_tf:
        and     qword [rsp + 32], ~0x100
.done:
        xor     eax, eax
        mov     dr6, rax
        pop     rdx
        pop     rax
        iretq

section .data
        align   8, db 0
trap_count:     dq 0
trap_rip:       times MAX_TRAPS dq 0
trap_rcx:       times MAX_TRAPS dq 0
trap_dr6:       times MAX_TRAPS dq 0
out_bytes:      db 0x11, 0x22
section .text
