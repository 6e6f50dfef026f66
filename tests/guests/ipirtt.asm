; ipirtt.asm - IPI round trip between the two vCPUs of one guest (vcpus = 2,
; devices = pc). vCPU 0 starts vCPU 1 with INIT and a start-up IPI; both
; put their local APIC in x2APIC mode, so that the ICR is one WRMSR. Then,
; RTT_WARMUP + RTT_N times in each of two ways, vCPU 0 sends a fixed IPI
; (vector 0x42) to vCPU 1, whose handler sends one back (vector 0x41), and
; vCPU 0 times, with RDTSC, from before its ICR write to the end of its
; own handler:
;   hlt   vCPU 0 waits in HLT, as an idle kernel does;
;   spin  vCPU 0 spins with interrupts on, as a kernel waiting for a
;         cross-CPU call does.
; Prints "BENCH ipirtt-<way> min <ticks> median <ticks>" (tests/emu/bench.py)
; and checks that every IPI came, and each exactly once.
        bits 64
        org 0x100000
%include "lib.inc"

%define IA32_APIC_BASE  0x1b
%define X2_EOI          0x80b
%define X2_SVR          0x80f
%define X2_ICR          0x830
%define BASE_EXTD       0x400
%define DM_FIXED        (0 << 8)
%define DM_INIT         (5 << 8)
%define DM_SIPI         (6 << 8)
%define ASSERT          (1 << 14)
%define PING            0x42            ; vCPU 0 -> vCPU 1
%define PONG            0x41            ; vCPU 1 -> vCPU 0
%define STUB            0x8000          ; SIPI vector 8
%define AP_READY        0x9000          ; vCPU 1 is in x2APIC mode
%define AP_GOT          0x9004          ; pings vCPU 1 took
%define WAIT_TICKS      200000000       ; 1 s at Bochs' 200 MHz
%define RTT_WARMUP      16
%define RTT_N           256             ; a power of two: median = [N / 2]
%define ROUNDS          (2 * (RTT_WARMUP + RTT_N))

; WRMSR_IMM msr, value64
%macro WRMSR_IMM 2
        mov     ecx, %1
        mov     rax, %2
        mov     rdx, rax
        shr     rdx, 32
        wrmsr
%endmacro

; RTT way, "name": RTT_WARMUP untimed rounds, RTT_N timed ones into
; rtt_times[], then the BENCH line. way: 0 hlt, 1 spin.
%macro RTT 2
        mov     r13d, %1
        mov     r12d, RTT_WARMUP
%%warm:
        call    round_trip
        test    rax, rax
        jz      %%lost
        dec     r12d
        jnz     %%warm
        xor     r12d, r12d
%%timed:
        call    round_trip
        test    rax, rax
        jz      %%lost
        lea     rbx, [rel rtt_times]
        mov     [rbx + r12 * 8], rax
        inc     r12d
        cmp     r12d, RTT_N
        jb      %%timed
        call    sort_times
        call    lb_reset
        LB_STR  'BENCH ipirtt-', %2, ' min '
        mov     rax, [rel rtt_times]
        call    lb_dec
        LB_STR  ' median '
        mov     rax, [rel rtt_times + RTT_N / 2 * 8]
        call    lb_dec
        mov     al, 10
        call    lb_char
        call    lb_flush
        PRINT   'PASS ipirtt-', %2, 10
        jmp     %%done
%%lost:
        PRINT   'FAIL ipirtt-', %2, ': an IPI got no answer within 1 s', 10
        mov     byte [rel lib_failed], 1
        EXIT
%%done:
%endmacro

_start:
        LIB_INIT
        cli
        SET_HANDLER PONG, pong

        ; x2APIC mode, software-enabled.
        mov     ecx, IA32_APIC_BASE
        rdmsr
        or      eax, BASE_EXTD
        wrmsr
        WRMSR_IMM X2_SVR, 0x1ff

        ; vCPU 1: a real-mode stub, its ping handler in the real-mode IVT.
        lea     rsi, [rel stub]
        mov     edi, STUB
        mov     ecx, stub_end - stub
        rep movsb
        mov     word [PING * 4], ap_ping - stub
        mov     word [PING * 4 + 2], STUB >> 4
        mov     dword [AP_READY], 0
        mov     dword [AP_GOT], 0
        WRMSR_IMM X2_ICR, (1 << 32) | DM_INIT | ASSERT
        WRMSR_IMM X2_ICR, (1 << 32) | DM_SIPI | (STUB >> 12)
        call    wait_ready
        test    eax, eax
        jnz     .ready
        FAIL    "ipirtt-ap-started", "vCPU 1 did not start within 1 s"
        EXIT
.ready:
        PASS    "ipirtt-ap-started"

        RTT     0, "hlt"
        RTT     1, "spin"

        ; Every ping answered, none twice: as many pings taken as sent,
        ; as many pongs. A late duplicate would show after a while.
        mov     r9d, 20
.settle:
        pause
        dec     r9d
        jnz     .settle
        mov     eax, [AP_GOT]
        CHECK_EQ "ipirtt-pings", rax, ROUNDS
        mov     eax, [rel pongs]
        CHECK_EQ "ipirtt-pongs", rax, ROUNDS
        EXIT

; One ping and its pong; r13 = 0: wait in HLT, 1: spin. RAX = the ticks
; it took, or 0 when no pong came within WAIT_TICKS.
round_trip:
        push    rbx
        push    r8
        mov     ebx, [rel pongs]
        inc     ebx                     ; the count to wait for
        lfence
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        mov     r8, rax
        WRMSR_IMM X2_ICR, (1 << 32) | DM_FIXED | PING
.wait:
        cmp     [rel pongs], ebx
        jae     .got
        test    r13d, r13d
        jnz     .spin
        sti
        hlt                             ; the pong ends it (STI's shadow
        cli                             ; keeps it for after the HLT)
        jmp     .check
.spin:
        sti                             ; on until the pong or the timeout
        pause
.check:
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        sub     rax, r8
        cmp     rax, WAIT_TICKS
        jb      .wait
        xor     eax, eax
        jmp     .out
.got:
        cli
        lfence
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        sub     rax, r8
.out:
        cli
        pop     r8
        pop     rbx
        ret

; eax = 1 once vCPU 1 says it is ready, 0 after WAIT_TICKS.
wait_ready:
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        mov     r8, rax
.loop:
        cmp     dword [AP_READY], 1
        je      .yes
        pause
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        sub     rax, r8
        cmp     rax, WAIT_TICKS
        jb      .loop
        xor     eax, eax
        ret
.yes:
        mov     eax, 1
        ret

; rtt_times[0 .. RTT_N - 1] in ascending order (insertion sort: 256 entries).
sort_times:
        lea     rsi, [rel rtt_times]
        mov     ecx, 1
.outer:
        cmp     ecx, RTT_N
        jae     .done
        mov     rax, [rsi + rcx * 8]
        mov     edx, ecx
.inner:
        test    edx, edx
        jz      .place
        mov     rbx, [rsi + rdx * 8 - 8]
        cmp     rbx, rax
        jbe     .place
        mov     [rsi + rdx * 8], rbx
        dec     edx
        jmp     .inner
.place:
        mov     [rsi + rdx * 8], rax
        inc     ecx
        jmp     .outer
.done:
        ret

pong:
        push    rax
        push    rcx
        push    rdx
        lock inc dword [rel pongs]
        mov     ecx, X2_EOI
        xor     eax, eax
        xor     edx, edx
        wrmsr
        pop     rdx
        pop     rcx
        pop     rax
        iretq

; vCPU 1, in real mode at CS = 0x800, IP = 0: its APIC into x2APIC mode,
; then it halts, answering each ping with a pong.
        bits 16
stub:
        xor     ax, ax
        mov     ds, ax
        mov     ss, ax
        mov     sp, 0x7000
        mov     ecx, IA32_APIC_BASE
        rdmsr
        or      eax, BASE_EXTD
        wrmsr
        mov     ecx, X2_SVR
        mov     eax, 0x1ff
        xor     edx, edx
        wrmsr
        mov     dword [AP_READY], 1
.halt:
        sti
        hlt
        jmp     .halt
ap_ping:
        push    eax
        push    ecx
        push    edx
        lock inc dword [AP_GOT]
        mov     ecx, X2_ICR
        mov     eax, DM_FIXED | PONG
        xor     edx, edx                ; x2APIC ID 0
        wrmsr
        mov     ecx, X2_EOI
        xor     eax, eax
        wrmsr
        pop     edx
        pop     ecx
        pop     eax
        iret
stub_end:
        bits 64

        section .data
pongs:          dd 0
        align 8
rtt_times:      times RTT_N dq 0
