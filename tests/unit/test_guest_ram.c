/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for vmm/guest_ram.c: the PC layout of a guest's RAM around
 * the MMIO hole, and guest-physical to host translation at its edges.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/guest_ram.h"

#define KIB 1024ULL
#define MIB (1024 * KIB)
#define GIB (1024 * MIB)
#define PAGE (4 * KIB)

/* What every layout must be, whatever the size: ascending, page-sized
 * ranges that add up to the size, none touching the hole [3G, 4G), the
 * first from 0, and only one range while the size fits below the hole. */
static void check_invariants(const struct guest_ram *ram, uint64_t size)
{
	uint64_t sum = 0;

	assert_int_equal(ram->size, size);
	assert_true(ram->n <= GUEST_RAM_RANGES_MAX);
	for (unsigned i = 0; i < ram->n; i++) {
		const struct guest_ram_range *r = &ram->r[i];
		uint64_t end = r->gpa + r->size;

		assert_true(r->size > 0);
		assert_int_equal(r->size % PAGE, 0);
		assert_int_equal(r->hpa, 0);
		assert_true(end <= GUEST_LOW_RAM_TOP || r->gpa >= 4 * GIB);
		if (i == 0)
			assert_int_equal(r->gpa, 0);
		else
			assert_true(r->gpa >= ram->r[i - 1].gpa + ram->r[i - 1].size);
		sum += r->size;
	}
	assert_int_equal(sum, size);
	assert_int_equal(ram->n, size == 0 ? 0 : size <= 3 * GIB ? 1 : 2);
}

static void test_layout_table(void **state)
{
	static const struct {
		uint64_t size, low, high; /* high: bytes from 4 GiB */
	} cases[] = {
		{ 1 * MIB, 1 * MIB, 0 },
		{ 16 * MIB, 16 * MIB, 0 },
		{ 3 * GIB - MIB, 3 * GIB - MIB, 0 },
		{ 3 * GIB, 3 * GIB, 0 },                 /* exactly the boundary */
		{ 3 * GIB + PAGE, 3 * GIB, PAGE },       /* one page past it */
		{ 3 * GIB + MIB, 3 * GIB, MIB },
		{ 4075 * MIB, 3 * GIB, 1003 * MIB },     /* the old limit */
		{ 4 * GIB - MIB, 3 * GIB, GIB - MIB },
		{ 4 * GIB, 3 * GIB, GIB },
		{ 4200 * MIB, 3 * GIB, 1128 * MIB },
		{ 6 * GIB, 3 * GIB, 3 * GIB },
		{ 512 * GIB, 3 * GIB, 509 * GIB },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct guest_ram ram;

		guest_ram_layout(cases[i].size, &ram);
		check_invariants(&ram, cases[i].size);
		assert_int_equal(ram.r[0].size, cases[i].low);
		assert_int_equal(guest_ram_low_size(&ram), cases[i].low);
		if (cases[i].high) {
			assert_int_equal(ram.r[1].gpa, 4 * GIB);
			assert_int_equal(ram.r[1].size, cases[i].high);
			assert_int_equal(guest_ram_end(&ram), 4 * GIB + cases[i].high);
		} else {
			assert_int_equal(guest_ram_end(&ram), cases[i].low);
		}
	}
}

static void test_layout_sweep(void **state)
{
	struct guest_ram ram;
	(void)state;

	guest_ram_layout(0, &ram);
	check_invariants(&ram, 0);
	assert_int_equal(guest_ram_end(&ram), 0);
	assert_int_equal(guest_ram_low_size(&ram), 0);
	/* Every MiB size around the boundary, then random ones. */
	for (uint64_t s = 3 * GIB - 64 * MIB; s <= 3 * GIB + 64 * MIB; s += MIB) {
		guest_ram_layout(s, &ram);
		check_invariants(&ram, s);
	}
	srand(7);
	for (int i = 0; i < 10000; i++) {
		uint64_t s = ((uint64_t)rand() % (512 * 1024) + 1) * MIB;

		guest_ram_layout(s, &ram);
		check_invariants(&ram, s);
	}
}

/* A 4200M guest, its ranges backed at two made-up host addresses. */
static void split_guest(struct guest_ram *ram)
{
	guest_ram_layout(4200 * MIB, ram);
	ram->r[0].hpa = 0x40000000;
	ram->r[1].hpa = 0x200000000;
}

static void test_translate_edges(void **state)
{
	struct guest_ram ram;
	uint64_t end, hpa;
	(void)state;

	split_guest(&ram);
	end = guest_ram_end(&ram);
	/* Low RAM: first and last byte, and the last 8 bytes. */
	assert_true(guest_ram_to_host(&ram, 0, 1, &hpa));
	assert_int_equal(hpa, 0x40000000);
	assert_true(guest_ram_to_host(&ram, 3 * GIB - 1, 1, &hpa));
	assert_int_equal(hpa, 0x40000000 + 3 * GIB - 1);
	assert_true(guest_ram_to_host(&ram, 3 * GIB - 8, 8, &hpa));
	/* Into the hole by one byte, in the hole, its last byte. */
	assert_false(guest_ram_to_host(&ram, 3 * GIB - 8, 9, &hpa));
	assert_false(guest_ram_to_host(&ram, 3 * GIB, 1, &hpa));
	assert_false(guest_ram_to_host(&ram, 0xfeb00000, 8, &hpa));
	assert_false(guest_ram_to_host(&ram, 0xfee00000, 4, &hpa));
	assert_false(guest_ram_to_host(&ram, 4 * GIB - 1, 1, &hpa));
	/* From the hole into high RAM, and from low RAM across the hole. */
	assert_false(guest_ram_to_host(&ram, 4 * GIB - 4, 8, &hpa));
	assert_false(guest_ram_to_host(&ram, 3 * GIB - 4, GIB + 8, &hpa));
	/* High RAM: first byte, last byte, one past the end. */
	assert_true(guest_ram_to_host(&ram, 4 * GIB, 8, &hpa));
	assert_int_equal(hpa, 0x200000000);
	assert_true(guest_ram_to_host(&ram, end - 1, 1, &hpa));
	assert_int_equal(hpa, 0x200000000 + 1128 * MIB - 1);
	assert_false(guest_ram_to_host(&ram, end - 4, 8, &hpa));
	assert_false(guest_ram_to_host(&ram, end, 1, &hpa));
	/* The whole of each range at once, and no more. */
	assert_true(guest_ram_to_host(&ram, 0, 3 * GIB, &hpa));
	assert_false(guest_ram_to_host(&ram, 0, 3 * GIB + 1, &hpa));
	assert_true(guest_ram_to_host(&ram, 4 * GIB, 1128 * MIB, &hpa));
	assert_false(guest_ram_to_host(&ram, 4 * GIB, 1128 * MIB + 1, &hpa));
}

static void test_translate_hostile(void **state)
{
	struct guest_ram ram;
	uint64_t hpa = 0x1234;
	(void)state;

	split_guest(&ram);
	/* Lengths and addresses that would wrap a careless sum. */
	assert_false(guest_ram_to_host(&ram, 0, 0, &hpa));
	assert_false(guest_ram_to_host(&ram, 4 * GIB, 0, &hpa));
	assert_false(guest_ram_to_host(&ram, 0x1000, UINT64_MAX, &hpa));
	assert_false(guest_ram_to_host(&ram, UINT64_MAX, 2, &hpa));
	assert_false(guest_ram_to_host(&ram, UINT64_MAX - 7, 8, &hpa));
	assert_false(guest_ram_to_host(&ram, 4 * GIB + 8, UINT64_MAX - 4, &hpa));
	assert_int_equal(hpa, 0x1234); /* untouched by every refusal */
	/* A range with no host memory yet is not RAM to touch. */
	ram.r[1].hpa = 0;
	assert_false(guest_ram_to_host(&ram, 4 * GIB, 8, &hpa));
	assert_non_null(guest_ram_find(&ram, 4 * GIB, 8));
}

static void test_translate_small_guest(void **state)
{
	struct guest_ram ram;
	uint64_t hpa;
	(void)state;

	guest_ram_layout(16 * MIB, &ram);
	ram.r[0].hpa = 0x200000;
	assert_true(guest_ram_to_host(&ram, 16 * MIB - 8, 8, &hpa));
	assert_int_equal(hpa, 0x200000 + 16 * MIB - 8);
	assert_false(guest_ram_to_host(&ram, 16 * MIB, 1, &hpa));
	assert_false(guest_ram_to_host(&ram, 4 * GIB, 1, &hpa));
}

static void test_describe(void **state)
{
	struct guest_ram ram;
	char buf[64];
	int n;
	(void)state;

	guest_ram_layout(16 * MIB, &ram);
	n = guest_ram_describe(&ram, buf, sizeof(buf));
	assert_string_equal(buf, "0-0xffffff");
	assert_int_equal(n, strlen(buf));
	guest_ram_layout(6 * GIB, &ram);
	n = guest_ram_describe(&ram, buf, sizeof(buf));
	assert_string_equal(buf, "0-0xbfffffff, 0x100000000-0x1bfffffff");
	assert_int_equal(n, strlen(buf));
	/* Cut short: terminated, and the length it would have had. */
	n = guest_ram_describe(&ram, buf, 8);
	assert_int_equal(strlen(buf), 7);
	assert_int_equal(n, strlen("0-0xbfffffff, 0x100000000-0x1bfffffff"));
	n = guest_ram_describe(&ram, buf, 14);
	assert_string_equal(buf, "0-0xbfffffff,");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_table),
		cmocka_unit_test(test_layout_sweep),
		cmocka_unit_test(test_translate_edges),
		cmocka_unit_test(test_translate_hostile),
		cmocka_unit_test(test_translate_small_guest),
		cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
