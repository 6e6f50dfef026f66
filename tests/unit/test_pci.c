/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for vmm/vdev/pci.c, the host bridge behind configuration
 * mechanism #1, through the real port registry (vmm/io.c). The first test
 * is fuzz_vdev's find (tests/fuzz/corpus/vdev/regress_pci_cf8_narrow_read):
 * a byte or word read of 0xCF8 returned 0xFFFFFFFF, bits beyond the
 * access that no other port handler returns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vmm/io.h"
#include "vmm/vdev/pci.h"

static struct io_bus bus;
static struct pci_host pci;

static int setup(void **state)
{
	(void)state;
	bus = (struct io_bus){ 0 };
	pci_host_init(&pci);
	assert_int_equal(pci_host_attach(&pci, &bus), 0);
	return 0;
}

static uint32_t in(uint16_t port, unsigned size)
{
	uint32_t v = 0xa5a5a5a5u;

	assert_true(io_access(&bus, port, size, false, &v));
	return v;
}

static void out(uint16_t port, unsigned size, uint32_t v)
{
	assert_true(io_access(&bus, port, size, true, &v));
}

/* Narrow reads of CONFIG_ADDRESS are not CONFIG_ADDRESS: all ones of
 * their own size, nothing above. */
static void test_narrow_address_read(void **state)
{
	(void)state;
	out(0xcf8, 4, 0x80000000u);
	assert_int_equal(in(0xcf8, 1), 0xff);
	assert_int_equal(in(0xcf8, 2), 0xffff);
	assert_int_equal(in(0xcf8, 4), 0x80000000u);
}

static void test_address_write_needs_dword(void **state)
{
	(void)state;
	out(0xcf8, 4, 0x80000008u);
	out(0xcf8, 1, 0x00);
	out(0xcf8, 2, 0x0000);
	assert_int_equal(in(0xcf8, 4), 0x80000008u);
	/* Reserved bits 30:24 and 1:0 read as zero. */
	out(0xcf8, 4, 0xffffffffu);
	assert_int_equal(in(0xcf8, 4), 0x80fffffcu);
}

static void test_host_bridge(void **state)
{
	(void)state;
	out(0xcf8, 4, 0x80000000u);
	assert_int_equal(in(0xcfc, 4), 0x12378086u);
	assert_int_equal(in(0xcfc, 2), 0x8086);
	assert_int_equal(in(0xcfe, 2), 0x1237);
	assert_int_equal(in(0xcff, 1), 0x12);
	out(0xcf8, 4, 0x80000008u);
	assert_int_equal(in(0xcfc, 4), 0x06000002u);
	/* Read-only: a write changes nothing. */
	out(0xcfc, 4, 0);
	assert_int_equal(in(0xcfc, 4), 0x06000002u);
}

static void test_absent_functions(void **state)
{
	(void)state;
	out(0xcf8, 4, 0x80000800u); /* device 1 */
	assert_int_equal(in(0xcfc, 4), 0xffffffffu);
	assert_int_equal(in(0xcfd, 1), 0xff);
	out(0xcf8, 4, 0x00000000u); /* enable clear */
	assert_int_equal(in(0xcfc, 2), 0xffff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_narrow_address_read, setup),
		cmocka_unit_test_setup(test_address_write_needs_dword, setup),
		cmocka_unit_test_setup(test_host_bridge, setup),
		cmocka_unit_test_setup(test_absent_functions, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
