/* SPDX-License-Identifier: MIT */
/*
 * VMX APIC virtualization (Intel SDM Vol. 3C, chapter "APIC Virtualization
 * and Virtual Interrupts") for the local APIC of a mode = linux guest.
 *
 * Shale uses it all or not at all: "use TPR shadow", "virtualize APIC
 * accesses", "APIC-register virtualization" and "virtual-interrupt
 * delivery" together. Then
 *  - the register page of the LAPIC model (vmm/vdev/lapic.c) is the
 *    virtual-APIC page: one copy of the state, for the CPU and the model;
 *  - guest-physical 0xFEE00000 maps, in the EPT, to this guest's
 *    APIC-access page, so the CPU sees the guest's APIC accesses and serves
 *    most of them from the virtual-APIC page without an exit: register
 *    reads, TPR writes, EOIs of edge-triggered vectors, self-IPIs;
 *  - other writes come back as APIC-write exits after the fact, reads of
 *    the registers the CPU does not virtualize (current count, PPR) as
 *    APIC-access exits, EOIs of level-triggered vectors as virtualized-EOI
 *    exits (arch/x86/exit_apic.c);
 *  - the APIC's interrupts are not injected: the model sets a bit in the
 *    page's IRR, the entry sets RVI, and the CPU delivers the vector when
 *    the guest can take it, with no interrupt-window exit.
 * Where any control is missing the LAPIC stays emulated by trapping its
 * page (EPT violations through the MMIO decoder), as before.
 */
#include "arch/x86/apicv.h"
#include "arch/x86/ept.h"
#include "arch/x86/include/cpu.h"
#include "arch/x86/vmx_ops.h"
#include "lib/log.h"
#include "lib/string.h"
#include "vmm/irq.h"
#include "vmm/pc.h"
#include "vmm/vm.h"

#define SRC "apic"

static bool may_set(uint64_t cap, uint32_t bits)
{
	return ((cap >> 32) & bits) == bits;
}

/* The SDM name of the first control this CPU lacks, or NULL. */
static const char *missing_control(const struct vmx_caps *c)
{
	static const struct {
		uint32_t bit;
		bool secondary;
		const char *name;
	} need[] = {
		{ CPU_BASED_TPR_SHADOW, false, "use TPR shadow" },
		{ SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES, true,
		  "virtualize APIC accesses" },
		{ SECONDARY_EXEC_APIC_REGISTER_VIRT, true,
		  "APIC-register virtualization" },
		{ SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY, true,
		  "virtual-interrupt delivery" },
	};

	for (unsigned i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!may_set(need[i].secondary ? c->procbased2 : c->procbased,
			     need[i].bit))
			return need[i].name;
	/* Virtual-interrupt delivery needs external-interrupt exiting. */
	if (!may_set(c->pinbased, PIN_BASED_EXT_INTR_EXITING))
		return "external-interrupt exiting";
	return NULL;
}

bool apicv_choose(struct vcpu *v, const struct vmx_caps *c)
{
	struct vm *vm = v->vm;
	const char *missing = missing_control(c);

	v->apicv = false;
	if (!vm->pc)
		return false;
	v->apicv = vm->cfg->apicv && !missing;
	if (v->id > 0)
		return v->apicv; /* said once, for vCPU 0 */
	if (!vm->cfg->apicv)
		log_info(SRC, "guest \"%s\": local APIC emulated by trapping its page (apicv = off)",
			 vm->name);
	else if (missing)
		log_info(SRC, "guest \"%s\": local APIC emulated by trapping its page (this CPU lacks the VMX control \"%s\")",
			 vm->name, missing);
	else {
		log_info(SRC, "guest \"%s\": local APIC virtualized by VMX (APIC-register virtualization, virtual-interrupt delivery)",
			 vm->name);
	}
	return v->apicv;
}

int apicv_setup(struct vcpu *v, struct page_allocator *pa)
{
	struct vm *vm = v->vm;
	uint64_t vapic = vm->pc->lapic_page[v->id];

	if (!v->apicv)
		return 0;
	/* One APIC-access page for the guest: the EPT maps 0xFEE00000 to
	 * one host page, which every vCPU's APIC-access address must name
	 * for its accesses to be virtualized (SDM Vol. 3C, 30.4). */
	if (v->id > 0 && vm->vcpu[0].apic_access_hpa) {
		v->apic_access_hpa = vm->vcpu[0].apic_access_hpa;
		goto pages;
	}
	v->apic_access_hpa = page_alloc_page(pa);
	if (!v->apic_access_hpa) {
		log_err(SRC, "guest \"%s\": out of memory for its APIC-access page",
			vm->name);
		return -1;
	}
	/* Its content is never read or written while the control is on;
	 * zeroed anyway, and this guest's own, so nothing can leak. */
	memset((void *)v->apic_access_hpa, 0, PAGE_SIZE);
	if (ept_map(&vm->ept, LAPIC_BASE, v->apic_access_hpa, PAGE_SIZE,
		    EPT_READ | EPT_WRITE, EPT_MT_UC)) {
		log_err(SRC, "guest \"%s\": out of memory for its EPT", vm->name);
		return -1;
	}
pages:
	vmwrite(VIRTUAL_APIC_PAGE_ADDR, vapic);
	vmwrite(APIC_ACCESS_ADDR, v->apic_access_hpa);
	/* Not used with virtual-interrupt delivery (TPR writes then
	 * re-evaluate pending virtual interrupts instead). */
	vmwrite(TPR_THRESHOLD, 0);
	for (unsigned i = 0; i < 4; i++) {
		v->eoi_exit[i] = 0;
		vmwrite(EOI_EXIT_BITMAP0 + 2 * i, 0);
	}
	vmwrite(GUEST_INTR_STATUS, 0);
	apicv_sync(v);
	return apicv_x2apic_setup(v, pa);
}

void apicv_destroy(struct vcpu *v, struct page_allocator *pa)
{
	/* The EPT entry goes with the EPT. */
	if (v->apic_access_hpa && v->id == 0) /* the others share vCPU 0's */
		page_free_contig(pa, v->apic_access_hpa, 1);
	v->apic_access_hpa = 0;
	apicv_x2apic_destroy(v, pa);
	v->apicv = false;
}

void apicv_sync(struct vcpu *v)
{
	const struct lapic *l = vcpu_lapic(v);
	uint16_t status = lapic_intr_status(l);
	uint64_t bits[4];

	if (vmread(GUEST_INTR_STATUS) != status)
		vmwrite(GUEST_INTR_STATUS, status);
	lapic_eoi_exit_bitmap(l, bits);
	for (unsigned i = 0; i < 4; i++) {
		if (bits[i] == v->eoi_exit[i])
			continue;
		v->eoi_exit[i] = bits[i];
		vmwrite(EOI_EXIT_BITMAP0 + 2 * i, bits[i]);
	}
}
