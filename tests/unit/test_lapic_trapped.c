/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for what the local APIC model owes its vCPU when its page is
 * trapped (apicv = off) and what it owes a guest that moves its TSC:
 *
 *  - a write that makes an interrupt deliverable (self-IPI, a TSC deadline
 *    already past, an EOI or TPR write that unblocks a waiting vector)
 *    calls ops.kick at once, so the next VM entry delivers it, with the
 *    clock standing still;
 *  - a periodic timer shorter than the minimum interval coalesces the
 *    periods it could not deliver and never re-arms Shale's timer sooner
 *    than that interval (a count of 1 must not freeze its guest);
 *  - IA32_TSC_DEADLINE is a value of the guest's TSC, host TSC + offset.
 *
 * The harness is in lapic_harness.h (clock moved by hand, kicks counted).
 */
#include "tests/unit/lapic_harness.h"

/* The minimum periodic re-arm interval at the harness's 1 GHz: 100 us.
 * Written out, not taken from the model, so that it says what the model
 * must do. */
#define MIN_TICKS 100000u

/* Run the timers that are due now, each once at the current time, as
 * vmm/platform.c does when a vCPU exits for its next deadline; return
 * how many fired. fake_advance_to() instead fires each timer at its own
 * deadline, as if time passed continuously. */
static unsigned run_due_now(void)
{
	unsigned fired = 0;

	for (;;) {
		struct vdev_timer *t = &L.timer;

		if (!t->armed || t->deadline > F.clock.now)
			break;
		t->armed = false;
		t->fn(t, F.clock.now);
		fired++;
		assert_true(fired < 1000); /* an exit storm, not a timer */
	}
	return fired;
}

/* --- 1. entry work ------------------------------------------------------ */

static void self_ipi_kicks(void **state)
{
	(void)state;
	enable();
	F.kicks = 0;
	wr(LAPIC_ICR_LOW, (1u << 18) | 0x40); /* shorthand "self", fixed */
	assert_true(F.kicks >= 1);
	assert_int_equal(lapic_pending_vector(&L), 0x40);
	take(0x40);
	wr(LAPIC_EOI, 0);

	/* Physical destination = own ID, no shorthand. */
	F.kicks = 0;
	wr(LAPIC_ICR_HIGH, 3u << 24);
	wr(LAPIC_ICR_LOW, 0x41);
	assert_true(F.kicks >= 1);
	assert_int_equal(lapic_pending_vector(&L), 0x41);

	/* x2APIC SELF IPI (MSR 0x83F). */
	F.kicks = 0;
	assert_int_equal(lapic_msr_write(&L, LAPIC_MSR_BASE + (LAPIC_SELF_IPI >> 4),
					 0x90), 0);
	assert_true(F.kicks >= 1);
	assert_int_equal(lapic_pending_vector(&L), 0x90);
	assert_int_equal(F.clock.now, 1000); /* the clock never moved */
}

static void past_tsc_deadline_kicks(void **state)
{
	(void)state;
	enable();
	wr(LAPIC_LVT_TIMER, (LAPIC_TIMER_TSC_DEADLINE << 17) | 0x32);
	F.kicks = 0;
	lapic_set_tsc_deadline(&L, 10); /* the TSC is at 1000 */
	assert_true(F.kicks >= 1);
	assert_int_equal(lapic_pending_vector(&L), 0x32);
	assert_int_equal(lapic_get_tsc_deadline(&L), 0); /* fired */
	assert_int_equal(F.clock.now, 1000);
}

static void timer_expiry_kicks(void **state)
{
	(void)state;
	enable();
	wr(LAPIC_TIMER_DCR, 0xb);
	wr(LAPIC_LVT_TIMER, 0x33);
	wr(LAPIC_TIMER_ICR, 100);
	F.kicks = 0;
	advance_to(1100);
	assert_true(F.kicks >= 1);
	assert_int_equal(lapic_pending_vector(&L), 0x33);
}

/* An EOI that retires the vector blocking a lower one, and a TPR write
 * below a waiting vector, make it deliverable: the vCPU must look. */
static void unblocking_writes_kick(void **state)
{
	(void)state;
	enable();
	lapic_accept(&L, 0x50, false);
	take(0x50);
	lapic_accept(&L, 0x40, false);
	assert_int_equal(lapic_pending_vector(&L), -1); /* below ISR 0x50 */
	F.kicks = 0;
	wr(LAPIC_EOI, 0);
	assert_true(F.kicks >= 1);
	assert_int_equal(lapic_pending_vector(&L), 0x40);
	take(0x40);
	wr(LAPIC_EOI, 0);

	wr(LAPIC_TPR, 0x60);
	lapic_accept(&L, 0x45, false);
	assert_int_equal(lapic_pending_vector(&L), -1);
	F.kicks = 0;
	wr(LAPIC_TPR, 0x20);
	assert_true(F.kicks >= 1);
	assert_int_equal(lapic_pending_vector(&L), 0x45);

	/* Nothing deliverable, nothing asked: a TPR write that blocks. */
	F.kicks = 0;
	wr(LAPIC_TPR, 0x60);
	assert_int_equal(F.kicks, 0);
}

/* A LINT1 programmed as NMI raises the NMI at once. */
static void lint_nmi_kicks(void **state)
{
	(void)state;
	lapic_virtual_wire(&L);
	F.kicks = 0;
	lapic_set_lint(&L, 1, true);
	assert_true(F.kicks >= 1);
	assert_true(lapic_take_nmi(&L));
}

/* --- 2. short periodic timers ------------------------------------------ */

/* Count 1, divide by 1: a period of one TSC tick. The guest never takes
 * the interrupt (IF = 0): IRR holds one bit, Shale's timer keeps its
 * distance. */
static void periodic_count1_coalesces(void **state)
{
	(void)state;
	enable();
	wr(LAPIC_TIMER_DCR, 0xb);
	wr(LAPIC_LVT_TIMER, (LAPIC_TIMER_PERIODIC << 17) | 0x31);
	wr(LAPIC_TIMER_ICR, 1);

	/* An exit a whole second later: one firing, and the next deadline
	 * is no sooner than the minimum, not at the next tick. */
	F.clock.now += 1000000000ull;
	assert_true(run_due_now() <= 2);
	assert_true(L.timer.armed);
	assert_true(L.timer.deadline >= F.clock.now + MIN_TICKS);

	/* Ten minimum intervals of continuous time: about ten firings, not
	 * one per tick. */
	F.clock.arms = 0;
	advance_to(F.clock.now + 10ull * MIN_TICKS);
	assert_true(F.clock.arms <= 11);
	assert_true(L.timer.deadline >= F.clock.now + 1);

	/* One pending bit however many periods passed; the timer counts on. */
	take(0x31);
	assert_int_equal(lapic_pending_vector(&L), -1);
	assert_int_equal(rd(LAPIC_TIMER_CCR), 1);
}

/* The same with the entry masked: nothing to deliver, still bounded. */
static void periodic_count1_masked(void **state)
{
	(void)state;
	enable();
	wr(LAPIC_TIMER_DCR, 0xb);
	wr(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | (LAPIC_TIMER_PERIODIC << 17) | 0x31);
	wr(LAPIC_TIMER_ICR, 1);
	F.clock.now += 5000000ull;
	assert_true(run_due_now() <= 2);
	assert_true(L.timer.deadline >= F.clock.now + MIN_TICKS);
	F.clock.arms = 0;
	advance_to(F.clock.now + 10ull * MIN_TICKS);
	assert_true(F.clock.arms <= 11);
	assert_false(bit(LAPIC_IRR, 0x31));
}

/* A short period keeps its phase: the re-arm lands on a period boundary
 * at least the minimum away. A period at the minimum is not touched. */
static void periodic_short_keeps_phase(void **state)
{
	(void)state;
	enable();
	wr(LAPIC_TIMER_DCR, 0xb);
	wr(LAPIC_LVT_TIMER, (LAPIC_TIMER_PERIODIC << 17) | 0x31);
	wr(LAPIC_TIMER_ICR, 7); /* loaded at 1000 */
	F.clock.now = 5000;
	assert_int_equal(run_due_now(), 1);
	assert_int_equal((L.timer.deadline - 1000) % 7, 0);
	assert_true(L.timer.deadline >= 5000 + MIN_TICKS);
	assert_true(L.timer.deadline < 5000 + MIN_TICKS + 7);

	wr(LAPIC_TIMER_ICR, MIN_TICKS); /* loaded at 5000 */
	advance_to(5000 + MIN_TICKS);
	assert_int_equal(L.timer.deadline, 5000 + 2 * MIN_TICKS);
}

/* --- 3. TSC-deadline in the guest's TSC -------------------------------- */

static void tsc_deadline_guest_time(void **state)
{
	(void)state;
	enable();
	wr(LAPIC_LVT_TIMER, (LAPIC_TIMER_TSC_DEADLINE << 17) | 0x32);
	/* The guest set its TSC one million ahead: guest TSC 1001000 now. */
	lapic_set_tsc_offset(&L, 1000000);
	lapic_set_tsc_deadline(&L, 1001500);
	assert_int_equal(lapic_get_tsc_deadline(&L), 1001500); /* as written */
	assert_true(L.timer.armed);
	assert_int_equal(L.timer.deadline, 1500); /* host TSC */
	advance_to(1499);
	assert_int_equal(lapic_pending_vector(&L), -1);
	advance_to(1500);
	take(0x32);
	wr(LAPIC_EOI, 0);
	assert_int_equal(lapic_get_tsc_deadline(&L), 0);

	/* Past in the guest's TSC, future in the host's: fires at once. */
	lapic_set_tsc_deadline(&L, 900000);
	assert_int_equal(lapic_pending_vector(&L), 0x32);
	assert_int_equal(lapic_get_tsc_deadline(&L), 0);
	take(0x32);
	wr(LAPIC_EOI, 0);

	/* A guest TSC behind the host's (it wrote a small value). */
	lapic_set_tsc_offset(&L, (uint64_t)-1500); /* guest TSC 0 */
	lapic_set_tsc_deadline(&L, 700);
	assert_int_equal(L.timer.deadline, 2200);
	assert_int_equal(lapic_get_tsc_deadline(&L), 700);
}

/* Moving the TSC under an armed deadline moves when it falls due; moving
 * it past the deadline fires it (the timer compares the TSC). */
static void tsc_write_moves_deadline(void **state)
{
	(void)state;
	enable();
	wr(LAPIC_LVT_TIMER, (LAPIC_TIMER_TSC_DEADLINE << 17) | 0x32);
	lapic_set_tsc_deadline(&L, 50000);
	assert_int_equal(L.timer.deadline, 50000);
	lapic_set_tsc_offset(&L, 10000); /* guest TSC 11000 */
	assert_true(L.timer.armed);
	assert_int_equal(L.timer.deadline, 40000);
	assert_int_equal(lapic_get_tsc_deadline(&L), 50000);
	F.kicks = 0;
	lapic_set_tsc_offset(&L, 60000); /* guest TSC 61000: past it */
	assert_int_equal(lapic_pending_vector(&L), 0x32);
	assert_true(F.kicks >= 1);
	assert_false(L.timer.armed);
	assert_int_equal(lapic_get_tsc_deadline(&L), 0);
	/* No deadline armed: an offset change arms nothing. */
	lapic_set_tsc_offset(&L, 0);
	assert_false(L.timer.armed);
	/* Other modes do not care. */
	wr(LAPIC_TIMER_DCR, 0xb);
	wr(LAPIC_LVT_TIMER, 0x33);
	wr(LAPIC_TIMER_ICR, 100);
	lapic_set_tsc_offset(&L, 123456);
	assert_int_equal(L.timer.deadline, 1100);
}

/* A deadline far ahead of a guest TSC near its start does not wrap the
 * host deadline into the past. */
static void tsc_deadline_no_wrap(void **state)
{
	(void)state;
	enable();
	wr(LAPIC_LVT_TIMER, (LAPIC_TIMER_TSC_DEADLINE << 17) | 0x32);
	lapic_set_tsc_offset(&L, (uint64_t)-1000); /* guest TSC 0 */
	lapic_set_tsc_deadline(&L, UINT64_MAX);
	assert_true(L.timer.armed);
	assert_int_equal(L.timer.deadline, UINT64_MAX);
	assert_int_equal(lapic_pending_vector(&L), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(self_ipi_kicks, setup),
		cmocka_unit_test_setup(past_tsc_deadline_kicks, setup),
		cmocka_unit_test_setup(timer_expiry_kicks, setup),
		cmocka_unit_test_setup(unblocking_writes_kick, setup),
		cmocka_unit_test_setup(lint_nmi_kicks, setup),
		cmocka_unit_test_setup(periodic_count1_coalesces, setup),
		cmocka_unit_test_setup(periodic_count1_masked, setup),
		cmocka_unit_test_setup(periodic_short_keeps_phase, setup),
		cmocka_unit_test_setup(tsc_deadline_guest_time, setup),
		cmocka_unit_test_setup(tsc_write_moves_deadline, setup),
		cmocka_unit_test_setup(tsc_deadline_no_wrap, setup),
	};

	return cmocka_run_group_tests_name("lapic_trapped", tests, NULL, NULL);
}
