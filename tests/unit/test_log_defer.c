/* SPDX-License-Identifier: MIT */
/* Deferred log output (lib/log.c, log_defer): info lines wait, errors and
 * warnings take what waits with them at once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "lib/log.h"

static char got[65536];
static size_t got_len;

static void sink(const char *s, size_t len)
{
	assert_true(got_len + len < sizeof(got));
	memcpy(got + got_len, s, len);
	got_len += len;
	got[got_len] = 0;
}

static int setup(void **state)
{
	(void)state;
	got_len = 0;
	got[0] = 0;
	log_set_level(LVL_INFO);
	log_set_firmware_sink(sink);
	return 0;
}

static void test_info_waits_for_the_end(void **state)
{
	(void)state;
	log_defer();
	log_info("t", "one");
	log_info("t", "two");
	assert_int_equal(got_len, 0);
	log_defer_end();
	assert_string_equal(got, "[t] one\n[t] two\n");
	log_info("t", "three"); /* not deferred any more */
	assert_string_equal(got, "[t] one\n[t] two\n[t] three\n");
}

static void test_error_takes_what_waits(void **state)
{
	(void)state;
	log_defer();
	log_info("t", "before");
	log_err("t", "bad");
	assert_string_equal(got, "[t] before\n[t] error: bad\n");
	log_info("t", "after");
	log_warn("t", "odd");
	assert_string_equal(got, "[t] before\n[t] error: bad\n[t] after\n[t] warning: odd\n");
	log_info("t", "last");
	log_defer_end();
	assert_string_equal(got, "[t] before\n[t] error: bad\n[t] after\n[t] warning: odd\n[t] last\n");
	log_defer_end(); /* twice: nothing more */
	assert_int_equal(strlen(got), got_len);
}

/* More than the ring holds: what waits goes out before it is overwritten,
 * in order, nothing lost. */
static void test_overflow_sends_in_order(void **state)
{
	char want[65536];
	size_t n = 0;

	(void)state;
	log_defer();
	for (int i = 0; i < 2000; i++) {
		log_info("t", "line %d", i);
		n += (size_t)snprintf(want + n, sizeof(want) - n, "[t] line %d\n", i);
	}
	assert_true(got_len > 0); /* some had to go */
	log_defer_end();
	assert_int_equal(got_len, n);
	assert_memory_equal(got, want, n);
}

static void test_ring_keeps_everything(void **state)
{
	char buf[64];
	size_t n;

	(void)state;
	log_defer();
	log_info("t", "ringed");
	n = log_ring_copy(buf, sizeof(buf));
	assert_true(n >= 11);
	assert_memory_equal(buf + n - 11, "[t] ringed\n", 11);
	assert_int_equal(got_len, 0);
	log_defer_end();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_info_waits_for_the_end, setup),
		cmocka_unit_test_setup(test_error_takes_what_waits, setup),
		cmocka_unit_test_setup(test_overflow_sends_in_order, setup),
		cmocka_unit_test_setup(test_ring_keeps_everything, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
