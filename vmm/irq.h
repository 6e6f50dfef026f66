/* SPDX-License-Identifier: MIT */
/*
 * A guest's interrupt lines: where a device's IRQ goes. Today a line can
 * be bound straight to a vector of the guest's vCPU (the test guests'
 * one-shot timer); the interrupt controllers hook in here.
 */
#ifndef SHALE_VMM_IRQ_H
#define SHALE_VMM_IRQ_H

#include <stdbool.h>

struct vm;

/* Drive global system interrupt `gsi` of the guest. */
void irq_set_line(struct vm *vm, unsigned gsi, bool level);

#endif
