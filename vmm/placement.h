/* SPDX-License-Identifier: MIT */
/*
 * Where a vCPU runs: the choices of the scheduler across CPUs, as pure
 * functions over a snapshot of each CPU's load (tests/unit/test_placement.c).
 */
#ifndef SHALE_VMM_PLACEMENT_H
#define SHALE_VMM_PLACEMENT_H

#include <stdbool.h>
#include <stdint.h>

struct cpu_load {
	bool usable;       /* in VMX root operation, taking guests */
	uint32_t weight;   /* summed weights of the live vCPUs homed there */
	uint32_t runnable; /* of those, ready to run at its last pass */
};

/* The home of a new vCPU allowed on the CPUs in `allowed` (bit n: CPU n):
 * the usable one with the least weight homed, the lowest number on a tie.
 * -1 when no allowed CPU is usable. */
int placement_home(const struct cpu_load *cpus, unsigned n, uint64_t allowed);

/* A CPU to give one of CPU self's runnable vCPUs to: a usable CPU in
 * `allowed` with at least two fewer runnable vCPUs than self (one fewer
 * would only swap the imbalance), the least loaded first. -1: stay. */
int placement_balance(const struct cpu_load *cpus, unsigned n, unsigned self,
		      uint64_t allowed);

#endif
