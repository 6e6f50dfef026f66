/* SPDX-License-Identifier: MIT */
/*
 * The rules of MOV to and from a debug register (Intel SDM Vol. 2B, "MOV —
 * Move to/from Debug Registers"), for the MOV DR exits Shale emulates while
 * a debugger owns the debug registers (arch/x86/debug.c). The exit comes
 * before some of these checks, and a value the guest gets to store here is
 * later loaded into the real DR6/DR7 in root mode: every rule is applied
 * here, before anything is stored. Pure logic, unit-tested.
 */
#ifndef SHALE_ARCH_X86_DR_RULES_H
#define SHALE_ARCH_X86_DR_RULES_H

#include <stdbool.h>
#include <stdint.h>

/* The guest state a MOV DR depends on. */
struct dr_mov_env {
	unsigned cpl;
	bool cr4_de;     /* CR4.DE: DR4/DR5 are reserved, not aliases */
	bool mode64;     /* 64-bit mode (IA32_EFER.LMA and CS.L) */
};

#define DR_MOV_OK (-1)

/*
 * Check a MOV DR and resolve its register: *dr is the register the
 * instruction names (0-7) and becomes the one it reaches (DR4 -> DR6,
 * DR5 -> DR7 while CR4.DE is clear); *val is the value to store (write)
 * and is cut to 32 bits outside 64-bit mode, where the operand is 32 bits.
 * Returns DR_MOV_OK, or the exception vector the instruction raises
 * instead (#GP(0) or #UD); nothing may be stored then.
 */
int dr_mov_check(const struct dr_mov_env *env, unsigned *dr, bool write, uint64_t *val);

#endif
