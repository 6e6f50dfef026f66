/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for vmm/vdev/virtio_pci.c, the modern virtio-pci
 * transport, through the real configuration ports (vmm/vdev/pci.c,
 * vmm/io.c) and MMIO registry (vmm/mmio.c), as a driver would drive it:
 * a fake device of one queue whose handle() fills every writable byte
 * with 0x5a. Guest RAM is a 64 KiB host buffer at guest-physical 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/virtio_harness.h"
#include "tests/unit/virtio_fake_dev.h"

static struct virtio_pci vp;

static int setup(void **state)
{
	struct virtio_pci_config cfg = harness_reset();

	(void)state;
	cfg.ops = &fake_ops;
	virtio_pci_init(&vp, &cfg);
	harness_attach(&vp);
	return 0;
}

/* --------------------------------------------------------------- tests */

static void test_identity(void **state)
{
	(void)state;
	assert_int_equal(cfg_read(0x00, 4), 0x10441af4u);
	assert_int_equal(cfg_read(0x08, 1), 1); /* revision 1: modern */
	assert_int_equal(cfg_read(0x09, 4) & 0xffffff, 0xff0000);
	assert_int_equal(cfg_read(0x2c, 4), 0x10441af4u);
	assert_int_equal(cfg_read(PCI_INTERRUPT_PIN, 1), 1);
	assert_int_equal(cfg_read(PCI_INTERRUPT_LINE, 1), 10);
	assert_true(cfg_read(PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	assert_int_equal(cfg_read(PCI_BAR0, 4), BAR);
}

/* Walk the capability list as a driver does: each vendor capability's
 * type, offset and length; no device-specific one (cfg_size 0). */
static void test_capabilities(void **state)
{
	unsigned seen = 0, at = cfg_read(PCI_CAPABILITY_LIST, 1), n = 0;

	(void)state;
	while (at && n++ < 16) {
		unsigned type = cfg_read(at + 3, 1);

		assert_int_equal(cfg_read(at, 1), 0x09);
		assert_int_equal(cfg_read(at + 4, 1), 0); /* BAR0 */
		seen |= 1u << type;
		if (type == 1) {
			assert_int_equal(cfg_read(at + 8, 4), VIRTIO_PCI_COMMON);
			assert_true(cfg_read(at + 12, 4) >= 0x38);
		} else if (type == 2) {
			assert_int_equal(cfg_read(at + 2, 1), 20);
			assert_int_equal(cfg_read(at + 8, 4), VIRTIO_PCI_NOTIFY);
			assert_int_equal(cfg_read(at + 16, 4), VIRTIO_PCI_NOTIFY_MULT);
		} else if (type == 3) {
			assert_int_equal(cfg_read(at + 8, 4), VIRTIO_PCI_ISR);
		}
		at = cfg_read(at + 1, 1);
	}
	assert_int_equal(seen, 1u << 1 | 1u << 2 | 1u << 3 | 1u << 5);
}

static void test_decode_needs_memory_space(void **state)
{
	(void)state;
	assert_int_equal(mem_read(COMMON(0x12), 2), 0xffff);
	enable_memory();
	assert_int_equal(mem_read(COMMON(0x12), 2), 1);
	assert_int_equal(mem_read(COMMON(0x18), 2), QMAX);
	assert_int_equal(mem_read(COMMON(0x10), 2), 0xffff); /* no MSI-X */
}

static void test_bar_sizing_and_move(void **state)
{
	(void)state;
	enable_memory();
	cfg_write(PCI_BAR0, 4, 0xffffffffu);
	assert_int_equal(cfg_read(PCI_BAR0, 4), 0xfffff000u);
	cfg_write(PCI_BAR0, 4, 0xd0000000u);
	assert_null(mmio_find(&mmio, BAR));
	assert_int_equal(mem_read(0xd0000000u + VIRTIO_PCI_COMMON + 0x12, 2), 1);
	/* Into guest RAM: no decoding, and the range stays in the hole. */
	cfg_write(PCI_BAR0, 4, 0x4000);
	assert_int_equal(mem_read(0xd0000000u + VIRTIO_PCI_COMMON + 0x12, 2), 0xffff);
	cfg_write(PCI_BAR0, 4, 0xd0000000u);
	assert_int_equal(mem_read(0xd0000000u + VIRTIO_PCI_COMMON + 0x12, 2), 1);
}

static void test_features_need_version_1(void **state)
{
	(void)state;
	enable_memory();
	mem_write(COMMON(0x00), 4, 1);
	assert_true(mem_read(COMMON(0x04), 4) & 1); /* VERSION_1 is bit 32 */
	mem_write(COMMON(0x14), 1, 3);
	mem_write(COMMON(0x0c), 4, 0); /* the legacy interface: refused */
	mem_write(COMMON(0x14), 1, 0xb);
	assert_int_equal(mem_read(COMMON(0x14), 1), 3);
	/* A feature not offered: refused too. */
	mem_write(COMMON(0x08), 4, 1);
	mem_write(COMMON(0x0c), 4, 1 | 2);
	mem_write(COMMON(0x14), 1, 0xb);
	assert_int_equal(mem_read(COMMON(0x14), 1), 3);
	mem_write(COMMON(0x0c), 4, 1);
	mem_write(COMMON(0x14), 1, 0xb);
	assert_int_equal(mem_read(COMMON(0x14), 1), 0xb);
	/* Fixed from FEATURES_OK on. */
	mem_write(COMMON(0x0c), 4, 0);
	assert_int_equal(mem_read(COMMON(0x0c), 4), 1);
}

static void test_request_and_interrupt(void **state)
{
	(void)state;
	driver_init(VIRTIO_F_VERSION_1);
	offer(0, BUF, 64, VIRTQ_DESC_F_WRITE);
	notify();
	assert_int_equal(handled, 1);
	assert_int_equal(ram_buf[BUF + 63], 0x5a);
	assert_int_equal(used_idx(), 1);
	assert_int_equal(*(uint32_t *)(ram_buf + USED + 8), 64);
	assert_true(line);
	assert_true(cfg_read(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	/* Reading the ISR says why and drops the line. */
	assert_int_equal(mem_read(BAR + VIRTIO_PCI_ISR, 1), VIRTIO_ISR_QUEUE);
	assert_false(line);
	assert_int_equal(mem_read(BAR + VIRTIO_PCI_ISR, 1), 0);
	assert_false(cfg_read(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
}

static void test_no_interrupt_flag(void **state)
{
	(void)state;
	driver_init(VIRTIO_F_VERSION_1);
	*(uint16_t *)(ram_buf + AVAIL) = VIRTQ_AVAIL_F_NO_INTERRUPT;
	offer(0, BUF, 8, VIRTQ_DESC_F_WRITE);
	notify();
	assert_int_equal(used_idx(), 1);
	assert_false(line);
	assert_int_equal(line_changes, 0);
}

static void test_intx_disable(void **state)
{
	(void)state;
	driver_init(VIRTIO_F_VERSION_1);
	cfg_write(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE);
	offer(0, BUF, 8, VIRTQ_DESC_F_WRITE);
	notify();
	assert_false(line);
	assert_true(cfg_read(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	cfg_write(PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_true(line);
}

/* 3.1.1: nothing is used before DRIVER_OK; what waited is served then. */
static void test_waits_for_driver_ok(void **state)
{
	(void)state;
	driver_init(VIRTIO_F_VERSION_1);
	mem_write(COMMON(0x14), 1, 0);
	assert_int_equal(mem_read(COMMON(0x1c), 2), 0); /* reset disabled it */
	driver_setup(VIRTIO_F_VERSION_1, false);
	offer(1, BUF, 8, VIRTQ_DESC_F_WRITE);
	notify();
	assert_int_equal(handled, 0);
	mem_write(COMMON(0x14), 1, 0xf);
	assert_int_equal(handled, 1);
}

/* A hostile chain: DEVICE_NEEDS_RESET, a configuration interrupt, the
 * reason noted, and nothing more served until a reset. */
static void test_bad_chain_needs_reset(void **state)
{
	(void)state;
	driver_init(VIRTIO_F_VERSION_1);
	offer(0, 0xfee00000u, 16, VIRTQ_DESC_F_WRITE);
	notify();
	assert_int_equal(handled, 0);
	assert_true(mem_read(COMMON(0x14), 1) & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(notes, 1);
	assert_non_null(strstr(last_why, "outside guest RAM"));
	assert_true(line);
	assert_int_equal(mem_read(BAR + VIRTIO_PCI_ISR, 1), VIRTIO_ISR_CONFIG);
	/* The driver cannot clear the bit by writing status. */
	mem_write(COMMON(0x14), 1, 0xf);
	assert_true(mem_read(COMMON(0x14), 1) & VIRTIO_STATUS_NEEDS_RESET);
	offer(1, BUF, 16, VIRTQ_DESC_F_WRITE);
	notify();
	assert_int_equal(handled, 0);
	/* A reset and a new setup work again. */
	memset(ram_buf, 0, 0x4000);
	driver_init(VIRTIO_F_VERSION_1);
	assert_false(mem_read(COMMON(0x14), 1) & VIRTIO_STATUS_NEEDS_RESET);
	offer(0, BUF, 16, VIRTQ_DESC_F_WRITE);
	notify();
	assert_int_equal(handled, 1);
}

static void test_queue_setup_refused(void **state)
{
	(void)state;
	enable_memory();
	mem_write(COMMON(0x14), 1, 3);
	mem_write(COMMON(0x08), 4, 1);
	mem_write(COMMON(0x0c), 4, 1);
	mem_write(COMMON(0x14), 1, 0xb);
	mem_write(COMMON(0x18), 2, QMAX * 2); /* larger than offered */
	mem_write(COMMON(0x20), 4, DESC);
	mem_write(COMMON(0x28), 4, AVAIL);
	mem_write(COMMON(0x30), 4, USED);
	mem_write(COMMON(0x1c), 2, 1);
	assert_int_equal(mem_read(COMMON(0x1c), 2), 0);
	assert_true(mem_read(COMMON(0x14), 1) & VIRTIO_STATUS_NEEDS_RESET);
	/* A queue that does not exist reads size 0. */
	mem_write(COMMON(0x16), 2, 1);
	assert_int_equal(mem_read(COMMON(0x18), 2), 0);
}

static void test_indirect_negotiated(void **state)
{
	struct virtq_desc *t = (struct virtq_desc *)(ram_buf + 0x5000);

	(void)state;
	driver_init(VIRTIO_F_VERSION_1 | VIRTIO_F_INDIRECT_DESC);
	t[0] = (struct virtq_desc){ BUF, 4, VIRTQ_DESC_F_WRITE, 0 };
	offer(0, 0x5000, 16, VIRTQ_DESC_F_INDIRECT);
	notify();
	assert_int_equal(handled, 1);
	assert_int_equal(*(uint32_t *)(ram_buf + USED + 8), 4);
}

/* One notification serves what is there, and at most the queue size:
 * a full ring of 8 chains, all used, one interrupt. */
static void test_full_ring_one_doorbell(void **state)
{
	(void)state;
	driver_init(VIRTIO_F_VERSION_1);
	for (uint16_t i = 0; i < 8; i++)
		offer(i, BUF + 16 * i, 16, VIRTQ_DESC_F_WRITE);
	notify();
	assert_int_equal(handled, 8);
	assert_int_equal(used_idx(), 8);
	assert_int_equal(line_changes, 1);
	notify(); /* nothing new: nothing done */
	assert_int_equal(handled, 8);
}

/* VIRTIO_PCI_CAP_PCI_CFG: BAR0 through configuration space alone. */
static void test_pci_cfg_window(void **state)
{
	unsigned at = cfg_read(PCI_CAPABILITY_LIST, 1);

	(void)state;
	while (cfg_read(at + 3, 1) != 5)
		at = cfg_read(at + 1, 1);
	cfg_write(at + 4, 1, 0);
	cfg_write(at + 8, 4, VIRTIO_PCI_COMMON + 0x12);
	cfg_write(at + 12, 4, 2);
	assert_int_equal(cfg_read(at + 16, 4) & 0xffff, 1);
	cfg_write(at + 8, 4, VIRTIO_PCI_COMMON + 0x14);
	cfg_write(at + 12, 4, 1);
	cfg_write(at + 16, 4, VIRTIO_STATUS_ACKNOWLEDGE);
	assert_int_equal(vp.status, VIRTIO_STATUS_ACKNOWLEDGE);
}

/* With a notify port: BAR2 is a 4-port I/O BAR there, and its notify
 * capability (multiplier 0, the queue's index written) comes first in the
 * list; an OUT serves the queue while I/O space is on, and only then. */
#define PORT 0xc014
static int setup_port(void **state)
{
	struct virtio_pci_config cfg = harness_reset();

	(void)state;
	cfg.ops = &fake_ops;
	cfg.notify_port = PORT;
	cfg.io = &io;
	virtio_pci_init(&vp, &cfg);
	harness_attach(&vp);
	return 0;
}

static void port_out(uint16_t port, unsigned size, uint32_t v)
{
	io_access(&io, port, size, true, &v);
}

static void test_notify_port(void **state)
{
	unsigned at = cfg_read(PCI_CAPABILITY_LIST, 1), n = 0, notify_caps = 0;

	(void)state;
	assert_int_equal(cfg_read(0x18, 4), PORT | 1);
	cfg_write(0x18, 4, 0xffffffffu); /* sizing: 4 ports, 16-bit decode */
	assert_int_equal(cfg_read(0x18, 4), 0xfffdu);
	cfg_write(0x18, 4, PORT);
	assert_int_equal(cfg_read(at + 3, 1), 2);  /* notify, first */
	assert_int_equal(cfg_read(at + 4, 1), 2);  /* in BAR2 */
	assert_int_equal(cfg_read(at + 8, 4), 0);  /* at its start */
	assert_int_equal(cfg_read(at + 12, 4), 2); /* one 16-bit port */
	assert_int_equal(cfg_read(at + 16, 4), 0); /* for every queue */
	while (at && n++ < 16) {
		notify_caps += cfg_read(at + 3, 1) == 2;
		at = cfg_read(at + 1, 1);
	}
	assert_int_equal(notify_caps, 2); /* BAR0's too */

	driver_init(VIRTIO_F_VERSION_1);
	offer(0, BUF, 16, VIRTQ_DESC_F_WRITE);
	port_out(PORT, 2, 0); /* I/O space off: nothing */
	assert_int_equal(used_idx(), 0);
	cfg_write(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | 4 | 1);
	port_out(PORT, 2, 1); /* no queue 1 */
	port_out(PORT + 2, 2, 0); /* not the notify port */
	port_out(PORT, 1, 0);     /* not a 16-bit write */
	assert_int_equal(used_idx(), 0);
	port_out(PORT, 2, 0);
	assert_int_equal(used_idx(), 1);
	assert_int_equal(ram_buf[BUF], 0x5a);
	/* Moved, it answers no more; BAR0's notify still does. */
	cfg_write(0x18, 4, 0xc100);
	offer(1, BUF, 16, VIRTQ_DESC_F_WRITE);
	port_out(PORT, 2, 0);
	assert_int_equal(used_idx(), 1);
	notify();
	assert_int_equal(used_idx(), 2);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_identity),
		T(test_capabilities),
		T(test_decode_needs_memory_space),
		T(test_bar_sizing_and_move),
		T(test_features_need_version_1),
		T(test_request_and_interrupt),
		T(test_no_interrupt_flag),
		T(test_intx_disable),
		T(test_waits_for_driver_ok),
		T(test_bad_chain_needs_reset),
		T(test_queue_setup_refused),
		T(test_indirect_negotiated),
		T(test_full_ring_one_doorbell),
		T(test_pci_cfg_window),
		cmocka_unit_test_setup(test_notify_port, setup_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
