/* SPDX-License-Identifier: MIT */
/*
 * Physical page allocator. After ExitBootServices the hypervisor owns every
 * range UEFI reported as conventional memory; this module keeps that free set
 * as a short sorted list of ranges and hands out 4 KiB pages and physically
 * contiguous, aligned runs (guest RAM wants 2 MiB or 1 GiB alignment so the
 * EPT can map it with large pages).
 *
 * The allocator never touches the memory it manages: pages come back
 * unzeroed, and the caller zeroes them through its own mapping. That also
 * lets the unit tests run it over fake addresses. State lives in a
 * caller-provided struct; there are no globals and no locking.
 */
#ifndef SHALE_VMM_PAGE_ALLOC_H
#define SHALE_VMM_PAGE_ALLOC_H

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SIZE 4096ULL
#define PAGE_SHIFT 12

/* A free range of RAM: page aligned, `pages` 4 KiB pages from `base`. */
struct page_region {
	uint64_t base, pages;
};

#define PAGE_ALLOC_MAX_REGIONS 128

struct page_allocator {
	/* Sorted by base, non-overlapping, never touching (coalesced). */
	struct page_region free[PAGE_ALLOC_MAX_REGIONS];
	unsigned n_free;
	uint64_t total_pages; /* pages ever added to the free set */
	uint64_t free_pages;  /* pages in the free set now */
};

/* Start with an empty free set. */
void page_alloc_init(struct page_allocator *pa);

/*
 * Add [base, base+len) to the free set. base and len are rounded inward to
 * whole pages; physical page 0 is never added. Parts already free are merged,
 * not counted twice. Returns 0, or -1 (nothing changed) if the region table
 * is full.
 */
int page_alloc_add(struct page_allocator *pa, uint64_t base, uint64_t len);

/*
 * Remove [base, base+len) from the free set, rounded outward to whole pages,
 * e.g. for something the boot code placed in conventional memory. If cutting
 * a hole would need a region slot and the table is full, the smaller of the
 * two remaining pieces is dropped too: memory is lost, never handed out twice.
 */
void page_alloc_reserve(struct page_allocator *pa, uint64_t base, uint64_t len);

/*
 * Allocate `pages` contiguous pages whose base is a multiple of `align` (a
 * power of two; values below PAGE_SIZE mean PAGE_SIZE). First fit from the
 * lowest address. Returns the physical base, or 0 if no free run fits or the
 * arguments are invalid. The pages are not zeroed.
 */
uint64_t page_alloc_contig(struct page_allocator *pa, uint64_t pages,
			   uint64_t align);

/* Allocate one 4 KiB page; returns 0 if none is left. Not zeroed. */
uint64_t page_alloc_page(struct page_allocator *pa);

/*
 * Return [base, base + pages * PAGE_SIZE) to the free set, merging with its
 * neighbours. base is rounded down to a page. If the run touches no free
 * range and the region table is full, the pages stay lost (free_pages does
 * not count them).
 */
void page_free_contig(struct page_allocator *pa, uint64_t base,
		      uint64_t pages);

/*
 * The largest run, in pages, that page_alloc_contig() could return now with
 * the given alignment: for messages like "guest web needs 512M, the largest
 * free run is 300M".
 */
uint64_t page_alloc_largest(const struct page_allocator *pa, uint64_t align);

#endif
