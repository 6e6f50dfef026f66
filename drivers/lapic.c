/* SPDX-License-Identifier: MIT */
/*
 * Local APIC registers: Intel SDM Vol. 3A, 11.4 (xAPIC MMIO at the base in
 * IA32_APIC_BASE) and 11.12 (x2APIC: MSR 0x800 + offset / 16).
 */
#include <stdbool.h>

#include "arch/x86/include/cpu.h"
#include "arch/x86/include/msr.h"
#include "drivers/lapic.h"

#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_X2APIC (1ull << 10)
#define APIC_EOI 0xb0
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_MASKED (1u << 16)

static uint64_t mmio_base;
static bool x2apic;
static bool enabled;

static void apic_write(unsigned reg, uint32_t val)
{
	if (x2apic)
		wrmsr(0x800 + reg / 16, val);
	else
		*(volatile uint32_t *)(mmio_base + reg) = val;
}

static uint32_t apic_read(unsigned reg)
{
	if (x2apic)
		return rdmsr(0x800 + reg / 16);
	return *(volatile uint32_t *)(mmio_base + reg);
}

void host_apic_init(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	outb(0x21, 0xff); /* mask every line of both 8259s */
	outb(0xa1, 0xff);
	enabled = base & APIC_BASE_ENABLE;
	x2apic = base & APIC_BASE_X2APIC;
	mmio_base = base & 0xffffff000ull;
	if (enabled)
		apic_write(APIC_LVT_TIMER,
			   apic_read(APIC_LVT_TIMER) | APIC_LVT_MASKED);
}

void host_apic_eoi(void)
{
	if (enabled)
		apic_write(APIC_EOI, 0);
}
