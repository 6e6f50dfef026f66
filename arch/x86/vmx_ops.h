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

/* Move the guest's RIP past the instruction that caused this VM exit; for
 * an instruction that completed. Inline: every emulated instruction pays
 * for it. vmm/ code reaches it as vcpu_advance_rip(). */
static inline void vmx_skip_instruction(void)
{
	uint64_t rip = vmread(GUEST_RIP) + vmread(VM_EXIT_INSTRUCTION_LEN);
	uint32_t intr;

	/* Outside 64-bit mode RIP wraps at 4 GiB. Only an instruction that
	 * ends exactly there can carry into bit 32, so only then is CS worth
	 * a look. */
	if ((rip >> 32) && !(vmread(GUEST_CS_AR_BYTES) & AR_L))
		rip &= 0xffffffffull;
	vmwrite(GUEST_RIP, rip);
	/* The instruction completed, so blocking by STI or MOV SS ended with
	 * it (SDM Vol. 3C, 25.4.2); left set, it would hold off the next
	 * interrupt for one more instruction. */
	intr = vmread(GUEST_INTERRUPTIBILITY_INFO);
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmwrite(GUEST_INTERRUPTIBILITY_INFO,
			intr & ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
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
