/* SPDX-License-Identifier: MIT */
/* The test device of Shale's own test guests (docs/guest-start.md). */
#ifndef SHALE_VMM_VDEV_TESTDEV_H
#define SHALE_VMM_VDEV_TESTDEV_H

#include "vmm/vm.h"

#define TESTDEV_PORT 0x5000
#define TESTDEV_MMIO 0xfeb00000ull
#define TESTDEV_ID 0x454c4853u /* "SHLE" */
#define TESTDEV_PORT_FAULT (TESTDEV_PORT + 8)

/* What a write to the fault-injection port breaks (arch/x86/selftest.c). */
enum testdev_fault {
	TESTDEV_FAULT_HYPERVISOR = 1, /* an exception in Shale itself */
	TESTDEV_FAULT_HOST_STATE = 2, /* VMRESUME fails: bad host state */
	TESTDEV_FAULT_GUEST_STATE = 3, /* VM entry fails: bad guest state */
	TESTDEV_FAULT_VMREAD = 4,      /* a VMREAD fails in Shale itself */
	TESTDEV_FAULT_OTHER_CPU = 5,   /* an exception in Shale on CPU 1 */
	TESTDEV_FAULT_MCE = 6,         /* a machine check, banks made up */
};

/* Break what was asked, so the tests see Shale's report of it. Only
 * after selftest_enable(). */
void selftest_inject_fault(struct vcpu *v, enum testdev_fault what);
/* Let the fault-injection port work ([hypervisor] selftest = on); says
 * loudly that any guest with the test device can now halt Shale. */
void selftest_enable(void);
bool selftest_enabled(void);

int testdev_attach(struct vm *vm);

#endif
