/* SPDX-License-Identifier: MIT */
/* The wait after INIT (arch/x86/init_wait.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "arch/x86/init_wait.h"

/* CPUID.1:EAX from family, model and stepping, as the SDM builds it. */
static uint32_t sig(uint32_t family, uint32_t model, uint32_t stepping)
{
	uint32_t base = family > 0xf ? 0xf : family;

	return (family > 0xf ? (family - 0xf) << 20 : 0) | ((model >> 4) << 16) |
	       (base << 8) | ((model & 0xf) << 4) | stepping;
}

static void test_intel_family6_needs_no_wait(void **state)
{
	(void)state;
	assert_int_equal(init_wait_us(true, sig(6, 0x7e, 5)), 0); /* Ice Lake */
	assert_int_equal(init_wait_us(true, sig(6, 0x0f, 2)), 0); /* Core 2 */
	assert_int_equal(init_wait_us(true, sig(6, 0x01, 0)), 0); /* P6 */
}

static void test_intel_later_families_need_no_wait(void **state)
{
	(void)state;
	assert_int_equal(init_wait_us(true, sig(0xf, 0x04, 1)), 0);  /* NetBurst */
	assert_int_equal(init_wait_us(true, sig(0x13, 0x01, 0)), 0); /* extended */
}

static void test_older_intel_waits(void **state)
{
	(void)state;
	assert_int_equal(init_wait_us(true, sig(5, 0x02, 0)), INIT_WAIT_US);
	assert_int_equal(init_wait_us(true, 0), INIT_WAIT_US);
}

static void test_not_intel_waits(void **state)
{
	(void)state;
	assert_int_equal(init_wait_us(false, sig(6, 0x7e, 5)), INIT_WAIT_US);
	assert_int_equal(init_wait_us(false, sig(0x19, 0x01, 1)), INIT_WAIT_US);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intel_family6_needs_no_wait),
		cmocka_unit_test(test_intel_later_families_need_no_wait),
		cmocka_unit_test(test_older_intel_waits),
		cmocka_unit_test(test_not_intel_waits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
