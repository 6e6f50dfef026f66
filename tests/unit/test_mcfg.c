/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for arch/x86/acpi_mcfg.c on the MCFG tables of real machines
 * (raw bytes from public acpidump listings, written here as facts; both
 * checksums verify) and on broken copies of them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "arch/x86/acpi_mcfg.h"
#include "tests/unit/acpi_harness.h"

/* An AMI Aptio server board ("ALASKA" "A M I", creator "MSFT" 0x97), from
 * an acpidump posted to linux-nvdimm in 2020: one entry, segment 0, buses
 * 0-255, ECAM at 0x80000000. */
static const uint8_t ami_mcfg[60] = {
	0x4D, 0x43, 0x46, 0x47, 0x3C, 0x00, 0x00, 0x00, 0x01, 0x61, 0x41, 0x4C, 0x41, 0x53, 0x4B, 0x41,
	0x41, 0x20, 0x4D, 0x20, 0x49, 0x00, 0x00, 0x00, 0x09, 0x20, 0x07, 0x01, 0x4D, 0x53, 0x46, 0x54,
	0x97, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0x00, 0x00, 0x00, 0x00,
};

/* OLPC XO-1.5 (VIA VX855, Phoenix "PTLTD " "  MCFG  ", creator " LTP"):
 * one entry, segment 0, bus 0 only, ECAM at 0xE0000000. */
static const uint8_t olpc_mcfg[60] = {
	0x4D, 0x43, 0x46, 0x47, 0x3C, 0x00, 0x00, 0x00, 0x01, 0x67, 0x50, 0x54, 0x4C, 0x54, 0x44, 0x20,
	0x20, 0x20, 0x4D, 0x43, 0x46, 0x47, 0x20, 0x20, 0x00, 0x00, 0x04, 0x06, 0x20, 0x4C, 0x54, 0x50,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xE0,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static char why[200];

/* Append an entry to a table in t and fix its length and checksum. */
static void add_entry(struct tbuf *t, uint64_t base, uint16_t seg,
		      uint8_t start, uint8_t end)
{
	uint8_t *e = t->b + t->n;

	memset(e, 0, MCFG_ENTRY_LEN);
	tb_put64(e, base);
	e[8] = (uint8_t)seg;
	e[9] = (uint8_t)(seg >> 8);
	e[10] = start;
	e[11] = end;
	t->n += MCFG_ENTRY_LEN;
	tb_fix(t);
}

static void ami_server(void **state)
{
	struct mcfg_info m;

	(void)state;
	assert_int_equal(mcfg_parse(ami_mcfg, sizeof(ami_mcfg), &m, why, sizeof(why)), 0);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.seg[0].base, 0x80000000);
	assert_int_equal(m.seg[0].segment, 0);
	assert_int_equal(m.seg[0].bus_start, 0);
	assert_int_equal(m.seg[0].bus_end, 255);
	assert_int_equal(mcfg_window_end(&m.seg[0]), 0x90000000);
	/* Bus 3, device 0x1f, function 2, register 0x10. */
	assert_int_equal(mcfg_ecam_addr(&m.seg[0], 3, 0x1f, 2, 0x10), 0x803fa010);
}

static void olpc_one_bus(void **state)
{
	struct mcfg_info m;

	(void)state;
	assert_int_equal(mcfg_parse(olpc_mcfg, sizeof(olpc_mcfg), &m, why, sizeof(why)), 0);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.seg[0].base, 0xe0000000);
	assert_int_equal(m.seg[0].bus_end, 0);
	assert_int_equal(mcfg_window_end(&m.seg[0]), 0xe0100000);
}

static void several_segments(void **state)
{
	/* A two-socket server's shape: the AMI table plus segment 1 at
	 * 0x3f000000000, buses 0x80-0xff (window from bus 0x80 on). */
	struct tbuf t;
	struct mcfg_info m;

	(void)state;
	tb_load(&t, ami_mcfg, sizeof(ami_mcfg));
	add_entry(&t, 0x3f000000000ull, 1, 0x80, 0xff);
	assert_int_equal(mcfg_parse(t.b, t.n, &m, why, sizeof(why)), 0);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.seg[1].segment, 1);
	assert_int_equal(mcfg_window_start(&m.seg[1]), 0x3f008000000ull);
}

static void overlaps(void **state)
{
	struct tbuf t;
	struct mcfg_info m;

	(void)state;
	/* Segment 1's window inside segment 0's. */
	tb_load(&t, ami_mcfg, sizeof(ami_mcfg));
	add_entry(&t, 0x88000000, 1, 0, 0x0f);
	assert_int_equal(mcfg_parse(t.b, t.n, &m, why, sizeof(why)), -1);
	assert_string_equal(why, "MCFG entries 0 and 1 overlap: 0x80000000-0x8fffffff and 0x88000000-0x88ffffff");
	/* The same buses of segment 0 twice, elsewhere in memory. */
	tb_load(&t, ami_mcfg, sizeof(ami_mcfg));
	add_entry(&t, 0xc0000000, 0, 0x10, 0x1f);
	assert_int_equal(mcfg_parse(t.b, t.n, &m, why, sizeof(why)), -1);
	assert_string_equal(why, "MCFG entries 0 and 1 both claim buses of segment 0 (0-255 and 16-31)");
	/* Adjacent windows do not overlap. */
	tb_load(&t, ami_mcfg, sizeof(ami_mcfg));
	add_entry(&t, 0x90000000, 1, 0, 0xff);
	assert_int_equal(mcfg_parse(t.b, t.n, &m, why, sizeof(why)), 0);
}

static void bad_entries(void **state)
{
	struct tbuf t;
	struct mcfg_info m;

	(void)state;
	tb_load(&t, olpc_mcfg, sizeof(olpc_mcfg));
	t.b[47] = 0xe0;
	t.b[46] = 0x08; /* base 0xe0080000 */
	tb_fix(&t);
	assert_int_equal(mcfg_parse(t.b, t.n, &m, why, sizeof(why)), -1);
	assert_string_equal(why, "MCFG entry 0 (segment 0): base 0xe0080000 is not 1 MiB aligned");

	tb_load(&t, olpc_mcfg, sizeof(olpc_mcfg));
	t.b[54] = 5;
	t.b[55] = 4;
	tb_fix(&t);
	assert_int_equal(mcfg_parse(t.b, t.n, &m, why, sizeof(why)), -1);
	assert_string_equal(why, "MCFG entry 0 (segment 0): end bus 4 is below start bus 5");

	tb_load(&t, olpc_mcfg, sizeof(olpc_mcfg));
	tb_put64(t.b + 44, 0xfffffffffff00000ull);
	tb_fix(&t);
	assert_int_equal(mcfg_parse(t.b, t.n, &m, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "past 52-bit"));
}

static void truncated_and_bad_checksum(void **state)
{
	struct tbuf t;
	struct mcfg_info m;

	(void)state;
	assert_int_equal(mcfg_parse(ami_mcfg, 59, &m, why, sizeof(why)), -1);
	assert_string_equal(why, "the MCFG's length 60 runs past the 59 bytes there are");

	tb_load(&t, ami_mcfg, sizeof(ami_mcfg));
	t.n = 52; /* half an entry */
	tb_fix(&t);
	assert_int_equal(mcfg_parse(t.b, t.n, &m, why, sizeof(why)), -1);
	assert_string_equal(why, "the MCFG's length 52 leaves a torn entry (8 bytes past the last whole one)");

	t.n = 44;
	tb_fix(&t);
	assert_int_equal(mcfg_parse(t.b, t.n, &m, why, sizeof(why)), -1);
	assert_string_equal(why, "the MCFG lists no segment");

	t.n = 40;
	tb_fix(&t);
	assert_int_equal(mcfg_parse(t.b, t.n, &m, why, sizeof(why)), -1);
	assert_string_equal(why, "the MCFG's length 40 is shorter than its layout (44 bytes)");

	tb_load(&t, ami_mcfg, sizeof(ami_mcfg));
	t.b[55] = 0x7f; /* end bus changed, checksum not */
	assert_int_equal(mcfg_parse(t.b, t.n, &m, why, sizeof(why)), -1);
	assert_string_equal(why, "the MCFG's checksum is wrong (its 60 bytes sum to 0x80, not 0)");
	assert_int_equal(m.n, 0);

	assert_int_equal(mcfg_parse(olpc_mcfg + 1, sizeof(olpc_mcfg) - 1, &m, why, sizeof(why)), -1);
	assert_string_equal(why, "the table has no \"MCFG\" signature");
}

static void too_many(void **state)
{
	struct tbuf t;
	struct mcfg_info m;

	(void)state;
	tb_load(&t, ami_mcfg, sizeof(ami_mcfg));
	for (unsigned i = 1; i <= MCFG_MAX_SEGMENTS; i++)
		add_entry(&t, 0x100000000ull * i, (uint16_t)i, 0, 0xff);
	assert_int_equal(mcfg_parse(t.b, t.n, &m, why, sizeof(why)), -1);
	assert_string_equal(why, "the MCFG lists 17 entries; Shale takes 16 at most");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ami_server),
		cmocka_unit_test(olpc_one_bus),
		cmocka_unit_test(several_segments),
		cmocka_unit_test(overlaps),
		cmocka_unit_test(bad_entries),
		cmocka_unit_test(truncated_and_bad_checksum),
		cmocka_unit_test(too_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
