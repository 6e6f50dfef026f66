/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for arch/x86/ept.c over fake table memory: a pool of aligned
 * 4 KiB pages whose "host-physical" address is 0x1000 * (index + 1). Mapped
 * host addresses are only numbers in entries and are never touched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/ept.h"

#define MIB (1ull << 20)
#define GIB (1ull << 30)
#define POOL_PAGES 64

#define E_LARGE (1ull << 7)
#define E_ADDR 0x000ffffffffff000ull
#define MT(x) ((x) << 3)

struct fake_mem {
	uint8_t *pages;
	bool used[POOL_PAGES];
	unsigned allocs, frees;
	int fail_after; /* allocations left before failing; -1: never fail */
};

static uint64_t fake_alloc(void *ctx)
{
	struct fake_mem *m = ctx;
	unsigned i;

	if (m->fail_after == 0)
		return 0;
	if (m->fail_after > 0)
		m->fail_after--;
	for (i = 0; i < POOL_PAGES; i++) {
		if (!m->used[i]) {
			m->used[i] = true;
			m->allocs++;
			/* freed pages hold 0xa5; the contract says ZEROED */
			memset(m->pages + i * 4096, 0, 4096);
			return 0x1000ull * (i + 1);
		}
	}
	return 0;
}

static unsigned fake_index(struct fake_mem *m, uint64_t hpa)
{
	unsigned i = (unsigned)(hpa / 0x1000 - 1);

	assert_int_equal(hpa % 0x1000, 0);
	assert_true(hpa >= 0x1000 && i < POOL_PAGES);
	assert_true(m->used[i]);
	return i;
}

static void fake_free(void *ctx, uint64_t hpa)
{
	struct fake_mem *m = ctx;
	unsigned i = fake_index(m, hpa);

	m->used[i] = false;
	memset(m->pages + i * 4096, 0xa5, 4096); /* catch use after free */
	m->frees++;
}

static void *fake_virt(void *ctx, uint64_t hpa)
{
	struct fake_mem *m = ctx;

	return m->pages + fake_index(m, hpa) * 4096;
}

struct fixture {
	struct fake_mem mem;
	struct ept_mem_ops ops;
	struct ept ept;
};

static struct fixture *fixture_new(bool have_2m, bool have_1g)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->mem.pages = aligned_alloc(4096, POOL_PAGES * 4096);
	assert_non_null(f->mem.pages);
	memset(f->mem.pages, 0xa5, POOL_PAGES * 4096);
	f->mem.fail_after = -1;
	f->ops.ctx = &f->mem;
	f->ops.alloc_table = fake_alloc;
	f->ops.free_table = fake_free;
	f->ops.phys_to_virt = fake_virt;
	assert_int_equal(ept_init(&f->ept, &f->ops, have_2m, have_1g), 0);
	return f;
}

/* Destroy the ept and check every table came back. */
static void fixture_done(struct fixture *f)
{
	unsigned i;

	ept_destroy(&f->ept);
	assert_int_equal(f->ept.tables, 0);
	assert_int_equal(f->mem.allocs, f->mem.frees);
	for (i = 0; i < POOL_PAGES; i++)
		assert_false(f->mem.used[i]);
	free(f->mem.pages);
	free(f);
}

/* The table holding the entry for gpa at `level` (4 = PML4 .. 1 = PT). */
static uint64_t *table_for(struct fixture *f, uint64_t gpa, int level)
{
	uint64_t *t = fake_virt(&f->mem, f->ept.pml4);
	int l;

	for (l = 4; l > level; l--) {
		uint64_t e = t[(gpa >> (12 + 9 * (l - 1))) & 511];

		assert_true(e & 7);
		assert_false(e & E_LARGE);
		t = fake_virt(&f->mem, e & E_ADDR);
	}
	return t;
}

static uint64_t entry_for(struct fixture *f, uint64_t gpa, int level)
{
	return table_for(f, gpa, level)[(gpa >> (12 + 9 * (level - 1))) & 511];
}

static void assert_translates(struct fixture *f, uint64_t gpa,
			      uint64_t want_hpa, uint64_t want_perm,
			      uint64_t want_size)
{
	uint64_t hpa = 0, perm = 0, size = 0;

	assert_true(ept_translate(&f->ept, gpa, &hpa, &perm, &size));
	assert_int_equal(hpa, want_hpa);
	assert_int_equal(perm, want_perm);
	assert_int_equal(size, want_size);
}

static int map(struct fixture *f, uint64_t gpa, uint64_t hpa, uint64_t size,
	       uint64_t perm, uint64_t mt)
{
	return ept_map(&f->ept, gpa, hpa, size, perm, mt);
}

static void map_ok(struct fixture *f, uint64_t gpa, uint64_t hpa, uint64_t size,
		   uint64_t perm, uint64_t mt)
{
	assert_int_equal(map(f, gpa, hpa, size, perm, mt), 0);
}

static bool mapped(struct fixture *f, uint64_t gpa)
{
	return ept_translate(&f->ept, gpa, NULL, NULL, NULL);
}

static void test_map_1g_leaf(void **state)
{
	struct fixture *f = fixture_new(true, true);
	uint64_t pml4e, pdpte;

	(void)state;
	map_ok(f, GIB, 4 * GIB, GIB, EPT_RWX, EPT_MT_WB);
	assert_int_equal(f->ept.tables, 2);
	pml4e = entry_for(f, GIB, 4);
	/* table pointer: address and RWX, nothing else */
	assert_int_equal(pml4e & ~E_ADDR, EPT_RWX);
	pdpte = entry_for(f, GIB, 3);
	/* RWX, WB in 5:3, IPAT clear, large, no A/D, no user-exec */
	assert_int_equal(pdpte, 4 * GIB | 0x7 | MT(6ull) | E_LARGE);
	assert_int_equal(pdpte, 0x1000000b7ull);
	assert_translates(f, GIB + 0x12345, 4 * GIB + 0x12345, EPT_RWX, GIB);
	assert_translates(f, 2 * GIB - 1, 5 * GIB - 1, EPT_RWX, GIB);
	assert_false(mapped(f, 0));
	assert_false(mapped(f, 2 * GIB));
	fixture_done(f);
}

static void test_no_1g_gives_2m(void **state)
{
	struct fixture *f = fixture_new(true, false);
	uint64_t *pd;
	unsigned i;

	(void)state;
	map_ok(f, GIB, 4 * GIB, GIB, EPT_RWX, EPT_MT_WB);
	assert_int_equal(f->ept.tables, 3);
	pd = table_for(f, GIB, 2);
	for (i = 0; i < 512; i++)
		assert_int_equal(pd[i], (4 * GIB + i * 2 * MIB) | 0x7 |
						MT(6ull) | E_LARGE);
	assert_translates(f, GIB + 3 * MIB, 4 * GIB + 3 * MIB, EPT_RWX,
			  2 * MIB);
	fixture_done(f);

	/* no large pages at all: 4K leaves, no bit 7 */
	f = fixture_new(false, false);
	map_ok(f, 0, 2 * MIB, 2 * MIB, EPT_RWX, EPT_MT_WB);
	assert_int_equal(f->ept.tables, 4);
	assert_int_equal(entry_for(f, 0x7000, 1), (2 * MIB + 0x7000) | 0x37);
	assert_translates(f, 0x7008, 2 * MIB + 0x7008, EPT_RWX, 4096);
	fixture_done(f);
}

static void test_alignment_picks_page_size(void **state)
{
	struct fixture *f = fixture_new(true, true);
	uint64_t *pt;
	unsigned i;

	(void)state;
	/* gpa 2M-aligned, hpa only 4K-aligned: 512 4K pages */
	map_ok(f, 2 * MIB, 64 * MIB + 0x1000, 2 * MIB, EPT_RWX, EPT_MT_WB);
	assert_int_equal(f->ept.tables, 4);
	pt = table_for(f, 2 * MIB, 1);
	for (i = 0; i < 512; i++)
		assert_int_equal(pt[i], (64 * MIB + 0x1000 + i * 4096) | 0x37);
	assert_translates(f, 3 * MIB, 65 * MIB + 0x1000, EPT_RWX, 4096);

	/* gpa 1G-aligned, hpa only 2M-aligned: 2M pages, not one 1G page */
	map_ok(f, GIB, 6 * MIB, GIB, EPT_RWX, EPT_MT_WB);
	assert_translates(f, GIB, 6 * MIB, EPT_RWX, 2 * MIB);
	/* 1G + 4K of size: one 1G page, then one 4K page */
	map_ok(f, 2 * GIB, 2 * GIB, GIB + 4096, EPT_READ, EPT_MT_WB);
	assert_translates(f, 2 * GIB, 2 * GIB, EPT_READ, GIB);
	assert_translates(f, 3 * GIB, 3 * GIB, EPT_READ, 4096);
	assert_false(mapped(f, 3 * GIB + 4096));
	fixture_done(f);
}

static void test_16m_at_gpa0_uses_2m(void **state)
{
	struct fixture *f = fixture_new(true, true);
	uint64_t a;

	(void)state;
	map_ok(f, 0, 32 * MIB, 16 * MIB, EPT_RWX, EPT_MT_WB);
	assert_int_equal(f->ept.tables, 3);
	for (a = 0; a < 16 * MIB; a += 2 * MIB) {
		assert_int_equal(entry_for(f, a, 2),
				 (32 * MIB + a) | 0x37 | E_LARGE);
		assert_translates(f, a + 0x1234, 32 * MIB + a + 0x1234, EPT_RWX,
				  2 * MIB);
	}
	assert_int_equal(entry_for(f, 16 * MIB, 2), 0);
	fixture_done(f);
}

static void test_unmap_splits_2m(void **state)
{
	struct fixture *f = fixture_new(true, true);
	const uint64_t perm = EPT_READ | EPT_EXEC, hole = 2 * MIB + 0x5000;
	uint64_t *pt;
	unsigned i, present = 0;

	(void)state;
	map_ok(f, 2 * MIB, 64 * MIB, 2 * MIB, perm, EPT_MT_WB);
	assert_int_equal(f->ept.tables, 3);
	assert_int_equal(ept_unmap(&f->ept, hole, 4096), 0);
	assert_int_equal(f->ept.tables, 4);
	assert_int_equal(entry_for(f, 2 * MIB, 2) & ~E_ADDR, EPT_RWX);
	pt = table_for(f, 2 * MIB, 1);
	for (i = 0; i < 512; i++) {
		uint64_t gpa = 2 * MIB + i * 4096ull;

		if (gpa == hole) {
			assert_int_equal(pt[i], 0);
			assert_false(mapped(f, gpa));
			continue;
		}
		present++;
		assert_int_equal(pt[i], (64 * MIB + i * 4096ull) | perm |
						MT(EPT_MT_WB));
		assert_translates(f, gpa + 8, 64 * MIB + i * 4096ull + 8, perm,
				  4096);
	}
	assert_int_equal(present, 511);
	fixture_done(f);
}

static void test_unmap_splits_1g(void **state)
{
	struct fixture *f = fixture_new(true, true);

	(void)state;
	map_ok(f, 0, GIB, GIB, EPT_RWX, EPT_MT_UC);
	assert_int_equal(ept_unmap(&f->ept, GIB - 4096, 4096), 0);
	/* PML4, PDPT, PD from the 1G page, PT from the last 2M page */
	assert_int_equal(f->ept.tables, 4);
	assert_translates(f, 0x12345, GIB + 0x12345, EPT_RWX, 2 * MIB);
	assert_int_equal(entry_for(f, 0, 2), GIB | 0x7 | MT(0ull) | E_LARGE);
	assert_translates(f, GIB - 8192, 2 * GIB - 8192, EPT_RWX, 4096);
	assert_false(mapped(f, GIB - 4096));
	/* unmapping a whole 2M region that is a table frees the table */
	assert_int_equal(ept_unmap(&f->ept, GIB - 2 * MIB, 2 * MIB), 0);
	assert_int_equal(f->ept.tables, 3);
	/* unmapping what is not mapped is fine */
	assert_int_equal(ept_unmap(&f->ept, GIB - 2 * MIB, 4 * MIB), 0);
	assert_int_equal(ept_unmap(&f->ept, 0, GIB), 0);
	assert_false(mapped(f, 0));
	assert_int_equal(f->ept.tables, 2);
	fixture_done(f);
}

static void test_remap_perm_and_type(void **state)
{
	struct fixture *f = fixture_new(true, true);
	unsigned frees;

	(void)state;
	map_ok(f, 0, 2 * MIB, 2 * MIB, EPT_RWX, EPT_MT_WB);
	/* one page becomes read-only uncached MMIO elsewhere */
	map_ok(f, 0x3000, 0xfee00000, 4096, EPT_READ, EPT_MT_UC);
	assert_int_equal(f->ept.tables, 4);
	assert_int_equal(entry_for(f, 0x3000, 1), 0xfee00000ull | 0x1);
	assert_translates(f, 0x3010, 0xfee00010, EPT_READ, 4096);
	assert_int_equal(entry_for(f, 0x4000, 1), (2 * MIB + 0x4000) | 0x37);
	/* and again, in place: no new table */
	map_ok(f, 0x3000, 0x9000, 4096, EPT_READ | EPT_WRITE, EPT_MT_WT);
	assert_int_equal(f->ept.tables, 4);
	assert_int_equal(entry_for(f, 0x3000, 1), 0x9000ull | 0x3 | MT(4ull));
	/* a 2M mapping over the split region frees its page table */
	frees = f->mem.frees;
	map_ok(f, 0, 4 * MIB, 2 * MIB, EPT_EXEC, EPT_MT_WB);
	assert_int_equal(f->ept.tables, 3);
	assert_int_equal(f->mem.frees, frees + 1);
	assert_translates(f, 0x3000, 4 * MIB + 0x3000, EPT_EXEC, 2 * MIB);
	fixture_done(f);
}

static void test_translate_unmapped(void **state)
{
	struct fixture *f = fixture_new(true, true);
	uint64_t hpa = 77;

	(void)state;
	assert_false(ept_translate(&f->ept, 0, &hpa, NULL, NULL));
	assert_int_equal(hpa, 77);
	map_ok(f, 0x1000, 0x1000, 4096, EPT_RWX, EPT_MT_WB);
	assert_false(mapped(f, 0));
	assert_false(mapped(f, 0x2000));
	assert_false(mapped(f, 1ull << 48));
	assert_true(mapped(f, 0x1fff));
	fixture_done(f);
}

static void test_table_count_and_destroy(void **state)
{
	struct fixture *f = fixture_new(true, true);

	(void)state;
	assert_int_equal(f->ept.tables, 1);
	/* 4K pages in two PML4 slots */
	map_ok(f, 0, 0x100000, 8192, EPT_RWX, EPT_MT_WB);
	assert_int_equal(f->ept.tables, 4);
	map_ok(f, 1ull << 39, 0x100000, 4096, EPT_RWX, EPT_MT_WB);
	assert_int_equal(f->ept.tables, 7);
	/* the top of the 48-bit space */
	map_ok(f, (1ull << 48) - 2 * MIB, 2 * MIB, 2 * MIB, EPT_RWX,
	       EPT_MT_WB);
	assert_int_equal(f->ept.tables, 9);
	assert_int_equal(f->mem.allocs - f->mem.frees, f->ept.tables);
	fixture_done(f); /* checks allocs == frees */
}

static void test_alloc_failure(void **state)
{
	struct fixture *f = fixture_new(true, true);
	struct ept e2;

	(void)state;
	/* ept_init fails cleanly */
	f->mem.fail_after = 0;
	assert_int_equal(ept_init(&e2, &f->ops, true, true), -1);

	/* 2M pages on both sides of 1G: the second needs a new PD */
	f->mem.fail_after = 2;
	assert_int_equal(map(f, GIB - 2 * MIB, 0, 4 * MIB, EPT_RWX,
			     EPT_MT_WB),
			 -1);
	assert_translates(f, GIB - 2 * MIB, 0, EPT_RWX, 2 * MIB);
	assert_false(mapped(f, GIB));
	assert_int_equal(f->ept.tables, 3);
	assert_int_equal(f->mem.allocs - f->mem.frees, f->ept.tables);

	/* a split that cannot get a table leaves the large page whole */
	f->mem.fail_after = 0;
	assert_int_equal(ept_unmap(&f->ept, GIB - 2 * MIB + 4096, 4096), -1);
	assert_translates(f, GIB - 2 * MIB + 4096, 4096, EPT_RWX, 2 * MIB);
	assert_int_equal(map(f, GIB - 4096, 0, 4096, EPT_READ, EPT_MT_WB), -1);
	assert_translates(f, GIB - 4096, 2 * MIB - 4096, EPT_RWX, 2 * MIB);

	f->mem.fail_after = -1;
	map_ok(f, GIB - 2 * MIB, 0, 4 * MIB, EPT_RWX, EPT_MT_WB);
	assert_translates(f, GIB, 2 * MIB, EPT_RWX, 2 * MIB);
	fixture_done(f);
}

static void test_bad_arguments(void **state)
{
	static const struct {
		uint64_t gpa, hpa, size, perm, mt;
	} bad[] = {
		{ 0x800, 0, 4096, EPT_RWX, EPT_MT_WB },	/* misaligned */
		{ 0, 0x800, 4096, EPT_RWX, EPT_MT_WB },
		{ 0, 0, 100, EPT_RWX, EPT_MT_WB },
		{ 0, 0, 4096, 0, EPT_MT_WB },		/* not present */
		{ 0, 0, 4096, EPT_WRITE, EPT_MT_WB },	/* write, no read */
		{ 0, 0, 4096, EPT_WRITE | EPT_EXEC, EPT_MT_WB },
		{ 0, 0, 4096, 1ull << 10, EPT_MT_WB },	/* not a perm bit */
		{ 0, 0, 4096, EPT_RWX, 2 },		/* reserved types */
		{ 0, 0, 4096, EPT_RWX, 3 },
		{ 0, 0, 4096, EPT_RWX, 7 },
		{ 1ull << 48, 0, 4096, EPT_RWX, EPT_MT_WB },	/* > 48 bits */
		{ (1ull << 48) - 4096, 0, 8192, EPT_RWX, EPT_MT_WB },
		{ 0, 1ull << 52, 4096, EPT_RWX, EPT_MT_WB },	/* > 52 bits */
		{ 4096, 0, UINT64_MAX & ~0xfffull, EPT_RWX, EPT_MT_WB },
	};
	struct fixture *f = fixture_new(true, true);
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(map(f, bad[i].gpa, bad[i].hpa, bad[i].size,
				     bad[i].perm, bad[i].mt),
				 -1);
	assert_int_equal(ept_unmap(&f->ept, 0x10, 4096), -1);
	assert_int_equal(ept_unmap(&f->ept, 1ull << 48, 4096), -1);
	assert_int_equal(f->ept.tables, 1);
	/* zero size and execute-only are accepted */
	map_ok(f, 0, 0, 0, EPT_RWX, EPT_MT_WB);
	map_ok(f, 0x1000, 0, 4096, EPT_EXEC, EPT_MT_WB);
	fixture_done(f);
}

static void test_ept_pointer(void **state)
{
	struct fixture *f = fixture_new(true, true);

	(void)state;
	/* WB (6) in 2:0, walk length 4 - 1 in 5:3, A/D enable in bit 6 */
	assert_int_equal(ept_pointer(&f->ept, false), f->ept.pml4 | 0x1e);
	assert_int_equal(ept_pointer(&f->ept, true), f->ept.pml4 | 0x5e);
	assert_int_equal(f->ept.pml4 & 0xfff, 0);
	fixture_done(f);
}

/* A small LCG; its low bits are poor, so hand out the high ones. */
static uint32_t rnd(uint32_t *seed)
{
	*seed = *seed * 1103515245 + 12345;
	return *seed >> 16;
}

/*
 * Random maps and unmaps over 8 MiB of guest-physical space against a model
 * of every 4 KiB page, checking translation and memory type of each page.
 */
static void test_random_against_model(void **state)
{
	enum { N = 2048 };
	static struct {
		uint64_t hpa, perm, mt;
	} model[N];
	static const uint64_t perms[] = { EPT_READ, EPT_READ | EPT_WRITE,
					  EPT_READ | EPT_EXEC, EPT_RWX,
					  EPT_EXEC };
	static const uint64_t mts[] = { EPT_MT_UC, EPT_MT_WC, EPT_MT_WT,
					EPT_MT_WP, EPT_MT_WB };
	struct fixture *f = fixture_new(true, true);
	uint32_t seed = 1;
	unsigned step, i;

	(void)state;
	memset(model, 0, sizeof(model));
	for (step = 0; step < 3000; step++) {
		unsigned p, n, op, big;
		uint64_t hpa, perm, mt;

		op = rnd(&seed) & 3;
		/* favour 2M-aligned runs so large pages and splits occur */
		big = rnd(&seed) & 1;
		p = rnd(&seed) % N;
		if (big)
			p &= ~511u;
		n = 1 + rnd(&seed) % (big ? 1100 : 40);
		if (p + n > N)
			n = N - p;
		hpa = (uint64_t)rnd(&seed) << 21;
		if (rnd(&seed) % 4 == 0)
			hpa += 0x3000; /* forces 4K pages */
		perm = perms[rnd(&seed) % 5];
		mt = mts[rnd(&seed) % 5];

		if (op) {
			map_ok(f, p * 4096ull, hpa, n * 4096ull, perm, mt);
			for (i = 0; i < n; i++) {
				model[p + i].hpa = hpa + i * 4096ull;
				model[p + i].perm = perm;
				model[p + i].mt = mt;
			}
		} else {
			assert_int_equal(ept_unmap(&f->ept, p * 4096ull,
						   n * 4096ull), 0);
			for (i = 0; i < n; i++)
				model[p + i].perm = 0;
		}

		for (i = 0; i < N; i++) {
			uint64_t gpa = i * 4096ull + (i % 7) * 8;
			uint64_t got, gperm, sz, e;

			if (!model[i].perm) {
				assert_false(mapped(f, gpa));
				continue;
			}
			assert_true(ept_translate(&f->ept, gpa, &got, &gperm,
						  &sz));
			assert_int_equal(got, model[i].hpa + (i % 7) * 8);
			assert_int_equal(gperm, model[i].perm);
			e = entry_for(f, gpa,
				      sz == GIB ? 3 : sz == 2 * MIB ? 2 : 1);
			assert_int_equal((e >> 3) & 7, model[i].mt);
			/* IPAT, accessed, dirty and user-execute stay clear */
			assert_int_equal(e & 0x740, 0);
		}
		assert_int_equal(f->mem.allocs - f->mem.frees, f->ept.tables);
	}
	fixture_done(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_1g_leaf),
		cmocka_unit_test(test_no_1g_gives_2m),
		cmocka_unit_test(test_alignment_picks_page_size),
		cmocka_unit_test(test_16m_at_gpa0_uses_2m),
		cmocka_unit_test(test_unmap_splits_2m),
		cmocka_unit_test(test_unmap_splits_1g),
		cmocka_unit_test(test_remap_perm_and_type),
		cmocka_unit_test(test_translate_unmapped),
		cmocka_unit_test(test_table_count_and_destroy),
		cmocka_unit_test(test_alloc_failure),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_ept_pointer),
		cmocka_unit_test(test_random_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
