/* SPDX-License-Identifier: MIT */
/* The VMCALL interface guests use to reach Shale (docs/hypercalls.md). */
#ifndef SHALE_VMM_HYPERCALL_H
#define SHALE_VMM_HYPERCALL_H

#include <stdbool.h>

#include "vmm/vcpu.h"

#define SHALE_HC_VERSION 0
#define SHALE_HC_CONSOLE_WRITE 1
#define SHALE_HC_EXIT 2
#define SHALE_HC_TIMER_ONESHOT 3
#define SHALE_HC_STAT 4
#define SHALE_HC_CONSOLE_READ 5

#define SHALE_EPERM 1
#define SHALE_EFAULT 14
#define SHALE_EINVAL 22
#define SHALE_ENOSYS 38

/* Perform the call in RAX with the arguments in RDI, RSI, RDX; the result
 * goes to RAX. Returns true when the guest has stopped. */
bool hypercall_handle(struct vcpu *v);

#endif
