/* SPDX-License-Identifier: MIT */
/*
 * virtio entropy device (Virtual I/O Device (VIRTIO) Version 1.2, 5.4):
 * device type 4, one request queue, no configuration, no feature bits.
 * Each chain's device-writable buffers are filled from the entropy
 * function the device was given (the host's RDRAND or RDSEED,
 * vmm/entropy.h), at most VIRTIO_RNG_CHAIN_MAX bytes a chain, which keeps
 * the work of one notification bounded (queue size x that).
 *
 * Without a source, or when the source stops giving, a request completes
 * with what was written so far, possibly 0 bytes: the driver sees a short
 * read, never bytes Shale cannot vouch for (5.4.6.1 lets the device write
 * fewer bytes than asked).
 */
#ifndef SHALE_VMM_VDEV_VIRTIO_RNG_H
#define SHALE_VMM_VDEV_VIRTIO_RNG_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/vdev/virtio_pci.h"

#define VIRTIO_ID_RNG 4
#define VIRTIO_RNG_QUEUE_SIZE 64
#define VIRTIO_RNG_CHAIN_MAX 4096

struct virtio_rng {
	struct virtio_pci vp;
	/* Eight random bytes, or false; NULL for no source at all. */
	bool (*get64)(void *ctx, uint64_t *out);
	void *get_ctx;
	uint64_t requests, bytes; /* served so far, for the shell and tests */
};

/* Build the device; cfg->ops and cfg->dev are the rng's own. */
void virtio_rng_init(struct virtio_rng *r, struct virtio_pci_config *cfg,
		     bool (*get64)(void *ctx, uint64_t *out), void *get_ctx);

#endif
