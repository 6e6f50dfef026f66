/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for arch/x86/tsc_source.c: the TSC-rate choice on the CPUID
 * leaves of real CPUs (values from public CPUID dumps, written here as
 * facts), on leaves that read 0, and on a CPU that lacks them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "arch/x86/tsc_source.h"

/* Intel Pentium G4600 @ 3.60GHz (Kaby Lake, 06_9EH): CPUID.0 = 16H,
 * 1:EAX = 000906E9, 15H = 00000002-0000012C-00000000-00000000 (no
 * crystal), 16H = 00000E10-00000E10-00000064-00000000 (3600 MHz). */
static const struct tsc_cpuid kaby_lake = {
	.max_leaf = 0x16, .intel = true, .signature = 0x000906e9,
	.l15_eax = 2, .l15_ebx = 0x12c, .l15_ecx = 0, .l16_eax = 0xe10,
};

/* Intel Core i7-1065G7 (Ice Lake client, 06_7EH): CPUID.0 = 1BH,
 * 1:EAX = 000706E5, 15H = 00000002-0000004E-0249F000 (38.4 MHz crystal),
 * 16H = 000005DC (1500 MHz). Bochs' corei7_icelake_u reports the same
 * leaves, while its TSC counts at its `ips` rate. */
static const struct tsc_cpuid ice_lake = {
	.max_leaf = 0x1b, .intel = true, .signature = 0x000706e5,
	.l15_eax = 2, .l15_ebx = 0x4e, .l15_ecx = 0x0249f000, .l16_eax = 0x5dc,
};

/* Intel Core i7 (Nehalem, 06_1AH): CPUID.0 = 0BH, 1:EAX = 000106A2;
 * leaves 15H and 16H do not exist. */
static const struct tsc_cpuid nehalem = {
	.max_leaf = 0xb, .intel = true, .signature = 0x000106a2,
};

/* AMD EPYC in a virtual machine (the development machine's own CPUID):
 * CPUID.0 = 0000000D "AuthenticAMD", 1:EAX = 00B00F21, 1:ECX bit 31 (a
 * hypervisor) set; 15H and 16H beyond the maximum, and read 0 there. */
static const struct tsc_cpuid epyc_vm = {
	.max_leaf = 0xd, .intel = false, .signature = 0x00b00f21,
};

static void kaby_lake_crystal_from_the_sdm_table(void **state)
{
	struct tsc_rate r;
	char line[160];

	(void)state;
	tsc_choose(&kaby_lake, 0, &r);
	assert_int_equal(r.source, TSC_SRC_CPUID_15_SDM);
	assert_int_equal(r.hz, 3600000000ull); /* 24 MHz x 300 / 2 */
	assert_int_equal(r.crystal_hz, 24000000);
	tsc_describe(&r, line, sizeof(line));
	assert_string_equal(line, "3600.0 MHz from CPUID 0x15 (crystal 24 MHz x 300/2; "
			    "the crystal from the SDM's table for this model)");
}

static void ice_lake_crystal_from_ecx(void **state)
{
	struct tsc_rate r;
	char line[160];

	(void)state;
	/* A real PIT agrees within a fraction of a percent: CPUID wins. */
	tsc_choose(&ice_lake, 1497000000ull, &r);
	assert_int_equal(r.source, TSC_SRC_CPUID_15);
	assert_int_equal(r.hz, 1497600000ull); /* 38.4 MHz x 78 / 2 */
	assert_false(r.cpuid_overruled);
	tsc_describe(&r, line, sizeof(line));
	assert_string_equal(line, "1497.6 MHz from CPUID 0x15 (crystal 38.4 MHz x 78/2)");
}

static void gated_pit_leaves_cpuid(void **state)
{
	struct tsc_rate r;

	(void)state;
	tsc_choose(&ice_lake, 0, &r);
	assert_int_equal(r.source, TSC_SRC_CPUID_15);
	assert_int_equal(r.hz, 1497600000ull);
	/* A port 0x61 that reads 0xff ends the wait at once: a few
	 * thousand TSC ticks per 10 ms is no PIT. */
	tsc_choose(&ice_lake, 350000, &r);
	assert_int_equal(r.source, TSC_SRC_CPUID_15);
	assert_int_equal(r.pit_hz, 0);
}

static void emulator_overruled_by_the_pit(void **state)
{
	struct tsc_rate r;
	char line[200];

	(void)state;
	/* Bochs with ips=200000000: the PIT counts emulated time, and so
	 * does the TSC, at 200 MHz; CPUID still says 1497.6. */
	tsc_choose(&ice_lake, 200000000ull, &r);
	assert_int_equal(r.source, TSC_SRC_PIT);
	assert_int_equal(r.hz, 200000000ull);
	assert_true(r.cpuid_overruled);
	assert_int_equal(r.cpuid_hz, 1497600000ull);
	tsc_describe(&r, line, sizeof(line));
	assert_string_equal(line, "200.0 MHz from the PIT (CPUID says 1497.6 MHz, "
			    "which is not this TSC's rate: an emulator?)");
}

static void agreement_bound(void **state)
{
	struct tsc_rate r;

	(void)state;
	/* Within 10 % of the PIT's rate agrees, 11 % does not. */
	tsc_choose(&ice_lake, 1497600000ull * 100 / 109, &r);
	assert_int_equal(r.source, TSC_SRC_CPUID_15);
	tsc_choose(&ice_lake, 1497600000ull * 100 / 111, &r);
	assert_int_equal(r.source, TSC_SRC_PIT);
}

static void nominal_rates_agree_closely(void **state)
{
	/* Kaby Lake's rate comes from the SDM's crystal table: a PIT within
	 * 2 % agrees, one 4 % off (24 vs 25 MHz: the Xeon W / Xeon Scalable
	 * ambiguity of 06_55H) does not. */
	struct tsc_cpuid c = kaby_lake;
	struct tsc_rate r;

	(void)state;
	tsc_choose(&kaby_lake, 3590000000ull, &r);
	assert_int_equal(r.source, TSC_SRC_CPUID_15_SDM);
	tsc_choose(&kaby_lake, 3456000000ull, &r);
	assert_int_equal(r.source, TSC_SRC_PIT);
	assert_true(r.cpuid_overruled);
	/* 16H's base frequency likewise. */
	c.l15_ebx = 0;
	tsc_choose(&c, 3610000000ull, &r);
	assert_int_equal(r.source, TSC_SRC_CPUID_16);
	tsc_choose(&c, 3800000000ull, &r);
	assert_int_equal(r.source, TSC_SRC_PIT);
}

static void nehalem_has_no_leaves(void **state)
{
	struct tsc_rate r;
	char line[160];

	(void)state;
	tsc_choose(&nehalem, 2667000000ull, &r);
	assert_int_equal(r.source, TSC_SRC_PIT);
	assert_false(r.cpuid_overruled);
	assert_int_equal(r.hz, 2667000000ull);
	tsc_describe(&r, line, sizeof(line));
	assert_string_equal(line, "2667.0 MHz from the PIT (CPUID does not say)");
	tsc_choose(&nehalem, 0, &r);
	assert_int_equal(r.source, TSC_SRC_NONE);
	assert_int_equal(r.hz, TSC_GUESS_HZ);
	tsc_describe(&r, line, sizeof(line));
	assert_non_null(strstr(line, "guessed"));
}

static void amd_in_a_vm_has_no_leaves(void **state)
{
	struct tsc_rate r;

	(void)state;
	assert_int_equal(tsc_cpuid_rate(&epyc_vm, &r), 0);
	tsc_choose(&epyc_vm, 2400000000ull, &r);
	assert_int_equal(r.source, TSC_SRC_PIT);
	assert_int_equal(r.hz, 2400000000ull);
}

static void leaves_present_but_zero(void **state)
{
	/* A hypervisor that raises the maximum leaf but leaves 15H and 16H
	 * zero (KVM does for many CPU models): nothing from CPUID. */
	struct tsc_cpuid c = ice_lake;
	struct tsc_rate r;

	(void)state;
	c.l15_eax = c.l15_ebx = c.l15_ecx = c.l16_eax = 0;
	tsc_choose(&c, 2000000000ull, &r);
	assert_int_equal(r.source, TSC_SRC_PIT);
	assert_false(r.cpuid_overruled);
	/* A ratio with a zero denominator is not a ratio. */
	c = ice_lake;
	c.l15_eax = 0;
	c.l16_eax = 0;
	assert_int_equal(tsc_cpuid_rate(&c, &r), 0);
}

static void base_frequency_from_leaf_16(void **state)
{
	/* Ice Lake's leaves with ECX cleared: 06_7EH is not in the SDM's
	 * crystal table, so the ratio alone says nothing and 16H's base
	 * frequency is the answer. */
	struct tsc_cpuid c = ice_lake;
	struct tsc_rate r;
	char line[160];

	(void)state;
	c.l15_ecx = 0;
	tsc_choose(&c, 0, &r);
	assert_int_equal(r.source, TSC_SRC_CPUID_16);
	assert_int_equal(r.hz, 1500000000ull);
	tsc_describe(&r, line, sizeof(line));
	assert_string_equal(line, "1500.0 MHz from CPUID 0x16 (base frequency)");
	/* The SDM's table is Intel's: another vendor's family 6 gets none. */
	c = kaby_lake;
	c.intel = false;
	tsc_choose(&c, 0, &r);
	assert_int_equal(r.source, TSC_SRC_CPUID_16);
}

static void shale_guest_leaves(void **state)
{
	/* What Shale itself tells its guests (vmm/cpuid.c): ratio 1/1,
	 * ECX = its own TSC rate. A Shale in a Shale reads it exactly. */
	struct tsc_cpuid c = ice_lake;
	struct tsc_rate r;

	(void)state;
	c.l15_eax = 1;
	c.l15_ebx = 1;
	c.l15_ecx = 200000000;
	c.l16_eax = 200;
	tsc_choose(&c, 199990000ull, &r);
	assert_int_equal(r.source, TSC_SRC_CPUID_15);
	assert_int_equal(r.hz, 200000000ull);
}

static void sdm_crystal_table(void **state)
{
	struct tsc_rate r = { .source = TSC_SRC_CPUID_15_SDM, .hz = 1094400000ull,
			      .crystal_hz = 19200000, .num = 114, .den = 2 };
	char line[160];

	(void)state;
	assert_int_equal(tsc_sdm_crystal_hz(0x000506e3), 24000000); /* Skylake 06_5EH */
	assert_int_equal(tsc_sdm_crystal_hz(0x000406e3), 24000000); /* Skylake 06_4EH */
	assert_int_equal(tsc_sdm_crystal_hz(0x000806ea), 24000000); /* Kaby Lake 06_8EH */
	assert_int_equal(tsc_sdm_crystal_hz(0x00050654), 25000000); /* Xeon Scalable 06_55H */
	assert_int_equal(tsc_sdm_crystal_hz(0x000506c9), 19200000); /* Goldmont 06_5CH */
	assert_int_equal(tsc_sdm_crystal_hz(0x000706e5), 0);        /* Ice Lake reports ECX */
	assert_int_equal(tsc_sdm_crystal_hz(0x00b00f21), 0);        /* family 1AH */
	assert_int_equal(tsc_sdm_crystal_hz(0x00000f4e), 0);        /* family 15, model 4 */
	tsc_describe(&r, line, sizeof(line));
	assert_non_null(strstr(line, "crystal 19.2 MHz x 114/2"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kaby_lake_crystal_from_the_sdm_table),
		cmocka_unit_test(ice_lake_crystal_from_ecx),
		cmocka_unit_test(gated_pit_leaves_cpuid),
		cmocka_unit_test(emulator_overruled_by_the_pit),
		cmocka_unit_test(agreement_bound),
		cmocka_unit_test(nominal_rates_agree_closely),
		cmocka_unit_test(nehalem_has_no_leaves),
		cmocka_unit_test(amd_in_a_vm_has_no_leaves),
		cmocka_unit_test(leaves_present_but_zero),
		cmocka_unit_test(base_frequency_from_leaf_16),
		cmocka_unit_test(shale_guest_leaves),
		cmocka_unit_test(sdm_crystal_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
