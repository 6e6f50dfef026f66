/* SPDX-License-Identifier: MIT */
/*
 * Running the speculation barriers the policy (arch/x86/spec_ctrl.c)
 * chose for this CPU, and each guest's IA32_SPEC_CTRL.
 *
 * IA32_SPEC_CTRL is switched by the CPU itself. Shale's own value (IBRS
 * where the CPU has it: arch/x86/spec_ctrl.c) is set once per CPU. While
 * the value a guest runs with differs from it, the vCPU's VM-entry
 * MSR-load area loads the guest's and the VM-exit MSR-load area (one for
 * all vCPUs) puts Shale's back (SDM Vol. 3C, 25.7.2, 25.8.2, 28.4 and
 * 29.6); with IBRS that is not enhanced, the exit writes it every time,
 * because only the write protects. The guest's RDMSR and WRMSR of it
 * always exit (vmm/msr.c), so no MSR-store area is needed. A guest that
 * never sets it costs nothing on a CPU with enhanced IBRS or none; one
 * that does pays the two MSR loads in microcode on each of its own exits,
 * and no root-mode code runs for it. Since each VMCS has its own area, a
 * switch between guests needs no work for it.
 */
#include "arch/x86/spec_ctrl.h"
#include "arch/x86/host.h"
#include "arch/x86/include/cpu.h"
#include "arch/x86/include/msr.h"
#include "arch/x86/vmx_ops.h"
#include "lib/log.h"
#include "vmm/vm.h"

struct spec_policy spec_host;
/* Read by vmx_enter (arch/x86/vmx_entry.asm) before every VM entry. */
uint8_t spec_entry_barriers;
/* VERW's operand: any writable data segment will do (Intel's MDS
 * guidance); only the instruction's side effect matters. */
uint16_t spec_verw_sel = HOST_DS;

/* The VM-exit MSR-load area of every vCPU: Shale's own value, set by
 * spec_ctrl_init(). 16-byte aligned (SDM Vol. 3C, 25.7.2). */
static uint64_t exit_load[2] __attribute__((aligned(16))) = {
	MSR_IA32_SPEC_CTRL, 0,
};

void spec_ctrl_init(void)
{
	struct cpuid_regs r = { 0, 0, 0, 0 };
	uint64_t arch_cap = 0;
	char line[256];

	cpuid_count(0, 0, &r);
	if (r.eax >= 7)
		cpuid_count(7, 0, &r);
	else
		r.edx = 0;
	if (r.edx & CPUID_7_EDX_ARCH_CAP)
		arch_cap = rdmsr(MSR_IA32_ARCH_CAPABILITIES);
	spec_policy_compute(r.edx, arch_cap, &spec_host);
	spec_entry_barriers = spec_host.entry_barriers;
	exit_load[1] = spec_host.root_spec_ctrl;
	spec_policy_describe(&spec_host, line, sizeof(line));
	log_info("spec", "CPUID.7:EDX 0x%08x, ARCH_CAPABILITIES 0x%lx: %s",
		 r.edx, (unsigned long)arch_cap, line);
	if (spec_host.root_ibrs == SPEC_ROOT_IBRS_NONE)
		log_warn("spec", "this CPU has no IBRS: a guest can steer Shale's own indirect branches by speculation (Spectre v2); update the CPU's microcode");
	spec_ctrl_cpu_init();
}

void spec_ctrl_cpu_init(void)
{
	if (spec_host.root_spec_ctrl)
		wrmsr(MSR_IA32_SPEC_CTRL, spec_host.root_spec_ctrl);
}

/* The value IA32_SPEC_CTRL holds while the guest runs: its own, with
 * enhanced IBRS left on, which the guest cannot see (its RDMSR exits) and
 * which costs it nothing worth an MSR load on every entry and exit. */
static uint64_t in_guest(uint64_t guest)
{
	if (spec_host.root_ibrs == SPEC_ROOT_IBRS_ENHANCED)
		return guest | SPEC_CTRL_IBRS;
	return guest;
}

/* Arm the MSR-load areas for v's value (v's VMCS current). */
static void set_loads(struct vcpu *v)
{
	uint64_t val = in_guest(v->spec_ctrl_guest);
	bool differs = val != spec_host.root_spec_ctrl;

	v->spec_ctrl_load[1] = val;
	vmwrite(VM_ENTRY_MSR_LOAD_COUNT, differs ? 1 : 0);
	vmwrite(VM_EXIT_MSR_LOAD_COUNT,
		differs || spec_host.root_ibrs == SPEC_ROOT_IBRS_EACH_EXIT ? 1 : 0);
}

/* Spectre v2 between guests: the next guest must not run on branch
 * predictions the previous one trained (arch/x86/spec_ctrl.c). */
void spec_ctrl_switch(void)
{
	if (spec_host.ibpb_on_switch)
		wrmsr(MSR_IA32_PRED_CMD, PRED_CMD_IBPB);
}

void spec_ctrl_vcpu_init(struct vcpu *v)
{
	v->spec_ctrl_load[0] = MSR_IA32_SPEC_CTRL;
	v->spec_ctrl_guest = 0;
	vmwrite(VM_ENTRY_MSR_LOAD_ADDR, (uint64_t)v->spec_ctrl_load);
	vmwrite(VM_EXIT_MSR_LOAD_ADDR, (uint64_t)exit_load);
	set_loads(v);
}

uint64_t spec_ctrl_guest_get(const struct vcpu *v)
{
	return v->spec_ctrl_guest;
}

/* The guest's new value, already checked against spec_host.spec_ctrl_bits.
 * Called with v's VMCS current (a WRMSR exit). */
void spec_ctrl_guest_set(struct vcpu *v, uint64_t val)
{
	uint64_t root = rdmsr(MSR_IA32_SPEC_CTRL);

	/* The exit that brought us here put Shale's own value back if the
	 * guest's differed: a cheap check of the MSR-load areas, on a rare
	 * exit. */
	if (root != spec_host.root_spec_ctrl)
		log_err("spec", "IA32_SPEC_CTRL is 0x%lx in root mode after an exit of guest \"%s\", not 0x%lx",
			(unsigned long)root, v->vm->name,
			(unsigned long)spec_host.root_spec_ctrl);
	v->spec_ctrl_guest = val;
	set_loads(v);
}
