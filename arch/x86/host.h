/* SPDX-License-Identifier: MIT */
/*
 * The host environment Shale builds for itself after ExitBootServices:
 * GDT with a TSS, IDT with exception handlers, identity-mapped page tables.
 */
#ifndef SHALE_ARCH_X86_HOST_H
#define SHALE_ARCH_X86_HOST_H

#include <stdint.h>

#include "vmm/page_alloc.h"

#define HOST_CS 0x08
#define HOST_DS 0x10
#define HOST_TR 0x18

struct host_tables {
	uint64_t gdt_base;
	uint64_t idt_base;
	uint64_t tr_base;
};

/* Load Shale's GDT, TSS and IDT on this CPU (arch/x86/gdt.c, idt.c). */
void host_gdt_init(void);
void host_idt_init(void);
const struct host_tables *host_tables(void);

/* Build identity page tables covering [0, top) and switch CR3 to them
 * (arch/x86/paging.c). Returns 0 or -1 when out of memory. */
int host_paging_init(struct page_allocator *pa, uint64_t top);

/* Print a backtrace following the frame-pointer chain from rbp. Each
 * address also as an offset into the image, for
 * `addr2line -f -e build/shale.so OFFSET`. */
void host_backtrace(uint64_t rbp);
/* Where the firmware loaded shale.efi, for those offsets. */
extern uint64_t host_image_base, host_image_size;

#endif
