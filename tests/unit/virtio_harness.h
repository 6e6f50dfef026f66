/* SPDX-License-Identifier: MIT */
/*
 * What the virtio-pci unit tests share: guest RAM as a host buffer, the
 * configuration ports and MMIO registry, and a driver's steps (3.1.1).
 * Include once per test file, after cmocka.h.
 */
#ifndef SHALE_TESTS_UNIT_VIRTIO_HARNESS_H
#define SHALE_TESTS_UNIT_VIRTIO_HARNESS_H

#include <string.h>

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
static bool line;
static unsigned line_changes, notes, handled;
static const char *last_why;


static inline void set_intx(void *ctx, bool asserted)
{
	(void)ctx;
	line = asserted;
	line_changes++;
}

static inline void note(void *ctx, const char *what, const char *why)
{
	(void)ctx;
	(void)what;
	last_why = why;
	notes++;
}

/* RAM, buses and counters; the config a test passes to its init. */
static inline struct virtio_pci_config harness_reset(void)
{
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
	return (struct virtio_pci_config){
		.ram = &ram, .bar_base = BAR, .intx_line = 10,
		.set_intx = set_intx, .note = note,
	};
}

static inline void harness_attach(struct virtio_pci *vp)
{
	assert_int_equal(virtio_pci_attach(vp, &host, SLOT, &mmio), 0);
}

/* ---------------------------------------------------------------- helpers */

static inline uint32_t cfg_read(unsigned reg, unsigned size)
{
	uint32_t v = 0;
	uint32_t a = 0x80000000u | SLOT << 11 | (reg & 0xfc);

	assert_true(io_access(&io, 0xcf8, 4, true, &a));
	assert_true(io_access(&io, 0xcfc + (reg & 3), size, false, &v));
	return v;
}

static inline void cfg_write(unsigned reg, unsigned size, uint32_t v)
{
	uint32_t a = 0x80000000u | SLOT << 11 | (reg & 0xfc);

	assert_true(io_access(&io, 0xcf8, 4, true, &a));
	assert_true(io_access(&io, 0xcfc + (reg & 3), size, true, &v));
}

/* An access as the EPT-violation path makes it: find the range, call it. */
static inline uint64_t mem_read(uint64_t gpa, unsigned size)
{
	const struct mmio_range *r = mmio_find(&mmio, gpa);
	uint64_t v = 0;

	assert_non_null(r);
	r->fn(r->opaque, gpa - r->base, size, false, &v);
	return v;
}

static inline void mem_write(uint64_t gpa, unsigned size, uint64_t v)
{
	const struct mmio_range *r = mmio_find(&mmio, gpa);

	assert_non_null(r);
	r->fn(r->opaque, gpa - r->base, size, true, &v);
}

#define COMMON(off) (BAR + VIRTIO_PCI_COMMON + (off))

static inline void enable_memory(void)
{
	cfg_write(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | 4);
}

/* 3.1.1 steps 1-6, then queue 0 at DESC/AVAIL/USED, then DRIVER_OK
 * when driver_ok. */
static inline void driver_setup(uint64_t features, bool driver_ok)
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

static inline void driver_init(uint64_t features)
{
	driver_setup(features, true);
}

static inline void offer(uint16_t head, uint64_t addr, uint32_t len, uint16_t flags)
{
	struct virtq_desc *d = (struct virtq_desc *)(ram_buf + DESC) + head;
	uint16_t *avail = (uint16_t *)(ram_buf + AVAIL);

	*d = (struct virtq_desc){ addr, len, flags, 0 };
	avail[2 + avail[1] % 8] = head;
	avail[1]++;
}

static inline void notify(void)
{
	mem_write(BAR + VIRTIO_PCI_NOTIFY, 2, 0);
}

static inline uint16_t used_idx(void)
{
	return *(uint16_t *)(ram_buf + USED + 2);
}

/* A second queue, of 8 entries in areas of its own: the transmit queue of
 * virtio-net and of virtio-console (tx_queue_setup() says which index). */
#define TX_DESC 0x4000u
#define TX_AVAIL 0x5000u
#define TX_USED 0x6000u
static unsigned tx_queue;

static inline void tx_queue_setup(unsigned q)
{
	tx_queue = q;
	mem_write(COMMON(0x16), 2, q);
	mem_write(COMMON(0x18), 2, 8);
	mem_write(COMMON(0x20), 8, TX_DESC);
	mem_write(COMMON(0x28), 8, TX_AVAIL);
	mem_write(COMMON(0x30), 8, TX_USED);
	mem_write(COMMON(0x1c), 2, 1);
}

/* Descriptor i of the second queue, and a chain from head made available. */
static inline void tx_desc(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
			   uint16_t next)
{
	((struct virtq_desc *)(ram_buf + TX_DESC))[i] = (struct virtq_desc){ addr, len, flags, next };
}

static inline void tx_avail(uint16_t head)
{
	uint16_t *avail = (uint16_t *)(ram_buf + TX_AVAIL);

	avail[2 + avail[1] % 8] = head;
	avail[1]++;
}

static inline void tx_notify(void)
{
	mem_write(BAR + VIRTIO_PCI_NOTIFY + VIRTIO_PCI_NOTIFY_MULT * tx_queue, 2, 0);
}

static inline uint16_t tx_used_idx(void)
{
	return *(uint16_t *)(ram_buf + TX_USED + 2);
}

#endif
