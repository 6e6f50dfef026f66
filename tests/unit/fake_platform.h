/* SPDX-License-Identifier: MIT */
/*
 * The clock half of a fake struct vdev_platform for the device models'
 * unit tests: time stands still until the test moves it, and moving it
 * fires every armed timer that falls due on the way, in deadline order and
 * each at its own deadline, as vmm/platform.c does between guest runs.
 * The interrupt lines and the device's own callbacks stay each test's;
 * fake_outb()/fake_inb() reach its ports.
 *
 * The platform's ctx must point at a struct whose first member is a
 * struct fake_clock (or at the clock itself).
 */
#ifndef SHALE_TESTS_FAKE_PLATFORM_H
#define SHALE_TESTS_FAKE_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/io.h"
#include "vmm/vdev/vdev.h"

#define FAKE_TIMERS 8

struct fake_clock {
	uint64_t now;
	struct vdev_timer *timers[FAKE_TIMERS];
	unsigned ntimers;
	unsigned arms; /* timer_arm calls so far */
};

static inline uint64_t fake_now(void *ctx)
{
	return ((struct fake_clock *)ctx)->now;
}

static inline void fake_timer_arm(void *ctx, struct vdev_timer *t, uint64_t deadline)
{
	struct fake_clock *c = ctx;
	unsigned i;

	for (i = 0; i < c->ntimers && c->timers[i] != t; i++)
		;
	if (i == c->ntimers) {
		assert_true(c->ntimers < FAKE_TIMERS);
		c->timers[c->ntimers++] = t;
	}
	t->deadline = deadline;
	t->armed = true;
	c->arms++;
}

static inline void fake_timer_cancel(void *ctx, struct vdev_timer *t)
{
	(void)ctx;
	t->armed = false;
}

/* How many timers are armed now. */
static inline unsigned fake_armed(const struct fake_clock *c)
{
	unsigned n = 0;

	for (unsigned i = 0; i < c->ntimers; i++)
		n += c->timers[i]->armed;
	return n;
}

/* Move the clock to `to`, running each timer that falls due on the way
 * at its own deadline. */
static inline void fake_advance_to(struct fake_clock *c, uint64_t to)
{
	for (;;) {
		struct vdev_timer *due = NULL;

		for (unsigned i = 0; i < c->ntimers; i++) {
			struct vdev_timer *t = c->timers[i];

			if (t->armed && t->deadline <= to &&
			    (!due || t->deadline < due->deadline))
				due = t;
		}
		if (!due)
			break;
		if (due->deadline > c->now)
			c->now = due->deadline;
		due->armed = false;
		due->fn(due, c->now);
	}
	c->now = to;
}

static inline void fake_advance(struct fake_clock *c, uint64_t ticks)
{
	fake_advance_to(c, c->now + ticks);
}

/* A byte to or from a port of the device under test, which must claim it. */
static inline void fake_outb(struct io_bus *bus, uint16_t port, uint8_t v)
{
	uint32_t val = v;

	assert_true(io_access(bus, port, 1, true, &val));
}

static inline uint8_t fake_inb(struct io_bus *bus, uint16_t port)
{
	uint32_t val = 0xdeadbeef;

	assert_true(io_access(bus, port, 1, false, &val));
	return (uint8_t)val;
}

#endif
