/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for vmm/vdev/virtio_blk.c, driven through the transport
 * as a driver drives it (tests/unit/virtio_harness.h): each request type,
 * requests that break a rule (bad sectors, wrong directions, writes to a
 * read-only disk, sizes that wrap), and the configuration a driver reads.
 * The disk is a host buffer of DISK_SECTORS sectors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/virtio_harness.h"
#include "vmm/vdev/virtio_blk.h"

#define DISK_SECTORS 16
#define HDR 0x8000u    /* request header */
#define DATA 0x9000u   /* data buffers, up to 0x4000 bytes */
#define STATUS 0xe000u /* status byte */

static struct virtio_blk blk;
static uint8_t disk[DISK_SECTORS * VIRTIO_BLK_SECTOR];

static void start(bool ro)
{
	struct virtio_pci_config cfg = harness_reset();

	for (unsigned i = 0; i < sizeof(disk); i++)
		disk[i] = (uint8_t)(i / VIRTIO_BLK_SECTOR + 1); /* sector n holds n + 1 */
	virtio_blk_init(&blk, &cfg, disk, sizeof(disk), ro, "shale-test-disk");
	harness_attach(&blk.vp);
	driver_init(VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_FLUSH);
}

struct seg {
	uint64_t addr;
	uint32_t len;
	bool write;
};

/* Put a chain of n descriptors from 0 in the table and make it available;
 * returns the used length after the notification. */
static uint32_t submit(const struct seg *s, unsigned n)
{
	struct virtq_desc *d = (struct virtq_desc *)(ram_buf + DESC);
	uint16_t *avail = (uint16_t *)(ram_buf + AVAIL);
	uint16_t before = used_idx();

	for (unsigned i = 0; i < n; i++)
		d[i] = (struct virtq_desc){ s[i].addr, s[i].len,
					    (uint16_t)((s[i].write ? VIRTQ_DESC_F_WRITE : 0) |
						       (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0)),
					    (uint16_t)(i + 1) };
	avail[2 + avail[1] % 8] = 0;
	avail[1]++;
	notify();
	assert_int_equal(used_idx(), (uint16_t)(before + 1));
	return *(uint32_t *)(ram_buf + USED + 8 + 8 * (before % 8));
}

static void header(uint32_t type, uint64_t sector)
{
	struct virtio_blk_req_hdr h = { type, 0, sector };

	memcpy(ram_buf + HDR, &h, sizeof(h));
	ram_buf[STATUS] = 0xee; /* neither OK nor an error: must change */
}

/* The usual three-descriptor request: header, data, status. */
static uint32_t request(uint32_t type, uint64_t sector, uint32_t len, bool data_write)
{
	struct seg s[3] = { { HDR, 16, false }, { DATA, len, data_write }, { STATUS, 1, true } };

	header(type, sector);
	if (!len) {
		s[1] = s[2];
		return submit(s, 2);
	}
	return submit(s, 3);
}

static void test_identity_and_config(void **state)
{
	(void)state;
	start(false);
	assert_int_equal(cfg_read(0x00, 4), 0x10421af4u); /* 0x1040 + 2 */
	mem_write(COMMON(0x00), 4, 0);
	assert_int_equal(mem_read(COMMON(0x04), 4),
			 (uint32_t)(VIRTIO_F_INDIRECT_DESC | VIRTIO_BLK_F_SIZE_MAX |
				    VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_FLUSH));
	assert_int_equal(mem_read(BAR + VIRTIO_PCI_DEVCFG, 8), DISK_SECTORS);
	assert_int_equal(mem_read(BAR + VIRTIO_PCI_DEVCFG + 8, 4), VIRTIO_BLK_SIZE_MAX);
	assert_int_equal(mem_read(BAR + VIRTIO_PCI_DEVCFG + 12, 4), VIRTIO_BLK_SEG_MAX);
	/* Capacity as two dwords, as a driver may read it; writes change nothing. */
	mem_write(BAR + VIRTIO_PCI_DEVCFG, 4, 99);
	assert_int_equal(mem_read(BAR + VIRTIO_PCI_DEVCFG, 4), DISK_SECTORS);
	assert_int_equal(mem_read(BAR + VIRTIO_PCI_DEVCFG + 4, 4), 0);
}

static void test_ro_offers_f_ro(void **state)
{
	(void)state;
	start(true);
	mem_write(COMMON(0x00), 4, 0);
	assert_true(mem_read(COMMON(0x04), 4) & VIRTIO_BLK_F_RO);
}

static void test_read(void **state)
{
	(void)state;
	start(false);
	memset(ram_buf + DATA, 0, 2 * VIRTIO_BLK_SECTOR + 1);
	assert_int_equal(request(VIRTIO_BLK_T_IN, 3, 2 * VIRTIO_BLK_SECTOR, true),
			 2 * VIRTIO_BLK_SECTOR + 1);
	assert_int_equal(ram_buf[STATUS], VIRTIO_BLK_S_OK);
	assert_int_equal(ram_buf[DATA], 4);
	assert_int_equal(ram_buf[DATA + VIRTIO_BLK_SECTOR - 1], 4);
	assert_int_equal(ram_buf[DATA + VIRTIO_BLK_SECTOR], 5);
	assert_int_equal(ram_buf[DATA + 2 * VIRTIO_BLK_SECTOR], 0); /* not a byte more */
	assert_int_equal(blk.reads, 1);
	assert_int_equal(blk.bytes_read, 2 * VIRTIO_BLK_SECTOR);
	assert_true(line);
}

/* The last sector, and a request split over many descriptors: a header
 * in two pieces, data in odd pieces, the status sharing the last one. */
static void test_read_scattered(void **state)
{
	struct seg s[] = {
		{ HDR, 5, false }, { HDR + 5, 11, false },
		{ DATA, 100, true }, { DATA + 0x1000, 300, true }, { DATA + 0x2000, 113, true },
	};

	(void)state;
	start(false);
	header(VIRTIO_BLK_T_IN, DISK_SECTORS - 1);
	ram_buf[DATA + 0x2000 + 112] = 0xee;
	assert_int_equal(submit(s, 5), 513);
	assert_int_equal(ram_buf[DATA + 0x2000 + 112], VIRTIO_BLK_S_OK);
	assert_int_equal(ram_buf[DATA], DISK_SECTORS);
	assert_int_equal(ram_buf[DATA + 0x1000 + 299], DISK_SECTORS);
	assert_int_equal(ram_buf[DATA + 0x2000 + 111], DISK_SECTORS);
}

static void test_write(void **state)
{
	(void)state;
	start(false);
	memset(ram_buf + DATA, 0xab, VIRTIO_BLK_SECTOR);
	assert_int_equal(request(VIRTIO_BLK_T_OUT, 5, VIRTIO_BLK_SECTOR, false), 1);
	assert_int_equal(ram_buf[STATUS], VIRTIO_BLK_S_OK);
	assert_int_equal(disk[5 * VIRTIO_BLK_SECTOR], 0xab);
	assert_int_equal(disk[6 * VIRTIO_BLK_SECTOR - 1], 0xab);
	assert_int_equal(disk[6 * VIRTIO_BLK_SECTOR], 7);     /* the next sector kept */
	assert_int_equal(disk[5 * VIRTIO_BLK_SECTOR - 1], 5); /* and the one before */
	assert_int_equal(blk.writes, 1);
	/* Read back through the device. */
	memset(ram_buf + DATA, 0, VIRTIO_BLK_SECTOR);
	request(VIRTIO_BLK_T_IN, 5, VIRTIO_BLK_SECTOR, true);
	assert_int_equal(ram_buf[DATA + 17], 0xab);
}

static void test_flush_and_get_id(void **state)
{
	(void)state;
	start(false);
	assert_int_equal(request(VIRTIO_BLK_T_FLUSH, 0, 0, false), 1);
	assert_int_equal(ram_buf[STATUS], VIRTIO_BLK_S_OK);
	assert_int_equal(blk.flushes, 1);
	memset(ram_buf + DATA, 0x55, 32);
	assert_int_equal(request(VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_BYTES, true), 21);
	assert_int_equal(ram_buf[STATUS], VIRTIO_BLK_S_OK);
	assert_memory_equal(ram_buf + DATA, "shale-test-disk\0\0\0\0\0", 20);
	assert_int_equal(ram_buf[DATA + 20], 0x55);
	/* A shorter buffer gets the first bytes of the id, nothing past it. */
	memset(ram_buf + DATA, 0x55, 32);
	request(VIRTIO_BLK_T_GET_ID, 0, 5, true);
	assert_memory_equal(ram_buf + DATA, "shale", 5);
	assert_int_equal(ram_buf[DATA + 5], 0x55);
}

static void test_unsupported(void **state)
{
	(void)state;
	start(false);
	request(11, 0, VIRTIO_BLK_SECTOR, false); /* DISCARD: not offered */
	assert_int_equal(ram_buf[STATUS], VIRTIO_BLK_S_UNSUPP);
	request(0x12345678, 0, 0, false);
	assert_int_equal(ram_buf[STATUS], VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(blk.errors, 2);
}

static void expect_ioerr(void)
{
	assert_int_equal(ram_buf[STATUS], VIRTIO_BLK_S_IOERR);
}

/* Sectors outside the disk, and counts that wrap, touch nothing. */
static void test_bad_sectors(void **state)
{
	uint8_t copy[sizeof(disk)];

	(void)state;
	start(false);
	memcpy(copy, disk, sizeof(disk));
	request(VIRTIO_BLK_T_IN, DISK_SECTORS, VIRTIO_BLK_SECTOR, true);
	expect_ioerr();
	request(VIRTIO_BLK_T_IN, DISK_SECTORS - 1, 2 * VIRTIO_BLK_SECTOR, true);
	expect_ioerr();
	request(VIRTIO_BLK_T_OUT, DISK_SECTORS - 1, 2 * VIRTIO_BLK_SECTOR, false);
	expect_ioerr();
	/* sector * 512 wraps to a small number; sector + count wraps to 0. */
	request(VIRTIO_BLK_T_OUT, 1ull << 55, VIRTIO_BLK_SECTOR, false);
	expect_ioerr();
	request(VIRTIO_BLK_T_OUT, UINT64_MAX, VIRTIO_BLK_SECTOR, false);
	expect_ioerr();
	request(VIRTIO_BLK_T_IN, UINT64_MAX, VIRTIO_BLK_SECTOR, true);
	expect_ioerr();
	/* Not whole sectors. */
	request(VIRTIO_BLK_T_OUT, 0, 100, false);
	expect_ioerr();
	request(VIRTIO_BLK_T_IN, 0, VIRTIO_BLK_SECTOR + 1, true);
	expect_ioerr();
	assert_memory_equal(copy, disk, sizeof(disk));
	assert_int_equal(blk.reads + blk.writes, 0);
	/* The end of the disk, exactly, is fine (an empty read there too). */
	request(VIRTIO_BLK_T_IN, DISK_SECTORS - 1, VIRTIO_BLK_SECTOR, true);
	assert_int_equal(ram_buf[STATUS], VIRTIO_BLK_S_OK);
	request(VIRTIO_BLK_T_IN, DISK_SECTORS, 0, true);
	assert_int_equal(ram_buf[STATUS], VIRTIO_BLK_S_OK);
}

/* Data buffers in the wrong direction for the request type. */
static void test_wrong_directions(void **state)
{
	uint8_t copy[sizeof(disk)];
	struct seg both[] = { { HDR, 16, false }, { DATA, 512, false },
			      { DATA + 0x1000, 512, true }, { STATUS, 1, true } };

	(void)state;
	start(false);
	memcpy(copy, disk, sizeof(disk));
	memset(ram_buf + DATA, 0x77, VIRTIO_BLK_SECTOR);
	request(VIRTIO_BLK_T_IN, 0, VIRTIO_BLK_SECTOR, false); /* read into a readable buffer */
	expect_ioerr();
	assert_int_equal(ram_buf[DATA], 0x77);
	request(VIRTIO_BLK_T_OUT, 0, VIRTIO_BLK_SECTOR, true); /* write from a writable one */
	expect_ioerr();
	header(VIRTIO_BLK_T_OUT, 0);
	submit(both, 4);
	expect_ioerr();
	header(VIRTIO_BLK_T_IN, 0);
	submit(both, 4);
	expect_ioerr();
	assert_int_equal(ram_buf[DATA + 0x1000], 0);
	request(VIRTIO_BLK_T_FLUSH, 0, VIRTIO_BLK_SECTOR, false);
	expect_ioerr();
	request(VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_BYTES, false);
	expect_ioerr();
	assert_memory_equal(copy, disk, sizeof(disk));
}

/* A short header, and a chain with no writable byte for the status. */
static void test_malformed(void **state)
{
	struct seg shorthdr[] = { { HDR, 15, false }, { STATUS, 1, true } };
	struct seg nostatus[] = { { HDR, 16, false }, { DATA, 512, false } };
	struct seg emptystatus[] = { { HDR, 16, false }, { DATA, 0, true } };

	(void)state;
	start(false);
	header(VIRTIO_BLK_T_IN, 0);
	assert_int_equal(submit(shorthdr, 2), 1);
	expect_ioerr();
	header(VIRTIO_BLK_T_OUT, 0);
	memset(ram_buf + DATA, 0x99, 512);
	assert_int_equal(submit(nostatus, 2), 0);
	assert_int_equal(disk[0], 1);
	assert_int_equal(submit(emptystatus, 2), 0);
	assert_int_equal(ram_buf[STATUS], 0xee);
	assert_int_equal(blk.errors, 3);
	assert_int_equal(notes, 0); /* a bad request is not a broken queue */
}

static void test_ro_write(void **state)
{
	(void)state;
	start(true);
	memset(ram_buf + DATA, 0xab, VIRTIO_BLK_SECTOR);
	request(VIRTIO_BLK_T_OUT, 0, VIRTIO_BLK_SECTOR, false);
	expect_ioerr();
	assert_int_equal(disk[0], 1);
	request(VIRTIO_BLK_T_IN, 0, VIRTIO_BLK_SECTOR, true);
	assert_int_equal(ram_buf[STATUS], VIRTIO_BLK_S_OK);
	assert_int_equal(ram_buf[DATA], 1);
}

/* More than seg_max x size_max bytes in one request is refused, even
 * when the disk is large enough: it bounds one notification's work. The
 * chain is built by hand over host buffers, as the queue would hand it
 * over (the harness's RAM is smaller than one such request). */
static void test_request_limit(void **state)
{
	static uint8_t big[2 * VIRTIO_BLK_REQ_MAX], buf[VIRTIO_BLK_REQ_MAX + VIRTIO_BLK_SECTOR];
	struct virtio_blk_req_hdr h = { VIRTIO_BLK_T_IN, 0, 1 };
	static struct virtq_chain c;
	struct virtio_pci_config cfg = harness_reset();
	uint8_t status = 0xee;

	(void)state;
	memset(big, 0x3c, sizeof(big));
	virtio_blk_init(&blk, &cfg, big, sizeof(big), false, "big");
	c.n_read = 1;
	c.n_write = 2;
	c.seg[0] = (struct virtq_seg){ (uint8_t *)&h, sizeof(h), false };
	c.seg[1] = (struct virtq_seg){ buf, sizeof(buf), true };
	c.seg[2] = (struct virtq_seg){ &status, 1, true };
	virtio_blk_request(&blk, &c);
	assert_int_equal(status, VIRTIO_BLK_S_IOERR);
	assert_int_equal(buf[0], 0);
	c.seg[1].len = VIRTIO_BLK_REQ_MAX;
	assert_int_equal(virtio_blk_request(&blk, &c), VIRTIO_BLK_REQ_MAX + 1);
	assert_int_equal(status, VIRTIO_BLK_S_OK);
	assert_int_equal(buf[VIRTIO_BLK_REQ_MAX - 1], 0x3c);
	assert_int_equal(buf[VIRTIO_BLK_REQ_MAX], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity_and_config),
		cmocka_unit_test(test_ro_offers_f_ro),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_read_scattered),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_flush_and_get_id),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_bad_sectors),
		cmocka_unit_test(test_wrong_directions),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_ro_write),
		cmocka_unit_test(test_request_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
