/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for vmm/netswitch.c: forwarding, learning, addresses a
 * port may not use, the senders' shares of a queue, attach and detach.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/netswitch.h"

#define PORTS 4

static struct net_switch sw;
static struct net_port port[NET_SWITCH_PORTS + 1];
static struct net_slot slots[PORTS][NET_PORT_SLOTS];
static unsigned kicks[NET_SWITCH_PORTS];

static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t MCAST[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };

static void mac_of(unsigned i, uint8_t m[6])
{
	const uint8_t base[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, (uint8_t)(0x10 + i) };

	memcpy(m, base, 6);
}

static void kick(void *ctx)
{
	kicks[(uintptr_t)ctx]++;
}

/* n ports, all attached. */
static void setup_n(unsigned n)
{
	netswitch_init(&sw, "lan0");
	memset(kicks, 0, sizeof(kicks));
	for (unsigned i = 0; i < n; i++) {
		uint8_t m[6];

		mac_of(i, m);
		assert_int_equal(netswitch_add_port(&sw, &port[i], m, slots[i]), 0);
		net_port_attach(&port[i], kick, (void *)(uintptr_t)i);
	}
}

/* A frame dst <- src with a one-byte tag in its payload; 60 bytes. */
static uint8_t frame[NET_FRAME_MAX + 1];
static const uint8_t *mk(const uint8_t *dst, const uint8_t *src, uint8_t tag)
{
	memset(frame, 0, 60);
	memcpy(frame, dst, 6);
	memcpy(frame + 6, src, 6);
	frame[12] = 0x08;
	frame[14] = tag;
	return frame;
}

static unsigned send_from(unsigned i, const uint8_t *dst, uint8_t tag)
{
	uint8_t src[6];

	mac_of(i, src);
	return netswitch_send(&port[i], mk(dst, src, tag), 60);
}

static unsigned waiting(unsigned i)
{
	return port[i].tail - port[i].head;
}

/* Take port i's oldest frame; returns its tag, -1 if none. */
static int take(unsigned i)
{
	const struct net_slot *s = net_port_peek(&port[i]);
	int tag;

	if (!s)
		return -1;
	assert_int_equal(s->len, 60);
	tag = s->data[14];
	net_port_pop(&port[i]);
	return tag;
}

static void test_unicast_to_own_address(void **state)
{
	uint8_t to[6];

	(void)state;
	setup_n(PORTS);
	mac_of(2, to);
	assert_int_equal(send_from(0, to, 7), 1);
	assert_int_equal(waiting(1), 0);
	assert_int_equal(waiting(2), 1);
	assert_int_equal(waiting(3), 0);
	assert_int_equal(kicks[2], 1);
	assert_int_equal(take(2), 7);
	assert_int_equal(take(2), -1);
	assert_int_equal(port[2].rx_frames, 1);
	assert_int_equal(port[2].rx_bytes, 60);
	assert_int_equal(port[0].tx_frames, 1);
	assert_int_equal(port[0].tx_bytes, 60);
}

static void test_broadcast_and_multicast_flood(void **state)
{
	(void)state;
	setup_n(PORTS);
	assert_int_equal(send_from(1, BCAST, 1), PORTS - 1);
	assert_int_equal(send_from(1, MCAST, 2), PORTS - 1);
	assert_int_equal(waiting(1), 0); /* nothing back to the sender */
	for (unsigned i = 0; i < PORTS; i++) {
		if (i == 1)
			continue;
		assert_int_equal(take(i), 1);
		assert_int_equal(take(i), 2);
	}
}

static void test_unknown_unicast_floods_then_learned(void **state)
{
	const uint8_t behind3[6] = { 0x02, 0, 0, 0, 0, 0x33 };
	uint8_t src3[6];

	(void)state;
	setup_n(PORTS);
	assert_int_equal(send_from(0, behind3, 1), PORTS - 1);
	/* Port 3 sends from a second address (a container behind it). */
	mac_of(0, src3);
	assert_int_equal(netswitch_send(&port[3], mk(src3, behind3, 2), 60), 1);
	assert_int_equal(send_from(0, behind3, 3), 1);
	assert_int_equal(take(3), 1);
	assert_int_equal(take(3), 3);
	assert_int_equal(take(1), 1);
	assert_int_equal(take(1), -1);
	assert_int_equal(take(0), 2);
}

static void test_own_address_not_sent_back(void **state)
{
	uint8_t me[6];

	(void)state;
	setup_n(PORTS);
	mac_of(1, me);
	assert_int_equal(send_from(1, me, 1), 0);
	for (unsigned i = 0; i < PORTS; i++)
		assert_int_equal(waiting(i), 0);
}

static void test_spoofed_sources_dropped(void **state)
{
	uint8_t other[6];

	(void)state;
	setup_n(PORTS);
	mac_of(2, other);
	/* Port 0 claims port 2's address: dropped, to nobody. */
	assert_int_equal(netswitch_send(&port[0], mk(BCAST, other, 1), 60), 0);
	assert_int_equal(netswitch_send(&port[0], mk(BCAST, MCAST, 2), 60), 0);
	assert_int_equal(port[0].tx_spoofed, 2);
	assert_int_equal(port[0].tx_frames, 0);
	for (unsigned i = 0; i < PORTS; i++)
		assert_int_equal(waiting(i), 0);
	/* And port 2 still gets what is sent to it, alone. */
	assert_int_equal(send_from(1, other, 3), 1);
	assert_int_equal(take(2), 3);
	assert_int_equal(take(0), -1);
}

static void test_learned_address_moves(void **state)
{
	const uint8_t roam[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	uint8_t to0[6];

	(void)state;
	setup_n(PORTS);
	mac_of(0, to0);
	netswitch_send(&port[2], mk(to0, roam, 1), 60);
	netswitch_send(&port[3], mk(to0, roam, 2), 60);
	assert_int_equal(send_from(1, roam, 3), 1);
	assert_int_equal(take(3), 3);
	assert_int_equal(take(2), -1);
}

/* A port learns NET_LEARN_PER_PORT addresses; more flood. */
static void test_learning_quota(void **state)
{
	uint8_t to0[6], a[6] = { 0x02, 0, 0, 0, 0, 0 };

	(void)state;
	setup_n(PORTS);
	mac_of(0, to0);
	for (unsigned k = 0; k <= NET_LEARN_PER_PORT; k++) {
		a[5] = (uint8_t)k;
		netswitch_send(&port[1], mk(to0, a, 0), 60);
	}
	assert_int_equal(sw.n_learned[1], NET_LEARN_PER_PORT);
	while (take(0) >= 0)
		;
	a[5] = 0;
	assert_int_equal(send_from(2, a, 1), 1); /* learned */
	a[5] = NET_LEARN_PER_PORT;
	assert_int_equal(send_from(2, a, 2), PORTS - 1); /* past the quota */
	/* Another port still learns. */
	a[5] = 0x77;
	netswitch_send(&port[3], mk(to0, a, 0), 60);
	assert_int_equal(sw.n_learned[3], 1);
}

/* A flood of port 0 at port 2 fills port 0's share there only. */
static void test_flood_loses_only_its_own(void **state)
{
	unsigned share, got0 = 0, got1 = 0;
	uint8_t to2[6];
	int t;

	(void)state;
	setup_n(3);
	share = netswitch_share(&sw);
	assert_int_equal(share, NET_PORT_SLOTS / 2);
	mac_of(2, to2);
	for (unsigned k = 0; k < 3 * NET_PORT_SLOTS; k++)
		send_from(0, to2, 0);
	assert_int_equal(waiting(2), share);
	assert_int_equal(port[0].tx_excess, 3 * NET_PORT_SLOTS - share);
	assert_int_equal(kicks[2], share);
	for (unsigned k = 0; k < share; k++)
		assert_int_equal(send_from(1, to2, 1), 1);
	assert_int_equal(port[1].tx_excess, 0);
	assert_int_equal(send_from(1, to2, 1), 0); /* now port 1's share is full */
	assert_int_equal(port[1].tx_excess, 1);
	while ((t = take(2)) >= 0)
		t ? got1++ : got0++;
	assert_int_equal(got0, share);
	assert_int_equal(got1, share);
	/* Taken: the shares are free again. */
	assert_int_equal(send_from(0, to2, 0), 1);
}

/* Two ports: the sender may fill the whole queue, no more. */
static void test_two_ports_whole_queue(void **state)
{
	uint8_t to1[6];

	(void)state;
	setup_n(2);
	mac_of(1, to1);
	for (unsigned k = 0; k < NET_PORT_SLOTS + 5; k++)
		send_from(0, to1, (uint8_t)k);
	assert_int_equal(waiting(1), NET_PORT_SLOTS);
	assert_int_equal(port[0].tx_excess, 5);
	for (unsigned k = 0; k < NET_PORT_SLOTS; k++)
		assert_int_equal(take(1), (uint8_t)k);
}

static void test_bad_sizes(void **state)
{
	uint8_t src[6];

	(void)state;
	setup_n(2);
	mac_of(0, src);
	mk(BCAST, src, 0);
	assert_int_equal(netswitch_send(&port[0], frame, NET_FRAME_MIN - 1), 0);
	assert_int_equal(netswitch_send(&port[0], frame, NET_FRAME_MAX + 1), 0);
	assert_int_equal(port[0].tx_bad_size, 2);
	assert_int_equal(netswitch_send(&port[0], frame, NET_FRAME_MIN), 1);
	assert_int_equal(netswitch_send(&port[0], frame, NET_FRAME_MAX), 1);
	assert_int_equal(net_port_peek(&port[1])->len, NET_FRAME_MIN);
}

static void test_detach_and_attach(void **state)
{
	const uint8_t behind[6] = { 0x02, 0, 0, 0, 0, 0x44 };
	uint8_t to1[6], to0[6];

	(void)state;
	setup_n(3);
	mac_of(1, to1);
	mac_of(0, to0);
	netswitch_send(&port[1], mk(to0, behind, 0), 60); /* learned */
	send_from(0, to1, 1);
	net_port_detach(&port[1]);
	assert_false(net_port_pending(&port[1]));
	assert_int_equal(sw.n_learned[1], 0);
	/* To a stopped guest: nothing queued, and it is not the sender's
	 * excess. */
	assert_int_equal(send_from(0, to1, 2), 0);
	assert_int_equal(port[0].tx_excess, 0);
	/* Its learned address is forgotten: floods to the one left. */
	assert_int_equal(send_from(0, behind, 3), 1);
	assert_int_equal(take(2), 3);
	net_port_attach(&port[1], kick, (void *)1);
	assert_int_equal(send_from(0, to1, 4), 1);
	assert_int_equal(take(1), 4);
}

static void test_add_port_limits(void **state)
{
	static struct net_slot one[NET_PORT_SLOTS];
	uint8_t m[6];

	(void)state;
	netswitch_init(&sw, "a-name-longer-than-sixteen");
	assert_int_equal(strlen(sw.name), NET_SWITCH_NAME_MAX - 1);
	for (unsigned i = 0; i < NET_SWITCH_PORTS; i++) {
		mac_of(i, m);
		assert_int_equal(netswitch_add_port(&sw, &port[i], m, one), 0);
	}
	mac_of(NET_SWITCH_PORTS, m);
	assert_int_equal(netswitch_add_port(&sw, &port[NET_SWITCH_PORTS], m, one), -1);
	netswitch_init(&sw, "b");
	mac_of(0, m);
	assert_int_equal(netswitch_add_port(&sw, &port[0], m, one), 0);
	assert_int_equal(netswitch_add_port(&sw, &port[1], m, one), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unicast_to_own_address),
		cmocka_unit_test(test_broadcast_and_multicast_flood),
		cmocka_unit_test(test_unknown_unicast_floods_then_learned),
		cmocka_unit_test(test_own_address_not_sent_back),
		cmocka_unit_test(test_spoofed_sources_dropped),
		cmocka_unit_test(test_learned_address_moves),
		cmocka_unit_test(test_learning_quota),
		cmocka_unit_test(test_flood_loses_only_its_own),
		cmocka_unit_test(test_two_ports_whole_queue),
		cmocka_unit_test(test_bad_sizes),
		cmocka_unit_test(test_detach_and_attach),
		cmocka_unit_test(test_add_port_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
