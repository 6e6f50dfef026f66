/* SPDX-License-Identifier: MIT */
/*
 * The shell's `net`: every switch, and on each port its guest, address,
 * whether the guest runs, and the frames it sent, received and lost
 * (docs/devices.md says what each count means).
 */
#include "lib/log.h"
#include "vmm/netswitch.h"
#include "vmm/pc.h"
#include "vmm/shell.h"
#include "vmm/vm.h"
#include "vmm/vmm.h"

/* The guest whose device port p is. */
static const char *owner(const struct net_port *p, unsigned *k)
{
	for (unsigned g = 0; g < vmm_n_vm; g++)
		for (*k = 0; *k < CONFIG_MAX_NICS; (*k)++)
			if (pc_net_port(g, *k) == p)
				return vmm_vm[g].cfg ? vmm_vm[g].cfg->name : "?";
	return "?";
}

void shell_cmd_net(int argc, char **argv)
{
	const struct net_switch *sw;
	unsigned n = pc_net_switches(&sw);

	(void)argc;
	(void)argv;
	if (!n) {
		log_rawf("no switches: no guest has a net line\n");
		return;
	}
	for (unsigned s = 0; s < n; s++) {
		log_rawf("switch \"%s\": %u ports, a sender's share of a queue %u of %u frames\n",
			 sw[s].name, sw[s].n_ports, netswitch_share(&sw[s]), NET_PORT_SLOTS);
		for (unsigned i = 0; i < sw[s].n_ports; i++) {
			const struct net_port *p = sw[s].port[i];
			unsigned k;
			const char *name = owner(p, &k);

			log_rawf("  %s/eth%u %02x:%02x:%02x:%02x:%02x:%02x %s: tx %lu frames %lu "
				 "bytes, rx %lu frames %lu bytes; dropped: spoofed %lu, bad size %lu, "
				 "over its share %lu; rx hand-over %lu ticks\n", name, k, p->mac[0], p->mac[1], p->mac[2],
				 p->mac[3], p->mac[4], p->mac[5], p->attached ? "up" : "down",
				 (unsigned long)p->tx_frames, (unsigned long)p->tx_bytes,
				 (unsigned long)p->rx_frames, (unsigned long)p->rx_bytes,
				 (unsigned long)p->tx_spoofed, (unsigned long)p->tx_bad_size,
				 (unsigned long)p->tx_excess, (unsigned long)p->rx_handover_ticks);
		}
	}
}
