/* SPDX-License-Identifier: MIT */
/*
 * "Virtualize x2APIC mode" (Intel SDM Vol. 3C, "Virtualizing MSR-Based
 * APIC Accesses"): a vCPU whose local APIC the guest has put in x2APIC
 * mode, under APIC virtualization, reads most APIC registers and writes
 * TPR, EOI and SELF IPI as MSRs without a VM exit; the CPU serves them from
 * the same virtual-APIC page as in xAPIC mode.
 *
 * The control excludes "virtualize APIC accesses", so the mode switch
 * (a WRMSR to IA32_APIC_BASE, vmm/msr.c) swaps one for the other in the
 * vCPU's VMCS, and the vCPU's MSR bitmap for one that lets through:
 *  - reads of the registers the CPU virtualizes (the SDM's list), except
 *    the timer's current count, which only the model can compute;
 *  - writes of TPR (0x808), EOI (0x80B) and SELF IPI (0x83F).
 * Everything else in 0x800-0x8FF still exits to the trapped-MSR path.
 * In x2APIC mode the page's ID and LDR hold the x2APIC values, which a
 * virtualized read returns as they are. A CPU without the control keeps
 * the trapped MSRs for everything.
 *
 * Guest-physical 0xFEE00000 still maps to the APIC-access page; with
 * "virtualize APIC accesses" off, a guest that writes it in x2APIC mode
 * writes that page of its own, which nothing reads.
 */
#include "arch/x86/apicv.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_ops.h"
#include "lib/log.h"
#include "lib/string.h"
#include "vmm/irq.h"
#include "vmm/msr.h"
#include "vmm/vdev/lapic.h"
#include "vmm/vm.h"

/* The MSRs whose RDMSR the CPU serves from the virtual-APIC page. */
static const struct {
	uint16_t first, last;
} read_virtualized[] = {
	{ 0x802, 0x803 }, /* ID, version */
	{ 0x808, 0x808 }, /* TPR */
	{ 0x80a, 0x80a }, /* PPR */
	{ 0x80d, 0x80d }, /* LDR */
	{ 0x80f, 0x80f }, /* SVR */
	{ 0x810, 0x827 }, /* ISR, TMR, IRR */
	{ 0x828, 0x828 }, /* ESR */
	{ 0x82f, 0x82f }, /* LVT CMCI */
	{ 0x830, 0x830 }, /* ICR */
	{ 0x832, 0x837 }, /* LVT timer ... error */
	{ 0x838, 0x838 }, /* initial count (not 0x839, the current one) */
	{ 0x83e, 0x83e }, /* divide configuration */
};
static const uint16_t write_virtualized[] = { 0x808, 0x80b, 0x83f };

/* MSR bitmap (SDM Vol. 3C, "MSR-Bitmap Address"): read bits for MSRs
 * 0-0x1FFF at offset 0, write bits at 0x800. */
static void pass(uint8_t *bitmap, unsigned offset, uint32_t msr)
{
	bitmap[offset + msr / 8] &= (uint8_t)~(1u << (msr % 8));
}

bool apicv_x2apic_offered(const struct vmx_caps *c)
{
	return (c->procbased2 >> 32) & SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE;
}

int apicv_x2apic_setup(struct vcpu *v, struct page_allocator *pa)
{
	uint8_t *bitmap;

	v->x2apic_msr_bitmap = 0;
	if (!v->apicv || !apicv_x2apic_offered(&vmx_cpu.caps))
		return 0;
	v->x2apic_msr_bitmap = page_alloc_page(pa);
	if (!v->x2apic_msr_bitmap) {
		log_err("apic", "guest \"%s\": out of memory for an MSR bitmap", v->vm->name);
		return -1;
	}
	bitmap = (uint8_t *)(uintptr_t)v->x2apic_msr_bitmap;
	msr_build_bitmap(bitmap);
	for (unsigned i = 0; i < sizeof(read_virtualized) / sizeof(read_virtualized[0]); i++)
		for (uint32_t m = read_virtualized[i].first; m <= read_virtualized[i].last; m++)
			pass(bitmap, 0, m);
	for (unsigned i = 0; i < sizeof(write_virtualized) / sizeof(write_virtualized[0]); i++)
		pass(bitmap, 0x800, write_virtualized[i]);
	return 0;
}

void apicv_x2apic_destroy(struct vcpu *v, struct page_allocator *pa)
{
	if (v->x2apic_msr_bitmap)
		page_free_contig(pa, v->x2apic_msr_bitmap, 1);
	v->x2apic_msr_bitmap = 0;
}

bool apicv_x2apic_mode_changed(struct vcpu *v)
{
	struct lapic *l = vcpu_lapic(v);
	bool x2 = l && lapic_x2apic_mode(l);

	if (!v->apicv || !v->x2apic_msr_bitmap)
		return false; /* trapped MSRs, nothing to switch */
	if (x2) {
		lapic_x2apic_page_ids(l);
		v->proc2_ctls = (v->proc2_ctls & ~SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES) |
				SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE;
		vmwrite(MSR_BITMAP, v->x2apic_msr_bitmap);
	} else {
		v->proc2_ctls = (v->proc2_ctls & ~SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE) |
				SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES;
		vmwrite(MSR_BITMAP, vmx_cpu.msr_bitmap);
	}
	vmwrite(SECONDARY_VM_EXEC_CONTROL, v->proc2_ctls);
	return x2;
}
