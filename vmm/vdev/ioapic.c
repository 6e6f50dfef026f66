/* SPDX-License-Identifier: MIT */
/*
 * A guest's I/O APIC. Register layout: Intel 82093AA I/O Advanced
 * Programmable Interrupt Controller (IOAPIC) data sheet, section 3; the EOI
 * register at offset 0x40 is that of the version 0x20 IOAPICs that ICH
 * chipsets carry.
 *
 * Messages go out at once, so Delivery Status always reads idle. An edge
 * that arrives while its entry is masked is lost, as on the 82093AA.
 */
#include <stddef.h>

#include "lib/string.h"
#include "vmm/vdev/ioapic.h"

/* Bits of a redirection entry software may write: vector, delivery and
 * destination mode, polarity, trigger mode, mask, destination. */
#define RTE_WRITABLE (0xff000000000000ffull | (7ull << 8) | \
		      IOAPIC_RTE_LOGICAL | IOAPIC_RTE_POLARITY_LOW | \
		      IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED)

static bool pin_active(const struct ioapic *io, unsigned pin)
{
	bool low = io->redtbl[pin] & IOAPIC_RTE_POLARITY_LOW;

	return io->line[pin] != low;
}

static void send(struct ioapic *io, unsigned pin)
{
	uint64_t e = io->redtbl[pin];

	if (io->ops.deliver)
		io->ops.deliver(io->ops.ctx, (uint8_t)(e & IOAPIC_RTE_VECTOR),
				IOAPIC_RTE_DEST(e), e & IOAPIC_RTE_LOGICAL,
				(uint8_t)IOAPIC_RTE_DELIVERY(e),
				e & IOAPIC_RTE_LEVEL);
}

/* A level-triggered pin interrupts while it is active, unmasked and not
 * already waiting for its EOI (Remote IRR). */
static void level_eval(struct ioapic *io, unsigned pin)
{
	uint64_t *e = &io->redtbl[pin];

	if (!(*e & IOAPIC_RTE_LEVEL) || (*e & IOAPIC_RTE_MASKED) ||
	    (*e & IOAPIC_RTE_REMOTE_IRR) || !pin_active(io, pin))
		return;
	/* Set before sending: the EOI may come back inside deliver(). */
	*e |= IOAPIC_RTE_REMOTE_IRR;
	send(io, pin);
}

void ioapic_set_irq(struct ioapic *io, unsigned pin, bool level)
{
	bool was;
	uint64_t e;

	if (pin >= IOAPIC_PINS)
		return;
	was = pin_active(io, pin);
	io->line[pin] = level;
	e = io->redtbl[pin];
	if (e & IOAPIC_RTE_LEVEL)
		level_eval(io, pin);
	else if (!was && pin_active(io, pin) && !(e & IOAPIC_RTE_MASKED))
		send(io, pin);
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t *e = &io->redtbl[pin];

		if ((*e & IOAPIC_RTE_VECTOR) != vector ||
		    !(*e & IOAPIC_RTE_REMOTE_IRR))
			continue;
		*e &= ~IOAPIC_RTE_REMOTE_IRR;
		level_eval(io, pin);
	}
}

bool ioapic_nmi_armed(const struct ioapic *io)
{
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t e = io->redtbl[pin];

		if (!(e & IOAPIC_RTE_MASKED) &&
		    IOAPIC_RTE_DELIVERY(e) == IOAPIC_DM_NMI)
			return true;
	}
	return false;
}

static void redtbl_write(struct ioapic *io, unsigned pin, bool high,
			 uint32_t val)
{
	uint64_t *e = &io->redtbl[pin];
	uint64_t old = *e;
	uint64_t v = high ? ((uint64_t)val << 32) | (old & 0xffffffffull) :
			    (old & 0xffffffff00000000ull) | val;

	/* Remote IRR and Delivery Status are the IOAPIC's to set. */
	*e = (v & RTE_WRITABLE) | (old & IOAPIC_RTE_REMOTE_IRR);
	/* Remote IRR is undefined for edge entries: keep it clear, so a
	 * later switch to level does not start out blocked. */
	if (!(*e & IOAPIC_RTE_LEVEL))
		*e &= ~IOAPIC_RTE_REMOTE_IRR;
	/* Unmasking a level pin that is held active interrupts now. */
	level_eval(io, pin);
}

static uint32_t reg_read(const struct ioapic *io, uint8_t reg)
{
	unsigned pin = (reg - IOAPIC_REG_REDTBL) >> 1;

	switch (reg) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB: /* arbitration ID: loaded from the ID */
		return (uint32_t)io->id << 24;
	case IOAPIC_REG_VER:
		return IOAPIC_VERSION_VALUE;
	}
	if (reg < IOAPIC_REG_REDTBL || pin >= IOAPIC_PINS)
		return 0;
	return (uint32_t)(reg & 1 ? io->redtbl[pin] >> 32 : io->redtbl[pin]);
}

static void reg_write(struct ioapic *io, uint8_t reg, uint32_t val)
{
	unsigned pin = (reg - IOAPIC_REG_REDTBL) >> 1;

	if (reg == IOAPIC_REG_ID) {
		io->id = (val >> 24) & 0xf;
		return;
	}
	if (reg < IOAPIC_REG_REDTBL || pin >= IOAPIC_PINS)
		return; /* version, arbitration: read-only; others: none */
	redtbl_write(io, pin, reg & 1, val);
}

void ioapic_mmio(void *opaque, uint64_t offset, unsigned size, bool write,
		 uint64_t *val)
{
	struct ioapic *io = opaque;

	if (!write)
		*val = 0;
	if (size != 4)
		return;
	switch (offset) {
	case IOAPIC_IOREGSEL:
		if (write)
			io->ioregsel = (uint8_t)*val;
		else
			*val = io->ioregsel;
		break;
	case IOAPIC_IOWIN:
		if (write)
			reg_write(io, io->ioregsel, (uint32_t)*val);
		else
			*val = reg_read(io, io->ioregsel);
		break;
	case IOAPIC_EOIR:
		if (write)
			ioapic_eoi(io, (uint8_t)*val);
		break;
	}
}

int ioapic_attach(struct ioapic *io, struct mmio_bus *bus)
{
	return mmio_register(bus, IOAPIC_BASE, IOAPIC_SIZE, ioapic_mmio, io,
			     "ioapic");
}

void ioapic_reset(struct ioapic *io)
{
	io->ioregsel = 0;
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++)
		io->redtbl[pin] = IOAPIC_RTE_MASKED;
}

void ioapic_init(struct ioapic *io, uint8_t id, const struct ioapic_ops *ops)
{
	memset(io, 0, sizeof(*io));
	if (ops)
		io->ops = *ops;
	io->id = id & 0xf;
	ioapic_reset(io);
}
