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

__attribute__((noreturn, cold)) void vmx_op_failed(const char *op,
						   uint64_t field, bool valid,
						   void *caller);

static inline uint64_t vmread(uint64_t field)
{
	uint64_t v;
	bool cf, zf;

	asm volatile("vmread %[f], %[v]"
		     : [v] "=rm"(v), "=@ccc"(cf), "=@ccz"(zf)
		     : [f] "r"(field)
		     : "cc");
	if (__builtin_expect(cf | zf, 0))
		vmx_op_failed("VMREAD", field, zf, __builtin_return_address(0));
	return v;
}

static inline void vmwrite(uint64_t field, uint64_t value)
{
	bool cf, zf;

	asm volatile("vmwrite %[v], %[f]"
		     : "=@ccc"(cf), "=@ccz"(zf)
		     : [f] "r"(field), [v] "rm"(value)
		     : "cc", "memory");
	if (__builtin_expect(cf | zf, 0))
		vmx_op_failed("VMWRITE", field, zf, __builtin_return_address(0));
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
