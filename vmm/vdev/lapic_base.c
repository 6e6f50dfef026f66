/* SPDX-License-Identifier: MIT */
/*
 * IA32_APIC_BASE: the local APIC's global enable (EN, bit 11) and x2APIC
 * mode (EXTD, bit 10), Intel SDM Vol. 3A, 11.4.4 and 11.12.5.
 *
 * Four states, three of them valid: disabled (EN = 0, EXTD = 0), xAPIC
 * (1, 0) and x2APIC (1, 1); (0, 1) is invalid. A WRMSR that would reach
 * the invalid state, go from x2APIC straight to xAPIC, or from disabled
 * straight to x2APIC raises #GP (Figure 11-27): software leaves x2APIC mode
 * only through the disabled state. Disabling the APIC resets its registers
 * (11.4.3: "prior initialization may be lost"); Shale resets them, so that
 * a guest that re-enables it finds the power-up state every time. INIT
 * keeps the mode (11.12.5.1), reset goes back to xAPIC (lapic_init).
 *
 * The base address is not relocatable here: the APIC stays at LAPIC_BASE
 * whatever bits 35:12 say (docs/msr.md); reserved bits are the MSR
 * handler's check, since they depend on MAXPHYADDR.
 */
#include "vmm/vdev/lapic_internal.h"

uint64_t lapic_get_apic_base(const struct lapic *l)
{
	return LAPIC_BASE | l->apic_base;
}

int lapic_set_apic_base(struct lapic *l, uint64_t val)
{
	bool en = val & APIC_BASE_EN, extd = val & APIC_BASE_EXTD;
	bool was_en = l->apic_base & APIC_BASE_EN;
	bool was_x2 = was_en && (l->apic_base & APIC_BASE_EXTD);

	if (extd && !en)
		return -1; /* the invalid state */
	if (was_x2 && en && !extd)
		return -1; /* x2APIC -> xAPIC */
	if (!was_en && en && extd)
		return -1; /* disabled -> x2APIC */
	if (was_en && !en)
		lapic_reset(l);
	if (en && extd && !was_x2)
		lapic_x2apic_page_ids(l);
	/* BSP is the platform's to say, not the guest's to write. */
	l->apic_base = (l->apic_base & APIC_BASE_BSP) |
		       (val & (APIC_BASE_EN | APIC_BASE_EXTD));
	return 0;
}

bool lapic_x2apic_mode(const struct lapic *l)
{
	return (l->apic_base & (APIC_BASE_EN | APIC_BASE_EXTD)) ==
	       (APIC_BASE_EN | APIC_BASE_EXTD);
}
