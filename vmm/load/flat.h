/* SPDX-License-Identifier: MIT */
/* Loading a flat binary guest image (docs/guest-start.md). */
#ifndef SHALE_VMM_LOAD_FLAT_H
#define SHALE_VMM_LOAD_FLAT_H

#include <stdint.h>

#include "vmm/vm.h"

/* Copy the image to its load address and, for a long-mode guest, build
 * the GDT and identity page tables it starts with. Returns 0, or -1 with
 * the reason logged. */
int flat_load(struct vm *vm, const void *image, uint64_t size);

#endif
