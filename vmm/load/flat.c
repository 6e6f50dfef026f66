/* SPDX-License-Identifier: MIT */
/*
 * Flat binaries: the image is copied as is. A long-mode guest also gets the
 * smallest environment 64-bit code can start in, in its own low memory:
 *
 *   0x1000  GDT: null, 0x08 code64, 0x10 data
 *   0x2000  PML4 -> 0x3000 PDPT -> 0x4000..0x7fff four PDs of 2 MiB pages,
 *           an identity map of the first 4 GiB
 *
 * RDI = all guest RAM, RSI = the part below the MMIO hole, from 0; a guest
 * larger than 3 GiB has the rest from 4 GiB (vmm/guest_ram.h), which it
 * maps with page tables of its own.
 */
#include "arch/x86/include/cpu.h"
#include "lib/log.h"
#include "lib/string.h"
#include "vmm/load/flat.h"
#include "vmm/pc.h"

#define GDT_GPA 0x1000
#define PML4_GPA 0x2000
#define PDPT_GPA 0x3000
#define PD_GPA 0x4000
#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_PS (1ull << 7)

static int build_long_mode_env(struct vm *vm)
{
	uint64_t *gdt = vm_gpa_to_hva(vm, GDT_GPA, 24);
	uint64_t *pml4 = vm_gpa_to_hva(vm, PML4_GPA, 4096);
	uint64_t *pdpt = vm_gpa_to_hva(vm, PDPT_GPA, 4096);
	uint64_t *pd = vm_gpa_to_hva(vm, PD_GPA, 4 * 4096);

	if (!gdt || !pml4 || !pdpt || !pd)
		return -1;
	gdt[0] = 0;
	gdt[1] = 0x00af9b000000ffffull; /* code, 64-bit */
	gdt[2] = 0x00cf93000000ffffull; /* data */
	pml4[0] = PDPT_GPA | PTE_P | PTE_RW;
	for (int i = 0; i < 4; i++)
		pdpt[i] = (PD_GPA + i * 4096) | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | PTE_P | PTE_RW | PTE_PS;
	return 0;
}

int flat_load(struct vm *vm, const void *image, uint64_t size)
{
	const struct guest_config *g = vm->cfg;
	uint64_t low = guest_ram_low_size(&vm->ram);
	void *dst = NULL;

	/* Only RAM below the hole: the start-up page tables map the first
	 * 4 GiB, and a real-mode guest reaches the first MiB. */
	if (g->load < low && (size ? size : 1) <= low - g->load)
		dst = vm_gpa_to_hva(vm, g->load, size ? size : 1);
	if (!dst) {
		log_err("load", "guest \"%s\": image of %lu bytes does not fit at 0x%lx in its RAM below 4 GiB (0-0x%lx)",
			vm->name, (unsigned long)size, (unsigned long)g->load,
			(unsigned long)(low - 1));
		return -1;
	}
	/* The PC's ACPI tables are in place already (vmm/pc.c); an image
	 * that ran over them would leave the guest a broken RSDP. */
	if (vm->pc && g->load < PC_ACPI_GPA + ACPI_TABLES_MAX_SIZE &&
	    g->load + size > PC_ACPI_GPA) {
		log_err("load", "guest \"%s\": image of %lu bytes at 0x%lx overlaps the PC's ACPI tables at 0x%lx-0x%lx",
			vm->name, (unsigned long)size, (unsigned long)g->load,
			(unsigned long)PC_ACPI_GPA,
			(unsigned long)(PC_ACPI_GPA + ACPI_TABLES_MAX_SIZE - 1));
		return -1;
	}
	memcpy(dst, image, size);
	if (g->mode == GUEST_MODE_REAL) {
		struct cpuid_regs r;

		cpuid_count(1, 0, &r);
		vm->vcpu[0].boot = (struct vcpu_boot){
			.mode = VCPU_BOOT_REAL,
			.real_cs = g->load >> 4,
			.rip = g->load & 0xf,
			.rdx = r.eax, /* the processor signature, as after INIT */
		};
		return 0;
	}
	if (build_long_mode_env(vm)) {
		log_err("load", "guest \"%s\": needs at least 32K of memory for its start-up page tables",
			vm->name);
		return -1;
	}
	vm->vcpu[0].boot = (struct vcpu_boot){
		.rip = g->entry,
		.rsp = g->load,
		.cr3 = PML4_GPA,
		.gdt_base = GDT_GPA,
		.gdt_limit = 0x17,
		.cs = 0x08,
		.ds = 0x10,
		.rdi = vm->ram.size,
		/* RAM below the hole; the rest, RDI - RSI, is from 4 GiB */
		.rsi = guest_ram_low_size(&vm->ram),
	};
	return 0;
}
