/* SPDX-License-Identifier: MIT */
/*
 * Fault injection for Shale's own tests, reached only through the test
 * device's fault port (devices = testdev), and only when the configuration
 * asks for it ([hypervisor] selftest = on): a guest must not be able to
 * halt Shale because it was given the test device. Each breaks one thing
 * the way a bug would, so the tests can check the report Shale gives for it.
 */
#include "arch/x86/mce.h"
#include "arch/x86/smp.h"
#include "arch/x86/vmx_ops.h"
#include "lib/log.h"
#include "vmm/vdev/testdev.h"

/* Width "natural" (bits 14:13), type "guest state" (11:10), index 511,
 * full access: shaped like a field encoding, but no CPU has this one. */
#define SELFTEST_NO_SUCH_FIELD 0x6bfeu

static bool enabled;

/* TESTDEV_FAULT_MCE: two banks; bank 0 empty, bank 1 an uncorrected
 * memory read error that requires action (SRAR: VAL UC EN MISCV ADDRV S
 * AR, MCA code 0x0134), with the interrupted RIP valid and the error at
 * it (MCG_STATUS RIPV EIPV MCIP). */
static uint64_t fake_mce_addr;

static uint64_t fake_mce_rdmsr(uint32_t msr)
{
	switch (msr) {
	case MSR_IA32_MCG_CAP:
		return 2;
	case MSR_IA32_MCG_STATUS:
		return MCG_STATUS_RIPV | MCG_STATUS_EIPV | MCG_STATUS_MCIP;
	case MSR_IA32_MC0_CTL + 4 + 1:
		return MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN | MCI_STATUS_MISCV |
		       MCI_STATUS_ADDRV | MCI_STATUS_S | MCI_STATUS_AR | 0x0134;
	case MSR_IA32_MC0_CTL + 4 + 2:
		return fake_mce_addr;
	case MSR_IA32_MC0_CTL + 4 + 3:
		return 0x86; /* physical address, valid down to bit 6 */
	}
	return 0;
}

void selftest_enable(void)
{
	enabled = true;
	log_warn("selftest", "selftest = on: any guest with the test device (devices = testdev) "
		 "can halt Shale; for Shale's own tests only");
}

bool selftest_enabled(void)
{
	return enabled;
}

void selftest_inject_fault(struct vcpu *v, enum testdev_fault what)
{
	if (!enabled)
		return;
	switch (what) {
	case TESTDEV_FAULT_HYPERVISOR:
		log_warn("selftest", "guest \"%s\" asked for an exception in the hypervisor",
			 v->vm->name);
		asm volatile("ud2");
		break;
	case TESTDEV_FAULT_HOST_STATE:
		/* SDM Vol. 3C, 27.2.3: the host TR selector may not be 0. */
		log_warn("selftest", "guest \"%s\" asked for a broken host state",
			 v->vm->name);
		vmwrite(HOST_TR_SELECTOR, 0);
		break;
	case TESTDEV_FAULT_GUEST_STATE:
		/* SDM Vol. 3C, 27.3.1.4: RFLAGS bit 1 must be 1. */
		log_warn("selftest", "guest \"%s\" asked for a broken guest state",
			 v->vm->name);
		vmwrite(GUEST_RFLAGS, vmread(GUEST_RFLAGS) & ~2ull);
		break;
	case TESTDEV_FAULT_VMREAD:
		/* SDM Vol. 3C, 31.3 (VMREAD): an encoding that names no VMCS
		 * field fails with VM-instruction error 12. */
		log_warn("selftest", "guest \"%s\" asked for a VMREAD that fails",
			 v->vm->name);
		vmread(SELFTEST_NO_SUCH_FIELD);
		break;
	case TESTDEV_FAULT_MCE:
		/* No emulator raises machine checks: the banks are made
		 * up, the path after reading them is the real one. */
		log_warn("selftest", "guest \"%s\" asked for a machine check (made-up banks)",
			 v->vm->name);
		fake_mce_addr = v->vm->ram.r[0].hpa + 0x1000;
		if (mce_handle(v, fake_mce_rdmsr, false) == MCE_STOP_GUEST)
			vm_stop(v->vm, VM_STOP_CRASH,
				"machine check: the data it used is lost (above)");
		break;
	case TESTDEV_FAULT_OTHER_CPU:
		/* The idle loop of CPU 1 takes the fault once woken
		 * (arch/x86/smp.c); this CPU goes on until it is stopped. */
		if (smp_n_cpus < 2 || smp_cpus[1]->state != CPU_IDLE) {
			log_warn("selftest", "guest \"%s\" asked for an exception on CPU 1, which is not idle; ignored",
				 v->vm->name);
			break;
		}
		log_warn("selftest", "guest \"%s\" asked for an exception in the hypervisor on CPU 1",
			 v->vm->name);
		smp_cpus[1]->selftest_fault = true;
		smp_wake(1);
		break;
	}
}
