/* SPDX-License-Identifier: MIT */
/* Helpers for the ACPI table tests: a table in a buffer, edited and
 * re-checksummed, and the reason a parser gave. */
#ifndef SHALE_TESTS_UNIT_ACPI_HARNESS_H
#define SHALE_TESTS_UNIT_ACPI_HARNESS_H

#include <stdint.h>
#include <string.h>

#include "arch/x86/acpi_table.h"

struct tbuf {
	uint8_t b[512];
	size_t n;
};

static inline void tb_load(struct tbuf *t, const uint8_t *src, size_t n)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->b, src, n);
	t->n = n;
}

static inline void tb_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

static inline void tb_put64(uint8_t *p, uint64_t v)
{
	tb_put32(p, (uint32_t)v);
	tb_put32(p + 4, (uint32_t)(v >> 32));
}

/* Set the length field to t->n and make the checksum right again. */
static inline void tb_fix(struct tbuf *t)
{
	tb_put32(t->b + 4, (uint32_t)t->n);
	t->b[9] = 0;
	t->b[9] = (uint8_t)(0x100 - acpi_sum(t->b, t->n));
}

#endif
