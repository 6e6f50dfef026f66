/* SPDX-License-Identifier: MIT */
/*
 * The platform a guest's devices live on (vmm/vdev/vdev.h): its clock, its
 * timers and its interrupt lines. One per VM.
 */
#ifndef SHALE_VMM_PLATFORM_H
#define SHALE_VMM_PLATFORM_H

#include <stdint.h>

#include "vmm/vdev/vdev.h"

struct vm;

struct vm_platform {
	struct vdev_platform ops;   /* what devices see */
	struct vm *vm;
	struct vdev_timer *timers;  /* armed timers, unsorted: there are few */
};

void platform_init(struct vm_platform *p, struct vm *vm, uint64_t hz);

/* Fire every timer whose deadline has passed (each runs once and is
 * disarmed first, so it may re-arm itself). Returns the earliest deadline
 * still armed, or UINT64_MAX. */
uint64_t platform_run_timers(struct vm_platform *p, uint64_t now);

/* The earliest armed deadline, or UINT64_MAX. */
uint64_t platform_next_deadline(const struct vm_platform *p);

#endif
