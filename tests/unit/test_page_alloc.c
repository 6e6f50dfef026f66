/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for vmm/page_alloc.c. The allocator never touches the memory it
 * manages, so every address here is made up.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "vmm/page_alloc.h"

#define KIB 1024ULL
#define MIB (1024 * KIB)
#define GIB (1024 * MIB)

/* The invariants the allocator promises, checked after every step. */
static void check_invariants(const struct page_allocator *pa)
{
	uint64_t sum = 0;
	unsigned i;

	assert_true(pa->n_free <= PAGE_ALLOC_MAX_REGIONS);
	for (i = 0; i < pa->n_free; i++) {
		const struct page_region *r = &pa->free[i];

		assert_true(r->pages > 0);
		assert_int_equal(r->base % PAGE_SIZE, 0);
		assert_true(r->base >= PAGE_SIZE);
		if (i > 0) {
			const struct page_region *p = &pa->free[i - 1];

			/* past the previous end: sorted, coalesced */
			assert_true(p->base + p->pages * PAGE_SIZE < r->base);
		}
		sum += r->pages;
	}
	assert_int_equal(sum, pa->free_pages);
}

static void test_add_and_merge(void **state)
{
	struct page_allocator pa;

	(void)state;
	page_alloc_init(&pa);
	assert_int_equal(page_alloc_add(&pa, 0x100000, 0x100000), 0);
	assert_int_equal(page_alloc_add(&pa, 0x400000, 0x100000), 0);
	assert_int_equal(pa.n_free, 2);
	/* touching on the left merges */
	assert_int_equal(page_alloc_add(&pa, 0x200000, 0x100000), 0);
	assert_int_equal(pa.n_free, 2);
	assert_int_equal(pa.free[0].base, 0x100000);
	assert_int_equal(pa.free[0].pages, 0x200);
	/* bridging the gap merges all three, overlap counted once */
	assert_int_equal(page_alloc_add(&pa, 0x280000, 0x200000), 0);
	assert_int_equal(pa.n_free, 1);
	assert_int_equal(pa.free[0].base, 0x100000);
	assert_int_equal(pa.free[0].pages, 0x400);
	assert_int_equal(pa.free_pages, 0x400);
	assert_int_equal(pa.total_pages, 0x400);
	/* fully inside: nothing changes */
	assert_int_equal(page_alloc_add(&pa, 0x180000, 0x1000), 0);
	assert_int_equal(pa.free_pages, 0x400);
	assert_int_equal(pa.total_pages, 0x400);
	check_invariants(&pa);
}

static void test_add_rounds_inward_and_skips_page0(void **state)
{
	struct page_allocator pa;

	(void)state;
	page_alloc_init(&pa);
	/* [0x1001, 0x5fff) holds whole pages 0x2000..0x5000 */
	assert_int_equal(page_alloc_add(&pa, 0x1001, 0x4ffe), 0);
	assert_int_equal(pa.n_free, 1);
	assert_int_equal(pa.free[0].base, 0x2000);
	assert_int_equal(pa.free[0].pages, 3);
	/* less than a page: nothing */
	assert_int_equal(page_alloc_add(&pa, 0x10800, 0x1000), 0);
	assert_int_equal(pa.n_free, 1);
	/* page 0 is never added */
	assert_int_equal(page_alloc_add(&pa, 0, 0x2000), 0);
	assert_int_equal(pa.free[0].base, 0x1000);
	assert_int_equal(pa.free[0].pages, 4);
	/* a length running past the top of the address space is clamped */
	assert_int_equal(page_alloc_add(&pa, 0 - MIB, UINT64_MAX), 0);
	check_invariants(&pa);
	assert_int_equal(pa.free[1].base + pa.free[1].pages * PAGE_SIZE,
			 0xfffffffffffff000ULL);
}

static void test_reserve_holes(void **state)
{
	struct page_allocator pa;

	(void)state;
	page_alloc_init(&pa);
	page_alloc_add(&pa, 0x100000, 0x100000);
	/* a hole in the middle, rounded outward to 0x140000..0x142000 */
	page_alloc_reserve(&pa, 0x140010, 0x1000);
	assert_int_equal(pa.n_free, 2);
	assert_int_equal(pa.free[0].pages, 0x40);
	assert_int_equal(pa.free[1].base, 0x142000);
	assert_int_equal(pa.free_pages, 0x100 - 2);
	/* trim both ends */
	page_alloc_reserve(&pa, 0xf0000, 0x11000);
	assert_int_equal(pa.free[0].base, 0x101000);
	page_alloc_reserve(&pa, 0x1ff000, 0x10000);
	assert_int_equal(pa.free[1].base + pa.free[1].pages * PAGE_SIZE,
			 0x1ff000);
	/* across both regions and the hole */
	page_alloc_reserve(&pa, 0x13f000, 0x4000);
	assert_int_equal(pa.free[0].base + pa.free[0].pages * PAGE_SIZE,
			 0x13f000);
	assert_int_equal(pa.free[1].base, 0x143000);
	check_invariants(&pa);
	/* everything */
	page_alloc_reserve(&pa, 0, UINT64_MAX);
	assert_int_equal(pa.n_free, 0);
	assert_int_equal(pa.free_pages, 0);
	assert_int_equal(page_alloc_page(&pa), 0);
}

static void test_contig_alignment(void **state)
{
	struct page_allocator pa;
	uint64_t a, b, c;

	(void)state;
	page_alloc_init(&pa);
	page_alloc_add(&pa, 0x1000, 3 * GIB - 0x1000);

	a = page_alloc_contig(&pa, 1, PAGE_SIZE);
	assert_int_equal(a, 0x1000);
	b = page_alloc_contig(&pa, 512, 2 * MIB);
	assert_int_equal(b, 2 * MIB);
	c = page_alloc_contig(&pa, 1, GIB);
	assert_int_equal(c, GIB);
	/* the pages skipped for alignment stay free */
	assert_int_equal(page_alloc_contig(&pa, 2, PAGE_SIZE), 0x2000);
	assert_int_equal(page_alloc_contig(&pa, 512, GIB), 2 * GIB);
	/* no second 1G-aligned run of 1 GiB is left */
	assert_int_equal(page_alloc_contig(&pa, GIB / PAGE_SIZE, GIB), 0);
	/* bad alignment */
	assert_int_equal(page_alloc_contig(&pa, 1, 3 * PAGE_SIZE), 0);
	/* small alignment means page alignment */
	assert_int_equal(page_alloc_contig(&pa, 1, 0), 0x4000);
	/* zero pages */
	assert_int_equal(page_alloc_contig(&pa, 0, PAGE_SIZE), 0);
	check_invariants(&pa);
}

static void test_page0_never_returned(void **state)
{
	struct page_allocator pa;

	(void)state;
	page_alloc_init(&pa);
	page_alloc_add(&pa, 0, 2 * MIB);
	page_free_contig(&pa, 0, 1);
	check_invariants(&pa);
	assert_int_equal(page_alloc_page(&pa), 0x1000);
	/* 2M alignment from a region starting at 0: the first fit is 2M... */
	page_alloc_add(&pa, 2 * MIB, 2 * MIB);
	assert_int_equal(page_alloc_contig(&pa, 512, 2 * MIB), 2 * MIB);
	/* ...and base 0 is never a candidate */
	assert_int_equal(page_alloc_contig(&pa, 510, 2 * MIB), 0);
	assert_int_equal(page_alloc_largest(&pa, 2 * MIB), 0);
}

static void test_exhaustion(void **state)
{
	struct page_allocator pa;
	unsigned i;

	(void)state;
	page_alloc_init(&pa);
	page_alloc_add(&pa, 0x10000, 8 * PAGE_SIZE);
	assert_int_equal(page_alloc_contig(&pa, 9, PAGE_SIZE), 0);
	for (i = 0; i < 8; i++)
		assert_int_equal(page_alloc_page(&pa), 0x10000 + i * PAGE_SIZE);
	assert_int_equal(page_alloc_page(&pa), 0);
	assert_int_equal(pa.free_pages, 0);
	assert_int_equal(pa.n_free, 0);
	assert_int_equal(pa.total_pages, 8);
	/* absurd sizes do not overflow into a small request */
	page_alloc_add(&pa, 0x10000, 8 * PAGE_SIZE);
	assert_int_equal(page_alloc_contig(&pa, UINT64_MAX, PAGE_SIZE), 0);
	assert_int_equal(page_alloc_contig(&pa, 1, 1ULL << 63), 0);
}

static void test_free_merges_back(void **state)
{
	struct page_allocator pa;
	uint64_t a, b, c;

	(void)state;
	page_alloc_init(&pa);
	page_alloc_add(&pa, 0x100000, 0x10000);
	a = page_alloc_contig(&pa, 4, PAGE_SIZE);
	b = page_alloc_contig(&pa, 4, PAGE_SIZE);
	c = page_alloc_contig(&pa, 4, PAGE_SIZE);
	assert_int_equal(pa.free_pages, 4);
	page_free_contig(&pa, b, 4);
	assert_int_equal(pa.n_free, 2);
	page_free_contig(&pa, a, 4);
	assert_int_equal(pa.n_free, 2);
	page_free_contig(&pa, c, 4);
	assert_int_equal(pa.n_free, 1);
	assert_int_equal(pa.free[0].base, 0x100000);
	assert_int_equal(pa.free[0].pages, 16);
	assert_int_equal(pa.free_pages, 16);
	/* a double free is absorbed, not counted twice */
	page_free_contig(&pa, a, 4);
	assert_int_equal(pa.free_pages, 16);
	assert_int_equal(pa.total_pages, 16);
	check_invariants(&pa);
}

static void test_largest(void **state)
{
	struct page_allocator pa;

	(void)state;
	page_alloc_init(&pa);
	assert_int_equal(page_alloc_largest(&pa, PAGE_SIZE), 0);
	page_alloc_add(&pa, 0x1000, 300 * MIB);
	page_alloc_add(&pa, 1 * GIB + 0x1000, 500 * MIB);
	assert_int_equal(page_alloc_largest(&pa, PAGE_SIZE),
			 500 * MIB / PAGE_SIZE);
	/* 2M-aligned: the run in the second region starts at 1G + 2M */
	assert_int_equal(page_alloc_largest(&pa, 2 * MIB),
			 (500 * MIB - 2 * MIB + 0x1000) / PAGE_SIZE);
	/* 1G-aligned: nothing starts on a 1G boundary inside free RAM */
	assert_int_equal(page_alloc_largest(&pa, GIB), 0);
	/* what largest() reports can be allocated */
	assert_int_not_equal(page_alloc_contig(&pa,
					       page_alloc_largest(&pa, 2 * MIB),
					       2 * MIB),
			     0);
	check_invariants(&pa);
}

static void test_region_table_full(void **state)
{
	struct page_allocator pa;
	unsigned i;
	uint64_t base, before;

	(void)state;
	page_alloc_init(&pa);
	/* 128 separate 4-page regions with 1-page gaps */
	for (i = 0; i < PAGE_ALLOC_MAX_REGIONS; i++)
		assert_int_equal(page_alloc_add(&pa, 0x100000 + i * 0x5000,
						0x4000), 0);
	assert_int_equal(pa.n_free, PAGE_ALLOC_MAX_REGIONS);
	base = 0x100000 + PAGE_ALLOC_MAX_REGIONS * 5 * PAGE_SIZE + PAGE_SIZE;
	before = pa.free_pages;
	assert_int_equal(page_alloc_add(&pa, base, PAGE_SIZE), -1);
	assert_int_equal(pa.free_pages, before);
	/* merging into existing regions still works when full */
	assert_int_equal(page_alloc_add(&pa, 0x100000 + 4 * PAGE_SIZE,
					PAGE_SIZE),
			 0);
	assert_int_equal(pa.n_free, PAGE_ALLOC_MAX_REGIONS - 1);
	assert_int_equal(page_alloc_add(&pa, base, PAGE_SIZE), 0);
	assert_int_equal(pa.n_free, PAGE_ALLOC_MAX_REGIONS);

	/* taking the head of a region needs no new slot */
	assert_int_equal(page_alloc_page(&pa), 0x100000);
	assert_int_equal(pa.n_free, PAGE_ALLOC_MAX_REGIONS);
	check_invariants(&pa);

	/* a hole with no slot left drops the smaller side */
	page_alloc_init(&pa);
	for (i = 0; i < PAGE_ALLOC_MAX_REGIONS; i++)
		page_alloc_add(&pa, 0x100000 + i * 0x100000, 16 * PAGE_SIZE);
	page_alloc_reserve(&pa, 0x100000 + 2 * PAGE_SIZE, PAGE_SIZE);
	assert_int_equal(pa.n_free, PAGE_ALLOC_MAX_REGIONS);
	assert_int_equal(pa.free[0].base, 0x100000 + 3 * PAGE_SIZE);
	assert_int_equal(pa.free[0].pages, 13);
	assert_int_equal(pa.free_pages, PAGE_ALLOC_MAX_REGIONS * 16 - 3);
	check_invariants(&pa);
	/*
	 * The first aligned run (0x104000) would split the region; with no
	 * slot left the run that ends flush with the region is taken instead.
	 */
	assert_int_equal(page_alloc_contig(&pa, 2, 2 * PAGE_SIZE),
			 0x100000 + 14 * PAGE_SIZE);
	assert_int_equal(pa.n_free, PAGE_ALLOC_MAX_REGIONS);
	/* and when even that does not fit, the next region is used */
	assert_int_equal(page_alloc_contig(&pa, 8, 8 * PAGE_SIZE), 0x200000);
	check_invariants(&pa);
}

/*
 * Random add/reserve/alloc/free against a bitmap model. 240 pages make at
 * most 120 regions, so the table-full paths (tested above) never run here.
 */
static void test_random_against_model(void **state)
{
	enum { N = 240 };
	static bool model[N]; /* true = free */
	struct page_allocator pa;
	uint32_t seed = 12345;
	unsigned step, i;

	(void)state;
	memset(model, 0, sizeof(model));
	page_alloc_init(&pa);
	for (step = 0; step < 20000; step++) {
		unsigned op, p, n, align;
		uint64_t got;

		seed = seed * 1103515245 + 12345;
		op = (seed >> 16) % 4;
		seed = seed * 1103515245 + 12345;
		p = (seed >> 8) % N;
		seed = seed * 1103515245 + 12345;
		n = 1 + (seed >> 8) % 16;
		if (p + n > N)
			n = N - p;
		align = 1u << ((seed >> 24) % 4);

		switch (op) {
		case 0:
			if (page_alloc_add(&pa, (uint64_t)p * PAGE_SIZE,
					   (uint64_t)n * PAGE_SIZE) == 0)
				for (i = p; i < p + n; i++)
					model[i] = i != 0;
			break;
		case 1:
			page_alloc_reserve(&pa, (uint64_t)p * PAGE_SIZE,
					   (uint64_t)n * PAGE_SIZE);
			for (i = p; i < p + n; i++)
				model[i] = false;
			break;
		case 2: {
			unsigned s, first = 0;

			got = page_alloc_contig(&pa, n, align * PAGE_SIZE);
			/* first fit in the model */
			for (s = align; s + n <= N && !first; s += align) {
				for (i = s; i < s + n && model[i]; i++)
					;
				if (i == s + n)
					first = s;
			}
			assert_int_equal(got, (uint64_t)first * PAGE_SIZE);
			if (got)
				for (i = first; i < first + n; i++)
					model[i] = false;
			break;
		}
		default:
			page_free_contig(&pa, (uint64_t)p * PAGE_SIZE, n);
			for (i = p; i < p + n; i++)
				model[i] = i != 0;
			break;
		}
		check_invariants(&pa);
		for (i = 0, n = 0; i < N; i++)
			n += model[i];
		assert_int_equal(pa.free_pages, n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_merge),
		cmocka_unit_test(test_add_rounds_inward_and_skips_page0),
		cmocka_unit_test(test_reserve_holes),
		cmocka_unit_test(test_contig_alignment),
		cmocka_unit_test(test_page0_never_returned),
		cmocka_unit_test(test_exhaustion),
		cmocka_unit_test(test_free_merges_back),
		cmocka_unit_test(test_largest),
		cmocka_unit_test(test_region_table_full),
		cmocka_unit_test(test_random_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
