/* SPDX-License-Identifier: MIT */
/*
 * QEMU's fw_cfg over I/O ports (vmm/vdev/fw_cfg.h). Every item is
 * computed byte by byte from the guest's size, so the device holds no
 * buffers. Selecting a key Shale does not offer, or reading past an
 * item's end, reads zeros, as in QEMU.
 */
#include "vmm/vdev/fw_cfg.h"

void fw_cfg_init(struct fw_cfg *f, uint64_t ram_size, uint16_t nb_cpus)
{
	f->selector = FW_CFG_SIGNATURE;
	f->offset = 0;
	f->ram_size = ram_size;
	f->nb_cpus = nb_cpus;
}

/* Byte i of a little-endian number n bytes wide. */
static uint8_t le(uint64_t v, unsigned n, uint32_t i)
{
	return i < n ? (uint8_t)(v >> (8 * i)) : 0;
}

static uint8_t item_byte(const struct fw_cfg *f, uint32_t i)
{
	static const char sig[4] = { 'Q', 'E', 'M', 'U' };

	switch (f->selector) {
	case FW_CFG_SIGNATURE:
		return i < sizeof(sig) ? (uint8_t)sig[i] : 0;
	case FW_CFG_ID:
		return le(FW_CFG_ID_TRADITIONAL, 4, i);
	case FW_CFG_RAM_SIZE:
		return le(f->ram_size, 8, i);
	case FW_CFG_NOGRAPHIC:
		return le(1, 2, i); /* Shale gives guests no display */
	case FW_CFG_NB_CPUS:
	case FW_CFG_MAX_CPUS:
		return le(f->nb_cpus, 2, i);
	case FW_CFG_UUID:      /* all zeros: no UUID */
	case FW_CFG_FILE_DIR:  /* count 0 (big-endian zero): no files */
	default:
		return 0;
	}
}

static void port_access(void *opaque, uint16_t port, unsigned size,
			bool write, uint32_t *val)
{
	struct fw_cfg *f = opaque;

	if (port == FW_CFG_PORT_SEL && size == 2) {
		if (write) {
			f->selector = (uint16_t)*val;
			f->offset = 0;
		} else {
			*val = 0;
		}
	} else if (port == FW_CFG_PORT_DATA && size == 1) {
		/* Writes through the data port are gone from QEMU since 2.4:
		 * ignored, and they do not move the offset. */
		if (!write) {
			*val = item_byte(f, f->offset);
			if (f->offset != UINT32_MAX)
				f->offset++;
		}
	} else if (!write) {
		/* Any other width: not part of the interface. */
		*val = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
	}
}

int fw_cfg_attach(struct fw_cfg *f, struct io_bus *bus)
{
	return io_register(bus, FW_CFG_PORT_SEL, 2, port_access, f, "fw_cfg");
}
