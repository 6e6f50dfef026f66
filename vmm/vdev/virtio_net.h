/* SPDX-License-Identifier: MIT */
/*
 * virtio network device (Virtual I/O Device (VIRTIO) Version 1.2, 5.1):
 * device type 1, one queue pair (receiveq1 = queue 0, transmitq1 =
 * queue 1), no control queue. Features: VIRTIO_NET_F_MAC (the address
 * the config gave the port, in the device configuration) and
 * VIRTIO_NET_F_STATUS (the link is always up). Nothing else: no checksum
 * or segmentation offload, so every frame is a whole Ethernet frame with
 * its checksums done, at most VIRTIO_NET_FRAME_MAX bytes, and no
 * mergeable receive buffers, so a received frame goes into one chain.
 *
 * Every buffer starts with the 12-byte struct virtio_net_hdr (5.1.6;
 * with VIRTIO_F_VERSION_1 it always has num_buffers).
 *
 * Transmit (queue 1): a chain holds device-readable buffers only: the
 * header, then the frame, split among them in any way. The frame is
 * gathered into the device's own buffer (the guest may rewrite its
 * memory while Shale reads it; this copy is what goes out) and handed
 * to send(). A frame that is too short or too long, or whose header asks
 * for segmentation Shale did not offer, is dropped and counted; the chain
 * goes back all the same (5.1.6.2.2: the device MAY drop it).
 *
 * Receive (queue 0): a chain holds device-writable buffers only. The
 * driver posts them ahead; they wait in the ring until a frame comes
 * (has_work: the port's queue is not empty), and each takes one frame,
 * header first with num_buffers 1. A chain too small for the frame waiting
 * gets nothing written (used length 0, which the driver drops as an
 * error) and the frame is dropped: 5.1.6.3.1 asks the driver for at least
 * 1526 bytes without mergeable buffers (an untagged frame of 1514 and the
 * header); Linux gives 1530, room for a tagged one.
 *
 * A writable buffer on the transmit queue, or a readable one on the
 * receive queue, breaks 5.1.6 and makes the device need a reset.
 */
#ifndef SHALE_VMM_VDEV_VIRTIO_NET_H
#define SHALE_VMM_VDEV_VIRTIO_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/vdev/virtio_pci.h"

#define VIRTIO_ID_NET 1
#define VIRTIO_NET_F_MAC (1ull << 5)
#define VIRTIO_NET_F_STATUS (1ull << 16)
#define VIRTIO_NET_S_LINK_UP 1
#define VIRTIO_NET_QUEUE_SIZE 256
#define VIRTIO_NET_RX 0
#define VIRTIO_NET_TX 1
#define VIRTIO_NET_HDR_LEN 12
#define VIRTIO_NET_HDR_GSO_NONE 0
#define VIRTIO_NET_FRAME_MIN 14
#define VIRTIO_NET_FRAME_MAX 1518 /* 1500 bytes of payload, the header, a VLAN tag */

struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};
_Static_assert(sizeof(struct virtio_net_hdr) == VIRTIO_NET_HDR_LEN, "5.1.6: 12 bytes");

/* Where frames go and come from; ctx is the io's own. */
struct virtio_net_io {
	/* The guest sent a whole frame. */
	void (*send)(void *ctx, const uint8_t *frame, uint32_t len);
	/* The oldest frame waiting for the guest, or NULL; then done with it. */
	const uint8_t *(*peek)(void *ctx, uint32_t *len);
	void (*pop)(void *ctx);
	void *ctx;
};

struct virtio_net {
	struct virtio_pci vp;
	struct virtio_net_io io;
	uint8_t mac[6];
	uint8_t frame[VIRTIO_NET_FRAME_MAX]; /* the frame being sent */
	/* Served so far, for the shell and tests. */
	uint64_t tx_frames, tx_bytes, tx_dropped;
	uint64_t rx_frames, rx_bytes, rx_dropped;
};

/* Build the device with address mac; cfg->ops and cfg->dev are its own. */
void virtio_net_init(struct virtio_net *n, struct virtio_pci_config *cfg,
		     const uint8_t mac[6], const struct virtio_net_io *io);
/* Frames wait for the guest: fill the receive buffers posted so far. */
void virtio_net_receive(struct virtio_net *n);

#endif
