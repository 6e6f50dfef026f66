/* SPDX-License-Identifier: MIT */
/*
 * The 8259A pair of a PC. Register layout and command words follow the
 * Intel 8259A Programmable Interrupt Controller data sheet (ICW1-ICW4,
 * OCW1-OCW3, "Priority Modes", "Edge and Level Triggered Modes"); the ELCR
 * at 0x4D0/0x4D1 follows the Intel PIIX/ICH data sheets (IRQ 0, 1, 2, 8
 * and 13 are always edge triggered there).
 *
 * What is modelled: the full ICW sequence, IMR, non-specific, specific and
 * rotating EOIs, set-priority, automatic EOI (with rotation), special mask
 * mode, special fully nested mode, IRR/ISR reads and poll mode.
 *
 * Simplifications, each harmless for PC software:
 *  - Vectors are always formed as in 8086 mode (ICW4.uPM = 0, the 8080
 *    call sequence, is not modelled) and ICW1.LTIM is ignored: on a PC the
 *    ELCR selects the trigger mode per input.
 *  - The slave always hangs off master IR2, whatever ICW3 says (the PC
 *    wiring); ICW3 is only kept.
 *  - The cascade input follows the slave's INT output as a level. A real
 *    master latches an edge there, and the slave drops INT during INTA so
 *    that a later request makes a new edge; following the level gives the
 *    same result without modelling the INTA pulse.
 *  - An edge request stays latched in IRR until INTA even if the line
 *    drops first (platform devices pulse their lines); the data sheet's
 *    "request removed before INTA -> IR7" case therefore only happens for
 *    level-triggered inputs and masking races.
 *  - At power-on every input is masked (the data sheet leaves IMR
 *    undefined): a stray request then cannot inject a CPU exception vector
 *    before the guest has programmed ICW2.
 */
#include "lib/string.h"
#include "vmm/vdev/pic8259.h"

#define ICW1_IC4 0x01
#define ICW1_SNGL 0x02
#define ICW1_INIT 0x10
#define ICW4_AEOI 0x02
#define ICW4_SFNM 0x10
#define OCW3_SEL 0x08 /* bit 3 tells OCW3 from OCW2 */
#define OCW3_RIS 0x01
#define OCW3_RR 0x02
#define OCW3_P 0x04
#define OCW3_SMM 0x20
#define OCW3_ESMM 0x40
#define POLL_INT 0x80

/* OCW2 bits 7:5 (R, SL, EOI). */
enum ocw2_cmd {
	OCW2_ROTATE_AEOI_CLEAR = 0,
	OCW2_EOI = 1,
	OCW2_NOP = 2,
	OCW2_SPECIFIC_EOI = 3,
	OCW2_ROTATE_AEOI_SET = 4,
	OCW2_ROTATE_EOI = 5,
	OCW2_SET_PRIORITY = 6,
	OCW2_ROTATE_SPECIFIC_EOI = 7,
};

/* The IR after lowest_prio has priority 0 (highest); after ICW1 that is
 * IR0, and rotation moves it. */
static unsigned prio(const struct pic8259_chip *c, unsigned ir)
{
	return (ir - c->lowest_prio - 1) & 7;
}

/* The highest-priority IR set in mask, or -1. */
static int highest(const struct pic8259_chip *c, uint8_t mask)
{
	for (unsigned k = 0; k < 8; k++) {
		unsigned ir = (c->lowest_prio + 1 + k) & 7;

		if (mask & (1u << ir))
			return (int)ir;
	}
	return -1;
}

/* The IR this chip would deliver at INTA now, or -1: the highest unmasked
 * request, if it outranks everything in service (fully nested mode). */
static int chip_pending(const struct pic8259_chip *c)
{
	int req = highest(c, c->irr & ~c->imr);
	uint8_t serv = c->isr;
	int top;

	if (req < 0)
		return -1;
	/* Special mask mode: a masked level in service blocks nothing. */
	if (c->special_mask)
		serv &= ~c->imr;
	top = highest(c, serv);
	if (top < 0 || prio(c, req) < prio(c, top))
		return req;
	/* Special fully nested mode lets a slave with a request in service
	 * interrupt again (for a higher-priority slave input). */
	if (req == top && c->is_master && c->sfnm && req == PIC_CASCADE_IR)
		return req;
	return -1;
}

/* Feed the slave's INT output into master IR2 (see the header comment). */
static void update_cascade(struct pic8259 *p)
{
	struct pic8259_chip *m = &p->chip[0];
	uint8_t bit = 1u << PIC_CASCADE_IR;

	if (chip_pending(&p->chip[1]) >= 0) {
		m->lines |= bit;
		m->irr |= bit;
	} else {
		m->lines &= ~bit;
		m->irr &= ~bit;
	}
}

static void chip_set_line(struct pic8259_chip *c, unsigned ir, bool level)
{
	uint8_t bit = 1u << ir;

	if (c->elcr & bit) {
		c->irr = level ? c->irr | bit : c->irr & ~bit;
	} else if (level && !(c->lines & bit)) {
		c->irr |= bit; /* rising edge */
	}
	c->lines = level ? c->lines | bit : c->lines & ~bit;
}

/* INTA on one chip for input ir: IRR -> ISR. A level request stays in IRR
 * while its line is high; the ISR bit keeps it from nesting on itself. */
static void chip_ack(struct pic8259_chip *c, unsigned ir)
{
	uint8_t bit = 1u << ir;

	if (!(c->elcr & bit))
		c->irr &= ~bit;
	if (!c->auto_eoi)
		c->isr |= bit;
	else if (c->rotate_aeoi)
		c->lowest_prio = ir;
}

static void chip_eoi(struct pic8259_chip *c, unsigned cmd, unsigned level)
{
	int ir;

	switch (cmd) {
	case OCW2_EOI:
	case OCW2_ROTATE_EOI:
		ir = highest(c, c->isr);
		if (ir < 0)
			break;
		c->isr &= ~(1u << ir);
		if (cmd == OCW2_ROTATE_EOI)
			c->lowest_prio = ir;
		break;
	case OCW2_SPECIFIC_EOI:
	case OCW2_ROTATE_SPECIFIC_EOI:
		c->isr &= ~(1u << level);
		if (cmd == OCW2_ROTATE_SPECIFIC_EOI)
			c->lowest_prio = level;
		break;
	case OCW2_SET_PRIORITY:
		c->lowest_prio = level;
		break;
	case OCW2_ROTATE_AEOI_SET:
		c->rotate_aeoi = true;
		break;
	case OCW2_ROTATE_AEOI_CLEAR:
		c->rotate_aeoi = false;
		break;
	default:
		break;
	}
}

static void chip_icw1(struct pic8259_chip *c, uint8_t v)
{
	c->single = v & ICW1_SNGL;
	c->need_icw4 = v & ICW1_IC4;
	c->init_step = 2;
	/* The edge sense latch is reset: an edge input must go low and
	 * high again; a level input keeps requesting. */
	c->irr = c->lines & c->elcr;
	c->isr = 0;
	c->imr = 0;
	c->lowest_prio = 7;
	c->special_mask = false;
	c->read_isr = false;
	c->poll = false;
	/* ICW4 functions are zero unless ICW4 sets them again. */
	c->auto_eoi = false;
	c->sfnm = false;
	c->rotate_aeoi = false;
}

static void chip_write_data(struct pic8259_chip *c, uint8_t v)
{
	switch (c->init_step) {
	case 2:
		c->vector_base = v & 0xf8;
		c->init_step = !c->single ? 3 : c->need_icw4 ? 4 : 0;
		break;
	case 3:
		c->icw3 = v;
		c->init_step = c->need_icw4 ? 4 : 0;
		break;
	case 4:
		c->auto_eoi = v & ICW4_AEOI;
		c->sfnm = v & ICW4_SFNM;
		c->init_step = 0;
		break;
	default:
		c->imr = v;
		break;
	}
}

static void chip_write_cmd(struct pic8259_chip *c, uint8_t v)
{
	if (v & ICW1_INIT) {
		chip_icw1(c, v);
	} else if (v & OCW3_SEL) {
		if (v & OCW3_ESMM)
			c->special_mask = v & OCW3_SMM;
		if (v & OCW3_P)
			c->poll = true;
		if (v & OCW3_RR)
			c->read_isr = v & OCW3_RIS;
	} else {
		chip_eoi(c, v >> 5, v & 7);
	}
}

/* A poll is an INTA without the vector: the chip answers with the highest
 * request (bit 7 set) and puts it in service. */
static uint8_t chip_read_cmd(struct pic8259_chip *c)
{
	int ir;

	if (!c->poll)
		return c->read_isr ? c->isr : c->irr;
	c->poll = false;
	ir = chip_pending(c);
	if (ir < 0)
		return 0;
	chip_ack(c, ir);
	return POLL_INT | ir;
}

static void elcr_write(struct pic8259_chip *c, uint8_t v)
{
	uint8_t to_level = v & c->elcr_mask & ~c->elcr;

	c->elcr = v & c->elcr_mask;
	/* A line that becomes level triggered requests exactly while high. */
	c->irr = (c->irr & ~to_level) | (c->lines & to_level);
}

static void io_byte(void *opaque, uint16_t port, bool write, uint8_t *v)
{
	struct pic8259 *p = opaque;

	struct pic8259_chip *c;

	switch (port) {
	case PIC_MASTER_CMD:
	case PIC_MASTER_DATA:
		c = &p->chip[0];
		break;
	case PIC_SLAVE_CMD:
	case PIC_SLAVE_DATA:
		c = &p->chip[1];
		break;
	case PIC_ELCR1:
	case PIC_ELCR2:
		c = &p->chip[port - PIC_ELCR1];
		if (write)
			elcr_write(c, *v);
		else
			*v = c->elcr;
		update_cascade(p);
		return;
	default:
		if (!write)
			*v = 0xff;
		return;
	}
	if (port & 1) {
		if (write)
			chip_write_data(c, *v);
		else
			*v = c->imr;
	} else {
		if (write)
			chip_write_cmd(c, *v);
		else
			*v = chip_read_cmd(c);
	}
	update_cascade(p);
}

void pic_init(struct pic8259 *p)
{
	memset(p, 0, sizeof(*p));
	for (unsigned i = 0; i < 2; i++) {
		p->chip[i].lowest_prio = 7;
		p->chip[i].imr = 0xff;
	}
	p->chip[0].is_master = true;
	p->chip[0].elcr_mask = 0xf8; /* IRQ 0, 1, 2 edge only */
	p->chip[1].elcr_mask = 0xde; /* IRQ 8, 13 edge only */
}

int pic_attach(struct pic8259 *p, struct io_bus *bus)
{
	if (io_register(bus, PIC_MASTER_CMD, 2, pic_io, p, "pic-master") ||
	    io_register(bus, PIC_SLAVE_CMD, 2, pic_io, p, "pic-slave") ||
	    io_register(bus, PIC_ELCR1, 2, pic_io, p, "pic-elcr"))
		return -1;
	return 0;
}

void pic_io(void *opaque, uint16_t port, unsigned size, bool write,
	    uint32_t *val)
{
	io_split_bytes(opaque, io_byte, port, size, write, val);
}

void pic_set_irq(struct pic8259 *p, unsigned irq, bool level)
{
	if (irq >= PIC_NR_IRQS || irq == PIC_CASCADE_IR)
		return;
	chip_set_line(&p->chip[irq >> 3], irq & 7, level);
	update_cascade(p);
}

bool pic_has_interrupt(const struct pic8259 *p)
{
	return chip_pending(&p->chip[0]) >= 0;
}

int pic_acknowledge(struct pic8259 *p)
{
	struct pic8259_chip *m = &p->chip[0], *s = &p->chip[1];
	int ir = chip_pending(m);
	int vec;

	if (ir < 0) {
		p->spurious++;
		return m->vector_base + 7;
	}
	chip_ack(m, ir);
	if (ir != PIC_CASCADE_IR) {
		vec = m->vector_base + ir;
	} else {
		int sir = chip_pending(s);

		if (sir < 0) {
			p->spurious++;
			vec = s->vector_base + 7;
		} else {
			chip_ack(s, sir);
			vec = s->vector_base + sir;
		}
	}
	update_cascade(p);
	return vec;
}
