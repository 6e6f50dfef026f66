/* SPDX-License-Identifier: MIT */
/*
 * What a device model gets from the platform it lives in, and nothing
 * more: a clock, one-shot timers, interrupt lines, and the port/MMIO
 * registries (vmm/io.h, vmm/mmio.h). Device models are pure C over this
 * interface, so each compiles into the hypervisor and into a host unit test
 * with a fake platform.
 *
 * Time is in TSC ticks of the host (the guest's TSC runs at the same rate);
 * `hz` says how many per second.
 */
#ifndef SHALE_VMM_VDEV_VDEV_H
#define SHALE_VMM_VDEV_VDEV_H

#include <stdbool.h>
#include <stdint.h>

struct vdev_timer;

/* Called once when the deadline has passed, with the current time. */
typedef void (*vdev_timer_fn)(struct vdev_timer *t, uint64_t now);

struct vdev_timer {
	uint64_t deadline;   /* TSC ticks; valid while armed */
	bool armed;
	vdev_timer_fn fn;
	void *opaque;        /* the device's state */
	struct vdev_timer *next; /* the platform's list; devices leave it alone */
};

struct vdev_platform {
	void *ctx;
	uint64_t hz;                                      /* TSC ticks per second */
	uint64_t (*now)(void *ctx);                       /* current TSC */
	/* Drive a guest interrupt line: gsi is the global system interrupt
	 * (ISA IRQ n = GSI n). level true = asserted. Edge-triggered devices
	 * pulse it: assert then deassert. */
	void (*set_irq)(void *ctx, unsigned gsi, bool level);
	/* Arm (or re-arm) a timer for t->deadline; disarm with armed = false
	 * through timer_cancel. */
	void (*timer_arm)(void *ctx, struct vdev_timer *t, uint64_t deadline);
	void (*timer_cancel)(void *ctx, struct vdev_timer *t);
};

#endif
