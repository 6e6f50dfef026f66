/* SPDX-License-Identifier: MIT */
/*
 * The VMX instructions, each checked. A VMX instruction reports failure in
 * RFLAGS (SDM Vol. 3C, 31.2 "Conventions"): CF = 1 is VMfailInvalid (no
 * current VMCS), ZF = 1 is VMfailValid (the reason is in the
 * VM-instruction error field). A failed VMREAD/VMWRITE is a Shale bug: it is
 * reported with the field, the error and the caller, then Shale stops.
 */
#ifndef SHALE_ARCH_X86_VMX_OPS_H
#define SHALE_ARCH_X86_VMX_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/include/cpu.h"
#include "arch/x86/include/vmx_defs.h"

/* Reports a failed VMREAD/VMWRITE and halts: the field, the error, the
 * function that executed the instruction (its own caller, by name) and
 * caller, the return address of that function. It tells VMfailInvalid from
 * VMfailValid by reading the VM-instruction error itself. */
__attribute__((noreturn, cold)) void vmx_op_failed(const char *op,
						   uint64_t field, void *caller);

#ifdef SHALE_FUZZ
/* Host fuzzing of the exit handlers (tests/fuzz/fuzz_exits.c): a table
 * indexed by field encoding stands in for the VMCS (tests/fuzz/fake_vmcs.c). */
uint64_t vmread(uint64_t field);
void vmwrite(uint64_t field, uint64_t value);
#else
/* CF or ZF set means failure: one "below or equal" test covers both, so
 * the exit path pays a single branch per access. */
static inline uint64_t vmread(uint64_t field)
{
	uint64_t v;
	bool fail;

	asm volatile("vmread %[f], %[v]"
		     : [v] "=r"(v), "=@ccbe"(fail)
		     : [f] "r"(field)
		     : "cc");
	if (__builtin_expect(fail, 0))
		vmx_op_failed("VMREAD", field, __builtin_return_address(0));
	return v;
}

static inline void vmwrite(uint64_t field, uint64_t value)
{
	bool fail;

	asm volatile("vmwrite %[v], %[f]"
		     : "=@ccbe"(fail)
		     : [f] "r"(field), [v] "rm"(value)
		     : "cc", "memory");
	if (__builtin_expect(fail, 0))
		vmx_op_failed("VMWRITE", field, __builtin_return_address(0));
}
#endif /* SHALE_FUZZ */

struct vcpu;

/* Blocking by STI or MOV SS lasts for one instruction (SDM Vol. 3C,
 * 25.4.2); left set after it, it would hold off the next interrupt for
 * one more. */
static inline void vmx_end_blocking(void)
{
	uint32_t intr = vmread(GUEST_INTERRUPTIBILITY_INFO);

	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmwrite(GUEST_INTERRUPTIBILITY_INFO,
			intr & ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

/* The rare ends of an instruction, out of line (arch/x86/vcpu_state.c):
 * a next RIP above 4 GiB (a wrap outside 64-bit mode, or one that is not
 * canonical), or RFLAGS.TF set. For the vCPU whose VMCS is current. */
void vmx_finish_instruction_slow(uint64_t next, uint64_t rflags);

/* A single-step trap waits after the instruction (BS in the pending debug
 * exceptions; SDM Vol. 3C, 25.4.2): the CPU delivers it as the #DB the
 * guest would have seen, DR6.BS set, right after the next VM entry. */
void vmx_single_step_trap(struct vcpu *v);

/* What the CPU does at the end of every instruction, for one that Shale
 * completed on the guest's behalf, the next starting at next: RIP moves
 * there; blocking by STI or MOV SS ends; with RFLAGS.TF a single-step
 * trap follows; a next RIP the CPU could not fetch is its #GP. The one way Shale moves RIP past an instruction.
 * Inline: every emulated instruction pays for it, and the common case
 * (no TF, below 4 GiB) is two tests. */
static inline void vmx_finish_instruction(uint64_t next)
{
	uint64_t rflags = vmread(GUEST_RFLAGS);

	if (__builtin_expect(rflags & RFLAGS_TF, 0) ||
	    __builtin_expect(next >> 32, 0)) {
		vmx_finish_instruction_slow(next, rflags);
		return;
	}
	vmwrite(GUEST_RIP, next);
	vmx_end_blocking();
}

/* The instruction that caused this VM exit completed: finish it, its
 * length from the exit. vmm/ code reaches it as vcpu_advance_rip(). */
static inline void vmx_skip_instruction(void)
{
	vmx_finish_instruction(vmread(GUEST_RIP) +
			       vmread(VM_EXIT_INSTRUCTION_LEN));
}

/* The ones that may fail for reasons the caller reports itself. */
static inline int vmxon(uint64_t phys)
{
	bool cf, zf;

	asm volatile("vmxon %[p]"
		     : "=@ccc"(cf), "=@ccz"(zf)
		     : [p] "m"(phys)
		     : "cc", "memory");
	return cf ? -1 : zf ? -2 : 0;
}

static inline int vmclear(uint64_t phys)
{
	bool cf, zf;

	asm volatile("vmclear %[p]"
		     : "=@ccc"(cf), "=@ccz"(zf)
		     : [p] "m"(phys)
		     : "cc", "memory");
	return cf ? -1 : zf ? -2 : 0;
}

static inline int vmptrld(uint64_t phys)
{
	bool cf, zf;

	asm volatile("vmptrld %[p]"
		     : "=@ccc"(cf), "=@ccz"(zf)
		     : [p] "m"(phys)
		     : "cc", "memory");
	return cf ? -1 : zf ? -2 : 0;
}

static inline int invept(uint64_t type, uint64_t eptp)
{
	struct {
		uint64_t eptp, zero;
	} desc = { eptp, 0 };
	bool cf, zf;

	asm volatile("invept %[d], %[t]"
		     : "=@ccc"(cf), "=@ccz"(zf)
		     : [d] "m"(desc), [t] "r"(type)
		     : "cc", "memory");
	return cf ? -1 : zf ? -2 : 0;
}

static inline int invvpid(uint64_t type, uint16_t vpid, uint64_t gva)
{
	struct {
		uint64_t vpid, gva;
	} desc = { vpid, gva };
	bool cf, zf;

	asm volatile("invvpid %[d], %[t]"
		     : "=@ccc"(cf), "=@ccz"(zf)
		     : [d] "m"(desc), [t] "r"(type)
		     : "cc", "memory");
	return cf ? -1 : zf ? -2 : 0;
}

#endif
