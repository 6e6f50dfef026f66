/* SPDX-License-Identifier: MIT */
/*
 * virtio block device (Virtual I/O Device (VIRTIO) Version 1.2, 5.2):
 * device type 2, one request queue, over a disk image that Shale holds in
 * its own memory (boot/ read it from the config partition). Writes go to
 * that memory: they outlive a guest's reboot and are lost when the machine
 * stops.
 *
 * A request is a chain (5.2.6):
 *
 *   device-readable   struct virtio_blk_req_hdr { type, reserved, sector }
 *   data              readable for T_OUT, writable for T_IN and T_GET_ID
 *   device-writable   one status byte, the chain's last byte
 *
 * The device does not rely on how the driver cut the chain into
 * descriptors (2.6.4): the header may span readable segments and the data
 * any number of them. Each request is checked before any byte moves:
 *   - a header of 16 readable bytes and a writable status byte at the end;
 *     without a writable byte the request completes with nothing written;
 *   - T_IN and T_OUT data a multiple of 512 bytes, in the right direction
 *     (T_IN: nothing readable after the header; T_OUT: nothing writable
 *     but the status), at most VIRTIO_BLK_REQ_MAX bytes, and the sectors
 *     inside the disk (sector + count <= capacity, without wrapping);
 *   - T_OUT on a read-only disk fails.
 * A request that breaks a rule gets VIRTIO_BLK_S_IOERR, an unknown type
 * VIRTIO_BLK_S_UNSUPP; neither touches the disk. One notification serves at
 * most VIRTIO_BLK_QUEUE_SIZE requests (the transport's bound), so it moves
 * at most VIRTIO_BLK_QUEUE_SIZE x VIRTIO_BLK_REQ_MAX bytes.
 */
#ifndef SHALE_VMM_VDEV_VIRTIO_BLK_H
#define SHALE_VMM_VDEV_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/vdev/virtio_pci.h"

#define VIRTIO_ID_BLOCK 2
#define VIRTIO_BLK_SECTOR 512

/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX (1ull << 1)
#define VIRTIO_BLK_F_SEG_MAX (1ull << 2)
#define VIRTIO_BLK_F_RO (1ull << 5)
#define VIRTIO_BLK_F_FLUSH (1ull << 9)

/* Request types and status values (5.2.6). */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2
#define VIRTIO_BLK_ID_BYTES 20

/* Shale's limits, offered as size_max and seg_max: a request moves at
 * most seg_max x size_max bytes. The queue must hold a whole chain
 * (header, seg_max data segments, status), even an indirect one
 * (vmm/vdev/virtio_queue.h). */
#define VIRTIO_BLK_QUEUE_SIZE 64
#define VIRTIO_BLK_SIZE_MAX (8u << 10)
#define VIRTIO_BLK_SEG_MAX 32u
#define VIRTIO_BLK_REQ_MAX (VIRTIO_BLK_SIZE_MAX * VIRTIO_BLK_SEG_MAX)
_Static_assert(VIRTIO_BLK_SEG_MAX + 2 <= VIRTIO_BLK_QUEUE_SIZE,
	       "a request's chain must fit in the queue");

struct virtio_blk_req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};
_Static_assert(sizeof(struct virtio_blk_req_hdr) == 16, "virtio 1.2, 5.2.6");

struct virtio_blk {
	struct virtio_pci vp;
	uint8_t *data;           /* the image, in Shale's memory */
	uint64_t capacity;       /* in 512-byte sectors */
	bool ro;
	char id[VIRTIO_BLK_ID_BYTES]; /* T_GET_ID's answer, NUL-padded */
	/* Served so far, for the shell and tests. */
	uint64_t reads, writes, flushes, errors;
	uint64_t bytes_read, bytes_written;
};

/* Build the device over `size` bytes at `data` (a multiple of 512);
 * cfg->ops and cfg->dev are the device's own. `id` names the disk to the
 * guest (its first 20 bytes). */
void virtio_blk_init(struct virtio_blk *b, struct virtio_pci_config *cfg,
		     uint8_t *data, uint64_t size, bool ro, const char *id);

/* Serve one request chain; returns the bytes written into its writable
 * part. The transport calls it for each chain (exposed for the tests). */
uint32_t virtio_blk_request(struct virtio_blk *b, const struct virtq_chain *c);

#endif
