/* SPDX-License-Identifier: MIT */
#include "vmm/placement.h"

static bool allowed_on(uint64_t allowed, unsigned cpu)
{
	return cpu < 64 && (allowed >> cpu) & 1;
}

int placement_home(const struct cpu_load *cpus, unsigned n, uint64_t allowed)
{
	int best = -1;

	for (unsigned c = 0; c < n; c++) {
		if (!cpus[c].usable || !allowed_on(allowed, c))
			continue;
		if (best < 0 || cpus[c].weight < cpus[best].weight)
			best = (int)c;
	}
	return best;
}

int placement_balance(const struct cpu_load *cpus, unsigned n, unsigned self,
		      uint64_t allowed)
{
	int best = -1;

	if (self >= n)
		return -1;
	for (unsigned c = 0; c < n; c++) {
		if (c == self || !cpus[c].usable || !allowed_on(allowed, c))
			continue;
		if (cpus[c].runnable + 2 > cpus[self].runnable)
			continue;
		if (best < 0 || cpus[c].runnable < cpus[best].runnable)
			best = (int)c;
	}
	return best;
}
