/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for arch/x86/madt.c: MADTs built byte by byte, good and
 * broken, and the RSDP -> XSDT/RSDT walk over tables in this process's
 * memory (the parser takes host-physical addresses as pointers).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "arch/x86/madt.h"

struct table {
	uint8_t b[4096];
	size_t n;
};

static char msgs[16][160];
static unsigned n_msgs;

static void record(void *ctx, const char *msg)
{
	(void)ctx;
	if (n_msgs < 16)
		snprintf(msgs[n_msgs], sizeof(msgs[0]), "%s", msg);
	n_msgs++;
}

static bool said(const char *part)
{
	for (unsigned i = 0; i < n_msgs && i < 16; i++)
		if (strstr(msgs[i], part))
			return true;
	return false;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

/* The header; the length and checksum are set by finish(). */
static void start(struct table *t)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->b, "APIC", 4);
	t->b[8] = 5; /* revision */
	memcpy(t->b + 10, "SHALE ", 6);
	put32(t->b + 36, 0xfee00000);
	put32(t->b + 40, 1); /* PCAT_COMPAT */
	t->n = MADT_HEADER_LEN;
	n_msgs = 0;
}

static void lapic(struct table *t, uint8_t uid, uint8_t id, uint32_t flags)
{
	uint8_t *e = t->b + t->n;

	e[0] = MADT_TYPE_LOCAL_APIC;
	e[1] = 8;
	e[2] = uid;
	e[3] = id;
	put32(e + 4, flags);
	t->n += 8;
}

static void x2apic(struct table *t, uint32_t id, uint32_t flags, uint32_t uid)
{
	uint8_t *e = t->b + t->n;

	e[0] = MADT_TYPE_LOCAL_X2APIC;
	e[1] = 16;
	e[2] = e[3] = 0;
	put32(e + 4, id);
	put32(e + 8, flags);
	put32(e + 12, uid);
	t->n += 16;
}

/* Another entry type (an I/O APIC, type 1, 12 bytes): skipped by length. */
static void ioapic(struct table *t)
{
	uint8_t *e = t->b + t->n;

	memset(e, 0, 12);
	e[0] = 1;
	e[1] = 12;
	put32(e + 4, 0xfec00000);
	t->n += 12;
}

static void finish(struct table *t)
{
	uint8_t sum = 0;

	put32(t->b + 4, t->n);
	t->b[9] = 0;
	for (size_t i = 0; i < t->n; i++)
		sum += t->b[i];
	t->b[9] = -sum;
}

static void test_xapic_and_x2apic(void **state)
{
	struct table t;
	struct madt_info m;

	(void)state;
	start(&t);
	lapic(&t, 0, 0, MADT_LAPIC_ENABLED);
	ioapic(&t);
	lapic(&t, 1, 2, MADT_LAPIC_ENABLED);
	x2apic(&t, 300, MADT_LAPIC_ENABLED, 7);
	finish(&t);
	assert_int_equal(madt_parse(t.b, t.n, &m, record, NULL), 0);
	assert_int_equal(n_msgs, 0);
	assert_int_equal(m.lapic_addr, 0xfee00000);
	assert_int_equal(m.n_cpus, 3);
	assert_int_equal(m.cpus[0].apic_id, 0);
	assert_int_equal(m.cpus[1].apic_id, 2);
	assert_int_equal(m.cpus[1].uid, 1);
	assert_false(m.cpus[1].x2apic);
	assert_int_equal(m.cpus[2].apic_id, 300);
	assert_int_equal(m.cpus[2].uid, 7);
	assert_true(m.cpus[2].x2apic);
}

static void test_disabled_and_online_capable(void **state)
{
	struct table t;
	struct madt_info m;

	(void)state;
	start(&t);
	lapic(&t, 0, 0, MADT_LAPIC_ENABLED);
	lapic(&t, 1, 1, 0);                         /* not present */
	lapic(&t, 2, 2, MADT_LAPIC_ONLINE_CAPABLE); /* ours to start */
	x2apic(&t, 3, 0, 3);                        /* not present */
	finish(&t);
	assert_int_equal(madt_parse(t.b, t.n, &m, record, NULL), 0);
	assert_int_equal(m.n_cpus, 2);
	assert_int_equal(m.n_disabled, 2);
	assert_int_equal(m.cpus[1].apic_id, 2);
	assert_int_equal(m.cpus[1].flags, MADT_LAPIC_ONLINE_CAPABLE);
}

static void test_duplicates(void **state)
{
	struct table t;
	struct madt_info m;

	(void)state;
	start(&t);
	lapic(&t, 0, 0, MADT_LAPIC_ENABLED);
	lapic(&t, 1, 1, MADT_LAPIC_ENABLED);
	x2apic(&t, 1, MADT_LAPIC_ENABLED, 9); /* the same CPU again */
	lapic(&t, 2, 0, MADT_LAPIC_ENABLED);  /* and the first one again */
	finish(&t);
	assert_int_equal(madt_parse(t.b, t.n, &m, record, NULL), 2);
	assert_int_equal(m.n_cpus, 2);
	assert_int_equal(m.cpus[1].uid, 1); /* the first entry wins */
	assert_true(said("offset 60: APIC ID 1 is listed twice"));
	assert_true(said("offset 76: APIC ID 0 is listed twice"));
}

static void test_broadcast_ids(void **state)
{
	struct table t;
	struct madt_info m;

	(void)state;
	start(&t);
	lapic(&t, 0, 0, MADT_LAPIC_ENABLED);
	lapic(&t, 1, 0xff, MADT_LAPIC_ENABLED);
	x2apic(&t, 0xffffffff, MADT_LAPIC_ENABLED, 2);
	finish(&t);
	assert_int_equal(madt_parse(t.b, t.n, &m, record, NULL), 2);
	assert_int_equal(m.n_cpus, 1);
	assert_true(said("local APIC ID 255 is the broadcast ID"));
	assert_true(said("x2APIC ID 0xffffffff"));
}

static void test_not_a_madt(void **state)
{
	struct table t;
	struct madt_info m;

	(void)state;
	start(&t);
	lapic(&t, 0, 0, MADT_LAPIC_ENABLED);
	finish(&t);
	memcpy(t.b, "FACP", 4);
	assert_int_equal(madt_parse(t.b, t.n, &m, record, NULL), -1);
	assert_true(said("no \"APIC\" signature"));
	assert_int_equal(m.n_cpus, 0);

	/* shorter than what may be read */
	start(&t);
	finish(&t);
	assert_int_equal(madt_parse(t.b, 20, &m, record, NULL), -1);
}

static void test_bad_table_length(void **state)
{
	struct table t;
	struct madt_info m;

	(void)state;
	start(&t);
	lapic(&t, 0, 0, MADT_LAPIC_ENABLED);
	finish(&t);
	put32(t.b + 4, 40); /* below the header */
	assert_int_equal(madt_parse(t.b, t.n, &m, record, NULL), -1);
	assert_true(said("length 40 is shorter than its header"));

	n_msgs = 0;
	put32(t.b + 4, 4000); /* beyond what there is */
	assert_int_equal(madt_parse(t.b, t.n, &m, record, NULL), -1);
	assert_true(said("length 4000 is longer than the table"));
	assert_int_equal(m.n_cpus, 0);
}

static void test_bad_checksum_is_read_anyway(void **state)
{
	struct table t;
	struct madt_info m;

	(void)state;
	start(&t);
	lapic(&t, 0, 0, MADT_LAPIC_ENABLED);
	finish(&t);
	t.b[9] ^= 1;
	assert_int_equal(madt_parse(t.b, t.n, &m, record, NULL), 1);
	assert_true(said("checksum is wrong"));
	assert_int_equal(m.n_cpus, 1);
}

static void test_entry_length_zero(void **state)
{
	struct table t;
	struct madt_info m;

	(void)state;
	start(&t);
	lapic(&t, 0, 0, MADT_LAPIC_ENABLED);
	t.b[t.n] = MADT_TYPE_LOCAL_APIC; /* length 0: would loop forever */
	t.b[t.n + 1] = 0;
	t.n += 8;
	lapic(&t, 2, 2, MADT_LAPIC_ENABLED); /* unreachable */
	finish(&t);
	assert_int_equal(madt_parse(t.b, t.n, &m, record, NULL), 1);
	assert_true(said("offset 52: length 0; the rest of the table is not read"));
	assert_int_equal(m.n_cpus, 1);
}

static void test_entry_past_end(void **state)
{
	struct table t;
	struct madt_info m;

	(void)state;
	start(&t);
	lapic(&t, 0, 0, MADT_LAPIC_ENABLED);
	x2apic(&t, 5, MADT_LAPIC_ENABLED, 5);
	finish(&t);
	put32(t.b + 4, t.n - 4); /* the x2APIC entry now runs past the end */
	assert_int_equal(madt_parse(t.b, t.n, &m, record, NULL), 2); /* + checksum */
	assert_true(said("offset 52: length 16 runs past the end of the table (64 bytes)"));
	assert_int_equal(m.n_cpus, 1);

	/* one byte left over: not even a type and a length */
	start(&t);
	lapic(&t, 0, 0, MADT_LAPIC_ENABLED);
	t.n += 1;
	finish(&t);
	assert_int_equal(madt_parse(t.b, t.n, &m, record, NULL), 1);
	assert_true(said("offset 52: cut off by the end of the table"));
}

static void test_short_cpu_entries(void **state)
{
	struct table t;
	struct madt_info m;

	(void)state;
	start(&t);
	lapic(&t, 0, 0, MADT_LAPIC_ENABLED);
	lapic(&t, 1, 1, MADT_LAPIC_ENABLED);
	t.b[t.n - 8 + 1] = 6;            /* a local APIC entry of 6 bytes */
	t.n -= 2;
	x2apic(&t, 9, MADT_LAPIC_ENABLED, 9);
	t.b[t.n - 16 + 1] = 12;          /* an x2APIC entry of 12 bytes */
	t.n -= 4;
	lapic(&t, 2, 2, MADT_LAPIC_ENABLED); /* still found after them */
	finish(&t);
	assert_int_equal(madt_parse(t.b, t.n, &m, record, NULL), 2);
	assert_true(said("a local APIC entry of length 6 (must be 8)"));
	assert_true(said("a local x2APIC entry of length 12 (must be 16)"));
	assert_int_equal(m.n_cpus, 2);
	assert_int_equal(m.cpus[1].apic_id, 2);
}

static void test_more_than_max(void **state)
{
	struct table t;
	struct madt_info m;

	(void)state;
	start(&t);
	for (unsigned i = 0; i < MADT_MAX_CPUS + 3; i++)
		x2apic(&t, 1000 + i, MADT_LAPIC_ENABLED, i);
	finish(&t);
	assert_int_equal(madt_parse(t.b, t.n, &m, record, NULL), 0);
	assert_int_equal(m.n_cpus, MADT_MAX_CPUS);
	assert_int_equal(m.n_over_max, 3);
	assert_int_equal(m.first_over_max, 1000 + MADT_MAX_CPUS);
	assert_int_equal(m.cpus[MADT_MAX_CPUS - 1].apic_id, 1000 + MADT_MAX_CPUS - 1);
}

/* RSDP (revision 2, with an XSDT), and an ACPI 1.0 RSDP with an RSDT.
 * The RSDT holds 32-bit addresses: the tables must sit below 4 GiB, so
 * that part runs only where this process's data does. */
static uint8_t rsdp[36], xsdt[36 + 16], rsdt[36 + 8], facp[36];
static struct table madt_t;

static void test_find_through_xsdt(void **state)
{
	uint32_t len;

	(void)state;
	start(&madt_t);
	lapic(&madt_t, 0, 0, MADT_LAPIC_ENABLED);
	finish(&madt_t);
	memcpy(facp, "FACP", 4);
	put32(facp + 4, sizeof(facp));
	memcpy(rsdp, "RSD PTR ", 8);
	rsdp[15] = 2;
	memcpy(xsdt, "XSDT", 4);
	put32(xsdt + 4, sizeof(xsdt));
	for (int i = 0; i < 8; i++) {
		xsdt[36 + i] = (uint64_t)(uintptr_t)facp >> (8 * i);
		xsdt[44 + i] = (uint64_t)(uintptr_t)madt_t.b >> (8 * i);
		rsdp[24 + i] = (uint64_t)(uintptr_t)xsdt >> (8 * i);
	}
	assert_int_equal(acpi_find_table((uintptr_t)rsdp, "APIC", &len),
			 (uintptr_t)madt_t.b);
	assert_int_equal(len, madt_t.n);
	assert_int_equal(acpi_find_table((uintptr_t)rsdp, "HPET", &len), 0);
	/* not an RSDP */
	rsdp[0] = 'X';
	assert_int_equal(acpi_find_table((uintptr_t)rsdp, "APIC", &len), 0);
	rsdp[0] = 'R';
	/* the XSDT's signature is checked */
	xsdt[0] = 'R';
	assert_int_equal(acpi_find_table((uintptr_t)rsdp, "APIC", &len), 0);
	xsdt[0] = 'X';

	if ((uintptr_t)madt_t.b >> 32 || (uintptr_t)rsdt >> 32)
		return; /* an ACPI 1.0 RSDT cannot point this high */
	rsdp[15] = 0;
	memcpy(rsdt, "RSDT", 4);
	put32(rsdt + 4, sizeof(rsdt));
	put32(rsdt + 36, (uint32_t)(uintptr_t)facp);
	put32(rsdt + 40, (uint32_t)(uintptr_t)madt_t.b);
	put32(rsdp + 16, (uint32_t)(uintptr_t)rsdt);
	assert_int_equal(acpi_find_table((uintptr_t)rsdp, "APIC", &len),
			 (uintptr_t)madt_t.b);
}

/* OLPC XO-1.5 (VIA VX855, Phoenix "PTLTD " "\t APIC  "), from a public
 * acpidump; its checksum verifies: one processor (APIC ID 0), an I/O APIC
 * at 0xfec00000, a LINT1 NMI and two interrupt source overrides, which
 * the parser passes over. */
static const uint8_t olpc_madt[90] = {
	0x41, 0x50, 0x49, 0x43, 0x5a, 0x00, 0x00, 0x00, 0x01, 0x3c, 0x50, 0x54, 0x4c, 0x54, 0x44, 0x20,
	0x09, 0x20, 0x41, 0x50, 0x49, 0x43, 0x20, 0x20, 0x00, 0x00, 0x04, 0x06, 0x20, 0x4c, 0x54, 0x50,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe0, 0xfe, 0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x01, 0x0c, 0x01, 0x00, 0x00, 0x00, 0xc0, 0xfe, 0x00, 0x00, 0x00, 0x00,
	0x04, 0x06, 0x00, 0x05, 0x00, 0x01, 0x02, 0x0a, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x05, 0x00,
	0x02, 0x0a, 0x00, 0x09, 0x09, 0x00, 0x00, 0x00, 0x0f, 0x00,
};

static void test_real_olpc_madt(void **state)
{
	struct madt_info info;

	(void)state;
	n_msgs = 0;
	assert_int_equal(madt_parse(olpc_madt, sizeof(olpc_madt), &info, record, NULL), 0);
	assert_int_equal(n_msgs, 0);
	assert_int_equal(info.lapic_addr, 0xfee00000);
	assert_int_equal(info.n_cpus, 1);
	assert_int_equal(info.cpus[0].apic_id, 0);
	assert_int_equal(info.cpus[0].flags, MADT_LAPIC_ENABLED);
	assert_false(info.cpus[0].x2apic);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_olpc_madt),
		cmocka_unit_test(test_xapic_and_x2apic),
		cmocka_unit_test(test_disabled_and_online_capable),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_broadcast_ids),
		cmocka_unit_test(test_not_a_madt),
		cmocka_unit_test(test_bad_table_length),
		cmocka_unit_test(test_bad_checksum_is_read_anyway),
		cmocka_unit_test(test_entry_length_zero),
		cmocka_unit_test(test_entry_past_end),
		cmocka_unit_test(test_short_cpu_entries),
		cmocka_unit_test(test_more_than_max),
		cmocka_unit_test(test_find_through_xsdt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
