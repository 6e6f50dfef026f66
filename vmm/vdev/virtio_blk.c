/* SPDX-License-Identifier: MIT */
/* virtio block device: the request rules are listed in virtio_blk.h. */
#include <stddef.h>

#include "lib/string.h"
#include "vmm/vdev/virtio_blk.h"

/* Device configuration (5.2.4): capacity, size_max, seg_max; the fields
 * after them belong to features Shale does not offer. */
#define BLK_CFG_SIZE 16

/* Bytes in segments [first, end): summed in 64 bits, since the chain's own
 * 32-bit totals can wrap when a guest with much RAM offers huge buffers. */
static uint64_t seg_bytes(const struct virtq_chain *c, unsigned first, unsigned end)
{
	uint64_t n = 0;

	for (unsigned i = first; i < end; i++)
		n += c->seg[i].len;
	return n;
}

/* Copy len bytes between p and the bytes of segments [first, end) from
 * offset off on, as one stream; to_chain says which way. The caller has
 * checked that the segments hold off + len bytes. */
static void chain_copy(const struct virtq_chain *c, unsigned first, unsigned end,
		       uint64_t off, uint8_t *p, uint64_t len, bool to_chain)
{
	for (unsigned i = first; i < end && len; i++) {
		const struct virtq_seg *s = &c->seg[i];
		uint64_t n;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = s->len - off;
		if (n > len)
			n = len;
		if (to_chain)
			memcpy(s->hva + off, p, n);
		else
			memcpy(p, s->hva + off, n);
		p += n;
		len -= n;
		off = 0;
	}
}

/* The chain's last writable byte, where the status goes; NULL if none. */
static uint8_t *status_byte(const struct virtq_chain *c)
{
	for (unsigned i = c->n_read + c->n_write; i > c->n_read; i--)
		if (c->seg[i - 1].len)
			return c->seg[i - 1].hva + c->seg[i - 1].len - 1;
	return NULL;
}

/* len bytes from `sector` on lie wholly in the disk, in whole sectors,
 * within one request's limit; written so that nothing wraps. */
static bool in_disk(const struct virtio_blk *b, uint64_t sector, uint64_t len)
{
	return !(len % VIRTIO_BLK_SECTOR) && len <= VIRTIO_BLK_REQ_MAX &&
	       sector <= b->capacity && len / VIRTIO_BLK_SECTOR <= b->capacity - sector;
}

static uint8_t serve(struct virtio_blk *b, const struct virtq_chain *c,
		     uint64_t rlen, uint64_t wlen)
{
	unsigned w0 = c->n_read, wend = c->n_read + c->n_write;
	struct virtio_blk_req_hdr h;
	uint64_t len;

	if (rlen < sizeof(h))
		return VIRTIO_BLK_S_IOERR;
	chain_copy(c, 0, c->n_read, 0, (uint8_t *)&h, sizeof(h), false);
	switch (h.type) {
	case VIRTIO_BLK_T_IN:
		/* Data after the header must be device-writable. */
		len = wlen - 1;
		if (rlen != sizeof(h) || !in_disk(b, h.sector, len))
			return VIRTIO_BLK_S_IOERR;
		chain_copy(c, w0, wend, 0, b->data + h.sector * VIRTIO_BLK_SECTOR, len, true);
		b->reads++;
		b->bytes_read += len;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_OUT:
		/* Data must be device-readable: only the status is writable. */
		len = rlen - sizeof(h);
		if (wlen != 1 || b->ro || !in_disk(b, h.sector, len))
			return VIRTIO_BLK_S_IOERR;
		chain_copy(c, 0, c->n_read, sizeof(h), b->data + h.sector * VIRTIO_BLK_SECTOR,
			   len, false);
		b->writes++;
		b->bytes_written += len;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_FLUSH:
		/* Writes are in Shale's memory the moment they complete:
		 * there is nothing to make durable, and no disk to make it
		 * durable on. */
		if (rlen != sizeof(h) || wlen != 1)
			return VIRTIO_BLK_S_IOERR;
		b->flushes++;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		if (rlen != sizeof(h))
			return VIRTIO_BLK_S_IOERR;
		len = wlen - 1 < VIRTIO_BLK_ID_BYTES ? wlen - 1 : VIRTIO_BLK_ID_BYTES;
		chain_copy(c, w0, wend, 0, (uint8_t *)b->id, len, true);
		return VIRTIO_BLK_S_OK;
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

uint32_t virtio_blk_request(struct virtio_blk *b, const struct virtq_chain *c)
{
	uint64_t rlen = seg_bytes(c, 0, c->n_read);
	uint64_t wlen = seg_bytes(c, c->n_read, c->n_read + c->n_write);
	uint8_t *status = status_byte(c);
	uint8_t st;

	/* No place for a status: the driver broke the protocol, and all
	 * the device can do is hand the chain back untouched. */
	if (!status) {
		b->errors++;
		return 0;
	}
	st = serve(b, c, rlen, wlen);
	if (st != VIRTIO_BLK_S_OK)
		b->errors++;
	*status = st;
	/* The status is the last writable byte: the whole writable part
	 * counts as written (2.7.8.1 counts from its start). */
	return wlen > UINT32_MAX ? UINT32_MAX : (uint32_t)wlen;
}

static uint32_t blk_handle(void *dev, unsigned q, const struct virtq_chain *c)
{
	(void)q;
	return virtio_blk_request(dev, c);
}

static void blk_cfg_access(void *dev, unsigned off, unsigned size, bool write,
			   uint64_t *val)
{
	struct virtio_blk *b = dev;
	uint8_t cfg[BLK_CFG_SIZE];
	uint32_t size_max = VIRTIO_BLK_SIZE_MAX, seg_max = VIRTIO_BLK_SEG_MAX;

	if (write)
		return; /* every field is read-only here */
	memcpy(cfg, &b->capacity, 8);
	memcpy(cfg + 8, &size_max, 4);
	memcpy(cfg + 12, &seg_max, 4);
	*val = 0;
	memcpy(val, cfg + off, size); /* the transport keeps off + size inside */
}

static const struct virtio_device_ops blk_ops = {
	.type = VIRTIO_ID_BLOCK,
	.class_code = 0x018000, /* mass storage, other */
	.features = VIRTIO_BLK_F_SIZE_MAX | VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_FLUSH,
	.num_queues = 1,
	.queue_max = VIRTIO_BLK_QUEUE_SIZE,
	.cfg_size = BLK_CFG_SIZE,
	.handle = blk_handle,
	.cfg_access = blk_cfg_access,
};

static const struct virtio_device_ops blk_ro_ops = {
	.type = VIRTIO_ID_BLOCK,
	.class_code = 0x018000,
	.features = VIRTIO_BLK_F_SIZE_MAX | VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_FLUSH |
		    VIRTIO_BLK_F_RO,
	.num_queues = 1,
	.queue_max = VIRTIO_BLK_QUEUE_SIZE,
	.cfg_size = BLK_CFG_SIZE,
	.handle = blk_handle,
	.cfg_access = blk_cfg_access,
};

void virtio_blk_init(struct virtio_blk *b, struct virtio_pci_config *cfg,
		     uint8_t *data, uint64_t size, bool ro, const char *id)
{
	size_t n = id ? strlen(id) : 0;

	b->data = data;
	b->capacity = size / VIRTIO_BLK_SECTOR;
	b->ro = ro;
	memset(b->id, 0, sizeof(b->id));
	if (n)
		memcpy(b->id, id, n < sizeof(b->id) ? n : sizeof(b->id));
	b->reads = b->writes = b->flushes = b->errors = 0;
	b->bytes_read = b->bytes_written = 0;
	cfg->ops = ro ? &blk_ro_ops : &blk_ops;
	cfg->dev = b;
	virtio_pci_init(&b->vp, cfg);
}
