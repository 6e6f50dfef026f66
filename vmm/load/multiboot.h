/* SPDX-License-Identifier: MIT */
/*
 * Loading a Multiboot 1 kernel (the Multiboot Specification version 0.6.96,
 * "Boot information format", "Machine state"): what `qemu -kernel` and GRUB's
 * `multiboot` command boot.
 *
 * Three steps, all pure (no struct vm, no logging), so they run the same in
 * the hypervisor, in host unit tests and under the fuzzer:
 *
 *   mb_parse  find and check the Multiboot header, and the ELF program
 *             headers or the header's address fields (flag 16): which bytes
 *             of the file go where in guest memory, and the entry point
 *   mb_plan   choose guest-physical addresses for the boot information,
 *             the strings, the GDT, a scratch stack and the modules
 *   mb_load   write all of it into guest RAM
 *
 * After mb_load the vCPU starts as the specification's "Machine state" says:
 * 32-bit protected mode, paging off, EAX = MB_BOOTLOADER_MAGIC,
 * EBX = lay.info, EIP = img.entry, CS = MB_BOOT_CS and DS/ES/FS/GS/SS =
 * MB_BOOT_DS, flat 4 GiB segments described by a real GDT at lay.gdt (the
 * specification leaves GDTR undefined; a valid one lets a kernel reload
 * segment registers before its own LGDT), ESP = lay.stack_top (undefined for
 * the specification: a 4 KiB scratch stack, for kernels that push before
 * they set their own).
 */
#ifndef SHALE_VMM_LOAD_MULTIBOOT_H
#define SHALE_VMM_LOAD_MULTIBOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB_HEADER_MAGIC 0x1BADB002u
#define MB_BOOTLOADER_MAGIC 0x2BADB002u
/* The header is 4-byte aligned inside the first 8 KiB of the file. */
#define MB_SEARCH_LIMIT 8192

/* Header flags ("The magic fields of Multiboot header"). */
#define MB_HF_PAGE_ALIGN (1u << 0) /* modules on 4 KiB boundaries */
#define MB_HF_MEMORY_INFO (1u << 1) /* mem_* and mmap_* wanted */
#define MB_HF_VIDEO_MODE (1u << 2) /* a video mode wanted: ignored */
#define MB_HF_AOUT_KLUDGE (1u << 16) /* the address fields are valid */
/* Bits 0-15 are requirements: one the loader does not know refuses the
 * image. */
#define MB_HF_REQUIRED_MASK 0xffffu
#define MB_HF_KNOWN (MB_HF_PAGE_ALIGN | MB_HF_MEMORY_INFO | MB_HF_VIDEO_MODE)

/* Info flags ("Boot information format"): what Shale fills in. */
#define MB_INFO_MEMORY (1u << 0)
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MODS (1u << 3)
#define MB_INFO_MEM_MAP (1u << 6)
#define MB_INFO_BOOT_LOADER_NAME (1u << 9)

/* multiboot_info, up to and including the framebuffer fields. */
#define MB_INFO_SIZE 116
#define MB_MOD_ENTRY_SIZE 16  /* mod_start, mod_end, string, reserved */
#define MB_MMAP_ENTRY_SIZE 24 /* size (= 20), base_addr, length, type */

/* The GDT mb_load builds: null, 0x08 code (32-bit, flat), 0x10 data. */
#define MB_BOOT_CS 0x08
#define MB_BOOT_DS 0x10
#define MB_GDT_ENTRIES 3
#define MB_GDT_LIMIT (MB_GDT_ENTRIES * 8 - 1)
#define MB_STACK_SIZE 4096

#define MB_MAX_SEGMENTS 16
#define MB_MAX_MODULES 8

/* One piece of the kernel: file[file_offset, + file_size) goes to guest
 * addr, and the rest up to mem_size is zeroed (BSS). */
struct mb_segment {
	uint64_t file_offset, file_size;
	uint64_t addr, mem_size;
};

/* What the image says, validated against guest RAM [0, mem_size). */
struct mb_image {
	uint32_t header_offset; /* of the Multiboot header in the file */
	uint32_t header_flags;
	enum { MB_FORMAT_AOUT_KLUDGE, MB_FORMAT_ELF32, MB_FORMAT_ELF64 } format;
	unsigned n_segments;
	struct mb_segment segments[MB_MAX_SEGMENTS];
	uint32_t entry;
	uint64_t kernel_end; /* end of the highest segment */
};

/* Parse the kernel image[0..size) for a guest with mem_size bytes of RAM at
 * GPA 0. Every segment must lie in RAM that the guest's memory map
 * (bzimage_e820_default) calls RAM -- not in the PC's legacy hole from the
 * EBDA to 1 MiB, not beyond RAM, where the device pages are -- and inside
 * the file; segments must not overlap; the entry point must lie in one of
 * them. Returns 0 with *img filled, or -1 with a one-line reason in why.
 * Never reads outside the image. */
int mb_parse(const void *image, uint64_t size, uint64_t mem_size,
	     struct mb_image *img, char *why, size_t why_size);

/* A boot module: its contents and its string ("FILE ARGS"). */
struct mb_module {
	const void *data;
	uint64_t size;
	const char *string;
};

/* Where the boot information goes. One "boot area", page aligned, right
 * above the kernel (and at 1 MiB or above):
 *   info (MB_INFO_SIZE) | GDT | mmap | module list | strings
 *   | page-aligned 4 KiB scratch stack
 * then each module on its own 4 KiB boundary. */
struct mb_layout {
	uint64_t area, area_size; /* the boot area, stack included */
	uint64_t info, gdt, mmap, mods, strings;
	uint32_t mmap_length;     /* bytes */
	uint64_t cmdline, loader_name;
	uint64_t stack_top;
	unsigned n_modules;
	uint64_t mod_start[MB_MAX_MODULES];
	uint64_t mod_size[MB_MAX_MODULES];
	uint64_t mod_string[MB_MAX_MODULES];
	uint64_t end; /* first byte after everything */
};

/* The boot loader name written into the info structure. */
#define MB_LOADER_NAME_MAX 32

/* Plan the boot area and modules for a parsed image. kernel_name and args
 * make the command line "NAME ARGS" as QEMU does (just "NAME" if args is
 * empty); loader_name is e.g. "Shale 0.9". Modules are never placed below
 * the boot area or over the kernel. Returns 0, or -1 with a reason (too
 * many modules, a module that does not fit in guest RAM). */
int mb_plan(const struct mb_image *img, uint64_t mem_size,
	    const char *kernel_name, const char *args, const char *loader_name,
	    const struct mb_module *mods, unsigned n_mods,
	    struct mb_layout *lay, char *why, size_t why_size);

/* Write the kernel's segments (BSS zeroed), the info structure (mem_lower,
 * mem_upper, the memory map from bzimage_e820_default(mem_size), command
 * line, modules, boot loader name), the strings, the GDT and the modules
 * into guest RAM `mem` (host pointer to GPA 0, mem_size bytes). The layout
 * is checked again first (every area inside RAM, none overlapping another
 * or a segment, sizes as the inputs give them), so a wrong one fails before
 * the first write. Returns 0, or -1 with a reason. */
int mb_load(const void *image, uint64_t image_size, const struct mb_image *img,
	    const struct mb_layout *lay, void *mem, uint64_t mem_size,
	    const char *kernel_name, const char *args, const char *loader_name,
	    const struct mb_module *mods, unsigned n_mods, char *why,
	    size_t why_size);

#endif
