/* SPDX-License-Identifier: MIT */
/*
 * Loading a Linux bzImage through the 64-bit boot protocol
 * (Linux Documentation/arch/x86/boot.rst, "64-bit Boot Protocol").
 *
 * Three steps, all pure (no struct vm, no logging), so they run the same in
 * the hypervisor, in host unit tests and under the fuzzer:
 *
 *   bzimage_parse  check the setup header and say what the kernel needs
 *   bzimage_plan   choose guest-physical addresses for everything
 *   bzimage_load   write kernel, initrd, command line, zero page, GDT and
 *                  identity page tables into guest RAM
 *
 * After bzimage_load the vCPU starts in 64-bit mode with:
 *   CR3 = lay.pagetables, CR4.PAE, EFER.LME|LMA, CR0.PE|PG (and ET, NE)
 *   GDTR = { lay.gdt, BZIMAGE_GDT_LIMIT }
 *   CS = BZIMAGE_BOOT_CS (64-bit code), DS = ES = SS = BZIMAGE_BOOT_DS
 *   RIP = lay.entry, RSI = lay.boot_params, RFLAGS = 0x2 (interrupts off)
 */
#ifndef SHALE_VMM_LOAD_BZIMAGE_H
#define SHALE_VMM_LOAD_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/guest_ram.h"

/* Selectors the kernel expects (boot.rst: __BOOT_CS, __BOOT_DS). */
#define BZIMAGE_BOOT_CS 0x10
#define BZIMAGE_BOOT_DS 0x18
/* The GDT bzimage_load builds: null, null, code64 (0x10), data (0x18). */
#define BZIMAGE_GDT_ENTRIES 4
#define BZIMAGE_GDT_LIMIT (BZIMAGE_GDT_ENTRIES * 8 - 1)
/* The 64-bit entry point is this far into the protected-mode kernel. */
#define BZIMAGE_ENTRY_64_OFFSET 0x200
/* Oldest boot protocol with xloadflags, which says whether the 64-bit
 * entry exists. */
#define BZIMAGE_MIN_VERSION 0x020c
/* The zero page can describe at most this many e820 entries. */
#define BZIMAGE_E820_MAX 128

/* What the header says, validated. */
struct bzimage_info {
	uint16_t version;       /* boot protocol, e.g. 0x020f */
	uint32_t setup_size;    /* real-mode setup incl. boot sector, bytes */
	uint64_t kernel_offset; /* protected-mode kernel: offset in the file */
	uint64_t kernel_size;   /* and its size there (syssize) */
	uint64_t init_size;     /* memory it needs from its load address */
	uint64_t alignment;     /* kernel_alignment, a power of two */
	uint64_t pref_address;
	bool relocatable;
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;  /* max command line length (without NUL) */
};

/* Check the header of a bzImage held in image[0..size). Returns 0 with
 * *info filled, or -1 with a one-line reason in why[why_size] (e.g. "not a
 * Linux kernel: no \"HdrS\" magic at 0x202"). Never reads outside the
 * image, whatever the header says. */
int bzimage_parse(const void *image, uint64_t size, struct bzimage_info *info,
		  char *why, size_t why_size);

/* Where everything goes in guest-physical memory. */
struct bzimage_layout {
	uint64_t kernel_addr; /* load address of the protected-mode kernel */
	uint64_t entry;       /* kernel_addr + 0x200 */
	uint64_t boot_params; /* the zero page, 4 KiB */
	uint64_t cmdline;     /* the command line */
	uint64_t initrd_addr, initrd_size;
	uint64_t pagetables;  /* PML4, then PDPT at +4K, then the PDs at +8K */
	uint64_t gdt;         /* 0x10 code64, 0x18 data */
};

/* e820 entries of the guest, in guest-physical terms. */
struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));
#define E820_RAM 1
#define E820_RESERVED 2
#define E820_ACPI 3

/* Number of page directories (one per GiB, 2 MiB pages) the identity map
 * of a guest with mem_size bytes of RAM needs: enough for the first 4 GiB,
 * or all of RAM if larger. */
uint64_t bzimage_pd_count(uint64_t mem_size);

/* Plan the layout for a guest with mem_size bytes of RAM at GPA 0.
 *
 * Low memory, below 0x9f000 (the EBDA) and above the real-mode IVT page:
 *   0x1000 GDT, 0x2000 zero page, 0x3000 page tables (2 + PDs pages),
 *   then the command line.
 * The kernel: at pref_address, which a relocatable kernel rounds up to
 * kernel_alignment and raises to 1 MiB if lower. Never below: a relocatable
 * kernel loaded below pref_address moves itself up to it anyway (boot.rst,
 * init_size), so max(init_size, kernel size) from there must be RAM.
 * The initrd: as high as possible (4 KiB aligned) below min(initrd_addr_max
 * + 1, mem_size, 4 GiB) and above that kernel area, else below the kernel
 * but above 1 MiB.
 * mem_size must be RAM with no holes: for a guest with an MMIO hole, pass
 * the size of RAM below it (guest_ram_low_size()); the boot protocol
 * wants everything it places below 4 GiB anyway. Returns 0, or -1 with a
 * reason. */
int bzimage_plan(const struct bzimage_info *info, uint64_t mem_size,
		 uint64_t initrd_size, uint64_t cmdline_len,
		 struct bzimage_layout *out, char *why, size_t why_size);

/* Write everything into guest memory `mem` (host pointer to guest RAM at
 * GPA 0, mem_size bytes): the kernel, the initrd, the NUL-terminated command
 * line (longer than cmdline_size: refused), the zero page (setup header
 * from the image, loader fields, e820 table, acpi_rsdp_addr if nonzero),
 * the GDT and the identity page tables (bzimage_pd_count(mem_size) PDs).
 * The layout is checked again (every area inside mem_size, none
 * overlapping, the kernel's init_size area and the initrd each inside one
 * E820_RAM entry), so a wrong one fails instead of corrupting memory; every
 * check comes before the first write, so on -1 guest memory is untouched.
 * e820 must have 1 to BZIMAGE_E820_MAX entries; cmdline may be NULL for an
 * empty line. Returns 0, or -1 with a reason. */
int bzimage_load(const void *image, uint64_t image_size,
		 const struct bzimage_info *info,
		 const struct bzimage_layout *lay, void *mem, uint64_t mem_size,
		 const void *initrd, uint64_t initrd_size, const char *cmdline,
		 const struct e820_entry *e820, unsigned n_e820,
		 uint64_t acpi_rsdp, char *why, size_t why_size);

/* The most entries bzimage_e820_default() writes: three for the RAM from
 * 0, one for each further range. */
#define BZIMAGE_E820_DEFAULT_MAX (2 + GUEST_RAM_RANGES_MAX)

/* Fill out[] with the usual PC map of a guest's RAM (vmm/guest_ram.h): in
 * the range from 0, RAM below 0x9fc00, the EBDA and BIOS area reserved up
 * to 1 MiB, RAM from 1 MiB to its end; every other range (the RAM from
 * 4 GiB) as RAM. The MMIO hole between them is left out, as a PC's
 * firmware leaves it: the kernel takes the gap for device windows.
 * Returns the number of entries, in ascending order. */
unsigned bzimage_e820_default(const struct guest_ram *ram,
			      struct e820_entry out[BZIMAGE_E820_DEFAULT_MAX]);

#endif
