/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for split virtqueues (vmm/vdev/virtio_queue.c): the
 * guest writes whatever it likes into its rings and descriptor tables.
 *
 * Guest RAM is 16 KiB at 0 and 4 KiB at 4 GiB, the MMIO hole between.
 * Input: byte 0 picks the queue size (1 << (b % 9)), byte 1 bit 0 says
 * whether VIRTIO_F_INDIRECT_DESC was negotiated, bytes 2-7 hold three
 * little-endian 16-bit offsets of the descriptor table, available and used
 * rings (any value: misplaced ones must be refused); the rest is copied
 * to guest RAM from 0, and from 4 GiB after 16 KiB of it.
 *
 * One "doorbell": at most `size` chains are taken, as a device does. Every
 * chain must have at most `size` segments, readable ones first, each
 * wholly inside one of the two buffers; every writable byte is written
 * (ASan reports a byte outside) and the chain given back.
 *
 * Each chain is also a virtio-blk request (vmm/vdev/virtio_blk.c) to a
 * disk of DISK_SECTORS sectors, read-only when byte 1 bit 1 is set: the
 * device may copy only inside the disk and the chain (ASan), never writes
 * a read-only disk, and reports no more written bytes than the chain has.
 * The seeds corpus/virtqueue/seed_blk_rw and seed_blk_ro hold well-formed
 * requests of each type (write, read, get-ID, flush, a read past the
 * end), so that the fuzzer starts from requests the device serves.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "tests/fuzz/fuzz_check.h"
#include "vmm/vdev/virtio_blk.h"
#include "vmm/vdev/virtio_queue.h"

#define LO_SIZE 0x4000u
#define HI_SIZE 0x1000u
#define HI_GPA 0x100000000ull

static _Alignas(4096) uint8_t lo[LO_SIZE];
static _Alignas(4096) uint8_t hi[HI_SIZE];
static struct virtq_chain chain;

#define DISK_SECTORS 8
static uint8_t disk[DISK_SECTORS * VIRTIO_BLK_SECTOR];
static uint8_t disk_before[sizeof(disk)];
static struct virtio_blk blk;

static void blk_request(void)
{
	uint64_t wl = 0;
	uint32_t written;

	for (unsigned i = chain.n_read; i < chain.n_read + chain.n_write; i++)
		wl += chain.seg[i].len;
	written = virtio_blk_request(&blk, &chain);
	CHECK(written <= wl);
	if (blk.ro)
		CHECK(!memcmp(disk, disk_before, sizeof(disk)));
}

static bool inside(const uint8_t *p, uint32_t len, const uint8_t *buf,
		   uint32_t size)
{
	return p >= buf && p <= buf + size && len <= (uint32_t)(buf + size - p);
}

static void check_chain(const struct virtq *q)
{
	unsigned n = chain.n_read + chain.n_write;
	uint32_t rl = 0, wl = 0;

	CHECK(n >= 1 && n <= q->size);
	CHECK(chain.head < q->size);
	for (unsigned i = 0; i < n; i++) {
		const struct virtq_seg *s = &chain.seg[i];

		CHECK(s->write == (i >= chain.n_read));
		if (!s->len) {
			CHECK(s->hva == NULL);
			continue;
		}
		CHECK(inside(s->hva, s->len, lo, LO_SIZE) ||
		      inside(s->hva, s->len, hi, HI_SIZE));
		if (s->write) {
			memset(s->hva, 0xa5, s->len);
			wl += s->len;
		} else {
			rl += s->len;
		}
	}
	CHECK(rl == chain.read_len && wl == chain.write_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct guest_ram ram = {
		.r = { { 0, LO_SIZE, (uintptr_t)lo }, { HI_GPA, HI_SIZE, (uintptr_t)hi } },
		.n = 2,
		.size = LO_SIZE + HI_SIZE,
	};
	struct virtq q;
	size_t rest;

	if (size < 8)
		return 0;
	virtq_reset(&q);
	q.size = 1u << (data[0] % 9);
	q.indirect = data[1] & 1;
	q.desc_gpa = data[2] | data[3] << 8;
	q.avail_gpa = data[4] | data[5] << 8;
	q.used_gpa = data[6] | data[7] << 8;
	memset(lo, 0, sizeof(lo));
	memset(hi, 0, sizeof(hi));
	data += 8;
	rest = size - 8;
	memcpy(lo, data, rest < LO_SIZE ? rest : LO_SIZE);
	/* The device's state without the transport: only the request path
	 * is under test here (fuzz_vdev drives the transport). */
	memset(disk, 0x5a, sizeof(disk));
	memcpy(disk_before, disk, sizeof(disk));
	blk.data = disk;
	blk.capacity = DISK_SECTORS;
	blk.ro = data[-7] & 2;
	memcpy(blk.id, "fuzz-disk", 10);
	if (rest > LO_SIZE)
		memcpy(hi, data + LO_SIZE, rest - LO_SIZE < HI_SIZE ? rest - LO_SIZE : HI_SIZE);

	if (virtq_enable(&q, &ram)) {
		CHECK(!q.ready && q.why_broken);
		CHECK(virtq_pop(&q, &ram, &chain) == VIRTQ_EMPTY);
		return 0;
	}
	for (unsigned i = 0; i < q.size; i++) {
		enum virtq_result r = virtq_pop(&q, &ram, &chain);

		if (r == VIRTQ_EMPTY)
			break;
		if (r == VIRTQ_BAD) {
			CHECK(q.broken && q.why_broken);
			CHECK(virtq_pop(&q, &ram, &chain) == VIRTQ_BAD);
			break;
		}
		check_chain(&q);
		blk_request();
		virtq_push(&q, chain.head, chain.write_len);
	}
	return 0;
}
