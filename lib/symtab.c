/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "lib/symtab.h"

const char *symtab_lookup(const struct symtab *t, uint64_t off,
			  uint32_t *delta)
{
	uint32_t lo = 0, hi = t->count;
	const char *name = t->names;

	if (!t->count || off < t->start[0] || off >= t->start[t->count])
		return NULL;
	/* Binary search for the last start at or below off, keeping
	 * start[lo] <= off < start[hi]. */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (t->start[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	/* The names are not indexed: a crash report looks up a few
	 * addresses, and an index would cost 4 bytes a function for good. */
	for (uint32_t i = 0; i < lo; i++)
		while (*name++)
			;
	*delta = off - t->start[lo];
	return name;
}
