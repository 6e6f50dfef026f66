/* SPDX-License-Identifier: MIT */
#include "arch/x86/include/cpu.h"
#include "lib/string.h"
#include "vmm/guest_mem.h"
#include "vmm/vm.h"

#define PTE_P (1ull << 0)
#define PTE_PS (1ull << 7)
#define ADDR_MASK 0x000ffffffffff000ull

static bool read_entry(struct vm *vm, uint64_t gpa, unsigned width,
		       uint64_t *out)
{
	void *p = vm_gpa_to_hva(vm, gpa, width);

	if (!p)
		return false;
	*out = width == 8 ? *(uint64_t *)p : *(uint32_t *)p;
	return true;
}

int guest_linear_to_phys(struct vcpu *v, uint64_t gla, uint64_t *gpa)
{
	struct vm *vm = v->vm;
	uint64_t cr0 = vcpu_get_state(v, VREG_CR0);
	uint64_t cr4, cr3, e;

	if (!(cr0 & CR0_PG)) {
		*gpa = gla & 0xffffffffull;
		return 0;
	}
	cr3 = vcpu_get_state(v, VREG_CR3);
	cr4 = vcpu_get_state(v, VREG_CR4);

	if (!(cr4 & CR4_PAE)) {
		/* 32-bit paging: 10 + 10 + 12, 4 MiB pages with PSE. */
		uint64_t pde, pte;

		if (!read_entry(vm, (cr3 & 0xfffff000) + ((gla >> 22) & 0x3ff) * 4, 4, &pde) ||
		    !(pde & PTE_P))
			return -1;
		if ((pde & PTE_PS) && (cr4 & (1u << 4))) {
			*gpa = (pde & 0xffc00000) | (gla & 0x3fffff);
			return 0;
		}
		if (!read_entry(vm, (pde & 0xfffff000) + ((gla >> 12) & 0x3ff) * 4, 4, &pte) ||
		    !(pte & PTE_P))
			return -1;
		*gpa = (pte & 0xfffff000) | (gla & 0xfff);
		return 0;
	}

	int level;
	uint64_t table;

	if (vcpu_get_state(v, VREG_EFER) & EFER_LMA) {
		level = 4;
		table = cr3 & ADDR_MASK;
	} else {
		/* PAE: the PDPTE selected by bits 31:30. */
		if (!read_entry(vm, (cr3 & 0xffffffe0) + ((gla >> 30) & 3) * 8, 8, &e) ||
		    !(e & PTE_P))
			return -1;
		level = 2;
		table = e & ADDR_MASK;
	}
	for (; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);

		if (!read_entry(vm, table + ((gla >> shift) & 0x1ff) * 8, 8, &e) ||
		    !(e & PTE_P))
			return -1;
		if (level == 1 || ((level == 2 || level == 3) && (e & PTE_PS))) {
			uint64_t page = 1ull << shift;

			*gpa = (e & ADDR_MASK & ~(page - 1)) | (gla & (page - 1));
			return 0;
		}
		table = e & ADDR_MASK;
	}
	return -1;
}

/* CR4 and RFLAGS bits only the walk needs (SDM Vol. 3A, 2.5 and 2.3). */
#define CR4_PSE (1ull << 4)
#define CR4_SMAP (1ull << 21)
#define RFLAGS_AC (1ull << 18)
#define PTE_RW (1ull << 1)
#define PTE_US (1ull << 2)
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_XD (1ull << 63)

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

enum guest_walk guest_linear_access(struct vcpu *v, uint64_t gla, unsigned acc,
				    uint64_t rflags, uint64_t *gpa,
				    uint32_t *pf_err)
{
	struct vm *vm = v->vm;
	uint64_t cr0 = vcpu_get_state(v, VREG_CR0), cr4, cr3, e = 0;
	uint64_t rights = PTE_RW | PTE_US; /* AND over every level */
	uint32_t err = ((acc & GUEST_ACC_WRITE) ? PF_ERR_W : 0) |
		       ((acc & GUEST_ACC_USER) ? PF_ERR_U : 0);
	bool nxe, rsvd = false;
	void *used[4], *p;
	unsigned n = 0, width = 8;

	if (!(cr0 & CR0_PG)) {
		*gpa = gla & 0xffffffffull;
		return GUEST_WALK_OK;
	}
	cr3 = vcpu_get_state(v, VREG_CR3);
	cr4 = vcpu_get_state(v, VREG_CR4);
	nxe = vcpu_get_state(v, VREG_EFER) & EFER_NXE;

	if (!(cr4 & CR4_PAE)) {
		/* 32-bit paging (SDM 4.3): 4-byte entries, 4 MiB pages with
		 * CR4.PSE, whose bits 20:13 are address bits 39:32. */
		width = 4;
		p = vm_gpa_to_hva(vm, (cr3 & 0xfffff000) + ((gla >> 22) & 0x3ff) * 4, 4);
		if (!p)
			return GUEST_WALK_NO_RAM;
		e = *(volatile uint32_t *)p;
		if (!(e & PTE_P))
			goto fault;
		rights &= e;
		used[n++] = p;
		if ((e & PTE_PS) && (cr4 & CR4_PSE)) {
			*gpa = (e & 0xffc00000) | (((e >> 13) & 0xff) << 32) | (gla & 0x3fffff);
		} else {
			p = vm_gpa_to_hva(vm, (e & 0xfffff000) + ((gla >> 12) & 0x3ff) * 4, 4);
			if (!p)
				return GUEST_WALK_NO_RAM;
			e = *(volatile uint32_t *)p;
			if (!(e & PTE_P))
				goto fault;
			rights &= e;
			used[n++] = p;
			*gpa = (e & 0xfffff000) | (gla & 0xfff);
		}
	} else {
		uint64_t table;
		int level;

		if (vcpu_get_state(v, VREG_EFER) & EFER_LMA) {
			level = 4;
			table = cr3 & ADDR_MASK;
		} else {
			/* PAE: the PDPTE selected by bits 31:30; PDPTEs carry
			 * no access rights and no accessed flag (SDM 4.4.1). */
			if (!read_entry(vm, (cr3 & 0xffffffe0) + ((gla >> 30) & 3) * 8, 8, &e))
				return GUEST_WALK_NO_RAM;
			if (!(e & PTE_P))
				goto fault;
			level = 2;
			table = e & ADDR_MASK;
		}
		for (;; level--) {
			unsigned shift = 12 + 9 * (level - 1);

			p = vm_gpa_to_hva(vm, table + ((gla >> shift) & 0x1ff) * 8, 8);
			if (!p)
				return GUEST_WALK_NO_RAM;
			e = *(volatile uint64_t *)p;
			if (!(e & PTE_P))
				goto fault;
			/* Reserved bits (SDM 4.5, Tables 4-15 to 4-20): XD
			 * without EFER.NXE, PS in a PML4E, and the low address
			 * bits of a large page. MAXPHYADDR is not checked. */
			if (((e & PTE_XD) && !nxe) || (level == 4 && (e & PTE_PS)))
				rsvd = true;
			rights &= e;
			used[n++] = p;
			if (level == 1 || ((level == 2 || level == 3) && (e & PTE_PS))) {
				uint64_t page = 1ull << shift;

				if (level > 1 && ((e >> 13) & ((page >> 13) - 1)))
					rsvd = true;
				*gpa = (e & ADDR_MASK & ~(page - 1)) | (gla & (page - 1));
				break;
			}
			table = e & ADDR_MASK;
		}
		if (rsvd) {
			err |= PF_ERR_RSVD;
			goto protection;
		}
	}

	/* Access rights (SDM 4.6.1): a user-mode access needs U/S in every
	 * level, and R/W for a write; a supervisor-mode write needs R/W
	 * only with CR0.WP; a supervisor-mode access to a user page is
	 * refused by SMAP unless RFLAGS.AC is set. */
	if (acc & GUEST_ACC_USER) {
		if (!(rights & PTE_US) || ((acc & GUEST_ACC_WRITE) && !(rights & PTE_RW)))
			goto protection;
	} else {
		if ((acc & GUEST_ACC_WRITE) && (cr0 & CR0_WP) && !(rights & PTE_RW))
			goto protection;
		if ((rights & PTE_US) && (cr4 & CR4_SMAP) && !(rflags & RFLAGS_AC))
			goto protection;
	}
	for (unsigned i = 0; i < n; i++)
		set_flags(used[i], width,
			  PTE_A | (i == n - 1 && (acc & GUEST_ACC_WRITE) ? PTE_D : 0));
	return GUEST_WALK_OK;

protection:
	err |= PF_ERR_P;
fault:
	*pf_err = err;
	return GUEST_WALK_PF;
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
