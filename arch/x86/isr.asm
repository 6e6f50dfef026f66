; SPDX-License-Identifier: MIT
; Exception entry stubs for the hypervisor's own IDT. Each pushes a dummy
; error code where the CPU pushes none (SDM Vol. 3A, 6.13), then the
; vector, then all GPRs, and calls host_exception(struct exc_frame *).
; If it returns (an NMI), the registers are restored and IRETQ resumes.

bits 64
default rel
section .text
extern host_exception
global isr_table

%macro ISR 1
isr_%1:
%if %1 != 8 && %1 != 10 && %1 != 11 && %1 != 12 && %1 != 13 && %1 != 14 && %1 != 17 && %1 != 21 && %1 != 29 && %1 != 30
	push 0
%endif
	push %1
	jmp isr_common
%endmacro

%assign i 0
%rep 32
ISR i
%assign i i+1
%endrep

isr_common:
	push rax
	push rcx
	push rdx
	push rbx
	push rbp
	push rsi
	push rdi
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	mov rdi, rsp
	mov rbp, [rsp + 10 * 8]         ; the interrupted RBP: the backtrace starts there
	cld
	call host_exception
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rdi
	pop rsi
	pop rbp
	pop rbx
	pop rdx
	pop rcx
	pop rax
	add rsp, 16                     ; vector and error code
	iretq

; The wake-up IPI (SMP_WAKE_VECTOR, arch/x86/percpu.h): an idle CPU's HLT
; ends, smp_wake_interrupt() counts it and signals the end of interrupt.
; Only the registers a C call may change are saved.
global isr_wake
extern smp_wake_interrupt
isr_wake:
	push rax
	push rcx
	push rdx
	push rsi
	push rdi
	push r8
	push r9
	push r10
	push r11
	cld
	call smp_wake_interrupt
	pop r11
	pop r10
	pop r9
	pop r8
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rax
	iretq

; The local APIC's spurious vector: no handler work and no EOI (SDM Vol.
; 3A, 11.9 "Spurious interrupt").
global isr_spurious
isr_spurious:
	iretq

section .data
align 8
isr_table:
%assign i 0
%rep 32
	dq isr_ %+ i
%assign i i+1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
