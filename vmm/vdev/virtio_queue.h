/* SPDX-License-Identifier: MIT */
/*
 * Split virtqueues (Virtual I/O Device (VIRTIO) Version 1.2, 2.7), device
 * side, against a guest that may be hostile.
 *
 * The three areas live in guest RAM:
 *
 *   descriptor table  16 bytes x size, 16-aligned  { addr, len, flags, next }
 *   available ring    6 + 2 x size, 2-aligned      { flags, idx, ring[size] }
 *   used ring         6 + 8 x size, 4-aligned      { flags, idx, ring[size] }
 *                                                  ring[] = { id, len }
 *
 * virtq_enable() checks that each area lies in guest RAM and keeps a host
 * pointer to it. virtq_pop() takes the next available chain, copies every
 * descriptor once before using it (the guest can rewrite the table while
 * Shale reads it) and checks it:
 *   - the head and every `next` index are below the queue size;
 *   - every buffer lies wholly in guest RAM (guest_ram_find: not in the
 *     MMIO hole, not past the end, not wrapping past 2^64);
 *   - a chain has at most `size` descriptors, indirect ones included
 *     (2.7.5.3.1: "MUST NOT create a descriptor chain longer than the
 *     Queue Size"), which also ends any loop;
 *   - an indirect table (2.7.5.3) only when VIRTIO_F_INDIRECT_DESC was
 *     negotiated, without F_NEXT, a non-zero multiple of 16 bytes, in RAM,
 *     and holding no indirect descriptor itself;
 *   - device-readable descriptors come before device-writable ones.
 * A chain that breaks a rule makes the queue broken: virtq_pop() returns
 * VIRTQ_BAD with a reason, and the transport sets DEVICE_NEEDS_RESET
 * (2.1.2) and stops using the queue until the driver resets the device.
 *
 * Guest RAM is reached through struct guest_ram (vmm/guest_ram.h): its
 * host-physical bases are host pointers under Shale's identity map, and
 * in the host unit tests they are plain buffers.
 */
#ifndef SHALE_VMM_VDEV_VIRTIO_QUEUE_H
#define SHALE_VMM_VDEV_VIRTIO_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/guest_ram.h"

/* The largest queue Shale's devices offer; a power of two (2.7: a split
 * queue's size is one). It also bounds a chain's segments. */
#define VIRTQ_SIZE_MAX 256

#define VIRTQ_DESC_F_NEXT     1
#define VIRTQ_DESC_F_WRITE    2
#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
_Static_assert(sizeof(struct virtq_desc) == 16, "virtio 2.7.5: 16-byte descriptors");

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};
_Static_assert(sizeof(struct virtq_used_elem) == 8, "virtio 2.7.8: 8-byte used elements");

/* One buffer of a chain, as a host pointer. */
struct virtq_seg {
	uint8_t *hva;
	uint32_t len;
	bool write; /* device-writable */
};

/* A chain taken from the available ring; virtq_push() gives it back. */
struct virtq_chain {
	uint16_t head;
	uint16_t n_read, n_write;  /* readable segments first, then writable */
	uint32_t read_len, write_len;
	struct virtq_seg seg[VIRTQ_SIZE_MAX];
};

struct virtq {
	/* Set by the driver through the transport. */
	uint16_t size;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	bool indirect; /* VIRTIO_F_INDIRECT_DESC negotiated */

	/* Set by virtq_enable(). */
	bool ready;
	bool broken;
	const char *why_broken;
	const struct virtq_desc *desc;
	volatile uint16_t *avail;  /* flags, idx, ring[size] */
	volatile uint16_t *used;   /* flags, idx, then the elements */
	uint16_t last_avail;       /* next available entry to take */
	uint16_t used_idx;         /* next used entry to fill */
};

enum virtq_result {
	VIRTQ_EMPTY,  /* nothing available */
	VIRTQ_CHAIN,  /* *chain holds one */
	VIRTQ_BAD,    /* the queue is broken: q->why_broken says why */
};

/* Forget everything (device reset). */
void virtq_reset(struct virtq *q);

/* The driver set QUEUE_ENABLE: check size and areas, map them. Returns 0,
 * or -1 with q->why_broken set (the queue stays disabled). */
int virtq_enable(struct virtq *q, const struct guest_ram *ram);

/* Whether the driver has made a chain available that virtq_pop() has not
 * taken yet (its answer may still be VIRTQ_BAD). Inline: a doorbell that
 * finds nothing new, as a driver's second notification does, costs no
 * call. */
static inline bool virtq_has_avail(const struct virtq *q)
{
	return q->ready && !q->broken && q->avail[1] != q->last_avail;
}

/* Take the next available chain. */
enum virtq_result virtq_pop(struct virtq *q, const struct guest_ram *ram,
			    struct virtq_chain *chain);

/* Put a chain in the used ring, `written` bytes written into its
 * device-writable part. */
void virtq_push(struct virtq *q, uint16_t head, uint32_t written);

/* Whether the driver wants an interrupt for used buffers
 * (VIRTQ_AVAIL_F_NO_INTERRUPT clear; VIRTIO_F_EVENT_IDX is not offered). */
bool virtq_wants_interrupt(const struct virtq *q);

#endif
