/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for `net = SWITCH [, mac=...]` (vmm/config_net.c): the
 * value, the PC it needs, the addresses made for devices without one, and
 * an address two guests claim on one switch: the later guest is reported
 * at its line and dropped, the others go on.
 */
#include "tests/unit/config_harness.h"

#define LINUX(name) "[guest]\nname = " name "\nkernel = vmlinuz\nmemory = 64M\nmode = linux\n"

static void assert_mac(const struct guest_nic *n, uint8_t a, uint8_t b, uint8_t c, uint8_t d,
		       uint8_t e, uint8_t f)
{
	const uint8_t want[6] = { a, b, c, d, e, f };

	assert_memory_equal(n->mac, want, 6);
}

static void test_nics(void **state)
{
	(void)state;
	expect_clean(LINUX("a") "net = lan0\nnet = dmz_2, mac=02:00:00:AB:cd:01\n");
	assert_int_equal(cfg.n_guests, 1);
	assert_int_equal(cfg.guests[0].n_nics, 2);
	assert_string_equal(cfg.guests[0].nics[0].sw, "lan0");
	assert_false(cfg.guests[0].nics[0].mac_given);
	assert_int_equal(cfg.guests[0].nics[0].line, 6);
	assert_string_equal(cfg.guests[0].nics[1].sw, "dmz_2");
	assert_true(cfg.guests[0].nics[1].mac_given);
	assert_mac(&cfg.guests[0].nics[1], 0x02, 0, 0, 0xab, 0xcd, 0x01);
	/* A made address: 52:54:00, unicast, the same for the same name. */
	assert_mac(&cfg.guests[0].nics[0], 0x52, 0x54, 0x00, cfg.guests[0].nics[0].mac[3],
		   cfg.guests[0].nics[0].mac[4], cfg.guests[0].nics[0].mac[5]);
	uint8_t first[6];
	memcpy(first, cfg.guests[0].nics[0].mac, 6);
	expect_clean(LINUX("a") "net = lan0\n" LINUX("b") "net = lan0\n");
	assert_memory_equal(cfg.guests[0].nics[0].mac, first, 6);
	assert_memory_not_equal(cfg.guests[1].nics[0].mac, first, 6);
	/* A flat guest with the PC devices may have one too. */
	expect_clean(GUEST_A "devices = pc\nnet = lan0\n");
	assert_int_equal(cfg.guests[0].n_nics, 1);
}

static void test_bad_values(void **state)
{
	(void)state;
	expect(LINUX("a") "net = \n", "shale.cfg:6: guest \"a\": net: no value after \"=\"\n");
	expect(LINUX("a") "net = lan 0\n",
	       "shale.cfg:6: guest \"a\": net \"lan 0\": ' ' is not allowed in a switch name, "
	       "use only letters, digits, _ and -\n");
	expect(LINUX("a") "net = lan0,\n",
	       "shale.cfg:6: guest \"a\": net \"lan0,\": expected SWITCH or SWITCH, "
	       "mac=XX:XX:XX:XX:XX:XX\n");
	expect(LINUX("a") "net = a-switch-name-too-long\n",
	       "shale.cfg:6: guest \"a\": net \"a-switch-name-too-long\": a switch name is at "
	       "most 15 characters\n");
	expect(LINUX("a") "net = lan0, ip=10.0.0.1\n",
	       "shale.cfg:6: guest \"a\": net \"lan0, ip=10.0.0.1\": the only option is "
	       "mac=XX:XX:XX:XX:XX:XX\n");
	expect(LINUX("a") "net = lan0, mac=52:54:00:12:34\n",
	       "shale.cfg:6: guest \"a\": net \"lan0, mac=52:54:00:12:34\": mac= takes six hex "
	       "bytes with colons, like 52:54:00:12:34:56\n");
	expect(LINUX("a") "net = lan0, mac=52-54-00-12-34-56\n",
	       "shale.cfg:6: guest \"a\": net \"lan0, mac=52-54-00-12-34-56\": mac= takes six "
	       "hex bytes with colons, like 52:54:00:12:34:56\n");
	expect(LINUX("a") "net = lan0, mac=01:00:5e:00:00:01\n",
	       "shale.cfg:6: guest \"a\": net \"lan0, mac=01:00:5e:00:00:01\": the address is a "
	       "multicast one (its first byte is odd); a guest's address must be unicast\n");
	expect(LINUX("a") "net = lan0, mac=00:00:00:00:00:00\n",
	       "shale.cfg:6: guest \"a\": net \"lan0, mac=00:00:00:00:00:00\": "
	       "00:00:00:00:00:00 is not an address\n");
	expect(LINUX("a") "net = lan0\nnet = lan0\n",
	       "shale.cfg:7: guest \"a\": net \"lan0\": the guest is already on switch \"lan0\" "
	       "(line 6)\n");
	expect(LINUX("a") "net = a\nnet = b\nnet = c\n",
	       "shale.cfg:8: guest \"a\": net \"c\": more than 2 network devices\n");
	assert_int_equal(cfg.n_guests, 0);
	expect(GUEST_A "net = lan0\n",
	       "shale.cfg:5: guest \"a\": net: a virtio-net device is a PCI device of the PC; "
	       "add devices = pc (a mode = linux guest has it)\n");
	assert_int_equal(cfg.n_guests, 0);
}

/* One address, two guests on one switch: the later one is dropped. On
 * two switches, or with the address made, both stay. */
static void test_addresses(void **state)
{
	(void)state;
	expect(LINUX("a") "net = lan0, mac=02:00:00:00:00:01\n"
	       LINUX("b") "net = lan0, mac=02:00:00:00:00:01\n" LINUX("c") "net = lan0\n",
	       "shale.cfg:12: guest \"b\": net \"lan0\": address 02:00:00:00:00:01 is guest "
	       "\"a\"'s on that switch (line 6); every address on a switch is its own; the "
	       "guest is skipped\n");
	assert_int_equal(cfg.n_guests, 2);
	assert_string_equal(cfg.guests[1].name, "c");
	expect_clean(LINUX("a") "net = lan0, mac=02:00:00:00:00:01\n"
		     LINUX("b") "net = lan1, mac=02:00:00:00:00:01\n");
	assert_int_equal(cfg.n_guests, 2);
}

/* A made address moves on past one that is given, even by a later
 * guest: guest "b" takes the address "a" would have had. */
static void test_made_address_avoids_given(void **state)
{
	char text[512];
	uint8_t m[6];

	(void)state;
	expect_clean(LINUX("a") "net = lan0\n");
	memcpy(m, cfg.guests[0].nics[0].mac, 6);
	snprintf(text, sizeof(text), LINUX("a") "net = lan0\n"
		 LINUX("b") "net = lan0, mac=%02x:%02x:%02x:%02x:%02x:%02x\n",
		 m[0], m[1], m[2], m[3], m[4], m[5]);
	expect_clean(text);
	assert_int_equal(cfg.n_guests, 2);
	assert_memory_equal(cfg.guests[1].nics[0].mac, m, 6);
	assert_memory_not_equal(cfg.guests[0].nics[0].mac, m, 6);
	assert_int_equal(cfg.guests[0].nics[0].mac[0], 0x52);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nics),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_made_address_avoids_given),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
