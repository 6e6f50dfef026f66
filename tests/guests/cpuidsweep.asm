; cpuidsweep.asm - CPUID of every basic, hypervisor and extended leaf up to
; past its range, each with subleaves 0-3 and 0xffffffff: every one must
; return (no #UD, no exit Shale cannot handle).
        bits 64
        org 0x100000
%include "lib.inc"

%macro LEAVES 2
        mov     r12d, %1
%%leaf:
        xor     r13d, r13d
%%sub:
        mov     eax, r12d
        mov     ecx, r13d
        cpuid
        inc     r13d
        cmp     r13d, 4
        jb      %%sub
        mov     eax, r12d
        mov     ecx, 0xffffffff
        cpuid
        inc     r12d
        cmp     r12d, %2
        jbe     %%leaf
%endmacro

_start:
        LIB_INIT
        PASS    "cpuidsweep-started"
        LEAVES  0x00000000, 0x0000003f
        LEAVES  0x40000000, 0x4000003f
        LEAVES  0x80000000, 0x8000003f
        LEAVES  0xfffffff0, 0xfffffffe
        mov     eax, 0xffffffff
        xor     ecx, ecx
        cpuid
        PASS    "cpuidsweep-survived"
        EXIT
