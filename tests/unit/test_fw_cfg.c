/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for vmm/vdev/fw_cfg.c: the items a kernel written for
 * QEMU reads, in the byte order QEMU's fw_cfg specification gives, read
 * the way such a kernel reads them (16-bit OUT to the selector, 8-bit INs
 * from the data port).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/io.h"
#include "vmm/vdev/fw_cfg.h"

static struct io_bus bus;
static struct fw_cfg cfg;

static int setup(void **state)
{
	(void)state;
	memset(&bus, 0, sizeof(bus));
	fw_cfg_init(&cfg, 0x12345678ull << 8, 3);
	assert_int_equal(fw_cfg_attach(&cfg, &bus), 0);
	return 0;
}

static void select_key(uint16_t key)
{
	uint32_t v = key;

	assert_true(io_access(&bus, FW_CFG_PORT_SEL, 2, true, &v));
}

static void read_item(uint16_t key, uint8_t *buf, unsigned n)
{
	select_key(key);
	for (unsigned i = 0; i < n; i++) {
		uint32_t v = 0xdeadbeef;

		assert_true(io_access(&bus, FW_CFG_PORT_DATA, 1, false, &v));
		assert_true(v <= 0xff);
		buf[i] = (uint8_t)v;
	}
}

static uint64_t read_le(uint16_t key, unsigned n)
{
	uint8_t b[8];
	uint64_t v = 0;

	read_item(key, b, n);
	for (unsigned i = n; i-- > 0;)
		v = v << 8 | b[i];
	return v;
}

static void test_signature_and_id(void **state)
{
	uint8_t b[6];

	(void)state;
	read_item(FW_CFG_SIGNATURE, b, sizeof(b));
	assert_memory_equal(b, "QEMU\0\0", 6); /* zeros past the end */
	/* The port interface only: bit 1 (DMA) must be clear, since port
	 * 0x514 is not there. */
	assert_int_equal(read_le(FW_CFG_ID, 4), FW_CFG_ID_TRADITIONAL);
}

static void test_numbers(void **state)
{
	(void)state;
	assert_int_equal(read_le(FW_CFG_RAM_SIZE, 8), 0x12345678ull << 8);
	assert_int_equal(read_le(FW_CFG_NB_CPUS, 2), 3);
	assert_int_equal(read_le(FW_CFG_MAX_CPUS, 2), 3);
	assert_int_equal(read_le(FW_CFG_NOGRAPHIC, 2), 1);
}

/* The file directory starts with a big-endian count: zero files. */
static void test_empty_file_dir(void **state)
{
	uint8_t b[4];

	(void)state;
	read_item(FW_CFG_FILE_DIR, b, sizeof(b));
	assert_memory_equal(b, "\0\0\0\0", 4);
}

/* Reselecting starts the item over; an unknown key or a write-channel
 * selector reads zeros; data-port writes change nothing. */
static void test_reselect_and_unknown(void **state)
{
	uint8_t b[4];
	uint32_t v = 'X';

	(void)state;
	read_item(FW_CFG_SIGNATURE, b, 2);
	assert_true(io_access(&bus, FW_CFG_PORT_DATA, 1, true, &v));
	read_item(FW_CFG_SIGNATURE, b, 4);
	assert_memory_equal(b, "QEMU", 4);
	read_item(0x1234, b, 4);
	assert_memory_equal(b, "\0\0\0\0", 4);
	read_item(FW_CFG_WRITE_CHANNEL | FW_CFG_SIGNATURE, b, 4);
	assert_memory_equal(b, "\0\0\0\0", 4);
	read_item(FW_CFG_ARCH_LOCAL, b, 4);
	assert_memory_equal(b, "\0\0\0\0", 4);
}

/* Widths outside the interface: an 8-bit selector write selects nothing,
 * a 16-bit data read reads all ones and moves nothing. */
static void test_wrong_widths(void **state)
{
	uint8_t b[4];
	uint32_t v;

	(void)state;
	select_key(FW_CFG_NB_CPUS);
	v = FW_CFG_SIGNATURE;
	assert_true(io_access(&bus, FW_CFG_PORT_SEL, 1, true, &v));
	v = 0;
	assert_true(io_access(&bus, FW_CFG_PORT_DATA, 2, false, &v));
	assert_int_equal(v, 0xffff);
	for (unsigned i = 0; i < 2; i++) {
		assert_true(io_access(&bus, FW_CFG_PORT_DATA, 1, false, &v));
		b[i] = (uint8_t)v;
	}
	assert_int_equal(b[0] | b[1] << 8, 3);
}

/* A guest that reads forever gets zeros, never anything else. */
static void test_read_forever(void **state)
{
	uint32_t v;

	(void)state;
	select_key(FW_CFG_RAM_SIZE);
	for (unsigned i = 0; i < 100000; i++) {
		assert_true(io_access(&bus, FW_CFG_PORT_DATA, 1, false, &v));
		if (i >= 8)
			assert_int_equal(v, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_signature_and_id, setup),
		cmocka_unit_test_setup(test_numbers, setup),
		cmocka_unit_test_setup(test_empty_file_dir, setup),
		cmocka_unit_test_setup(test_reselect_and_unknown, setup),
		cmocka_unit_test_setup(test_wrong_widths, setup),
		cmocka_unit_test_setup(test_read_forever, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
