/* SPDX-License-Identifier: MIT */
/*
 * The PC's pair of 8259A interrupt controllers: master at 0x20/0x21, slave
 * at 0xA0/0xA1 cascaded into master IR2, and the edge/level control
 * registers (ELCR) at 0x4D0/0x4D1. ISA IRQ n is input n & 7 of the master
 * (n < 8) or of the slave (n >= 8).
 *
 * The integrator routes ISA interrupt lines here with pic_set_irq(), checks
 * pic_has_interrupt() before entering the guest (when the guest can take an
 * external interrupt) and injects the vector pic_acknowledge() returns.
 */
#ifndef SHALE_VMM_VDEV_PIC8259_H
#define SHALE_VMM_VDEV_PIC8259_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/io.h"

#define PIC_MASTER_CMD 0x20
#define PIC_MASTER_DATA 0x21
#define PIC_SLAVE_CMD 0xa0
#define PIC_SLAVE_DATA 0xa1
#define PIC_ELCR1 0x4d0 /* IRQ 0-7 */
#define PIC_ELCR2 0x4d1 /* IRQ 8-15 */
#define PIC_CASCADE_IR 2 /* master input the slave's INT drives */
#define PIC_NR_IRQS 16

/* One 8259A. Bit n of each 8-bit register is input IRn. */
struct pic8259_chip {
	uint8_t irr;          /* Interrupt Request Register */
	uint8_t isr;          /* In-Service Register */
	uint8_t imr;          /* Interrupt Mask Register (OCW1) */
	uint8_t lines;        /* current level of the IR inputs */
	uint8_t elcr;         /* 1 = level triggered */
	uint8_t elcr_mask;    /* ELCR bits the guest may set */
	uint8_t vector_base;  /* ICW2, bits 7:3 */
	uint8_t icw3;         /* cascade configuration, kept for reads */
	uint8_t lowest_prio;  /* IR with the lowest priority (rotation) */
	uint8_t init_step;    /* next ICW expected: 0 = none, 2, 3 or 4 */
	bool is_master;
	bool single;          /* ICW1.SNGL: no ICW3 */
	bool need_icw4;       /* ICW1.IC4 */
	bool auto_eoi;        /* ICW4.AEOI */
	bool sfnm;            /* ICW4.SFNM: special fully nested mode */
	bool rotate_aeoi;     /* OCW2 rotate in automatic EOI mode */
	bool special_mask;    /* OCW3.SMM */
	bool read_isr;        /* OCW3.RIS: command port reads ISR, else IRR */
	bool poll;            /* OCW3.P: the next command read is a poll */
};

struct pic8259 {
	struct pic8259_chip chip[2]; /* [0] master, [1] slave */
	uint64_t spurious;           /* INTA with nothing to deliver */
};

/* Power-on state: both chips uninitialised (vector base 0, nothing
 * masked), every IRQ edge triggered, all lines low. */
void pic_init(struct pic8259 *p);

/* Claims 0x20-0x21, 0xA0-0xA1 and 0x4D0-0x4D1 on bus. Returns 0, or -1
 * when one of the ranges is taken (some may then be registered). */
int pic_attach(struct pic8259 *p, struct io_bus *bus);

/* The port handler for all three ranges; opaque is the struct pic8259.
 * Wider accesses are split into byte accesses on consecutive ports. */
void pic_io(void *opaque, uint16_t port, unsigned size, bool write,
	    uint32_t *val);

/* Drive ISA IRQ line irq (0..15, others ignored) to level. IRQ 2 is the
 * cascade and cannot be driven from outside. */
void pic_set_irq(struct pic8259 *p, unsigned irq, bool level);

/* The master's INT output: true when an interrupt is waiting for INTA. */
bool pic_has_interrupt(const struct pic8259 *p);

/* The INTA cycle: returns the vector to inject and moves the request from
 * IRR to ISR (or not, in auto-EOI mode). When the request went away before
 * INTA this is a spurious interrupt: vector base + 7 of the chip that
 * lost it, with no ISR bit set on that chip. Never fails. */
int pic_acknowledge(struct pic8259 *p);

#endif
