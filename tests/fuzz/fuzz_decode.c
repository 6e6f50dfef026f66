/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the MMIO instruction decoder (arch/x86/decode.c).
 * The bytes are decoded as the guest would see them in 16-, 32- and 64-bit
 * code. libFuzzer hands over a buffer of exactly `size` bytes, so ASan
 * catches any read past `avail`; the checks below catch results that are
 * in bounds but wrong. Any violation abort()s, which libFuzzer reports.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/decode.h"
#include "tests/fuzz/fuzz_check.h"

static uint64_t mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static void check_load(const struct mmio_insn *in)
{
	static const uint64_t regs[] = { 0, ~0ull, 0x0123456789abcdefull };
	static const uint64_t vals[] = { 0, ~0ull, 0x8080808080808080ull,
					 0x7f7f7f7f7f7f7f7full };

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		for (size_t j = 0; j < sizeof(vals) / sizeof(vals[0]); j++) {
			uint64_t r = regs[i];

			decode_apply_load(in, &r, vals[j]);
			/* Only the bits the CPU would write may change. */
			if (in->reg_high8)
				CHECK((r & ~0xff00ull) == (regs[i] & ~0xff00ull));
			else if (in->dest_size == 1)
				CHECK((r & ~0xffull) == (regs[i] & ~0xffull));
			else if (in->dest_size == 2)
				CHECK((r & ~0xffffull) == (regs[i] & ~0xffffull));
			else if (in->dest_size == 4)
				CHECK((r >> 32) == 0);
			/* Zero extension leaves nothing above the access. */
			if (!in->sign_extend && !in->reg_high8)
				CHECK((r & mask(in->dest_size)) ==
				      (vals[j] & mask(in->size)));
		}
	}
}

static void check_one(const uint8_t *data, size_t size, enum decode_mode mode)
{
	struct mmio_insn in, again, untouched;
	int err;

	memset(&in, 0xa5, sizeof(in));
	untouched = in;
	err = decode_mmio(data, size, mode, &in);
	CHECK(decode_strerror(err) != NULL);
	if (err) {
		CHECK(err == DECODE_ERR_TRUNCATED || err == DECODE_ERR_UNSUPPORTED);
		CHECK(memcmp(&in, &untouched, sizeof(in)) == 0);
		/* Fifteen bytes are always enough to decide. */
		CHECK(err != DECODE_ERR_TRUNCATED || size < DECODE_MAX_INSN_LEN);
		return;
	}

	CHECK(in.length >= 1 && in.length <= DECODE_MAX_INSN_LEN);
	CHECK(in.length <= size);
	CHECK(in.size == 1 || in.size == 2 || in.size == 4 || in.size == 8);
	CHECK(in.reg < 16);
	CHECK(!in.reg_high8 || (in.size == 1 && in.reg < 4));
	if (in.is_write) {
		CHECK(in.dest_size == 0 && !in.sign_extend);
		CHECK(in.src == MMIO_SRC_REG || in.src == MMIO_SRC_IMM);
		CHECK(in.src != MMIO_SRC_IMM || !in.reg_high8);
		CHECK((decode_store_value(&in, ~0ull) & ~mask(in.size)) == 0);
		CHECK((decode_store_value(&in, 0x0123456789abcdefull) &
		       ~mask(in.size)) == 0);
	} else {
		CHECK(in.src == MMIO_SRC_REG);
		CHECK(in.dest_size == 1 || in.dest_size == 2 ||
		      in.dest_size == 4 || in.dest_size == 8);
		CHECK(in.dest_size >= in.size);
		CHECK(!in.reg_high8 || in.dest_size == 1);
		check_load(&in);
	}

	/* The length is the whole story: exactly those bytes decode the same,
	 * and every shorter prefix asks for more. */
	memset(&again, 0, sizeof(again));
	CHECK(decode_mmio(data, in.length, mode, &again) == 0);
	CHECK(memcmp(&in, &again, sizeof(in)) == 0 ||
	      (in.length == again.length && in.size == again.size &&
	       in.is_write == again.is_write && in.src == again.src &&
	       in.reg == again.reg && in.reg_high8 == again.reg_high8 &&
	       in.imm == again.imm && in.dest_size == again.dest_size &&
	       in.sign_extend == again.sign_extend));
	for (size_t n = 0; n < in.length; n++)
		CHECK(decode_mmio(data, n, mode, &again) == DECODE_ERR_TRUNCATED);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_one(data, size, DECODE_MODE_16);
	check_one(data, size, DECODE_MODE_32);
	check_one(data, size, DECODE_MODE_64);
	return 0;
}
