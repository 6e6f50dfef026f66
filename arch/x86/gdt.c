/* SPDX-License-Identifier: MIT */
/*
 * Shale's GDT and TSS. The firmware's GDT lives in boot-services memory and
 * OVMF runs with TR = 0, which VM entry refuses as host state (SDM Vol. 3C,
 * 27.2.3: the host TR selector must not be 0), so Shale brings its own.
 *
 *   0x00 null   0x08 code, 64-bit   0x10 data   0x18 TSS (16 bytes)
 */
#include <stdint.h>

#include "arch/x86/host.h"

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

/* Exceptions that may come with a broken stack run on their own (IST1). */
static uint8_t ist_stack[16384] __attribute__((aligned(16)));
static struct tss64 tss;
static uint64_t gdt[5] __attribute__((aligned(16)));
static struct host_tables tables;

struct dtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

void host_gdt_init(void)
{
	uint64_t base = (uint64_t)&tss;
	uint64_t limit = sizeof(tss) - 1;
	struct dtr d;

	tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */
	tss.ist[0] = (uint64_t)ist_stack + sizeof(ist_stack);

	gdt[0] = 0;
	gdt[1] = 0x00af9b000000ffffull; /* P, DPL0, code, exec/read, accessed, L, G */
	gdt[2] = 0x00cf93000000ffffull; /* P, DPL0, data, read/write, accessed, D/B, G */
	/* 64-bit TSS descriptor, type 9 (available), SDM Vol. 3A, 8.2.3 */
	gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		 (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[4] = base >> 32;

	d.limit = sizeof(gdt) - 1;
	d.base = (uint64_t)gdt;
	asm volatile("lgdt %0\n\t"
		     "mov %1, %%ds\n\t"
		     "mov %1, %%es\n\t"
		     "mov %1, %%ss\n\t"
		     "xor %%eax, %%eax\n\t"
		     "mov %%ax, %%fs\n\t"
		     "mov %%ax, %%gs\n\t"
		     "lea 1f(%%rip), %%rax\n\t"
		     "pushq %2\n\t"
		     "push %%rax\n\t"
		     "lretq\n"
		     "1:\n\t"
		     "ltr %w3"
		     :
		     : "m"(d), "r"((uint64_t)HOST_DS), "i"(HOST_CS), "r"(HOST_TR)
		     : "rax", "memory");
	tables.gdt_base = (uint64_t)gdt;
	tables.tr_base = base;
}

const struct host_tables *host_tables(void)
{
	return &tables;
}

void host_set_idt_base(uint64_t base);
void host_set_idt_base(uint64_t base)
{
	tables.idt_base = base;
}
