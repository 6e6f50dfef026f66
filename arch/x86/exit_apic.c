/* SPDX-License-Identifier: MIT */
/*
 * The exits VMX APIC virtualization brings (arch/x86/apicv.c; Intel SDM
 * Vol. 3C, "APIC Virtualization and Virtual Interrupts" and 28.2.1):
 *
 *   APIC access (44)     fault-like: an access the CPU does not virtualize,
 *                        such as a read of the timer's current count or of
 *                        PPR. Emulated through the MMIO decoder, as a
 *                        trapped access is.
 *   APIC write (56)      trap-like: the CPU has stored the guest's write in
 *                        the virtual-APIC page and moved RIP past it; the
 *                        model applies it (timer, ICR, LVT, SVR...).
 *   virtualized EOI (45) trap-like: the EOI of a vector in the EOI-exit
 *                        bitmap, already retired in the page; the model
 *                        tells the I/O APIC.
 *
 * Each may change IRR or ISR, so each asks for entry work: RVI and SVI are
 * brought up to date before the guest runs again (apicv_sync).
 */
#include "arch/x86/exit.h"
#include "arch/x86/exit_qual.h"
#include "arch/x86/vmx_ops.h"
#include "vmm/irq.h"
#include "vmm/vdev/lapic.h"
#include "vmm/vm.h"

enum exit_result exit_apic_access(struct vcpu *v)
{
	struct apic_access_qual q =
		apic_access_qual_decode(vmread(EXIT_QUALIFICATION));
	uint64_t gpa = LAPIC_BASE + q.offset;
	const struct mmio_range *r = mmio_find(&v->vm->mmio, gpa);

	exit_note_idt_vectoring(v);
	if (!r || v->reinject_info ||
	    (q.type != APIC_ACCESS_LINEAR_READ &&
	     q.type != APIC_ACCESS_LINEAR_WRITE)) {
		/* An instruction fetch, a page walk or an event delivery
		 * through the APIC page: nothing a kernel does on purpose. */
		vm_stop(v->vm, VM_STOP_CRASH,
			"APIC access of type %u (not a read or write by an instruction) at offset 0x%x, RIP 0x%lx",
			q.type, q.offset, (unsigned long)vmread(GUEST_RIP));
		return EXIT_STOP;
	}
	v->entry_work = 1;
	return exit_mmio_emulate(v, r, gpa);
}

/* Both exits come only with APIC virtualization, which only a guest with
 * a local APIC model gets (arch/x86/apicv.c); one without it means the
 * VMCS is not what Shale set up, and only that guest stops. */
static bool no_lapic(struct vcpu *v, const char *what)
{
	if (vcpu_lapic(v))
		return false;
	vm_stop(v->vm, VM_STOP_CRASH, "%s exit for a guest without a local APIC", what);
	return true;
}

enum exit_result exit_apic_write(struct vcpu *v)
{
	if (no_lapic(v, "APIC-write"))
		return EXIT_STOP;
	lapic_apic_write(vcpu_lapic(v), vmread(EXIT_QUALIFICATION) & 0xfff);
	v->entry_work = 1;
	return EXIT_RESUME;
}

enum exit_result exit_virtualized_eoi(struct vcpu *v)
{
	if (no_lapic(v, "virtualized-EOI"))
		return EXIT_STOP;
	lapic_virtual_eoi(vcpu_lapic(v), vmread(EXIT_QUALIFICATION) & 0xff);
	v->entry_work = 1;
	return EXIT_RESUME;
}
