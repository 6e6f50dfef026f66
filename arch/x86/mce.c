/* SPDX-License-Identifier: MIT */
/*
 * Machine checks on the host: a #MC in root mode (the IDT's gate,
 * arch/x86/idt.c), a #MC while a guest ran (a VM exit: the exception
 * bitmap always has vector 18, so no guest ever handles the host's
 * hardware errors), and a machine check during VM entry (exit reason 41).
 * Each reads every bank (Intel SDM Vol. 3B, "Machine-Check Architecture":
 * IA32_MCG_CAP's count, IA32_MCi_STATUS/ADDR/MISC), names the bank and
 * the address in the log, clears the banks, and stops what must stop
 * (arch/x86/mce_classify.c): nothing, the guest that ran, or Shale.
 */
#include "arch/x86/host.h"
#include "arch/x86/include/cpu.h"
#include "arch/x86/mce.h"
#include "arch/x86/percpu.h"
#include "arch/x86/smp.h"
#include "lib/log.h"
#include "lib/printf.h"
#include "vmm/vm.h"
#include "vmm/vmm.h"

static uint64_t bank_msr(unsigned bank, unsigned reg)
{
	return MSR_IA32_MC0_CTL + 4 * bank + reg; /* 1 STATUS, 2 ADDR, 3 MISC */
}

/* The guest that owns host-physical addr, and where: so that the report
 * says whose memory the error hit. */
static void whose(char *buf, size_t len, uint64_t addr)
{
	buf[0] = 0;
	for (unsigned g = 0; g < vmm_n_vm; g++) {
		const struct guest_ram *ram = &vmm_vm[g].ram;

		for (unsigned i = 0; i < ram->n; i++)
			if (ram->r[i].hpa && addr >= ram->r[i].hpa &&
			    addr - ram->r[i].hpa < ram->r[i].size) {
				ksnprintf(buf, len, " (guest \"%s\", guest-physical 0x%lx)",
					  vmm_vm[g].name,
					  (unsigned long)(addr - ram->r[i].hpa + ram->r[i].gpa));
				return;
			}
	}
}

enum mce_action mce_handle(struct vcpu *v, mce_rdmsr_fn rd, bool clear)
{
	uint64_t mcg = rd(MSR_IA32_MCG_STATUS);
	unsigned banks = rd(MSR_IA32_MCG_CAP) & 0xff;
	enum mce_action worst = MCE_NONE;

	if (banks > MCE_MAX_BANKS)
		banks = MCE_MAX_BANKS;
	for (unsigned i = 0; i < banks; i++) {
		uint64_t status = rd(bank_msr(i, 1)), addr = 0, misc = 0;
		enum mce_action a = mce_classify(status, mcg, v != NULL);
		char owner[96] = "";

		if (a == MCE_NONE)
			continue;
		if (status & MCI_STATUS_ADDRV) {
			addr = rd(bank_msr(i, 2));
			whose(owner, sizeof(owner), addr);
		}
		if (status & MCI_STATUS_MISCV)
			misc = rd(bank_msr(i, 3));
		log_err("mce", "machine check on CPU %u %s%s%s: bank %u, %s%s, status 0x%016lx, "
			"address %s0x%lx%s, misc 0x%lx, MCG_STATUS 0x%lx",
			this_cpu()->index, v ? "while guest \"" : "in Shale",
			v ? v->vm->name : "", v ? "\" ran" : "", i, mce_kind(status),
			status & MCI_STATUS_OVER ? " (and earlier ones lost)" : "",
			(unsigned long)status, status & MCI_STATUS_ADDRV ? "" : "(not valid) ",
			(unsigned long)addr, owner, (unsigned long)misc, (unsigned long)mcg);
		if (clear)
			wrmsr(bank_msr(i, 1), 0);
		if (a > worst)
			worst = a;
	}
	if (clear)
		wrmsr(MSR_IA32_MCG_STATUS, 0); /* MCIP: the next one is not a shutdown */
	if (worst != MCE_NONE)
		log_err("mce", "%s", mce_action_name(worst));
	return worst;
}

static uint64_t read_msr(uint32_t msr)
{
	return rdmsr(msr);
}

/* A #MC or exit reason 41 while v ran. Returns false when v must stop. */
bool mce_in_guest(struct vcpu *v)
{
	enum mce_action a = mce_handle(v, read_msr, true);

	if (a == MCE_STOP_ALL) {
		smp_panic_begin();
		log_rawf("\n[panic] machine check while guest \"%s\" ran, with the processor's own state suspect (above)\n",
			 v->vm->name);
		host_halt_reported();
	}
	if (a == MCE_STOP_GUEST) {
		vm_stop(v->vm, VM_STOP_CRASH, "machine check: the data it used is lost (above)");
		return false;
	}
	return true;
}

bool mce_in_root(void)
{
	return mce_handle(NULL, read_msr, true) <= MCE_LOG;
}
