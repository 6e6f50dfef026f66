/* SPDX-License-Identifier: MIT */
/*
 * Local APIC registers: Intel SDM Vol. 3A, 11.4 (xAPIC MMIO at the base in
 * IA32_APIC_BASE) and 11.12 (x2APIC: MSR 0x800 + offset / 16).
 */
#include <stdbool.h>

#include "arch/x86/include/cpu.h"
#include "arch/x86/include/msr.h"
#include "arch/x86/percpu.h"
#include "drivers/lapic.h"

#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_X2APIC (1ull << 10)
#define APIC_ID 0x20
#define APIC_TPR 0x80
#define APIC_EOI 0xb0
#define APIC_SVR 0xf0
#define APIC_SVR_ENABLE (1u << 8)
#define APIC_ICR_LOW 0x300
#define APIC_ICR_HIGH 0x310
#define APIC_ICR_BUSY (1u << 12) /* xAPIC delivery status: send pending */
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

uint32_t host_apic_id(void)
{
	/* x2APIC: the whole 32-bit ID; xAPIC: bits 31:24 (SDM Vol. 3A, 11.4.6). */
	return x2apic ? (uint32_t)rdmsr(0x802) : apic_read(APIC_ID) >> 24;
}

bool host_apic_x2apic(void)
{
	return x2apic;
}

void host_apic_ap_init(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	/* An AP leaves INIT in xAPIC mode; it must speak as the BSP does.
	 * Entering x2APIC mode goes through xAPIC mode (SDM Vol. 3A,
	 * 11.12.5): enabled first, then EXTD. */
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_IA32_APIC_BASE, base |= APIC_BASE_ENABLE);
	if (x2apic && !(base & APIC_BASE_X2APIC))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_X2APIC);
	apic_write(APIC_LVT_TIMER, apic_read(APIC_LVT_TIMER) | APIC_LVT_MASKED);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
}

bool host_apic_send_ipi(uint32_t apic_id, uint32_t icr_low)
{
	if (!enabled)
		return false;
	if (x2apic) {
		/* One write, no delivery status to wait for (SDM Vol. 3A, 11.12.9). */
		wrmsr(0x830, (uint64_t)apic_id << 32 | icr_low);
		return true;
	}
	if (apic_id > 0xff)
		return false;
	/* The xAPIC takes one IPI at a time; bounded, as a stuck APIC must
	 * not hang Shale. */
	for (int i = 0; i < 1000000 && (apic_read(APIC_ICR_LOW) & APIC_ICR_BUSY); i++)
		cpu_relax();
	apic_write(APIC_ICR_HIGH, apic_id << 24);
	apic_write(APIC_ICR_LOW, icr_low);
	return true;
}

void host_apic_eoi(void)
{
	if (enabled)
		apic_write(APIC_EOI, 0);
}
