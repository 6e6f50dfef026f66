; SPDX-License-Identifier: MIT
; boot_switch_stack(stack_top, fn, arg): call fn(arg) on a new stack, never
; return. The firmware's stack lives in boot-services memory, which Shale
; reuses once it runs on its own, so vmm_main() must not run on it.
bits 64
default rel
section .text
global boot_switch_stack
boot_switch_stack:
	mov rsp, rdi
	xor ebp, ebp            ; ends the frame-pointer chain for backtraces
	mov rdi, rdx
	push rbp                ; keeps the SysV 16-byte alignment at the call
	call rsi
.hang:	cli
	hlt
	jmp .hang

section .note.GNU-stack noalloc noexec nowrite progbits
