/* SPDX-License-Identifier: MIT */
/*
 * Instruction decoder for MMIO emulation.
 *
 * Only the MOV forms that read or write memory are accepted; everything else
 * is refused so the caller stops the guest with a clear message instead of
 * emulating something it does not understand. Encodings are from the Intel
 * SDM Vol. 2: chapter 2 (prefixes, REX, ModRM/SIB, Tables 2-1..2-3) and
 * appendix A (one- and two-byte opcode maps).
 *
 *   [legacy prefixes] [REX] opcode [ModRM] [SIB] [disp] [imm | moffs]
 */
#include "arch/x86/decode.h"

#define REX_W	0x08	/* 64-bit operand size */
#define REX_R	0x04	/* extends ModRM.reg */

#define MODRM_MOD(m)	((uint8_t)((m) >> 6))
#define MODRM_REG(m)	((uint8_t)(((m) >> 3) & 7))
#define MODRM_RM(m)	((uint8_t)((m) & 7))

/* Read position over the guest bytes; never reads past avail or 15 bytes. */
struct cursor {
	const uint8_t *bytes;
	size_t avail;
	size_t pos;
};

/* What the prefixes in front of the opcode changed. */
struct prefixes {
	bool opsize;	/* 0x66 */
	bool addrsize;	/* 0x67 */
	bool rep;	/* 0xF2 or 0xF3 */
	uint8_t rex;	/* 0x40..0x4F, or 0 if none (or not next to the opcode) */
};

/*
 * 0 if @n more bytes are available at the cursor. Past 15 bytes the
 * instruction cannot exist (the CPU would #GP), so that is unsupported
 * rather than truncated.
 */
static int cur_need(const struct cursor *c, size_t n)
{
	if (c->pos + n > DECODE_MAX_INSN_LEN)
		return DECODE_ERR_UNSUPPORTED;
	if (c->pos + n > c->avail)
		return DECODE_ERR_TRUNCATED;
	return 0;
}

/* Consume one byte into *v; 0 or a DECODE_ERR_*. */
static int cur_u8(struct cursor *c, uint8_t *v)
{
	int err = cur_need(c, 1);

	if (err)
		return err;
	*v = c->bytes[c->pos++];
	return 0;
}

/*
 * Consume an @n-byte little-endian field (n <= 8) into *v, or just step
 * over it when v is NULL; 0 or a DECODE_ERR_*.
 */
static int cur_le(struct cursor *c, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;
	int err = cur_need(c, n);

	if (err)
		return err;
	for (i = 0; i < n; i++)
		x |= (uint64_t)c->bytes[c->pos + i] << (8 * i);
	c->pos += n;
	if (v)
		*v = x;
	return 0;
}

/* All-ones in the low @size bytes (size 1..8). */
static uint64_t size_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/* @v's low @size bytes, sign-extended to 64 bits. */
static uint64_t sext(uint64_t v, unsigned int size)
{
	uint64_t mask = size_mask(size);

	v &= mask;
	if (size < 8 && (v >> (8 * size - 1)) & 1)
		v |= ~mask;
	return v;
}

/*
 * Consume legacy prefixes and REX, then the first opcode byte into *op.
 * A REX prefix only counts when it is the last prefix (SDM 2.2.1): a legacy
 * prefix after it makes the CPU ignore it. Outside 64-bit mode 40..4F are
 * INC/DEC, which end up as unsupported opcodes.
 */
static int read_prefixes(struct cursor *c, enum decode_mode mode,
			 struct prefixes *p, uint8_t *op)
{
	uint8_t b;
	int err;

	for (;;) {
		err = cur_u8(c, &b);
		if (err)
			return err;

		if (mode == DECODE_MODE_64 && (b & 0xf0) == 0x40) {
			p->rex = b;
			continue;
		}
		switch (b) {
		case 0x66:
			p->opsize = true;
			break;
		case 0x67:
			p->addrsize = true;
			break;
		case 0xf2:
		case 0xf3:
			p->rep = true;
			break;
		case 0x26: case 0x2e: case 0x36: case 0x3e:	/* ES CS SS DS */
		case 0x64: case 0x65:				/* FS GS */
		case 0xf0:					/* LOCK */
			/* The exit gives the address, so segments do not matter. */
			break;
		default:
			*op = b;
			return 0;
		}
		p->rex = 0;
	}
}

/* Operand size in bytes (SDM Vol. 1, 3.6; Vol. 2, 2.2.1.2): REX.W beats 0x66. */
static uint8_t operand_size(enum decode_mode mode, const struct prefixes *p)
{
	if (p->rex & REX_W)
		return 8;
	if (mode == DECODE_MODE_16)
		return p->opsize ? 4 : 2;
	return p->opsize ? 2 : 4;
}

/* Address size in bytes: 0x67 toggles 16<->32, or 64->32 in 64-bit mode. */
static uint8_t address_size(enum decode_mode mode, const struct prefixes *p)
{
	switch (mode) {
	case DECODE_MODE_16:
		return p->addrsize ? 4 : 2;
	case DECODE_MODE_32:
		return p->addrsize ? 2 : 4;
	default:
		return p->addrsize ? 4 : 8;
	}
}

/*
 * Consume ModRM and whatever SIB/displacement it implies, leaving the cursor
 * at the immediate (if any). mod=11 names a register, not memory, so it
 * cannot be an MMIO access and is refused.
 */
static int read_modrm(struct cursor *c, uint8_t asize, uint8_t *modrm)
{
	uint8_t m, mod, rm, sib;
	size_t disp;
	int err;

	err = cur_u8(c, &m);
	if (err)
		return err;
	mod = MODRM_MOD(m);
	rm = MODRM_RM(m);
	if (mod == 3)
		return DECODE_ERR_UNSUPPORTED;
	*modrm = m;

	if (asize == 2) {
		/* Table 2-1: no SIB; mod=00 rm=110 is [disp16], not [BP]. */
		disp = mod == 1 ? 1 : (mod == 2 || rm == 6) ? 2 : 0;
		return cur_le(c, disp, NULL);
	}

	/* Table 2-2: mod=00 rm=101 is [disp32], RIP/EIP-relative in 64-bit mode. */
	disp = mod == 1 ? 1 : (mod == 2 || rm == 5) ? 4 : 0;
	/*
	 * Table 2-3: rm=100 brings a SIB, and a SIB base of 101 with mod=00
	 * means disp32 and no base. REX.B plays no part in either test
	 * (Table 2-5, special cases of REX encodings).
	 */
	if (rm == 4) {
		err = cur_u8(c, &sib);
		if (err)
			return err;
		if (mod == 0 && (sib & 7) == 5)
			disp = 4;
	}
	return cur_le(c, disp, NULL);
}

/*
 * Fill in the register from ModRM.reg. A byte register with no REX prefix
 * at all names AH/CH/DH/BH for 4..7; any REX (even 0x40) makes them
 * SPL/BPL/SIL/DIL instead (SDM 3.7.2.1 / Table 3-2).
 */
static void set_reg(struct mmio_insn *insn, const struct prefixes *p,
		    uint8_t modrm, bool byte_reg)
{
	uint8_t reg = MODRM_REG(modrm) | ((p->rex & REX_R) ? 8 : 0);

	if (byte_reg && !p->rex && reg >= 4) {
		insn->reg_high8 = true;
		reg -= 4;
	}
	insn->reg = reg;
}

/* Two-byte opcodes 0F xx: MOVZX, MOVSX, MOVNTI. */
static int decode_0f(struct cursor *c, const struct prefixes *p,
		     uint8_t opsize, uint8_t asize, struct mmio_insn *insn)
{
	uint8_t op, modrm;
	int err;

	err = cur_u8(c, &op);
	if (err)
		return err;

	switch (op) {
	case 0xb6: case 0xb7:	/* MOVZX Gv, Eb / Ew */
	case 0xbe: case 0xbf:	/* MOVSX Gv, Eb / Ew */
		err = read_modrm(c, asize, &modrm);
		if (err)
			return err;
		insn->size = (op & 1) ? 2 : 1;
		insn->dest_size = opsize;
		insn->sign_extend = (op & 0x08) != 0;
		set_reg(insn, p, modrm, false);
		return 0;
	case 0xc3:		/* MOVNTI My, Gy */
		/* "NP" in the SDM: with 66/F2/F3 it is #UD, never an access. */
		if (p->opsize || p->rep)
			return DECODE_ERR_UNSUPPORTED;
		err = read_modrm(c, asize, &modrm);
		if (err)
			return err;
		insn->size = (p->rex & REX_W) ? 8 : 4;
		insn->is_write = true;
		set_reg(insn, p, modrm, false);
		return 0;
	default:
		return DECODE_ERR_UNSUPPORTED;
	}
}

/* Decode one MMIO instruction; contract in decode.h. */
int decode_mmio(const uint8_t *bytes, size_t avail, enum decode_mode mode,
		struct mmio_insn *out)
{
	struct cursor c = { .bytes = bytes, .avail = avail, .pos = 0 };
	struct prefixes p = { 0 };
	struct mmio_insn insn = { 0 };
	uint8_t op, modrm, opsize, asize, imm_len;
	uint64_t imm;
	int err;

	if (!bytes || !out || (mode != DECODE_MODE_16 &&
			       mode != DECODE_MODE_32 && mode != DECODE_MODE_64))
		return DECODE_ERR_UNSUPPORTED;

	err = read_prefixes(&c, mode, &p, &op);
	if (err)
		return err;
	opsize = operand_size(mode, &p);
	asize = address_size(mode, &p);

	switch (op) {
	case 0x88:	/* MOV Eb, Gb */
	case 0x89:	/* MOV Ev, Gv */
	case 0x8a:	/* MOV Gb, Eb */
	case 0x8b:	/* MOV Gv, Ev */
		err = read_modrm(&c, asize, &modrm);
		if (err)
			return err;
		insn.size = (op & 1) ? opsize : 1;
		insn.is_write = !(op & 2);
		set_reg(&insn, &p, modrm, !(op & 1));
		break;
	case 0xc6:	/* MOV Eb, Ib  (group 11, /0 only) */
	case 0xc7:	/* MOV Ev, Iz */
		err = read_modrm(&c, asize, &modrm);
		if (err)
			return err;
		if (MODRM_REG(modrm) != 0)
			return DECODE_ERR_UNSUPPORTED;
		insn.size = op == 0xc6 ? 1 : opsize;
		/* Iz is at most 32 bits; with REX.W the CPU sign-extends it. */
		imm_len = insn.size == 8 ? 4 : insn.size;
		err = cur_le(&c, imm_len, &imm);
		if (err)
			return err;
		insn.imm = sext(imm, imm_len) & size_mask(insn.size);
		insn.is_write = true;
		insn.src = MMIO_SRC_IMM;
		break;
	case 0xa0:	/* MOV AL, Ob */
	case 0xa1:	/* MOV rAX, Ov */
	case 0xa2:	/* MOV Ob, AL */
	case 0xa3:	/* MOV Ov, rAX */
		/* The offset is address-sized; its value is not needed. */
		err = cur_le(&c, asize, NULL);
		if (err)
			return err;
		insn.size = (op & 1) ? opsize : 1;
		insn.is_write = (op & 2) != 0;
		insn.reg = 0;	/* always AL/AX/EAX/RAX */
		break;
	case 0x63:	/* MOVSXD Gv, Ed; ARPL outside 64-bit mode */
		if (mode != DECODE_MODE_64)
			return DECODE_ERR_UNSUPPORTED;
		err = read_modrm(&c, asize, &modrm);
		if (err)
			return err;
		set_reg(&insn, &p, modrm, false);
		if (p.rex & REX_W) {
			insn.size = 4;
			insn.sign_extend = true;
		} else {
			/* Without REX.W it is a plain 32- (or 16-) bit load. */
			insn.size = opsize;
		}
		insn.dest_size = opsize;
		break;
	case 0x0f:
		err = decode_0f(&c, &p, opsize, asize, &insn);
		if (err)
			return err;
		break;
	default:
		return DECODE_ERR_UNSUPPORTED;
	}

	if (!insn.is_write && !insn.dest_size)
		insn.dest_size = insn.size;
	insn.length = (uint8_t)c.pos;
	*out = insn;
	return 0;
}

/* Human-readable name for a decode_mmio() result; never NULL. */
const char *decode_strerror(int err)
{
	switch (err) {
	case 0:
		return "ok";
	case DECODE_ERR_TRUNCATED:
		return "instruction truncated (need more bytes)";
	case DECODE_ERR_UNSUPPORTED:
		return "instruction not supported for MMIO emulation";
	default:
		return "unknown decode error";
	}
}

/* Merge a loaded value into the register image; contract in decode.h. */
void decode_apply_load(const struct mmio_insn *insn, uint64_t *reg,
		       uint64_t value)
{
	unsigned int dest = insn->dest_size ? insn->dest_size : insn->size;
	uint64_t v;

	if (insn->sign_extend)
		v = sext(value, insn->size);
	else
		v = value & size_mask(insn->size);
	v &= size_mask(dest);

	switch (dest) {
	case 1:
		if (insn->reg_high8)
			*reg = (*reg & ~0xff00ULL) | (v << 8);
		else
			*reg = (*reg & ~0xffULL) | v;
		break;
	case 2:
		*reg = (*reg & ~0xffffULL) | v;
		break;
	default:
		/* 4: a 32-bit write clears bits 63:32 (SDM Vol. 1, 3.4.1.1). */
		*reg = v;
		break;
	}
}

/* The value a store puts on the bus; contract in decode.h. */
uint64_t decode_store_value(const struct mmio_insn *insn, uint64_t reg)
{
	uint64_t v;

	if (insn->src == MMIO_SRC_IMM)
		v = insn->imm;
	else
		v = insn->reg_high8 ? reg >> 8 : reg;
	return v & size_mask(insn->size);
}
