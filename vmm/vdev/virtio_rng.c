/* SPDX-License-Identifier: MIT */
#include "lib/string.h"
#include "vmm/vdev/virtio_rng.h"

/* Fill up to len bytes at p; returns how many got random bytes. */
static uint32_t fill(struct virtio_rng *r, uint8_t *p, uint32_t len)
{
	uint32_t done = 0;
	uint64_t v;

	if (!r->get64)
		return 0;
	while (len - done >= 8) {
		if (!r->get64(r->get_ctx, &v))
			return done;
		memcpy(p + done, &v, 8); /* a constant size: one store */
		done += 8;
	}
	if (done < len && r->get64(r->get_ctx, &v)) {
		memcpy(p + done, &v, len - done);
		done = len;
	}
	return done;
}

static uint32_t rng_handle(void *dev, unsigned q, const struct virtq_chain *c)
{
	struct virtio_rng *r = dev;
	uint32_t total = 0;

	(void)q;
	/* Written bytes are counted from the start of the writable part
	 * (2.7.8.1), so filling stops at the first short segment. */
	for (unsigned i = c->n_read; i < c->n_read + c->n_write; i++) {
		uint32_t want = c->seg[i].len, got;

		if (want > VIRTIO_RNG_CHAIN_MAX - total)
			want = VIRTIO_RNG_CHAIN_MAX - total;
		got = fill(r, c->seg[i].hva, want);
		total += got;
		if (got < c->seg[i].len)
			break;
	}
	r->requests++;
	r->bytes += total;
	return total;
}

static const struct virtio_device_ops rng_ops = {
	.type = VIRTIO_ID_RNG,
	.class_code = 0xff0000, /* class FFh: a device that fits no other */
	.num_queues = 1,
	.queue_max = VIRTIO_RNG_QUEUE_SIZE,
	.handle = rng_handle,
};

void virtio_rng_init(struct virtio_rng *r, struct virtio_pci_config *cfg,
		     bool (*get64)(void *ctx, uint64_t *out), void *get_ctx)
{
	r->get64 = get64;
	r->get_ctx = get_ctx;
	r->requests = r->bytes = 0;
	cfg->ops = &rng_ops;
	cfg->dev = r;
	virtio_pci_init(&r->vp, cfg);
}
