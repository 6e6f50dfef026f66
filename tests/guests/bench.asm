; bench.asm - cost of each kind of VM exit. For each operation: 10 warm-up
; iterations, then N = 1000 timed ones (LFENCE; RDTSC around the loop);
; prints "BENCH <name> <ticks-per-op>" (decimal, integer division).
; `baseline` is the same loop with an empty body: subtract it.
; Needs `devices = testdev`.
        bits 64
        org 0x100000
%include "lib.inc"

%define BENCH_WARMUP    10
%define BENCH_N         1000

; BENCH_BEGIN "name" ... body ... BENCH_END
; The body runs BENCH_WARMUP times untimed, then BENCH_N times timed.
; It may clobber RAX, RBX, RCX, RDX, RSI, RDI (not R12-R15).
;   R12 = iterations left, R13 = phase (0 warm-up, 1 timed), R14 = start TSC
%macro BENCH_BEGIN 1
        %push bench
        %define %$name %1
        call    settle
        xor     r13d, r13d
        mov     r12d, BENCH_WARMUP
%$again:
        lfence
        rdtsc
        lfence
        shl     rdx, 32
        or      rax, rdx
        mov     r14, rax
align 16
%$loop:
%endmacro

%macro BENCH_END 0
        dec     r12d
        jnz     %$loop
        lfence
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        test    r13d, r13d
        jnz     %$timed
        inc     r13d                    ; warm-up done: now the timed run
        mov     r12d, BENCH_N
        jmp     %$again
%$timed:
        sub     rax, r14
        xor     edx, edx
        mov     ecx, BENCH_N
        div     rcx                     ; ticks per operation
        call    lb_reset
        LB_STR  'BENCH ', %$name, ' '
        call    lb_dec
        mov     al, 10
        call    lb_char
        call    lb_flush
        %pop
%endmacro

_start:
        LIB_INIT

        BENCH_BEGIN 'baseline'
        BENCH_END

        BENCH_BEGIN 'cpuid'
        mov     eax, 0x40000000
        xor     ecx, ecx
        cpuid
        BENCH_END

        BENCH_BEGIN 'vmcall'
        xor     eax, eax                ; SHALE_HC_VERSION
        vmcall
        BENCH_END

        BENCH_BEGIN 'io-out'
        mov     edx, TESTDEV_PORT_SCRATCH
        out     dx, al
        BENCH_END

        BENCH_BEGIN 'io-in'
        mov     edx, TESTDEV_PORT_SCRATCH
        in      al, dx
        BENCH_END

        BENCH_BEGIN 'msr-read'
        mov     ecx, 0x277              ; IA32_PAT
        rdmsr
        BENCH_END

        BENCH_BEGIN 'mmio-write'
        mov     ebx, TESTDEV_MMIO
        mov     [rbx], eax
        BENCH_END

        BENCH_BEGIN 'mmio-read'
        mov     ebx, TESTDEV_MMIO
        mov     eax, [rbx]
        BENCH_END

        EXIT

; settle: sleep 5 ms (HLT until the one-shot timer), so that Shale drains
; the console output of the previous operation before the next is timed:
; the host console is written between guest runs, and would otherwise land
; inside a measurement.
settle:
        push    rax
        push    rdi
        push    rsi
        SET_HANDLER 0x40, settle_tick
        mov     edi, 0x40
        mov     esi, 1000000
        HYPERCALL SHALE_HC_TIMER_ONESHOT
        sti
        hlt
        cli
        pop     rsi
        pop     rdi
        pop     rax
        ret

settle_tick:
        iretq

