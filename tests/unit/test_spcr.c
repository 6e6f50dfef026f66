/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for arch/x86/acpi_spcr.c on the SPCR tables of real machines
 * (raw bytes from public acpidump / iasl dumps, written here as facts) and
 * on broken copies of them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "arch/x86/acpi_spcr.h"
#include "tests/unit/acpi_harness.h"

/* Hyper-V generation 2 virtual machine ("VRTUAL" "MICROSFT"), revision 2:
 * full 16550 at I/O port 0x3F8, byte access, PC-AT IRQ 4 (interrupt type
 * 3: 8259 and I/O APIC), 115200 baud, 8N1, terminal type 2 (VT-UTF8). */
static const uint8_t hyperv_spcr[80] = {
	0x53, 0x50, 0x43, 0x52, 0x50, 0x00, 0x00, 0x00, 0x02, 0xE3, 0x56, 0x52, 0x54, 0x55, 0x41, 0x4C,
	0x4D, 0x49, 0x43, 0x52, 0x4F, 0x53, 0x46, 0x54, 0x01, 0x00, 0x00, 0x00, 0x4D, 0x53, 0x46, 0x54,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x01, 0xF8, 0x03, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x01, 0x00, 0x02, 0x00,
	0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* Ampere Altra server ("Ampere" "Altra   "), revision 2: an ARM PL011
 * (interface type 3) at MMIO 0x100002600000, 32-bit access, GSI 0x62,
 * 115200 baud. Not a 16550. */
static const uint8_t altra_spcr[80] = {
	0x53, 0x50, 0x43, 0x52, 0x50, 0x00, 0x00, 0x00, 0x02, 0x9E, 0x41, 0x6D, 0x70, 0x65, 0x72, 0x65,
	0x41, 0x6C, 0x74, 0x72, 0x61, 0x20, 0x20, 0x20, 0x02, 0x00, 0x00, 0x00, 0x41, 0x4D, 0x50, 0x2E,
	0x13, 0x00, 0x00, 0x01, 0x03, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x03, 0x00, 0x00, 0x60, 0x02,
	0x00, 0x10, 0x00, 0x00, 0x08, 0x00, 0x62, 0x00, 0x00, 0x00, 0x07, 0x00, 0x01, 0x00, 0x02, 0x00,
	0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* QEMU's RISC-V virt machine, revision 4 (90 bytes, with the namespace
 * string "."): interface type 0x12, a 16550 at MMIO 0x10000000 with byte
 * access, GSI 10, 115200 baud. */
static const uint8_t qemu_riscv_spcr[90] = {
	0x53, 0x50, 0x43, 0x52, 0x5A, 0x00, 0x00, 0x00, 0x04, 0x13, 0x42, 0x4F, 0x43, 0x48, 0x53, 0x20,
	0x42, 0x58, 0x50, 0x43, 0x20, 0x20, 0x20, 0x20, 0x01, 0x00, 0x00, 0x00, 0x42, 0x58, 0x50, 0x43,
	0x01, 0x00, 0x00, 0x00, 0x12, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x10,
	0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x07, 0x00, 0x01, 0x00, 0x00, 0x03,
	0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x58, 0x00, 0x2E, 0x00,
};

static char why[200];

static void hyperv_io_port(void **state)
{
	struct spcr_uart u;
	char line[120];

	(void)state;
	assert_int_equal(spcr_parse(hyperv_spcr, sizeof(hyperv_spcr), &u, why, sizeof(why)), 0);
	assert_int_equal(u.revision, 2);
	assert_int_equal(u.interface_type, SPCR_IF_16550);
	assert_false(u.mmio);
	assert_int_equal(u.base, 0x3f8);
	assert_int_equal(u.reg_width, 1);
	assert_int_equal(u.baud, 115200);
	assert_int_equal(u.irq, 4);
	assert_int_equal(spcr_reg_addr(&u, 5), 0x3fd); /* LSR */
	spcr_describe(&u, line, sizeof(line));
	assert_string_equal(line, "I/O port 0x3f8, 115200 baud");
}

static void altra_pl011_is_not_a_16550(void **state)
{
	struct spcr_uart u;

	(void)state;
	assert_int_equal(spcr_parse(altra_spcr, sizeof(altra_spcr), &u, why, sizeof(why)), -1);
	assert_string_equal(why, "the SPCR's UART is interface type 0x03 (ARM PL011), not a 16550");
}

static void revision_4_mmio_bytes(void **state)
{
	struct spcr_uart u;
	char line[120];

	(void)state;
	assert_int_equal(spcr_parse(qemu_riscv_spcr, sizeof(qemu_riscv_spcr), &u, why, sizeof(why)), 0);
	assert_int_equal(u.revision, 4);
	assert_int_equal(u.interface_type, SPCR_IF_16550_GAS);
	assert_true(u.mmio);
	assert_int_equal(u.base, 0x10000000);
	assert_int_equal(u.reg_width, 1);
	assert_int_equal(u.stride, 1);
	assert_int_equal(u.gsi, 10);
	assert_int_equal(u.baud, 115200);
	spcr_describe(&u, line, sizeof(line));
	assert_string_equal(line, "MMIO 0x10000000 (8-bit registers, stride 1), 115200 baud");
}

static void mmio_32bit_registers(void **state)
{
	/* The Hyper-V table turned into what servers with an MMIO UART
	 * report: memory space, 32-bit access (access size 3). */
	struct tbuf t;
	struct spcr_uart u;
	char line[120];

	(void)state;
	tb_load(&t, hyperv_spcr, sizeof(hyperv_spcr));
	t.b[40] = ACPI_GAS_MEMORY;
	t.b[41] = 32;
	t.b[43] = 3;
	tb_put64(t.b + 44, 0xfe032000);
	t.b[58] = 0; /* as is */
	tb_fix(&t);
	assert_int_equal(spcr_parse(t.b, t.n, &u, why, sizeof(why)), 0);
	assert_true(u.mmio);
	assert_int_equal(u.reg_width, 4);
	assert_int_equal(u.stride, 4);
	assert_int_equal(spcr_reg_addr(&u, 0), 0xfe032000);
	assert_int_equal(spcr_reg_addr(&u, 5), 0xfe032014); /* LSR */
	assert_int_equal(u.baud, 0);
	spcr_describe(&u, line, sizeof(line));
	assert_string_equal(line, "MMIO 0xfe032000 (32-bit registers, stride 4), baud as the firmware set it");
	/* Legacy access size 0 with a 32-bit width: 32-bit registers too. */
	t.b[43] = 0;
	tb_fix(&t);
	assert_int_equal(spcr_parse(t.b, t.n, &u, why, sizeof(why)), 0);
	assert_int_equal(u.stride, 4);
	/* 64-bit accesses: no 16550 has those. */
	t.b[43] = 4;
	tb_fix(&t);
	assert_int_equal(spcr_parse(t.b, t.n, &u, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "64-bit"));
	/* Misaligned for its registers. */
	t.b[43] = 3;
	tb_put64(t.b + 44, 0xfe032002);
	tb_fix(&t);
	assert_int_equal(spcr_parse(t.b, t.n, &u, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not aligned"));
}

static void truncated_and_bad_checksum(void **state)
{
	struct tbuf t;
	struct spcr_uart u;

	(void)state;
	/* Fewer bytes readable than the length says. */
	assert_int_equal(spcr_parse(hyperv_spcr, 60, &u, why, sizeof(why)), -1);
	assert_string_equal(why, "the SPCR's length 80 runs past the 60 bytes there are");
	/* A length below the layout. */
	tb_load(&t, hyperv_spcr, sizeof(hyperv_spcr));
	t.n = 52;
	tb_fix(&t);
	assert_int_equal(spcr_parse(t.b, sizeof(t.b), &u, why, sizeof(why)), -1);
	assert_string_equal(why, "the SPCR's length 52 is shorter than its layout (80 bytes)");
	/* One byte changed, checksum left alone. */
	tb_load(&t, hyperv_spcr, sizeof(hyperv_spcr));
	t.b[44] = 0xe8; /* 0x2e8: COM4 */
	assert_int_equal(spcr_parse(t.b, t.n, &u, why, sizeof(why)), -1);
	assert_string_equal(why, "the SPCR's checksum is wrong (its 80 bytes sum to 0xf0, not 0)");
	/* Not an SPCR at all, or nothing to read. */
	assert_int_equal(spcr_parse("MCFG", 4, &u, why, sizeof(why)), -1);
	assert_string_equal(why, "the table has no \"SPCR\" signature");
}

static void bad_fields(void **state)
{
	struct tbuf t;
	struct spcr_uart u;

	(void)state;
	tb_load(&t, hyperv_spcr, sizeof(hyperv_spcr));
	t.b[58] = 5; /* a baud code the specification leaves unused */
	tb_fix(&t);
	assert_int_equal(spcr_parse(t.b, t.n, &u, why, sizeof(why)), -1);
	assert_string_equal(why, "the SPCR's baud rate code 5 is none of 0, 3, 4, 6, 7");

	tb_load(&t, hyperv_spcr, sizeof(hyperv_spcr));
	t.b[40] = 2; /* PCI configuration space */
	tb_fix(&t);
	assert_int_equal(spcr_parse(t.b, t.n, &u, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "address space 2"));

	tb_load(&t, hyperv_spcr, sizeof(hyperv_spcr));
	tb_put64(t.b + 44, 0); /* Intel's SPCR template leaves it 0 */
	tb_fix(&t);
	assert_int_equal(spcr_parse(t.b, t.n, &u, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "address 0"));

	tb_load(&t, hyperv_spcr, sizeof(hyperv_spcr));
	tb_put64(t.b + 44, 0xfffc);
	tb_fix(&t);
	assert_int_equal(spcr_parse(t.b, t.n, &u, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "no room"));

	tb_load(&t, hyperv_spcr, sizeof(hyperv_spcr));
	t.b[42] = 8; /* bit offset */
	tb_fix(&t);
	assert_int_equal(spcr_parse(t.b, t.n, &u, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "bit 8"));
}

static void revision_4_precise_baud(void **state)
{
	struct tbuf t;
	struct spcr_uart u;

	(void)state;
	tb_load(&t, qemu_riscv_spcr, sizeof(qemu_riscv_spcr));
	tb_put32(t.b + 80, 1500000);
	tb_fix(&t);
	assert_int_equal(spcr_parse(t.b, t.n, &u, why, sizeof(why)), 0);
	assert_int_equal(u.baud, 1500000);
	/* The same field in a revision 2 table is reserved: ignored. */
	t.b[8] = 2;
	tb_fix(&t);
	assert_int_equal(spcr_parse(t.b, t.n, &u, why, sizeof(why)), 0);
	assert_int_equal(u.baud, 115200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hyperv_io_port),
		cmocka_unit_test(altra_pl011_is_not_a_16550),
		cmocka_unit_test(revision_4_mmio_bytes),
		cmocka_unit_test(mmio_32bit_registers),
		cmocka_unit_test(truncated_and_bad_checksum),
		cmocka_unit_test(bad_fields),
		cmocka_unit_test(revision_4_precise_baud),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
