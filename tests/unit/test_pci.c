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

/* A function behind the bridge: its bytes, the write mask, the callback. */
static struct pci_func fn;
static unsigned written_reg, written_size, n_written;

static void fn_written(struct pci_func *f, unsigned reg, unsigned size)
{
	(void)f;
	written_reg = reg;
	written_size = size;
	n_written++;
}

static void add_fn(void)
{
	fn = (struct pci_func){ .written = fn_written };
	pci_cfg_set(&fn, 0x00, 4, 0x10441af4u);
	pci_cfg_set(&fn, PCI_BAR0, 4, 0xc0000000u);
	pci_cfg_set(&fn, PCI_COMMAND, 2, 0);
	pci_cfg_set(&fn, PCI_BAR0 + 4, 4, 0x5a5a5a5au); /* read-only */
	/* A 4 KiB 32-bit memory BAR; command bits 1 and 10. */
	fn.wmask[PCI_BAR0 + 1] = 0xf0;
	fn.wmask[PCI_BAR0 + 2] = 0xff;
	fn.wmask[PCI_BAR0 + 3] = 0xff;
	fn.wmask[PCI_COMMAND] = PCI_COMMAND_MEMORY;
	fn.wmask[PCI_COMMAND + 1] = PCI_COMMAND_INTX_DISABLE >> 8;
	n_written = 0;
	assert_int_equal(pci_host_add(&pci, 3, &fn), 0);
}

static void test_function_reads(void **state)
{
	(void)state;
	add_fn();
	out(0xcf8, 4, 0x80001800u); /* device 3 */
	assert_int_equal(in(0xcfc, 4), 0x10441af4u);
	assert_int_equal(in(0xcfe, 2), 0x1044);
	/* Function 1 of the same device and bus 1 are absent. */
	out(0xcf8, 4, 0x80001900u);
	assert_int_equal(in(0xcfc, 4), 0xffffffffu);
	out(0xcf8, 4, 0x80011800u);
	assert_int_equal(in(0xcfc, 4), 0xffffffffu);
}

static void test_function_bar_sizing(void **state)
{
	(void)state;
	add_fn();
	out(0xcf8, 4, 0x80001810u); /* device 3, BAR0 */
	out(0xcfc, 4, 0xffffffffu);
	assert_int_equal(in(0xcfc, 4), 0xfffff000u); /* 4 KiB */
	assert_int_equal(n_written, 1);
	assert_int_equal(written_reg, PCI_BAR0);
	assert_int_equal(written_size, 4);
	out(0xcfc, 4, 0xd0000000u);
	assert_int_equal(in(0xcfc, 4), 0xd0000000u);
	/* Read-only bytes stay. */
	out(0xcf8, 4, 0x80001814u);
	out(0xcfc, 4, 0);
	assert_int_equal(in(0xcfc, 4), 0x5a5a5a5au);
}

static void test_function_narrow_write(void **state)
{
	(void)state;
	add_fn();
	out(0xcf8, 4, 0x80001804u); /* command */
	out(0xcfc, 2, 0xffff);
	assert_int_equal(in(0xcfc, 2), PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE);
	/* A word at 0xCFF is the dword's last byte alone. */
	out(0xcf8, 4, 0x80001810u);
	out(0xcff, 2, 0xabcd);
	assert_int_equal(written_reg, PCI_BAR0 + 3);
	assert_int_equal(written_size, 1);
	assert_int_equal(in(0xcfc, 4), 0xcd000000u);
	/* Slot 0 is the bridge's; a taken slot is refused. */
	assert_int_equal(pci_host_add(&pci, 0, &fn), -1);
	assert_int_equal(pci_host_add(&pci, 3, &fn), -1);
	assert_int_equal(pci_host_add(&pci, 32, &fn), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_narrow_address_read, setup),
		cmocka_unit_test_setup(test_address_write_needs_dword, setup),
		cmocka_unit_test_setup(test_host_bridge, setup),
		cmocka_unit_test_setup(test_absent_functions, setup),
		cmocka_unit_test_setup(test_function_reads, setup),
		cmocka_unit_test_setup(test_function_bar_sizing, setup),
		cmocka_unit_test_setup(test_function_narrow_write, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
