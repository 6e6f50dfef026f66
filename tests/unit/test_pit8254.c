/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for vmm/vdev/pit8254.c over a fake platform: a clock the
 * test advances by hand (firing due timers in deadline order on the way)
 * and a recorder of every IRQ line transition with its time. The TSC runs
 * at 3 GHz, not a multiple of the PIT clock, so rounding is exercised.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/fake_platform.h"
#include "vmm/io.h"
#include "vmm/vdev/pit8254.h"

#define HZ 3000000000ull
#define MAX_EVENTS 2048

struct fake {
	struct fake_clock clock; /* first: the platform's ctx */
	uint64_t raise_at[MAX_EVENTS];
	unsigned raises, lowers, other_irqs;
	bool level;
};

static struct fake fk;
static struct vdev_platform plat;
static struct io_bus bus;
static struct pit8254 pit;

static void fake_set_irq(void *ctx, unsigned gsi, bool level)
{
	struct fake *f = ctx;

	if (gsi != 0) {
		f->other_irqs++;
		return;
	}
	/* A pulse must be a clean low-high-low. */
	assert_true(level != f->level);
	f->level = level;
	if (level) {
		if (f->raises < MAX_EVENTS)
			f->raise_at[f->raises] = f->clock.now;
		f->raises++;
	} else {
		f->lowers++;
	}
}

static void advance_to(uint64_t to)
{
	fake_advance_to(&fk.clock, to);
}

static void advance(uint64_t ticks)
{
	fake_advance(&fk.clock, ticks);
}

/* TSC ticks for n PIT clocks, rounded up: the first tick by which n
 * clocks have passed. */
static uint64_t ticks_for(uint64_t n)
{
	return (n * HZ + PIT_HZ - 1) / PIT_HZ;
}

static void outb(uint16_t port, uint8_t v)
{
	fake_outb(&bus, port, v);
}

static uint8_t inb(uint16_t port)
{
	return fake_inb(&bus, port);
}

static uint16_t read_lohi(uint16_t port)
{
	uint8_t lo = inb(port);

	return (uint16_t)(lo | inb(port) << 8);
}

static void write_lohi(uint16_t port, uint16_t v)
{
	outb(port, v & 0xff);
	outb(port, v >> 8);
}

static int setup(void **state)
{
	(void)state;
	fk = (struct fake){ .clock.now = 1000000 };
	plat = (struct vdev_platform){
		.ctx = &fk,
		.hz = HZ,
		.now = fake_now,
		.set_irq = fake_set_irq,
		.timer_arm = fake_timer_arm,
		.timer_cancel = fake_timer_cancel,
	};
	bus.n = 0;
	pit_init(&pit, &plat);
	assert_int_equal(pit_attach(&pit, &bus), 0);
	return 0;
}

static void test_attach_claims_ports(void **state)
{
	struct pit8254 other;

	(void)state;
	assert_int_equal(bus.n, 2);
	pit_init(&other, &plat);
	assert_int_equal(pit_attach(&other, &bus), -1);
	assert_int_equal(inb(0x43), 0xff); /* control word is write-only */
}

static void test_mode2_periodic_irq0(void **state)
{
	uint64_t t0;

	(void)state;
	outb(0x43, 0x34); /* counter 0, LSB then MSB, mode 2, binary */
	t0 = fk.clock.now;
	write_lohi(0x40, 1193); /* Linux's LATCH for HZ=1000 */
	assert_true(pit.timer.armed);
	assert_int_equal(pit.timer.deadline, t0 + ticks_for(1193));
	advance_to(t0 + ticks_for(1193) - 1);
	assert_int_equal(fk.raises, 0);
	advance(1);
	assert_int_equal(fk.raises, 1);
	/* One second: 1193182 / 1193 = 1000 whole periods. */
	advance_to(t0 + HZ);
	assert_int_equal(fk.raises, 1000);
	assert_int_equal(fk.lowers, 1000);
	assert_false(fk.level);
	for (unsigned k = 1; k <= 1000; k++)
		assert_int_equal(fk.raise_at[k - 1], t0 + ticks_for(k * 1193ull));
	assert_int_equal(pit.irq_pulses, 1000);
	assert_int_equal(fk.other_irqs, 0);
}

static void test_mode2_count_reads(void **state)
{
	uint64_t t0;

	(void)state;
	outb(0x43, 0x34);
	t0 = fk.clock.now;
	write_lohi(0x40, 1000);
	assert_int_equal(read_lohi(0x40), 1000);
	advance_to(t0 + ticks_for(1));
	assert_int_equal(read_lohi(0x40), 999);
	advance_to(t0 + ticks_for(999));
	assert_int_equal(read_lohi(0x40), 1);
	/* Reload at the terminal count, never 0. */
	advance_to(t0 + ticks_for(1000));
	assert_int_equal(read_lohi(0x40), 1000);
	advance_to(t0 + ticks_for(1250));
	assert_int_equal(read_lohi(0x40), 750);
}

static void test_mode0_one_shot(void **state)
{
	uint64_t t0;

	(void)state;
	outb(0x43, 0x30); /* counter 0, LSB/MSB, mode 0 */
	t0 = fk.clock.now;
	write_lohi(0x40, 5000);
	advance_to(t0 + ticks_for(5000) - 1);
	assert_int_equal(fk.raises, 0);
	advance(1);
	assert_int_equal(fk.raises, 1);
	assert_int_equal(fk.raise_at[0], t0 + ticks_for(5000));
	/* The count wraps past zero and keeps going down. */
	advance_to(t0 + ticks_for(5010));
	assert_int_equal(read_lohi(0x40), 0xfff6);
	advance(HZ);
	assert_int_equal(fk.raises, 1);
	assert_false(pit.timer.armed);
	/* A new count re-arms the one-shot. */
	t0 = fk.clock.now;
	write_lohi(0x40, 100);
	advance_to(t0 + ticks_for(100));
	assert_int_equal(fk.raises, 2);
}

static void test_reprogram_cancels_timer(void **state)
{
	(void)state;
	outb(0x43, 0x30);
	write_lohi(0x40, 5000);
	assert_true(pit.timer.armed);
	outb(0x43, 0x30); /* new control word, no count yet */
	assert_false(pit.timer.armed);
	advance(HZ);
	assert_int_equal(fk.raises, 0);
}

static void test_stale_timer_does_not_pulse(void **state)
{
	(void)state;
	outb(0x43, 0x34);
	write_lohi(0x40, 100);
	outb(0x43, 0x30);
	write_lohi(0x40, 60000);
	/* A platform that delivers the old deadline anyway. */
	advance(ticks_for(100));
	pit.timer.fn(&pit.timer, fk.clock.now);
	assert_int_equal(fk.raises, 0);
	assert_true(pit.timer.armed);
}

static void test_mode0_first_byte_stops_count(void **state)
{
	(void)state;
	outb(0x43, 0xb0); /* counter 2, LSB/MSB, mode 0 */
	outb(0x61, 0x01);
	write_lohi(0x42, 100);
	advance(ticks_for(200));
	assert_true(inb(0x61) & 0x20);
	outb(0x42, 0x50); /* first byte: OUT drops, counting stops */
	assert_false(inb(0x61) & 0x20);
	advance(ticks_for(1000));
	assert_false(inb(0x61) & 0x20);
	outb(0x42, 0x00);
	assert_int_equal(read_lohi(0x42), 0x50);
}

/* The loop of Linux's pit_calibrate_tsc(): gate on, speaker off, counter
 * 2 in mode 0, wait for OUT in port 0x61 bit 5. */
static void test_channel2_tsc_calibration(void **state)
{
	uint64_t t0, seen = 0;
	unsigned loops = 0;
	const uint16_t latch = 1193182 / 100; /* 10 ms */

	(void)state;
	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xb0);
	t0 = fk.clock.now;
	outb(0x42, latch & 0xff);
	outb(0x42, latch >> 8);
	while (!(inb(0x61) & 0x20)) {
		advance(1000);
		assert_true(++loops < 100000);
	}
	seen = fk.clock.now;
	assert_true(seen >= t0 + ticks_for(latch));
	assert_true(seen < t0 + ticks_for(latch) + 1000);
	/* Counter 2 drives no interrupt; gate and speaker bits read back. */
	assert_int_equal(fk.raises, 0);
	assert_int_equal(inb(0x61) & 0x03, 0x01);
	assert_false(pit.timer.armed);
}

static void test_channel2_gate_pauses_mode0(void **state)
{
	(void)state;
	outb(0x61, 0x00); /* gate low */
	outb(0x43, 0xb0);
	write_lohi(0x42, 1000);
	advance(ticks_for(5000));
	assert_false(inb(0x61) & 0x20);
	assert_int_equal(read_lohi(0x42), 1000);
	outb(0x61, 0x01);
	advance(ticks_for(400));
	assert_int_equal(read_lohi(0x42), 600);
	outb(0x61, 0x00); /* pause again: the count holds */
	advance(ticks_for(5000));
	assert_int_equal(read_lohi(0x42), 600);
	outb(0x61, 0x01);
	advance(ticks_for(600));
	assert_true(inb(0x61) & 0x20);
}

/* Linux's quick_pit_calibrate(): count down from 0xffff and watch the
 * MSB fall, reading LSB then MSB each time. */
static void test_quick_calibrate_msb(void **state)
{
	uint64_t t0;

	(void)state;
	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xb0);
	t0 = fk.clock.now;
	outb(0x42, 0xff);
	outb(0x42, 0xff);
	inb(0x42);
	assert_int_equal(inb(0x42), 0xff);
	advance_to(t0 + ticks_for(256));
	inb(0x42);
	assert_int_equal(inb(0x42), 0xfe);
	advance_to(t0 + ticks_for(256 * 10 + 3));
	assert_int_equal(inb(0x42), 0xfc);
	assert_int_equal(inb(0x42), 0xf5);
}

static void test_latch_command(void **state)
{
	uint64_t t0;

	(void)state;
	outb(0x43, 0xb0);
	outb(0x61, 0x01);
	t0 = fk.clock.now;
	write_lohi(0x42, 10000);
	advance_to(t0 + ticks_for(1234));
	outb(0x43, 0x80); /* latch counter 2 */
	advance_to(t0 + ticks_for(5000));
	outb(0x43, 0x80); /* ignored: a latch is still unread */
	assert_int_equal(read_lohi(0x42), 10000 - 1234);
	/* Latch consumed: reads follow the clock again. */
	assert_int_equal(read_lohi(0x42), 5000);
}

static void test_byte_access_modes(void **state)
{
	(void)state;
	outb(0x61, 0x01);
	outb(0x43, 0x90); /* counter 2, LSB only, mode 0 */
	outb(0x42, 0x80);
	assert_int_equal(inb(0x42), 0x80);
	assert_int_equal(inb(0x42), 0x80); /* no toggling */
	advance(ticks_for(0x10));
	assert_int_equal(inb(0x42), 0x70);
	outb(0x43, 0xa0); /* counter 2, MSB only: count = 0x0300 */
	outb(0x42, 0x03);
	advance(ticks_for(0x100));
	assert_int_equal(inb(0x42), 0x02);
	outb(0x43, 0x80);
	assert_int_equal(inb(0x42), 0x02);
}

static void test_lohi_read_write_order(void **state)
{
	(void)state;
	outb(0x61, 0x00); /* gate low: counter 2 holds */
	outb(0x43, 0xb0);
	outb(0x42, 0x34);
	outb(0x42, 0x12);
	assert_int_equal(inb(0x42), 0x34);
	/* Reads and writes keep separate byte pointers. */
	outb(0x42, 0x78);
	assert_int_equal(inb(0x42), 0x12);
	outb(0x42, 0x56);
	assert_int_equal(read_lohi(0x42), 0x5678);
}

static void test_readback_status(void **state)
{
	(void)state;
	outb(0x43, 0x34);
	outb(0x43, 0xe2); /* read-back: status only, counter 0 */
	/* OUT high, null count, LSB/MSB, mode 2. */
	assert_int_equal(inb(0x40), 0xf4);
	write_lohi(0x40, 500);
	outb(0x43, 0xe2);
	assert_int_equal(inb(0x40), 0xb4);
	/* Mode 0 before its terminal count: OUT low. */
	outb(0x43, 0xb1); /* counter 2, BCD */
	outb(0x61, 0x01);
	write_lohi(0x42, 0x0100);
	outb(0x43, 0xe8);
	assert_int_equal(inb(0x42), 0x31);
	advance(ticks_for(100));
	outb(0x43, 0xe8);
	assert_int_equal(inb(0x42), 0xb1);
}

static void test_readback_status_and_count(void **state)
{
	uint64_t t0;

	(void)state;
	outb(0x61, 0x01);
	outb(0x43, 0xb0);
	t0 = fk.clock.now;
	write_lohi(0x42, 3000);
	advance_to(t0 + ticks_for(1000));
	outb(0x43, 0xc8); /* count and status, counter 2 */
	advance_to(t0 + ticks_for(2000));
	assert_int_equal(inb(0x42), 0x30); /* status first */
	assert_int_equal(read_lohi(0x42), 2000);
	assert_int_equal(read_lohi(0x42), 1000);
	/* Several counters at once. */
	outb(0x43, 0x34);
	write_lohi(0x40, 700);
	outb(0x43, 0xde); /* count only, counters 0, 1, 2 */
	advance(ticks_for(50));
	assert_int_equal(read_lohi(0x40), 700);
	assert_int_equal(read_lohi(0x42), 1000);
}

static void test_mode3_square_wave(void **state)
{
	uint64_t t0;
	unsigned high = 0;

	(void)state;
	outb(0x61, 0x01);
	outb(0x43, 0xb6); /* counter 2, mode 3 */
	t0 = fk.clock.now;
	write_lohi(0x42, 1000);
	for (unsigned k = 0; k < 1000; k++) {
		advance_to(t0 + ticks_for(k));
		if (inb(0x61) & 0x20)
			high++;
		if (k == 100)
			assert_int_equal(read_lohi(0x42), 800);
	}
	assert_int_equal(high, 500);
	advance_to(t0 + ticks_for(250));
	assert_true(inb(0x61) & 0x20);
	advance_to(t0 + ticks_for(750));
	assert_false(inb(0x61) & 0x20);
	/* On counter 0 it interrupts once per period. */
	outb(0x43, 0x36);
	t0 = fk.clock.now;
	write_lohi(0x40, 2000);
	advance_to(t0 + ticks_for(10000));
	assert_int_equal(fk.raises, 5);
	assert_int_equal(fk.raise_at[2], t0 + ticks_for(6000));
}

static void test_mode4_strobe(void **state)
{
	uint64_t t0;

	(void)state;
	outb(0x43, 0x38); /* counter 0, mode 4 */
	t0 = fk.clock.now;
	write_lohi(0x40, 300);
	advance_to(t0 + ticks_for(300));
	assert_int_equal(fk.raises, 0);
	advance_to(t0 + ticks_for(301));
	assert_int_equal(fk.raises, 1);
	advance(HZ);
	assert_int_equal(fk.raises, 1);
	/* Linux's next_event: a new count without a control word. */
	t0 = fk.clock.now;
	write_lohi(0x40, 100);
	advance_to(t0 + ticks_for(101) - 1);
	assert_int_equal(fk.raises, 1);
	advance(1);
	assert_int_equal(fk.raises, 2);
}

static void test_bcd_count(void **state)
{
	(void)state;
	outb(0x61, 0x01);
	outb(0x43, 0xb1); /* counter 2, mode 0, BCD */
	write_lohi(0x42, 0x1000);
	advance(ticks_for(250));
	assert_int_equal(read_lohi(0x42), 0x0750);
	advance(ticks_for(750));
	assert_int_equal(read_lohi(0x42), 0x0000);
	advance(ticks_for(1));
	assert_int_equal(read_lohi(0x42), 0x9999);
}

static void test_port61_bits(void **state)
{
	uint8_t a, b;

	(void)state;
	a = inb(0x61);
	b = inb(0x61);
	assert_int_equal((a ^ b) & 0x10, 0x10);
	outb(0x61, 0xff);
	assert_int_equal(inb(0x61) & 0xcf, 0x0f);
	outb(0x61, 0x00);
	assert_int_equal(inb(0x61) & 0xcf, 0x00);
}

static void test_bad_input(void **state)
{
	uint32_t v = 0;

	(void)state;
	pit_io(&pit, 0x44, 1, false, &v);
	assert_int_equal(v, 0xff);
	pit_io(&pit, 0x40, 3, false, &v);
	assert_int_equal(v, 0xffffffffu);
	v = 0x34;
	pit_io(&pit, 0x43, 8, true, &v);
	assert_false(pit.timer.armed);
	/* Read-back naming no counter, and a mode 2 count of 1. */
	outb(0x43, 0xc0);
	outb(0x43, 0x34);
	write_lohi(0x40, 1);
	advance(ticks_for(100));
	assert_int_equal(fk.raises, 50);
	/* A word write to 0x42 spills into the control port. */
	v = 0x3400;
	pit_io(&pit, 0x42, 2, true, &v);
	assert_false(pit.timer.armed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_attach_claims_ports, setup),
		cmocka_unit_test_setup(test_mode2_periodic_irq0, setup),
		cmocka_unit_test_setup(test_mode2_count_reads, setup),
		cmocka_unit_test_setup(test_mode0_one_shot, setup),
		cmocka_unit_test_setup(test_reprogram_cancels_timer, setup),
		cmocka_unit_test_setup(test_stale_timer_does_not_pulse, setup),
		cmocka_unit_test_setup(test_mode0_first_byte_stops_count, setup),
		cmocka_unit_test_setup(test_channel2_tsc_calibration, setup),
		cmocka_unit_test_setup(test_channel2_gate_pauses_mode0, setup),
		cmocka_unit_test_setup(test_quick_calibrate_msb, setup),
		cmocka_unit_test_setup(test_latch_command, setup),
		cmocka_unit_test_setup(test_byte_access_modes, setup),
		cmocka_unit_test_setup(test_lohi_read_write_order, setup),
		cmocka_unit_test_setup(test_readback_status, setup),
		cmocka_unit_test_setup(test_readback_status_and_count, setup),
		cmocka_unit_test_setup(test_mode3_square_wave, setup),
		cmocka_unit_test_setup(test_mode4_strobe, setup),
		cmocka_unit_test_setup(test_bcd_count, setup),
		cmocka_unit_test_setup(test_port61_bits, setup),
		cmocka_unit_test_setup(test_bad_input, setup),
	};

	return cmocka_run_group_tests_name("pit8254", tests, NULL, NULL);
}
