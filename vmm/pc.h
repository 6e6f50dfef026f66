/* SPDX-License-Identifier: MIT */
/*
 * The minimal PC a Linux guest finds (docs/devices.md): COM1, the 8259
 * pair, the 8254, the CMOS clock, an I/O APIC and a local APIC, ACPI (PM
 * block, reset ports, tables) and a PCI host bridge, with the virtio
 * devices the guest's `devices` asks for behind it.
 */
#ifndef SHALE_VMM_PC_H
#define SHALE_VMM_PC_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/vdev/acpi.h"
#include "vmm/vdev/ioapic.h"
#include "vmm/vdev/lapic.h"
#include "vmm/vdev/pci.h"
#include "vmm/vdev/pic8259.h"
#include "vmm/vdev/pit8254.h"
#include "vmm/vdev/rtc.h"
#include "vmm/vdev/uart16550.h"
#include "vmm/vdev/virtio_console.h"
#include "vmm/vdev/virtio_rng.h"
#include "vmm/vdev/virtio_blk.h"
#include "vmm/vdev/virtio_net.h"
#include "vmm/config.h"

struct vm;
struct vcpu;

#define PC_ACPI_GPA 0xe0000 /* the BIOS area, reserved in the e820 map */
/* PCI device `slot`'s virtio notify port (BAR2, vmm/vdev/virtio_pci.h),
 * inside the root bridge's I/O window (vmm/vdev/acpi.h). */
#define PC_VIRTIO_NOTIFY_PORT(slot) (ACPI_PCI_IO_BASE + 4u * (slot))
/* virtio-rng: PCI device 00:01.0, BAR0 at the start of the MMIO hole,
 * INTA# on ISA IRQ 10 (free on this PC: 0 PIT, 4 COM1, 8 RTC, 9 SCI). */
#define PC_VIRTIO_RNG_SLOT 1
#define PC_VIRTIO_RNG_BAR 0xc0000000u
#define PC_VIRTIO_RNG_IRQ 10
/* virtio-console: PCI device 00:03.0, BAR0 two pages on, INTA# on IRQ 11
 * (5, 6, 12 and 14 are the disks', vmm/pc_blk.c). */
#define PC_VIRTIO_CONSOLE_SLOT 3
#define PC_VIRTIO_CONSOLE_BAR 0xc0002000u
#define PC_VIRTIO_CONSOLE_IRQ 11

/* virtio-blk disk i (vmm/pc_blk.c): PCI device PC_VIRTIO_BLK_SLOT + i,
 * BAR0 4 KiB x its device number into the MMIO hole. */
#define PC_VIRTIO_BLK_SLOT 4
#define PC_VIRTIO_BLK_BAR(i) (0xc0000000u + 0x1000u * (PC_VIRTIO_BLK_SLOT + (i)))

/* virtio-net device i (vmm/pc_net.c): PCI device PC_VIRTIO_NET_SLOT + i,
 * after the disks', BAR0 likewise. */
#define PC_VIRTIO_NET_SLOT (PC_VIRTIO_BLK_SLOT + CONFIG_MAX_DISKS)
#define PC_VIRTIO_NET_BAR(i) (0xc0000000u + 0x1000u * (PC_VIRTIO_NET_SLOT + (i)))

/* PCI device numbers that may hold a virtio device: up to the last
 * network device's. */
#define PC_VIRTIO_SLOTS (PC_VIRTIO_NET_SLOT + CONFIG_MAX_NICS)

/* What a virtio device's callbacks get (its INTx line, its messages):
 * its guest's PC, its ISA IRQ and its name in the log. */
struct pc_virtio {
	struct pc *pc;
	uint8_t irq;
	char name[24]; /* "virtio-rng", "virtio-blk vda", "virtio-net eth0" */
};

struct pc {
	struct vm *vm;
	struct uart16550 com1;
	struct pic8259 pic;
	struct pit8254 pit;
	struct rtc rtc;
	struct ioapic ioapic;
	/* One local APIC per vCPU, APIC ID = vCPU number, each with its
	 * register page (host-physical), and what its callbacks get. */
	struct lapic lapic[CONFIG_MAX_VCPUS];
	uint64_t lapic_page[CONFIG_MAX_VCPUS];
	struct pc_cpu {
		struct pc *pc;
		unsigned id;
	} cpu[CONFIG_MAX_VCPUS];
	struct acpi_pm pm;
	struct pci_host pci;
	struct virtio_rng *rng; /* with devices = virtio-rng: pages of its own */
	struct virtio_console *cons; /* with devices = virtio-console: the same */
	uint64_t rsdp;        /* guest-physical address of the RSDP */
	struct virtio_blk *blk[CONFIG_MAX_DISKS]; /* its disks, pages of their own */
	struct virtio_net *net[CONFIG_MAX_NICS];  /* its network devices, the same */
	struct pc_virtio virtio[PC_VIRTIO_SLOTS]; /* by PCI device number */
};

/* Build the devices and ACPI tables into the guest. Returns 0 or -1. */
int pc_create(struct vm *vm);
/* Give back what pc_create() allocated; the guest has no PC after it. */
void pc_destroy(struct pc *pc);

/* Interrupts for vCPU `id` (vmm/irq.c uses these). The 8259's go to
 * vCPU 0 alone. */
bool pc_irq_pending(struct pc *pc, unsigned id);
int pc_irq_take(struct pc *pc, unsigned id);
void pc_set_line(struct pc *pc, unsigned gsi, bool level);
/* A PCI function's MSI-X message (an msi() of vmm/vdev/virtio_pci.h). */
void pc_msi(void *pc, uint64_t addr, uint32_t data);
/* The transport of the virtio device at PCI device `slot` (below
 * PC_VIRTIO_SLOTS): BAR0 at `bar`, its notify port, INTA# on ISA IRQ
 * `irq` (whose I/O APIC pin it sets idle, high), MSI-X through the local
 * APICs, and `name` in its messages. */
struct virtio_pci_config pc_virtio_config(struct pc *pc, unsigned slot, uint32_t bar,
					  unsigned irq, const char *name);

/* The disks (vmm/pc_blk.c): their _PRT entries, then the devices. */
void pc_blk_routes(const struct vm *vm, struct acpi_config *acfg);
int pc_blk_create(struct pc *pc);
void pc_blk_destroy(struct pc *pc);

/* The network devices (vmm/pc_net.c): the switches and ports of the whole
 * config, made once at boot; then per guest as for the disks. */
struct net_port;
struct net_switch;
int pc_net_setup(const struct shale_config *cfg);
void pc_net_routes(const struct vm *vm, struct acpi_config *acfg);
int pc_net_create(struct pc *pc);
void pc_net_destroy(struct pc *pc);
/* On the CPU of the guest's vCPU 0, under its lock: frames wait for it
 * (vm->net_waiting): into its receive queues. */
void pc_net_input(struct vm *vm);
/* For the shell: guest i's device k's port (NULL if none), the switches. */
const struct net_port *pc_net_port(unsigned guest, unsigned k);
unsigned pc_net_switches(const struct net_switch **out);

#endif
