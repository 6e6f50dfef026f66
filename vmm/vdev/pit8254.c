/* SPDX-License-Identifier: MIT */
/*
 * The 8254 interval timer of a PC. Control word, counter access, counter
 * latch and read-back commands, status byte and the six modes follow the
 * Intel 8254 Programmable Interval Timer data sheet; port 0x61 (NMI status
 * and control) follows the Intel ICH data sheets.
 *
 * Time is derived, not ticked: a counter that counts holds the TSC at which
 * it (re)started and the input clocks counted before that, and every read
 * converts the TSC delta to 1193182 Hz clocks. Counter 0 arms a platform
 * timer for its next OUT rising edge, which is IRQ 0.
 *
 * Approximations (none matters to Linux, which reprograms with a control
 * word before every new count):
 *  - A count is loaded the moment it is written, not on the next CLK.
 *  - A new count written in mode 2 or 3 restarts the period at once instead
 *    of at the end of the current one.
 *  - Mode 3 with an odd count splits the period (N+1)/2 high, (N-1)/2 low
 *    and reads the count as N - 2 * clocks into the half period.
 *  - When the timer callback runs late by more than a period, the missed
 *    edges are dropped: one IRQ 0 pulse per callback, as lost ticks.
 *  - Counter 0 and 1 gates are tied high (the PC wiring); counter 2's gate
 *    is port 0x61 bit 0.
 */
#include "lib/string.h"
#include "vmm/vdev/pit8254.h"

#define CW_BCD 0x01
#define CW_MODE(v) (((v) >> 1) & 7)
#define CW_RW(v) (((v) >> 4) & 3)
#define CW_SC(v) (((v) >> 6) & 3)
#define CW_SC_READBACK 3
#define RB_NOT_COUNT 0x20
#define RB_NOT_STATUS 0x10
#define ST_OUTPUT 0x80
#define ST_NULL_COUNT 0x40
#define RW_LATCH 0
#define RW_LSB 1
#define RW_MSB 2
#define RW_BOTH 3

#define NMI_SC_GATE2 0x01
#define NMI_SC_WRITABLE 0x0f
#define NMI_SC_REFRESH 0x10
#define NMI_SC_OUT2 0x20

#define NO_EDGE UINT64_MAX

static uint64_t clock_now(const struct pit8254 *p)
{
	return p->plat->now(p->plat->ctx);
}

static uint64_t plat_hz(const struct pit8254 *p)
{
	return p->plat->hz ? p->plat->hz : 1;
}

/* Input clocks in d TSC ticks, floor(d * PIT_HZ / hz), split so that no
 * product overflows (hz below 2^40 keeps every product below 2^61). */
static uint64_t tsc_to_clocks(const struct pit8254 *p, uint64_t d)
{
	uint64_t hz = plat_hz(p);

	return d / hz * PIT_HZ + d % hz * PIT_HZ / hz;
}

/* The first TSC delta by which n input clocks have passed:
 * ceil(n * hz / PIT_HZ), split the same way. */
static uint64_t clocks_to_tsc(const struct pit8254 *p, uint64_t n)
{
	uint64_t hz = plat_hz(p);

	return n / PIT_HZ * hz + (n % PIT_HZ * hz + PIT_HZ - 1) / PIT_HZ;
}

static uint32_t modulus(const struct pit_channel *c)
{
	return c->bcd ? 10000 : 0x10000;
}

static uint16_t bin_to_bcd(uint32_t v)
{
	v %= 10000;
	return (uint16_t)((v / 1000) << 12 | (v / 100 % 10) << 8 |
			  (v / 10 % 10) << 4 | v % 10);
}

/* Nibbles above 9 are out of spec; they just weigh as their value. */
static uint32_t bcd_to_bin(uint16_t v)
{
	return (v >> 12) * 1000 + ((v >> 8) & 15) * 100 +
	       ((v >> 4) & 15) * 10 + (v & 15);
}

static uint64_t elapsed(const struct pit8254 *p, const struct pit_channel *c,
			uint64_t now)
{
	uint64_t e = c->base;

	if (c->running && now > c->start)
		e += tsc_to_clocks(p, now - c->start);
	return e;
}

/* Modes 2 and 3 with a count of 1 are illegal; count as if 2. */
static uint32_t period(const struct pit_channel *c)
{
	return c->reload < 2 ? 2 : c->reload;
}

/* Count (binary) and OUT of a counter at time now. */
static void channel_state(const struct pit8254 *p, const struct pit_channel *c,
			  uint64_t now, uint32_t *count, bool *out)
{
	uint64_t e = elapsed(p, c, now);
	uint32_t n = period(c), m = modulus(c);
	uint32_t phase;

	*count = c->reload;
	*out = c->mode != 0;
	if (!c->loaded || !c->armed)
		return;
	switch (c->mode) {
	case 0:
	case 1:
		*out = e >= c->reload;
		*count = (uint32_t)((c->reload + m - e % m) % m);
		break;
	case 2:
		phase = (uint32_t)(e % n);
		*out = !c->running || phase != n - 1;
		*count = n - phase;
		break;
	case 3:
		phase = (uint32_t)(e % n);
		if (phase < (n + 1) / 2) {
			*count = n - 2 * phase;
		} else {
			*count = n - 2 * (phase - (n + 1) / 2);
			*out = !c->running;
		}
		break;
	default: /* 4, 5: one clock low at terminal count */
		*out = e != c->reload;
		*count = (uint32_t)((c->reload + m - e % m) % m);
		break;
	}
}

/* The counter value as the guest reads it (BCD when programmed so). */
static uint16_t read_value(const struct pit8254 *p, const struct pit_channel *c)
{
	uint32_t count;
	bool out;

	channel_state(p, c, clock_now(p), &count, &out);
	return c->bcd ? bin_to_bcd(count) : (uint16_t)count;
}

/* Input clocks since the start of counting at which OUT next rises after
 * e, or NO_EDGE. */
static uint64_t next_edge(const struct pit_channel *c, uint64_t e)
{
	uint32_t n = period(c);

	if (!c->loaded || !c->armed || !c->running)
		return NO_EDGE;
	switch (c->mode) {
	case 0:
	case 1:
		return c->fired ? NO_EDGE : c->reload;
	case 2:
	case 3:
		return (e / n + 1) * n;
	default:
		return c->fired ? NO_EDGE : (uint64_t)c->reload + 1;
	}
}

/* Point counter 0's timer at its next OUT rising edge, or disarm it. */
static void rearm(struct pit8254 *p, uint64_t now)
{
	struct pit_channel *c = &p->ch[0];
	uint64_t deadline = now;

	p->edge = next_edge(c, elapsed(p, c, now));
	if (p->edge == NO_EDGE) {
		if (p->timer.armed)
			p->plat->timer_cancel(p->plat->ctx, &p->timer);
		return;
	}
	if (p->edge > c->base)
		deadline = c->start + clocks_to_tsc(p, p->edge - c->base);
	p->plat->timer_arm(p->plat->ctx, &p->timer, deadline);
}

static void pit_timer_fn(struct vdev_timer *t, uint64_t now)
{
	struct pit8254 *p = t->opaque;
	struct pit_channel *c = &p->ch[0];

	/* p->edge is recomputed whenever counter 0 is reprogrammed, so a
	 * stale timer finds its edge not yet reached (or gone) and only
	 * re-arms. */
	if (p->edge != NO_EDGE && elapsed(p, c, now) >= p->edge) {
		p->plat->set_irq(p->plat->ctx, PIT_IRQ, true);
		p->plat->set_irq(p->plat->ctx, PIT_IRQ, false);
		p->irq_pulses++;
		if (c->mode != 2 && c->mode != 3)
			c->fired = true;
	}
	rearm(p, now);
}

static void set_gate(struct pit8254 *p, struct pit_channel *c, bool level,
		     uint64_t now)
{
	bool rising = level && !c->gate, falling = !level && c->gate;

	c->gate = level;
	if (!c->loaded || (!rising && !falling))
		return;
	switch (c->mode) {
	case 1:
	case 5: /* the gate's rising edge (re)triggers */
		if (rising) {
			c->armed = c->running = true;
			c->fired = false;
			c->base = 0;
			c->start = now;
		}
		break;
	case 2:
	case 3: /* low stops and holds OUT high; rising reloads */
		if (falling) {
			c->base = elapsed(p, c, now);
			c->running = false;
		} else {
			c->base = 0;
			c->start = now;
			c->running = true;
		}
		break;
	default: /* 0, 4: low only pauses */
		if (falling) {
			c->base = elapsed(p, c, now);
			c->running = false;
		} else {
			c->start = now;
			c->running = true;
		}
		break;
	}
}

static void load_count(struct pit_channel *c, uint16_t v, uint64_t now)
{
	uint32_t n = c->bcd ? bcd_to_bin(v) % 10000 : v;

	c->reload = n ? n : modulus(c);
	c->loaded = true;
	c->null_count = false;
	c->fired = false;
	c->base = 0;
	c->start = now;
	/* Modes 1 and 5 wait for a gate edge; the others count at once
	 * (while the gate allows). */
	c->armed = c->mode != 1 && c->mode != 5;
	c->running = c->armed && c->gate;
}

static void write_control(struct pit8254 *p, uint8_t v, uint64_t now)
{
	struct pit_channel *c;
	unsigned sc = CW_SC(v), rw = CW_RW(v), mode = CW_MODE(v);

	if (sc == CW_SC_READBACK) {
		for (unsigned i = 0; i < 3; i++) {
			uint32_t count;
			bool out;

			if (!(v & (2u << i)))
				continue;
			c = &p->ch[i];
			if (!(v & RB_NOT_COUNT) && !c->latch_left) {
				c->latch = read_value(p, c);
				c->latch_left = c->rw == RW_BOTH ? 2 : 1;
			}
			if (!(v & RB_NOT_STATUS) && !c->status_latched) {
				channel_state(p, c, now, &count, &out);
				c->status = (out ? ST_OUTPUT : 0) |
					    (c->null_count ? ST_NULL_COUNT : 0) |
					    c->rw << 4 | c->mode << 1 | c->bcd;
				c->status_latched = true;
			}
		}
		return;
	}
	c = &p->ch[sc];
	if (rw == RW_LATCH) {
		if (!c->latch_left) {
			c->latch = read_value(p, c);
			c->latch_left = c->rw == RW_BOTH ? 2 : 1;
		}
		return;
	}
	c->rw = rw;
	c->mode = mode > 5 ? mode - 4 : mode; /* 6, 7 alias 2, 3 */
	c->bcd = v & CW_BCD;
	c->loaded = c->armed = c->running = c->fired = false;
	c->null_count = true;
	c->write_msb = c->read_msb = false;
	c->latch_left = 0;
	c->status_latched = false;
	if (sc == 0)
		rearm(p, now);
}

static void write_counter(struct pit8254 *p, unsigned i, uint8_t v,
			  uint64_t now)
{
	struct pit_channel *c = &p->ch[i];

	switch (c->rw) {
	case RW_LSB:
		load_count(c, v, now);
		break;
	case RW_MSB:
		load_count(c, (uint16_t)(v << 8), now);
		break;
	default:
		if (!c->write_msb) {
			c->lsb_written = v;
			c->write_msb = true;
			/* Mode 0: the first byte stops the count and
			 * drops OUT until the second arrives. */
			if (c->mode == 0 && c->loaded) {
				c->base = elapsed(p, c, now);
				c->running = false;
				c->loaded = false;
			}
			break;
		}
		c->write_msb = false;
		load_count(c, (uint16_t)(c->lsb_written | v << 8), now);
		break;
	}
	if (i == 0)
		rearm(p, now);
}

static uint8_t read_counter(struct pit8254 *p, unsigned i)
{
	struct pit_channel *c = &p->ch[i];
	uint16_t v;
	bool msb;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latch_left) {
		msb = c->rw == RW_MSB || (c->rw == RW_BOTH && c->latch_left == 1);
		c->latch_left--;
		return msb ? c->latch >> 8 : c->latch & 0xff;
	}
	v = read_value(p, c);
	if (c->rw == RW_BOTH) {
		msb = c->read_msb;
		c->read_msb = !c->read_msb;
	} else {
		msb = c->rw == RW_MSB;
	}
	return msb ? v >> 8 : v & 0xff;
}

static uint8_t read_nmi_sc(struct pit8254 *p)
{
	uint32_t count;
	bool out;

	/* Software waits for this bit to change (refresh detection in
	 * delay loops): flip it on every read so such loops end. */
	p->refresh = !p->refresh;
	channel_state(p, &p->ch[2], clock_now(p), &count, &out);
	return p->nmi_sc | (p->refresh ? NMI_SC_REFRESH : 0) |
	       (out ? NMI_SC_OUT2 : 0);
}

static void io_byte(void *opaque, uint16_t port, bool write, uint8_t *v)
{
	struct pit8254 *p = opaque;
	uint64_t now = clock_now(p);

	if (port >= PIT_PORT_BASE && port < PIT_PORT_CONTROL) {
		if (write)
			write_counter(p, port - PIT_PORT_BASE, *v, now);
		else
			*v = read_counter(p, port - PIT_PORT_BASE);
	} else if (port == PIT_PORT_CONTROL) {
		if (write)
			write_control(p, *v, now);
		else
			*v = 0xff; /* the control word is write-only */
	} else if (port == PIT_PORT_NMI_SC) {
		if (write) {
			p->nmi_sc = *v & NMI_SC_WRITABLE;
			set_gate(p, &p->ch[2], *v & NMI_SC_GATE2, now);
		} else {
			*v = read_nmi_sc(p);
		}
	} else if (!write) {
		*v = 0xff;
	}
}

void pit_init(struct pit8254 *p, const struct vdev_platform *plat)
{
	memset(p, 0, sizeof(*p));
	p->plat = plat;
	p->timer.fn = pit_timer_fn;
	p->timer.opaque = p;
	p->edge = NO_EDGE;
	for (unsigned i = 0; i < 3; i++) {
		p->ch[i].rw = RW_BOTH;
		p->ch[i].reload = 0x10000;
		p->ch[i].gate = i != 2;
	}
}

int pit_attach(struct pit8254 *p, struct io_bus *bus)
{
	if (io_register(bus, PIT_PORT_BASE, 4, pit_io, p, "pit") ||
	    io_register(bus, PIT_PORT_NMI_SC, 1, pit_io, p, "nmi-sc"))
		return -1;
	return 0;
}

void pit_io(void *opaque, uint16_t port, unsigned size, bool write,
	    uint32_t *val)
{
	io_split_bytes(opaque, io_byte, port, size, write, val);
}
