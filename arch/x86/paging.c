/* SPDX-License-Identifier: MIT */
/*
 * Shale's own identity map: virtual = physical for all of RAM and the MMIO
 * below the top of the memory map, so a host-physical address is also a
 * pointer. Large pages only (1 GiB where the CPU has them, else 2 MiB);
 * caching follows the firmware's MTRRs, which keep MMIO uncached.
 * Format: Intel SDM Vol. 3A, 4.5 "4-Level Paging".
 */
#include "arch/x86/host.h"
#include "arch/x86/include/cpu.h"
#include "lib/string.h"

#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_PS (1ull << 7)
#define GIB (1ull << 30)
#define MIB2 (1ull << 21)

static uint64_t *new_table(struct page_allocator *pa)
{
	uint64_t p = page_alloc_page(pa);

	if (p)
		memset((void *)p, 0, PAGE_SIZE);
	return (uint64_t *)p;
}

int host_paging_init(struct page_allocator *pa, uint64_t top)
{
	struct cpuid_regs r;
	bool gb_pages;
	uint64_t *pml4 = new_table(pa);

	cpuid_count(0x80000001, 0, &r);
	gb_pages = r.edx & CPUID_80000001_EDX_PDPE1GB;
	if (!pml4)
		return -1;
	top = (top + GIB - 1) & ~(GIB - 1);
	if (top > (512ull << 30))
		top = 512ull << 30; /* one PDPT: 512 GiB is plenty for now */

	uint64_t *pdpt = new_table(pa);

	if (!pdpt)
		return -1;
	pml4[0] = (uint64_t)pdpt | PTE_P | PTE_RW;
	for (uint64_t gb = 0; gb < top / GIB; gb++) {
		if (gb_pages) {
			pdpt[gb] = (gb * GIB) | PTE_P | PTE_RW | PTE_PS;
			continue;
		}
		uint64_t *pd = new_table(pa);

		if (!pd)
			return -1;
		for (int i = 0; i < 512; i++)
			pd[i] = (gb * GIB + i * MIB2) | PTE_P | PTE_RW | PTE_PS;
		pdpt[gb] = (uint64_t)pd | PTE_P | PTE_RW;
	}
	write_cr3((uint64_t)pml4);
	return 0;
}
