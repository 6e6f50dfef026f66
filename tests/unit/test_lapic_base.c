/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for IA32_APIC_BASE in the local APIC model (lapic_base.c):
 * the mode transitions of Intel SDM Vol. 3A, 11.12.5, what disabling
 * does, what INIT keeps, and the xAPIC page in the other modes; and the
 * timer hook through which an integrator takes the timer's vector (a
 * timer that runs on another CPU than its vCPU). Harness: lapic_harness.h.
 */
#include "tests/unit/lapic_harness.h"

#define XAPIC (APIC_BASE_EN)
#define X2APIC (APIC_BASE_EN | APIC_BASE_EXTD)

static void power_up_state(void **state)
{
	(void)state;
	struct lapic bsp;
	static uint32_t page0[LAPIC_SIZE / 4] __attribute__((aligned(4096)));

	assert_int_equal(lapic_get_apic_base(&L), 0xfee00000ull | APIC_BASE_EN);
	assert_false(lapic_x2apic_mode(&L));
	lapic_init(&bsp, 0, page0, &F.plat, &ops);
	assert_int_equal(lapic_get_apic_base(&bsp),
			 0xfee00000ull | APIC_BASE_EN | APIC_BASE_BSP);
}

static void valid_transitions(void **state)
{
	(void)state;
	/* xAPIC -> x2APIC -> disabled -> xAPIC -> disabled -> xAPIC */
	assert_int_equal(lapic_set_apic_base(&L, X2APIC), 0);
	assert_true(lapic_x2apic_mode(&L));
	assert_int_equal(lapic_set_apic_base(&L, 0), 0);
	assert_false(lapic_x2apic_mode(&L));
	assert_int_equal(lapic_set_apic_base(&L, XAPIC), 0);
	assert_int_equal(lapic_get_apic_base(&L), 0xfee00000ull | XAPIC);
	assert_int_equal(lapic_set_apic_base(&L, 0), 0);
	assert_int_equal(lapic_set_apic_base(&L, XAPIC), 0);
	/* Writing the same mode again is no transition, and allowed. */
	assert_int_equal(lapic_set_apic_base(&L, XAPIC), 0);
	assert_int_equal(lapic_set_apic_base(&L, X2APIC), 0);
	assert_int_equal(lapic_set_apic_base(&L, X2APIC), 0);
}

static void invalid_transitions(void **state)
{
	(void)state;
	/* Into the invalid state (EN = 0, EXTD = 1), from each state. */
	assert_int_equal(lapic_set_apic_base(&L, APIC_BASE_EXTD), -1);
	assert_int_equal(lapic_set_apic_base(&L, X2APIC), 0);
	assert_int_equal(lapic_set_apic_base(&L, APIC_BASE_EXTD), -1);
	/* x2APIC -> xAPIC. */
	assert_int_equal(lapic_set_apic_base(&L, XAPIC), -1);
	assert_true(lapic_x2apic_mode(&L)); /* nothing changed */
	/* disabled -> x2APIC. */
	assert_int_equal(lapic_set_apic_base(&L, 0), 0);
	assert_int_equal(lapic_set_apic_base(&L, X2APIC), -1);
	assert_int_equal(lapic_set_apic_base(&L, APIC_BASE_EXTD), -1);
	assert_int_equal(lapic_get_apic_base(&L), 0xfee00000ull);
}

static void bsp_is_not_the_guests(void **state)
{
	(void)state;
	assert_int_equal(lapic_set_apic_base(&L, XAPIC | APIC_BASE_BSP), 0);
	assert_false(lapic_get_apic_base(&L) & APIC_BASE_BSP);
}

static void disable_resets_and_blocks(void **state)
{
	(void)state;
	enable();
	wr(LAPIC_TPR, 0x20);
	wr(LAPIC_LVT_TIMER, 0x30);
	lapic_accept(&L, 0x40, false);
	assert_int_equal(lapic_set_apic_base(&L, 0), 0);
	assert_false(lapic_enabled(&L));
	/* Globally disabled: nothing accepted, the page not decoded. */
	lapic_accept(&L, 0x41, false);
	assert_false(bit(LAPIC_IRR, 0x41));
	wr(LAPIC_SVR, LAPIC_SVR_ENABLE | 0xff);
	assert_false(lapic_enabled(&L));
	/* Enabled again: the power-up registers. */
	assert_int_equal(lapic_set_apic_base(&L, XAPIC), 0);
	assert_int_equal(rd(LAPIC_SVR), 0xff);
	assert_int_equal(rd(LAPIC_TPR), 0);
	assert_int_equal(rd(LAPIC_LVT_TIMER), LAPIC_LVT_MASKED);
	assert_false(bit(LAPIC_IRR, 0x40));
	assert_int_equal(rd(LAPIC_ID), 3u << 24);
}

static void x2apic_mode_hides_the_page(void **state)
{
	(void)state;
	uint64_t v;

	enable();
	assert_int_equal(lapic_set_apic_base(&L, X2APIC), 0);
	/* The registers are kept across the switch, but only as MSRs. */
	assert_int_equal(lapic_msr_read(&L, 0x80f, &v), 0);
	assert_int_equal(v, 0x1ff);
	assert_int_equal(rd(LAPIC_SVR), 0);
	wr(LAPIC_TPR, 0x30);
	assert_int_equal(lapic_tpr(&L), 0);
	/* INIT keeps x2APIC mode (SDM 11.12.5.1). */
	lapic_reset(&L);
	assert_true(lapic_x2apic_mode(&L));
}

/* --- the timer hook --------------------------------------------------- */

static unsigned hook_calls;
static uint8_t hook_vector;

static void op_timer(void *ctx, uint8_t vector)
{
	(void)ctx;
	hook_calls++;
	hook_vector = vector;
}

static void timer_goes_through_the_hook(void **state)
{
	(void)state;
	struct lapic_ops with_hook = ops;

	with_hook.timer = op_timer;
	hook_calls = 0;
	lapic_init(&L, 3, page, &F.plat, &with_hook);
	enable();
	wr(LAPIC_LVT_TIMER, 0x31);
	wr(LAPIC_TIMER_DCR, 0xb); /* divide by 1 */
	wr(LAPIC_TIMER_ICR, 10);
	advance_to(1000 + 10);
	assert_int_equal(hook_calls, 1);
	assert_int_equal(hook_vector, 0x31);
	/* The model did not write its page: the integrator decides. */
	assert_false(bit(LAPIC_IRR, 0x31));
	/* Masked: no call. */
	wr(LAPIC_LVT_TIMER, 0x31 | LAPIC_LVT_MASKED);
	wr(LAPIC_TIMER_ICR, 10);
	advance_to(1000 + 100);
	assert_int_equal(hook_calls, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(power_up_state, setup),
		cmocka_unit_test_setup(valid_transitions, setup),
		cmocka_unit_test_setup(invalid_transitions, setup),
		cmocka_unit_test_setup(bsp_is_not_the_guests, setup),
		cmocka_unit_test_setup(disable_resets_and_blocks, setup),
		cmocka_unit_test_setup(x2apic_mode_hides_the_page, setup),
		cmocka_unit_test_setup(timer_goes_through_the_hook, setup),
	};

	return cmocka_run_group_tests_name("lapic_base", tests, NULL, NULL);
}
