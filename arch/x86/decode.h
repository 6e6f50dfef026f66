/* SPDX-License-Identifier: MIT */
/*
 * Decoder for the few instructions a guest uses to touch an emulated MMIO
 * page (the MOV family). On an EPT violation the exit tells us the
 * guest-physical address; this decoder tells us the rest: how many bytes,
 * which direction, which register or immediate, and how long the
 * instruction is so RIP can be advanced. It never computes addresses.
 *
 * Pure and freestanding: compiled into the hypervisor and into host tests.
 */
#ifndef SHALE_ARCH_X86_DECODE_H
#define SHALE_ARCH_X86_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SDM Vol. 2, 2.3.11: no instruction is longer than 15 bytes. */
#define DECODE_MAX_INSN_LEN	15

#define DECODE_ERR_TRUNCATED	(-1)	/* need more bytes than were given */
#define DECODE_ERR_UNSUPPORTED	(-2)	/* not an MMIO MOV we emulate */

/* Default operand/address size of the guest code segment (CS.D / CS.L). */
enum decode_mode { DECODE_MODE_16, DECODE_MODE_32, DECODE_MODE_64 };

enum mmio_src { MMIO_SRC_REG, MMIO_SRC_IMM };

struct mmio_insn {
	uint8_t length;		/* bytes of the instruction, prefixes included */
	uint8_t size;		/* bytes accessed in memory: 1, 2, 4 or 8 */
	bool is_write;		/* true: store to memory; false: load */
	enum mmio_src src;	/* stores: register or immediate */
	uint8_t reg;		/* GPR index, SDM order: 0=RAX .. 7=RDI, 8..15=R8..R15 */
	bool reg_high8;		/* AH/CH/DH/BH: reg is 0..3, bits 15:8 of it */
	uint64_t imm;		/* MMIO_SRC_IMM: immediate, sign-extended to size */
	uint8_t dest_size;	/* loads: bytes written to the register; 0 for stores */
	bool sign_extend;	/* loads: MOVSX/MOVSXD widen size -> dest_size signed */
};

/*
 * Decode the instruction at bytes[0..avail) as the guest CPU in @mode would.
 * Returns 0 and fills *out, or DECODE_ERR_TRUNCATED if avail is too short
 * (fetch more and retry), or DECODE_ERR_UNSUPPORTED for anything that is not
 * a memory-operand MOV/MOVZX/MOVSX/MOVSXD/MOVNTI. *out is untouched on error.
 */
int decode_mmio(const uint8_t *bytes, size_t avail, enum decode_mode mode,
		struct mmio_insn *out);

/* A static, human-readable name for a decode_mmio() return value. */
const char *decode_strerror(int err);

/*
 * Complete a load: merge @value (insn->size bytes read from the device) into
 * the 64-bit register image *reg as the CPU would. 8/16-bit writes keep the
 * upper bits, high8 writes bits 15:8, 32-bit writes zero bits 63:32, and
 * MOVZX/MOVSX widen to dest_size first.
 */
void decode_apply_load(const struct mmio_insn *insn, uint64_t *reg,
		       uint64_t value);

/* The value a store writes: from register image @reg or the immediate, truncated to size. */
uint64_t decode_store_value(const struct mmio_insn *insn, uint64_t reg);

#endif
