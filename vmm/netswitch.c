/* SPDX-License-Identifier: MIT */
/* The learning Ethernet switch: the rules are listed in netswitch.h. */
#include <stddef.h>

#include "lib/string.h"
#include "vmm/netswitch.h"

#define LEARNED_VALID (1ull << 63)
#define LEARNED_MAC_MASK ((1ull << 48) - 1)

_Static_assert((NET_PORT_SLOTS & (NET_PORT_SLOTS - 1)) == 0, "slots: a power of two");
_Static_assert(NET_SWITCH_PORTS <= 256, "a slot names its sender in a byte");

static uint64_t mac_word(const uint8_t *m)
{
	uint64_t w = 0;

	for (unsigned i = 0; i < NET_ETH_ALEN; i++)
		w = w << 8 | m[i];
	return w;
}

static bool is_multicast(const uint8_t *m)
{
	return m[0] & 1; /* broadcast included */
}

void netswitch_init(struct net_switch *sw, const char *name)
{
	size_t n = strlen(name);

	memset(sw, 0, sizeof(*sw));
	if (n >= sizeof(sw->name))
		n = sizeof(sw->name) - 1;
	memcpy(sw->name, name, n);
}

/* The port whose own address is w, or NULL. */
static struct net_port *owner(const struct net_switch *sw, uint64_t w)
{
	for (unsigned i = 0; i < sw->n_ports; i++)
		if (mac_word(sw->port[i]->mac) == w)
			return sw->port[i];
	return NULL;
}

int netswitch_add_port(struct net_switch *sw, struct net_port *p,
		       const uint8_t mac[NET_ETH_ALEN], struct net_slot *slots)
{
	if (sw->n_ports == NET_SWITCH_PORTS || owner(sw, mac_word(mac)))
		return -1;
	memset(p, 0, sizeof(*p));
	p->sw = sw;
	p->index = sw->n_ports;
	memcpy(p->mac, mac, NET_ETH_ALEN);
	p->slot = slots;
	sw->port[sw->n_ports++] = p;
	return 0;
}

unsigned netswitch_share(const struct net_switch *sw)
{
	return sw->n_ports > 2 ? NET_PORT_SLOTS / (sw->n_ports - 1) : NET_PORT_SLOTS;
}

/* ------------------------------------------------------------ learning */

/* The port that learned address w, or NULL. */
static struct net_port *learned_port(const struct net_switch *sw, uint64_t w)
{
	for (unsigned i = 0; i < NET_LEARN_MAX; i++) {
		uint64_t e = __atomic_load_n(&sw->learned[i], __ATOMIC_RELAXED);

		if ((e & LEARNED_VALID) && (e & LEARNED_MAC_MASK) == w)
			return sw->port[(e >> 48) & 0xff];
	}
	return NULL;
}

/* Port p sent from address w (not a port's own): it is behind p now. A
 * move from another port rewrites that entry; a new address takes a free
 * entry while p is within its quota. */
static void learn(struct net_switch *sw, struct net_port *p, uint64_t w)
{
	uint64_t e = LEARNED_VALID | (uint64_t)p->index << 48 | w;
	int free_at = -1;

	if (learned_port(sw, w) == p)
		return; /* the common case, without the lock */
	spin_lock(&sw->learn_lock);
	for (unsigned i = 0; i < NET_LEARN_MAX; i++) {
		uint64_t old = sw->learned[i];

		if (!(old & LEARNED_VALID)) {
			if (free_at < 0)
				free_at = (int)i;
			continue;
		}
		if ((old & LEARNED_MAC_MASK) != w)
			continue;
		if (p->index == ((old >> 48) & 0xff))
			goto out;
		if (sw->n_learned[p->index] == NET_LEARN_PER_PORT) {
			/* p may not hold another: nobody has it now. */
			sw->n_learned[(old >> 48) & 0xff]--;
			__atomic_store_n(&sw->learned[i], 0, __ATOMIC_RELAXED);
			goto out;
		}
		sw->n_learned[(old >> 48) & 0xff]--;
		sw->n_learned[p->index]++;
		__atomic_store_n(&sw->learned[i], e, __ATOMIC_RELAXED);
		goto out;
	}
	if (free_at >= 0 && sw->n_learned[p->index] < NET_LEARN_PER_PORT) {
		sw->n_learned[p->index]++;
		__atomic_store_n(&sw->learned[free_at], e, __ATOMIC_RELAXED);
	}
out:
	spin_unlock(&sw->learn_lock);
}

static void forget(struct net_switch *sw, const struct net_port *p)
{
	spin_lock(&sw->learn_lock);
	for (unsigned i = 0; i < NET_LEARN_MAX; i++) {
		uint64_t e = sw->learned[i];

		if ((e & LEARNED_VALID) && ((e >> 48) & 0xff) == p->index)
			__atomic_store_n(&sw->learned[i], 0, __ATOMIC_RELAXED);
	}
	sw->n_learned[p->index] = 0;
	spin_unlock(&sw->learn_lock);
}

/* ----------------------------------------------------------- the queues */

void net_port_attach(struct net_port *p, void (*kick)(void *ctx), void *ctx)
{
	spin_lock(&p->lock);
	p->head = p->tail = 0;
	memset(p->held, 0, sizeof(p->held));
	p->kick = kick;
	p->ctx = ctx;
	p->attached = true;
	spin_unlock(&p->lock);
}

void net_port_detach(struct net_port *p)
{
	spin_lock(&p->lock);
	p->attached = false;
	p->head = p->tail;
	memset(p->held, 0, sizeof(p->held));
	spin_unlock(&p->lock);
	forget(p->sw, p);
}

/* Put one copy of the frame in port `to`'s queue; false when the sender's
 * share there (or the whole queue) is full or nobody takes frames. */
static bool enqueue(struct net_port *to, const struct net_port *from,
		    const uint8_t *frame, uint32_t len, unsigned share)
{
	void (*kick)(void *ctx) = NULL;
	void *ctx = NULL;
	bool queued = false;

	spin_lock(&to->lock);
	if (to->attached &&
	    to->tail - __atomic_load_n(&to->head, __ATOMIC_ACQUIRE) < NET_PORT_SLOTS &&
	    __atomic_load_n(&to->held[from->index], __ATOMIC_RELAXED) < share) {
		struct net_slot *s = &to->slot[to->tail & (NET_PORT_SLOTS - 1)];

		memcpy(s->data, frame, len);
		s->len = (uint16_t)len;
		s->from = (uint8_t)from->index;
		__atomic_fetch_add(&to->held[from->index], 1, __ATOMIC_RELAXED);
		/* The slot before the index the consumer reads. */
		__atomic_store_n(&to->tail, to->tail + 1, __ATOMIC_RELEASE);
		kick = to->kick;
		ctx = to->ctx;
		queued = true;
	}
	spin_unlock(&to->lock);
	if (kick)
		kick(ctx);
	return queued;
}

unsigned netswitch_send(struct net_port *from, const uint8_t *frame, uint32_t len)
{
	struct net_switch *sw = from->sw;
	const uint8_t *dst = frame, *src = frame + NET_ETH_ALEN;
	unsigned share = netswitch_share(sw), sent = 0;
	struct net_port *to = NULL;
	uint64_t s;

	if (len < NET_FRAME_MIN || len > NET_FRAME_MAX) {
		from->tx_bad_size++;
		return 0;
	}
	s = mac_word(src);
	if (s != mac_word(from->mac)) {
		struct net_port *o = owner(sw, s);

		if (is_multicast(src) || o) {
			from->tx_spoofed++;
			return 0;
		}
		learn(sw, from, s);
	}
	from->tx_frames++;
	from->tx_bytes += len;
	if (!is_multicast(dst)) {
		uint64_t d = mac_word(dst);

		to = owner(sw, d);
		if (!to)
			to = learned_port(sw, d);
		if (to == from)
			return 0; /* its own address: nothing goes back */
	}
	for (unsigned i = 0; i < sw->n_ports; i++) {
		struct net_port *p = sw->port[i];

		if (p == from || (to && p != to))
			continue;
		if (enqueue(p, from, frame, len, share))
			sent++;
		else if (p->attached)
			from->tx_excess++;
	}
	return sent;
}

bool net_port_pending(const struct net_port *p)
{
	return p->head != __atomic_load_n(&p->tail, __ATOMIC_ACQUIRE);
}

const struct net_slot *net_port_peek(const struct net_port *p)
{
	if (!net_port_pending(p))
		return NULL;
	return &p->slot[p->head & (NET_PORT_SLOTS - 1)];
}

void net_port_pop(struct net_port *p)
{
	const struct net_slot *s = net_port_peek(p);

	if (!s)
		return;
	p->rx_frames++;
	p->rx_bytes += s->len;
	__atomic_fetch_sub(&p->held[s->from], 1, __ATOMIC_RELAXED);
	/* Done reading the slot before a sender may reuse it. */
	__atomic_store_n(&p->head, p->head + 1, __ATOMIC_RELEASE);
}

static void io_send(void *ctx, const uint8_t *frame, uint32_t len)
{
	netswitch_send(ctx, frame, len);
}

static const uint8_t *io_peek(void *ctx, uint32_t *len)
{
	const struct net_slot *s = net_port_peek(ctx);

	if (!s)
		return NULL;
	*len = s->len;
	return s->data;
}

static void io_pop(void *ctx)
{
	net_port_pop(ctx);
}

struct virtio_net_io net_port_virtio_io(struct net_port *p)
{
	return (struct virtio_net_io){ io_send, io_peek, io_pop, p };
}
