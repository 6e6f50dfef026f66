/* SPDX-License-Identifier: MIT */
/* virtio network device: the rules are listed in virtio_net.h. */
#include <stddef.h>

#include "lib/string.h"
#include "vmm/vdev/virtio_net.h"

/* Device configuration (5.1.4): mac[6], status; max_virtqueue_pairs and
 * mtu belong to features Shale does not offer. */
#define NET_CFG_SIZE 8

/* Copy the readable bytes of c from offset `skip` into out (at most max);
 * returns how many there were, which may be more than max. */
static uint64_t gather(const struct virtq_chain *c, uint64_t skip, uint8_t *out,
		       uint32_t max)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < c->n_read; i++) {
		const struct virtq_seg *s = &c->seg[i];
		uint64_t from = skip > s->len ? s->len : skip;

		skip -= from;
		for (uint64_t k = from; k < s->len;) {
			uint64_t n = s->len - k;

			if (total >= max) {
				total += n;
				break;
			}
			if (n > max - total)
				n = max - total;
			memcpy(out + total, s->hva + k, n);
			total += n;
			k += n;
		}
	}
	return total;
}

static uint32_t transmit(struct virtio_net *n, const struct virtq_chain *c)
{
	struct virtio_net_hdr h;
	uint64_t len;

	if (c->n_write)
		return virtio_pci_bad_chain(&n->vp, "device-writable buffer on the transmit queue");
	if (gather(c, 0, (uint8_t *)&h, sizeof(h)) < sizeof(h) ||
	    h.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		n->tx_dropped++;
		return 0;
	}
	len = gather(c, sizeof(h), n->frame, sizeof(n->frame));
	if (len < VIRTIO_NET_FRAME_MIN || len > VIRTIO_NET_FRAME_MAX) {
		n->tx_dropped++;
		return 0;
	}
	n->io.send(n->io.ctx, n->frame, (uint32_t)len);
	n->tx_frames++;
	n->tx_bytes += len;
	return 0; /* nothing written into a transmit buffer */
}

/* Write len bytes at p into the writable segments from offset off. */
static void scatter(const struct virtq_chain *c, uint64_t off, const uint8_t *p, uint64_t len)
{
	for (unsigned i = c->n_read; i < c->n_read + c->n_write && len; i++) {
		const struct virtq_seg *s = &c->seg[i];
		uint64_t k;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		k = s->len - off < len ? s->len - off : len;
		memcpy(s->hva + off, p, k);
		p += k;
		len -= k;
		off = 0;
	}
}

static uint32_t receive(struct virtio_net *n, const struct virtq_chain *c)
{
	struct virtio_net_hdr h = { .gso_type = VIRTIO_NET_HDR_GSO_NONE, .num_buffers = 1 };
	uint64_t room = 0;
	const uint8_t *f;
	uint32_t len;

	if (c->n_read)
		return virtio_pci_bad_chain(&n->vp, "device-readable buffer on the receive queue");
	f = n->io.peek(n->io.ctx, &len);
	if (!f)
		return 0; /* has_work said there was one: a race lost, nothing written */
	for (unsigned i = c->n_read; i < c->n_read + c->n_write; i++)
		room += c->seg[i].len;
	if (room < sizeof(h) + (uint64_t)len) {
		n->rx_dropped++;
		n->io.pop(n->io.ctx);
		return 0;
	}
	scatter(c, 0, (const uint8_t *)&h, sizeof(h));
	scatter(c, sizeof(h), f, len);
	n->io.pop(n->io.ctx);
	n->rx_frames++;
	n->rx_bytes += len;
	return (uint32_t)sizeof(h) + len;
}

static uint32_t net_handle(void *dev, unsigned q, const struct virtq_chain *c)
{
	struct virtio_net *n = dev;

	return q == VIRTIO_NET_TX ? transmit(n, c) : receive(n, c);
}

/* A receive buffer is used only for a frame that is there. */
static bool net_has_work(void *dev, unsigned q)
{
	struct virtio_net *n = dev;
	uint32_t len;

	return q != VIRTIO_NET_RX || n->io.peek(n->io.ctx, &len);
}

static void net_cfg_access(void *dev, unsigned off, unsigned size, bool write,
			   uint64_t *val)
{
	struct virtio_net *n = dev;
	uint8_t cfg[NET_CFG_SIZE];
	uint16_t status = VIRTIO_NET_S_LINK_UP;

	if (write)
		return; /* mac is read-only without VIRTIO_NET_F_CTRL_MAC_ADDR */
	memcpy(cfg, n->mac, 6);
	memcpy(cfg + 6, &status, 2);
	*val = 0;
	memcpy(val, cfg + off, size); /* the transport keeps off + size inside */
}

static const struct virtio_device_ops net_ops = {
	.type = VIRTIO_ID_NET,
	.class_code = 0x020000, /* a network controller, Ethernet */
	.features = VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS,
	.num_queues = 2,
	.queue_max = VIRTIO_NET_QUEUE_SIZE,
	.cfg_size = NET_CFG_SIZE,
	.handle = net_handle,
	.cfg_access = net_cfg_access,
	.has_work = net_has_work,
};

void virtio_net_init(struct virtio_net *n, struct virtio_pci_config *cfg,
		     const uint8_t mac[6], const struct virtio_net_io *io)
{
	n->io = *io;
	memcpy(n->mac, mac, 6);
	n->tx_frames = n->tx_bytes = n->tx_dropped = 0;
	n->rx_frames = n->rx_bytes = n->rx_dropped = 0;
	cfg->ops = &net_ops;
	cfg->dev = n;
	virtio_pci_init(&n->vp, cfg);
}

void virtio_net_receive(struct virtio_net *n)
{
	virtio_pci_serve(&n->vp, VIRTIO_NET_RX);
}
