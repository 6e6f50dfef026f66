/* SPDX-License-Identifier: MIT */
#include "vmm/vdev/virtio_console.h"

/* transmitq0: the readable bytes, in order, up to the chain limit. */
static uint32_t transmit(struct virtio_console *c, const struct virtq_chain *ch)
{
	uint32_t left = VIRTIO_CONSOLE_CHAIN_MAX;

	if (ch->n_write)
		return virtio_pci_bad_chain(&c->vp, "device-writable buffer on transmitq0");
	for (unsigned i = 0; i < ch->n_read; i++) {
		uint32_t n = ch->seg[i].len < left ? ch->seg[i].len : left;
		uint32_t lost = ch->seg[i].len - n;

		if (n || lost)
			c->io.out(c->io.ctx, ch->seg[i].hva, n, lost);
		left -= n;
		c->tx_bytes += n;
		c->tx_dropped += lost;
	}
	c->tx_chains++;
	return 0; /* nothing written into a transmit buffer */
}

/* receiveq0: typed bytes into the writable buffers, front to back; the
 * written length counts from the first (2.7.8.1), so a short fill ends
 * the chain. */
static uint32_t receive(struct virtio_console *c, const struct virtq_chain *ch)
{
	uint32_t total = 0;

	if (ch->n_read)
		return virtio_pci_bad_chain(&c->vp, "device-readable buffer on receiveq0");
	for (unsigned i = 0; i < ch->n_write; i++) {
		unsigned got = c->io.in(c->io.ctx, ch->seg[i].hva, ch->seg[i].len);

		total += got;
		if (got < ch->seg[i].len)
			break;
	}
	c->rx_chains++;
	c->rx_bytes += total;
	return total;
}

static uint32_t console_handle(void *dev, unsigned q, const struct virtq_chain *ch)
{
	struct virtio_console *c = dev;

	return q == VIRTIO_CONSOLE_TX ? transmit(c, ch) : receive(c, ch);
}

/* A receive buffer is used only for input that is there: an empty one
 * given back would be a wake-up for nothing, and the driver would have
 * to post it again. */
static bool console_has_work(void *dev, unsigned q)
{
	struct virtio_console *c = dev;

	return q != VIRTIO_CONSOLE_RX || c->io.in_pending(c->io.ctx);
}

static const struct virtio_device_ops console_ops = {
	.type = VIRTIO_ID_CONSOLE,
	.class_code = 0x078000, /* a communication controller, "other" */
	.num_queues = 2,
	.queue_max = VIRTIO_CONSOLE_QUEUE_SIZE,
	.handle = console_handle,
	.has_work = console_has_work,
};

void virtio_console_init(struct virtio_console *c, struct virtio_pci_config *cfg,
			 const struct virtio_console_io *io)
{
	c->io = *io;
	c->tx_chains = c->tx_bytes = c->tx_dropped = 0;
	c->rx_chains = c->rx_bytes = 0;
	cfg->ops = &console_ops;
	cfg->dev = c;
	virtio_pci_init(&c->vp, cfg);
}

bool virtio_console_takes_input(const struct virtio_console *c)
{
	return virtio_pci_queue_live(&c->vp, VIRTIO_CONSOLE_RX);
}

void virtio_console_input(struct virtio_console *c)
{
	virtio_pci_serve(&c->vp, VIRTIO_CONSOLE_RX);
}
