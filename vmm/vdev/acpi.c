/* SPDX-License-Identifier: MIT */
/*
 * The guest's ACPI tables, written into guest memory once at VM creation.
 * Layouts from the ACPI 6.4 specification: section 5.2.5 (RSDP), 5.2.6
 * (table header), 5.2.7/5.2.8 (RSDT/XSDT), 5.2.9 (FADT, revision 6, 276
 * bytes), 5.2.10 (FACS), 5.2.11 (DSDT), 5.2.12 (MADT), 5.2.3.2 (Generic
 * Address Structure); AML encoding from sections 19/20.
 *
 * Layout in the region, each at the alignment the spec or a reader wants:
 *
 *   RSDP (16-aligned) | FACS (64-aligned) | DSDT | FADT | MADT | XSDT | RSDT
 *
 * The platform is full ACPI (HW_REDUCED_ACPI clear), so the FADT points at
 * a FACS: section 5.2.9 only lets FIRMWARE_CTRL and X_FIRMWARE_CTRL both be
 * zero on a hardware-reduced platform. Exactly one of the two is set, as
 * the spec asks. The FACS waking vector is never used: there is no S3.
 *
 * 32-bit pointers (RSDT, FIRMWARE_CTRL, DSDT) are filled only when the
 * region lies below 4 GiB; the 64-bit ones always are.
 */
#include "lib/string.h"
#include "vmm/vdev/acpi.h"

#define ACPI_OEM_ID "SHALE "        /* 6 bytes */
#define ACPI_OEM_TABLE_ID "SHALEVMM" /* 8 bytes */
#define ACPI_CREATOR_ID "SHLE"
#define ACPI_OEM_REVISION 1
#define ACPI_CREATOR_REVISION 1

#define ACPI_HDR_LEN 36
#define ACPI_RSDP_LEN 36
#define ACPI_RSDP_V1_LEN 20
#define ACPI_FACS_LEN 64
#define ACPI_FADT_LEN 276
#define ACPI_MADT_HDR_LEN 44

/* FADT field offsets, ACPI 6.4 table 5.9. */
#define FADT_FIRMWARE_CTRL 36
#define FADT_DSDT 40
#define FADT_PREFERRED_PM_PROFILE 45
#define FADT_SCI_INT 46
#define FADT_SMI_CMD 48
#define FADT_PM1A_EVT_BLK 56
#define FADT_PM1A_CNT_BLK 64
#define FADT_PM_TMR_BLK 76
#define FADT_PM1_EVT_LEN 88
#define FADT_PM1_CNT_LEN 89
#define FADT_PM_TMR_LEN 91
#define FADT_P_LVL2_LAT 96
#define FADT_P_LVL3_LAT 98
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS 112
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_MINOR_VERSION 131
#define FADT_X_FIRMWARE_CTRL 132
#define FADT_X_DSDT 140
#define FADT_X_PM1A_EVT_BLK 148
#define FADT_X_PM1A_CNT_BLK 172
#define FADT_X_PM_TMR_BLK 208
#define FADT_HYPERVISOR_VENDOR 268

/* FADT Flags, ACPI 6.4 table 5.10. */
#define FADT_F_WBINVD (1u << 0)
#define FADT_F_PROC_C1 (1u << 2)
#define FADT_F_SLP_BUTTON (1u << 5) /* 1: no fixed sleep button */
#define FADT_F_FIX_RTC (1u << 6)    /* 1: no RTC wake in fixed space */
#define FADT_F_RESET_REG_SUP (1u << 10)

/* IA-PC boot architecture flags, ACPI 6.4 table 5.11. */
#define IAPC_LEGACY_DEVICES (1u << 0)
#define IAPC_VGA_NOT_PRESENT (1u << 2)

/* Generic Address Structure, ACPI 6.4 table 5.1. */
#define GAS_LEN 12
#define GAS_SYSTEM_IO 1
#define GAS_ACCESS_BYTE 1
#define GAS_ACCESS_WORD 2
#define GAS_ACCESS_DWORD 3

/* MADT, ACPI 6.4 section 5.2.12. */
#define MADT_PCAT_COMPAT (1u << 0)
#define MADT_LOCAL_APIC 0
#define MADT_IO_APIC 1
#define MADT_INT_SRC_OVR 2
#define MADT_LOCAL_APIC_LEN 8
#define MADT_IO_APIC_LEN 12
#define MADT_INT_SRC_OVR_LEN 10
#define MADT_LAPIC_ENABLED (1u << 0)
/* MPS INTI flags: polarity in bits 1:0, trigger mode in bits 3:2. */
#define MPS_ACTIVE_HIGH 0x1
#define MPS_EDGE (0x1 << 2)
#define MPS_LEVEL (0x3 << 2)

/* AML opcodes, ACPI 6.4 section 20.2. */
#define AML_ZERO_OP 0x00
#define AML_ONE_OP 0x01
#define AML_NAME_OP 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_PACKAGE_OP 0x12

#define AML_SCOPE_OP 0x10
#define AML_BUFFER_OP 0x11
#define AML_EXT_PREFIX 0x5b
#define AML_DEVICE_OP 0x82 /* after AML_EXT_PREFIX */
#define AML_ROOT_CHAR 0x5c

/* _S5 (about 20 bytes) and the PCI root bridge (about 90, 12 a slot). */
#define DSDT_AML_MAX 256

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

static uint8_t sum8(const uint8_t *p, uint64_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

/* Make the bytes [0, len) sum to zero by choosing the byte at `at`. */
static void fix_checksum(uint8_t *p, uint64_t len, unsigned at)
{
	p[at] = 0;
	p[at] = (uint8_t)-sum8(p, len);
}

static void put_header(uint8_t *p, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(p, sig, 4);
	put32(p + 4, len);
	p[8] = rev;
	memcpy(p + 10, ACPI_OEM_ID, 6);
	memcpy(p + 16, ACPI_OEM_TABLE_ID, 8);
	put32(p + 24, ACPI_OEM_REVISION);
	memcpy(p + 28, ACPI_CREATOR_ID, 4);
	put32(p + 32, ACPI_CREATOR_REVISION);
}

static void put_gas_io(uint8_t *p, unsigned bits, unsigned access,
		       uint16_t port)
{
	p[0] = GAS_SYSTEM_IO;
	p[1] = bits;
	p[2] = 0;
	p[3] = access;
	put64(p + 4, port);
}

/*
 * PkgLength (section 20.2.4) counts its own bytes. One byte holds up to 63;
 * longer lengths put the byte count in bits 7:6 and the low nibble in 3:0.
 */
static unsigned aml_pkglength(uint8_t *p, unsigned body)
{
	unsigned n = body + 1 < 64 ? 1 : body + 2 < (1u << 12) ? 2 : 3;
	unsigned len = body + n;

	if (n == 1) {
		p[0] = len;
		return 1;
	}
	p[0] = (n - 1) << 6 | (len & 0xf);
	for (unsigned i = 1; i < n; i++)
		p[i] = len >> (4 + 8 * (i - 1));
	return n;
}

/* The shortest encoding of a ComputationalData integer (section 20.2.3). */
static unsigned aml_integer(uint8_t *p, uint32_t v)
{
	if (v <= 1) {
		p[0] = v ? AML_ONE_OP : AML_ZERO_OP;
		return 1;
	}
	if (v <= 0xff) {
		p[0] = AML_BYTE_PREFIX;
		p[1] = v;
		return 2;
	}
	if (v <= 0xffff) {
		p[0] = AML_WORD_PREFIX;
		put16(p + 1, v);
		return 3;
	}
	p[0] = AML_DWORD_PREFIX;
	put32(p + 1, v);
	return 5;
}

static unsigned aml_name(uint8_t *p, const char *seg)
{
	p[0] = AML_NAME_OP;
	memcpy(p + 1, seg, 4);
	return 5;
}

/* An Address Space Descriptor (ACPI 6.4, 6.4.3.5.2 DWord and 6.4.3.5.3
 * Word): resource type (0 memory, 1 I/O, 2 bus numbers), general flags
 * (_MAF and _MIF: fixed size and place), type-specific flags, then
 * _GRA 0, _MIN, _MAX, _TRA 0 and _LEN in `width` bytes each (2 or 4).
 * Returns its length. */
static unsigned put_addr_space(uint8_t *p, unsigned width, uint8_t type, uint8_t flags,
			       uint32_t min, uint32_t max)
{
	uint32_t field[5] = { 0, min, max, 0, max - min + 1 };
	unsigned n = 0;

	p[n++] = width == 2 ? 0x88 : 0x87;
	put16(p + n, (uint16_t)(3 + 5 * width));
	n += 2;
	p[n++] = type;
	p[n++] = 0x0c; /* _MAF, _MIF */
	p[n++] = flags;
	for (unsigned i = 0; i < 5; i++, n += width) {
		if (width == 2)
			put16(p + n, (uint16_t)field[i]);
		else
			put32(p + n, field[i]);
	}
	return n;
}

/* The root bridge's _CRS resource template (ACPI 6.4, 6.4.3.5): bus 0
 * alone, the I/O window of the virtio notify ports, then the memory
 * window; all produced by the bridge (bit 0 of the general flags
 * clear), with fixed minimum and maximum. */
static unsigned pci_crs(uint8_t *p)
{
	unsigned n = 0;

	n += put_addr_space(p + n, 2, 2, 0, 0, 0); /* bus 0 */
	/* I/O: ISA and non-ISA ports (_RNG 3). */
	n += put_addr_space(p + n, 2, 1, 3, ACPI_PCI_IO_BASE, ACPI_PCI_IO_END);
	/* Memory: read-write, non-cacheable. */
	n += put_addr_space(p + n, 4, 0, 0x01, ACPI_PCI_MEM_BASE, ACPI_PCI_MEM_END);
	p[n++] = 0x79; /* End Tag, no checksum */
	p[n++] = 0;
	return n;
}

/* Package () { Package () { 0xSSSSFFFF, 0, 0, gsi }, ... }: INTA# (pin
 * 0) of each slot, any function, to a GSI (no link device: Source 0). */
static unsigned pci_prt(uint8_t *p, const struct acpi_config *cfg)
{
	uint8_t elems[ACPI_MAX_PCI * 14];
	unsigned n = 0, e = 0;

	for (unsigned i = 0; i < cfg->n_pci; i++) {
		uint8_t one[12];
		unsigned k = 0;

		k += aml_integer(one + k, (uint32_t)cfg->pci[i].slot << 16 | 0xffff);
		one[k++] = AML_ZERO_OP;
		one[k++] = AML_ZERO_OP;
		k += aml_integer(one + k, cfg->pci[i].gsi);
		elems[e++] = AML_PACKAGE_OP;
		e += aml_pkglength(elems + e, 1 + k);
		elems[e++] = 4;
		memcpy(elems + e, one, k);
		e += k;
	}
	p[n++] = AML_PACKAGE_OP;
	n += aml_pkglength(p + n, 1 + e);
	p[n++] = (uint8_t)cfg->n_pci;
	memcpy(p + n, elems, e);
	return n + e;
}

/* Scope (\_SB) { Device (PCI0) { _HID PNP0A03, _UID 0, _CRS, _PRT } } */
static unsigned pci_root_aml(uint8_t *p, const struct acpi_config *cfg)
{
	uint8_t body[200], crs[64], size[5];
	unsigned b = 0, c = pci_crs(crs), n = 0, dev;

	b += aml_name(body + b, "_HID");
	body[b++] = AML_DWORD_PREFIX;
	put32(body + b, 0x030ad041); /* EISAID ("PNP0A03"), a PCI host bridge */
	b += 4;
	b += aml_name(body + b, "_UID");
	body[b++] = AML_ZERO_OP;
	b += aml_name(body + b, "_CRS");
	body[b++] = AML_BUFFER_OP;
	b += aml_pkglength(body + b, aml_integer(size, c) + c);
	b += aml_integer(body + b, c);
	memcpy(body + b, crs, c);
	b += c;
	b += aml_name(body + b, "_PRT");
	b += pci_prt(body + b, cfg);

	dev = 4 + b; /* "PCI0" and the body */
	p[n++] = AML_SCOPE_OP;
	n += aml_pkglength(p + n, 5 + 2 + (dev + 1 < 64 ? 1 : 2) + dev);
	p[n++] = AML_ROOT_CHAR;
	memcpy(p + n, "_SB_", 4);
	n += 4;
	p[n++] = AML_EXT_PREFIX;
	p[n++] = AML_DEVICE_OP;
	n += aml_pkglength(p + n, dev);
	memcpy(p + n, "PCI0", 4);
	memcpy(p + n + 4, body, b);
	return n + dev;
}

/*
 * The DSDT body: Name (_S5, Package () { 5, 5, 0, 0 }). The first two are
 * SLP_TYP for PM1a and PM1b; the guest writes the first into PM1a_CNT.
 * Nothing else is needed: CPUs come from the MADT, the power button is
 * the fixed-feature one. With PCI devices, the root bridge follows.
 * Returns the byte count (at most DSDT_AML_MAX).
 */
static unsigned dsdt_aml(uint8_t *p, const struct acpi_config *cfg)
{
	static const uint32_t s5[] = { ACPI_SLP_TYP_S5, ACPI_SLP_TYP_S5, 0, 0 };
	uint8_t elems[4 * 5];
	unsigned n = 0, e = 0;

	for (unsigned i = 0; i < 4; i++)
		e += aml_integer(elems + e, s5[i]);
	p[n++] = AML_NAME_OP;
	memcpy(p + n, "_S5_", 4);
	n += 4;
	p[n++] = AML_PACKAGE_OP;
	n += aml_pkglength(p + n, 1 + e);
	p[n++] = 4; /* NumElements */
	memcpy(p + n, elems, e);
	n += e;
	if (cfg->n_pci)
		n += pci_root_aml(p + n, cfg);
	return n;
}

struct acpi_layout {
	uint64_t rsdp, facs, dsdt, fadt, madt, xsdt, rsdt; /* offsets */
	uint64_t end;
	unsigned dsdt_len, madt_len;
	bool low; /* the whole region is below 4 GiB */
};

static uint64_t place(uint64_t gpa, uint64_t *cur, uint64_t len,
		      uint64_t align)
{
	uint64_t at = (gpa + *cur + align - 1) & ~(align - 1);

	*cur = at - gpa + len;
	return at - gpa;
}

static bool config_ok(const struct acpi_config *cfg)
{
	return cfg->n_cpus >= 1 && cfg->n_cpus <= ACPI_MAX_CPUS &&
	       cfg->ioapic_addr && cfg->ioapic_addr <= 0xffffffffu - 0xfff &&
	       cfg->sci_gsi >= 1 && cfg->sci_gsi < 16 && cfg->sci_gsi != 2 &&
	       cfg->pm_base && cfg->pm_base <= 0x10000 - ACPI_PM_BLK_LEN &&
	       cfg->n_pci <= ACPI_MAX_PCI;
}

static void build_rsdp(uint8_t *p, uint64_t xsdt, uint64_t rsdt)
{
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, ACPI_OEM_ID, 6);
	p[15] = 2; /* ACPI 2.0+ RSDP: Length and XsdtAddress follow */
	put32(p + 16, rsdt);
	put32(p + 20, ACPI_RSDP_LEN);
	put64(p + 24, xsdt);
	fix_checksum(p, ACPI_RSDP_V1_LEN, 8);
	fix_checksum(p, ACPI_RSDP_LEN, 32);
}

static void build_facs(uint8_t *p)
{
	memcpy(p, "FACS", 4);
	put32(p + 4, ACPI_FACS_LEN);
	p[32] = 2; /* Version */
}

static void build_dsdt(uint8_t *p, const uint8_t *aml, unsigned aml_len)
{
	put_header(p, "DSDT", ACPI_HDR_LEN + aml_len, 2); /* 64-bit integers */
	memcpy(p + ACPI_HDR_LEN, aml, aml_len);
	fix_checksum(p, ACPI_HDR_LEN + aml_len, 9);
}

static void build_fadt(uint8_t *p, const struct acpi_config *cfg,
		       uint64_t facs, uint64_t dsdt, bool low)
{
	uint16_t pm = cfg->pm_base;

	put_header(p, "FACP", ACPI_FADT_LEN, 6);
	if (low) {
		put32(p + FADT_FIRMWARE_CTRL, facs);
		put32(p + FADT_DSDT, dsdt);
	} else {
		put64(p + FADT_X_FIRMWARE_CTRL, facs);
	}
	put64(p + FADT_X_DSDT, dsdt);
	p[FADT_PREFERRED_PM_PROFILE] = 0; /* Unspecified: a VM has no form */
	put16(p + FADT_SCI_INT, cfg->sci_gsi);
	/* SMI_CMD 0: no SMM, ACPI mode is always on; ACPI_ENABLE/DISABLE,
	 * S4BIOS_REQ, PSTATE_CNT and CST_CNT stay 0 with it. */
	put32(p + FADT_SMI_CMD, 0);
	put32(p + FADT_PM1A_EVT_BLK, pm + ACPI_PM1_STS);
	put32(p + FADT_PM1A_CNT_BLK, pm + ACPI_PM1_CNT);
	put32(p + FADT_PM_TMR_BLK, pm + ACPI_PM_TMR);
	p[FADT_PM1_EVT_LEN] = 4;
	p[FADT_PM1_CNT_LEN] = 2;
	p[FADT_PM_TMR_LEN] = 4;
	/* Latencies above 100 and 1000 us say C2 and C3 are not supported. */
	put16(p + FADT_P_LVL2_LAT, 101);
	put16(p + FADT_P_LVL3_LAT, 1001);
	/* ISA devices (PIT, PIC, RTC, UART) exist; no 8042, no VGA. */
	put16(p + FADT_IAPC_BOOT_ARCH,
	      IAPC_LEGACY_DEVICES | IAPC_VGA_NOT_PRESENT);
	/* PWR_BUTTON clear: the power button is the fixed-feature one, so
	 * the host can ask a guest to shut down (acpi_pm_power_button). */
	put32(p + FADT_FLAGS, FADT_F_WBINVD | FADT_F_PROC_C1 |
				      FADT_F_SLP_BUTTON | FADT_F_FIX_RTC |
				      FADT_F_RESET_REG_SUP);
	put_gas_io(p + FADT_RESET_REG, 8, GAS_ACCESS_BYTE, ACPI_PORT_RST_CNT);
	p[FADT_RESET_VALUE] = 0x06; /* SYS_RST | RST_CPU: a hard reset */
	p[FADT_MINOR_VERSION] = 4;  /* ACPI 6.4 */
	put_gas_io(p + FADT_X_PM1A_EVT_BLK, 32, GAS_ACCESS_WORD,
		   pm + ACPI_PM1_STS);
	put_gas_io(p + FADT_X_PM1A_CNT_BLK, 16, GAS_ACCESS_WORD,
		   pm + ACPI_PM1_CNT);
	put_gas_io(p + FADT_X_PM_TMR_BLK, 32, GAS_ACCESS_DWORD,
		   pm + ACPI_PM_TMR);
	memcpy(p + FADT_HYPERVISOR_VENDOR, "SHALEVMM", 8);
	fix_checksum(p, ACPI_FADT_LEN, 9);
}

static unsigned madt_len(const struct acpi_config *cfg)
{
	return ACPI_MADT_HDR_LEN + cfg->n_cpus * MADT_LOCAL_APIC_LEN +
	       MADT_IO_APIC_LEN + 2 * MADT_INT_SRC_OVR_LEN;
}

static uint8_t *put_iso(uint8_t *p, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	p[0] = MADT_INT_SRC_OVR;
	p[1] = MADT_INT_SRC_OVR_LEN;
	p[2] = 0; /* Bus: ISA */
	p[3] = irq;
	put32(p + 4, gsi);
	put16(p + 8, flags);
	return p + MADT_INT_SRC_OVR_LEN;
}

static void build_madt(uint8_t *p, const struct acpi_config *cfg)
{
	unsigned len = madt_len(cfg);
	uint8_t *e = p + ACPI_MADT_HDR_LEN;

	put_header(p, "APIC", len, 5);
	put32(p + 36, ACPI_LAPIC_ADDR);
	put32(p + 40, MADT_PCAT_COMPAT); /* the 8259 pair exists too */
	for (unsigned i = 0; i < cfg->n_cpus; i++, e += MADT_LOCAL_APIC_LEN) {
		e[0] = MADT_LOCAL_APIC;
		e[1] = MADT_LOCAL_APIC_LEN;
		e[2] = i; /* ACPI Processor UID */
		e[3] = i; /* APIC ID */
		put32(e + 4, MADT_LAPIC_ENABLED);
	}
	e[0] = MADT_IO_APIC;
	e[1] = MADT_IO_APIC_LEN;
	e[2] = cfg->ioapic_id;
	e[3] = 0;
	put32(e + 4, cfg->ioapic_addr);
	put32(e + 8, 0); /* GSI base */
	e += MADT_IO_APIC_LEN;
	/* The PIT's IRQ0 is on IOAPIC pin 2, as on every PC. The SCI is
	 * level-triggered; active high, against the ISA default of low. */
	e = put_iso(e, 0, 2, MPS_ACTIVE_HIGH | MPS_EDGE);
	put_iso(e, cfg->sci_gsi, cfg->sci_gsi, MPS_ACTIVE_HIGH | MPS_LEVEL);
	fix_checksum(p, len, 9);
}

static void build_xsdt(uint8_t *p, uint64_t fadt, uint64_t madt)
{
	put_header(p, "XSDT", ACPI_HDR_LEN + 16, 1);
	put64(p + ACPI_HDR_LEN, fadt);
	put64(p + ACPI_HDR_LEN + 8, madt);
	fix_checksum(p, ACPI_HDR_LEN + 16, 9);
}

static void build_rsdt(uint8_t *p, uint64_t fadt, uint64_t madt)
{
	put_header(p, "RSDT", ACPI_HDR_LEN + 8, 1);
	put32(p + ACPI_HDR_LEN, fadt);
	put32(p + ACPI_HDR_LEN + 4, madt);
	fix_checksum(p, ACPI_HDR_LEN + 8, 9);
}

/*
 * Build into mem/gpa/size; see acpi.h. Everything is placed first, so a
 * region that is too small is detected before a byte is written.
 */
uint64_t acpi_build(const struct acpi_config *cfg, void *mem, uint64_t gpa,
		    uint64_t size)
{
	uint8_t aml[DSDT_AML_MAX];
	struct acpi_layout l;
	uint64_t cur = 0;
	uint8_t *m = mem;

	if (!cfg || !mem || !config_ok(cfg) || gpa + size < gpa ||
	    gpa > ~0ull - ACPI_TABLES_MAX_SIZE)
		return 0;
	l.dsdt_len = ACPI_HDR_LEN + dsdt_aml(aml, cfg);
	l.madt_len = madt_len(cfg);
	l.rsdp = place(gpa, &cur, ACPI_RSDP_LEN, 16);
	l.facs = place(gpa, &cur, ACPI_FACS_LEN, 64);
	l.dsdt = place(gpa, &cur, l.dsdt_len, 16);
	l.fadt = place(gpa, &cur, ACPI_FADT_LEN, 16);
	l.madt = place(gpa, &cur, l.madt_len, 16);
	l.xsdt = place(gpa, &cur, ACPI_HDR_LEN + 16, 16);
	l.rsdt = place(gpa, &cur, ACPI_HDR_LEN + 8, 16);
	l.end = cur;
	if (l.end > size)
		return 0;
	l.low = gpa + l.end <= 0x100000000ull;

	memset(m, 0, l.end);
	build_facs(m + l.facs);
	build_dsdt(m + l.dsdt, aml, l.dsdt_len - ACPI_HDR_LEN);
	build_fadt(m + l.fadt, cfg, gpa + l.facs, gpa + l.dsdt, l.low);
	build_madt(m + l.madt, cfg);
	build_xsdt(m + l.xsdt, gpa + l.fadt, gpa + l.madt);
	if (l.low)
		build_rsdt(m + l.rsdt, gpa + l.fadt, gpa + l.madt);
	build_rsdp(m + l.rsdp, gpa + l.xsdt, l.low ? gpa + l.rsdt : 0);
	return gpa + l.rsdp;
}
