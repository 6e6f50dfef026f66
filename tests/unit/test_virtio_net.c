/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for vmm/vdev/virtio_net.c, driven through the transport
 * as a driver drives it (tests/unit/virtio_harness.h): receiveq1 at the
 * harness's DESC/AVAIL/USED, transmitq1 beside it. The switch is a fake:
 * what the guest sent collects in `out`, frames for the guest wait in
 * `in`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/virtio_harness.h"
#include "vmm/vdev/virtio_net.h"

static struct virtio_net net;
static const uint8_t MAC[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

static uint8_t out[4][2048];
static uint32_t out_len[4];
static unsigned n_out;
static uint8_t in[4][2048];
static uint32_t in_len[4];
static unsigned n_in, in_at;

static void fake_send(void *ctx, const uint8_t *f, uint32_t len)
{
	(void)ctx;
	assert_true(n_out < 4 && len <= sizeof(out[0]));
	memcpy(out[n_out], f, len);
	out_len[n_out++] = len;
}

static const uint8_t *fake_peek(void *ctx, uint32_t *len)
{
	(void)ctx;
	if (in_at == n_in)
		return NULL;
	*len = in_len[in_at];
	return in[in_at];
}

static void fake_pop(void *ctx)
{
	(void)ctx;
	assert_true(in_at < n_in);
	in_at++;
}

/* A frame of len bytes for the guest: bytes 0, 1, 2... after a tag. */
static void arrive(uint32_t len, uint8_t tag)
{
	for (uint32_t i = 0; i < len; i++)
		in[n_in][i] = (uint8_t)i;
	in[n_in][0] = tag;
	in_len[n_in++] = len;
}

static void start(void)
{
	struct virtio_pci_config cfg = harness_reset();
	struct virtio_net_io io = { fake_send, fake_peek, fake_pop, NULL };

	n_out = n_in = in_at = 0;
	virtio_net_init(&net, &cfg, MAC, &io);
	harness_attach(&net.vp);
	driver_setup(VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MAC, false);
	tx_queue_setup(VIRTIO_NET_TX);
	mem_write(COMMON(0x14), 1, 0xf);
}

static uint32_t rx_used_len(unsigned i)
{
	return *(uint32_t *)(ram_buf + USED + 8 + 8 * i);
}

static bool needs_reset(void)
{
	return mem_read(COMMON(0x14), 1) & VIRTIO_STATUS_NEEDS_RESET;
}

static void test_identity_and_config(void **state)
{
	(void)state;
	start();
	assert_int_equal(cfg_read(0x00, 4), 0x10411af4u); /* 0x1040 + 1 */
	assert_int_equal(cfg_read(0x08, 4) >> 8, 0x020000); /* Ethernet controller */
	assert_int_equal(mem_read(COMMON(0x12), 2), 2);     /* num_queues */
	mem_write(COMMON(0x00), 4, 0);
	assert_int_equal(mem_read(COMMON(0x04), 4),
			 (uint32_t)(VIRTIO_F_INDIRECT_DESC | VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS));
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(mem_read(BAR + VIRTIO_PCI_DEVCFG + i, 1), MAC[i]);
	assert_int_equal(mem_read(BAR + VIRTIO_PCI_DEVCFG + 6, 2), VIRTIO_NET_S_LINK_UP);
	/* The address cannot be written. */
	mem_write(BAR + VIRTIO_PCI_DEVCFG, 4, 0);
	assert_int_equal(mem_read(BAR + VIRTIO_PCI_DEVCFG, 1), MAC[0]);
}

/* Header and frame in one buffer; then the header alone and the frame
 * split over two more: both frames go out whole, without the header. */
static void test_tx(void **state)
{
	(void)state;
	start();
	memset(ram_buf + BUF, 0, VIRTIO_NET_HDR_LEN);
	for (unsigned i = 0; i < 60; i++)
		ram_buf[BUF + VIRTIO_NET_HDR_LEN + i] = (uint8_t)(i + 1);
	tx_desc(0, BUF, VIRTIO_NET_HDR_LEN + 60, 0, 0);
	tx_desc(1, BUF, VIRTIO_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, 2);
	tx_desc(2, BUF + VIRTIO_NET_HDR_LEN, 20, VIRTQ_DESC_F_NEXT, 3);
	tx_desc(3, BUF + VIRTIO_NET_HDR_LEN + 20, 40, 0, 0);
	tx_avail(0);
	tx_avail(1);
	tx_notify();
	assert_int_equal(tx_used_idx(), 2);
	assert_int_equal(n_out, 2);
	for (unsigned k = 0; k < 2; k++) {
		assert_int_equal(out_len[k], 60);
		assert_memory_equal(out[k], ram_buf + BUF + VIRTIO_NET_HDR_LEN, 60);
	}
	assert_int_equal(net.tx_frames, 2);
	assert_int_equal(net.tx_bytes, 120);
	assert_false(needs_reset());
}

/* Dropped, the chain back all the same: a frame shorter than an Ethernet
 * header, one too long, a header cut short, segmentation not offered. */
static void test_tx_drops(void **state)
{
	struct virtio_net_hdr *h = (struct virtio_net_hdr *)(ram_buf + BUF + 0x1000);

	(void)state;
	start();
	tx_desc(0, BUF, VIRTIO_NET_HDR_LEN + VIRTIO_NET_FRAME_MIN - 1, 0, 0);
	tx_desc(1, BUF, VIRTIO_NET_HDR_LEN + VIRTIO_NET_FRAME_MAX + 1, 0, 0);
	tx_desc(2, BUF, VIRTIO_NET_HDR_LEN - 1, 0, 0);
	h->gso_type = 1; /* VIRTIO_NET_HDR_GSO_TCPV4 */
	tx_desc(3, BUF + 0x1000, VIRTIO_NET_HDR_LEN + 60, 0, 0);
	tx_desc(4, BUF, VIRTIO_NET_HDR_LEN + VIRTIO_NET_FRAME_MAX, 0, 0);
	for (uint16_t i = 0; i < 5; i++)
		tx_avail(i);
	tx_notify();
	assert_int_equal(tx_used_idx(), 5);
	assert_int_equal(net.tx_dropped, 4);
	assert_int_equal(n_out, 1);
	assert_int_equal(out_len[0], VIRTIO_NET_FRAME_MAX);
}

static void test_tx_writable_buffer_needs_reset(void **state)
{
	(void)state;
	start();
	tx_desc(0, BUF, VIRTIO_NET_HDR_LEN + 60, VIRTQ_DESC_F_WRITE, 0);
	tx_avail(0);
	tx_notify();
	assert_true(needs_reset());
	assert_int_equal(n_out, 0);
	assert_int_equal(tx_used_idx(), 0);
	assert_int_equal(notes, 1);
}

/* A waiting frame goes into the next posted buffer, after a header with
 * num_buffers 1; buffers posted with nothing waiting stay in the ring
 * until virtio_net_receive(). */
static void test_rx(void **state)
{
	const struct virtio_net_hdr *h = (const struct virtio_net_hdr *)(ram_buf + BUF);

	(void)state;
	start();
	arrive(60, 0xa1);
	virtio_net_receive(&net); /* nothing posted: the frame waits */
	assert_int_equal(in_at, 0);
	memset(ram_buf + BUF, 0xee, 0x1000);
	offer(0, BUF, 1526, VIRTQ_DESC_F_WRITE);
	offer(1, BUF + 0x800, VIRTIO_NET_HDR_LEN + VIRTIO_NET_FRAME_MAX, VIRTQ_DESC_F_WRITE);
	notify();
	assert_int_equal(used_idx(), 1);
	assert_int_equal(rx_used_len(0), VIRTIO_NET_HDR_LEN + 60);
	assert_int_equal(h->num_buffers, 1);
	assert_int_equal(h->gso_type, 0);
	assert_int_equal(h->flags, 0);
	assert_memory_equal(ram_buf + BUF + VIRTIO_NET_HDR_LEN, in[0], 60);
	assert_int_equal(ram_buf[BUF + VIRTIO_NET_HDR_LEN + 60], 0xee);
	assert_true(line);
	/* The second buffer waits for the next frame. */
	arrive(VIRTIO_NET_FRAME_MAX, 0xa2);
	virtio_net_receive(&net);
	assert_int_equal(used_idx(), 2);
	assert_int_equal(rx_used_len(1), VIRTIO_NET_HDR_LEN + VIRTIO_NET_FRAME_MAX);
	assert_memory_equal(ram_buf + BUF + 0x800 + VIRTIO_NET_HDR_LEN, in[1],
			    VIRTIO_NET_FRAME_MAX);
	assert_int_equal(net.rx_frames, 2);
	assert_int_equal(net.rx_bytes, 60 + VIRTIO_NET_FRAME_MAX);
}

/* A frame across a chain of three buffers, the header split too. */
static void test_rx_scattered(void **state)
{
	struct virtq_desc *d = (struct virtq_desc *)(ram_buf + DESC);
	uint16_t *avail = (uint16_t *)(ram_buf + AVAIL);
	uint8_t got[VIRTIO_NET_HDR_LEN + 100];

	(void)state;
	start();
	d[0] = (struct virtq_desc){ BUF, 10, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1 };
	d[1] = (struct virtq_desc){ BUF + 0x100, 50, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2 };
	d[2] = (struct virtq_desc){ BUF + 0x200, 1000, VIRTQ_DESC_F_WRITE, 0 };
	avail[2] = 0;
	avail[1] = 1;
	arrive(100, 0xb0);
	notify();
	assert_int_equal(rx_used_len(0), VIRTIO_NET_HDR_LEN + 100);
	memcpy(got, ram_buf + BUF, 10);
	memcpy(got + 10, ram_buf + BUF + 0x100, 50);
	memcpy(got + 60, ram_buf + BUF + 0x200, sizeof(got) - 60);
	assert_int_equal(((struct virtio_net_hdr *)got)->num_buffers, 1);
	assert_memory_equal(got + VIRTIO_NET_HDR_LEN, in[0], 100);
}

/* A chain too small for the frame: nothing written, the frame dropped,
 * the next frame goes into the next chain; 1526 bytes (5.1.6.3.1) hold
 * an untagged frame of 1514. */
static void test_rx_small_buffer(void **state)
{
	(void)state;
	start();
	arrive(1000, 1);
	arrive(60, 2);
	memset(ram_buf + BUF, 0xee, 0x1000);
	offer(0, BUF, 500, VIRTQ_DESC_F_WRITE);
	offer(1, BUF + 0x800, 1526, VIRTQ_DESC_F_WRITE);
	notify();
	assert_int_equal(used_idx(), 2);
	assert_int_equal(rx_used_len(0), 0);
	assert_int_equal(ram_buf[BUF], 0xee);
	assert_int_equal(rx_used_len(1), VIRTIO_NET_HDR_LEN + 60);
	assert_int_equal(ram_buf[BUF + 0x800 + VIRTIO_NET_HDR_LEN], 2);
	assert_int_equal(net.rx_dropped, 1);
	assert_int_equal(in_at, 2);
	arrive(1514, 3);
	arrive(1515, 4);
	offer(2, BUF, 1526, VIRTQ_DESC_F_WRITE);
	offer(3, BUF + 0x800, 1526, VIRTQ_DESC_F_WRITE);
	notify();
	assert_int_equal(rx_used_len(2), 1526);
	assert_int_equal(rx_used_len(3), 0);
	assert_int_equal(net.rx_dropped, 2);
}

static void test_rx_readable_buffer_needs_reset(void **state)
{
	(void)state;
	start();
	arrive(60, 1);
	offer(0, BUF, 1526, 0);
	notify();
	assert_true(needs_reset());
	assert_int_equal(used_idx(), 0);
	assert_int_equal(in_at, 0); /* the frame is not consumed by a bad chain */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity_and_config),
		cmocka_unit_test(test_tx),
		cmocka_unit_test(test_tx_drops),
		cmocka_unit_test(test_tx_writable_buffer_needs_reset),
		cmocka_unit_test(test_rx),
		cmocka_unit_test(test_rx_scattered),
		cmocka_unit_test(test_rx_small_buffer),
		cmocka_unit_test(test_rx_readable_buffer_needs_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
