/* SPDX-License-Identifier: MIT */
/*
 * A learning Ethernet switch inside Shale: the guests' virtio-net
 * devices are its ports (`net = SWITCH` in shale.cfg, docs/devices.md).
 *
 * Forwarding, for a frame port S sends:
 *   - a broadcast or multicast destination (bit 0 of its first byte)
 *     floods to every other attached port;
 *   - a destination that is a port's own address (its `mac`), or one the
 *     switch learned from a port's traffic, goes to that port alone;
 *   - any other destination floods, as on any learning switch;
 *   - nothing goes back to S.
 *
 * Addresses: each port has its own address, fixed by the config. A frame
 * whose source is another port's own address, or a multicast address,
 * is dropped (a guest cannot take another guest's MAC); any other source
 * is learned (a guest that bridges containers has several), at most
 * NET_LEARN_PER_PORT a port, so one guest cannot fill the table for the
 * rest. Past that a port learns nothing more and frames to its extra
 * addresses flood, which delivers them all the same.
 *
 * Queues: each port has NET_PORT_SLOTS frames waiting for its guest to
 * take them (its receive virtqueue), and each sending port may hold at
 * most a fair share of them: the slots over the other ports on the
 * switch. A sender past its share, or a port's full queue, loses the
 * sender's own frame and nobody else's (tx_excess counts them): a guest
 * that floods another fills only its own share there.
 *
 * Who runs what, on which CPU:
 *   - netswitch_send() runs on the sender's CPU, in its guest's device
 *     context; it writes only into the receiving ports' queues, under each
 *     port's lock (a copy of one frame long), and learns under the switch's
 *     learn lock, taken only when a source address is new.
 *   - A receiver takes its frames (net_port_peek/_pop) in its own guest's
 *     device context, without a lock: one consumer per port.
 *   - The port's kick() tells the receiver's CPU that frames wait.
 *
 * Pure C: the integrator (vmm/pc_net.c) gives each port its slot memory.
 */
#ifndef SHALE_VMM_NETSWITCH_H
#define SHALE_VMM_NETSWITCH_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/spinlock.h"
#include "vmm/vdev/virtio_net.h"

#define NET_ETH_ALEN 6
#define NET_FRAME_MIN 14   /* the Ethernet header */
#define NET_FRAME_MAX 1518 /* 1500 bytes of payload, the header, a VLAN tag */
#define NET_PORT_SLOTS 128 /* frames waiting for one port; a power of two */
#define NET_SWITCH_PORTS 16
#define NET_LEARN_PER_PORT 8
#define NET_LEARN_MAX (NET_SWITCH_PORTS * NET_LEARN_PER_PORT)
#define NET_SWITCH_NAME_MAX 16 /* including NUL */

struct net_slot {
	uint16_t len;
	uint8_t from; /* the sending port's index */
	uint8_t data[NET_FRAME_MAX];
} __attribute__((aligned(64)));

struct net_switch;

struct net_port {
	struct net_switch *sw;
	unsigned index;              /* on its switch */
	uint8_t mac[NET_ETH_ALEN];   /* its own address */
	struct net_slot *slot;       /* NET_PORT_SLOTS, from the integrator */

	/* The receiving side. */
	struct spinlock lock;        /* senders; the consumer takes none */
	bool attached;               /* its guest runs: frames are queued */
	void (*kick)(void *ctx);     /* frames wait (called after unlock) */
	void *ctx;
	uint32_t head;               /* next frame to take: the consumer's */
	uint32_t tail;               /* next free slot: the senders' */
	uint32_t held[NET_SWITCH_PORTS]; /* frames of each sender waiting */

	/* Counters. tx_* are written by the port's own sender only, rx_* by
	 * its consumer only. */
	uint64_t tx_frames, tx_bytes;
	uint64_t tx_spoofed;         /* a source that is not its to use */
	uint64_t tx_bad_size;        /* shorter than a header, or too long */
	uint64_t tx_excess;          /* one receiver's copy lost: its share full */
	uint64_t rx_frames, rx_bytes;
	/* TSC ticks its guest's CPU spent handing waiting frames to the
	 * device outside any exit (vmm/pc_net.c), for make bench. */
	uint64_t rx_handover_ticks;
};

struct net_switch {
	char name[NET_SWITCH_NAME_MAX];
	unsigned n_ports;
	struct net_port *port[NET_SWITCH_PORTS];
	/* Learned addresses: 0 when free, else (1 << 63) | port << 48 | MAC,
	 * read without a lock, written under learn_lock. */
	struct spinlock learn_lock;
	uint64_t learned[NET_LEARN_MAX];
	unsigned n_learned[NET_SWITCH_PORTS];
};

/* A new, empty switch. */
void netswitch_init(struct net_switch *sw, const char *name);
/* Add port p (slot memory set, detached) with address mac; returns 0, or
 * -1 when the switch is full or the address is already a port's. */
int netswitch_add_port(struct net_switch *sw, struct net_port *p,
		       const uint8_t mac[NET_ETH_ALEN], struct net_slot *slots);
/* The port's guest starts: queue frames for it, kick(ctx) when they come. */
void net_port_attach(struct net_port *p, void (*kick)(void *ctx), void *ctx);
/* The port's guest stops: drop what waits, queue nothing more, forget
 * the addresses it taught the switch. */
void net_port_detach(struct net_port *p);

/* Port `from` sends a frame of len bytes. Returns how many ports it went
 * to (0 if it was dropped or there was nobody to take it). */
unsigned netswitch_send(struct net_port *from, const uint8_t *frame, uint32_t len);

/* The receiving side: whether a frame waits, the oldest one (NULL if
 * none), and done with it. */
bool net_port_pending(const struct net_port *p);
const struct net_slot *net_port_peek(const struct net_port *p);
void net_port_pop(struct net_port *p);

/* A sender's share of another port's queue on this switch. */
unsigned netswitch_share(const struct net_switch *sw);

/* The port as a virtio-net device's backend (vmm/vdev/virtio_net.h):
 * what the guest sends goes to netswitch_send(), what waits for it comes
 * from the port's queue. */
struct virtio_net_io net_port_virtio_io(struct net_port *p);

#endif
