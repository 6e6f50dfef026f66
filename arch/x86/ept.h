/* SPDX-License-Identifier: MIT */
/*
 * EPT builder: one 4-level extended-page-table hierarchy per guest, mapping
 * guest-physical to host-physical addresses with the largest pages the CPU
 * and the alignment allow.
 *
 * Pure logic: the builder reaches table memory only through struct
 * ept_mem_ops, so it runs over fake memory in the unit tests. It does not
 * invalidate anything: after changing a hierarchy a guest may already be
 * using, the caller runs INVEPT before that guest runs again. ept_map() and
 * ept_unmap() free tables they replace, so on a live hierarchy the freed
 * pages must not be reused before that INVEPT either.
 */
#ifndef SHALE_ARCH_X86_EPT_H
#define SHALE_ARCH_X86_EPT_H

#include <stdbool.h>
#include <stdint.h>

struct ept_mem_ops {
	void *ctx;
	/* Host-physical address of a ZEROED 4 KiB page, 0 on failure. */
	uint64_t (*alloc_table)(void *ctx);
	void (*free_table)(void *ctx, uint64_t hpa);
	/* Where the hypervisor can read and write the table at hpa. */
	void *(*phys_to_virt)(void *ctx, uint64_t hpa);
};

struct ept {
	uint64_t pml4; /* host-physical address of the PML4 table */
	const struct ept_mem_ops *ops;
	bool have_1g;    /* 1 GiB pages: IA32_VMX_EPT_VPID_CAP bit 17 */
	bool have_2m;    /* 2 MiB pages: IA32_VMX_EPT_VPID_CAP bit 16 */
	uint64_t tables; /* table pages in use, for reports */
};

/* Permission bits of a leaf, as in the entry itself. */
#define EPT_READ (1ull << 0)
#define EPT_WRITE (1ull << 1)
#define EPT_EXEC (1ull << 2)
#define EPT_RWX (EPT_READ | EPT_WRITE | EPT_EXEC)

/*
 * EPT memory types (SDM Vol. 3C, "EPT and Memory Typing"); 2, 3 and 7 are
 * reserved and would make the entry an EPT misconfiguration.
 */
#define EPT_MT_UC 0ull
#define EPT_MT_WC 1ull
#define EPT_MT_WT 4ull
#define EPT_MT_WP 5ull
#define EPT_MT_WB 6ull

#define EPT_PAGE_4K (1ull << 12)
#define EPT_PAGE_2M (1ull << 21)
#define EPT_PAGE_1G (1ull << 30)
/* A 4-level walk translates 48-bit guest-physical addresses. */
#define EPT_GPA_LIMIT (1ull << 48)

/* Allocate the PML4. Returns 0, or -1 if the allocation fails. */
int ept_init(struct ept *ept, const struct ept_mem_ops *ops, bool have_2m,
	     bool have_1g);

/*
 * Map [gpa, gpa+size) -> [hpa, hpa+size) with permissions perm (EPT_READ |
 * EPT_WRITE | EPT_EXEC; execute-only needs IA32_VMX_EPT_VPID_CAP bit 0,
 * which the caller checks) and memory type mt. gpa, hpa and size are 4 KiB
 * aligned. Each step uses the largest page (1G, 2M, 4K) the CPU supports and
 * the alignment of gpa and hpa and the remaining size allow. An existing
 * mapping is replaced; splitting a large page keeps the old translation of
 * its untouched part. Returns 0, or -1 on bad arguments (misaligned, beyond
 * 48 bits of gpa or 52 bits of hpa, no permission, write without read,
 * reserved memory type) or when a table allocation fails; changes made
 * before a failure stay valid.
 */
int ept_map(struct ept *ept, uint64_t gpa, uint64_t hpa, uint64_t size,
	    uint64_t perm, uint64_t mt);

/*
 * Remove the translations of [gpa, gpa+size) (4 KiB aligned), splitting large
 * pages the range cuts. Tables left empty may stay. Returns 0, or -1 on bad
 * arguments or when a split cannot get a table (what was removed before
 * stays removed).
 */
int ept_unmap(struct ept *ept, uint64_t gpa, uint64_t size);

/*
 * Walk the tables for gpa. Returns true and stores the host-physical address,
 * the permission bits and the size of the page that maps it (any output
 * pointer may be NULL), or false if gpa is not mapped.
 */
bool ept_translate(const struct ept *ept, uint64_t gpa, uint64_t *hpa,
		   uint64_t *perm, uint64_t *page_size);

/* Free every table (not the memory they map); the ept is then empty. */
void ept_destroy(struct ept *ept);

/*
 * The EPTP VMCS field (SDM Vol. 3C, 25.6.11): write-back paging-structure
 * memory type, page-walk length 4, accessed/dirty flags enabled if ad.
 */
uint64_t ept_pointer(const struct ept *ept, bool ad);

#endif
