/* SPDX-License-Identifier: MIT */
/*
 * net = SWITCH [, mac=XX:XX:XX:XX:XX:XX]: a guest's virtio-net devices,
 * each a port of the switch of that name inside Shale (docs/config.md,
 * vmm/netswitch.h). A switch is made by the guests that name it.
 *
 * Addresses: a given one must be unicast and not all zeros; one not given
 * is 52:54:00 (the prefix QEMU and KVM users know as a guest's) and three
 * bytes of a hash of the guest's name and the device's number, moved on
 * when another device on the switch has it. Every address on a switch is
 * its own: the switch tells guests apart by them, and refuses a frame
 * from one guest that claims another's (vmm/netswitch.c).
 */
#include <stdbool.h>
#include <stddef.h>

#include "lib/parse.h"
#include "lib/string.h"
#include "vmm/config.h"
#include "vmm/config_internal.h"

/* A guest is on a switch once at most (config_set_net), so every guest
 * fits on one switch. */
_Static_assert(CONFIG_SWITCH_MAX_PORTS >= CONFIG_MAX_GUESTS, "a port for every guest");


/* "XX:XX:XX:XX:XX:XX", exactly. */
static bool parse_mac(struct span v, uint8_t mac[6])
{
	if (v.n != 17)
		return false;
	for (unsigned i = 0; i < 6; i++) {
		int hi = parse_hex_digit(v.s[3 * i]), lo = parse_hex_digit(v.s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && v.s[3 * i + 2] != ':'))
			return false;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

bool config_set_net(struct config_parser *p)
{
	struct guest_config *g = p->g;
	size_t comma = span_find(p->val, ',');
	struct span sw = span_trim((struct span){ p->val.s, comma });
	struct span opt = { "", 0 };
	struct guest_nic nic = { .line = p->line };

	if (comma < p->val.n)
		opt = span_trim((struct span){ p->val.s + comma + 1, p->val.n - comma - 1 });
	if (!sw.n || (comma < p->val.n && !opt.n))
		return config_bad_value(p, "expected SWITCH or SWITCH, mac=XX:XX:XX:XX:XX:XX");
	if (sw.n >= CONFIG_SWITCH_NAME_MAX)
		return config_bad_value(p, "a switch name is at most %d characters",
					CONFIG_SWITCH_NAME_MAX - 1);
	for (size_t i = 0; i < sw.n; i++)
		if (!config_name_char(sw.s[i]))
			return config_bad_value(p, "'%c' is not allowed in a switch name, use only "
						   "letters, digits, _ and -", sw.s[i]);
	if (opt.n) {
		if (opt.n < 4 || memcmp(opt.s, "mac=", 4))
			return config_bad_value(p, "the only option is mac=XX:XX:XX:XX:XX:XX");
		if (!parse_mac(span_trim((struct span){ opt.s + 4, opt.n - 4 }), nic.mac))
			return config_bad_value(p, "mac= takes six hex bytes with colons, "
						   "like 52:54:00:12:34:56");
		if (nic.mac[0] & 1)
			return config_bad_value(p, "the address is a multicast one (its first byte "
						   "is odd); a guest's address must be unicast");
		if (!(nic.mac[0] | nic.mac[1] | nic.mac[2] | nic.mac[3] | nic.mac[4] | nic.mac[5]))
			return config_bad_value(p, "00:00:00:00:00:00 is not an address");
		nic.mac_given = true;
	}
	if (g->n_nics == CONFIG_MAX_NICS)
		return config_bad_value(p, "more than %d network devices", CONFIG_MAX_NICS);
	memcpy(nic.sw, sw.s, sw.n);
	nic.sw[sw.n] = '\0';
	for (unsigned i = 0; i < g->n_nics; i++)
		if (!strcmp(g->nics[i].sw, nic.sw))
			return config_bad_value(p, "the guest is already on switch \"%s\" (line %u)",
						nic.sw, g->nics[i].line);
	g->nics[g->n_nics++] = nic;
	return true;
}

void config_net_finish_guest(struct config_parser *p)
{
	struct guest_config *g = p->g;

	if (g->n_nics && g->mode != GUEST_MODE_LINUX && !(g->devices & GUEST_DEV_PC))
		config_problem(p, g->nics[0].line, "net: a virtio-net device is a PCI device of "
			       "the PC; add devices = pc (a mode = linux guest has it)");
}

/* ---------------------------------------------------------- the switches */

static bool same_mac(const uint8_t *a, const uint8_t *b)
{
	return !memcmp(a, b, 6);
}

/* Of the devices of guests[0..upto) on switch sw, the first (other than
 * `self`) whose address is mac, given ones only when given_only. */
static void ports_on(const struct shale_config *out, unsigned upto, const char *sw,
			 const uint8_t *mac, const struct guest_nic *self, bool given_only,
			 const struct guest_config **og, const struct guest_nic **on)
{
	for (unsigned i = 0; i < upto; i++)
		for (unsigned k = 0; k < out->guests[i].n_nics; k++) {
			const struct guest_nic *o = &out->guests[i].nics[k];

			if (strcmp(o->sw, sw))
				continue;
			if (o == self || (given_only && !o->mac_given) || !mac || *on ||
			    !same_mac(o->mac, mac))
				continue;
			*og = &out->guests[i];
			*on = o;
		}
}

static void drop_guest(struct shale_config *out, unsigned i)
{
	memmove(&out->guests[i], &out->guests[i + 1],
		(out->n_guests - i - 1) * sizeof(out->guests[0]));
	out->n_guests--;
	memset(&out->guests[out->n_guests], 0, sizeof(out->guests[0]));
}

/* What keeps guest i off its switches, reported; false if nothing. */
static bool refused(struct config_parser *p, unsigned i)
{
	struct shale_config *out = p->out;
	struct guest_config *g = &out->guests[i];

	for (unsigned k = 0; k < g->n_nics; k++) {
		const struct guest_nic *d = &g->nics[k], *on = NULL;
		const struct guest_config *og = NULL;
		ports_on(out, i, d->sw, d->mac_given ? d->mac : NULL, d, true, &og, &on);
		if (on) {
			config_problem(p, d->line, "guest \"%s\": net \"%s\": address "
				       "%02x:%02x:%02x:%02x:%02x:%02x is guest \"%s\"'s on that "
				       "switch (line %u); every address on a switch is its own; "
				       "the guest is skipped", g->name, d->sw, d->mac[0], d->mac[1],
				       d->mac[2], d->mac[3], d->mac[4], d->mac[5], og->name, on->line);
			return true;
		}
	}
	return false;
}

/* FNV-1a over the guest's name and the device's number. */
static uint32_t name_hash(const char *name, unsigned k)
{
	uint32_t h = 2166136261u;

	for (const char *c = name; *c; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	return (h ^ k) * 16777619u;
}

static void make_mac(struct shale_config *out, unsigned i, unsigned k)
{
	struct guest_nic *d = &out->guests[i].nics[k];
	uint32_t h = name_hash(out->guests[i].name, k);

	for (;;) {
		const struct guest_config *og = NULL;
		const struct guest_nic *on = NULL;

		d->mac[0] = 0x52;
		d->mac[1] = 0x54;
		d->mac[2] = 0x00;
		d->mac[3] = (uint8_t)(h >> 16);
		d->mac[4] = (uint8_t)(h >> 8);
		d->mac[5] = (uint8_t)h;
		/* Against every given address, and the made ones before it. */
		ports_on(out, out->n_guests, d->sw, d->mac, d, true, &og, &on);
		if (!on)
			ports_on(out, i + 1, d->sw, d->mac, d, false, &og, &on);
		if (!on)
			return;
		h++;
	}
}

void config_net_check(struct config_parser *p)
{
	struct shale_config *out = p->out;

	for (unsigned i = 0; i < out->n_guests;) {
		if (refused(p, i))
			drop_guest(out, i);
		else
			i++;
	}
	for (unsigned i = 0; i < out->n_guests; i++)
		for (unsigned k = 0; k < out->guests[i].n_nics; k++)
			if (!out->guests[i].nics[k].mac_given)
				make_mac(out, i, k);
}
