/* SPDX-License-Identifier: MIT */
/*
 * Where vCPUs run (vmm/placement.c): the home of a new vCPU, and when a CPU
 * gives one of its runnable vCPUs to another.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>

#include "vmm/placement.h"

#define ALL (~0ull)

static void test_home_least_weight(void **state)
{
	struct cpu_load c[4] = {
		{ true, 512, 2 }, { true, 256, 1 }, { true, 768, 3 }, { true, 256, 1 },
	};

	(void)state;
	assert_int_equal(placement_home(c, 4, ALL), 1); /* ties: lowest */
	c[1].weight = 300;
	assert_int_equal(placement_home(c, 4, ALL), 3);
}

static void test_home_respects_pinning(void **state)
{
	struct cpu_load c[3] = { { true, 0, 0 }, { true, 1024, 4 }, { true, 2048, 8 } };

	(void)state;
	assert_int_equal(placement_home(c, 3, 1ull << 2), 2);
	assert_int_equal(placement_home(c, 3, (1ull << 1) | (1ull << 2)), 1);
}

static void test_home_skips_unusable(void **state)
{
	struct cpu_load c[3] = { { true, 512, 2 }, { false, 0, 0 }, { true, 256, 1 } };

	(void)state;
	assert_int_equal(placement_home(c, 3, ALL), 2);
	assert_int_equal(placement_home(c, 3, 1ull << 1), -1); /* only a dead CPU */
	assert_int_equal(placement_home(c, 3, 1ull << 5), -1); /* beyond n */
	assert_int_equal(placement_home(c, 3, 0), -1);
}

static void test_balance_needs_a_gap_of_two(void **state)
{
	struct cpu_load c[2] = { { true, 512, 2 }, { true, 256, 1 } };

	(void)state;
	/* 2 against 1: moving one would only swap the imbalance. */
	assert_int_equal(placement_balance(c, 2, 0, ALL), -1);
	c[1].runnable = 0;
	assert_int_equal(placement_balance(c, 2, 0, ALL), 1);
	/* Never to itself, and not from a CPU with one or none. */
	assert_int_equal(placement_balance(c, 2, 1, ALL), -1);
	c[0].runnable = 1;
	assert_int_equal(placement_balance(c, 2, 0, ALL), -1);
}

static void test_balance_least_loaded_allowed_usable(void **state)
{
	struct cpu_load c[4] = {
		{ true, 0, 5 }, { true, 0, 2 }, { true, 0, 1 }, { false, 0, 0 },
	};

	(void)state;
	assert_int_equal(placement_balance(c, 4, 0, ALL), 2);
	/* Pinned away from CPU 2: the next one that takes it. */
	assert_int_equal(placement_balance(c, 4, 0, ALL & ~(1ull << 2)), 1);
	/* Only the dead CPU allowed: stay. */
	assert_int_equal(placement_balance(c, 4, 0, 1ull << 3), -1);
	assert_int_equal(placement_balance(c, 4, 7, ALL), -1); /* bad self */
}

static void test_balance_converges(void **state)
{
	/* Moving one vCPU at a time, as the CPUs do, ends with no CPU two
	 * above another, and never moves back and forth. */
	struct cpu_load c[4] = {
		{ true, 0, 9 }, { true, 0, 0 }, { true, 0, 0 }, { true, 0, 0 },
	};
	unsigned moves = 0;

	(void)state;
	for (int changed = 1; changed && moves < 100;) {
		changed = 0;
		for (unsigned s = 0; s < 4; s++) {
			int t = placement_balance(c, 4, s, ALL);

			if (t >= 0) {
				c[s].runnable--;
				c[t].runnable++;
				moves++;
				changed = 1;
			}
		}
	}
	assert_true(moves <= 7);
	for (unsigned a = 0; a < 4; a++)
		for (unsigned b = 0; b < 4; b++)
			assert_true(c[a].runnable < c[b].runnable + 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_home_least_weight),
		cmocka_unit_test(test_home_respects_pinning),
		cmocka_unit_test(test_home_skips_unusable),
		cmocka_unit_test(test_balance_needs_a_gap_of_two),
		cmocka_unit_test(test_balance_least_loaded_allowed_usable),
		cmocka_unit_test(test_balance_converges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
