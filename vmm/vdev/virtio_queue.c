/* SPDX-License-Identifier: MIT */
/* Split virtqueues, device side: the rules are listed in virtio_queue.h. */
#include <stddef.h>

#include "lib/string.h"
#include "vmm/vdev/virtio_queue.h"

/* x86 keeps loads in order with loads and stores with stores (SDM Vol.
 * 3A, 9.2.2): between the ring index and its entries only the compiler
 * must be kept from reordering. */
#define compiler_barrier() __asm__ volatile("" ::: "memory")

/* Every buffer of every chain comes through here: the RAM from 0, where
 * nearly all of them are, is checked inline (the same test as
 * guest_ram_find(), written so that nothing wraps), the rest by
 * guest_ram_to_host(). */
static inline void *ram_hva(const struct guest_ram *ram, uint64_t gpa, uint64_t len)
{
	const struct guest_ram_range *r = &ram->r[0];
	uint64_t hpa;

	if (ram->n && r->gpa == 0 && r->hpa && len && gpa < r->size &&
	    len <= r->size - gpa)
		return (void *)(uintptr_t)(r->hpa + gpa);
	if (!guest_ram_to_host(ram, gpa, len, &hpa))
		return NULL;
	return (void *)(uintptr_t)hpa;
}

void virtq_reset(struct virtq *q)
{
	memset(q, 0, sizeof(*q));
}

static int refuse(struct virtq *q, const char *why)
{
	q->why_broken = why;
	q->ready = false;
	return -1;
}

int virtq_enable(struct virtq *q, const struct guest_ram *ram)
{
	uint64_t n = q->size;

	if (!n || n > VIRTQ_SIZE_MAX || (n & (n - 1)))
		return refuse(q, "queue size is not a power of two up to 256");
	/* 2.7: alignment 16, 2 and 4 for the three areas. */
	if ((q->desc_gpa & 15) || (q->avail_gpa & 1) || (q->used_gpa & 3))
		return refuse(q, "misaligned queue area");
	q->desc = ram_hva(ram, q->desc_gpa, 16 * n);
	q->avail = ram_hva(ram, q->avail_gpa, 6 + 2 * n);
	q->used = ram_hva(ram, q->used_gpa, 6 + 8 * n);
	if (!q->desc || !q->avail || !q->used)
		return refuse(q, "queue area outside guest RAM");
	q->last_avail = 0;
	q->used_idx = 0;
	q->broken = false;
	q->why_broken = NULL;
	q->ready = true;
	return 0;
}

static enum virtq_result bad(struct virtq *q, const char *why)
{
	q->broken = true;
	q->why_broken = why;
	return VIRTQ_BAD;
}

/* Add one direct descriptor's buffer to the chain. */
static const char *add_seg(struct virtq_chain *c, const struct guest_ram *ram,
			   const struct virtq_desc *d, unsigned size)
{
	bool write = d->flags & VIRTQ_DESC_F_WRITE;
	struct virtq_seg *s;

	if (c->n_read + c->n_write >= size)
		return "descriptor chain longer than the queue (a loop?)";
	if (!write && c->n_write)
		return "device-readable descriptor after a device-writable one";
	s = &c->seg[c->n_read + c->n_write];
	s->len = d->len;
	s->write = write;
	s->hva = NULL;
	/* A zero-length buffer is legal and touches no memory. */
	if (d->len && !(s->hva = ram_hva(ram, d->addr, d->len)))
		return "buffer outside guest RAM";
	if (write) {
		c->n_write++;
		c->write_len += d->len;
	} else {
		c->n_read++;
		c->read_len += d->len;
	}
	return NULL;
}

/* Walk an indirect table (2.7.5.3.1): its own `next` indices, bounded by
 * its own length; no indirect descriptor inside. */
static const char *walk_indirect(struct virtq *q, const struct guest_ram *ram,
				 struct virtq_chain *c, const struct virtq_desc *id)
{
	const struct virtq_desc *table;
	uint32_t n = id->len / 16;
	uint32_t i = 0;

	if (!q->indirect)
		return "indirect descriptor without VIRTIO_F_INDIRECT_DESC";
	if (id->flags & VIRTQ_DESC_F_NEXT)
		return "indirect descriptor with F_NEXT";
	if (!id->len || (id->len & 15))
		return "indirect table length not a multiple of 16";
	if (n > q->size)
		return "indirect table longer than the queue";
	table = ram_hva(ram, id->addr, id->len);
	if (!table)
		return "indirect table outside guest RAM";
	for (uint32_t steps = 0;; steps++) {
		struct virtq_desc d = table[i];
		const char *err;

		compiler_barrier();
		if (steps >= n)
			return "indirect chain longer than its table (a loop?)";
		if (d.flags & VIRTQ_DESC_F_INDIRECT)
			return "nested indirect descriptor";
		if ((err = add_seg(c, ram, &d, q->size)))
			return err;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return NULL;
		if (d.next >= n)
			return "indirect next index past its table";
		i = d.next;
	}
}

static const char *walk(struct virtq *q, const struct guest_ram *ram,
			struct virtq_chain *c, uint16_t head)
{
	uint16_t i = head;

	for (;;) {
		struct virtq_desc d = q->desc[i];
		const char *err;

		compiler_barrier();
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			/* An indirect table is a whole chain on its own. */
			if (c->n_read + c->n_write)
				return "indirect descriptor inside a chain";
			return walk_indirect(q, ram, c, &d);
		}
		if ((err = add_seg(c, ram, &d, q->size)))
			return err;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return NULL;
		if (d.next >= q->size)
			return "next index past the queue";
		i = d.next;
	}
}

enum virtq_result virtq_pop(struct virtq *q, const struct guest_ram *ram,
			    struct virtq_chain *c)
{
	uint16_t avail_idx, head;
	const char *err;

	if (q->broken)
		return VIRTQ_BAD;
	if (!q->ready)
		return VIRTQ_EMPTY;
	avail_idx = q->avail[1];
	if (avail_idx == q->last_avail)
		return VIRTQ_EMPTY;
	if ((uint16_t)(avail_idx - q->last_avail) > q->size)
		return bad(q, "available index ran more than the queue size ahead");
	compiler_barrier(); /* the entry after the index (2.7.13.3) */
	/* The size is a power of two (virtq_enable): a mask, not a divide. */
	head = q->avail[2 + (q->last_avail & (q->size - 1))];
	if (head >= q->size)
		return bad(q, "head index past the queue");
	c->head = head;
	c->n_read = c->n_write = 0;
	c->read_len = c->write_len = 0;
	if ((err = walk(q, ram, c, head)))
		return bad(q, err);
	q->last_avail++;
	return VIRTQ_CHAIN;
}

void virtq_push(struct virtq *q, uint16_t head, uint32_t written)
{
	volatile struct virtq_used_elem *e =
		(volatile struct virtq_used_elem *)((volatile uint8_t *)q->used + 4);

	e[q->used_idx & (q->size - 1)].id = head;
	e[q->used_idx & (q->size - 1)].len = written;
	compiler_barrier(); /* the element before the index (2.7.8) */
	q->used_idx++;
	q->used[1] = q->used_idx;
}

bool virtq_wants_interrupt(const struct virtq *q)
{
	return !(q->avail[0] & VIRTQ_AVAIL_F_NO_INTERRUPT);
}
