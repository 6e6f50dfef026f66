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
