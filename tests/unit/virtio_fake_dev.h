/* SPDX-License-Identifier: MIT */
/*
 * The fake virtio device of the transport's unit tests: one queue whose
 * handle() fills every device-writable byte with 0x5a and counts the
 * chain in `handled` (virtio_harness.h). Include after virtio_harness.h.
 */
#ifndef SHALE_TESTS_UNIT_VIRTIO_FAKE_DEV_H
#define SHALE_TESTS_UNIT_VIRTIO_FAKE_DEV_H

static uint32_t fill(void *dev, unsigned q, const struct virtq_chain *c)
{
	uint32_t n = 0;

	(void)dev;
	(void)q;
	handled++;
	for (unsigned i = c->n_read; i < c->n_read + c->n_write; i++) {
		memset(c->seg[i].hva, 0x5a, c->seg[i].len);
		n += c->seg[i].len;
	}
	return n;
}

static const struct virtio_device_ops fake_ops = {
	.type = 4, .class_code = 0xff0000, .num_queues = 1, .queue_max = QMAX,
	.handle = fill,
};

#endif
