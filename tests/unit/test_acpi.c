/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for vmm/vdev/acpi.c. The tables are built into a buffer
 * and parsed back the way an OS would: RSDP -> XSDT -> each table,
 * checksums, lengths, and FADT fields at the offsets of ACPI 6.4 table 5.9
 * (written here as numbers, not the module's macros, so a wrong macro
 * cannot hide).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "vmm/vdev/acpi.h"

#define GPA 0xe0000ull
#define REGION 8192

static uint8_t mem[REGION];
static uint64_t mem_gpa;
static uint64_t cur_rsdp; /* of the last build_at() */

static const struct acpi_config cfg4 = {
	.n_cpus = 4,
	.ioapic_addr = 0xfec00000,
	.ioapic_id = 4,
	.pm_base = 0x600,
	.sci_gsi = 9,
};

static uint16_t get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* The host pointer of a guest address, checked to lie in the region. */
static const uint8_t *at(uint64_t addr, size_t len)
{
	assert_true(addr >= mem_gpa);
	assert_true(addr - mem_gpa + len <= REGION);
	return mem + (addr - mem_gpa);
}

/* A table by address: header sane, whole table in the region, sums to 0. */
static const uint8_t *table(uint64_t addr, const char *sig)
{
	const uint8_t *t = at(addr, 36);
	uint32_t len = get32(t + 4);

	assert_memory_equal(t, sig, 4);
	assert_true(len >= 36);
	at(addr, len);
	assert_int_equal(sum(t, len), 0);
	assert_memory_equal(t + 10, "SHALE ", 6);
	assert_memory_equal(t + 16, "SHALEVMM", 8);
	assert_memory_equal(t + 28, "SHLE", 4);
	return t;
}

static uint64_t build_at(const struct acpi_config *cfg, uint64_t gpa)
{
	memset(mem, 0xcc, sizeof(mem));
	mem_gpa = gpa;
	cur_rsdp = acpi_build(cfg, mem, gpa, sizeof(mem));
	return cur_rsdp;
}

static const uint8_t *rsdp(void)
{
	uint64_t r = build_at(&cfg4, GPA);

	assert_true(r != 0);
	return at(r, 36);
}

/* Find a table of the last build through the XSDT. */
static const uint8_t *find_in(const char *sig)
{
	const uint8_t *x = table(get64(at(cur_rsdp, 36) + 24), "XSDT");
	unsigned n = (get32(x + 4) - 36) / 8;

	for (unsigned i = 0; i < n; i++) {
		const uint8_t *t = at(get64(x + 36 + 8 * i), 36);

		if (!memcmp(t, sig, 4))
			return table(get64(x + 36 + 8 * i), sig);
	}
	fail_msg("%s not in the XSDT", sig);
	return NULL;
}

/* Find a table of the default configuration's build. */
static const uint8_t *find(const char *sig)
{
	rsdp();
	return find_in(sig);
}

/* ------------------------------------------------------------- tables */

static void test_rsdp_checksums(void **state)
{
	const uint8_t *r = rsdp();

	(void)state;
	assert_memory_equal(r, "RSD PTR ", 8);
	assert_int_equal(r[15], 2);
	assert_int_equal(get32(r + 20), 36);
	assert_int_equal(sum(r, 20), 0);
	assert_int_equal(sum(r, 36), 0);
	assert_memory_equal(r + 9, "SHALE ", 6);
}

static void test_rsdp_aligned(void **state)
{
	uint64_t r = build_at(&cfg4, GPA + 4);

	(void)state;
	assert_int_equal(r % 16, 0);
	assert_true(r >= GPA + 4);
	assert_memory_equal(at(r, 8), "RSD PTR ", 8);
}

static void test_xsdt_lists_fadt_madt(void **state)
{
	const uint8_t *x = table(get64(rsdp() + 24), "XSDT");

	(void)state;
	assert_int_equal(get32(x + 4), 36 + 16);
	assert_int_equal(x[8], 1);
	assert_memory_equal(at(get64(x + 36), 4), "FACP", 4);
	assert_memory_equal(at(get64(x + 44), 4), "APIC", 4);
	table(get64(x + 36), "FACP");
	table(get64(x + 44), "APIC");
}

static void test_rsdt_matches_xsdt(void **state)
{
	const uint8_t *r = rsdp();
	const uint8_t *x = table(get64(r + 24), "XSDT");
	const uint8_t *rs = table(get32(r + 16), "RSDT");

	(void)state;
	assert_int_equal(get32(rs + 4), 36 + 8);
	assert_int_equal(get32(rs + 36), get64(x + 36));
	assert_int_equal(get32(rs + 40), get64(x + 44));
}

static void test_fadt_layout(void **state)
{
	const uint8_t *f = find("FACP");

	(void)state;
	assert_int_equal(get32(f + 4), 276);
	assert_int_equal(f[8], 6);    /* major version */
	assert_int_equal(f[131], 4); /* minor version */
	assert_int_equal(get16(f + 46), 9);    /* SCI_INT */
	assert_int_equal(get32(f + 48), 0);    /* SMI_CMD */
	assert_int_equal(f[52], 0);            /* ACPI_ENABLE */
	assert_int_equal(f[53], 0);            /* ACPI_DISABLE */
	assert_int_equal(get32(f + 56), 0x600); /* PM1a_EVT_BLK */
	assert_int_equal(get32(f + 60), 0);     /* PM1b_EVT_BLK */
	assert_int_equal(get32(f + 64), 0x604); /* PM1a_CNT_BLK */
	assert_int_equal(get32(f + 76), 0x608); /* PM_TMR_BLK */
	assert_int_equal(get32(f + 80), 0);     /* GPE0_BLK */
	assert_int_equal(f[88], 4);             /* PM1_EVT_LEN */
	assert_int_equal(f[89], 2);             /* PM1_CNT_LEN */
	assert_int_equal(f[91], 4);             /* PM_TMR_LEN */
}

static void test_fadt_flags(void **state)
{
	const uint8_t *f = find("FACP");
	uint32_t flags = get32(f + 112);

	(void)state;
	assert_true(flags & (1u << 0));    /* WBINVD */
	assert_true(flags & (1u << 2));    /* PROC_C1 */
	assert_false(flags & (1u << 4));   /* fixed power button */
	assert_false(flags & (1u << 8));   /* TMR_VAL_EXT: 24 bits */
	assert_true(flags & (1u << 10));   /* RESET_REG_SUP */
	assert_false(flags & (1u << 20));  /* HW_REDUCED_ACPI */
	/* IAPC_BOOT_ARCH: LEGACY_DEVICES and VGA Not Present, no 8042. */
	assert_int_equal(get16(f + 109), 0x5);
}

static void test_fadt_reset_reg(void **state)
{
	const uint8_t *f = find("FACP");

	(void)state;
	assert_int_equal(f[116], 1);  /* System I/O */
	assert_int_equal(f[117], 8);  /* bit width */
	assert_int_equal(f[118], 0);  /* bit offset */
	assert_int_equal(get64(f + 120), 0xcf9);
	assert_int_equal(f[128], 0x06);
}

static void test_fadt_x_blocks(void **state)
{
	const uint8_t *f = find("FACP");
	static const struct {
		unsigned off, bits;
		uint64_t port;
	} gas[] = { { 148, 32, 0x600 }, { 172, 16, 0x604 }, { 208, 32, 0x608 } };

	(void)state;
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(f[gas[i].off], 1);
		assert_int_equal(f[gas[i].off + 1], gas[i].bits);
		assert_int_equal(get64(f + gas[i].off + 4), gas[i].port);
	}
	/* PM1b and the hardware-reduced sleep registers are absent. */
	assert_int_equal(get64(f + 160 + 4), 0);
	assert_int_equal(get64(f + 244 + 4), 0);
	assert_int_equal(get64(f + 256 + 4), 0);
}

static void test_fadt_dsdt_and_facs(void **state)
{
	const uint8_t *f = find("FACP");
	uint32_t dsdt = get32(f + 40);
	uint32_t facs = get32(f + 36);
	const uint8_t *fc;

	(void)state;
	assert_int_equal(get64(f + 140), dsdt);
	table(dsdt, "DSDT");
	/* Below 4 GiB FIRMWARE_CTRL is used and X_FIRMWARE_CTRL must be 0. */
	assert_int_equal(get64(f + 132), 0);
	assert_int_equal(facs % 64, 0);
	fc = at(facs, 64);
	assert_memory_equal(fc, "FACS", 4);
	assert_int_equal(get32(fc + 4), 64);
}

static void test_above_4g(void **state)
{
	uint64_t gpa = 0x100000000ull;
	uint64_t r = build_at(&cfg4, gpa);
	const uint8_t *p, *f;

	(void)state;
	assert_true(r >= gpa);
	p = at(r, 36);
	assert_int_equal(get32(p + 16), 0); /* no RSDT */
	assert_int_equal(sum(p, 20), 0);
	assert_int_equal(sum(p, 36), 0);
	f = find_in("FACP");
	assert_int_equal(get32(f + 36), 0);
	assert_int_equal(get32(f + 40), 0);
	assert_int_equal(get64(f + 132) % 64, 0);
	assert_memory_equal(at(get64(f + 132), 4), "FACS", 4);
	table(get64(f + 140), "DSDT");
}

static void test_madt_entries(void **state)
{
	const uint8_t *m = find("APIC");
	uint32_t len = get32(m + 4);
	unsigned lapic = 0, ioapic = 0, iso = 0;

	(void)state;
	assert_int_equal(get32(m + 36), 0xfee00000);
	assert_int_equal(get32(m + 40), 1); /* PCAT_COMPAT */
	for (uint32_t o = 44; o < len;) {
		const uint8_t *e = m + o;

		assert_true(e[1] >= 2 && o + e[1] <= len);
		switch (e[0]) {
		case 0:
			assert_int_equal(e[1], 8);
			assert_int_equal(e[3], lapic); /* APIC ID */
			assert_int_equal(get32(e + 4), 1);   /* Enabled */
			lapic++;
			break;
		case 1:
			assert_int_equal(e[1], 12);
			assert_int_equal(e[2], 4);
			assert_int_equal(get32(e + 4), 0xfec00000);
			assert_int_equal(get32(e + 8), 0);
			ioapic++;
			break;
		case 2:
			assert_int_equal(e[1], 10);
			assert_int_equal(e[2], 0);
			iso++;
			break;
		default:
			fail_msg("unexpected MADT entry type %u", e[0]);
		}
		o += e[1];
	}
	assert_int_equal(lapic, 4);
	assert_int_equal(ioapic, 1);
	assert_int_equal(iso, 2);
	assert_int_equal(len, 44 + 4 * 8 + 12 + 2 * 10);
}

static void test_madt_overrides(void **state)
{
	const uint8_t *m = find("APIC");
	const uint8_t *e = m + 44 + 4 * 8 + 12;

	(void)state;
	/* IRQ0 -> GSI2, edge, active high. */
	assert_int_equal(e[3], 0);
	assert_int_equal(get32(e + 4), 2);
	assert_int_equal(get16(e + 8), 0x5);
	/* IRQ9 -> GSI9, level, active high: the SCI. */
	e += 10;
	assert_int_equal(e[3], 9);
	assert_int_equal(get32(e + 4), 9);
	assert_int_equal(get16(e + 8), 0xd);
}

static void test_dsdt_s5(void **state)
{
	const uint8_t *f = find("FACP");
	const uint8_t *d = table(get64(f + 140), "DSDT");
	static const uint8_t s5[] = {
		0x08, '_', 'S', '5', '_',  /* NameOp _S5_ */
		0x12, 0x08, 0x04,          /* PackageOp PkgLength NumElements */
		0x0a, 0x05, 0x0a, 0x05,    /* BytePrefix 5, BytePrefix 5 */
		0x00, 0x00,                /* Zero, Zero */
	};

	(void)state;
	assert_int_equal(d[8], 2);
	assert_int_equal(get32(d + 4), 36 + sizeof(s5));
	assert_memory_equal(d + 36, s5, sizeof(s5));
}

/* With a PCI device: Scope (\_SB) { Device (PCI0) { ... } } after _S5,
 * byte for byte as ACPI 6.4 chapters 6 and 20 encode it; without one,
 * no root bridge at all (test_dsdt_s5 sees the DSDT end after _S5). */
static void test_dsdt_pci_root(void **state)
{
	struct acpi_config c = cfg4;
	static const uint8_t root[] = {
		0x10, 0x48, 0x07, '\\', '_', 'S', 'B', '_',	/* Scope, 120 bytes */
		0x5b, 0x82, 0x4f, 0x06, 'P', 'C', 'I', '0',	/* Device, 111 bytes */
		0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03, /* PNP0A03 */
		0x08, '_', 'U', 'I', 'D', 0x00,
		0x08, '_', 'C', 'R', 'S', 0x11, 0x3f, 0x0a, 0x3c, /* Buffer (60) */
		0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00,		/* WordBusNumber */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
		0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03,		/* WordIO */
		0x00, 0x00, 0x00, 0xc0, 0xff, 0xc0, 0x00, 0x00, 0x00, 0x01,
		0x87, 0x17, 0x00, 0x00, 0x0c, 0x01,		/* DWordMemory */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0,
		0xff, 0xff, 0xaf, 0xfe, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0xb0, 0x3e,
		0x79, 0x00,					/* End Tag */
		0x08, '_', 'P', 'R', 'T', 0x12, 0x0e, 0x01,	/* Package (1) */
		0x12, 0x0b, 0x04, 0x0c, 0xff, 0xff, 0x03, 0x00,	/* slot 3, INTA# */
		0x00, 0x00, 0x0a, 0x0b,				/* GSI 11 */
	};
	const uint8_t *d;

	(void)state;
	c.n_pci = 1;
	c.pci[0].slot = 3;
	c.pci[0].gsi = 11;
	assert_true(build_at(&c, GPA) != 0);
	d = table(get64(find_in("FACP") + 140), "DSDT");
	assert_int_equal(get32(d + 4), 36 + 14 + sizeof(root));
	assert_memory_equal(d + 36 + 14, root, sizeof(root));
	c.n_pci = ACPI_MAX_PCI + 1;
	assert_int_equal(build_at(&c, GPA), 0);
}

static void test_too_small(void **state)
{
	uint8_t small[REGION];
	uint64_t need = 0;

	(void)state;
	/* The smallest size that works; every smaller one returns 0 and
	 * writes nothing. */
	for (uint64_t sz = 0; sz <= REGION; sz++) {
		memset(small, 0xcc, sizeof(small));
		if (acpi_build(&cfg4, small, GPA, sz)) {
			need = sz;
			break;
		}
		for (size_t i = 0; i < sizeof(small); i++)
			assert_int_equal(small[i], 0xcc);
	}
	assert_true(need > 36 + 64 + 276);
	assert_true(need <= ACPI_TABLES_MAX_SIZE);
	assert_int_equal(acpi_build(&cfg4, small, GPA, 0), 0);
}

static void test_bad_config(void **state)
{
	struct acpi_config c = cfg4;

	(void)state;
	c.n_cpus = 0;
	assert_int_equal(build_at(&c, GPA), 0);
	c.n_cpus = 256;
	assert_int_equal(build_at(&c, GPA), 0);
	c = cfg4;
	c.sci_gsi = 2;
	assert_int_equal(build_at(&c, GPA), 0);
	c.sci_gsi = 16;
	assert_int_equal(build_at(&c, GPA), 0);
	c = cfg4;
	c.pm_base = 0xfffa;
	assert_int_equal(build_at(&c, GPA), 0);
	assert_int_equal(acpi_build(NULL, mem, GPA, REGION), 0);
	assert_int_equal(acpi_build(&cfg4, mem, ~0ull - 100, REGION), 0);
}

/* Another SCI line and PM base reach every place that names them. */
static void test_other_config(void **state)
{
	struct acpi_config c = cfg4;
	const uint8_t *f, *m, *e;

	(void)state;
	c.n_cpus = 1;
	c.sci_gsi = 11;
	c.pm_base = 0xb000;
	assert_true(build_at(&c, GPA) != 0);
	f = find_in("FACP");
	assert_int_equal(get16(f + 46), 11);
	assert_int_equal(get32(f + 56), 0xb000);
	assert_int_equal(get32(f + 64), 0xb004);
	assert_int_equal(get32(f + 76), 0xb008);
	assert_int_equal(get64(f + 208 + 4), 0xb008);
	m = find_in("APIC");
	assert_int_equal(get32(m + 4), 44 + 8 + 12 + 20);
	e = m + 44 + 8 + 12 + 10;
	assert_int_equal(e[3], 11);
	assert_int_equal(get32(e + 4), 11);
	assert_int_equal(get16(e + 8), 0xd);
}

static void test_max_cpus_fit(void **state)
{
	struct acpi_config c = cfg4;
	const uint8_t *m;

	(void)state;
	c.n_cpus = ACPI_MAX_CPUS;
	c.ioapic_id = 0;
	/* Worst alignment: just past a 64-byte boundary. */
	mem_gpa = GPA + 1;
	assert_true(acpi_build(&c, mem, mem_gpa, ACPI_TABLES_MAX_SIZE) != 0);
	m = table(get64(at(acpi_build(&c, mem, mem_gpa, REGION), 36) + 24),
		  "XSDT");
	m = table(get64(m + 44), "APIC");
	assert_int_equal(get32(m + 4), 44 + 255 * 8 + 12 + 20);
	assert_int_equal(m[44 + 254 * 8 + 3], 254);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsdp_checksums),
		cmocka_unit_test(test_rsdp_aligned),
		cmocka_unit_test(test_xsdt_lists_fadt_madt),
		cmocka_unit_test(test_rsdt_matches_xsdt),
		cmocka_unit_test(test_fadt_layout),
		cmocka_unit_test(test_fadt_flags),
		cmocka_unit_test(test_fadt_reset_reg),
		cmocka_unit_test(test_fadt_x_blocks),
		cmocka_unit_test(test_fadt_dsdt_and_facs),
		cmocka_unit_test(test_above_4g),
		cmocka_unit_test(test_madt_entries),
		cmocka_unit_test(test_madt_overrides),
		cmocka_unit_test(test_dsdt_s5),
		cmocka_unit_test(test_dsdt_pci_root),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_other_config),
		cmocka_unit_test(test_max_cpus_fit),
	};

	return cmocka_run_group_tests_name("acpi", tests, NULL, NULL);
}
