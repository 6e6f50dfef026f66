/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the local APIC model (vmm/vdev/): the timer, one-shot, periodic and TSC-deadline (lapic_timer.c). The harness is in
 * lapic_harness.h.
 */
#include "tests/unit/lapic_harness.h"

/* --- timer -------------------------------------------------------------- */

static void timer_oneshot(void **state)
{
	(void)state;
	enable();
	wr(LAPIC_TIMER_DCR, 0x3); /* divide by 16 */
	wr(LAPIC_LVT_TIMER, 0x30);
	wr(LAPIC_TIMER_ICR, 100); /* at 1000: expires at 1000 + 1600 */
	assert_int_equal(rd(LAPIC_TIMER_ICR), 100);
	assert_int_equal(rd(LAPIC_TIMER_CCR), 100);
	advance_to(1000 + 160);
	assert_int_equal(rd(LAPIC_TIMER_CCR), 90);
	advance_to(1000 + 1599);
	assert_int_equal(rd(LAPIC_TIMER_CCR), 1);
	assert_int_equal(lapic_pending_vector(&L), -1);
	advance_to(2600);
	assert_int_equal(lapic_pending_vector(&L), 0x30);
	assert_int_equal(rd(LAPIC_TIMER_CCR), 0);
	take(0x30);
	wr(LAPIC_EOI, 0);
	advance_to(100000);
	assert_int_equal(lapic_pending_vector(&L), -1); /* once only */
	assert_int_equal(rd(LAPIC_TIMER_CCR), 0);
}

static void timer_periodic(void **state)
{
	(void)state;
	/* A 1 MHz TSC: the 100-tick period is 100 us, not below the minimum
	 * a periodic timer re-arms at (LAPIC_TIMER_MIN_US; shorter ones are
	 * in test_lapic_trapped.c). */
	F.plat.hz = 1000000;
	enable();
	wr(LAPIC_TIMER_DCR, 0x0); /* divide by 2 */
	wr(LAPIC_LVT_TIMER, (LAPIC_TIMER_PERIODIC << 17) | 0x31);
	wr(LAPIC_TIMER_ICR, 50); /* period 100 ticks from 1000 */
	for (unsigned k = 1; k <= 3; k++) {
		advance_to(1000 + k * 100 - 1);
		assert_int_equal(lapic_pending_vector(&L), -1);
		assert_int_equal(rd(LAPIC_TIMER_CCR), 1);
		advance_to(1000 + k * 100);
		assert_int_equal(rd(LAPIC_TIMER_CCR), 50); /* reloaded */
		take(0x31);
		wr(LAPIC_EOI, 0);
	}
	advance_to(1000 + 300 + 40);
	assert_int_equal(rd(LAPIC_TIMER_CCR), 30);
	/* A run 650 ticks late fires once, re-arms at the next boundary. */
	F.clock.now = 1000 + 1050;
	advance_to(F.clock.now);
	take(0x31);
	assert_int_equal(L.timer.deadline, 1000 + 1100);
	/* Writing 0 stops it. */
	wr(LAPIC_TIMER_ICR, 0);
	wr(LAPIC_EOI, 0);
	advance_to(10000);
	assert_int_equal(lapic_pending_vector(&L), -1);
	assert_int_equal(rd(LAPIC_TIMER_CCR), 0);
}

static void timer_divider_values(void **state)
{
	(void)state;
	static const struct { uint32_t dcr, div; } t[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
	};

	enable();
	wr(LAPIC_LVT_TIMER, 0x30);
	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		wr(LAPIC_TIMER_DCR, t[i].dcr);
		wr(LAPIC_TIMER_ICR, 10);
		assert_true(L.timer.armed);
		assert_int_equal(L.timer.deadline, F.clock.now + 10 * t[i].div);
	}
}

static void timer_masked_still_counts(void **state)
{
	(void)state;
	enable();
	wr(LAPIC_TIMER_DCR, 0xb); /* divide by 1 */
	wr(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | 0x30);
	wr(LAPIC_TIMER_ICR, 1000);
	advance_to(1500);
	assert_int_equal(rd(LAPIC_TIMER_CCR), 500);
	advance_to(5000);
	assert_int_equal(rd(LAPIC_TIMER_CCR), 0);
	assert_int_equal(lapic_pending_vector(&L), -1);
	assert_false(bit(LAPIC_IRR, 0x30));
}

static void timer_tsc_deadline(void **state)
{
	(void)state;
	enable();
	/* Outside TSC-deadline mode the MSR is ignored and reads 0. */
	lapic_set_tsc_deadline(&L, 5000);
	assert_int_equal(lapic_get_tsc_deadline(&L), 0);
	assert_false(L.timer.armed);
	wr(LAPIC_LVT_TIMER, (LAPIC_TIMER_TSC_DEADLINE << 17) | 0x32);
	/* The initial count is ignored in this mode. */
	wr(LAPIC_TIMER_ICR, 10);
	assert_int_equal(rd(LAPIC_TIMER_ICR), 0);
	assert_false(L.timer.armed);
	lapic_set_tsc_deadline(&L, 5000);
	assert_int_equal(lapic_get_tsc_deadline(&L), 5000);
	advance_to(4999);
	assert_int_equal(lapic_pending_vector(&L), -1);
	advance_to(5000);
	take(0x32);
	wr(LAPIC_EOI, 0);
	assert_int_equal(lapic_get_tsc_deadline(&L), 0); /* cleared on fire */
	/* A deadline in the past fires at once; 0 disarms. */
	lapic_set_tsc_deadline(&L, 10);
	take(0x32);
	wr(LAPIC_EOI, 0);
	lapic_set_tsc_deadline(&L, 9000);
	lapic_set_tsc_deadline(&L, 0);
	advance_to(20000);
	assert_int_equal(lapic_pending_vector(&L), -1);
	/* Leaving the mode disarms. */
	lapic_set_tsc_deadline(&L, 30000);
	wr(LAPIC_LVT_TIMER, 0x32);
	assert_int_equal(lapic_get_tsc_deadline(&L), 0);
	advance_to(40000);
	assert_int_equal(lapic_pending_vector(&L), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(timer_oneshot, setup),
		cmocka_unit_test_setup(timer_periodic, setup),
		cmocka_unit_test_setup(timer_divider_values, setup),
		cmocka_unit_test_setup(timer_masked_still_counts, setup),
		cmocka_unit_test_setup(timer_tsc_deadline, setup),
	};

	return cmocka_run_group_tests_name("lapic_timer", tests, NULL, NULL);
}
