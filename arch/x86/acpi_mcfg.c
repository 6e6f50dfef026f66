/* SPDX-License-Identifier: MIT */
/* Reading and checking the MCFG (acpi_mcfg.h). */
#include "arch/x86/acpi_mcfg.h"
#include "arch/x86/acpi_table.h"
#include "lib/printf.h"
#include "lib/string.h"

static int check_entry(const struct mcfg_segment *s, unsigned i, char *why,
		       size_t size)
{
	if (s->bus_end < s->bus_start) {
		ksnprintf(why, size, "MCFG entry %u (segment %u): end bus %u is below start bus %u",
			  i, s->segment, s->bus_end, s->bus_start);
		return -1;
	}
	if (s->base & ((1u << 20) - 1)) {
		ksnprintf(why, size, "MCFG entry %u (segment %u): base 0x%lx is not 1 MiB aligned",
			  i, s->segment, (unsigned long)s->base);
		return -1;
	}
	if (s->base >= MCFG_MAX_ADDR || mcfg_window_end(s) > MCFG_MAX_ADDR) {
		ksnprintf(why, size, "MCFG entry %u (segment %u): window 0x%lx-0x%lx lies past 52-bit physical addresses",
			  i, s->segment, (unsigned long)mcfg_window_start(s),
			  (unsigned long)(mcfg_window_end(s) - 1));
		return -1;
	}
	return 0;
}

static int check_pair(const struct mcfg_segment *a, unsigned ia,
		      const struct mcfg_segment *b, unsigned ib, char *why,
		      size_t size)
{
	if (mcfg_window_start(a) < mcfg_window_end(b) &&
	    mcfg_window_start(b) < mcfg_window_end(a)) {
		ksnprintf(why, size, "MCFG entries %u and %u overlap: 0x%lx-0x%lx and 0x%lx-0x%lx",
			  ia, ib, (unsigned long)mcfg_window_start(a),
			  (unsigned long)(mcfg_window_end(a) - 1),
			  (unsigned long)mcfg_window_start(b),
			  (unsigned long)(mcfg_window_end(b) - 1));
		return -1;
	}
	if (a->segment == b->segment && a->bus_start <= b->bus_end &&
	    b->bus_start <= a->bus_end) {
		ksnprintf(why, size, "MCFG entries %u and %u both claim buses of segment %u (%u-%u and %u-%u)",
			  ia, ib, a->segment, a->bus_start, a->bus_end,
			  b->bus_start, b->bus_end);
		return -1;
	}
	return 0;
}

int mcfg_parse(const void *table, size_t avail, struct mcfg_info *out,
	       char *why, size_t size)
{
	const uint8_t *t = table;
	uint32_t len, n;

	memset(out, 0, sizeof(*out));
	len = acpi_check_table(t, avail, "MCFG", MCFG_HEADER_LEN, why, size);
	if (!len)
		return -1;
	if ((len - MCFG_HEADER_LEN) % MCFG_ENTRY_LEN) {
		ksnprintf(why, size, "the MCFG's length %u leaves a torn entry (%u bytes past the last whole one)",
			  len, (len - MCFG_HEADER_LEN) % MCFG_ENTRY_LEN);
		return -1;
	}
	n = (len - MCFG_HEADER_LEN) / MCFG_ENTRY_LEN;
	if (!n) {
		ksnprintf(why, size, "the MCFG lists no segment");
		return -1;
	}
	if (n > MCFG_MAX_SEGMENTS) {
		ksnprintf(why, size, "the MCFG lists %u entries; Shale takes %u at most",
			  n, MCFG_MAX_SEGMENTS);
		return -1;
	}
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = t + MCFG_HEADER_LEN + i * MCFG_ENTRY_LEN;
		struct mcfg_segment *s = &out->seg[i];

		s->base = acpi_get64(e);
		s->segment = acpi_get16(e + 8);
		s->bus_start = e[10];
		s->bus_end = e[11];
		if (check_entry(s, i, why, size))
			return -1;
		for (uint32_t j = 0; j < i; j++)
			if (check_pair(&out->seg[j], j, s, i, why, size))
				return -1;
	}
	out->n = n;
	return 0;
}

uint64_t mcfg_ecam_addr(const struct mcfg_segment *s, unsigned bus,
			unsigned dev, unsigned fn, unsigned reg)
{
	return s->base + ((uint64_t)bus << 20 | dev << 15 | fn << 12 | reg);
}
