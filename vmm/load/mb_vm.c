/* SPDX-License-Identifier: MIT */
/*
 * mode = multiboot: the pure loader (vmm/load/multiboot.c) checks and
 * places the kernel, its boot information and its modules; this file hands
 * it the guest's memory and files and turns its layout into the vCPU's
 * start state: 32-bit protected mode, paging off, EAX = 0x2BADB002, EBX =
 * the info structure (Multiboot Specification 0.6.96, "Machine state").
 */
#include "lib/log.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "vmm/load/mb_vm.h"
#include "vmm/load/multiboot.h"
#include "vmm/version.h"

#define LOADER_NAME "Shale " SHALE_VERSION_STRING

/* The modules of the config, as files the boot stage read. */
static int find_modules(const struct vm *vm,
			const struct boot_module *(*find)(const char *),
			struct mb_module *mods, char *why, size_t why_size)
{
	const struct guest_config *g = vm->cfg;
	char file[CONFIG_PATH_MAX];

	for (unsigned i = 0; i < g->n_modules; i++) {
		const char *s = config_module(g, i);
		const struct boot_module *m;

		config_module_file(s, file);
		m = find(file);
		if (!m) {
			ksnprintf(why, why_size, "module \"%s\" was not read", file);
			return -1;
		}
		mods[i] = (struct mb_module){ (const void *)m->addr, m->size, s };
	}
	return 0;
}

int mb_vm_load(struct vm *vm, const struct boot_module *kernel,
	       const struct boot_module *(*find)(const char *name))
{
	const struct guest_config *g = vm->cfg;
	struct mb_module mods[CONFIG_MAX_MODULES];
	struct mb_image img;
	struct mb_layout lay;
	char why[200];
	const void *image = (const void *)kernel->addr;

	_Static_assert(CONFIG_MAX_MODULES <= MB_MAX_MODULES,
		       "the loader takes every module the config allows");
	if (mb_parse(image, kernel->size, vm->ram.size, &img, why, sizeof(why)))
		goto bad;
	if (find_modules(vm, find, mods, why, sizeof(why)))
		goto bad;
	if (mb_plan(&img, vm->ram.size, g->kernel, g->cmdline, LOADER_NAME,
		    mods, g->n_modules, &lay, why, sizeof(why)))
		goto bad;
	if (mb_load(image, kernel->size, &img, &lay, (void *)vm->ram.r[0].hpa,
		    vm->ram.size, g->kernel, g->cmdline, LOADER_NAME, mods,
		    g->n_modules, why, sizeof(why)))
		goto bad;
	vm->vcpu[0].boot = (struct vcpu_boot){
		.mode = VCPU_BOOT_PROT32,
		.rip = img.entry,
		.rsp = lay.stack_top,
		.gdt_base = lay.gdt,
		.gdt_limit = MB_GDT_LIMIT,
		.cs = MB_BOOT_CS,
		.ds = MB_BOOT_DS,
		.rax = MB_BOOTLOADER_MAGIC,
		.rbx = lay.info,
	};
	log_info("load", "guest \"%s\": Multiboot kernel (%s, %u segment(s)) ends at 0x%lx, boot information at 0x%lx, %u module(s), entry 0x%x",
		 vm->name,
		 img.format == MB_FORMAT_AOUT_KLUDGE ? "address fields" :
		 img.format == MB_FORMAT_ELF32 ? "ELF32" : "ELF64",
		 img.n_segments, (unsigned long)img.kernel_end,
		 (unsigned long)lay.info, lay.n_modules, img.entry);
	if (img.header_flags & MB_HF_VIDEO_MODE)
		log_warn("load", "guest \"%s\": the kernel asks for a video mode; Shale has no display and ignores it",
			 vm->name);
	return 0;
bad:
	log_err("load", "guest \"%s\": kernel \"%s\": %s", vm->name, g->kernel, why);
	return -1;
}
