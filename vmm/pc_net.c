/* SPDX-License-Identifier: MIT */
/*
 * A guest's virtio-net devices on the PC's PCI bus, and the switches they
 * plug into (vmm/netswitch.h). `net` lines in order, eth0 first: device i
 * is PCI device PC_VIRTIO_NET_SLOT + i, BAR0 at the start of the MMIO hole
 * plus 4 KiB x its device number, INTA# on its own ISA IRQ.
 *
 * The switches and their ports are made once, at boot, from the whole
 * config (pc_net_setup), so that every port's address is known to its
 * switch before any guest sends a frame; a port outlives its guest's
 * reboots, and is attached while the guest runs.
 *
 * Frames for a guest wait in its port's queue. The sender's CPU flags the
 * guest (vm->net_waiting) and kicks the CPU of its vCPU 0, whose scheduler
 * pass (vmm/sched.c) hands them to the device with pc_net_input(); a
 * receive notification from the guest's driver takes them too.
 */
#include "arch/x86/include/cpu.h"
#include "lib/log.h"
#include "lib/string.h"
#include "vmm/netswitch.h"
#include "vmm/pc.h"
#include "vmm/vm.h"
#include "vmm/vmm.h"

#define NET_PAGES ((sizeof(struct virtio_net) + 4095) / 4096)
#define SLOT_PAGES ((sizeof(struct net_slot) * NET_PORT_SLOTS + 4095) / 4096)

_Static_assert(CONFIG_SWITCH_MAX_PORTS <= NET_SWITCH_PORTS, "a port for every device");
_Static_assert(CONFIG_SWITCH_NAME_MAX == NET_SWITCH_NAME_MAX, "one name length");
_Static_assert(VIRTIO_NET_FRAME_MAX == NET_FRAME_MAX, "one frame limit");
_Static_assert(PC_VIRTIO_NET_BAR(CONFIG_MAX_NICS - 1) + VIRTIO_PCI_BAR_SIZE <= IOAPIC_BASE,
	       "the devices' BARs must be in the MMIO hole, below the APICs");
_Static_assert(PC_VIRTIO_NET_SLOT + CONFIG_MAX_NICS <= PCI_MAX_DEVICES,
	       "the devices must fit on bus 0");
_Static_assert(PC_VIRTIO_NOTIFY_PORT(PC_VIRTIO_NET_SLOT + CONFIG_MAX_NICS) - 1 <= ACPI_PCI_IO_END,
	       "every device's notify port in the root bridge's I/O window");

/* Free on this PC: 0 PIT, 4 COM1, 8 RTC, 9 SCI, 10 virtio-rng, 11
 * virtio-console, 5 6 12 14 the disks. */
static const uint8_t net_irq[CONFIG_MAX_NICS] = { 3, 7 };

static struct net_switch switches[CONFIG_MAX_GUESTS * CONFIG_MAX_NICS];
static unsigned n_switches;
/* Guest i's device k is port[i][k] (guest i is vmm_vm[i]). */
static struct net_port port[CONFIG_MAX_GUESTS][CONFIG_MAX_NICS];


static struct net_switch *switch_named(const char *name)
{
	for (unsigned s = 0; s < n_switches; s++)
		if (!strcmp(switches[s].name, name))
			return &switches[s];
	if (n_switches == sizeof(switches) / sizeof(switches[0]))
		return NULL;
	netswitch_init(&switches[n_switches], name);
	return &switches[n_switches++];
}

int pc_net_setup(const struct shale_config *cfg)
{
	for (unsigned i = 0; i < cfg->n_guests; i++) {
		const struct guest_config *g = &cfg->guests[i];

		for (unsigned k = 0; k < g->n_nics; k++) {
			const struct guest_nic *n = &g->nics[k];
			struct net_switch *sw = switch_named(n->sw);
			uint64_t slots = page_alloc_contig(&vmm_pages, SLOT_PAGES, 1);

			/* The config checked that every address on a switch is
			 * its own and that every guest fits. */
			if (!sw || !slots ||
			    netswitch_add_port(sw, &port[i][k], n->mac,
					       (struct net_slot *)(uintptr_t)slots)) {
				log_err("net", "guest \"%s\": no port on switch \"%s\"%s", g->name,
					n->sw, slots ? "" : ": out of memory");
				return -1;
			}
		}
	}
	for (unsigned s = 0; s < n_switches; s++)
		log_info("net", "switch \"%s\": %u ports, %u frames queued for each, %u of "
			 "them for one sender", switches[s].name, switches[s].n_ports,
			 NET_PORT_SLOTS, netswitch_share(&switches[s]));
	return 0;
}

void pc_net_routes(const struct vm *vm, struct acpi_config *acfg)
{
	for (unsigned i = 0; vm->cfg && i < vm->cfg->n_nics; i++) {
		acfg->pci[acfg->n_pci].slot = PC_VIRTIO_NET_SLOT + i;
		acfg->pci[acfg->n_pci++].gsi = net_irq[i];
	}
}

/* On the sender's CPU: frames wait for this guest. */
static void net_kick(void *ctx)
{
	struct vm *vm = ctx;

	__atomic_store_n(&vm->net_waiting, true, __ATOMIC_RELEASE);
	sched_kick(vm->vcpu[0].cpu);
}

static int create_one(struct pc *pc, unsigned i)
{
	struct vm *vm = pc->vm;
	const struct guest_nic *n = &vm->cfg->nics[i];
	struct net_port *p = &port[vm->id % CONFIG_MAX_GUESTS][i];
	char name[] = "virtio-net eth0";
	struct virtio_pci_config cfg;
	struct virtio_net_io io = net_port_virtio_io(p);

	if (!p->sw) {
		log_err("vm", "guest \"%s\": net \"%s\" has no port", vm->name, n->sw);
		return -1;
	}
	name[sizeof(name) - 2] = (char)('0' + i);
	cfg = pc_virtio_config(pc, PC_VIRTIO_NET_SLOT + i, PC_VIRTIO_NET_BAR(i), net_irq[i], name);
	pc->net[i] = (struct virtio_net *)(uintptr_t)page_alloc_contig(&vmm_pages, NET_PAGES, 1);
	if (!pc->net[i]) {
		log_err("vm", "guest \"%s\": out of memory for its virtio-net", vm->name);
		return -1;
	}
	virtio_net_init(pc->net[i], &cfg, n->mac, &io);
	if (virtio_pci_attach(&pc->net[i]->vp, &pc->pci, PC_VIRTIO_NET_SLOT + i, &vm->mmio))
		return -1;
	vm->net_waiting = false;
	net_port_attach(p, net_kick, vm);
	log_info("vm", "guest \"%s\": virtio-net eth%u at PCI 00:%02x.0, BAR0 0x%x, IRQ %u: "
		 "switch \"%s\", %02x:%02x:%02x:%02x:%02x:%02x", vm->name, i,
		 PC_VIRTIO_NET_SLOT + i, PC_VIRTIO_NET_BAR(i), net_irq[i], n->sw, n->mac[0],
		 n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5]);
	return 0;
}

int pc_net_create(struct pc *pc)
{
	for (unsigned i = 0; pc->vm->cfg && i < pc->vm->cfg->n_nics; i++)
		if (create_one(pc, i))
			return -1;
	return 0;
}

void pc_net_destroy(struct pc *pc)
{
	for (unsigned i = 0; i < CONFIG_MAX_NICS; i++) {
		if (!pc->net[i])
			continue;
		net_port_detach(&port[pc->vm->id % CONFIG_MAX_GUESTS][i]);
		page_free_contig(&vmm_pages, (uint64_t)(uintptr_t)pc->net[i], NET_PAGES);
		pc->net[i] = NULL;
	}
}

void pc_net_input(struct vm *vm)
{
	struct pc *pc = vm->pc;

	if (!__atomic_exchange_n(&vm->net_waiting, false, __ATOMIC_ACQUIRE) || !pc)
		return;
	for (unsigned i = 0; i < CONFIG_MAX_NICS; i++) {
		uint64_t t;

		if (!pc->net[i])
			continue;
		t = rdtsc();
		virtio_net_receive(pc->net[i]);
		port[vm->id % CONFIG_MAX_GUESTS][i].rx_handover_ticks += rdtsc() - t;
	}
}

const struct net_port *pc_net_port(unsigned guest, unsigned i)
{
	if (guest >= CONFIG_MAX_GUESTS || i >= CONFIG_MAX_NICS || !port[guest][i].sw)
		return NULL;
	return &port[guest][i];
}

unsigned pc_net_switches(const struct net_switch **out)
{
	*out = switches;
	return n_switches;
}
