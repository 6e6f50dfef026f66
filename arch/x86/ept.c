/* SPDX-License-Identifier: MIT */
/*
 * EPT builder. Entry format from Intel SDM Vol. 3C, 29.3.2 EPT Translation
 * Mechanism (the tables of EPT PML4E, PDPTE, PDE and PTE formats):
 *
 *   bit    leaf (PTE, or PDPTE/PDE with bit 7)   table pointer
 *   0      read access                            read access
 *   1      write access                           write access
 *   2      execute access                         execute access
 *   5:3    EPT memory type                        reserved (0)
 *   6      ignore PAT memory type                 reserved (0)
 *   7      page size: 1 in a 1G PDPTE / 2M PDE    0 (must be 0 in a PML4E)
 *   8      accessed (if EPTP bit 6)               accessed (if EPTP bit 6)
 *   9      dirty (if EPTP bit 6)                  ignored
 *   10     user-mode execute (mode-based control) ignored
 *   51:12  host-physical address of the page      ... of the next table
 *          (51:21 for 2M, 51:30 for 1G; the bits below are reserved)
 *
 * An entry with bits 2:0 clear is not present. Write without read is a
 * misconfiguration. Table pointers get RWX so the leaf alone decides access.
 * Shale never sets the accessed/dirty or user-execute bits.
 *
 * Levels are numbered as the walk goes: 4 = PML4 (an entry spans 512 GiB),
 * 3 = PDPT (1 GiB), 2 = PD (2 MiB), 1 = PT (4 KiB).
 */
#include "arch/x86/ept.h"

#include "lib/string.h"

#define EPT_ENTRY_PERM_MASK 0x7ull
#define EPT_ENTRY_MT_SHIFT 3
#define EPT_ENTRY_MT_MASK (0x7ull << EPT_ENTRY_MT_SHIFT)
#define EPT_ENTRY_IPAT (1ull << 6)
#define EPT_ENTRY_LARGE (1ull << 7)
#define EPT_ENTRY_ACCESSED (1ull << 8)
#define EPT_ENTRY_DIRTY (1ull << 9)
#define EPT_ENTRY_USER_EXEC (1ull << 10)
#define EPT_ENTRY_ADDR_MASK 0x000ffffffffff000ull
#define EPT_TABLE_ENTRY_BITS EPT_RWX

/* EPTP fields, SDM Vol. 3C, 25.6.11 Extended-Page-Table Pointer (EPTP). */
#define EPTP_MT_WB 6ull
#define EPTP_WALK_LENGTH_SHIFT 3 /* page-walk length minus 1 */
#define EPTP_AD_ENABLE (1ull << 6)

#define EPT_ENTRIES 512
#define EPT_HPA_LIMIT (1ull << 52)

_Static_assert(EPT_ENTRIES * sizeof(uint64_t) == 4096,
	       "an EPT table is one 4 KiB page");

static unsigned level_shift(int level)
{
	return 12 + 9 * (level - 1);
}

static uint64_t level_size(int level)
{
	return 1ull << level_shift(level);
}

static unsigned level_index(uint64_t gpa, int level)
{
	return (gpa >> level_shift(level)) & (EPT_ENTRIES - 1);
}

static bool entry_present(uint64_t e)
{
	return e & EPT_ENTRY_PERM_MASK;
}

/* Only PDPTEs and PDEs may be large; every present PTE is a leaf. */
static bool entry_is_leaf(uint64_t e, int level)
{
	return level == 1 || (e & EPT_ENTRY_LARGE);
}

static uint64_t entry_addr(uint64_t e, int level)
{
	return e & EPT_ENTRY_ADDR_MASK & ~(level_size(level) - 1);
}

static uint64_t leaf_entry(uint64_t hpa, uint64_t perm, uint64_t mt, int level)
{
	uint64_t e = hpa | perm | (mt << EPT_ENTRY_MT_SHIFT);

	if (level > 1)
		e |= EPT_ENTRY_LARGE;
	return e;
}

static uint64_t *table_at(const struct ept *ept, uint64_t hpa)
{
	return ept->ops->phys_to_virt(ept->ops->ctx, hpa);
}

/*
 * Store an entry the CPU may be walking: one 8-byte store, ordered after
 * the writes that filled a new table (x86 keeps stores in order, the
 * barrier stops the compiler from moving them).
 */
static void set_entry(uint64_t *p, uint64_t v)
{
	__asm__ __volatile__("" ::: "memory");
	*(volatile uint64_t *)p = v;
}

static uint64_t table_alloc(struct ept *ept)
{
	uint64_t hpa = ept->ops->alloc_table(ept->ops->ctx);

	if (hpa)
		ept->tables++;
	return hpa;
}

/* Free the table at hpa, whose entries are at `level`, and all below it. */
static void table_free_tree(struct ept *ept, uint64_t hpa, int level)
{
	uint64_t *t = table_at(ept, hpa);
	unsigned i;

	if (level > 1) {
		for (i = 0; i < EPT_ENTRIES; i++)
			if (entry_present(t[i]) && !entry_is_leaf(t[i], level))
				table_free_tree(ept, t[i] & EPT_ENTRY_ADDR_MASK,
						level - 1);
	}
	ept->ops->free_table(ept->ops->ctx, hpa);
	ept->tables--;
}

/*
 * Replace the large leaf *p at `level` by a table of 512 smaller leaves with
 * the same translation, permissions and memory type. The new table is filled
 * before it is linked, so a concurrent walk sees the old or the new whole.
 */
static int split_large(struct ept *ept, uint64_t *p, int level)
{
	uint64_t e = *p, base = entry_addr(e, level);
	uint64_t attrs = e & (EPT_ENTRY_PERM_MASK | EPT_ENTRY_MT_MASK |
			      EPT_ENTRY_IPAT);
	uint64_t child_size = level_size(level - 1), hpa, *t;
	unsigned i;

	if (level - 1 > 1)
		attrs |= EPT_ENTRY_LARGE;
	hpa = table_alloc(ept);
	if (!hpa)
		return -1;
	t = table_at(ept, hpa);
	for (i = 0; i < EPT_ENTRIES; i++)
		t[i] = (base + i * child_size) | attrs;
	set_entry(p, hpa | EPT_TABLE_ENTRY_BITS);
	return 0;
}

/*
 * Return the entry for gpa at `level`, creating missing tables and splitting
 * large pages on the way down. NULL when a table cannot be allocated.
 */
static uint64_t *walk_create(struct ept *ept, uint64_t gpa, int target)
{
	uint64_t table = ept->pml4;
	int level;

	for (level = 4; level > target; level--) {
		uint64_t *p = &table_at(ept, table)[level_index(gpa, level)];

		if (!entry_present(*p)) {
			uint64_t hpa = table_alloc(ept);

			if (!hpa)
				return NULL;
			set_entry(p, hpa | EPT_TABLE_ENTRY_BITS);
		} else if (entry_is_leaf(*p, level)) {
			if (split_large(ept, p, level))
				return NULL;
		}
		table = *p & EPT_ENTRY_ADDR_MASK;
	}
	return &table_at(ept, table)[level_index(gpa, target)];
}

/* The level of the largest page that can map the next step of a range. */
static int pick_level(const struct ept *ept, uint64_t gpa, uint64_t hpa,
		      uint64_t size)
{
	if (ept->have_1g && size >= EPT_PAGE_1G &&
	    !((gpa | hpa) & (EPT_PAGE_1G - 1)))
		return 3;
	if (ept->have_2m && size >= EPT_PAGE_2M &&
	    !((gpa | hpa) & (EPT_PAGE_2M - 1)))
		return 2;
	return 1;
}

static bool mt_valid(uint64_t mt)
{
	return mt == EPT_MT_UC || mt == EPT_MT_WC || mt == EPT_MT_WT ||
	       mt == EPT_MT_WP || mt == EPT_MT_WB;
}

/* gpa and size page aligned, and [gpa, gpa+size) inside the 48-bit space. */
static bool gpa_range_valid(uint64_t gpa, uint64_t size)
{
	return !((gpa | size) & (EPT_PAGE_4K - 1)) && gpa <= EPT_GPA_LIMIT &&
	       size <= EPT_GPA_LIMIT - gpa;
}

/* Allocate an empty PML4; 0, or -1 if the allocation fails. */
int ept_init(struct ept *ept, const struct ept_mem_ops *ops, bool have_2m,
	     bool have_1g)
{
	memset(ept, 0, sizeof(*ept));
	ept->ops = ops;
	ept->have_2m = have_2m;
	ept->have_1g = have_1g;
	ept->pml4 = table_alloc(ept);
	return ept->pml4 ? 0 : -1;
}

/* Map a range with the largest pages allowed; see the header for -1. */
int ept_map(struct ept *ept, uint64_t gpa, uint64_t hpa, uint64_t size,
	    uint64_t perm, uint64_t mt)
{
	if (!ept->pml4 || !gpa_range_valid(gpa, size) ||
	    (hpa & (EPT_PAGE_4K - 1)) || hpa > EPT_HPA_LIMIT ||
	    size > EPT_HPA_LIMIT - hpa)
		return -1;
	if (!perm || (perm & ~EPT_RWX) || !mt_valid(mt))
		return -1;
	/* Write without read is an EPT misconfiguration (SDM 29.3.3.1). */
	if ((perm & EPT_WRITE) && !(perm & EPT_READ))
		return -1;

	while (size) {
		int level = pick_level(ept, gpa, hpa, size);
		uint64_t *p = walk_create(ept, gpa, level), old;

		if (!p)
			return -1;
		old = *p;
		set_entry(p, leaf_entry(hpa, perm, mt, level));
		/* A large page replaces a whole subtree of smaller ones. */
		if (entry_present(old) && !entry_is_leaf(old, level))
			table_free_tree(ept, old & EPT_ENTRY_ADDR_MASK,
					level - 1);
		gpa += level_size(level);
		hpa += level_size(level);
		size -= level_size(level);
	}
	return 0;
}

/*
 * Remove translations. Each step clears the highest entry that lies wholly
 * inside the range (freeing the tables below it), skips what is not
 * present, and splits a large page the range only partly covers.
 */
int ept_unmap(struct ept *ept, uint64_t gpa, uint64_t size)
{
	if (!ept->pml4 || !gpa_range_valid(gpa, size))
		return -1;

	while (size) {
		uint64_t table = ept->pml4, step;
		int level;

		for (level = 4;; level--) {
			uint64_t *t = table_at(ept, table);
			uint64_t *p = &t[level_index(gpa, level)], e = *p;
			uint64_t lsize = level_size(level);
			uint64_t off = gpa & (lsize - 1);

			if (!entry_present(e)) {
				step = lsize - off;
				break;
			}
			if (!off && size >= lsize) {
				set_entry(p, 0);
				if (!entry_is_leaf(e, level))
					table_free_tree(ept,
							e & EPT_ENTRY_ADDR_MASK,
							level - 1);
				step = lsize;
				break;
			}
			/* Never at level 1: a 4K page is always covered. */
			if (entry_is_leaf(e, level) &&
			    split_large(ept, p, level))
				return -1;
			table = *p & EPT_ENTRY_ADDR_MASK;
		}
		if (step > size)
			step = size;
		gpa += step;
		size -= step;
	}
	return 0;
}

/* Software walk of the hierarchy, as the CPU would do it. */
bool ept_translate(const struct ept *ept, uint64_t gpa, uint64_t *hpa,
		   uint64_t *perm, uint64_t *page_size)
{
	uint64_t table = ept->pml4;
	int level;

	if (!table || gpa >= EPT_GPA_LIMIT)
		return false;
	for (level = 4; level >= 1; level--) {
		uint64_t e = table_at(ept, table)[level_index(gpa, level)];
		uint64_t lsize = level_size(level);

		if (!entry_present(e))
			return false;
		if (entry_is_leaf(e, level)) {
			if (hpa)
				*hpa = entry_addr(e, level) |
				       (gpa & (lsize - 1));
			if (perm)
				*perm = e & EPT_ENTRY_PERM_MASK;
			if (page_size)
				*page_size = lsize;
			return true;
		}
		table = e & EPT_ENTRY_ADDR_MASK;
	}
	return false;
}

/* Free all tables, the PML4 included. */
void ept_destroy(struct ept *ept)
{
	if (ept->pml4)
		table_free_tree(ept, ept->pml4, 4);
	ept->pml4 = 0;
}

/* EPTP: PML4 address, WB walks, 4 levels, optional A/D flags. */
uint64_t ept_pointer(const struct ept *ept, bool ad)
{
	uint64_t eptp = ept->pml4 | EPTP_MT_WB |
			((4ull - 1) << EPTP_WALK_LENGTH_SHIFT);

	if (ad)
		eptp |= EPTP_AD_ENABLE;
	return eptp;
}
