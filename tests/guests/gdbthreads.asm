; gdbthreads.asm - a guest with two vCPUs (vcpus = 2, devices = pc) for
; the GDB stub's thread test: each vCPU holds its own value in RBX, so
; that "thread N" + "info registers rbx" shows whose registers GDB reads.
; vCPU 0 starts vCPU 1 (INIT, start-up IPI with vector 0: real mode, CS
; base 0, so its IP is its linear address and GDB's breakpoint addresses
; need no segment arithmetic). Fixed addresses for the test's gdb commands:
;   vCPU 0: rbx = 0x1111111111111111, counts in `counter` until
;           `release` is not 0 (a held vCPU 0 does not count)
;   vCPU 1: rbx = 0x22222222, spins in ap_loop at 0x20 (only it goes there)
;   0x100200 release   dq 0  (the debugger writes 1, then detaches)
;   0x100208 counter   dq 0
        bits 64
        org 0x100000
%include "lib.inc"

%define LAPIC           0xfee00000
%define ICR_LO          0x300
%define ICR_HI          0x310
%define DM_INIT         (5 << 8)
%define DM_SIPI         (6 << 8)
%define ASSERT          (1 << 14)
%define SIBLING         (1 << 24)
%define STARTED         0x9000          ; vCPU 1 counts itself here
%define WAIT_TICKS      400000000       ; 2 s at Bochs' 200 MHz

_start:
        LIB_INIT
        cli
        lea     rsi, [rel ap]
        xor     edi, edi
        mov     ecx, ap_end - ap
        rep movsb
        mov     dword [STARTED], 0
        mov     r15, LAPIC
        mov     dword [r15 + ICR_HI], SIBLING
        mov     dword [r15 + ICR_LO], DM_INIT | ASSERT
        mov     dword [r15 + ICR_HI], SIBLING
        mov     dword [r15 + ICR_LO], DM_SIPI | 0
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        mov     r8, rax
.wait:
        cmp     dword [STARTED], 0
        jne     .started
        pause
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        sub     rax, r8
        cmp     rax, WAIT_TICKS
        jb      .wait
        FAIL    "gdbthreads-ap", "vCPU 1 did not start"
        EXIT
.started:
        PASS    "gdbthreads-ap"
        PRINT   "gdbthreads: waiting for gdb", 10
        mov     rbx, 0x1111111111111111
.spin:
        inc     qword [rel counter]
        pause
        cmp     qword [rel release], 0
        je      .spin
        PRINT   "gdbthreads: released by the debugger", 10
        PASS    "gdbthreads-released"
        EXIT

; vCPU 1's code, copied to guest-physical 0 (CS = 0, IP = 0 at start-up).
        bits 16
ap:
        xor     ax, ax
        mov     ds, ax
        mov     ebx, 0x22222222
        lock inc dword [STARTED]
        times 0x20 - ($ - ap) db 0x90
ap_loop:                                ; 0x20
        inc     ecx
        pause
        jmp     ap_loop
ap_end:
        bits 64

        times 0x200 - ($ - $$) db 0
release:
        dq      0
counter:
        dq      0
