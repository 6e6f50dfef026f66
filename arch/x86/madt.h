/* SPDX-License-Identifier: MIT */
/*
 * The host's processors, as the firmware's ACPI tables list them: the MADT
 * (Multiple APIC Description Table, signature "APIC", ACPI 6.5 section
 * 5.2.12), found through the RSDP's XSDT (or, for ACPI 1.0, its RSDT).
 *
 * The parser is pure: it reads a table in memory, trusts no length in it,
 * and says what it skipped and why, one message per problem, so that the
 * unit tests can feed it broken tables.
 */
#ifndef SHALE_ARCH_X86_MADT_H
#define SHALE_ARCH_X86_MADT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most host CPUs Shale takes (the bits of a CPU mask, as in
 * CONFIG_MAX_HOST_CPUS). Processors past it are named and left out. */
#define MADT_MAX_CPUS 64

#define MADT_HEADER_LEN 44 /* the SDT header (36) + local APIC address + flags */

/* Entry types and flags, ACPI 6.5 sections 5.2.12.2 and 5.2.12.12. */
#define MADT_TYPE_LOCAL_APIC 0
#define MADT_TYPE_LOCAL_X2APIC 9
#define MADT_LAPIC_ENABLED (1u << 0)
#define MADT_LAPIC_ONLINE_CAPABLE (1u << 1) /* may be enabled later, by us */

struct madt_cpu {
	uint32_t apic_id;
	uint32_t uid;   /* ACPI processor UID */
	uint32_t flags; /* MADT_LAPIC_* */
	bool x2apic;    /* from a type 9 entry */
};

struct madt_info {
	uint32_t lapic_addr;          /* the 32-bit local APIC address */
	unsigned n_cpus;              /* usable: enabled or online-capable */
	struct madt_cpu cpus[MADT_MAX_CPUS];
	unsigned n_disabled;          /* neither enabled nor online-capable */
	unsigned n_over_max;          /* usable, but past MADT_MAX_CPUS */
	uint32_t first_over_max;      /* APIC ID of the first of those */
};

typedef void (*madt_report_fn)(void *ctx, const char *msg);

/*
 * Parse the MADT at table, of which `avail` bytes may be read. Fills *out
 * with the processors in table order. Each problem (bad length, an entry
 * of length 0 or past the end, a duplicate APIC ID, a bad checksum) goes
 * to report (may be NULL). Returns the number of problems, or -1 when the
 * table is not a MADT at all (wrong signature, length below the header or
 * beyond avail); then out->n_cpus is 0.
 */
int madt_parse(const void *table, size_t avail, struct madt_info *out,
	       madt_report_fn report, void *ctx);

/*
 * Find the ACPI table with this 4-character signature through the RSDP at
 * physical address rsdp (identity mapped): the XSDT when the RSDP has one
 * (revision >= 2), else the RSDT. Returns its address, or 0; *len gets its
 * length field. Checks the RSDP's signature and the tables' signatures.
 */
uint64_t acpi_find_table(uint64_t rsdp, const char sig[4], uint32_t *len);

#endif
