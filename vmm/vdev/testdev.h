/* SPDX-License-Identifier: MIT */
/* The test device of Shale's own test guests (docs/guest-start.md). */
#ifndef SHALE_VMM_VDEV_TESTDEV_H
#define SHALE_VMM_VDEV_TESTDEV_H

#include "vmm/vm.h"

#define TESTDEV_PORT 0x5000
#define TESTDEV_MMIO 0xfeb00000ull
#define TESTDEV_ID 0x454c4853u /* "SHLE" */

int testdev_attach(struct vm *vm);

#endif
