/* SPDX-License-Identifier: MIT */
/*
 * Configuration mechanism #1 (PCI Local Bus Specification 3.0, 3.2.2.3.2):
 * a 32-bit CONFIG_ADDRESS at 0xCF8 (bit 31 enable, bus 23:16, device
 * 15:11, function 10:8, register 7:2) and the data window at 0xCFC-0xCFF.
 * Bus 0, device 0 is a host bridge (the i440FX's IDs, which every PC
 * kernel knows); every other function reads as absent, all ones.
 */
#include "vmm/vdev/pci.h"

#define PCI_PORT_ADDR 0xcf8
#define PCI_PORT_DATA 0xcfc
#define CONFIG_ENABLE (1u << 31)

/* The host bridge's first 64 bytes (type 0 header), read-only. */
static uint32_t bridge_dword(unsigned reg)
{
	switch (reg) {
	case 0x00:
		return 0x12378086; /* device 0x1237, vendor 0x8086 */
	case 0x04:
		return 0x00000006; /* command: memory and bus master on */
	case 0x08:
		return 0x06000002; /* class 06 (bridge), 00 (host), revision 2 */
	case 0x0c:
		return 0x00000000; /* header type 0, single function */
	default:
		return 0;
	}
}

void pci_host_init(struct pci_host *p)
{
	p->config_address = 0;
}

void pci_host_io(void *opaque, uint16_t port, unsigned size, bool write,
		 uint32_t *val)
{
	struct pci_host *p = opaque;
	uint32_t a = p->config_address;

	if (port == PCI_PORT_ADDR) {
		/* Only a dword access is CONFIG_ADDRESS; byte accesses to
		 * 0xCF8 belong to older mechanisms and are ignored. */
		if (size == 4 && write)
			p->config_address = *val & 0x80fffffcu;
		else if (!write)
			*val = size == 4 ? p->config_address :
					   (1u << (size * 8)) - 1;
		return;
	}
	if (write)
		return; /* the bridge's registers are read-only here */
	unsigned shift = (port - PCI_PORT_DATA) * 8;
	uint32_t mask = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
	uint32_t dword = 0xffffffffu;

	if ((a & CONFIG_ENABLE) && ((a >> 8) & 0xffff) == 0)
		dword = bridge_dword(a & 0xfc); /* bus 0, device 0, function 0 */
	*val = (dword >> shift) & mask;
}

int pci_host_attach(struct pci_host *p, struct io_bus *bus)
{
	if (io_register(bus, PCI_PORT_ADDR, 1, pci_host_io, p, "pci"))
		return -1;
	return io_register(bus, PCI_PORT_DATA, 4, pci_host_io, p, "pci");
}
