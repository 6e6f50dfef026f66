/* SPDX-License-Identifier: MIT */
/*
 * MSI-X for a PCI function (PCI Local Bus Specification 3.0, 6.8.2): the
 * capability in configuration space, the table of message address, data
 * and mask per vector, and the pending-bit array, both in one of the
 * function's memory BARs.
 *
 *   capability  +0 ID 0x11, +1 next, +2 message control: bits 10:0 the
 *               table size minus one, bit 14 function mask, bit 15 enable;
 *               +4 table offset | BIR, +8 PBA offset | BIR
 *   table entry +0 message address, +4 upper address, +8 message data,
 *               +12 vector control (bit 0: masked; set at reset)
 *
 * The function raises vector v with msix_notify(): the message goes out
 * through send() unless the vector or the whole function is masked, in
 * which case its pending bit is set and the message goes out when both
 * masks are clear again. Where the message lands (a local APIC) is the
 * integrator's business: vmm/pc.c, pc_msi().
 *
 * Pure C over the function's configuration space, like the other models.
 */
#ifndef SHALE_VMM_VDEV_MSIX_H
#define SHALE_VMM_VDEV_MSIX_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/vdev/pci.h"

#define PCI_CAP_ID_MSIX 0x11
#define MSIX_CAP_LEN 12
#define MSIX_MAX_VECTORS 8
#define MSIX_ENTRY_SIZE 16
#define MSIX_CTRL_ENABLE 0x8000
#define MSIX_CTRL_FUNCTION_MASK 0x4000
#define MSIX_VECTOR_MASKED 1

struct msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl;
};

struct msix {
	struct pci_func *f;
	unsigned cap_at;        /* the capability's offset in configuration space */
	unsigned n;             /* vectors, 1..MSIX_MAX_VECTORS */
	struct msix_entry table[MSIX_MAX_VECTORS];
	uint32_t pending;       /* the PBA: bit v for vector v */
	void (*send)(void *ctx, uint64_t addr, uint32_t data);
	void *ctx;
};

/* A message as the local APICs take it (SDM Vol. 3A, 11.11): address
 * 0xFEExxxxx, bits 19:12 the destination, bit 2 logical; data bits 7:0
 * the vector, 10:8 the delivery mode. */
struct msi_msg {
	uint8_t dest;
	bool logical;
	uint8_t mode;
	uint8_t vector;
};

/* False for an address outside 0xFEExxxxx: a write to memory, not a
 * message to a local APIC. */
bool msi_decode(uint64_t addr, uint32_t data, struct msi_msg *m);

/* Put the capability at cap_at of f (cap_next 0: the caller links it in)
 * with n vectors, the table at table_off and the PBA at pba_off of BAR0;
 * every vector masked, MSI-X off. */
void msix_init(struct msix *m, struct pci_func *f, unsigned cap_at, unsigned n,
	       uint32_t table_off, uint32_t pba_off,
	       void (*send)(void *ctx, uint64_t addr, uint32_t data), void *ctx);
/* The driver turned MSI-X on (message control bit 15). */
bool msix_enabled(const struct msix *m);
/* The function raises vector v (ignored when v is not in the table). */
void msix_notify(struct msix *m, unsigned v);
/* Configuration space bytes [reg, reg + size) were written: a change of
 * the function mask may let pending messages go. True when the write
 * reached the message control word (MSI-X may be on or off now). */
bool msix_cfg_written(struct msix *m, unsigned reg, unsigned size);
/* An access at off of the table or the PBA: dwords, or aligned qwords;
 * anything else reads 0 and writes nothing. The PBA is read-only. */
void msix_table_access(struct msix *m, unsigned off, unsigned size, bool write,
		       uint64_t *val);
void msix_pba_access(struct msix *m, unsigned off, unsigned size, bool write,
		     uint64_t *val);

#endif
