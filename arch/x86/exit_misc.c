/* SPDX-License-Identifier: MIT */
/*
 * The small exits: HLT, VMCALL, CPUID, RDMSR/WRMSR, triple fault, INIT and
 * SIPI, external interrupts and NMIs, the interrupt window, the
 * VMX-preemption timer, VMX instructions in the guest, INVD/WBINVD,
 * RDPMC, and the instructions Shale reports as absent (#UD).
 */
#include "arch/x86/exit.h"
#include "arch/x86/host_nmi.h"
#include "arch/x86/mce.h"
#include "arch/x86/include/cpu.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_ops.h"
#include "arch/x86/smp.h"
#include "drivers/lapic.h"
#include "lib/log.h"
#include "vmm/cpuid.h"
#include "vmm/hypercall.h"
#include "vmm/irq.h"
#include "vmm/msr.h"
#include "vmm/vm.h"
#include "vmm/vmm.h"

enum exit_result exit_cpuid(struct vcpu *v)
{
	cpuid_emulate(v);
	vmx_skip_instruction();
	return EXIT_RESUME;
}

enum exit_result exit_msr_read(struct vcpu *v)
{
	uint64_t val;

	if (msr_read(v, v->regs.gpr[GPR_RCX], &val)) {
		vcpu_inject_exception(v, X86_EXC_GP, true, 0);
		return EXIT_RESUME;
	}
	v->regs.gpr[GPR_RAX] = (uint32_t)val;
	v->regs.gpr[GPR_RDX] = val >> 32;
	vmx_skip_instruction();
	return EXIT_RESUME;
}

enum exit_result exit_msr_write(struct vcpu *v)
{
	uint64_t val = (v->regs.gpr[GPR_RDX] << 32) | (uint32_t)v->regs.gpr[GPR_RAX];

	if (msr_write(v, v->regs.gpr[GPR_RCX], val)) {
		vcpu_inject_exception(v, X86_EXC_GP, true, 0);
		return EXIT_RESUME;
	}
	vmx_skip_instruction();
	return EXIT_RESUME;
}

enum exit_result exit_hlt(struct vcpu *v)
{
	uint64_t rip = vmread(GUEST_RIP);

	/* With RFLAGS.IF = 0 only an NMI, SMI, INIT or reset ends HLT (SDM
	 * Vol. 2A, HLT): an interrupt that waits, or comes later, must not.
	 * STI; HLT has IF = 1 here (STI blocking only delays the interrupt
	 * past the HLT). */
	v->halt_masked = !(vmread(GUEST_RFLAGS) & RFLAGS_IF);
	vmx_skip_instruction();
	if (vcpu_irq_wakeup(v)) {
		v->entry_work = 1; /* RVI may have to catch up; an NMI waits */
		return EXIT_RESUME;
	}
	if (v->halt_masked && !vcpu_nmi_may_come(v)) {
		/* Nothing but an NMI could wake it, and none can come: the
		 * guest means to stop. */
		vm_stop(v->vm, VM_STOP_HALTED,
			"halted with interrupts disabled at RIP 0x%lx",
			(unsigned long)rip);
		return EXIT_STOP;
	}
	v->state = VCPU_HALTED;
	return EXIT_YIELD;
}

/* Virtual-NMI blocking has ended (the guest's IRET; SDM Vol. 3C,
 * "NMI-Window Exiting"):
 * the next entry injects the NMI that waited. */
enum exit_result exit_nmi_window(struct vcpu *v)
{
	v->proc_ctls &= ~CPU_BASED_NMI_WINDOW_EXITING;
	vmwrite(CPU_BASED_VM_EXEC_CONTROL, v->proc_ctls);
	v->entry_work = 1;
	return EXIT_RESUME;
}

enum exit_result exit_vmcall(struct vcpu *v)
{
	if (vcpu_cpl(v) != 0) {
		v->regs.gpr[GPR_RAX] = (uint64_t)-1; /* -EPERM */
		vmx_skip_instruction();
		return EXIT_RESUME;
	}
	vmx_skip_instruction();
	return hypercall_handle(v) ? EXIT_STOP : EXIT_RESUME;
}

enum exit_result exit_triple_fault(struct vcpu *v)
{
	exit_note_idt_vectoring(v);
	exit_dump_guest(v, "triple fault");
	vm_stop(v->vm, VM_STOP_CRASH, "triple fault at RIP 0x%lx",
		(unsigned long)vmread(GUEST_RIP));
	return EXIT_STOP;
}

/* INIT puts the vCPU in wait-for-SIPI, as on a real application processor
 * (SDM Vol. 3A, 10.4.7.3); the SIPI that follows starts it in real mode at
 * vector << 12. */
enum exit_result exit_init_signal(struct vcpu *v)
{
	if (!(vmx_cpu.caps.misc & VMX_MISC_ACTIVITY_WAIT_SIPI)) {
		vm_stop(v->vm, VM_STOP_CRASH,
			"INIT received, and this CPU cannot hold a guest in wait-for-SIPI");
		return EXIT_STOP;
	}
	/* The processor itself waits for the SIPI in this activity state,
	 * and exits when it comes. */
	v->state = VCPU_WAIT_SIPI;
	vmwrite(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_WAIT_SIPI);
	return EXIT_RESUME;
}

enum exit_result exit_sipi(struct vcpu *v)
{
	uint8_t vector = vmread(EXIT_QUALIFICATION) & 0xff;

	vmwrite(GUEST_CS_SELECTOR, (uint16_t)vector << 8);
	vmwrite(GUEST_CS_BASE, (uint64_t)vector << 12);
	vmwrite(GUEST_RIP, 0);
	vmwrite(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	v->state = VCPU_RUNNABLE;
	return EXIT_RESUME;
}

/* A host interrupt arrived while the guest ran. It was acknowledged on
 * exit; Shale owns no device that interrupts, so it only ends it. */
enum exit_result exit_external_interrupt(struct vcpu *v)
{
	exit_note_idt_vectoring(v);
	host_apic_eoi();
	/* Another CPU's kick (sched_kick): back to this CPU's scheduler. */
	return sched_should_yield() ? EXIT_YIELD : EXIT_RESUME;
}

enum exit_result exit_exception_nmi(struct vcpu *v)
{
	uint32_t info = vmread(VM_EXIT_INTR_INFO);

	exit_note_idt_vectoring(v);
	if ((info & INTR_INFO_TYPE_MASK) == INTR_TYPE_NMI) {
		if (smp_stop_requested()) /* another CPU's panic */
			smp_stop_self(vmread(GUEST_RIP), true);
		/* The host's, not the guest's: counted, and the guest goes on. */
		v->host_nmis++;
		host_nmi_in_guest();
		return EXIT_RESUME;
	}
	if ((info & INTR_INFO_VECTOR_MASK) == X86_EXC_BP ||
	    (info & INTR_INFO_VECTOR_MASK) == X86_EXC_DB)
		return exit_debug_exception(v, info); /* a debugger's traps */
	/* The machine's, never the guest's (EXCEPTION_BITMAP_ALWAYS). */
	if ((info & INTR_INFO_VECTOR_MASK) == X86_EXC_MC)
		return mce_in_guest(v) ? EXIT_RESUME : EXIT_STOP;
	/* Shale intercepts no other exception; if one comes, give it back. */
	vcpu_inject_exception(v, info & INTR_INFO_VECTOR_MASK,
			      info & INTR_INFO_DELIVER_CODE,
			      vmread(VM_EXIT_INTR_ERROR_CODE));
	return EXIT_RESUME;
}

enum exit_result exit_interrupt_window(struct vcpu *v)
{
	v->proc_ctls &= ~CPU_BASED_INTR_WINDOW_EXITING;
	vmwrite(CPU_BASED_VM_EXEC_CONTROL, v->proc_ctls);
	return EXIT_RESUME;
}

enum exit_result exit_preemption_timer(struct vcpu *v)
{
	/* The next entry fires whatever is due, or ends the slice. */
	exit_note_idt_vectoring(v);
	v->entry_work = 1;
	return EXIT_RESUME;
}

/* The guest sees a processor without VMX (CPUID.1:ECX.VMX = 0), where
 * these instructions raise #UD. */
enum exit_result exit_vmx_instruction(struct vcpu *v)
{
	vcpu_inject_exception(v, X86_EXC_UD, false, 0);
	return EXIT_RESUME;
}

enum exit_result exit_undefined(struct vcpu *v)
{
	vcpu_inject_exception(v, X86_EXC_UD, false, 0);
	return EXIT_RESUME;
}

/* RDPMC (the exit needs "RDPMC exiting", arch/x86/vmcs.c): the guest
 * sees no performance monitoring (CPUID leaf 0xA reads 0, vmm/cpuid.c),
 * and on such a processor every counter number is invalid: #GP(0) (SDM
 * Vol. 2B, RDPMC). Without the exit the guest would read the host's
 * counters, which count for Shale and every other guest. */
enum exit_result exit_rdpmc(struct vcpu *v)
{
	vcpu_inject_exception(v, X86_EXC_GP, true, 0);
	return EXIT_RESUME;
}

/* INVD and WBINVD: a no-op. Guest memory is write-back and coherent, and
 * no device of a guest does DMA past the caches, so a guest has nothing
 * to flush; done for real, either would flush (INVD: drop) the caches
 * under Shale and every other guest, at a cost the guest chooses, as
 * often as it likes. KVM does the same for guests without assigned
 * devices. */
enum exit_result exit_invd_wbinvd(struct vcpu *v)
{
	(void)v;
	vmx_skip_instruction();
	return EXIT_RESUME;
}
