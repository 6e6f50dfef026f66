/* SPDX-License-Identifier: MIT */
/* MOV DR rules (arch/x86/dr_rules.c), one rule per test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "arch/x86/dr_rules.h"

#define UD 6
#define GP 13

static const struct dr_mov_env ring0_64 = { .cpl = 0, .cr4_de = false, .mode64 = true };

static int check(const struct dr_mov_env *env, unsigned dr, bool write, uint64_t val,
		 unsigned *out_dr, uint64_t *out_val)
{
	int r = dr_mov_check(env, &dr, write, &val);

	if (out_dr)
		*out_dr = dr;
	if (out_val)
		*out_val = val;
	return r;
}

static void dr7_upper_bit_gp(void **state)
{
	(void)state;
	assert_int_equal(check(&ring0_64, 7, true, 1ull << 32, NULL, NULL), GP);
	assert_int_equal(check(&ring0_64, 7, true, 1ull << 63, NULL, NULL), GP);
}

static void dr6_upper_bit_gp(void **state)
{
	(void)state;
	assert_int_equal(check(&ring0_64, 6, true, 0xffffffff00000000ull, NULL, NULL), GP);
}

static void dr7_low_bits_ok(void **state)
{
	uint64_t val;

	(void)state;
	assert_int_equal(check(&ring0_64, 7, true, 0xffffffffull, NULL, &val), DR_MOV_OK);
	assert_int_equal(val, 0xffffffffull);
	assert_int_equal(check(&ring0_64, 6, true, 0xffff0ff0ull, NULL, NULL), DR_MOV_OK);
}

static void dr0_3_take_any_address(void **state)
{
	uint64_t val;

	(void)state;
	for (unsigned dr = 0; dr < 4; dr++) {
		assert_int_equal(check(&ring0_64, dr, true, 0xffff800000001000ull, NULL, &val),
				 DR_MOV_OK);
		assert_int_equal(val, 0xffff800000001000ull);
	}
}

static void read_upper_bits_not_checked(void **state)
{
	(void)state;
	/* A read's "value" is the destination register's old contents. */
	assert_int_equal(check(&ring0_64, 7, false, ~0ull, NULL, NULL), DR_MOV_OK);
}

static void cpl3_gp(void **state)
{
	struct dr_mov_env env = ring0_64;

	(void)state;
	env.cpl = 3;
	assert_int_equal(check(&env, 0, false, 0, NULL, NULL), GP);
	assert_int_equal(check(&env, 7, true, 0, NULL, NULL), GP);
	env.cpl = 1;
	assert_int_equal(check(&env, 6, true, 0, NULL, NULL), GP);
}

static void cpl3_before_ud(void **state)
{
	struct dr_mov_env env = ring0_64;

	(void)state;
	env.cpl = 3;
	env.cr4_de = true;
	assert_int_equal(check(&env, 4, false, 0, NULL, NULL), GP);
}

static void dr4_dr5_alias_without_de(void **state)
{
	unsigned dr;

	(void)state;
	assert_int_equal(check(&ring0_64, 4, true, 0, &dr, NULL), DR_MOV_OK);
	assert_int_equal(dr, 6);
	assert_int_equal(check(&ring0_64, 5, false, 0, &dr, NULL), DR_MOV_OK);
	assert_int_equal(dr, 7);
	/* The alias obeys DR6/DR7's rule. */
	assert_int_equal(check(&ring0_64, 5, true, 1ull << 32, NULL, NULL), GP);
	assert_int_equal(check(&ring0_64, 4, true, 1ull << 40, NULL, NULL), GP);
}

static void dr4_dr5_ud_with_de(void **state)
{
	struct dr_mov_env env = ring0_64;

	(void)state;
	env.cr4_de = true;
	assert_int_equal(check(&env, 4, false, 0, NULL, NULL), UD);
	assert_int_equal(check(&env, 5, true, 0, NULL, NULL), UD);
	assert_int_equal(check(&env, 7, true, 0x400, NULL, NULL), DR_MOV_OK);
}

static void outside_64bit_mode_32bit_operand(void **state)
{
	struct dr_mov_env env = ring0_64;
	uint64_t val;

	(void)state;
	env.mode64 = false;
	assert_int_equal(check(&env, 7, true, 0x1234500000401ull, NULL, &val), DR_MOV_OK);
	assert_int_equal(val, 0x401);
	assert_int_equal(check(&env, 6, true, ~0ull, NULL, &val), DR_MOV_OK);
	assert_int_equal(val, 0xffffffffull);
}

static void bad_register_ud(void **state)
{
	(void)state;
	assert_int_equal(check(&ring0_64, 8, true, 0, NULL, NULL), UD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dr7_upper_bit_gp),
		cmocka_unit_test(dr6_upper_bit_gp),
		cmocka_unit_test(dr7_low_bits_ok),
		cmocka_unit_test(dr0_3_take_any_address),
		cmocka_unit_test(read_upper_bits_not_checked),
		cmocka_unit_test(cpl3_gp),
		cmocka_unit_test(cpl3_before_ud),
		cmocka_unit_test(dr4_dr5_alias_without_de),
		cmocka_unit_test(dr4_dr5_ud_with_de),
		cmocka_unit_test(outside_64bit_mode_32bit_operand),
		cmocka_unit_test(bad_register_ud),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
