/* SPDX-License-Identifier: MIT */
/*
 * mode = linux: the pure loader (vmm/load/bzimage.c) checks and places
 * the image; this file gives it the guest's memory, e820 map and ACPI
 * tables, and turns its layout into the vCPU's start state: 64-bit mode,
 * the loader's identity page tables and GDT, RSI = boot_params
 * (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol").
 */
#include "lib/log.h"
#include "lib/string.h"
#include "vmm/load/bzimage.h"
#include "vmm/load/linux.h"
#include "vmm/pc.h"

int linux_load(struct vm *vm, const struct boot_module *kernel,
	       const struct boot_module *initrd)
{
	const struct guest_config *g = vm->cfg;
	struct bzimage_info info;
	struct bzimage_layout lay;
	struct e820_entry e820[BZIMAGE_E820_DEFAULT_MAX];
	/* Everything the loader writes goes below 4 GiB, in the RAM from 0
	 * (the boot protocol's 32-bit pointers); the e820 map gives the
	 * kernel the rest. */
	const struct guest_ram_range *low = &vm->ram.r[0];
	unsigned n_e820;
	char why[160];
	uint64_t initrd_size = initrd ? initrd->size : 0;
	const char *file = g->kernel;

	if (bzimage_parse((const void *)kernel->addr, kernel->size, &info, why,
			  sizeof(why)))
		goto bad;
	if (bzimage_plan(&info, guest_ram_low_size(&vm->ram), initrd_size, strlen(g->cmdline),
			 &lay, why, sizeof(why)))
		goto bad;
	if (pc_create(vm))
		return -1;
	n_e820 = bzimage_e820_default(&vm->ram, e820);
	if (bzimage_load((const void *)kernel->addr, kernel->size, &info, &lay,
			 (void *)low->hpa, guest_ram_low_size(&vm->ram),
			 initrd ? (const void *)initrd->addr : NULL, initrd_size,
			 g->cmdline, e820, n_e820, vm->pc->rsdp, why, sizeof(why)))
		goto bad;
	vm->vcpu[0].boot = (struct vcpu_boot){
		.rip = lay.entry,
		.rsp = lay.boot_params, /* unused: the kernel sets its own stack */
		.cr3 = lay.pagetables,
		.gdt_base = lay.gdt,
		.gdt_limit = BZIMAGE_GDT_LIMIT,
		.cs = BZIMAGE_BOOT_CS,
		.ds = BZIMAGE_BOOT_DS,
		.rsi = lay.boot_params,
	};
	log_info("load", "guest \"%s\": Linux boot protocol %u.%02u, kernel at 0x%lx, initrd %lu KiB at 0x%lx",
		 vm->name, info.version >> 8, info.version & 0xff,
		 (unsigned long)lay.kernel_addr, (unsigned long)(initrd_size >> 10),
		 (unsigned long)lay.initrd_addr);
	return 0;
bad:
	log_err("load", "guest \"%s\": kernel \"%s\": %s", vm->name, file, why);
	return -1;
}
