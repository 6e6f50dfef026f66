/* SPDX-License-Identifier: MIT */
/*
 * Physical page allocator: a sorted, coalesced list of free ranges.
 *
 * A firmware memory map has tens of conventional-memory ranges, and the
 * hypervisor allocates rarely (page tables, VMCS pages, guest RAM at start),
 * so a short array scanned linearly beats a bitmap: it costs 4 KiB of state
 * whatever the RAM size, and finding a 1 GiB-aligned run is one pass.
 *
 * Invariants of pa->free[0 .. n_free): sorted by base, each region non-empty,
 * no two regions overlap or touch (touching regions are merged), no region
 * contains page 0, and every end address is at most PAGE_ADDR_LIMIT, so
 * `base + pages * PAGE_SIZE` never overflows.
 */
#include "vmm/page_alloc.h"

#include "lib/string.h"

#define PAGE_MASK (~(PAGE_SIZE - 1))
/* Exclusive end of the highest page whose end address is representable. */
#define PAGE_ADDR_LIMIT PAGE_MASK

static uint64_t region_end(const struct page_region *r)
{
	return r->base + (r->pages << PAGE_SHIFT);
}

/* Open slot i by shifting the tail up; the caller checked there is room. */
static void region_insert(struct page_allocator *pa, unsigned i, uint64_t base,
			  uint64_t end)
{
	memmove(&pa->free[i + 1], &pa->free[i],
		(pa->n_free - i) * sizeof(pa->free[0]));
	pa->free[i].base = base;
	pa->free[i].pages = (end - base) >> PAGE_SHIFT;
	pa->n_free++;
}

/* Drop slots [i, i + count). */
static void region_delete(struct page_allocator *pa, unsigned i, unsigned count)
{
	memmove(&pa->free[i], &pa->free[i + count],
		(pa->n_free - i - count) * sizeof(pa->free[0]));
	pa->n_free -= count;
}

/*
 * Round up to a multiple of align (a power of two). Returns false when the
 * result would not be a representable page address.
 */
static bool align_up(uint64_t x, uint64_t align, uint64_t *out)
{
	if (align > PAGE_ADDR_LIMIT || x > PAGE_ADDR_LIMIT - (align - 1))
		return false;
	*out = (x + align - 1) & ~(align - 1);
	return true;
}

/*
 * Union [b, e) (page aligned, b >= PAGE_SIZE, e <= PAGE_ADDR_LIMIT) into the
 * free set. On success stores the number of pages that were not free before
 * in *added and returns 0; returns -1 with nothing changed if a new slot is
 * needed and the table is full.
 */
static int free_range(struct page_allocator *pa, uint64_t b, uint64_t e,
		      uint64_t *added)
{
	unsigned i = 0, j, k;
	uint64_t nb, ne, old = 0;

	/* Regions i .. j-1 overlap or touch [b, e) and merge with it. */
	while (i < pa->n_free && region_end(&pa->free[i]) < b)
		i++;
	j = i;
	while (j < pa->n_free && pa->free[j].base <= e)
		j++;

	if (i == j) {
		if (pa->n_free == PAGE_ALLOC_MAX_REGIONS)
			return -1;
		region_insert(pa, i, b, e);
		*added = (e - b) >> PAGE_SHIFT;
		pa->free_pages += *added;
		return 0;
	}

	nb = pa->free[i].base < b ? pa->free[i].base : b;
	ne = region_end(&pa->free[j - 1]);
	if (ne < e)
		ne = e;
	for (k = i; k < j; k++)
		old += pa->free[k].pages;
	pa->free[i].base = nb;
	pa->free[i].pages = (ne - nb) >> PAGE_SHIFT;
	region_delete(pa, i + 1, j - i - 1);
	*added = pa->free[i].pages - old;
	pa->free_pages += *added;
	return 0;
}

/*
 * Take [b, e) (page aligned, b < e) out of the free set. Only a hole in the
 * middle of one region needs a new slot; with the table full, the smaller
 * side of the hole goes too, because losing memory is safe and handing out
 * reserved memory is not.
 */
static void remove_range(struct page_allocator *pa, uint64_t b, uint64_t e)
{
	unsigned i = 0;

	while (i < pa->n_free && region_end(&pa->free[i]) <= b)
		i++;

	while (i < pa->n_free && pa->free[i].base < e) {
		struct page_region *r = &pa->free[i];
		uint64_t rb = r->base, re = region_end(r);
		bool left = rb < b, right = re > e;

		if (left && right) {
			if (pa->n_free < PAGE_ALLOC_MAX_REGIONS) {
				r->pages = (b - rb) >> PAGE_SHIFT;
				region_insert(pa, i + 1, e, re);
				pa->free_pages -= (e - b) >> PAGE_SHIFT;
			} else if (b - rb >= re - e) {
				r->pages = (b - rb) >> PAGE_SHIFT;
				pa->free_pages -= (re - b) >> PAGE_SHIFT;
			} else {
				r->base = e;
				r->pages = (re - e) >> PAGE_SHIFT;
				pa->free_pages -= (e - rb) >> PAGE_SHIFT;
			}
			return;
		}
		if (left) {
			r->pages = (b - rb) >> PAGE_SHIFT;
			pa->free_pages -= (re - b) >> PAGE_SHIFT;
			i++;
		} else if (right) {
			r->base = e;
			r->pages = (re - e) >> PAGE_SHIFT;
			pa->free_pages -= (e - rb) >> PAGE_SHIFT;
			return;
		} else {
			pa->free_pages -= r->pages;
			region_delete(pa, i, 1);
		}
	}
}

/* Start with an empty free set. */
void page_alloc_init(struct page_allocator *pa)
{
	memset(pa, 0, sizeof(*pa));
}

/* Add [base, base+len), rounded inward, minus page 0. 0 or -1 if full. */
int page_alloc_add(struct page_allocator *pa, uint64_t base, uint64_t len)
{
	uint64_t b, e, added;

	if (!align_up(base, PAGE_SIZE, &b))
		return 0;
	e = base + len < base ? UINT64_MAX : base + len;
	e &= PAGE_MASK;
	if (e > PAGE_ADDR_LIMIT)
		e = PAGE_ADDR_LIMIT;
	/* Page 0 never enters the set, so 0 can mean "no memory". */
	if (b < PAGE_SIZE)
		b = PAGE_SIZE;
	if (b >= e)
		return 0;
	if (free_range(pa, b, e, &added))
		return -1;
	pa->total_pages += added;
	return 0;
}

/* Remove [base, base+len), rounded outward, from the free set. */
void page_alloc_reserve(struct page_allocator *pa, uint64_t base, uint64_t len)
{
	uint64_t b = base & PAGE_MASK, e;

	if (!len)
		return;
	e = base + len < base ? UINT64_MAX : base + len;
	/* Nothing above PAGE_ADDR_LIMIT is ever free. */
	if (!align_up(e, PAGE_SIZE, &e))
		e = PAGE_ADDR_LIMIT;
	if (b < e)
		remove_range(pa, b, e);
}

/* First fit, lowest address, `pages` pages aligned to `align`; 0 if none. */
uint64_t page_alloc_contig(struct page_allocator *pa, uint64_t pages,
			   uint64_t align)
{
	uint64_t size;
	unsigned i;

	if (!pages || pages > (PAGE_ADDR_LIMIT >> PAGE_SHIFT))
		return 0;
	size = pages << PAGE_SHIFT;
	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	if (align & (align - 1))
		return 0;

	for (i = 0; i < pa->n_free; i++) {
		uint64_t rb = pa->free[i].base, re = region_end(&pa->free[i]);
		uint64_t start;

		if (!align_up(rb, align, &start))
			break; /* later regions start higher still */
		if (start >= re || re - start < size)
			continue;
		/*
		 * A run strictly inside a region splits it in two. With no slot
		 * left, the highest aligned run in the region may still end
		 * flush with it and need no new slot.
		 */
		if (start > rb && start + size < re &&
		    pa->n_free == PAGE_ALLOC_MAX_REGIONS) {
			uint64_t top = (re - size) & ~(align - 1);

			if (top + size != re)
				continue;
			start = top;
		}
		remove_range(pa, start, start + size);
		return start;
	}
	return 0;
}

/* One page, lowest address first; 0 if none. */
uint64_t page_alloc_page(struct page_allocator *pa)
{
	return page_alloc_contig(pa, 1, PAGE_SIZE);
}

/* Give a run back; merges with neighbours, ignores page 0. */
void page_free_contig(struct page_allocator *pa, uint64_t base, uint64_t pages)
{
	uint64_t b = base & PAGE_MASK, e, added;

	if (b >= PAGE_ADDR_LIMIT)
		return;
	if (pages > (PAGE_ADDR_LIMIT - b) >> PAGE_SHIFT)
		pages = (PAGE_ADDR_LIMIT - b) >> PAGE_SHIFT;
	e = b + (pages << PAGE_SHIFT);
	if (b < PAGE_SIZE)
		b = PAGE_SIZE;
	if (b >= e)
		return;
	/* A full table leaves the pages lost; see the header. */
	(void)free_range(pa, b, e, &added);
}

/* Largest run page_alloc_contig(pa, n, align) would satisfy, in pages. */
uint64_t page_alloc_largest(const struct page_allocator *pa, uint64_t align)
{
	uint64_t best = 0;
	unsigned i;

	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	if (align & (align - 1))
		return 0;

	for (i = 0; i < pa->n_free; i++) {
		uint64_t re = region_end(&pa->free[i]), start;

		if (!align_up(pa->free[i].base, align, &start))
			break;
		if (start < re && (re - start) >> PAGE_SHIFT > best)
			best = (re - start) >> PAGE_SHIFT;
	}
	return best;
}
