; SPDX-License-Identifier: MIT
; The AP start-up code: from the real mode a start-up IPI leaves an AP in
; (CS = vector << 8, IP = 0) to long mode on Shale's page tables, then a
; call of params.entry(params.percpu). Copied below 1 MiB by arch/x86/smp.c,
; so it may not refer to its own address: everything that depends on
; where it runs (far pointers, the GDT's address) CPU 0 writes into the
; parameters (arch/x86/ap_trampoline.h, offsets repeated here).
; The path is the one the SDM gives, Vol. 3A, 10.9 "Mode switching" and
; 10.8.5 "Initializing IA-32e mode". It uses no stack until Shale's.

%define PARAMS      0xf00
%define P_GDTR      (PARAMS + 0x00)
%define P_FAR32     (PARAMS + 0x08)
%define P_FAR64     (PARAMS + 0x10)
%define P_TMP_CR3   (PARAMS + 0x18)
%define P_EFER      (PARAMS + 0x1c)
%define P_CR3       (PARAMS + 0x20)
%define P_CR4       (PARAMS + 0x28)
%define P_CR0       (PARAMS + 0x30)
%define P_STACK     (PARAMS + 0x38)
%define P_PERCPU    (PARAMS + 0x40)
%define P_ENTRY     (PARAMS + 0x48)
%define P_APIC_ID   (PARAMS + 0x50)
%define AP_CLAIMED  0xfffffffe

section .text
global ap_trampoline_start, ap_trampoline_end
global ap_trampoline_pm32, ap_trampoline_lm64

bits 16
ap_trampoline_start:
	cli
	cld
	mov ax, cs
	mov ds, ax
	xor esi, esi
	mov si, ax
	shl esi, 4                      ; esi = where this page is
	o32 lgdt [P_GDTR]
	mov eax, cr0
	or eax, 1                       ; PE
	mov cr0, eax
	o32 jmp far [P_FAR32]

bits 32
ap_trampoline_pm32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, cr4
	or eax, 1 << 5                  ; PAE
	mov cr4, eax
	mov eax, [esi + P_TMP_CR3]
	mov cr3, eax
	mov ecx, 0xc0000080             ; IA32_EFER: LME (and the BSP's NXE)
	mov eax, [esi + P_EFER]
	xor edx, edx
	wrmsr
	mov eax, cr0
	or eax, 0x80000001              ; PG, PE
	mov cr0, eax
	jmp far [esi + P_FAR64]

bits 64
ap_trampoline_lm64:
	mov esi, esi                    ; the upper half is undefined after the switch
	; Take the parameters, if they are for this CPU: an AP that answers
	; after CPU 0 gave up on it finds another CPU's ID there, or none,
	; and must not share that CPU's stack.
	mov eax, 0xb                    ; CPUID.0BH:EDX = this CPU's x2APIC ID
	xor ecx, ecx
	cpuid
	mov eax, edx
	mov ecx, AP_CLAIMED
	lock cmpxchg [rsi + P_APIC_ID], ecx
	jne .park
	mov rax, [rsi + P_CR0]          ; caches on: INIT left CD and NW set
	mov cr0, rax
	mov rax, [rsi + P_CR3]
	mov cr3, rax
	mov rax, [rsi + P_CR4]
	mov cr4, rax
	mov rsp, [rsi + P_STACK]
	mov rdi, [rsi + P_PERCPU]
	mov rax, [rsi + P_ENTRY]
	xor ebp, ebp                    ; ends the frame-pointer chain
	push rbp                        ; the SysV 16-byte alignment at the call
	call rax
.park:
	cli
	hlt
	jmp .park
ap_trampoline_end:

section .note.GNU-stack noalloc noexec nowrite progbits
