/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for vmm/vdev/virtio_rng.c, driven through the transport
 * as a driver drives it (tests/unit/virtio_harness.h). The entropy source
 * is a fake: a counter, one that runs dry after some calls, or none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/virtio_harness.h"
#include "vmm/vdev/virtio_rng.h"

static struct virtio_rng rng;
static uint64_t counter;
static int calls_left;

/* "Random" words 1, 2, 3...; -1 calls_left: for ever. */
static bool fake_get64(void *ctx, uint64_t *out)
{
	(void)ctx;
	if (!calls_left)
		return false;
	if (calls_left > 0)
		calls_left--;
	*out = ++counter;
	return true;
}

static void start(bool (*get64)(void *, uint64_t *))
{
	struct virtio_pci_config cfg = harness_reset();

	counter = 0;
	calls_left = -1;
	virtio_rng_init(&rng, &cfg, get64, NULL);
	harness_attach(&rng.vp);
	driver_init(VIRTIO_F_VERSION_1);
}

static uint32_t used_len(unsigned i)
{
	return *(uint32_t *)(ram_buf + USED + 8 + 8 * i);
}

static void test_identity(void **state)
{
	(void)state;
	start(fake_get64);
	assert_int_equal(cfg_read(0x00, 4), 0x10441af4u); /* 0x1040 + 4 */
	assert_int_equal(mem_read(COMMON(0x12), 2), 1);
	mem_write(COMMON(0x00), 4, 0);
	assert_int_equal(mem_read(COMMON(0x04), 4), (uint32_t)VIRTIO_F_INDIRECT_DESC);
}

/* 20 bytes: two whole words and half of the third, in order. */
static void test_fills_buffer(void **state)
{
	uint64_t w[3];

	(void)state;
	start(fake_get64);
	memset(ram_buf + BUF, 0xee, 32);
	offer(0, BUF, 20, VIRTQ_DESC_F_WRITE);
	notify();
	assert_int_equal(used_idx(), 1);
	assert_int_equal(used_len(0), 20);
	memcpy(w, ram_buf + BUF, 20);
	assert_int_equal(w[0], 1);
	assert_int_equal(w[1], 2);
	assert_int_equal((uint32_t)w[2], 3);
	assert_int_equal(ram_buf[BUF + 20], 0xee); /* not a byte more */
	assert_int_equal(rng.requests, 1);
	assert_int_equal(rng.bytes, 20);
	assert_true(line);
}

/* No source: the request completes, 0 bytes written, the buffer as it was. */
static void test_no_source(void **state)
{
	(void)state;
	start(NULL);
	memset(ram_buf + BUF, 0xee, 64);
	offer(0, BUF, 64, VIRTQ_DESC_F_WRITE);
	notify();
	assert_int_equal(used_idx(), 1);
	assert_int_equal(used_len(0), 0);
	assert_int_equal(ram_buf[BUF], 0xee);
	assert_int_equal(ram_buf[BUF + 63], 0xee);
}

/* A source that runs dry: what it gave, no more. */
static void test_source_runs_dry(void **state)
{
	(void)state;
	start(fake_get64);
	calls_left = 2;
	offer(0, BUF, 64, VIRTQ_DESC_F_WRITE);
	notify();
	assert_int_equal(used_len(0), 16);
}

/* At most VIRTIO_RNG_CHAIN_MAX bytes a request, across segments; a
 * device-readable buffer is left alone. */
static void test_chain_cap(void **state)
{
	struct virtq_desc *d = (struct virtq_desc *)(ram_buf + DESC);

	(void)state;
	start(fake_get64);
	d[2] = (struct virtq_desc){ 0x4000, 8, VIRTQ_DESC_F_NEXT, 3 };
	d[3] = (struct virtq_desc){ BUF, 0x3000, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 4 };
	d[4] = (struct virtq_desc){ 0xc000, 0x1000, VIRTQ_DESC_F_WRITE, 0 };
	memset(ram_buf + 0x4000, 0x11, 8);
	((uint16_t *)(ram_buf + AVAIL))[2] = 2;
	((uint16_t *)(ram_buf + AVAIL))[1] = 1;
	notify();
	assert_int_equal(used_len(0), VIRTIO_RNG_CHAIN_MAX);
	assert_int_equal(ram_buf[0x4000], 0x11);
	assert_int_equal(ram_buf[0xc000], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_fills_buffer),
		cmocka_unit_test(test_no_source),
		cmocka_unit_test(test_source_runs_dry),
		cmocka_unit_test(test_chain_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
