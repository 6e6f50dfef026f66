/* SPDX-License-Identifier: MIT */
/*
 * Debugging a guest with VMX (the VMX side of vmm/gdb): software
 * breakpoints are INT3 bytes whose #BP exits (exception bitmap bit 3) the
 * debugger claims; hardware breakpoints and watchpoints are the debugger's
 * values in DR0-DR3/DR7, their #DB exits (bit 1) say which one fired in
 * the exit qualification (SDM Vol. 3C, 28.2.1, table 28-1); single step
 * is RFLAGS.TF with #DB exiting, the debug trap after one instruction
 * (SDM Vol. 3B, 17.3.1.4), as KVM's guest debugging does it. The monitor
 * trap flag would hide TF from a PUSHF, but Bochs 2.7, where Shale's tests
 * run, never delivers its exit; the tests could not keep it honest.
 *
 * While the debugger's values are in the debug registers, MOV DR exits,
 * and the guest's own DR0-3/6/7 live in struct vcpu_debug: the guest keeps
 * its view, and cannot clear the debugger's breakpoints.
 */
#include "arch/x86/dr_rules.h"
#include "arch/x86/exit.h"
#include "arch/x86/include/cpu.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_ops.h"
#include "lib/log.h"
#include "vmm/gdb/gdb.h"
#include "vmm/vm.h"
#include "vmm/vmm.h"

#define RFLAGS_RF (1ull << 16)
#define DR7_FIXED 0x400ull
#define DBG_QUAL_B0_3 0xfull   /* which of DR0-3 matched */
#define DBG_QUAL_BS (1ull << 14) /* single step (RFLAGS.TF) */

void vcpu_set_debug(struct vcpu *v, const struct vcpu_debug *d)
{
	struct vcpu_debug *cur = &v->dbg;
	uint64_t prev = vmcs_make_current(v);
	/* DR0-3 and DR6 are switched by hand (vmm/sched.c): while v is the
	 * vCPU last loaded, the registers themselves hold its values. */
	bool live = sched_current() == v;
	bool had_dr = cur->owns_dr, had_step = cur->step;
	uint32_t excs = EXCEPTION_BITMAP_ALWAYS;

	if (d->owns_dr && !had_dr) {
		for (unsigned i = 0; i < 4; i++)
			cur->guest_dr[i] = live ? read_dr(i) : v->dr[i];
		cur->guest_dr6 = live ? read_dr(6) : v->dr6;
		cur->guest_dr7 = vmread(GUEST_DR7);
	}
	cur->trap_int3 = d->trap_int3;
	cur->step = d->step;
	cur->owns_dr = d->owns_dr;
	if (d->owns_dr || had_dr) {
		for (unsigned i = 0; i < 4; i++) {
			v->dr[i] = d->owns_dr ? d->dr[i] : cur->guest_dr[i];
			cur->dr[i] = d->dr[i];
		}
		cur->dr7 = d->dr7;
		if (!d->owns_dr)
			v->dr6 = cur->guest_dr6;
		vmwrite(GUEST_DR7, d->owns_dr ? (d->dr7 | DR7_FIXED) : cur->guest_dr7);
		if (live) {
			for (unsigned i = 0; i < 4; i++)
				write_dr(i, v->dr[i]);
			write_dr(6, v->dr6 | DR6_FIXED);
		}
	}

	if (d->trap_int3)
		excs |= 1u << X86_EXC_BP;
	if (d->owns_dr || d->step)
		excs |= 1u << X86_EXC_DB;
	vmwrite(EXCEPTION_BITMAP, excs);
	/* TF on for a step, and back to what the guest had after it. */
	if (d->step && !had_step) {
		uint64_t rflags = vmread(GUEST_RFLAGS);

		cur->guest_tf = rflags & RFLAGS_TF;
		vmwrite(GUEST_RFLAGS, rflags | RFLAGS_TF);
	} else if (!d->step && had_step) {
		vmwrite(GUEST_RFLAGS, (vmread(GUEST_RFLAGS) & ~RFLAGS_TF) | cur->guest_tf);
	}
	v->proc_ctls &= ~CPU_BASED_MOV_DR_EXITING;
	if (d->owns_dr)
		v->proc_ctls |= CPU_BASED_MOV_DR_EXITING;
	vmwrite(CPU_BASED_VM_EXEC_CONTROL, v->proc_ctls);
	/* No VMX-preemption timer during a step: a step is one instruction,
	 * and a slice ending in its middle would only cost an exit. The exit
	 * control that saves the timer's value needs the timer on. */
	if (d->step != had_step) {
		uint32_t exit_ctls = vmread(VM_EXIT_CONTROLS);

		if (d->step) {
			v->pin_ctls &= ~PIN_BASED_VMX_PREEMPTION_TIMER;
			exit_ctls &= ~VM_EXIT_SAVE_VMX_PREEMPTION_TIMER;
		} else {
			v->pin_ctls |= PIN_BASED_VMX_PREEMPTION_TIMER;
			if (v->preempt_saved)
				exit_ctls |= VM_EXIT_SAVE_VMX_PREEMPTION_TIMER;
		}
		vmwrite(PIN_BASED_VM_EXEC_CONTROL, v->pin_ctls);
		vmwrite(VM_EXIT_CONTROLS, exit_ctls);
	}
	/* Events wait while stepping, so a step lands on the next
	 * instruction of the program, not in an interrupt handler. */
	v->entry_work = 1;
	vmcs_restore(v, prev);
}

/* Deliver the exception the exit intercepted, as the CPU would have:
 * INT3 and INT1 with their instruction length (SDM Vol. 3C, 26.6.1). */
static void give_back(struct vcpu *v, uint32_t info)
{
	v->reinject_info = info;
	v->reinject_len = vmread(VM_EXIT_INSTRUCTION_LEN);
	if (info & INTR_INFO_DELIVER_CODE)
		v->reinject_error = vmread(VM_EXIT_INTR_ERROR_CODE);
	v->entry_work = 1;
}

enum exit_result exit_debug_exception(struct vcpu *v, uint32_t info)
{
	unsigned vector = info & INTR_INFO_VECTOR_MASK;
	uint64_t qual;

	if (vector == X86_EXC_BP) {
		/* The exit comes before delivery: RIP is the INT3 itself. */
		if (v->dbg.trap_int3 && gdb_breakpoint_hit(v, vmread(GUEST_RIP)))
			return EXIT_YIELD;
		give_back(v, info);
		return EXIT_RESUME;
	}
	qual = vmread(EXIT_QUALIFICATION);
	if (v->dbg.step && (qual & DBG_QUAL_BS)) {
		gdb_vcpu_stopped(v, GDB_STOP_STEP, 0);
		return EXIT_YIELD;
	}
	if (v->dbg.owns_dr && (qual & DBG_QUAL_B0_3)) {
		for (unsigned i = 0; i < 4; i++) {
			unsigned rw = (v->dbg.dr7 >> (16 + 4 * i)) & 3;

			if (!(qual & (1u << i)) || !(v->dbg.dr7 & (3u << (2 * i))))
				continue;
			if (rw == 0) {
				/* An instruction breakpoint is a fault: RF lets
				 * the instruction run when the guest goes on. */
				vmwrite(GUEST_RFLAGS, vmread(GUEST_RFLAGS) | RFLAGS_RF);
				gdb_vcpu_stopped(v, GDB_STOP_HW_BP, v->dbg.dr[i]);
			} else {
				gdb_vcpu_stopped(v, GDB_STOP_WATCH, v->dbg.dr[i]);
			}
			return EXIT_YIELD;
		}
	}
	/* The guest's own #DB (RFLAGS.TF, INT1): DR6 says why, as the CPU
	 * would have set it had the exit not come first (SDM 28.2.1). */
	if (v->dbg.owns_dr)
		v->dbg.guest_dr6 = (v->dbg.guest_dr6 & ~0x600full) | (qual & 0x600f) |
				   DR6_FIXED;
	else
		write_dr(6, (read_dr(6) & ~0x600full) | (qual & 0x600f) | DR6_FIXED);
	give_back(v, info);
	return EXIT_RESUME;
}

/* MOV to or from a debug register while the debugger's values are loaded
 * (exit qualification: SDM Vol. 3C, table 28-4). This exit comes before
 * the CPU's checks of the privilege level and of CR4.DE (SDM Vol. 3C,
 * 26.1.3, "MOV DR"), and before its check of the value: all of them are
 * dr_mov_check()'s. A value stored here is loaded into the real DR6/DR7
 * (vcpu_set_debug) and GUEST_DR7 later: one the CPU would refuse would
 * fault in root mode, or fail the VM entry. */
enum exit_result exit_dr_access(struct vcpu *v)
{
	uint64_t q = vmread(EXIT_QUALIFICATION);
	unsigned dr = q & 7, gpr = (q >> 8) & 15;
	bool read = q & 0x10; /* MOV from DR */
	struct vcpu_debug *d = &v->dbg;
	struct dr_mov_env env = {
		.cpl = vcpu_cpl(v),
		.cr4_de = vcpu_get_state(v, VREG_CR4) & CR4_DE,
		.mode64 = (vcpu_get_state(v, VREG_EFER) & EFER_LMA) &&
			  (vcpu_get_state(v, VREG_CS_AR) & AR_L),
	};
	uint64_t val = 0, *slot;
	int fault;

	if (!read)
		val = gpr == GPR_RSP ? vcpu_get_state(v, VREG_RSP) : v->regs.gpr[gpr];
	fault = dr_mov_check(&env, &dr, !read, &val);
	if (fault != DR_MOV_OK) {
		vcpu_inject_exception(v, fault, fault == X86_EXC_GP, 0);
		return EXIT_RESUME;
	}
	slot = dr < 4 ? &d->guest_dr[dr] : dr == 6 ? &d->guest_dr6 : &d->guest_dr7;
	if (read) {
		val = *slot;
		if (slot == &d->guest_dr6)
			val |= DR6_FIXED;
		else if (slot == &d->guest_dr7)
			val |= DR7_FIXED;
		if (!env.mode64)
			val = (uint32_t)val;
		if (gpr == GPR_RSP)
			vcpu_set_state(v, VREG_RSP, val);
		else
			v->regs.gpr[gpr] = val;
	} else {
		*slot = val;
	}
	vcpu_advance_rip(v);
	return EXIT_RESUME;
}
