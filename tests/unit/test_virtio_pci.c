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

#include "vmm/io.h"
#include "vmm/mmio.h"
#include "vmm/vdev/virtio_pci.h"

#define SLOT 5
#define BAR 0xc0001000u
#define RAM_SIZE 0x10000u
#define DESC 0x1000u
#define AVAIL 0x2000u
#define USED 0x3000u
#define BUF 0x8000u
#define QMAX 16

static _Alignas(4096) uint8_t ram_buf[RAM_SIZE];
static struct guest_ram ram;
static struct io_bus io;
static struct mmio_bus mmio;
static struct pci_host host;
static struct virtio_pci vp;
static bool line;
static unsigned line_changes, notes, handled;
static const char *last_why;

static uint32_t fill(void *dev, unsigned q, const struct virtq_chain *c)
{
	uint32_t n = 0;

	(void)dev;
	(void)q;
	handled++;
	for (unsigned i = c->n_read; i < c->n_read + c->n_write; i++) {
		memset(c->seg[i].hva, 0x5a, c->seg[i].len);
		n += c->seg[i].len;
	}
	return n;
}

static const struct virtio_device_ops fake_ops = {
	.type = 4, .class_code = 0xff0000, .num_queues = 1, .queue_max = QMAX,
	.handle = fill,
};

static void set_intx(void *ctx, bool asserted)
{
	(void)ctx;
	line = asserted;
	line_changes++;
}

static void note(void *ctx, const char *what, const char *why)
{
	(void)ctx;
	(void)what;
	last_why = why;
	notes++;
}

static int setup(void **state)
{
	struct virtio_pci_config cfg = {
		.ops = &fake_ops, .ram = &ram, .bar_base = BAR, .intx_line = 10,
		.set_intx = set_intx, .note = note,
	};

	(void)state;
	memset(ram_buf, 0, sizeof(ram_buf));
	ram = (struct guest_ram){ .r = { { 0, RAM_SIZE, (uintptr_t)ram_buf } },
				  .n = 1, .size = RAM_SIZE };
	io = (struct io_bus){ 0 };
	mmio = (struct mmio_bus){ 0 };
	pci_host_init(&host);
	assert_int_equal(pci_host_attach(&host, &io), 0);
	line = false;
	line_changes = notes = handled = 0;
	last_why = NULL;
	virtio_pci_init(&vp, &cfg);
	assert_int_equal(virtio_pci_attach(&vp, &host, SLOT, &mmio), 0);
	return 0;
}

/* ---------------------------------------------------------------- helpers */

static uint32_t cfg_read(unsigned reg, unsigned size)
{
	uint32_t v = 0;
	uint32_t a = 0x80000000u | SLOT << 11 | (reg & 0xfc);

	assert_true(io_access(&io, 0xcf8, 4, true, &a));
	assert_true(io_access(&io, 0xcfc + (reg & 3), size, false, &v));
	return v;
}

static void cfg_write(unsigned reg, unsigned size, uint32_t v)
{
	uint32_t a = 0x80000000u | SLOT << 11 | (reg & 0xfc);

	assert_true(io_access(&io, 0xcf8, 4, true, &a));
	assert_true(io_access(&io, 0xcfc + (reg & 3), size, true, &v));
}

/* An access as the EPT-violation path makes it: find the range, call it. */
static uint64_t mem_read(uint64_t gpa, unsigned size)
{
	const struct mmio_range *r = mmio_find(&mmio, gpa);
	uint64_t v = 0;

	assert_non_null(r);
	r->fn(r->opaque, gpa - r->base, size, false, &v);
	return v;
}

static void mem_write(uint64_t gpa, unsigned size, uint64_t v)
{
	const struct mmio_range *r = mmio_find(&mmio, gpa);

	assert_non_null(r);
	r->fn(r->opaque, gpa - r->base, size, true, &v);
}

#define COMMON(off) (BAR + VIRTIO_PCI_COMMON + (off))

static void enable_memory(void)
{
	cfg_write(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | 4);
}

/* 3.1.1 steps 1-6, then queue 0 at DESC/AVAIL/USED, then DRIVER_OK
 * when driver_ok. */
static void driver_setup(uint64_t features, bool driver_ok)
{
	enable_memory();
	mem_write(COMMON(0x14), 1, 0);
	mem_write(COMMON(0x14), 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	mem_write(COMMON(0x08), 4, 0);
	mem_write(COMMON(0x0c), 4, (uint32_t)features);
	mem_write(COMMON(0x08), 4, 1);
	mem_write(COMMON(0x0c), 4, (uint32_t)(features >> 32));
	mem_write(COMMON(0x14), 1, 0xb);
	assert_int_equal(mem_read(COMMON(0x14), 1), 0xb);
	mem_write(COMMON(0x16), 2, 0);
	mem_write(COMMON(0x18), 2, 8);
	mem_write(COMMON(0x20), 4, DESC);
	mem_write(COMMON(0x24), 4, 0);
	mem_write(COMMON(0x28), 8, AVAIL);
	mem_write(COMMON(0x30), 4, USED);
	mem_write(COMMON(0x34), 4, 0);
	mem_write(COMMON(0x1c), 2, 1);
	assert_int_equal(mem_read(COMMON(0x1c), 2), 1);
	if (driver_ok)
		mem_write(COMMON(0x14), 1, 0xf);
}

static void driver_init(uint64_t features)
{
	driver_setup(features, true);
}

static void offer(uint16_t head, uint64_t addr, uint32_t len, uint16_t flags)
{
	struct virtq_desc *d = (struct virtq_desc *)(ram_buf + DESC) + head;
	uint16_t *avail = (uint16_t *)(ram_buf + AVAIL);

	*d = (struct virtq_desc){ addr, len, flags, 0 };
	avail[2 + avail[1] % 8] = head;
	avail[1]++;
}

static void notify(void)
{
	mem_write(BAR + VIRTIO_PCI_NOTIFY, 2, 0);
}

static uint16_t used_idx(void)
{
	return *(uint16_t *)(ram_buf + USED + 2);
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
		T(test_pci_cfg_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
