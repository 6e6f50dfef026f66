/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for vmm/vdev/acpi_pm.c: the PM1 event and control
 * registers, the PM timer, the SCI, and the reset ports, driven through
 * the real port registry (vmm/io.c) on a fake platform whose clock and
 * timer the tests move by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "vmm/io.h"
#include "vmm/vdev/acpi.h"

static const struct acpi_config cfg4 = {
	.n_cpus = 4,
	.ioapic_addr = 0xfec00000,
	.ioapic_id = 4,
	.pm_base = 0x600,
	.sci_gsi = 9,
};

struct fake {
	uint64_t now;
	bool irq[24];
	unsigned irq_changes;
	struct vdev_timer *timer;
	unsigned sleeps, last_typ, resets;
};

static struct fake fk;

static uint64_t fake_now(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static void fake_set_irq(void *ctx, unsigned gsi, bool level)
{
	struct fake *f = ctx;

	assert_true(gsi < 24);
	f->irq[gsi] = level;
	f->irq_changes++;
}

static void fake_arm(void *ctx, struct vdev_timer *t, uint64_t deadline)
{
	t->deadline = deadline;
	t->armed = true;
	((struct fake *)ctx)->timer = t;
}

static void fake_cancel(void *ctx, struct vdev_timer *t)
{
	(void)ctx;
	t->armed = false;
}

/* Advance the clock, firing the timer if it came due. */
static void advance(uint64_t ticks)
{
	fk.now += ticks;
	if (fk.timer && fk.timer->armed && fk.timer->deadline <= fk.now) {
		fk.timer->armed = false;
		fk.timer->fn(fk.timer, fk.now);
	}
}

#define HZ 1000000000ull /* a 1 GHz TSC */

static const struct vdev_platform plat = {
	.ctx = &fk,
	.hz = HZ,
	.now = fake_now,
	.set_irq = fake_set_irq,
	.timer_arm = fake_arm,
	.timer_cancel = fake_cancel,
};

static void on_sleep(void *ctx, unsigned typ)
{
	struct fake *f = ctx;

	f->sleeps++;
	f->last_typ = typ;
}

static void on_reset(void *ctx)
{
	((struct fake *)ctx)->resets++;
}

static const struct acpi_pm_ops ops = { on_sleep, on_reset, &fk };
static struct acpi_pm pm;
static struct io_bus bus;

static int pm_setup(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	memset(&bus, 0, sizeof(bus));
	fk.now = 123456789; /* the timer counts from init, not from 0 */
	acpi_pm_init(&pm, &cfg4, &plat, &ops);
	assert_int_equal(acpi_pm_attach(&pm, &bus), 0);
	return 0;
}

static uint32_t in(uint16_t port, unsigned size)
{
	uint32_t v = 0xdeadbeef;

	assert_true(io_access(&bus, port, size, false, &v));
	return v;
}

static void out(uint16_t port, unsigned size, uint32_t v)
{
	assert_true(io_access(&bus, port, size, true, &v));
}

static void test_pm_sleep_s5(void **state)
{
	(void)state;
	out(0x604, 2, 5u << 10); /* SLP_TYP alone: nothing yet */
	assert_int_equal(fk.sleeps, 0);
	out(0x604, 2, 5u << 10 | 1u << 13);
	assert_int_equal(fk.sleeps, 1);
	assert_int_equal(fk.last_typ, 5);
	/* SLP_EN reads 0, SLP_TYP is kept, and the guest woke: WAK_STS. */
	assert_int_equal(in(0x604, 2) & 0x3c00, 5u << 10);
	assert_true(in(0x600, 2) & 0x8000);
}

static void test_pm_sleep_byte_write(void **state)
{
	(void)state;
	/* High byte of PM1_CNT only: SLP_TYP 3, SLP_EN. */
	out(0x605, 1, (3u << 2) | (1u << 5));
	assert_int_equal(fk.sleeps, 1);
	assert_int_equal(fk.last_typ, 3);
}

static void test_pm_sci_en_always(void **state)
{
	(void)state;
	assert_int_equal(in(0x604, 2) & 1, 1);
	out(0x604, 2, 0);
	assert_int_equal(in(0x604, 2) & 1, 1);
	assert_int_equal(in(0x606, 2), 0); /* reserved gap */
}

static void test_pm_status_w1c(void **state)
{
	(void)state;
	acpi_pm_power_button(&pm);
	assert_true(in(0x600, 2) & 0x100);
	out(0x600, 2, 0);        /* writing 0 keeps it */
	assert_true(in(0x600, 2) & 0x100);
	out(0x600, 2, 0x8000);   /* another bit: keeps it */
	assert_true(in(0x600, 2) & 0x100);
	out(0x601, 1, 0x01);     /* byte write to the high half clears */
	assert_false(in(0x600, 2) & 0x100);
}

static void test_pm_enable_and_sci(void **state)
{
	(void)state;
	acpi_pm_power_button(&pm);
	assert_false(fk.irq[9]); /* not enabled */
	out(0x602, 2, 0x100);    /* PWRBTN_EN */
	assert_true(fk.irq[9]);
	assert_int_equal(in(0x602, 2), 0x100);
	out(0x600, 2, 0x100);
	assert_false(fk.irq[9]);
	/* Reserved enable bits are not stored. */
	out(0x602, 2, 0xffff);
	assert_int_equal(in(0x602, 2), 0x4721);
}

static void test_pm_timer_rate(void **state)
{
	(void)state;
	assert_int_equal(in(0x608, 4), 0);
	advance(HZ);
	assert_int_equal(in(0x608, 4), 3579545);
	advance(HZ / 1000); /* 1 ms more: 3579.545 ticks */
	assert_int_equal(in(0x608, 4), 3579545 + 3579);
	assert_int_equal(acpi_pm_timer(&pm), 3579545 + 3579);
}

static void test_pm_timer_wraps(void **state)
{
	(void)state;
	advance(5 * HZ); /* 17897725 ticks: past 2^24 */
	assert_int_equal(in(0x608, 4), 17897725 - (1u << 24));
	/* Hours later the count is still exact modulo 2^24. */
	advance(3600 * HZ - 5 * HZ);
	assert_int_equal(in(0x608, 4),
			 (uint32_t)(3600ull * 3579545) & 0xffffff);
	assert_int_equal(in(0x608, 4) >> 24, 0);
}

static void test_pm_timer_byte_reads(void **state)
{
	uint32_t t;

	(void)state;
	advance(HZ);
	t = in(0x608, 1) | in(0x609, 1) << 8 | in(0x60a, 1) << 16 |
	    in(0x60b, 1) << 24;
	assert_int_equal(t, 3579545);
	out(0x608, 4, 0); /* read-only */
	assert_int_equal(in(0x608, 4), 3579545);
}

static void test_pm_tmr_sts_and_sci(void **state)
{
	(void)state;
	out(0x602, 2, 1); /* TMR_EN */
	assert_false(in(0x600, 2) & 1);
	assert_non_null(fk.timer);
	assert_true(fk.timer->armed);
	advance(2 * HZ); /* 7.16M ticks: bit 23 not yet flipped */
	assert_false(fk.irq[9]);
	advance(HZ / 2); /* 8.95M ticks > 2^23 */
	assert_true(fk.irq[9]);
	assert_true(in(0x600, 2) & 1);
	out(0x600, 2, 1);
	assert_false(in(0x600, 2) & 1);
	assert_false(fk.irq[9]);
	assert_true(fk.timer->armed);
}

static void test_pm_rst_cnt(void **state)
{
	(void)state;
	out(0xcf9, 1, 0x02); /* SYS_RST alone: stored, no reset */
	assert_int_equal(fk.resets, 0);
	assert_int_equal(in(0xcf9, 1), 0x02);
	out(0xcf9, 1, 0x06);
	assert_int_equal(fk.resets, 1);
	out(0xcf9, 1, 0x0e);
	assert_int_equal(fk.resets, 2);
	assert_int_equal(in(0xcf9, 1), 0x0a);
}

static void test_pm_port92(void **state)
{
	(void)state;
	assert_int_equal(in(0x92, 1), 0x02); /* A20 on */
	out(0x92, 1, 0x00);
	assert_int_equal(in(0x92, 1), 0x00);
	assert_int_equal(fk.resets, 0);
	out(0x92, 1, 0x03);
	assert_int_equal(fk.resets, 1);
	assert_int_equal(in(0x92, 1), 0x02);
}

static void test_pm_kbc_reset(void **state)
{
	uint32_t v = 0;

	(void)state;
	assert_int_equal(in(0x64, 1), 0);
	out(0x64, 1, 0xd1); /* another command: ignored */
	assert_int_equal(fk.resets, 0);
	out(0x64, 1, 0xfe);
	assert_int_equal(fk.resets, 1);
	assert_false(io_access(&bus, 0x60, 1, false, &v)); /* not ours */
}

static void test_pm_bad_size(void **state)
{
	uint32_t v = 0;

	(void)state;
	acpi_pm_io(&pm, 0x604, 3, true, &(uint32_t){ 5u << 10 | 1u << 13 });
	assert_int_equal(fk.sleeps, 0);
	acpi_pm_io(&pm, 0x600, 3, false, &v);
	assert_int_equal(v, 0xffffffff);
	acpi_pm_io(&pm, 0x700, 2, false, &v); /* not a port of the model */
	assert_int_equal(v, 0xffff);
	/* A dword read spilling past the block sees open bus there. */
	assert_int_equal(in(0x60a, 4) >> 16, 0xffff);
}

static void test_pm_attach_conflict(void **state)
{
	struct acpi_pm other;

	(void)state;
	acpi_pm_init(&other, &cfg4, &plat, &ops);
	assert_int_equal(acpi_pm_attach(&other, &bus), -1);
	assert_int_equal(bus.n, 4);
}

static void test_pm_reset_state(void **state)
{
	(void)state;
	out(0x602, 2, 0x100);
	acpi_pm_power_button(&pm);
	assert_true(fk.irq[9]);
	out(0x604, 2, 3u << 10);
	advance(HZ);
	acpi_pm_reset(&pm);
	assert_false(fk.irq[9]);
	assert_int_equal(in(0x600, 2), 0);
	assert_int_equal(in(0x602, 2), 0);
	assert_int_equal(in(0x604, 2), 1);
	assert_int_equal(in(0x608, 4), 0);
}

/* A sleep callback that resets the model must not see WAK_STS after. */
static void sleep_then_reset(void *ctx, unsigned typ)
{
	(void)ctx;
	(void)typ;
	acpi_pm_reset(&pm);
}

static void test_pm_sleep_reset_in_callback(void **state)
{
	struct acpi_pm_ops o = { sleep_then_reset, on_reset, &fk };

	(void)state;
	pm.ops = o;
	out(0x604, 2, 5u << 10 | 1u << 13);
	assert_int_equal(in(0x600, 2), 0);
	assert_int_equal(in(0x604, 2), 1);
}

#define PM_TEST(f) cmocka_unit_test_setup(f, pm_setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		PM_TEST(test_pm_sleep_s5),
		PM_TEST(test_pm_sleep_byte_write),
		PM_TEST(test_pm_sci_en_always),
		PM_TEST(test_pm_status_w1c),
		PM_TEST(test_pm_enable_and_sci),
		PM_TEST(test_pm_timer_rate),
		PM_TEST(test_pm_timer_wraps),
		PM_TEST(test_pm_timer_byte_reads),
		PM_TEST(test_pm_tmr_sts_and_sci),
		PM_TEST(test_pm_rst_cnt),
		PM_TEST(test_pm_port92),
		PM_TEST(test_pm_kbc_reset),
		PM_TEST(test_pm_bad_size),
		PM_TEST(test_pm_attach_conflict),
		PM_TEST(test_pm_reset_state),
		PM_TEST(test_pm_sleep_reset_in_callback),
	};

	return cmocka_run_group_tests_name("acpi_pm", tests, NULL, NULL);
}
