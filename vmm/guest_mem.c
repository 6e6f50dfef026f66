/* SPDX-License-Identifier: MIT */
#include "arch/x86/include/cpu.h"
#include "lib/string.h"
#include "vmm/guest_mem.h"
#include "vmm/vm.h"

/* Paging-structure entries (SDM Vol. 3A, 4.3-4.5), and the control bits
 * only the walk needs. */
#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_US (1ull << 2)
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7)
#define PTE_XD (1ull << 63)
#define PTE_PKEY(e) (((e) >> 59) & 0xf) /* protection key, bits 62:59 */
#define ADDR_MASK 0x000ffffffffff000ull
#define CR4_PSE (1ull << 4)
#define CR4_SMAP (1ull << 21)
#define RFLAGS_AC (1ull << 18)

/* The shape of one paging mode: 32-bit paging has 4-byte entries and
 * 10-bit indexes; PAE and 4-level paging 8-byte entries, 9-bit indexes. */
struct level_shape {
	unsigned width, index_bits;
};

static inline unsigned level_shift(struct level_shape s, unsigned level)
{
	return 12 + s.index_bits * (level - 1);
}

/* A PDE (level 2) or, in 4-level paging, a PDPTE (level 3) with PS maps
 * a page; in 32-bit paging only with CR4.PSE. */
static inline bool maps_page(const struct guest_paging *pg, struct level_shape s,
		      uint64_t e, unsigned level)
{
	if (level == 1)
		return true;
	if (!(e & PTE_PS) || level > 3)
		return false;
	return s.width == 8 || (pg->cr4 & CR4_PSE);
}

/* The bits of a present entry that must be 0 (SDM Vol. 3A, 4.3 and 4.5,
 * tables 4-4 and 4-15 to 4-20): address bits at or above MAXPHYADDR, XD
 * without EFER.NXE, PS in a PML4E, the low address bits of a large page;
 * in a 32-bit 4 MiB PDE, bit 21 and the bits of address 39:32 (entry
 * bits 20:13) at or above MAXPHYADDR. */
static inline bool entry_reserved(const struct guest_paging *pg, struct level_shape s,
			   uint64_t e, unsigned level, bool page)
{
	unsigned m = pg->maxphyaddr;
	uint64_t rsvd;

	if (s.width == 4) {
		unsigned lo = m < 40 ? m - 19 : 21;

		return page && level == 2 && (e & (0x3fffffull & ~((1ull << lo) - 1)));
	}
	rsvd = ADDR_MASK & ~((1ull << m) - 1);
	if (!(pg->efer & EFER_NXE))
		rsvd |= PTE_XD;
	if (level == 4)
		rsvd |= PTE_PS;
	if (page && level > 1)
		rsvd |= ((1ull << level_shift(s, level)) - 1) & ~0x1fffull;
	return e & rsvd;
}

static inline uint64_t page_address(struct level_shape s, uint64_t e, unsigned level,
			     uint64_t gla)
{
	uint64_t size = 1ull << level_shift(s, level);

	if (s.width == 4 && level == 2) /* 4 MiB: bits 20:13 are 39:32 */
		return (e & 0xffc00000) | (((e >> 13) & 0xff) << 32) | (gla & (size - 1));
	return (e & ADDR_MASK & ~(size - 1)) | (gla & (size - 1));
}

/* Protection keys (SDM Vol. 3A, 4.6.2): with CR4.PKE in IA-32e mode, a
 * data access to a user-mode address is refused by PKRU's access-disable
 * bit for the leaf's key, and a write by its write-disable bit unless it
 * is a supervisor-mode write with CR0.WP clear. */
static inline bool pkey_refuses(const struct guest_paging *pg, uint64_t leaf,
			 unsigned acc)
{
	unsigned key = PTE_PKEY(leaf);
	bool ad = pg->pkru & (1u << (2 * key)), wd = pg->pkru & (2u << (2 * key));

	if (ad)
		return true;
	return wd && (acc & GUEST_ACC_WRITE) &&
	       ((acc & GUEST_ACC_USER) || (pg->cr0 & CR0_WP));
}

/* Access rights (SDM Vol. 3A, 4.6.1), rights being R/W and U/S ANDed over
 * every level: a user-mode access needs U/S, and R/W for a write; a
 * supervisor-mode write needs R/W only with CR0.WP; a supervisor-mode
 * access to a user page is refused by SMAP unless RFLAGS.AC is set. */
static inline bool rights_refuse(const struct guest_paging *pg, uint64_t rights,
			  unsigned acc)
{
	if (acc & GUEST_ACC_USER)
		return !(rights & PTE_US) ||
		       ((acc & GUEST_ACC_WRITE) && !(rights & PTE_RW));
	if ((acc & GUEST_ACC_WRITE) && (pg->cr0 & CR0_WP) && !(rights & PTE_RW))
		return true;
	return (rights & PTE_US) && (pg->cr4 & CR4_SMAP) && !(pg->rflags & RFLAGS_AC);
}

/* The flag is set with a locked OR, as the CPU does, so that a flag the
 * guest clears on another vCPU at the same time is not lost. */
static void set_flags(void *p, unsigned width, uint64_t flags)
{
	if (width == 8) {
		if ((*(volatile uint64_t *)p & flags) != flags)
			__atomic_fetch_or((uint64_t *)p, flags, __ATOMIC_SEQ_CST);
	} else if ((*(volatile uint32_t *)p & flags) != flags) {
		__atomic_fetch_or((uint32_t *)p, (uint32_t)flags, __ATOMIC_SEQ_CST);
	}
}

/* The levels from @level down, the first table at @table. Inlined with
 * a constant shape for each paging mode, and into each caller, so that a
 * peek (every MMIO exit fetches its instruction through one) compiles to
 * the bare translation. */
static inline __attribute__((always_inline)) enum guest_walk
walk_levels(struct vm *vm, const struct guest_paging *pg, struct level_shape s,
	    unsigned level, uint64_t table, uint64_t gla, unsigned acc,
	    uint64_t *gpa, uint32_t *pf_err)
{
	uint64_t rights = PTE_RW | PTE_US, e;
	uint32_t err = ((acc & GUEST_ACC_WRITE) ? PF_ERR_W : 0) |
		       ((acc & GUEST_ACC_USER) ? PF_ERR_U : 0);
	void *used[4], *p;
	unsigned n = 0;

	for (;; level--) {
		unsigned index = (gla >> level_shift(s, level)) & ((1u << s.index_bits) - 1);
		bool page;

		p = vm_gpa_to_hva(vm, table + index * s.width, s.width);
		if (!p)
			return GUEST_WALK_NO_RAM;
		e = s.width == 8 ? *(volatile uint64_t *)p : *(volatile uint32_t *)p;
		if (!(e & PTE_P))
			goto fault;
		page = maps_page(pg, s, e, level);
		/* An entry with a reserved bit set is not used: the walk
		 * ends there (SDM Vol. 3A, 4.7, RSVD). */
		if (!(acc & GUEST_ACC_PEEK) && entry_reserved(pg, s, e, level, page)) {
			err |= PF_ERR_RSVD;
			goto protection;
		}
		rights &= e;
		used[n++] = p;
		if (page)
			break;
		table = e & (s.width == 8 ? ADDR_MASK : 0xfffff000);
	}
	*gpa = page_address(s, e, level, gla);
	if (acc & GUEST_ACC_PEEK)
		return GUEST_WALK_OK;
	if ((pg->cr4 & CR4_PKE) && (pg->efer & EFER_LMA) && (rights & PTE_US) &&
	    pkey_refuses(pg, e, acc)) {
		err |= PF_ERR_PK;
		goto protection;
	}
	if (rights_refuse(pg, rights, acc))
		goto protection;
	for (unsigned i = 0; i < n; i++)
		set_flags(used[i], s.width,
			  PTE_A | (i == n - 1 && (acc & GUEST_ACC_WRITE) ? PTE_D : 0));
	return GUEST_WALK_OK;

protection:
	err |= PF_ERR_P;
fault:
	*pf_err = err;
	return GUEST_WALK_PF;
}

static inline __attribute__((always_inline)) enum guest_walk
walk(struct vm *vm, const struct guest_paging *pg, uint64_t gla, unsigned acc,
     uint64_t *gpa, uint32_t *pf_err)
{
	const struct level_shape s32 = { 4, 10 }, s64 = { 8, 9 };
	uint64_t e;
	void *p;

	if (!(pg->cr0 & CR0_PG)) {
		*gpa = gla & 0xffffffffull;
		return GUEST_WALK_OK;
	}
	if (!(pg->cr4 & CR4_PAE))
		return walk_levels(vm, pg, s32, 2, pg->cr3 & 0xfffff000, gla, acc,
				   gpa, pf_err);
	if (pg->efer & EFER_LMA)
		return walk_levels(vm, pg, s64, 4, pg->cr3 & ADDR_MASK, gla, acc,
				   gpa, pf_err);
	/* PAE: the PDPTE selected by bits 31:30; PDPTEs carry no access
	 * rights and no accessed flag (SDM 4.4.1), and the CPU checked their
	 * reserved bits when it loaded them. */
	p = vm_gpa_to_hva(vm, (pg->cr3 & 0xffffffe0) + ((gla >> 30) & 3) * 8, 8);
	if (!p)
		return GUEST_WALK_NO_RAM;
	e = *(volatile uint64_t *)p;
	if (!(e & PTE_P)) {
		*pf_err = ((acc & GUEST_ACC_WRITE) ? PF_ERR_W : 0) |
			  ((acc & GUEST_ACC_USER) ? PF_ERR_U : 0);
		return GUEST_WALK_PF;
	}
	return walk_levels(vm, pg, s64, 2, e & ADDR_MASK, gla, acc, gpa, pf_err);
}

enum guest_walk guest_walk(struct vm *vm, const struct guest_paging *pg,
			   uint64_t gla, unsigned acc, uint64_t *gpa,
			   uint32_t *pf_err)
{
	return walk(vm, pg, gla, acc, gpa, pf_err);
}

/* The guest's paging state, as the vCPU holds it now: what selects the
 * paging mode, and what only the checks of an access need. */
static inline __attribute__((always_inline)) void
guest_paging_mode(struct vcpu *v, struct guest_paging *pg)
{
	pg->cr0 = vcpu_get_state(v, VREG_CR0);
	pg->cr3 = vcpu_get_state(v, VREG_CR3);
	pg->cr4 = vcpu_get_state(v, VREG_CR4);
	pg->efer = vcpu_get_state(v, VREG_EFER);
}

enum guest_walk guest_linear_access(struct vcpu *v, uint64_t gla, unsigned acc,
				    uint64_t rflags, uint64_t *gpa,
				    uint32_t *pf_err)
{
	struct guest_paging pg;

	guest_paging_mode(v, &pg);
	pg.rflags = rflags;
	/* CPUID.80000008H:EAX[7:0] reaches the guest unchanged. CR4.PKE
	 * can only be set where CPUID shows the guest PKU: without it the
	 * bit is one Shale owns and refuses (arch/x86/exit_cr.c). */
	pg.maxphyaddr = cpu_phys_bits();
	pg.pkru = (pg.cr4 & CR4_PKE) ? vcpu_pkru(v) : 0;
	return guest_walk(v->vm, &pg, gla, acc, gpa, pf_err);
}

int guest_linear_to_phys(struct vcpu *v, uint64_t gla, uint64_t *gpa)
{
	struct guest_paging pg;
	uint32_t err;

	guest_paging_mode(v, &pg);
	return walk(v->vm, &pg, gla, GUEST_ACC_PEEK, gpa, &err) ==
			       GUEST_WALK_OK ? 0 : -1;
}

uint64_t guest_read_linear(struct vcpu *v, uint64_t gla, void *buf,
			   uint64_t len)
{
	uint64_t done = 0;

	while (done < len) {
		uint64_t gpa, chunk = 4096 - ((gla + done) & 0xfff);
		void *src;

		if (chunk > len - done)
			chunk = len - done;
		if (guest_linear_to_phys(v, gla + done, &gpa))
			break;
		src = vm_gpa_to_hva(v->vm, gpa, chunk);
		if (!src)
			break;
		memcpy((char *)buf + done, src, chunk);
		done += chunk;
	}
	return done;
}
