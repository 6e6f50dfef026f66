/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for vmm/vdev/rtc.c over a fake platform: a 1 GHz clock
 * advanced by hand (due timers fire at their deadlines) and an IRQ 8
 * recorder. The calendar is checked against a naive day-by-day walk.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/fake_platform.h"
#include "vmm/io.h"
#include "vmm/vdev/rtc.h"

#define HZ 1000000000ull

struct fake {
	struct fake_clock clock; /* first: the platform's ctx */
	bool irq8;
	unsigned raises, other_irqs;
	uint64_t raised_at;
};

static struct fake fk;
static struct vdev_platform plat;
static struct io_bus bus;
static struct rtc rtc;

static void fake_set_irq(void *ctx, unsigned gsi, bool level)
{
	struct fake *f = ctx;

	if (gsi != RTC_IRQ) {
		f->other_irqs++;
		return;
	}
	assert_true(level != f->irq8); /* only real transitions */
	f->irq8 = level;
	if (level) {
		f->raises++;
		f->raised_at = f->clock.now;
	}
}

static void advance(uint64_t ticks)
{
	fake_advance(&fk.clock, ticks);
}

static void outb(uint16_t port, uint8_t v)
{
	fake_outb(&bus, port, v);
}

static uint8_t inb(uint16_t port)
{
	return fake_inb(&bus, port);
}

static uint8_t cmos_read(uint8_t index)
{
	outb(0x70, index);
	return inb(0x71);
}

static void cmos_write(uint8_t index, uint8_t v)
{
	outb(0x70, index);
	outb(0x71, v);
}

static void start_at(uint16_t y, uint8_t mo, uint8_t d, uint8_t h, uint8_t mi,
		     uint8_t s)
{
	struct rtc_time t = { y, mo, d, h, mi, s };

	fk = (struct fake){ .clock.now = 5 * HZ + 12345 };
	plat = (struct vdev_platform){
		.ctx = &fk,
		.hz = HZ,
		.now = fake_now,
		.set_irq = fake_set_irq,
		.timer_arm = fake_timer_arm,
		.timer_cancel = fake_timer_cancel,
	};
	bus.n = 0;
	rtc_init(&rtc, &plat, &t);
	assert_int_equal(rtc_attach(&rtc, &bus), 0);
}

/* Expect the date/time registers (raw register values). */
static void expect_regs(uint8_t cent, uint8_t y, uint8_t mo, uint8_t d,
			uint8_t h, uint8_t mi, uint8_t s)
{
	assert_int_equal(cmos_read(RTC_SECONDS), s);
	assert_int_equal(cmos_read(RTC_MINUTES), mi);
	assert_int_equal(cmos_read(RTC_HOURS), h);
	assert_int_equal(cmos_read(RTC_DAY_OF_MONTH), d);
	assert_int_equal(cmos_read(RTC_MONTH), mo);
	assert_int_equal(cmos_read(RTC_YEAR), y);
	assert_int_equal(cmos_read(RTC_CENTURY), cent);
}

static void test_defaults_and_bcd(void **state)
{
	(void)state;
	start_at(2024, 2, 28, 23, 59, 58);
	assert_int_equal(cmos_read(RTC_REG_A), 0x26);
	assert_int_equal(cmos_read(RTC_REG_B), 0x02);
	assert_int_equal(cmos_read(RTC_REG_C), 0x00);
	assert_int_equal(cmos_read(RTC_REG_D), 0x80);
	expect_regs(0x20, 0x24, 0x02, 0x28, 0x23, 0x59, 0x58);
	assert_int_equal(cmos_read(RTC_DAY_OF_WEEK), 4); /* Wednesday */
	/* A second RTC on the same bus is refused. */
	assert_int_equal(rtc_attach(&rtc, &bus), -1);
}

static void test_binary_mode(void **state)
{
	(void)state;
	start_at(2019, 11, 7, 9, 5, 42);
	cmos_write(RTC_REG_B, 0x06);
	expect_regs(20, 19, 11, 7, 9, 5, 42);
	assert_int_equal(cmos_read(RTC_DAY_OF_WEEK), 5); /* Thursday */
	cmos_write(RTC_REG_B, 0x02);
	expect_regs(0x20, 0x19, 0x11, 0x07, 0x09, 0x05, 0x42);
}

static void test_12_hour_mode(void **state)
{
	(void)state;
	start_at(2024, 6, 1, 23, 0, 0);
	cmos_write(RTC_REG_B, 0x00); /* BCD, 12-hour */
	assert_int_equal(cmos_read(RTC_HOURS), 0x91); /* 11 PM */
	advance(3600 * HZ);
	assert_int_equal(cmos_read(RTC_HOURS), 0x12); /* 12 AM */
	advance(12 * 3600 * HZ);
	assert_int_equal(cmos_read(RTC_HOURS), 0x92); /* 12 PM */
	cmos_write(RTC_REG_B, 0x04); /* binary, 12-hour */
	advance(3600 * HZ);
	assert_int_equal(cmos_read(RTC_HOURS), 0x81); /* 1 PM */
}

static void test_time_advances_with_clock(void **state)
{
	(void)state;
	start_at(2024, 3, 10, 8, 15, 30);
	advance(HZ - 1);
	assert_int_equal(cmos_read(RTC_SECONDS), 0x30);
	advance(1);
	assert_int_equal(cmos_read(RTC_SECONDS), 0x31);
	advance(3661 * HZ);
	expect_regs(0x20, 0x24, 0x03, 0x10, 0x09, 0x16, 0x32);
	advance(40 * 86400 * HZ);
	expect_regs(0x20, 0x24, 0x04, 0x19, 0x09, 0x16, 0x32);
}

static void test_rollover_midnight(void **state)
{
	(void)state;
	start_at(2024, 7, 14, 23, 59, 59);
	advance(HZ);
	expect_regs(0x20, 0x24, 0x07, 0x15, 0x00, 0x00, 0x00);
	assert_int_equal(cmos_read(RTC_DAY_OF_WEEK), 2); /* Monday */
}

static void test_rollover_leap_february(void **state)
{
	(void)state;
	start_at(2024, 2, 28, 23, 59, 59);
	advance(HZ);
	expect_regs(0x20, 0x24, 0x02, 0x29, 0x00, 0x00, 0x00);
	advance(86400 * HZ);
	expect_regs(0x20, 0x24, 0x03, 0x01, 0x00, 0x00, 0x00);
	start_at(2023, 2, 28, 23, 59, 59);
	advance(HZ);
	expect_regs(0x20, 0x23, 0x03, 0x01, 0x00, 0x00, 0x00);
	/* Centuries: 2100 is not a leap year, 2000 is. */
	start_at(2100, 2, 28, 12, 0, 0);
	advance(86400 * HZ);
	expect_regs(0x21, 0x00, 0x03, 0x01, 0x12, 0x00, 0x00);
	start_at(2000, 2, 28, 12, 0, 0);
	advance(86400 * HZ);
	expect_regs(0x20, 0x00, 0x02, 0x29, 0x12, 0x00, 0x00);
}

static void test_rollover_new_year(void **state)
{
	(void)state;
	start_at(2023, 12, 31, 23, 59, 59);
	advance(HZ);
	expect_regs(0x20, 0x24, 0x01, 0x01, 0x00, 0x00, 0x00);
	start_at(2099, 12, 31, 23, 59, 59);
	advance(HZ);
	expect_regs(0x21, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00);
}

/* Linux's mc146818_set_time(): SET, write the fields, restore B. */
static void test_set_bit_sets_time(void **state)
{
	(void)state;
	start_at(2024, 1, 1, 0, 0, 0);
	cmos_write(RTC_REG_B, 0x82);
	cmos_write(RTC_YEAR, 0x25);
	cmos_write(RTC_MONTH, 0x12);
	cmos_write(RTC_DAY_OF_MONTH, 0x31);
	cmos_write(RTC_HOURS, 0x23);
	cmos_write(RTC_MINUTES, 0x59);
	cmos_write(RTC_SECONDS, 0x50);
	/* Frozen while SET: the registers hold what was written. */
	advance(30 * HZ);
	expect_regs(0x20, 0x25, 0x12, 0x31, 0x23, 0x59, 0x50);
	cmos_write(RTC_REG_B, 0x02);
	expect_regs(0x20, 0x25, 0x12, 0x31, 0x23, 0x59, 0x50);
	advance(10 * HZ);
	expect_regs(0x20, 0x26, 0x01, 0x01, 0x00, 0x00, 0x00);
}

static void test_write_while_running(void **state)
{
	(void)state;
	start_at(2024, 5, 5, 10, 20, 30);
	advance(5 * HZ);
	cmos_write(RTC_MINUTES, 0x45);
	expect_regs(0x20, 0x24, 0x05, 0x05, 0x10, 0x45, 0x35);
	advance(HZ);
	assert_int_equal(cmos_read(RTC_SECONDS), 0x36);
	/* Binary mode writes are binary. */
	cmos_write(RTC_REG_B, 0x06);
	cmos_write(RTC_HOURS, 22);
	assert_int_equal(cmos_read(RTC_HOURS), 22);
	assert_int_equal(cmos_read(RTC_MINUTES), 45);
}

static void test_garbage_time_is_clamped(void **state)
{
	(void)state;
	start_at(2024, 5, 5, 10, 20, 30);
	cmos_write(RTC_REG_B, 0x82);
	cmos_write(RTC_MONTH, 0xff);
	cmos_write(RTC_DAY_OF_MONTH, 0x00);
	cmos_write(RTC_HOURS, 0x99);
	cmos_write(RTC_REG_B, 0x02);
	expect_regs(0x20, 0x24, 0x12, 0x01, 0x23, 0x20, 0x30);
	/* Year 1969 clamps to 1970, field by field. */
	cmos_write(RTC_REG_B, 0x82);
	cmos_write(RTC_CENTURY, 0x19);
	cmos_write(RTC_YEAR, 0x69);
	cmos_write(RTC_REG_B, 0x02);
	expect_regs(0x19, 0x70, 0x12, 0x01, 0x23, 0x20, 0x30);
}

static void test_status_c_read_clears_uf(void **state)
{
	(void)state;
	start_at(2024, 5, 5, 10, 20, 30);
	advance(2 * HZ);
	/* UF sets without UIE, but no IRQF and no interrupt. */
	assert_int_equal(cmos_read(RTC_REG_C), 0x10);
	assert_int_equal(cmos_read(RTC_REG_C), 0x00);
	assert_int_equal(fk.raises, 0);
	assert_false(rtc.timer.armed);
}

static void test_update_interrupt(void **state)
{
	uint64_t t0;

	(void)state;
	start_at(2024, 5, 5, 10, 20, 30);
	t0 = fk.clock.now;
	cmos_write(RTC_REG_B, 0x12); /* UIE */
	assert_true(rtc.timer.armed);
	advance(HZ - 1);
	assert_false(fk.irq8);
	advance(1);
	assert_true(fk.irq8);
	assert_int_equal(fk.raised_at, t0 + HZ);
	/* The line stays up until C is read; the read clears it. */
	advance(3 * HZ);
	assert_int_equal(fk.raises, 1);
	assert_int_equal(cmos_read(RTC_REG_C), 0x90);
	assert_false(fk.irq8);
	assert_int_equal(cmos_read(RTC_REG_C), 0x00);
	advance(HZ);
	assert_true(fk.irq8);
	assert_int_equal(fk.raises, 2);
	assert_int_equal(fk.other_irqs, 0);
}

static void test_alarm_interrupt(void **state)
{
	uint64_t t0;

	(void)state;
	start_at(2024, 5, 5, 23, 59, 58);
	t0 = fk.clock.now;
	cmos_write(RTC_HOURS_ALARM, 0x00);
	cmos_write(RTC_MINUTES_ALARM, 0x00);
	cmos_write(RTC_SECONDS_ALARM, 0x05);
	cmos_write(RTC_REG_B, 0x22); /* AIE */
	advance(7 * HZ - 1);
	assert_false(fk.irq8);
	advance(1);
	assert_true(fk.irq8);
	assert_int_equal(fk.raised_at, t0 + 7 * HZ);
	assert_int_equal(cmos_read(RTC_REG_C), 0xb0); /* IRQF, AF, UF */
	assert_false(fk.irq8);
	/* Next match is a day later. */
	assert_true(rtc.timer.armed);
	assert_int_equal(rtc.timer.deadline, t0 + (7 + 86400) * HZ);
}

static void test_alarm_dont_care(void **state)
{
	(void)state;
	start_at(2024, 5, 5, 10, 20, 45);
	cmos_write(RTC_HOURS_ALARM, 0xff);
	cmos_write(RTC_MINUTES_ALARM, 0xc0);
	cmos_write(RTC_SECONDS_ALARM, 0x30);
	/* Polled: AF appears once the alarm second has passed. */
	advance(44 * HZ);
	assert_int_equal(cmos_read(RTC_REG_C), 0x10);
	advance(HZ);
	assert_int_equal(cmos_read(RTC_REG_C), 0x30);
	/* An impossible alarm never matches. */
	cmos_write(RTC_SECONDS_ALARM, 0x7f);
	advance(3 * 86400 * HZ);
	assert_int_equal(cmos_read(RTC_REG_C), 0x10);
}

static void test_set_clears_uie(void **state)
{
	(void)state;
	start_at(2024, 5, 5, 10, 20, 45);
	cmos_write(RTC_REG_B, 0x12);
	cmos_write(RTC_REG_B, 0x92);
	assert_int_equal(cmos_read(RTC_REG_B), 0x82);
	assert_false(rtc.timer.armed);
	advance(10 * HZ);
	assert_int_equal(cmos_read(RTC_REG_C), 0x00); /* no updates */
}

/* IRQF is the OR of each flag with its enable: dropping the enable
 * (here through SET, which clears UIE) drops IRQF and IRQ 8. */
static void test_irqf_follows_enables(void **state)
{
	(void)state;
	start_at(2024, 5, 5, 10, 20, 45);
	cmos_write(RTC_REG_B, 0x12);
	advance(HZ);
	assert_true(fk.irq8);
	cmos_write(RTC_REG_B, 0x82);
	assert_false(fk.irq8);
	assert_int_equal(cmos_read(RTC_REG_C), 0x10);
	/* Re-enabling with UF still set raises it again. */
	cmos_write(RTC_REG_B, 0x02);
	advance(HZ);
	cmos_write(RTC_REG_B, 0x12);
	assert_true(fk.irq8);
	assert_int_equal(fk.raises, 2);
}

static void test_status_registers_read_only_bits(void **state)
{
	(void)state;
	start_at(2024, 5, 5, 10, 20, 45);
	cmos_write(RTC_REG_D, 0x00);
	assert_int_equal(cmos_read(RTC_REG_D), 0x80);
	cmos_write(RTC_REG_C, 0xff);
	assert_int_equal(cmos_read(RTC_REG_C), 0x00);
	cmos_write(RTC_REG_A, 0xa6);
	assert_int_equal(cmos_read(RTC_REG_A), 0x26);
}

static void test_uip_window(void **state)
{
	(void)state;
	start_at(2024, 5, 5, 10, 20, 45);
	advance(HZ / 2);
	assert_int_equal(cmos_read(RTC_REG_A) & 0x80, 0);
	advance(HZ / 2 - 100000); /* 100 us before the update */
	assert_int_equal(cmos_read(RTC_REG_A) & 0x80, 0x80);
	advance(100000);
	assert_int_equal(cmos_read(RTC_REG_A) & 0x80, 0);
	assert_int_equal(cmos_read(RTC_SECONDS), 0x46);
}

static void test_nmi_mask_bit(void **state)
{
	(void)state;
	start_at(2024, 5, 5, 10, 20, 45);
	assert_false(rtc_nmi_masked(&rtc));
	outb(0x70, 0x80 | RTC_REG_D);
	assert_true(rtc_nmi_masked(&rtc));
	/* The index is the low seven bits. */
	assert_int_equal(inb(0x71), 0x80);
	assert_int_equal(inb(0x70), 0x8d);
	outb(0x70, RTC_REG_B);
	assert_false(rtc_nmi_masked(&rtc));
	assert_int_equal(inb(0x71), 0x02);
}

static void test_cmos_ram(void **state)
{
	(void)state;
	start_at(2024, 5, 5, 10, 20, 45);
	cmos_write(0x40, 0x5a);
	cmos_write(0x7f, 0xa5);
	assert_int_equal(cmos_read(0x40), 0x5a);
	assert_int_equal(cmos_read(0x7f), 0xa5);
	assert_int_equal(cmos_read(0x10), 0x00);
	rtc_set_cmos(&rtc, 0x10, 0x44);
	assert_int_equal(cmos_read(0x10), 0x44);
	rtc_set_cmos(&rtc, 0x90, 0x33); /* wraps to 0x10 */
	assert_int_equal(cmos_read(0x10), 0x33);
	rtc_set_cmos(&rtc, RTC_REG_B, 0xff);
	rtc_set_cmos(&rtc, RTC_CENTURY, 0x99);
	assert_int_equal(cmos_read(RTC_REG_B), 0x02);
	assert_int_equal(cmos_read(RTC_CENTURY), 0x20);
}

static void test_memory_size_bytes(void **state)
{
	(void)state;
	start_at(2024, 5, 5, 10, 20, 45);
	rtc_set_memory_size(&rtc, 0xc0000000ull, 0x140000000ull);
	assert_int_equal(cmos_read(0x15) | cmos_read(0x16) << 8, 640);
	assert_int_equal(cmos_read(0x17) | cmos_read(0x18) << 8, 0xffff);
	assert_int_equal(cmos_read(0x30) | cmos_read(0x31) << 8, 0xffff);
	assert_int_equal(cmos_read(0x34) | cmos_read(0x35) << 8,
			 (0xc0000000 - 0x1000000) >> 16);
	assert_int_equal(cmos_read(0x5b) | cmos_read(0x5c) << 8 |
				 cmos_read(0x5d) << 16,
			 0x14000);
	rtc_set_memory_size(&rtc, 8 << 20, 0);
	assert_int_equal(cmos_read(0x17) | cmos_read(0x18) << 8, 7 * 1024);
	assert_int_equal(cmos_read(0x34) | cmos_read(0x35) << 8, 0);
}

static void test_bad_access(void **state)
{
	uint32_t v = 0;

	(void)state;
	start_at(2024, 5, 5, 10, 20, 45);
	rtc_io(&rtc, 0x72, 1, false, &v);
	assert_int_equal(v, 0xff);
	rtc_io(&rtc, 0x70, 3, false, &v);
	assert_int_equal(v, 0xffffffffu);
	/* A word write: index to 0x70, data to 0x71. */
	v = 0x7740;
	rtc_io(&rtc, 0x70, 2, true, &v);
	assert_int_equal(cmos_read(0x40), 0x77);
	outb(0x70, 0x40);
	rtc_io(&rtc, 0x70, 4, false, &v);
	assert_int_equal(v, 0xffff7740u);
}

static bool same_time(const struct rtc_time *a, const struct rtc_time *b)
{
	return a->year == b->year && a->month == b->month && a->day == b->day &&
	       a->hour == b->hour && a->minute == b->minute &&
	       a->second == b->second;
}

static void test_unix_known_values(void **state)
{
	struct rtc_time t;
	const struct {
		uint64_t secs;
		struct rtc_time t;
	} cases[] = {
		{ 0, { 1970, 1, 1, 0, 0, 0 } },
		{ 951782400, { 2000, 2, 29, 0, 0, 0 } },
		{ 1709251199, { 2024, 2, 29, 23, 59, 59 } },
		{ 4102444800ull, { 2100, 1, 1, 0, 0, 0 } },
		{ 4107542400ull, { 2100, 3, 1, 0, 0, 0 } },
		{ 253402300799ull, { 9999, 12, 31, 23, 59, 59 } },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(rtc_time_to_unix(&cases[i].t), cases[i].secs);
		rtc_unix_to_time(cases[i].secs, &t);
		assert_true(same_time(&t, &cases[i].t));
	}
	/* Past the end: the last second. */
	rtc_unix_to_time(~0ull, &t);
	assert_int_equal(t.year, 9999);
	assert_int_equal(t.second, 59);
	/* Clamping. */
	t = (struct rtc_time){ 2023, 2, 30, 25, 61, 99 };
	assert_int_equal(rtc_time_to_unix(&t), 1677628799); /* 02-28 23:59:59 */
	t = (struct rtc_time){ 1900, 0, 0, 0, 0, 0 };
	assert_int_equal(rtc_time_to_unix(&t), 0);
}

/* Walk every day from 1970 to 2400 naively and check both directions. */
static void test_unix_round_trip_days(void **state)
{
	static const uint8_t len[12] = { 31, 28, 31, 30, 31, 30,
					 31, 31, 30, 31, 30, 31 };
	struct rtc_time want = { 1970, 1, 1, 0, 0, 0 }, got;
	uint64_t days = 0;

	(void)state;
	while (want.year < 2401) {
		uint64_t secs = days * 86400 + (days % 86400);
		bool leap = (want.year % 4 == 0 && want.year % 100 != 0) ||
			    want.year % 400 == 0;
		unsigned mlen = len[want.month - 1] + (want.month == 2 && leap);

		want.hour = (uint8_t)(days % 86400 / 3600);
		want.minute = (uint8_t)(days % 86400 / 60 % 60);
		want.second = (uint8_t)(days % 60);
		rtc_unix_to_time(secs, &got);
		if (!same_time(&got, &want))
			fail_msg("day %llu: got %u-%u-%u", (unsigned long long)days,
				 got.year, got.month, got.day);
		assert_int_equal(rtc_time_to_unix(&want), secs);
		days++;
		if (++want.day > mlen) {
			want.day = 1;
			if (++want.month > 12) {
				want.month = 1;
				want.year++;
			}
		}
	}
	assert_int_equal(days, 157420); /* 1970-01-01 .. 2400-12-31 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_bcd),
		cmocka_unit_test(test_binary_mode),
		cmocka_unit_test(test_12_hour_mode),
		cmocka_unit_test(test_time_advances_with_clock),
		cmocka_unit_test(test_rollover_midnight),
		cmocka_unit_test(test_rollover_leap_february),
		cmocka_unit_test(test_rollover_new_year),
		cmocka_unit_test(test_set_bit_sets_time),
		cmocka_unit_test(test_write_while_running),
		cmocka_unit_test(test_garbage_time_is_clamped),
		cmocka_unit_test(test_status_c_read_clears_uf),
		cmocka_unit_test(test_update_interrupt),
		cmocka_unit_test(test_alarm_interrupt),
		cmocka_unit_test(test_alarm_dont_care),
		cmocka_unit_test(test_set_clears_uie),
		cmocka_unit_test(test_irqf_follows_enables),
		cmocka_unit_test(test_status_registers_read_only_bits),
		cmocka_unit_test(test_uip_window),
		cmocka_unit_test(test_nmi_mask_bit),
		cmocka_unit_test(test_cmos_ram),
		cmocka_unit_test(test_memory_size_bytes),
		cmocka_unit_test(test_bad_access),
		cmocka_unit_test(test_unix_known_values),
		cmocka_unit_test(test_unix_round_trip_days),
	};

	return cmocka_run_group_tests_name("rtc", tests, NULL, NULL);
}
