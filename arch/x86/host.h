/* SPDX-License-Identifier: MIT */
/*
 * The host environment Shale builds for itself after ExitBootServices:
 * GDT with a TSS, IDT with exception handlers, identity-mapped page tables.
 */
#ifndef SHALE_ARCH_X86_HOST_H
#define SHALE_ARCH_X86_HOST_H

#include <stddef.h>
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

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes");

/* One CPU's GDT and TSS (every CPU needs its own TSS: loading TR marks
 * the descriptor busy), and the addresses its VMCSs give as host state. */
struct host_gdt {
	uint64_t gdt[5] __attribute__((aligned(16)));
	struct tss64 tss;
	struct host_tables tables;
};

/* Load Shale's GDT, TSS and IDT on the boot CPU (arch/x86/gdt.c, idt.c),
 * and set its per-CPU data (arch/x86/percpu.h). */
void host_gdt_init(void);
void host_idt_init(void);
/* The same on an AP: its own GDT and TSS in g, exceptions on the stack
 * ending at ist_top, the IDT that all CPUs share. */
void host_gdt_load(struct host_gdt *g, uint64_t ist_top);
void host_idt_load(void);
/* This CPU's tables, for a VMCS's host state. */
const struct host_tables *host_tables(void);

/* Build identity page tables covering [0, top) and switch CR3 to them
 * (arch/x86/paging.c). Returns 0 or -1 when out of memory. */
int host_paging_init(struct page_allocator *pa, uint64_t top);

/* Reporting a Shale bug (arch/x86/panic.c). Host code addresses are named
 * by function from the symbol table in the image, "vmx_run+0x1c9", and
 * also given as offsets into the image, for
 * `addr2line -f -e build/shale.so OFFSET`. */
enum host_addr {
	HOST_ADDR_PC,     /* an instruction's own address (a faulting RIP) */
	HOST_ADDR_RETURN, /* a return address: named by the call before it */
};
/* "function+0xdelta" for a in shale.efi, in buf; returns buf. */
const char *host_addr_name(char *buf, size_t size, uint64_t a,
			   enum host_addr kind);
/* "PREFIX0x<a>  function+0xdelta  (image offset 0x...)" on a line. */
void host_print_address(const char *prefix, uint64_t a, enum host_addr kind);
/* A backtrace along the frame-pointer chain from rbp, one address a line. */
void host_backtrace(uint64_t rbp);
/* "[panic] MESSAGE", a backtrace from the caller, then halt this CPU. */
__attribute__((noreturn, cold, format(printf, 1, 2))) void
host_panic(const char *fmt, ...);
/* The last line of every such report, then the halt. */
__attribute__((noreturn)) void host_halt_reported(void);
/* Where the firmware loaded shale.efi, for those offsets. */
extern uint64_t host_image_base, host_image_size;

#endif
