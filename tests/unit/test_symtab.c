/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lib/symtab.h"

/* Shaped like what tools/mksyms.py writes: starts ascending, then the end
 * of the code; one NUL-ended name per start. */
static const uint32_t starts[] = { 0x7000, 0x7028, 0x7030, 0x7100, 0x9ae0, 0x25040 };
static const char names[] = "_start\0.exit\0boot_console_write\0"
			    "vmx_op_failed.cold\0vmx_run\0";
static const struct symtab table = { 5, starts, names };

static void name_and_delta(void **state)
{
	uint32_t delta = 99;

	(void)state;
	assert_string_equal(symtab_lookup(&table, 0x7000, &delta), "_start");
	assert_int_equal(delta, 0);
	assert_string_equal(symtab_lookup(&table, 0x7027, &delta), "_start");
	assert_int_equal(delta, 0x27);
	assert_string_equal(symtab_lookup(&table, 0x7028, &delta), ".exit");
	assert_int_equal(delta, 0);
	assert_string_equal(symtab_lookup(&table, 0x70ff, &delta), "boot_console_write");
	assert_int_equal(delta, 0xcf);
	assert_string_equal(symtab_lookup(&table, 0x9ae0 - 1, &delta), "vmx_op_failed.cold");
	assert_int_equal(delta, 0x9ae0 - 1 - 0x7100);
}

/* The last function runs up to the end of the code, not beyond. */
static void last_function_ends_at_the_end(void **state)
{
	uint32_t delta;

	(void)state;
	assert_string_equal(symtab_lookup(&table, 0x2503f, &delta), "vmx_run");
	assert_int_equal(delta, 0x2503f - 0x9ae0);
	assert_null(symtab_lookup(&table, 0x25040, &delta));
	assert_null(symtab_lookup(&table, 0x100000000ull + 0x7000, &delta));
}

static void before_the_first_function(void **state)
{
	uint32_t delta;

	(void)state;
	assert_null(symtab_lookup(&table, 0, &delta));
	assert_null(symtab_lookup(&table, 0x6fff, &delta));
}

/* The first link of the image has an empty table (count 0, one start). */
static void empty_table(void **state)
{
	static const uint32_t end[] = { 0 };
	static const struct symtab empty = { 0, end, "" };
	uint32_t delta;

	(void)state;
	assert_null(symtab_lookup(&empty, 0, &delta));
	assert_null(symtab_lookup(&empty, 0x7000, &delta));
}

/* Many functions: every address of every one is found, at every size of
 * the table, which walks the binary search through all its shapes. */
static void every_address_of_many(void **state)
{
	enum { MAX = 67 };
	static uint32_t s[MAX + 1];
	static char n[MAX * 8];
	uint32_t delta;

	(void)state;
	for (unsigned count = 1; count <= MAX; count++) {
		char *p = n;

		for (unsigned i = 0; i <= count; i++)
			s[i] = 0x1000 + i * i * 3 + i; /* uneven sizes */
		for (unsigned i = 0; i < count; i++)
			p += sprintf(p, "f%u", i) + 1;
		struct symtab t = { count, s, n };

		for (unsigned i = 0; i < count; i++)
			for (uint32_t a = s[i]; a < s[i + 1]; a++) {
				char want[8];
				const char *got = symtab_lookup(&t, a, &delta);

				sprintf(want, "f%u", i);
				assert_non_null(got);
				assert_string_equal(got, want);
				assert_int_equal(delta, a - s[i]);
			}
		assert_null(symtab_lookup(&t, s[count], &delta));
		assert_null(symtab_lookup(&t, s[0] - 1, &delta));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(name_and_delta),
		cmocka_unit_test(last_function_ends_at_the_end),
		cmocka_unit_test(before_the_first_function),
		cmocka_unit_test(empty_table),
		cmocka_unit_test(every_address_of_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
