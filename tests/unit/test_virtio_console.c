/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for vmm/vdev/virtio_console.c, driven through the
 * transport as a driver drives it (tests/unit/virtio_harness.h):
 * receiveq0 at the harness's DESC/AVAIL/USED, transmitq0 beside it. The
 * console is a fake: what the guest wrote collects in `sent`, what was
 * typed waits in `typed`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/virtio_harness.h"
#include "vmm/vdev/virtio_console.h"

static struct virtio_console cons;
static char sent[8192];
static unsigned n_sent, n_lost;
static char typed[64];
static unsigned n_typed, typed_at;

static void fake_out(void *ctx, const uint8_t *p, uint32_t n, uint32_t lost)
{
	(void)ctx;
	assert_true(n_sent + n <= sizeof(sent));
	memcpy(sent + n_sent, p, n);
	n_sent += n;
	n_lost += lost;
}

static unsigned fake_in(void *ctx, uint8_t *buf, unsigned max)
{
	unsigned n = 0;

	(void)ctx;
	while (n < max && typed_at < n_typed)
		buf[n++] = (uint8_t)typed[typed_at++];
	return n;
}

static bool fake_pending(void *ctx)
{
	(void)ctx;
	return typed_at < n_typed;
}

static void type(const char *s)
{
	memcpy(typed + n_typed, s, strlen(s));
	n_typed += (unsigned)strlen(s);
}

/* The driver's setup with both queues, then DRIVER_OK. */
static void start(void)
{
	struct virtio_pci_config cfg = harness_reset();
	struct virtio_console_io io = { fake_out, fake_in, fake_pending, NULL };

	n_sent = n_lost = n_typed = typed_at = 0;
	virtio_console_init(&cons, &cfg, &io);
	harness_attach(&cons.vp);
	driver_setup(VIRTIO_F_VERSION_1, false);
	tx_queue_setup(VIRTIO_CONSOLE_TX);
	assert_false(virtio_console_takes_input(&cons));
	mem_write(COMMON(0x14), 1, 0xf);
	assert_true(virtio_console_takes_input(&cons));
}

static uint32_t rx_used_len(unsigned i)
{
	return *(uint32_t *)(ram_buf + USED + 8 + 8 * i);
}

static void test_identity(void **state)
{
	(void)state;
	start();
	assert_int_equal(cfg_read(0x00, 4), 0x10431af4u); /* 0x1040 + 3 */
	assert_int_equal(mem_read(COMMON(0x12), 2), 2);   /* num_queues */
	mem_write(COMMON(0x00), 4, 0);
	assert_int_equal(mem_read(COMMON(0x04), 4), (uint32_t)VIRTIO_F_INDIRECT_DESC);
}

/* Two chains, the second of two buffers: the bytes in order, each chain
 * given back with 0 bytes written, one interrupt. */
static void test_tx(void **state)
{
	(void)state;
	start();
	memcpy(ram_buf + BUF, "hello ", 6);
	memcpy(ram_buf + BUF + 0x100, "wor", 3);
	memcpy(ram_buf + BUF + 0x200, "ld\n", 3);
	tx_desc(0, BUF, 6, 0, 0);
	tx_desc(1, BUF + 0x100, 3, VIRTQ_DESC_F_NEXT, 5);
	tx_desc(5, BUF + 0x200, 3, 0, 0);
	tx_avail(0);
	tx_avail(1);
	tx_notify();
	assert_int_equal(tx_used_idx(), 2);
	assert_int_equal(n_sent, 12);
	assert_memory_equal(sent, "hello world\n", 12);
	assert_int_equal(*(uint32_t *)(ram_buf + TX_USED + 4 + 8 + 4), 0); /* chain 2's length */
	assert_int_equal(cons.tx_chains, 2);
	assert_int_equal(cons.tx_bytes, 12);
	assert_true(line);
	assert_int_equal(notes, 0);
}

/* A chain longer than the limit: the first VIRTIO_CONSOLE_CHAIN_MAX bytes
 * go out, the rest is counted lost, and the chain still comes back. */
static void test_tx_chain_cap(void **state)
{
	(void)state;
	start();
	memset(ram_buf + BUF, 'x', 0x1800);
	tx_desc(0, BUF, 0x1800, 0, 0);
	tx_avail(0);
	tx_notify();
	assert_int_equal(tx_used_idx(), 1);
	assert_int_equal(n_sent, VIRTIO_CONSOLE_CHAIN_MAX);
	assert_int_equal(n_lost, 0x1800 - VIRTIO_CONSOLE_CHAIN_MAX);
	assert_int_equal(cons.tx_dropped, 0x1800 - VIRTIO_CONSOLE_CHAIN_MAX);
}

/* Typed bytes wait until a receive buffer is posted, and fill it then;
 * the next bytes wait for the next buffer. */
static void test_rx(void **state)
{
	(void)state;
	start();
	type("ls\r");
	virtio_console_input(&cons); /* nothing posted: the bytes wait */
	assert_int_equal(used_idx(), 0);
	assert_int_equal(typed_at, 0);
	memset(ram_buf + BUF, 0xee, 16);
	offer(0, BUF, 16, VIRTQ_DESC_F_WRITE);
	notify();
	assert_int_equal(used_idx(), 1);
	assert_int_equal(rx_used_len(0), 3);
	assert_memory_equal(ram_buf + BUF, "ls\r", 3);
	assert_int_equal(ram_buf[BUF + 3], 0xee);
	assert_true(line);

	type("pwd\r");
	offer(1, BUF + 0x100, 2, VIRTQ_DESC_F_WRITE);
	offer(2, BUF + 0x200, 16, VIRTQ_DESC_F_WRITE);
	notify();
	assert_int_equal(used_idx(), 3);
	assert_int_equal(rx_used_len(1), 2);
	assert_int_equal(rx_used_len(2), 2);
	assert_memory_equal(ram_buf + BUF + 0x100, "pw", 2);
	assert_memory_equal(ram_buf + BUF + 0x200, "d\r", 2);
	assert_int_equal(cons.rx_bytes, 7);
}

/* Buffers posted with no input stay in the ring (not given back empty)
 * until input comes; then the device fills them without a notification. */
static void test_rx_waits_for_input(void **state)
{
	(void)state;
	start();
	offer(0, BUF, 16, VIRTQ_DESC_F_WRITE);
	notify();
	assert_int_equal(used_idx(), 0);
	assert_false(line);
	type("y");
	virtio_console_input(&cons);
	assert_int_equal(used_idx(), 1);
	assert_int_equal(rx_used_len(0), 1);
	assert_int_equal(ram_buf[BUF], 'y');
	assert_true(line);
}

/* Before DRIVER_OK, and after a reset, the console does not take input
 * (it goes to the 16550 then), and input() leaves it where it is. */
static void test_rx_not_ready(void **state)
{
	(void)state;
	start();
	mem_write(COMMON(0x14), 1, 0);
	assert_false(virtio_console_takes_input(&cons));
	type("z");
	virtio_console_input(&cons);
	assert_int_equal(typed_at, 0);
}

/* A device-readable buffer on receiveq0: the device needs a reset, the
 * input is not touched, and the queue is stopped. */
static void test_rx_wrong_direction(void **state)
{
	(void)state;
	start();
	type("abc");
	offer(0, BUF, 16, 0);
	notify();
	assert_int_equal(used_idx(), 0);
	assert_int_equal(notes, 1);
	assert_string_equal(last_why, "device-readable buffer on receiveq0");
	assert_true(mem_read(COMMON(0x14), 1) & VIRTIO_STATUS_NEEDS_RESET);
	assert_false(virtio_console_takes_input(&cons));
	assert_int_equal(ram_buf[BUF], 0);
	offer(1, BUF, 16, VIRTQ_DESC_F_WRITE);
	notify();
	assert_int_equal(used_idx(), 0);
}

/* A device-writable buffer on transmitq0: reset needed, nothing sent,
 * and the other queue stops too. */
static void test_tx_wrong_direction(void **state)
{
	(void)state;
	start();
	memcpy(ram_buf + BUF, "no", 2);
	tx_desc(0, BUF, 2, VIRTQ_DESC_F_NEXT, 4);
	tx_desc(4, BUF + 0x100, 8, VIRTQ_DESC_F_WRITE, 0);
	tx_avail(0);
	tx_notify();
	assert_int_equal(tx_used_idx(), 0);
	assert_int_equal(n_sent, 0);
	assert_string_equal(last_why, "device-writable buffer on transmitq0");
	assert_true(mem_read(COMMON(0x14), 1) & VIRTIO_STATUS_NEEDS_RESET);
	type("q");
	offer(0, BUF + 0x400, 16, VIRTQ_DESC_F_WRITE);
	notify();
	assert_int_equal(used_idx(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_tx),
		cmocka_unit_test(test_tx_chain_cap),
		cmocka_unit_test(test_rx),
		cmocka_unit_test(test_rx_waits_for_input),
		cmocka_unit_test(test_rx_not_ready),
		cmocka_unit_test(test_rx_wrong_direction),
		cmocka_unit_test(test_tx_wrong_direction),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
