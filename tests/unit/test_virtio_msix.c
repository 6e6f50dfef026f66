/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for MSI-X on the virtio-pci transport (vmm/vdev/msix.c
 * and its use in vmm/vdev/virtio_pci.c): the capability, the vector
 * mappings of the common configuration, the table and the pending bits,
 * as a driver reaches them through configuration space and BAR0. The
 * fake device is test_virtio_pci.c's: one queue, every writable byte
 * filled with 0x5a (tests/unit/virtio_fake_dev.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/virtio_harness.h"
#include "tests/unit/virtio_fake_dev.h"

#define MSIX_CAP 0x98
#define TABLE(v, f) (BAR + VIRTIO_PCI_MSIX_TABLE + 16 * (v) + (f))
#define PBA (BAR + VIRTIO_PCI_MSIX_PBA)

static struct virtio_pci vp;
static unsigned sent;
static uint64_t sent_addr;
static uint32_t sent_data;

static void msi(void *ctx, uint64_t addr, uint32_t data)
{
	assert_ptr_equal(ctx, &vp);
	sent++;
	sent_addr = addr;
	sent_data = data;
}

static int setup(void **state)
{
	struct virtio_pci_config cfg = harness_reset();

	(void)state;
	cfg.ops = &fake_ops;
	cfg.msi = msi;
	cfg.msi_ctx = &vp;
	virtio_pci_init(&vp, &cfg);
	harness_attach(&vp);
	sent = 0;
	sent_addr = sent_data = 0;
	return 0;
}

/* Vector v: the message, unmasked. */
static void program(unsigned v, uint32_t addr, uint32_t data)
{
	mem_write(TABLE(v, 0), 4, addr);
	mem_write(TABLE(v, 4), 4, 0);
	mem_write(TABLE(v, 8), 4, data);
	mem_write(TABLE(v, 12), 4, 0);
}

static void msix_control(uint16_t bits)
{
	cfg_write(MSIX_CAP + 2, 2, bits);
}

/* Queue 0 on vector 0, the configuration on vector 1, MSI-X on. */
static void driver_with_msix(void)
{
	driver_init(VIRTIO_F_VERSION_1);
	program(0, 0xfee01000u, 0x41);
	program(1, 0xfee00000u, 0x42);
	msix_control(MSIX_CTRL_ENABLE);
	mem_write(COMMON(0x10), 2, 1);
	mem_write(COMMON(0x16), 2, 0);
	mem_write(COMMON(0x1a), 2, 0);
}

static void request(void)
{
	offer(0, BUF, 64, VIRTQ_DESC_F_WRITE);
	notify();
}

/* --------------------------------------------------------------- tests */

/* The capability is in the list after the vendor ones: one vector per
 * queue and one for the configuration, table and PBA in BAR0. */
static void test_capability(void **state)
{
	unsigned at = cfg_read(PCI_CAPABILITY_LIST, 1), n = 0, found = 0;

	(void)state;
	while (at && n++ < 16) {
		if (cfg_read(at, 1) == PCI_CAP_ID_MSIX)
			found = at;
		at = cfg_read(at + 1, 1);
	}
	assert_int_equal(found, MSIX_CAP);
	assert_int_equal(cfg_read(MSIX_CAP + 2, 2), 1); /* 2 vectors, off */
	assert_int_equal(cfg_read(MSIX_CAP + 4, 4), VIRTIO_PCI_MSIX_TABLE); /* BIR 0 */
	assert_int_equal(cfg_read(MSIX_CAP + 8, 4), VIRTIO_PCI_MSIX_PBA);
	/* The table size is not the driver's to change. */
	cfg_write(MSIX_CAP + 2, 2, 0x7ff);
	assert_int_equal(cfg_read(MSIX_CAP + 2, 2), 1);
	enable_memory();
	assert_int_equal(mem_read(TABLE(0, 12), 4), MSIX_VECTOR_MASKED);
	assert_int_equal(mem_read(TABLE(1, 12), 4), MSIX_VECTOR_MASKED);
}

/* A vector the table has reads back; one it lacks reads NO_VECTOR, which
 * is how the driver learns it (4.1.4.3); a reset forgets both. */
static void test_vector_mapping(void **state)
{
	(void)state;
	driver_init(VIRTIO_F_VERSION_1);
	assert_int_equal(mem_read(COMMON(0x10), 2), VIRTIO_MSI_NO_VECTOR);
	mem_write(COMMON(0x10), 2, 1);
	assert_int_equal(mem_read(COMMON(0x10), 2), 1);
	mem_write(COMMON(0x10), 2, 2);
	assert_int_equal(mem_read(COMMON(0x10), 2), VIRTIO_MSI_NO_VECTOR);
	mem_write(COMMON(0x16), 2, 0);
	mem_write(COMMON(0x1a), 2, 0);
	assert_int_equal(mem_read(COMMON(0x1a), 2), 0);
	mem_write(COMMON(0x16), 2, 3); /* no such queue */
	mem_write(COMMON(0x1a), 2, 0);
	assert_int_equal(mem_read(COMMON(0x1a), 2), VIRTIO_MSI_NO_VECTOR);
	mem_write(COMMON(0x14), 1, 0);
	mem_write(COMMON(0x16), 2, 0);
	assert_int_equal(mem_read(COMMON(0x1a), 2), VIRTIO_MSI_NO_VECTOR);
	assert_int_equal(mem_read(COMMON(0x10), 2), VIRTIO_MSI_NO_VECTOR);
}

/* A used buffer sends queue 0's message, once, and leaves the pin and
 * the ISR alone: no ISR read, no level-triggered EOI. */
static void test_queue_message(void **state)
{
	(void)state;
	driver_with_msix();
	request();
	assert_int_equal(used_idx(), 1);
	assert_int_equal(sent, 1);
	assert_int_equal(sent_addr, 0xfee01000u);
	assert_int_equal(sent_data, 0x41);
	assert_false(line);
	assert_int_equal(line_changes, 0);
	assert_int_equal(mem_read(BAR + VIRTIO_PCI_ISR, 1), 0);
}

/* A masked vector's message waits in the PBA and goes once unmasked;
 * the function mask holds every vector the same way. */
static void test_masks_pend(void **state)
{
	(void)state;
	driver_with_msix();
	mem_write(TABLE(0, 12), 4, MSIX_VECTOR_MASKED);
	request();
	assert_int_equal(sent, 0);
	assert_int_equal(mem_read(PBA, 8), 1);
	mem_write(PBA, 8, 0); /* read-only */
	assert_int_equal(mem_read(PBA, 4), 1);
	mem_write(TABLE(0, 12), 4, 0);
	assert_int_equal(sent, 1);
	assert_int_equal(mem_read(PBA, 8), 0);

	msix_control(MSIX_CTRL_ENABLE | MSIX_CTRL_FUNCTION_MASK);
	request();
	assert_int_equal(sent, 1);
	assert_int_equal(mem_read(PBA, 4), 1);
	msix_control(MSIX_CTRL_ENABLE);
	assert_int_equal(sent, 2);
	assert_int_equal(mem_read(PBA, 4), 0);
	assert_false(line);
}

/* NO_VECTOR: with MSI-X on, the queue interrupts not at all. */
static void test_no_vector_no_interrupt(void **state)
{
	(void)state;
	driver_with_msix();
	mem_write(COMMON(0x1a), 2, VIRTIO_MSI_NO_VECTOR);
	request();
	assert_int_equal(used_idx(), 1);
	assert_int_equal(sent, 0);
	assert_false(line);
}

/* Until the driver turns MSI-X on, the pin works as without it; turning
 * it on drops a raised pin. */
static void test_intx_until_enabled(void **state)
{
	(void)state;
	driver_init(VIRTIO_F_VERSION_1);
	program(0, 0xfee00000u, 0x41);
	mem_write(COMMON(0x1a), 2, 0);
	request();
	assert_int_equal(sent, 0);
	assert_true(line);
	msix_control(MSIX_CTRL_ENABLE);
	assert_false(line);
}

/* A broken chain: the configuration vector's message, and the ISR's
 * configuration bit for a driver that looks. */
static void test_config_message(void **state)
{
	(void)state;
	driver_with_msix();
	offer(0, RAM_SIZE, 64, VIRTQ_DESC_F_WRITE); /* outside RAM */
	notify();
	assert_true(vp.status & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(sent, 1);
	assert_int_equal(sent_data, 0x42);
	assert_int_equal(mem_read(BAR + VIRTIO_PCI_ISR, 1), VIRTIO_ISR_CONFIG);
	assert_false(line);
}

/* Table accesses: dwords and aligned qwords; the address's low bits and
 * the control's reserved bits read 0; anything else is ignored. */
static void test_table_accesses(void **state)
{
	(void)state;
	enable_memory();
	mem_write(TABLE(0, 0), 8, 0x00000001fee0100full);
	assert_int_equal(mem_read(TABLE(0, 0), 4), 0xfee0100cu);
	assert_int_equal(mem_read(TABLE(0, 4), 4), 1);
	assert_int_equal(mem_read(TABLE(0, 0), 8), 0x00000001fee0100cull);
	mem_write(TABLE(0, 8), 2, 0xffff); /* a word: ignored */
	assert_int_equal(mem_read(TABLE(0, 8), 4), 0);
	mem_write(TABLE(0, 4), 8, ~0ull); /* a misaligned qword: ignored */
	assert_int_equal(mem_read(TABLE(0, 4), 4), 1);
	mem_write(TABLE(1, 12), 4, 0xfffffffe);
	assert_int_equal(mem_read(TABLE(1, 12), 4), 0);
	mem_write(TABLE(2, 0), 4, 0x1234); /* past the table */
	assert_int_equal(mem_read(TABLE(2, 0), 4), 0);
}

/* The message format: destination, logical bit, mode and vector; any
 * address outside 0xFEExxxxx is not a message. */
static void test_msi_decode(void **state)
{
	struct msi_msg m;

	(void)state;
	assert_true(msi_decode(0xfee0300cull, 0xc4a1, &m));
	assert_int_equal(m.dest, 3);
	assert_true(m.logical);
	assert_int_equal(m.mode, 4); /* NMI */
	assert_int_equal(m.vector, 0xa1);
	assert_true(msi_decode(0xfeeff000ull, 0x30, &m));
	assert_int_equal(m.dest, 0xff);
	assert_false(m.logical);
	assert_int_equal(m.mode, 0);
	assert_false(msi_decode(0xfef00000ull, 0x30, &m));
	assert_false(msi_decode(0x1fee00000ull, 0x30, &m));
	assert_false(msi_decode(0, 0x30, &m));
}

/* A transport without msi() has no MSI-X at all (the other tests' case). */
static void test_absent_without_msi(void **state)
{
	struct virtio_pci_config cfg = harness_reset();
	unsigned at, n = 0;

	(void)state;
	cfg.ops = &fake_ops;
	virtio_pci_init(&vp, &cfg);
	harness_attach(&vp);
	for (at = cfg_read(PCI_CAPABILITY_LIST, 1); at && n++ < 16; at = cfg_read(at + 1, 1))
		assert_int_not_equal(cfg_read(at, 1), PCI_CAP_ID_MSIX);
	driver_init(VIRTIO_F_VERSION_1);
	mem_write(COMMON(0x10), 2, 0);
	assert_int_equal(mem_read(COMMON(0x10), 2), VIRTIO_MSI_NO_VECTOR);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_capability),
		T(test_vector_mapping),
		T(test_queue_message),
		T(test_masks_pend),
		T(test_no_vector_no_interrupt),
		T(test_intx_until_enabled),
		T(test_config_message),
		T(test_table_accesses),
		T(test_absent_without_msi),
		T(test_msi_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
