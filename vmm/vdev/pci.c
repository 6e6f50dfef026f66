/* SPDX-License-Identifier: MIT */
/*
 * Configuration mechanism #1 (PCI Local Bus Specification 3.0, 3.2.2.3.2):
 * a 32-bit CONFIG_ADDRESS at 0xCF8 (bit 31 enable, bus 23:16, device
 * 15:11, function 10:8, register 7:2) and the data window at 0xCFC-0xCFF.
 * Bus 0, device 0 is a host bridge (the i440FX's IDs, which every PC
 * kernel knows); device models add single-function devices at 1-31;
 * every other function reads as absent, all ones.
 */
#include <stddef.h>

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
	for (unsigned i = 0; i < PCI_MAX_DEVICES; i++)
		p->dev[i] = NULL;
}

int pci_host_add(struct pci_host *p, unsigned slot, struct pci_func *f)
{
	if (slot == 0 || slot >= PCI_MAX_DEVICES || p->dev[slot])
		return -1;
	p->dev[slot] = f;
	return 0;
}

uint32_t pci_cfg_get(const struct pci_func *f, unsigned reg, unsigned size)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < size && reg + i < 256; i++)
		v |= (uint32_t)f->cfg[reg + i] << (8 * i);
	return v;
}

void pci_cfg_set(struct pci_func *f, unsigned reg, unsigned size, uint32_t val)
{
	for (unsigned i = 0; i < size && reg + i < 256; i++)
		f->cfg[reg + i] = (uint8_t)(val >> (8 * i));
}

/* A guest write: only the bits of wmask change. */
static void func_write(struct pci_func *f, unsigned reg, unsigned size, uint32_t val)
{
	for (unsigned i = 0; i < size; i++) {
		uint8_t m = f->wmask[reg + i];
		uint8_t b = (uint8_t)(val >> (8 * i));

		f->cfg[reg + i] = (uint8_t)((f->cfg[reg + i] & ~m) | (b & m));
	}
	if (f->written)
		f->written(f, reg, size);
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
	unsigned shift = (port - PCI_PORT_DATA) * 8;
	uint32_t mask = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
	uint32_t dword = 0xffffffffu;
	unsigned slot = (a >> 11) & 0x1f;
	bool present = (a & CONFIG_ENABLE) && ((a >> 16) & 0xff) == 0 &&
		       ((a >> 8) & 7) == 0; /* bus 0, function 0 */
	struct pci_func *f = present && slot ? p->dev[slot] : NULL;

	if (write) {
		/* The bytes past the dword's end (a word at 0xCFF) are no
		 * register of this one. The bridge's registers are read-only. */
		if (f)
			func_write(f, (a & 0xfc) + shift / 8,
				   shift / 8 + size > 4 ? 4 - shift / 8 : size, *val);
		return;
	}
	if (present && !slot)
		dword = bridge_dword(a & 0xfc);
	else if (f) {
		if (f->reading)
			f->reading(f, a & 0xfc);
		dword = pci_cfg_get(f, a & 0xfc, 4);
	}
	*val = (dword >> shift) & mask;
}

int pci_host_attach(struct pci_host *p, struct io_bus *bus)
{
	if (io_register(bus, PCI_PORT_ADDR, 1, pci_host_io, p, "pci"))
		return -1;
	return io_register(bus, PCI_PORT_DATA, 4, pci_host_io, p, "pci");
}
