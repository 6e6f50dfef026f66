/* SPDX-License-Identifier: MIT */
/*
 * The harness of the 16550A model's unit tests (test_uart16550.c,
 * test_uart16550_irq.c): the model driven through its port handler as a
 * guest would drive it, over a fake platform that records every IRQ line
 * change and transmitted byte; its clock and timers move only when a test
 * advances them, so timer-driven interrupts (THRE re-raise, RX character
 * timeout) happen exactly where the test says.
 */
#ifndef SHALE_TESTS_UART16550_HARNESS_H
#define SHALE_TESTS_UART16550_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "tests/unit/fake_platform.h"
#include "vmm/io.h"
#include "vmm/vdev/uart16550.h"

/* cmocka passes state; these tests keep theirs in globals. */
#define TEST(name) static void name(void **state __attribute__((unused)))

#define BASE 0x3f8
#define GSI 4
#define HZ 1000000000ull /* 1 tick = 1 ns */
#define MAX_EVENTS 64

struct fake {
	struct fake_clock clock; /* first: the platform's ctx */
	struct {
		unsigned gsi;
		bool level;
	} irq[MAX_EVENTS];
	unsigned nirq;
	uint8_t tx[512];
	unsigned ntx;
};

static struct fake fk;
static struct uart16550 uart;

static inline void fake_set_irq(void *ctx, unsigned gsi, bool level)
{
	struct fake *f = ctx;

	assert_true(f->nirq < MAX_EVENTS);
	f->irq[f->nirq].gsi = gsi;
	f->irq[f->nirq].level = level;
	f->nirq++;
}

static const struct vdev_platform plat = {
	.ctx = &fk,
	.hz = HZ,
	.now = fake_now,
	.set_irq = fake_set_irq,
	.timer_arm = fake_timer_arm,
	.timer_cancel = fake_timer_cancel,
};

static inline void fake_tx(void *ctx, uint8_t byte)
{
	struct fake *f = ctx;

	assert_true(f->ntx < sizeof(f->tx));
	f->tx[f->ntx++] = byte;
}

static inline void advance(uint64_t ticks)
{
	fake_advance(&fk.clock, ticks);
}

static inline void out(unsigned off, uint8_t v)
{
	uint32_t val = v;

	uart16550_io(&uart, BASE + off, 1, true, &val);
}

static inline uint8_t in(unsigned off)
{
	uint32_t val = 0xdeadbeef;

	uart16550_io(&uart, BASE + off, 1, false, &val);
	assert_true(val <= 0xff);
	return (uint8_t)val;
}

static inline void rx(const char *s)
{
	unsigned n = (unsigned)strlen(s);

	assert_int_equal(uart16550_receive(&uart, (const uint8_t *)s, n), n);
}

static inline void expect_irq(unsigned idx, bool level)
{
	assert_true(idx < fk.nirq);
	assert_int_equal(fk.irq[idx].gsi, GSI);
	assert_int_equal(fk.irq[idx].level, level);
}

static inline int setup(void **state __attribute__((unused)))
{
	struct uart16550_config cfg = {
		.base = BASE, .gsi = GSI, .tx = fake_tx, .tx_ctx = &fk,
		.plat = &plat,
	};

	memset(&fk, 0, sizeof(fk));
	fk.clock.now = 1000;
	uart16550_init(&uart, &cfg);
	return 0;
}

#endif
