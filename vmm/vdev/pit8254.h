/* SPDX-License-Identifier: MIT */
/*
 * The PC's 8254 programmable interval timer at 0x40-0x43 (input clock
 * 1193182 Hz) and the NMI status and control register at 0x61, which
 * carries counter 2's GATE and OUT.
 *
 * Counts are never ticked: each counter remembers when it was started and
 * computes its count and OUT from the platform clock. Counter 0 arms one
 * platform timer for its next OUT rising edge and pulses ISA IRQ 0 there
 * (plat->set_irq(ctx, 0, true) then false). Counter 1 (DRAM refresh on
 * old PCs) counts but drives nothing.
 */
#ifndef SHALE_VMM_VDEV_PIT8254_H
#define SHALE_VMM_VDEV_PIT8254_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/io.h"
#include "vmm/vdev/vdev.h"

#define PIT_HZ 1193182u
#define PIT_PORT_BASE 0x40 /* counters 0-2, then the control word */
#define PIT_PORT_CONTROL 0x43
#define PIT_PORT_NMI_SC 0x61
#define PIT_IRQ 0

struct pit_channel {
	uint8_t mode;          /* 0..5 */
	uint8_t rw;            /* RW1:RW0: 1 LSB, 2 MSB, 3 LSB then MSB */
	bool bcd;
	bool gate;
	uint32_t reload;       /* initial count, 0 written = 0x10000 (10000 BCD) */
	uint8_t lsb_written;   /* first byte of a two-byte count */
	bool write_msb;        /* next count write is the MSB */
	bool read_msb;         /* next unlatched read is the MSB */
	bool loaded;           /* a count was written since the control word */
	bool null_count;       /* status bit 6 */
	bool armed;            /* counting started (modes 1/5: triggered) */
	bool running;          /* counting now (the gate may pause modes 0/4) */
	bool fired;            /* one-shot modes: the IRQ edge was sent */
	uint64_t start;        /* TSC when counting (re)started */
	uint64_t base;         /* input clocks counted before start */
	uint16_t latch;        /* counter latch (binary, as read) */
	uint8_t latch_left;    /* latched bytes not yet read */
	bool status_latched;
	uint8_t status;
};

struct pit8254 {
	const struct vdev_platform *plat;
	struct pit_channel ch[3];
	struct vdev_timer timer;   /* counter 0's next OUT rising edge */
	uint64_t edge;             /* ... in clocks counted, or UINT64_MAX */
	uint8_t nmi_sc;            /* port 0x61 bits 3:0 */
	bool refresh;              /* port 0x61 bit 4, toggles on each read */
	uint64_t irq_pulses;       /* IRQ 0 edges sent */
};

/* Power-on state: no counter programmed, counter 2's gate low. plat must
 * outlive the device. */
void pit_init(struct pit8254 *p, const struct vdev_platform *plat);

/* Claims ports 0x40-0x43 and 0x61. Returns 0, or -1 when either range is
 * taken (the first may then be registered). */
int pit_attach(struct pit8254 *p, struct io_bus *bus);

/* The port handler for both ranges; opaque is the struct pit8254. Wider
 * accesses are split into byte accesses on consecutive ports. */
void pit_io(void *opaque, uint16_t port, unsigned size, bool write,
	    uint32_t *val);

#endif
