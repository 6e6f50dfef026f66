/* SPDX-License-Identifier: MIT */
/*
 * The local APIC model under VMX APIC virtualization (Intel SDM Vol. 3C,
 * chapter "APIC Virtualization and Virtual Interrupts"). The model's
 * register page is the virtual-APIC page, so there is one copy of the
 * state: the CPU reads registers from it, sets VTPR, moves vectors from
 * VIRR to VISR when it delivers them, and clears VISR bits on EOI; the
 * model reads the same bits when it computes PPR or a pending vector.
 *
 * What the CPU keeps outside the page is the guest interrupt status (RVI,
 * SVI) and the EOI-exit bitmap in the VMCS; the integrator recomputes both
 * from the page before a VM entry (lapic_intr_status,
 * lapic_eoi_exit_bitmap), which is always correct: RVI and SVI are by
 * definition the highest vectors of VIRR and VISR.
 */
#include "vmm/vdev/lapic_internal.h"

uint16_t lapic_intr_status(const struct lapic *l)
{
	int rvi = vec_highest(l, LAPIC_IRR);
	int svi = vec_highest(l, LAPIC_ISR);

	return (uint16_t)((svi < 0 ? 0 : svi) << 8 | (rvi < 0 ? 0 : rvi));
}

void lapic_eoi_exit_bitmap(const struct lapic *l, uint64_t bits[4])
{
	for (unsigned i = 0; i < 4; i++)
		bits[i] = reg_get(l, LAPIC_TMR + 32 * i) |
			  (uint64_t)reg_get(l, LAPIC_TMR + 32 * i + 16) << 32;
}

/* APIC-write emulation (SDM 30.4.3.3) has already put the guest's value
 * in the page; the model takes it from there. The exit qualification is
 * the offset of the write, which may be a byte inside the register: the
 * register is the 16-byte slot that holds it. */
void lapic_apic_write(struct lapic *l, uint32_t offset)
{
	uint32_t off = offset & 0xff0;

	if (offset >= 0x400)
		return; /* beyond the registers: the CPU sends no such exit */
	/* Virtualized x2APIC mode: a SELF IPI with a vector below 16 is
	 * not virtualized, it comes here with the value in its slot. */
	if (off == LAPIC_SELF_IPI && lapic_x2apic_mode(l)) {
		lapic_msr_write(l, LAPIC_MSR_BASE + (LAPIC_SELF_IPI >> 4),
				reg_get(l, LAPIC_SELF_IPI));
		return;
	}
	lapic_reg_write(l, off, reg_get(l, off));
}

void lapic_virtual_eoi(struct lapic *l, uint8_t vector)
{
	lapic_eoi_notify(l, vector);
}
