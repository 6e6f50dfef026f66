/* SPDX-License-Identifier: MIT */
/*
 * The VM exit dispatch: a table indexed by basic exit reason (Intel SDM
 * Vol. 3C, Appendix C). The return convention is in exit.h. An exit whose
 * slot is empty is unexpected: the guest is dumped and stopped.
 */
#include "arch/x86/apicv.h"
#include "arch/x86/exit.h"
#include "arch/x86/include/cpu.h"
#include "arch/x86/mce.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_ops.h"
#include "lib/log.h"
#include "vmm/irq.h"
#include "vmm/platform.h"
#include "vmm/vm.h"

static const exit_handler_fn exit_handlers[EXIT_REASON_MAX] = {
	[EXIT_REASON_EXCEPTION_NMI] = exit_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT] = exit_external_interrupt,
	[EXIT_REASON_TRIPLE_FAULT] = exit_triple_fault,
	[EXIT_REASON_INIT_SIGNAL] = exit_init_signal,
	[EXIT_REASON_SIPI] = exit_sipi,
	[EXIT_REASON_INTERRUPT_WINDOW] = exit_interrupt_window,
	[EXIT_REASON_NMI_WINDOW] = exit_nmi_window,
	[EXIT_REASON_CPUID] = exit_cpuid,
	[EXIT_REASON_GETSEC] = exit_undefined,
	[EXIT_REASON_HLT] = exit_hlt,
	[EXIT_REASON_INVD] = exit_invd_wbinvd,
	[EXIT_REASON_RDPMC] = exit_rdpmc,
	[EXIT_REASON_VMCALL] = exit_vmcall,
	[EXIT_REASON_VMCLEAR] = exit_vmx_instruction,
	[EXIT_REASON_VMLAUNCH] = exit_vmx_instruction,
	[EXIT_REASON_VMPTRLD] = exit_vmx_instruction,
	[EXIT_REASON_VMPTRST] = exit_vmx_instruction,
	[EXIT_REASON_VMREAD] = exit_vmx_instruction,
	[EXIT_REASON_VMRESUME] = exit_vmx_instruction,
	[EXIT_REASON_VMWRITE] = exit_vmx_instruction,
	[EXIT_REASON_VMXOFF] = exit_vmx_instruction,
	[EXIT_REASON_VMXON] = exit_vmx_instruction,
	[EXIT_REASON_CR_ACCESS] = exit_cr_access,
	[EXIT_REASON_DR_ACCESS] = exit_dr_access,
	[EXIT_REASON_IO_INSTRUCTION] = exit_io,
	[EXIT_REASON_MSR_READ] = exit_msr_read,
	[EXIT_REASON_MSR_WRITE] = exit_msr_write,
	[EXIT_REASON_MWAIT_INSTRUCTION] = exit_undefined,
	[EXIT_REASON_MONITOR_INSTRUCTION] = exit_undefined,
	[EXIT_REASON_EPT_VIOLATION] = exit_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG] = exit_ept_misconfig,
	[EXIT_REASON_INVEPT] = exit_vmx_instruction,
	[EXIT_REASON_PREEMPTION_TIMER] = exit_preemption_timer,
	[EXIT_REASON_INVVPID] = exit_vmx_instruction,
	[EXIT_REASON_WBINVD] = exit_invd_wbinvd,
	[EXIT_REASON_XSETBV] = exit_xsetbv,
	[EXIT_REASON_APIC_ACCESS] = exit_apic_access,
	[EXIT_REASON_EOI_INDUCED] = exit_virtualized_eoi,
	[EXIT_REASON_APIC_WRITE] = exit_apic_write,
	[EXIT_REASON_VMFUNC] = exit_vmx_instruction,
};

static const char *const reason_names[EXIT_REASON_MAX] = {
	"exception or NMI", "external interrupt", "triple fault",
	"INIT signal", "SIPI", "I/O SMI", "other SMI", "interrupt window",
	"NMI window", "task switch", "CPUID", "GETSEC", "HLT", "INVD",
	"INVLPG", "RDPMC", "RDTSC", "RSM", "VMCALL", "VMCLEAR", "VMLAUNCH",
	"VMPTRLD", "VMPTRST", "VMREAD", "VMRESUME", "VMWRITE", "VMXOFF",
	"VMXON", "control-register access", "MOV DR", "I/O instruction",
	"RDMSR", "WRMSR", "VM-entry failure: invalid guest state",
	"VM-entry failure: MSR loading", "reserved 35", "MWAIT",
	"monitor trap flag", "reserved 38", "MONITOR", "PAUSE",
	"VM-entry failure: machine-check event", "reserved 42",
	"TPR below threshold", "APIC access", "virtualized EOI",
	"access to GDTR or IDTR", "access to LDTR or TR", "EPT violation",
	"EPT misconfiguration", "INVEPT", "RDTSCP",
	"VMX-preemption timer expired", "INVVPID", "WBINVD", "XSETBV",
	"APIC write", "RDRAND", "INVPCID", "VMFUNC", "ENCLS", "RDSEED",
	"page-modification log full", "XSAVES", "XRSTORS", "reserved 65",
	"SPP-related event", "UMWAIT", "TPAUSE", "LOADIWKEY",
};

const char *exit_reason_name(unsigned reason)
{
	return reason < EXIT_REASON_MAX ? reason_names[reason] : "unknown";
}

static enum exit_result exit_unexpected(struct vcpu *v, unsigned reason)
{
	exit_note_idt_vectoring(v);
	exit_dump_guest(v, "unexpected VM exit");
	vm_stop(v->vm, VM_STOP_CRASH, "unexpected VM exit %u (%s) at RIP 0x%lx",
		reason, exit_reason_name(reason),
		(unsigned long)vmread(GUEST_RIP));
	return EXIT_STOP;
}

/* SDM Vol. 3C, 27.2.1.3 (event injection): with "unrestricted guest" and
 * CR0.PE = 0 in the guest-state area, "deliver error code" must be 0, or
 * the VM entry fails; a real-mode exception pushes no error code (Vol. 3A,
 * "Interrupt and Exception Handling" in real-address mode). Checked here, where every injected exception passes, so that no
 * handler that raises #GP(0) needs to know the guest's mode. */
static uint32_t entry_exception_info(uint32_t info)
{
	if ((info & INTR_INFO_DELIVER_CODE) && !(vmread(GUEST_CR0) & CR0_PE))
		info &= ~INTR_INFO_DELIVER_CODE;
	return info;
}

static void set_exec_control(struct vcpu *v, uint32_t bit, bool on)
{
	if (!!(v->proc_ctls & bit) == on)
		return;
	v->proc_ctls = on ? v->proc_ctls | bit : v->proc_ctls & ~bit;
	vmwrite(CPU_BASED_VM_EXEC_CONTROL, v->proc_ctls);
}

/* An NMI from the local APIC (LINT1, an NMI IPI). It waits while NMIs are
 * blocked: by the last NMI until its IRET (virtual-NMI blocking, or with
 * no "virtual NMIs" the CPU's own blocking after an injected NMI; the
 * guest-interruptibility state shows either: Vol. 3C, 25.4.2), and by
 * MOV SS or STI (an entry that injects an NMI with MOV-SS blocking fails,
 * some CPUs require no STI blocking either: 27.3.1.5), and behind a
 * pending single-step trap (trap). Returns true when it injected one. */
static bool deliver_nmi(struct vcpu *v, bool trap)
{
	uint32_t blocked;

	if (!vcpu_nmi_pending(v))
		return false;
	blocked = vmread(GUEST_INTERRUPTIBILITY_INFO) &
		  (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS |
		   GUEST_INTR_STATE_NMI);
	if (!blocked && !trap) {
		vmwrite(VM_ENTRY_INTR_INFO_FIELD,
			X86_EXC_NMI | INTR_TYPE_NMI | INTR_INFO_VALID);
		v->nmi_pending = false;
		set_exec_control(v, CPU_BASED_NMI_WINDOW_EXITING, false);
		return true;
	}
	/* NMI-window exiting needs "virtual NMIs" (27.2.1.1); its exit
	 * comes when virtual-NMI blocking ends, at the guest's IRET. Without it
	 * the NMI stays pending, and entry_work with it: every entry looks
	 * again, the preemption timer bounding the wait. */
	if (v->pin_ctls & PIN_BASED_VIRTUAL_NMIS)
		set_exec_control(v, CPU_BASED_NMI_WINDOW_EXITING, true);
	return false;
}

/* Events for this entry, in the order the SDM's event priorities need:
 * an event whose delivery an exit interrupted first (27.2.4: it must be
 * re-injected), then an exception, then an NMI, then an external interrupt
 * when the guest can take it, else ask for an exit as soon as it can.
 * Under APIC virtualization the local APIC's vectors are not among these:
 * RVI tells the CPU, which delivers them itself. */
static void deliver_events(struct vcpu *v)
{
	bool trap;

	vcpu_take_posted(v);
	if (v->apicv)
		apicv_sync(v);
	if (v->reinject_info) {
		uint32_t info = v->reinject_info & ~INTR_INFO_NMI_UNBLOCKED_BY_IRET;
		uint32_t type = info & INTR_INFO_TYPE_MASK;

		if (type == INTR_TYPE_HARD_EXCEPTION)
			info = entry_exception_info(info);
		/* An NMI whose delivery an exit interrupted is not yet
		 * delivered: the blocking it would cause must not be in the
		 * guest state, or the entry that delivers it fails (SDM Vol.
		 * 3C, 27.3.1.5: no NMI injection with blocking by NMI). */
		if (type == INTR_TYPE_NMI)
			vmwrite(GUEST_INTERRUPTIBILITY_INFO,
				vmread(GUEST_INTERRUPTIBILITY_INFO) & ~GUEST_INTR_STATE_NMI);
		vmwrite(VM_ENTRY_INTR_INFO_FIELD, info);
		if (info & INTR_INFO_DELIVER_CODE)
			vmwrite(VM_ENTRY_EXCEPTION_ERROR_CODE, v->reinject_error);
		if (type == INTR_TYPE_SOFT_INTR ||
		    type == INTR_TYPE_PRIV_SW_EXCEPTION ||
		    type == INTR_TYPE_SOFT_EXCEPTION)
			vmwrite(VM_ENTRY_INSTRUCTION_LEN, v->reinject_len);
		v->reinject_info = 0;
		return;
	}
	if (v->exc_pending) {
		uint32_t info = v->exc_vector | INTR_TYPE_HARD_EXCEPTION |
				INTR_INFO_VALID;

		if (v->exc_has_error)
			info = entry_exception_info(info | INTR_INFO_DELIVER_CODE);
		if (info & INTR_INFO_DELIVER_CODE)
			vmwrite(VM_ENTRY_EXCEPTION_ERROR_CODE, v->exc_error);
		vmwrite(VM_ENTRY_INTR_INFO_FIELD, info);
		v->exc_pending = false;
		return;
	}
	if (v->dbg.step)
		return; /* a debugger's single step waits with events */
	/* A single-step trap pending after the last instruction comes before
	 * an NMI or an interrupt, and an entry that injects one of them
	 * loses it (SDM Vol. 3C, 27.7.3): they wait for their window, which
	 * opens after the #DB's delivery. */
	trap = vmread(GUEST_PENDING_DBG_EXCEPTIONS) & PENDING_DBG_BS;
	if (deliver_nmi(v, trap))
		return;
	if (!vcpu_irq_pending(v))
		return;
	if (!trap && (vmread(GUEST_RFLAGS) & RFLAGS_IF) &&
	    !(vmread(GUEST_INTERRUPTIBILITY_INFO) &
	      (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))) {
		int vector = vcpu_irq_take(v);

		if (vector >= 0)
			vmwrite(VM_ENTRY_INTR_INFO_FIELD,
				vector | INTR_TYPE_EXT_INTR | INTR_INFO_VALID);
		set_exec_control(v, CPU_BASED_INTR_WINDOW_EXITING, false);
	} else {
		set_exec_control(v, CPU_BASED_INTR_WINDOW_EXITING, true);
	}
}

/* Before an entry with work to do: fire the VM's due timers, end the
 * time slice if it is over, and point the VMX-preemption timer at the
 * next deadline. Returns false when the vCPU must give the CPU up. */
static bool prepare_time(struct vcpu *v)
{
	uint64_t now = rdtsc();
	uint64_t next = platform_run_timers(&v->vm->plat, now);
	uint64_t deadline, ticks;

	if (now >= v->slice_end)
		return false;
	deadline = next < v->slice_end ? next : v->slice_end;
	/* Within 2^30 ticks, so that the 32-bit check on every exit below
	 * cannot be fooled by wrap-around; a later deadline just costs one
	 * more pass through here. */
	if (deadline - now > (1ull << 30))
		deadline = now + (1ull << 30);
	ticks = (deadline - now) >> vmx_cpu.preempt_shift;
	vmwrite(VMX_PREEMPTION_TIMER_VALUE,
		ticks > 0xffffffffull ? 0xffffffffull : ticks);
	v->exit_deadline = (uint32_t)deadline;
	return true;
}

static enum exit_result entry_failed(struct vcpu *v, int how)
{
	uint32_t err = how == 2 ? vmread(VM_INSTRUCTION_ERROR) : 0;
	const char *insn = v->launched ? "VMRESUME" : "VMLAUNCH";

	if (how == 2)
		log_err("vmx", "%s failed for guest \"%s\": %s (VM-instruction error %u)",
			insn, v->vm->name, vmx_instruction_error_str(err), err);
	else
		log_err("vmx", "%s failed for guest \"%s\": VMfailInvalid (no current VMCS)",
			insn, v->vm->name);
	exit_dump_guest(v, "VM entry failed");
	vm_stop(v->vm, VM_STOP_CRASH, "%s failed: %s", insn,
		how == 2 ? vmx_instruction_error_str(err) : "no current VMCS");
	return EXIT_STOP;
}

void vmx_guest_state_explain(struct vcpu *v);

/* An exit that interrupted the delivery of an event (an EPT violation
 * while pushing an interrupt frame, say) leaves that event in the
 * IDT-vectoring information; it must be delivered again on the next entry
 * (SDM Vol. 3C, 28.2.4 and 27.2.4). Exits caused by an instruction never
 * carry it, so only the handlers of the other exits call this. */
void exit_note_idt_vectoring(struct vcpu *v)
{
	uint32_t idt = vmread(IDT_VECTORING_INFO_FIELD);

	if (!(idt & INTR_INFO_VALID))
		return;
	v->reinject_info = idt;
	if (idt & INTR_INFO_DELIVER_CODE)
		v->reinject_error = vmread(IDT_VECTORING_ERROR_CODE);
	v->reinject_len = vmread(VM_EXIT_INSTRUCTION_LEN);
	v->entry_work = 1;
}

/* Events for the next entry. A guest with several vCPUs has its devices
 * under its lock (vm.lock): `shared`, a constant in each of vmx_run's two
 * loops, so that a one-vCPU guest's exits do not even test for it. */
static inline __attribute__((always_inline)) bool
entry_work(struct vcpu *v, const bool shared)
{
	bool go = false;

	if (shared)
		vm_lock(v->vm);
	if (!prepare_time(v) || v->state != VCPU_RUNNABLE || v->init_sipi)
		goto out;
	deliver_events(v);
	/* Work next time too while an interrupt or NMI waits for its window,
	 * or where the CPU does not keep the preemption timer's count
	 * across exits and it must be written before every entry. */
	v->entry_work = vcpu_irq_pending(v) || v->nmi_pending || !v->preempt_saved;
	go = true;
out:
	if (shared)
		vm_unlock(v->vm);
	return go;
}

static inline __attribute__((always_inline)) enum exit_result
run_once(struct vcpu *v, const bool shared)
{
	enum exit_result res;
	uint32_t reason, basic, t0, slot;
	int how;

	if (v->entry_work && !entry_work(v, shared))
		return EXIT_YIELD;

	how = vmx_enter(&v->regs, v->launched);
	t0 = rdtsc32();
	if (how)
		return entry_failed(v, how);
	/* The exit deadline (slice end, next timer) has passed: the next
	 * entry fires the timers or gives the CPU up. One compare per exit. */
	if ((int32_t)(t0 - v->exit_deadline) >= 0)
		v->entry_work = 1;

	reason = vmread(VM_EXIT_REASON);
	basic = reason & EXIT_REASON_BASIC_MASK;
	/* Every exit goes in the trace ring, so that a crash report always
	 * has the last ones; the VMREADs only while tracing is on. */
	slot = v->trace_head++ % EXIT_TRACE_LEN;
	v->trace[slot].tsc = t0;
	v->trace[slot].reason = basic;
	if (__builtin_expect(v->trace_on, 0)) {
		v->trace[slot].reason |= EXIT_TRACE_DETAIL;
		v->trace_detail[slot].rip = vmread(GUEST_RIP);
		v->trace_detail[slot].qual = vmread(EXIT_QUALIFICATION);
	}
	if (__builtin_expect(reason & EXIT_REASON_FAILED_VMENTRY, 0)) {
		/* A machine check during entry is the machine's error, not
		 * the guest's state: the entry may be tried again unless the
		 * banks say otherwise, with v->launched as it was (a failed
		 * VMLAUNCH leaves the VMCS clear). */
		if (basic == EXIT_REASON_MCE_DURING_VMENTRY)
			return mce_in_guest(v) ? EXIT_RESUME : EXIT_STOP;
		v->launched = true;
		log_err("vmx", "VM entry failed for guest \"%s\": %s (exit qualification %lu)",
			v->vm->name, exit_reason_name(basic),
			(unsigned long)vmread(EXIT_QUALIFICATION));
		vmx_guest_state_explain(v);
		exit_dump_guest(v, "VM entry failed");
		vm_stop(v->vm, VM_STOP_CRASH, "VM entry failed: %s",
			exit_reason_name(basic));
		return EXIT_STOP;
	}
	v->launched = true;
	if (shared)
		vm_lock(v->vm);
	if (basic < EXIT_REASON_MAX && exit_handlers[basic])
		res = exit_handlers[basic](v);
	else
		res = exit_unexpected(v, basic);
	if (shared)
		vm_unlock(v->vm);

	if (basic < EXIT_REASON_MAX) {
		v->stats[basic].count++;
		/* One exit takes far less than 2^32 cycles. */
		v->stats[basic].cycles += rdtsc32() - t0;
	}
	return res;
}

void vmx_run(struct vcpu *v)
{
	if (v->vm->n_vcpus > 1) {
		while (run_once(v, true) == EXIT_RESUME)
			;
		return;
	}
	while (run_once(v, false) == EXIT_RESUME)
		;
}
