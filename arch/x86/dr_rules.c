/* SPDX-License-Identifier: MIT */
#include "arch/x86/dr_rules.h"

/* Exception vectors (SDM Vol. 3A, table 6-1); arch/x86/include/cpu.h has
 * them too, but it is not host-compilable. */
#define DR_EXC_UD 6
#define DR_EXC_GP 13

int dr_mov_check(const struct dr_mov_env *env, unsigned *dr, bool write, uint64_t *val)
{
	/* The order is KVM's and the SDM's pseudocode's: privilege first. */
	if (env->cpl != 0)
		return DR_EXC_GP;
	if (*dr == 4 || *dr == 5) {
		if (env->cr4_de)
			return DR_EXC_UD;
		*dr += 2;
	}
	if (*dr > 7)
		return DR_EXC_UD;
	if (!env->mode64) {
		*val = (uint32_t)*val;
		return DR_MOV_OK;
	}
	/* "In 64-bit mode, the upper 32 bits of DR6 and DR7 are reserved and
	 * must be written with zeros. Writing 1 to any of the upper 32 bits
	 * results in a #GP(0) exception." Loading such a value later, in
	 * root mode, would fault in Shale instead. */
	if (write && (*dr == 6 || *dr == 7) && (*val >> 32))
		return DR_EXC_GP;
	return DR_MOV_OK;
}
