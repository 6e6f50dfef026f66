/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for vmm/stride.h: the stride scheduler's passes are
 * 64-bit and wrap; the vCPU whose pass wrapped past 2^64 is the one that
 * ran more, not less.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "vmm/stride.h"

#define NEAR_TOP (UINT64_MAX - 9) /* 2^64 - 10 */

static void test_plain_order(void **state)
{
	(void)state;
	assert_true(pass_before(1, 2));
	assert_false(pass_before(2, 1));
	assert_false(pass_before(7, 7));
}

static void test_across_the_wrap(void **state)
{
	(void)state;
	/* 5 is 15 after 2^64 - 10: later, though smaller as an integer. */
	assert_true(pass_before(NEAR_TOP, 5));
	assert_false(pass_before(5, NEAR_TOP));
	assert_true(pass_before(UINT64_MAX, 0));
	assert_false(pass_before(0, UINT64_MAX));
}

/* The scheduler's choice among passes, as pick() makes it. */
static unsigned pick_of(const uint64_t *pass, unsigned n)
{
	unsigned best = 0;

	for (unsigned i = 1; i < n; i++)
		if (pass_before(pass[i], pass[best]))
			best = i;
	return best;
}

static void test_pick_across_the_wrap(void **state)
{
	uint64_t pass[3] = { 5, NEAR_TOP, NEAR_TOP + 3 };

	(void)state;
	/* The vCPU that wrapped has run the most: the other goes first. */
	assert_int_equal(pick_of(pass, 3), 1);
	/* Advancing the one behind keeps the order fair through the wrap. */
	pass[1] += 20; /* 10 after the wrap */
	assert_int_equal(pick_of(pass, 3), 2);
	pass[2] += 20; /* 13 */
	assert_int_equal(pick_of(pass, 3), 0);
}

static void test_catch_up(void **state)
{
	(void)state;
	/* Far behind: brought to credit behind vtime. */
	assert_true(pass_catch_up(100, 1000, 50) == 950);
	/* Within the credit: kept. */
	assert_true(pass_catch_up(960, 1000, 50) == 960);
	assert_true(pass_catch_up(1200, 1000, 50) == 1200);
	/* vtime has wrapped, the sleeper has not: it is behind, not ahead. */
	assert_true(pass_catch_up(NEAR_TOP - 1000, 5, 50) == (uint64_t)5 - 50);
	/* The sleeper is just before the wrap, within its credit of vtime
	 * just after it: kept. */
	assert_true(pass_catch_up(NEAR_TOP, 5, 50) == NEAR_TOP);
	/* A pass ahead of vtime across the wrap is not pulled back. */
	assert_true(pass_catch_up(5, NEAR_TOP, 50) == 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_order),
		cmocka_unit_test(test_across_the_wrap),
		cmocka_unit_test(test_pick_across_the_wrap),
		cmocka_unit_test(test_catch_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
