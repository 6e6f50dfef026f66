/* SPDX-License-Identifier: MIT */
/*
 * The XCR0 rules of the SDM, one test per rule (see xcr0.h). Kept apart
 * from the exit handler so that each rule has a unit test, and a guest can
 * never get a value into the real XCR0 that the CPU would refuse: that
 * would be a #GP in the hypervisor, not in the guest.
 */
#include "arch/x86/xcr0.h"

/* Both bits of a pair, or neither. */
static bool all_or_none(uint64_t val, uint64_t bits)
{
	return (val & bits) == 0 || (val & bits) == bits;
}

bool xcr0_valid(uint64_t val, uint64_t supported)
{
	if (!(val & XCR0_X87))
		return false;
	if (val & (~supported | XCR0_SUPERVISOR_ONLY | XCR0_RESERVED_63))
		return false;
	if ((val & XCR0_AVX) && !(val & XCR0_SSE))
		return false;
	if (!all_or_none(val, XCR0_BNDREGS | XCR0_BNDCSR))
		return false;
	if (!all_or_none(val, XCR0_AVX512))
		return false;
	/* XCR0[7:5] != 000b needs XCR0[2:1] = 11b; SSE is implied by AVX
	 * above. */
	if ((val & XCR0_AVX512) && !(val & XCR0_AVX))
		return false;
	if (!all_or_none(val, XCR0_XTILECFG | XCR0_XTILEDATA))
		return false;
	return true;
}
