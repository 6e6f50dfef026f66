/* SPDX-License-Identifier: MIT */
/*
 * Shale's GDT and TSS, one pair per CPU. The firmware's GDT lives in
 * boot-services memory and OVMF runs with TR = 0, which VM entry refuses as
 * host state (SDM Vol. 3C, 27.2.3: the host TR selector must not be 0), so
 * Shale brings its own.
 *
 *   0x00 null   0x08 code, 64-bit   0x10 data   0x18 TSS (16 bytes)
 */
#include <stdint.h>

#include "arch/x86/host.h"
#include "arch/x86/include/msr.h"
#include "arch/x86/include/cpu.h"
#include "arch/x86/percpu.h"

/* The boot CPU's; each AP's lives in its struct percpu. Exceptions that
 * may come with a broken stack run on their own (IST1). */
static uint8_t ist_stack[16384] __attribute__((aligned(16)));
static struct percpu bsp;

struct dtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

void host_gdt_load(struct host_gdt *g, uint64_t ist_top)
{
	uint64_t base = (uint64_t)&g->tss;
	uint64_t limit = sizeof(g->tss) - 1;
	struct dtr d;

	g->tss.iomap_base = sizeof(g->tss); /* no I/O permission bitmap */
	g->tss.ist[0] = ist_top;

	g->gdt[0] = 0;
	g->gdt[1] = 0x00af9b000000ffffull; /* P, DPL0, code, exec/read, accessed, L, G */
	g->gdt[2] = 0x00cf93000000ffffull; /* P, DPL0, data, read/write, accessed, D/B, G */
	/* 64-bit TSS descriptor, type 9 (available), SDM Vol. 3A, 8.2.3 */
	g->gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		    (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	g->gdt[4] = base >> 32;

	d.limit = sizeof(g->gdt) - 1;
	d.base = (uint64_t)g->gdt;
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
	g->tables.gdt_base = (uint64_t)g->gdt;
	g->tables.tr_base = base;
}

void host_gdt_init(void)
{
	bsp.self = &bsp;
	bsp.state = CPU_RUNNING;
	bsp.ist_top = (uint64_t)ist_stack + sizeof(ist_stack);
	host_gdt_load(&bsp.gdt, bsp.ist_top);
	/* After the GS load above: the GS base is this CPU's per-CPU data,
	 * here and (HOST_GS_BASE, arch/x86/vmcs.c) after every VM exit. */
	wrmsr(MSR_IA32_GS_BASE, (uint64_t)&bsp);
	smp_cpus[0] = &bsp;
	smp_n_cpus = 1;
}

const struct host_tables *host_tables(void)
{
	return &this_cpu()->gdt.tables;
}

void host_set_idt_base(uint64_t base);
void host_set_idt_base(uint64_t base)
{
	this_cpu()->gdt.tables.idt_base = base;
}
