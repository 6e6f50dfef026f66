/* SPDX-License-Identifier: MIT */
/*
 * Reading the host's processors from the ACPI MADT (ACPI 6.5, 5.2.12).
 * Two entry types name a processor: the Processor Local APIC (type 0, an
 * 8-bit APIC ID) and the Processor Local x2APIC (type 9, 32-bit, for IDs
 * that do not fit in 8 bits). Firmware lists each processor once; a second
 * entry with the same APIC ID is reported and ignored.
 */
#include "arch/x86/acpi_table.h"
#include "arch/x86/madt.h"
#include "lib/printf.h"
#include "lib/string.h"

struct reporter {
	madt_report_fn fn;
	void *ctx;
	int problems;
};

static void problem(struct reporter *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem(struct reporter *r, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	r->problems++;
	if (!r->fn)
		return;
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->fn(r->ctx, msg);
}

static void add_cpu(struct madt_info *out, struct reporter *r, unsigned off,
		    uint32_t apic_id, uint32_t uid, uint32_t flags, bool x2apic)
{
	if (!(flags & (MADT_LAPIC_ENABLED | MADT_LAPIC_ONLINE_CAPABLE))) {
		out->n_disabled++;
		return;
	}
	for (unsigned i = 0; i < out->n_cpus; i++) {
		if (out->cpus[i].apic_id == apic_id) {
			problem(r, "MADT entry at offset %u: APIC ID %u is listed twice; the second entry is ignored",
				off, apic_id);
			return;
		}
	}
	if (out->n_cpus == MADT_MAX_CPUS) {
		if (!out->n_over_max++)
			out->first_over_max = apic_id;
		return;
	}
	out->cpus[out->n_cpus++] = (struct madt_cpu){ apic_id, uid, flags, x2apic };
}

int madt_parse(const void *table, size_t avail, struct madt_info *out,
	       madt_report_fn report, void *ctx)
{
	const uint8_t *t = table;
	struct reporter r = { report, ctx, 0 };
	uint32_t len;
	uint8_t sum;

	memset(out, 0, sizeof(*out));
	if (avail < MADT_HEADER_LEN || memcmp(t, "APIC", 4)) {
		problem(&r, "the MADT has no \"APIC\" signature");
		return -1;
	}
	len = acpi_get32(t + 4);
	if (len < MADT_HEADER_LEN || len > avail) {
		problem(&r, "the MADT's length %u is %s", len,
			len < MADT_HEADER_LEN ? "shorter than its header (44 bytes)"
					      : "longer than the table");
		return -1;
	}
	sum = acpi_sum(t, len);
	if (sum)
		problem(&r, "the MADT's checksum is wrong (bytes sum to 0x%02x); reading it anyway",
			sum);
	out->lapic_addr = acpi_get32(t + 36);

	for (uint32_t off = MADT_HEADER_LEN; off < len;) {
		const uint8_t *e = t + off;
		uint8_t type, elen;

		if (len - off < 2) {
			problem(&r, "MADT entry at offset %u: cut off by the end of the table", off);
			break;
		}
		type = e[0];
		elen = e[1];
		if (elen < 2) {
			/* Nothing tells where the next entry starts. */
			problem(&r, "MADT entry at offset %u: length %u; the rest of the table is not read",
				off, elen);
			break;
		}
		if (elen > len - off) {
			problem(&r, "MADT entry at offset %u: length %u runs past the end of the table (%u bytes)",
				off, elen, len);
			break;
		}
		if (type == MADT_TYPE_LOCAL_APIC) {
			if (elen < 8)
				problem(&r, "MADT entry at offset %u: a local APIC entry of length %u (must be 8); skipped",
					off, elen);
			else if (e[3] == 0xff)
				problem(&r, "MADT entry at offset %u: local APIC ID 255 is the broadcast ID; skipped",
					off);
			else
				add_cpu(out, &r, off, e[3], e[2], acpi_get32(e + 4), false);
		} else if (type == MADT_TYPE_LOCAL_X2APIC) {
			if (elen < 16)
				problem(&r, "MADT entry at offset %u: a local x2APIC entry of length %u (must be 16); skipped",
					off, elen);
			else if (acpi_get32(e + 4) == 0xffffffffu)
				problem(&r, "MADT entry at offset %u: x2APIC ID 0xffffffff is the broadcast ID; skipped",
					off);
			else
				add_cpu(out, &r, off, acpi_get32(e + 4), acpi_get32(e + 12),
					acpi_get32(e + 8), true);
		}
		off += elen;
	}
	return r.problems;
}

uint64_t acpi_find_table(uint64_t rsdp, const char sig[4], uint32_t *len)
{
	const uint8_t *p = (const uint8_t *)rsdp;
	const uint8_t *root;
	unsigned width;
	uint32_t root_len;

	*len = 0;
	if (!p || memcmp(p, "RSD PTR ", 8))
		return 0;
	/* ACPI 6.5, 5.2.5.3: revision 2 and later add the XSDT address. */
	if (p[15] >= 2 && acpi_get64(p + 24)) {
		root = (const uint8_t *)acpi_get64(p + 24);
		width = 8;
		if (memcmp(root, "XSDT", 4))
			return 0;
	} else {
		root = (const uint8_t *)(uint64_t)acpi_get32(p + 16);
		width = 4;
		if (!root || memcmp(root, "RSDT", 4))
			return 0;
	}
	root_len = acpi_get32(root + 4);
	for (uint32_t off = 36; off + width <= root_len; off += width) {
		uint64_t a = width == 8 ? acpi_get64(root + off) : acpi_get32(root + off);
		const uint8_t *t = (const uint8_t *)a;

		if (a && !memcmp(t, sig, 4)) {
			*len = acpi_get32(t + 4);
			return a;
		}
	}
	return 0;
}
