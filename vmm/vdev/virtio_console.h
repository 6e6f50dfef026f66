/* SPDX-License-Identifier: MIT */
/*
 * virtio console device (Virtual I/O Device (VIRTIO) Version 1.2, 5.3):
 * device type 3, one port (no VIRTIO_CONSOLE_F_MULTIPORT), so two queues,
 * receiveq0 and transmitq0, and no configuration or feature bits. The
 * guest's driver makes it hvc0 (Linux's virtio_console).
 *
 * Transmit (queue 1): a chain holds device-readable buffers only; their
 * bytes go to the output callback (the guest's console ring) at once and
 * the chain goes back. At most VIRTIO_CONSOLE_CHAIN_MAX bytes a chain go
 * out, so one notification's work is bounded (queue size x that); the
 * rest is counted as dropped, as the console counts what its ring cannot
 * hold.
 *
 * Receive (queue 0): a chain holds device-writable buffers only. The
 * driver posts them ahead; they stay in the ring until typed input comes
 * (has_work), and then fill with as much of it as they hold. While no
 * buffer is posted, the input waits where it is (the guest's bounded
 * input ring) rather than being lost.
 *
 * A readable buffer on receiveq0, or a writable one on transmitq0, breaks
 * 5.3.6.1 and makes the device need a reset (the transport does that).
 */
#ifndef SHALE_VMM_VDEV_VIRTIO_CONSOLE_H
#define SHALE_VMM_VDEV_VIRTIO_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/vdev/virtio_pci.h"

#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_CONSOLE_QUEUE_SIZE 64
#define VIRTIO_CONSOLE_CHAIN_MAX 4096
#define VIRTIO_CONSOLE_RX 0 /* receiveq0: typed bytes to the guest */
#define VIRTIO_CONSOLE_TX 1 /* transmitq0: the guest's output */

/* Where the bytes come from and go; ctx is the console's io_ctx. */
struct virtio_console_io {
	/* The guest wrote n bytes; lost: bytes past the chain limit. */
	void (*out)(void *ctx, const uint8_t *p, uint32_t n, uint32_t lost);
	/* Take up to max typed bytes; returns how many. */
	unsigned (*in)(void *ctx, uint8_t *buf, unsigned max);
	/* Whether typed bytes wait. */
	bool (*in_pending)(void *ctx);
	void *ctx;
};

struct virtio_console {
	struct virtio_pci vp;
	struct virtio_console_io io;
	/* Served so far, for the shell and tests. */
	uint64_t tx_chains, tx_bytes, tx_dropped;
	uint64_t rx_chains, rx_bytes;
};

/* Build the device; cfg->ops and cfg->dev are the console's own. */
void virtio_console_init(struct virtio_console *c, struct virtio_pci_config *cfg,
			 const struct virtio_console_io *io);
/* Whether the guest's driver takes input now (DRIVER_OK, receiveq0 on):
 * typed bytes go here rather than to the 16550 then. */
bool virtio_console_takes_input(const struct virtio_console *c);
/* Typed bytes wait: fill the receive buffers posted so far. */
void virtio_console_input(struct virtio_console *c);

#endif
