/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for virtio-net (vmm/vdev/virtio_net.c) on a switch
 * (vmm/netswitch.c), through the transport (vmm/vdev/virtio_pci.c): the
 * guest of port A writes whatever it likes into its rings, descriptor
 * tables and frames, and sends or receives in any order, while port B
 * sends to it and port C only listens.
 *
 * Guest RAM is 16 KiB at 0. Input: byte 0 the receive queue's size
 * (1 << (b % 9)), byte 1 the transmit queue's, byte 2 bit 0 whether the
 * driver takes VIRTIO_F_INDIRECT_DESC, bytes 3-14 six little-endian
 * 16-bit offsets (receive descriptors, available, used; then transmit),
 * bytes 15-16 eight steps, two bits each: B sends a frame to A (its length
 * from the RAM's first bytes), A's driver notifies its receive queue, its
 * transmit queue, or A's frames are handed over as the scheduler would.
 * The rest is guest RAM.
 *
 * What must hold: every frame B or C gets is 14..1518 bytes and neither
 * claims B's or C's address nor a multicast source; no sender holds more
 * than its share of a queue; every frame A's port gives up is delivered
 * or counted lost, and every frame A's device sends is counted by its
 * port; a broken queue clears with a reset; ASan catches a copy outside
 * the guest's buffers or Shale's.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "tests/fuzz/fuzz_check.h"
#include "vmm/io.h"
#include "vmm/mmio.h"
#include "vmm/netswitch.h"
#include "vmm/vdev/virtio_net.h"

#define RAM_SIZE 0x4000u
#define BAR 0xc0008000u
#define HEAD 17 /* input bytes before the RAM */

static _Alignas(4096) uint8_t ram_buf[RAM_SIZE];
static struct guest_ram ram;
static struct io_bus io;
static struct mmio_bus mmio;
static struct pci_host host;
static struct virtio_net net;
static struct net_switch sw;
static struct net_port port[3];
static struct net_slot slots[3][NET_PORT_SLOTS];
static const uint8_t MAC[3][6] = {
	{ 0x52, 0x54, 0, 0, 0, 0xa }, { 0x52, 0x54, 0, 0, 0, 0xb }, { 0x52, 0x54, 0, 0, 0, 0xc },
};

static void set_intx(void *ctx, bool asserted)
{
	(void)ctx;
	(void)asserted;
}

static void kick(void *ctx)
{
	(void)ctx;
}

static void mem_write(uint64_t off, unsigned size, uint64_t v)
{
	const struct mmio_range *r = mmio_find(&mmio, BAR + off);

	CHECK(r);
	r->fn(r->opaque, BAR + off - r->base, size, true, &v);
}

static uint64_t mem_read(uint64_t off, unsigned size)
{
	const struct mmio_range *r = mmio_find(&mmio, BAR + off);
	uint64_t v = 0;

	CHECK(r);
	r->fn(r->opaque, BAR + off - r->base, size, false, &v);
	return v;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* What B and C got from A: taken, and checked. */
static void drain_listener(struct net_port *p)
{
	const struct net_slot *s;

	for (unsigned i = 0; i < 3; i++)
		CHECK(p->held[i] <= netswitch_share(&sw));
	while ((s = net_port_peek(p))) {
		CHECK(s->len >= NET_FRAME_MIN && s->len <= NET_FRAME_MAX);
		if (s->from == 0) { /* A's; B's own broadcasts reach C too */
			CHECK(memcmp(s->data + 6, MAC[1], 6) && memcmp(s->data + 6, MAC[2], 6));
			CHECK(!(s->data[6] & 1));
		}
		net_port_pop(p);
	}
}

static void setup_queue(unsigned q, uint16_t size, const uint8_t *off)
{
	mem_write(0x16, 2, q);
	mem_write(0x18, 2, size);
	mem_write(0x20, 8, le16(off));
	mem_write(0x28, 8, le16(off + 2));
	mem_write(0x30, 8, le16(off + 4));
	mem_write(0x1c, 2, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_pci_config cfg;
	struct virtio_net_io nio = net_port_virtio_io(&port[0]);
	uint16_t rx_size, tx_size;
	uint32_t cmd = 0x80000000u | 8 << 11 | 4, on = 2;
	uint8_t frame[NET_FRAME_MAX];
	size_t rest;

	if (size < HEAD)
		return 0;
	rx_size = (uint16_t)(1u << (data[0] % 9));
	tx_size = (uint16_t)(1u << (data[1] % 9));
	memset(ram_buf, 0, sizeof(ram_buf));
	rest = size - HEAD;
	memcpy(ram_buf, data + HEAD, rest < RAM_SIZE ? rest : RAM_SIZE);
	ram = (struct guest_ram){ .r = { { 0, RAM_SIZE, (uintptr_t)ram_buf } }, .n = 1,
				  .size = RAM_SIZE };
	io = (struct io_bus){ 0 };
	mmio = (struct mmio_bus){ 0 };
	pci_host_init(&host);
	CHECK(!pci_host_attach(&host, &io));

	netswitch_init(&sw, "fuzz");
	for (unsigned i = 0; i < 3; i++) {
		CHECK(!netswitch_add_port(&sw, &port[i], MAC[i], slots[i]));
		net_port_attach(&port[i], kick, NULL);
	}
	cfg = (struct virtio_pci_config){ .ram = &ram, .bar_base = BAR, .intx_line = 3,
					  .set_intx = set_intx };
	virtio_net_init(&net, &cfg, MAC[0], &nio);
	CHECK(!virtio_pci_attach(&net.vp, &host, 8, &mmio));
	/* Memory space on, then the driver's steps (3.1.1). */
	CHECK(io_access(&io, 0xcf8, 4, true, &cmd));
	CHECK(io_access(&io, 0xcfc, 2, true, &on));
	mem_write(0x14, 1, 0);
	mem_write(0x14, 1, 3);
	mem_write(0x08, 4, 0);
	mem_write(0x0c, 4, VIRTIO_NET_F_MAC | (data[2] & 1 ? VIRTIO_F_INDIRECT_DESC : 0));
	mem_write(0x08, 4, 1);
	mem_write(0x0c, 4, 1);
	mem_write(0x14, 1, 0xb);
	setup_queue(VIRTIO_NET_RX, rx_size, data + 3);
	setup_queue(VIRTIO_NET_TX, tx_size, data + 9);
	mem_write(0x14, 1, 0xf);

	for (unsigned step = 0; step < 8; step++) {
		switch ((le16(data + 15) >> (2 * step)) & 3) {
		case 0: {
			/* B to A, or to everybody. */
			uint32_t len = NET_FRAME_MIN + le16(ram_buf + 2 * step) % (NET_FRAME_MAX - 13);

			memset(frame, (int)step, len);
			memcpy(frame, step & 1 ? MAC[0] : (const uint8_t[6]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 6);
			memcpy(frame + 6, MAC[1], 6);
			netswitch_send(&port[1], frame, len);
			break;
		}
		case 1:
			mem_write(VIRTIO_PCI_NOTIFY + 4 * VIRTIO_NET_RX, 2, VIRTIO_NET_RX);
			break;
		case 2:
			mem_write(VIRTIO_PCI_NOTIFY + 4 * VIRTIO_NET_TX, 2, VIRTIO_NET_TX);
			break;
		default:
			virtio_net_receive(&net);
			break;
		}
		drain_listener(&port[1]);
		drain_listener(&port[2]);
	}
	/* Every frame A's port gave up went into a buffer or was counted
	 * lost; every frame A sent was counted by its port. */
	CHECK(port[0].rx_frames == net.rx_frames + net.rx_dropped);
	/* A broken queue leaves the device waiting for a reset: the bit
	 * says so, and a reset clears it. */
	if (mem_read(0x14, 1) & VIRTIO_STATUS_NEEDS_RESET) {
		mem_write(0x14, 1, 0);
		CHECK(mem_read(0x14, 1) == 0);
	}
	CHECK(port[0].tx_spoofed + port[0].tx_frames + port[0].tx_bad_size == net.tx_frames);
	return 0;
}
