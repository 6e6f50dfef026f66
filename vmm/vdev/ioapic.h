/* SPDX-License-Identifier: MIT */
/*
 * A guest's I/O APIC (Intel 82093AA I/O APIC data sheet), with the
 * directed-EOI register of the version 0x20 parts: 24 input pins, each
 * routed through a 64-bit redirection table entry to a LAPIC message.
 *
 * The integrator drives the pins with ioapic_set_irq() (GSI n = pin n),
 * turns each message into lapic_accept() through ops->deliver, and calls
 * ioapic_eoi() from the LAPIC's EOI callback so that level-triggered pins
 * can interrupt again.
 */
#ifndef SHALE_VMM_VDEV_IOAPIC_H
#define SHALE_VMM_VDEV_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/mmio.h"

#define IOAPIC_BASE 0xfec00000ull
#define IOAPIC_SIZE 0x1000ull
#define IOAPIC_PINS 24

/* MMIO offsets. */
#define IOAPIC_IOREGSEL 0x00
#define IOAPIC_IOWIN 0x10
#define IOAPIC_EOIR 0x40

/* Indirect registers, selected through IOREGSEL. */
#define IOAPIC_REG_ID 0x00
#define IOAPIC_REG_VER 0x01
#define IOAPIC_REG_ARB 0x02
#define IOAPIC_REG_REDTBL 0x10 /* entry n: 0x10 + 2n (low), 0x11 + 2n (high) */

/* Version 0x20, Maximum Redirection Entry 23. */
#define IOAPIC_VERSION_VALUE (0x20u | ((IOAPIC_PINS - 1u) << 16))

/* Redirection table entry bits (82093AA section 3.2.4). */
#define IOAPIC_RTE_VECTOR 0xffull
#define IOAPIC_RTE_DELIVERY(e) (((e) >> 8) & 7)
#define IOAPIC_RTE_LOGICAL (1ull << 11)
#define IOAPIC_RTE_DELIVS (1ull << 12)
#define IOAPIC_RTE_POLARITY_LOW (1ull << 13)
#define IOAPIC_RTE_REMOTE_IRR (1ull << 14)
#define IOAPIC_RTE_LEVEL (1ull << 15)
#define IOAPIC_RTE_MASKED (1ull << 16)
#define IOAPIC_RTE_DEST(e) ((uint8_t)((e) >> 56))
#define IOAPIC_DM_NMI 4

/* The integrator's side. deliver may be NULL (messages are dropped). */
struct ioapic_ops {
	void *ctx;
	/* One interrupt message: dest is the 8-bit destination field, logical
	 * its mode, delivery_mode bits 10:8 of the entry (0 fixed, 1 lowest
	 * priority, 2 SMI, 4 NMI, 5 INIT, 7 ExtINT), level the trigger mode:
	 * a level message must reach lapic_accept(..., true) so that its EOI
	 * comes back to ioapic_eoi(). */
	void (*deliver)(void *ctx, uint8_t vector, uint8_t dest, bool logical,
			uint8_t delivery_mode, bool level);
};

struct ioapic {
	struct ioapic_ops ops;
	uint8_t id;		/* IOAPICID bits 27:24 */
	uint8_t ioregsel;
	uint64_t redtbl[IOAPIC_PINS];
	bool line[IOAPIC_PINS];	/* input pin as driven, before polarity */
};

/* Set up an IOAPIC with the given ID (4 bits; higher bits are dropped);
 * ops may be NULL. The state is that of ioapic_reset(). */
void ioapic_init(struct ioapic *io, uint8_t id, const struct ioapic_ops *ops);
/* Every entry masked, edge, vector 0; IOREGSEL 0. Pin levels stay. */
void ioapic_reset(struct ioapic *io);

/* The register window, an mmio_handler_fn. Only aligned 32-bit accesses
 * to IOREGSEL, IOWIN and the EOI register do anything; any other access
 * reads 0 and its writes are dropped, as are reads of an unimplemented
 * indirect register (they read 0). */
void ioapic_mmio(void *opaque, uint64_t offset, unsigned size, bool write,
		 uint64_t *val);
/* Claim IOAPIC_BASE, 4 KiB. Returns 0, or -1 from mmio_register(). */
int ioapic_attach(struct ioapic *io, struct mmio_bus *bus);

/* Drive input pin (0-23; others are ignored). Edge-triggered: one message
 * per active edge while unmasked. Level-triggered: a message while the pin
 * is active, unmasked and Remote IRR clear, which then sets Remote IRR. */
void ioapic_set_irq(struct ioapic *io, unsigned pin, bool level);
/* The LAPIC retired vector: clear Remote IRR of the level-triggered
 * entries with that vector, and interrupt again where a pin is still
 * active. */
void ioapic_eoi(struct ioapic *io, uint8_t vector);
/* True while some unmasked pin is in NMI delivery mode: a device may
 * still send this CPU an NMI (a HLT with IF = 0 can end). */
bool ioapic_nmi_armed(const struct ioapic *io);

#endif
