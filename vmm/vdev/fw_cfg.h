/* SPDX-License-Identifier: MIT */
/*
 * QEMU's firmware configuration device (fw_cfg), its traditional I/O
 * interface: a 16-bit selector at port 0x510 picks an item, and each
 * 8-bit read of port 0x511 returns its next byte. Kernels written for
 * QEMU read their CPU count and RAM size here. Shale offers the items
 * such kernels look for, an empty file directory, and no DMA interface
 * (FW_CFG_ID says so). Items follow QEMU's docs/specs/fw_cfg.rst: numbers
 * little-endian, the file directory's count big-endian.
 */
#ifndef SHALE_VMM_VDEV_FW_CFG_H
#define SHALE_VMM_VDEV_FW_CFG_H

#include <stdint.h>
#include "vmm/io.h"

#define FW_CFG_PORT_SEL 0x510  /* selector, 16 bits, write-only */
#define FW_CFG_PORT_DATA 0x511 /* data, 8 bits */

/* Selector keys */
#define FW_CFG_SIGNATURE 0x00  /* "QEMU" */
#define FW_CFG_ID 0x01         /* feature bits, 32 bits */
#define FW_CFG_UUID 0x02       /* 16 bytes */
#define FW_CFG_RAM_SIZE 0x03   /* 64 bits */
#define FW_CFG_NOGRAPHIC 0x04  /* 16 bits */
#define FW_CFG_NB_CPUS 0x05    /* 16 bits */
#define FW_CFG_MAX_CPUS 0x0f   /* 16 bits */
#define FW_CFG_FILE_DIR 0x19   /* 32-bit big-endian count, then entries */
#define FW_CFG_WRITE_CHANNEL 0x4000
#define FW_CFG_ARCH_LOCAL 0x8000

#define FW_CFG_ID_TRADITIONAL (1u << 0) /* the port interface; no DMA bit */

struct fw_cfg {
	uint16_t selector;
	uint32_t offset;     /* next byte of the selected item */
	uint64_t ram_size;
	uint16_t nb_cpus;
};

void fw_cfg_init(struct fw_cfg *f, uint64_t ram_size, uint16_t nb_cpus);
/* Claim ports 0x510-0x511 on bus. Returns 0, or -1 when they are taken. */
int fw_cfg_attach(struct fw_cfg *f, struct io_bus *bus);

#endif
