/* SPDX-License-Identifier: MIT */
/*
 * PCI configuration space through ports 0xCF8/0xCFC: a host bridge at
 * device 0 and, behind it on bus 0, the functions a device model adds
 * (struct pci_func: a 256-byte type 0 header and capabilities, with a mask
 * of the bits the guest may write).
 */
#ifndef SHALE_VMM_VDEV_PCI_H
#define SHALE_VMM_VDEV_PCI_H

#include <stdint.h>

#include "vmm/io.h"

#define PCI_MAX_DEVICES 32 /* device numbers on bus 0; 0 is the host bridge */

/* Type 0 header registers (PCI Local Bus Specification 3.0, 6.1). */
#define PCI_COMMAND 0x04
#define PCI_COMMAND_MEMORY (1u << 1)
#define PCI_COMMAND_INTX_DISABLE (1u << 10)
#define PCI_STATUS 0x06
#define PCI_STATUS_INTERRUPT (1u << 3)
#define PCI_STATUS_CAP_LIST (1u << 4)
#define PCI_BAR0 0x10
#define PCI_CAPABILITY_LIST 0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d

/* One function of a device on bus 0. The model fills cfg[] and wmask[];
 * a guest write changes only the bits set in wmask (a BAR's size comes
 * from the zero low bits of its mask, as the sizing protocol reads them),
 * then written() tells the model which bytes changed. */
struct pci_func {
	uint8_t cfg[256];
	uint8_t wmask[256];
	void (*written)(struct pci_func *f, unsigned reg, unsigned size);
	/* Optional: called before the dword at reg is read, for registers
	 * whose value the model computes (a window into a BAR). */
	void (*reading)(struct pci_func *f, unsigned reg);
	void *opaque;
};

struct pci_host {
	uint32_t config_address; /* CONFIG_ADDRESS, port 0xCF8 */
	struct pci_func *dev[PCI_MAX_DEVICES];
};

void pci_host_init(struct pci_host *p);
/* Put f at device number `slot` (1-31) of bus 0. Returns 0, or -1 when
 * the slot is taken or out of range. */
int pci_host_add(struct pci_host *p, unsigned slot, struct pci_func *f);

/* Little-endian accessors of cfg[], for the models. */
uint32_t pci_cfg_get(const struct pci_func *f, unsigned reg, unsigned size);
void pci_cfg_set(struct pci_func *f, unsigned reg, unsigned size, uint32_t val);
/* Claims 0xCF8 (one port: the reset register 0xCF9 is ACPI's) and
 * 0xCFC-0xCFF. */
int pci_host_attach(struct pci_host *p, struct io_bus *bus);
void pci_host_io(void *opaque, uint16_t port, unsigned size, bool write,
		 uint32_t *val);

#endif
