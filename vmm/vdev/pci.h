/* SPDX-License-Identifier: MIT */
/* PCI configuration space through ports 0xCF8/0xCFC: a host bridge alone. */
#ifndef SHALE_VMM_VDEV_PCI_H
#define SHALE_VMM_VDEV_PCI_H

#include <stdint.h>

#include "vmm/io.h"

struct pci_host {
	uint32_t config_address; /* CONFIG_ADDRESS, port 0xCF8 */
};

void pci_host_init(struct pci_host *p);
/* Claims 0xCF8 (one port: the reset register 0xCF9 is ACPI's) and
 * 0xCFC-0xCFF. */
int pci_host_attach(struct pci_host *p, struct io_bus *bus);
void pci_host_io(void *opaque, uint16_t port, unsigned size, bool write,
		 uint32_t *val);

#endif
