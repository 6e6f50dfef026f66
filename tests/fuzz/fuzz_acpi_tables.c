/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the SPCR, MCFG and MADT parsers (arch/x86/acpi_spcr.c,
 * acpi_mcfg.c, madt.c). The first byte picks the parser and whether the header is
 * made valid first (signature, length = the bytes given, checksum), so
 * the fuzzer reaches the fields behind the header, not only the checks in
 * front of it. The table sits in a buffer of exactly its size: ASan
 * catches a read past it. A table accepted must satisfy what the boot
 * code relies on; a table refused must say why in one line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/acpi_mcfg.h"
#include "arch/x86/acpi_spcr.h"
#include "arch/x86/acpi_table.h"
#include "arch/x86/madt.h"
#include "tests/fuzz/fuzz_check.h"

static void check_why(int rc, const char *why)
{
	if (rc == 0)
		return;
	CHECK(rc == -1);
	CHECK(why[0] != '\0');
	CHECK(!strchr(why, '\n'));
}

static void fuzz_spcr(const uint8_t *t, size_t n)
{
	struct spcr_uart u;
	char why[200] = "";
	int rc = spcr_parse(t, n, &u, why, sizeof(why));

	check_why(rc, why);
	if (rc)
		return;
	CHECK(u.interface_type == SPCR_IF_16550 ||
	      u.interface_type == SPCR_IF_16550_SUBSET ||
	      u.interface_type == SPCR_IF_16550_GAS);
	CHECK(u.base != 0);
	CHECK(u.reg_width == 1 || u.reg_width == 2 || u.reg_width == 4);
	CHECK(u.stride == u.reg_width);
	if (u.mmio)
		CHECK((u.base & (u.reg_width - 1)) == 0);
	else
		CHECK(spcr_reg_addr(&u, 7) <= 0xffff);
}

static void fuzz_mcfg(const uint8_t *t, size_t n)
{
	struct mcfg_info m;
	char why[200] = "";
	int rc = mcfg_parse(t, n, &m, why, sizeof(why));

	check_why(rc, why);
	if (rc) {
		CHECK(m.n == 0);
		return;
	}
	CHECK(m.n >= 1 && m.n <= MCFG_MAX_SEGMENTS);
	for (unsigned i = 0; i < m.n; i++) {
		const struct mcfg_segment *a = &m.seg[i];

		CHECK(a->bus_start <= a->bus_end);
		CHECK((a->base & 0xfffff) == 0);
		CHECK(mcfg_window_end(a) <= MCFG_MAX_ADDR);
		for (unsigned j = 0; j < i; j++) {
			const struct mcfg_segment *b = &m.seg[j];

			CHECK(mcfg_window_end(a) <= mcfg_window_start(b) ||
			      mcfg_window_end(b) <= mcfg_window_start(a));
			CHECK(a->segment != b->segment ||
			      a->bus_end < b->bus_start || b->bus_end < a->bus_start);
		}
	}
}

static void count_problem(void *ctx, const char *msg)
{
	CHECK(msg[0] != '\0' && !strchr(msg, '\n'));
	(*(int *)ctx)++;
}

static void fuzz_madt(const uint8_t *t, size_t n)
{
	struct madt_info m;
	int said = 0;
	int rc = madt_parse(t, n, &m, count_problem, &said);

	/* Every problem counted is a problem said. */
	CHECK(rc == -1 ? m.n_cpus == 0 : rc == said);
	CHECK(m.n_cpus <= MADT_MAX_CPUS);
	for (unsigned i = 0; i < m.n_cpus; i++) {
		CHECK(m.cpus[i].flags & (MADT_LAPIC_ENABLED | MADT_LAPIC_ONLINE_CAPABLE));
		for (unsigned j = 0; j < i; j++)
			CHECK(m.cpus[i].apic_id != m.cpus[j].apic_id);
	}
}

static const char *const sigs[] = { "SPCR", "MCFG", "APIC" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t mode;
	uint8_t *t;
	size_t n;

	if (size < 1)
		return 0;
	mode = data[0] % 6; /* parser: mode % 3; header made valid: mode >= 3 */
	n = size - 1;
	t = malloc(n ? n : 1);
	memcpy(t, data + 1, n);
	if (mode >= 3 && n >= 10) {
		memcpy(t, sigs[mode % 3], 4);
		t[4] = (uint8_t)n;
		t[5] = (uint8_t)(n >> 8);
		t[6] = (uint8_t)(n >> 16);
		t[7] = (uint8_t)(n >> 24);
		t[9] = 0;
		t[9] = (uint8_t)(0x100 - acpi_sum(t, n));
	}
	if (mode % 3 == 0)
		fuzz_spcr(t, n);
	else if (mode % 3 == 1)
		fuzz_mcfg(t, n);
	else
		fuzz_madt(t, n);
	free(t);
	return 0;
}
