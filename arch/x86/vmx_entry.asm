; SPDX-License-Identifier: MIT
;
; Entering the guest and coming back.
;
;   int vmx_enter(struct guest_regs *regs, int launched)
;
; saves the host's callee-saved registers, points HOST_RSP at this frame,
; loads the guest's GPRs from regs (struct guest_regs: RAX..R15 in SDM
; order, 8 bytes each, RSP slot unused) and executes VMLAUNCH or VMRESUME.
;
; On a VM exit the processor loads RSP = HOST_RSP and RIP = vmx_exit_entry
; (both set in the VMCS); vmx_exit_entry stores the guest's GPRs back into
; regs and returns 0 from vmx_enter. If the VM entry itself fails (VMfail),
; it returns 1 for VMfailInvalid and 2 for VMfailValid, with the guest's
; registers untouched in regs.
;
; HOST_RSP is written only when this frame's address differs from the one
; this vCPU's VMCS already holds (cached in struct vcpu.host_rsp): the C
; loop calls from the same depth every time, so it is written once. On a
; CPU that wants a barrier before every entry (arch/x86/spec_barrier.c),
; the cache stays empty and every entry takes that slow path instead.

bits 64
default rel

%define HOST_RSP 0x6c14
%define R(n) (n * 8)
%define HOST_RSP_CACHE 128        ; struct vcpu.host_rsp, right after the GPRs
%define SPEC_ENTRY_L1D_FLUSH 1    ; arch/x86/spec_ctrl.h
%define MSR_IA32_FLUSH_CMD 0x10b

extern spec_entry_barriers
extern spec_verw_sel

section .text
global vmx_enter
global vmx_exit_entry
global vmx_exit_entry_one_call
global vmx_exit_entry_rsb_fill

vmx_enter:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	push rdi                        ; regs, found again at [rsp] on exit

	cmp rsp, [rdi + HOST_RSP_CACHE]
	jne .slow
.rsp_ok:
	test esi, esi                   ; launched? (flags survive the movs)

	mov rax, [rdi + R(0)]
	mov rcx, [rdi + R(1)]
	mov rdx, [rdi + R(2)]
	mov rbx, [rdi + R(3)]
	mov rbp, [rdi + R(5)]
	mov rsi, [rdi + R(6)]
	mov r8,  [rdi + R(8)]
	mov r9,  [rdi + R(9)]
	mov r10, [rdi + R(10)]
	mov r11, [rdi + R(11)]
	mov r12, [rdi + R(12)]
	mov r13, [rdi + R(13)]
	mov r14, [rdi + R(14)]
	mov r15, [rdi + R(15)]
	mov rdi, [rdi + R(7)]

	jnz .resume
	vmlaunch
	jmp .failed
.resume:
	vmresume
.failed:
	; VMfail: CF=1 invalid, ZF=1 valid. lea/pop/mov leave the flags alone.
	lea rsp, [rsp + 8]
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	mov eax, 2
	jz .out
	mov eax, 1
.out:
	ret

; HOST_RSP moved, or this CPU wants a barrier before every entry
; (arch/x86/spec_barrier.c). Then the cache is never filled, so that the
; check above costs CPUs that want no barrier nothing more than before.
; The barriers come after every root-mode load but those of the guest's
; own registers; VERW changes ZF, so it is done before the test above.
.slow:
	movzx eax, byte [rel spec_entry_barriers]
	test eax, eax
	jnz .barriers
	mov [rdi + HOST_RSP_CACHE], rsp
.write_rsp:
	mov rdx, HOST_RSP
	vmwrite rdx, rsp
	jmp .rsp_ok
.barriers:
	test eax, SPEC_ENTRY_L1D_FLUSH
	jz .verw
	mov ecx, MSR_IA32_FLUSH_CMD     ; L1TF; also clears the buffers VERW would
	mov eax, 1
	xor edx, edx
	wrmsr
	jmp .write_rsp
.verw:
	verw [rel spec_verw_sel]        ; MDS/TAA: clear the CPU's buffers
	jmp .write_rsp

; Where a VM exit lands (HOST_RIP, chosen by arch/x86/vmcs.c from the
; speculation policy, arch/x86/spec_ctrl.c). The return stack buffer still
; holds the guest's entries, and vmx_enter's RET below is unbalanced: it
; would pop one of them as its prediction. The first two entry points
; put harmless entries there first; neither touches a guest register.
;
; Every entry, 16 times two CALLs whose return addresses are never
; used: each would-be return speculates into PAUSE/LFENCE and stops.
vmx_exit_entry_rsb_fill:
%assign i 0
%rep 16
	call .fill_a %+ i
.trap_a %+ i:
	pause
	lfence
	jmp .trap_a %+ i
.fill_a %+ i:
	call .fill_b %+ i
.trap_b %+ i:
	pause
	lfence
	jmp .trap_b %+ i
.fill_b %+ i:
%assign i i + 1
%endrep
	lea rsp, [rsp + 32 * 8]         ; drop the 32 return addresses
	jmp vmx_exit_entry

; Enhanced IBRS without PBRSB_NO: the one prediction made right after the
; exit is not covered; one retired CALL is enough.
vmx_exit_entry_one_call:
	call .one
	int3
.one:
	lea rsp, [rsp + 8]
	; falls through
vmx_exit_entry:
	push rdi                        ; guest RDI; regs is now at [rsp + 8]
	mov rdi, [rsp + 8]
	mov [rdi + R(0)], rax
	mov [rdi + R(1)], rcx
	mov [rdi + R(2)], rdx
	mov [rdi + R(3)], rbx
	mov [rdi + R(5)], rbp
	mov [rdi + R(6)], rsi
	mov [rdi + R(8)], r8
	mov [rdi + R(9)], r9
	mov [rdi + R(10)], r10
	mov [rdi + R(11)], r11
	mov [rdi + R(12)], r12
	mov [rdi + R(13)], r13
	mov [rdi + R(14)], r14
	mov [rdi + R(15)], r15
	pop qword [rdi + R(7)]          ; the guest's RDI
	add rsp, 8
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	xor eax, eax
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
