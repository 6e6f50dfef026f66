/* SPDX-License-Identifier: MIT */
/*
 * Host NMIs: a watchdog, the BMC, a performance counter or another CPU
 * may send one at any time, in root mode or while a guest runs.
 *
 *  - In a guest, "NMI exiting" (arch/x86/vmcs.c) turns it into a VM exit
 *    (reason 0, NMI type): exit_exception_nmi() counts it for the vCPU
 *    and its CPU, and the guest goes on. After an NMI-caused VM exit the
 *    CPU blocks NMIs until the next IRET, as if the NMI had been
 *    delivered through the IDT (Intel SDM Vol. 3C, chapter "VM Exits"),
 *    and root mode may not execute one for a long time (an AP with
 *    nothing to run sleeps until a kick): so the exit handler unblocks
 *    them at once with an IRET to the next instruction, as a host NMI
 *    handler's own IRET would have.
 *  - In root mode, the IDT's NMI gate (arch/x86/idt.c) counts it; it
 *    runs on its own stack and may interrupt anything, the log included,
 *    so it logs nothing itself: the CPU's scheduler reports it later, in
 *    normal context (host_nmi_report()).
 *
 * The shell's `nmi CPU` sends one, to check all of this on a machine.
 */
#include "arch/x86/host.h"
#include "arch/x86/host_nmi.h"
#include "arch/x86/percpu.h"
#include "arch/x86/smp.h"
#include "drivers/lapic.h"
#include "lib/log.h"

void host_nmi_unblock(void)
{
	uint64_t rip, rsp;

	/* IRETQ pops RIP, CS, RFLAGS, RSP, SS: a frame that returns to
	 * label 1 with this stack, and ends NMI blocking on the way. */
	asm volatile("mov %%rsp, %[rsp]\n\t"
		     "lea 1f(%%rip), %[rip]\n\t"
		     "pushq %[ss]\n\t"
		     "pushq %[rsp]\n\t"
		     "pushfq\n\t"
		     "pushq %[cs]\n\t"
		     "pushq %[rip]\n\t"
		     "iretq\n"
		     "1:"
		     : [rip] "=&r"(rip), [rsp] "=&r"(rsp)
		     : [ss] "i"(HOST_DS), [cs] "i"(HOST_CS)
		     : "memory");
}

void host_nmi_in_root(uint64_t rip)
{
	struct percpu *c = this_cpu();

	c->nmi_rip = rip;
	c->nmis_root++;
}

void host_nmi_in_guest(void)
{
	this_cpu()->nmis_guest++;
	host_nmi_unblock();
}

/* The first NMIs one by one, then at each power of two: a watchdog that
 * fires every second must not fill the log. */
static bool worth_a_line(uint64_t n)
{
	return n <= 4 || !(n & (n - 1));
}

void host_nmi_report(void)
{
	struct percpu *c = this_cpu();
	uint64_t root = c->nmis_root, guest = c->nmis_guest;

	if (root + guest == c->nmis_reported)
		return;
	c->nmis_reported = root + guest;
	if (!worth_a_line(root + guest))
		return;
	if (root)
		log_warn("cpu", "CPU %u: %lu host NMIs so far, %lu of them while a guest ran, "
			 "the last in the hypervisor at RIP 0x%lx; Shale goes on",
			 c->index, (unsigned long)(root + guest), (unsigned long)guest,
			 (unsigned long)c->nmi_rip);
	else
		log_warn("cpu", "CPU %u: %lu host NMIs so far, %lu of them while a guest ran; "
			 "Shale goes on", c->index, (unsigned long)(root + guest),
			 (unsigned long)guest);
}

int host_nmi_send(unsigned cpu)
{
	if (cpu >= smp_n_cpus || smp_cpus[cpu]->state == CPU_LEFT_OUT ||
	    smp_cpus[cpu]->state == CPU_FAILED)
		return -1;
	return host_apic_send_ipi(smp_cpus[cpu]->apic_id, ICR_NMI) ? 0 : -1;
}
