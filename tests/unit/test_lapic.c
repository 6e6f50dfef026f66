/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the local APIC model (vmm/vdev/): registers, priority and delivery, IPIs, x2APIC MSRs, LINT pins. The harness is in
 * lapic_harness.h.
 */
#include "tests/unit/lapic_harness.h"

/* --- registers ---------------------------------------------------------- */

static void reset_values(void **state)
{
	(void)state;
	assert_int_equal(rd(LAPIC_ID), 3u << 24);
	assert_int_equal(rd(LAPIC_VERSION), 0x50014);
	assert_int_equal(rd(LAPIC_SVR), 0xff);
	assert_int_equal(rd(LAPIC_TPR), 0);
	assert_int_equal(rd(LAPIC_PPR), 0);
	assert_int_equal(rd(LAPIC_DFR), 0xffffffffu);
	assert_int_equal(rd(LAPIC_LDR), 0);
	for (uint32_t off = LAPIC_LVT_TIMER; off <= LAPIC_LVT_ERROR; off += 16)
		assert_int_equal(rd(off), LAPIC_LVT_MASKED);
	assert_int_equal(rd(LAPIC_LVT_CMCI), LAPIC_LVT_MASKED);
	assert_int_equal(rd(LAPIC_TIMER_ICR), 0);
	assert_int_equal(rd(LAPIC_TIMER_CCR), 0);
	assert_false(lapic_enabled(&L));
	assert_false(lapic_lint0_is_extint(&L));
}

static void register_write_masks(void **state)
{
	(void)state;
	wr(LAPIC_SVR, 0xffffffffu);
	assert_int_equal(rd(LAPIC_SVR), 0x1ff);
	assert_true(lapic_enabled(&L));
	wr(LAPIC_TPR, 0x12345678);
	assert_int_equal(rd(LAPIC_TPR), 0x78);
	wr(LAPIC_LDR, 0x12345678);
	assert_int_equal(rd(LAPIC_LDR), 0x12000000);
	wr(LAPIC_DFR, 0x0);
	assert_int_equal(rd(LAPIC_DFR), 0x0fffffff);
	wr(LAPIC_ID, 0x07000000); /* read-only in this model */
	assert_int_equal(rd(LAPIC_ID), 3u << 24);
	wr(LAPIC_VERSION, 0);
	assert_int_equal(rd(LAPIC_VERSION), 0x50014);
	/* Timer LVT: vector, mask, mode; delivery status is read-only. */
	wr(LAPIC_LVT_TIMER, 0xffffffffu);
	assert_int_equal(rd(LAPIC_LVT_TIMER), 0x700ff);
	wr(LAPIC_LVT_LINT0, 0xffffffffu);
	assert_int_equal(rd(LAPIC_LVT_LINT0), 0x1a7ff);
	wr(LAPIC_TIMER_DCR, 0xff);
	assert_int_equal(rd(LAPIC_TIMER_DCR), 0xb);
	wr(LAPIC_ICR_HIGH, 0xffffffffu);
	assert_int_equal(rd(LAPIC_ICR_HIGH), 0xff000000u);
}

static void bad_offsets_and_sizes(void **state)
{
	(void)state;
	uint64_t v;

	enable();
	/* Wrong sizes: writes dropped, reads 0. */
	v = 0x40;
	lapic_mmio(&L, LAPIC_TPR, 1, true, &v);
	lapic_mmio(&L, LAPIC_TPR, 8, true, &v);
	lapic_mmio(&L, LAPIC_TPR, 2, true, &v);
	assert_int_equal(rd(LAPIC_TPR), 0);
	v = 0x1234;
	lapic_mmio(&L, LAPIC_VERSION, 8, false, &v);
	assert_int_equal(v, 0);
	v = 0x1234;
	lapic_mmio(&L, LAPIC_VERSION, 2, false, &v);
	assert_int_equal(v, 0);
	/* Misaligned and out of the page. */
	wr(LAPIC_TPR + 4, 0x40);
	assert_int_equal(rd(LAPIC_TPR), 0);
	assert_int_equal(rd(LAPIC_VERSION + 4), 0);
	v = 0x1234;
	lapic_mmio(&L, 0x1000, 4, false, &v);
	assert_int_equal(v, 0);
	lapic_mmio(&L, ~0ull - 15, 4, true, &v);
	/* A reserved register reads 0 and is reported in ESR. */
	assert_int_equal(rd(0x040), 0);
	assert_int_equal(rd(LAPIC_ESR), 0);
	wr(LAPIC_ESR, 0);
	assert_int_equal(rd(LAPIC_ESR), LAPIC_ESR_ILLEGAL_REG_ADDRESS);
	wr(LAPIC_ESR, 0);
	assert_int_equal(rd(LAPIC_ESR), 0);
	/* Writes to the read-only vector sets do nothing. */
	wr(LAPIC_IRR + 0x20, 0xffffffffu);
	assert_int_equal(lapic_pending_vector(&L), -1);
}

/* --- priority and delivery ------------------------------------------- */

static void tpr_and_ppr(void **state)
{
	(void)state;
	enable();
	wr(LAPIC_TPR, 0x45);
	assert_int_equal(rd(LAPIC_PPR), 0x45);
	lapic_accept(&L, 0x61, false);
	take(0x61);
	assert_int_equal(rd(LAPIC_PPR), 0x60); /* ISR class wins */
	wr(LAPIC_TPR, 0x75);
	assert_int_equal(rd(LAPIC_PPR), 0x75); /* TPR class wins */
	wr(LAPIC_TPR, 0);
	wr(LAPIC_EOI, 0);
	assert_int_equal(rd(LAPIC_PPR), 0);
}

static void tpr_blocks_lower_classes(void **state)
{
	(void)state;
	enable();
	wr(LAPIC_TPR, 0x50);
	lapic_accept(&L, 0x5f, false);
	assert_int_equal(lapic_pending_vector(&L), -1); /* same class */
	lapic_accept(&L, 0x60, false);
	assert_int_equal(lapic_pending_vector(&L), 0x60);
	take(0x60);
	assert_int_equal(lapic_pending_vector(&L), -1);
	wr(LAPIC_EOI, 0);
	wr(LAPIC_TPR, 0);
	assert_int_equal(lapic_pending_vector(&L), 0x5f);
}

static void accept_ack_eoi_ordering(void **state)
{
	(void)state;
	enable();
	lapic_accept(&L, 0x31, false);
	lapic_accept(&L, 0x52, false);
	lapic_accept(&L, 0x50, false);
	assert_true(bit(LAPIC_IRR, 0x31));
	assert_true(bit(LAPIC_IRR, 0x52));
	take(0x52);
	assert_false(bit(LAPIC_IRR, 0x52));
	assert_true(bit(LAPIC_ISR, 0x52));
	/* 0x50 is in the class being serviced: it waits. */
	assert_int_equal(lapic_pending_vector(&L), -1);
	/* A higher class nests. */
	lapic_accept(&L, 0x80, false);
	take(0x80);
	wr(LAPIC_EOI, 0); /* retires 0x80, the highest in service */
	assert_false(bit(LAPIC_ISR, 0x80));
	assert_true(bit(LAPIC_ISR, 0x52));
	assert_int_equal(lapic_pending_vector(&L), -1);
	wr(LAPIC_EOI, 0);
	assert_false(bit(LAPIC_ISR, 0x52));
	take(0x50);
	wr(LAPIC_EOI, 0);
	take(0x31);
	wr(LAPIC_EOI, 0);
	assert_int_equal(lapic_pending_vector(&L), -1);
	assert_int_equal(rd(LAPIC_PPR), 0);
	/* No edge vector called the EOI callback. */
	assert_int_equal(F.eois, 0);
}

static void eoi_with_nothing_in_service(void **state)
{
	(void)state;
	enable();
	lapic_accept(&L, 0x40, true);
	wr(LAPIC_EOI, 0);
	assert_int_equal(F.eois, 0);
	assert_true(bit(LAPIC_IRR, 0x40));
	/* Acknowledging a vector that is not requested changes nothing. */
	lapic_acknowledge(&L, 0x41);
	assert_false(bit(LAPIC_ISR, 0x41));
}

static void level_sets_tmr_and_calls_eoi(void **state)
{
	(void)state;
	enable();
	lapic_accept(&L, 0x41, true);
	lapic_accept(&L, 0x42, false);
	assert_true(bit(LAPIC_TMR, 0x41));
	assert_false(bit(LAPIC_TMR, 0x42));
	take(0x42);
	wr(LAPIC_EOI, 0);
	assert_int_equal(F.eois, 0);
	take(0x41);
	wr(LAPIC_EOI, 0);
	assert_int_equal(F.eois, 1);
	assert_int_equal(F.eoi_vector, 0x41);
}

static void software_disable_blocks(void **state)
{
	(void)state;
	/* Disabled at reset: nothing is accepted. */
	lapic_accept(&L, 0x40, false);
	assert_false(bit(LAPIC_IRR, 0x40));
	assert_int_equal(lapic_pending_vector(&L), -1);
	enable();
	wr(LAPIC_LVT_TIMER, 0x30);
	wr(LAPIC_LVT_LINT0, 0x31);
	lapic_accept(&L, 0x40, false);
	assert_int_equal(lapic_pending_vector(&L), 0x40);
	wr(LAPIC_SVR, 0xff);
	/* Held, not delivered; LVTs masked and stay masked. */
	assert_true(bit(LAPIC_IRR, 0x40));
	assert_int_equal(lapic_pending_vector(&L), -1);
	assert_int_equal(rd(LAPIC_LVT_TIMER), 0x30 | LAPIC_LVT_MASKED);
	assert_int_equal(rd(LAPIC_LVT_LINT0), 0x31 | LAPIC_LVT_MASKED);
	wr(LAPIC_LVT_TIMER, 0x30);
	assert_int_equal(rd(LAPIC_LVT_TIMER), 0x30 | LAPIC_LVT_MASKED);
	enable();
	assert_int_equal(lapic_pending_vector(&L), 0x40);
}

static void illegal_vector_sets_esr(void **state)
{
	(void)state;
	enable();
	wr(LAPIC_LVT_ERROR, 0xfe);
	lapic_accept(&L, 5, false);
	assert_false(bit(LAPIC_IRR, 5));
	/* The error LVT fired. */
	assert_int_equal(lapic_pending_vector(&L), 0xfe);
	wr(LAPIC_ESR, 0);
	assert_int_equal(rd(LAPIC_ESR), LAPIC_ESR_RECV_ILLEGAL_VECTOR);
	/* Sending one through the ICR is a send error and goes nowhere. */
	wr(LAPIC_ICR_LOW, (1u << 18) | 7);
	wr(LAPIC_ESR, 0);
	assert_int_equal(rd(LAPIC_ESR), LAPIC_ESR_SEND_ILLEGAL_VECTOR);
	assert_int_equal(F.ipis, 0);
	/* An illegal error vector does not loop. */
	wr(LAPIC_LVT_ERROR, 3);
	lapic_accept(&L, 2, false);
	wr(LAPIC_ESR, 0);
	assert_int_equal(rd(LAPIC_ESR), LAPIC_ESR_RECV_ILLEGAL_VECTOR);
}

/* --- IPIs ------------------------------------------------------------- */

static void self_ipi_shorthand(void **state)
{
	(void)state;
	enable();
	wr(LAPIC_ICR_LOW, (1u << 18) | 0x44);
	assert_int_equal(lapic_pending_vector(&L), 0x44);
	assert_int_equal(F.ipis, 0);
	assert_int_equal(rd(LAPIC_ICR_LOW), (1u << 18) | 0x44); /* idle */
}

static void ipi_by_destination(void **state)
{
	(void)state;
	enable();
	wr(LAPIC_ICR_HIGH, 3u << 24); /* own ID, physical */
	wr(LAPIC_ICR_LOW, 0x45);
	assert_int_equal(lapic_pending_vector(&L), 0x45);
	assert_int_equal(F.ipis, 0);
	wr(LAPIC_ICR_HIGH, 1u << 24); /* another CPU */
	wr(LAPIC_ICR_LOW, 0x46);
	assert_false(bit(LAPIC_IRR, 0x46));
	assert_int_equal(F.ipis, 1);
	assert_int_equal(F.ipi_lo, 0x46);
	assert_int_equal(F.ipi_hi, 1u << 24);
	/* All including self: here and to the others. */
	wr(LAPIC_ICR_LOW, (2u << 18) | 0x47);
	assert_true(bit(LAPIC_IRR, 0x47));
	assert_int_equal(F.ipis, 2);
	/* All excluding self. */
	wr(LAPIC_ICR_LOW, (3u << 18) | 0x48);
	assert_false(bit(LAPIC_IRR, 0x48));
	assert_int_equal(F.ipis, 3);
	/* An NMI to self is the integrator's to inject. */
	wr(LAPIC_ICR_LOW, (1u << 18) | (LAPIC_DM_NMI << 8));
	assert_int_equal(F.ipis, 4);
	/* Logical, flat model, matching LDR: here and maybe elsewhere. */
	wr(LAPIC_LDR, 0x04000000);
	wr(LAPIC_ICR_HIGH, 0x06000000);
	wr(LAPIC_ICR_LOW, (1u << 11) | 0x49);
	assert_true(bit(LAPIC_IRR, 0x49));
	wr(LAPIC_ICR_HIGH, 0x08000000);
	wr(LAPIC_ICR_LOW, (1u << 11) | 0x4a);
	assert_false(bit(LAPIC_IRR, 0x4a));
}

/* --- x2APIC ------------------------------------------------------------- */

static void x2apic_msrs(void **state)
{
	(void)state;
	uint64_t v;

	lapic_init(&L, 0x123, page, &F.plat, &ops);
	assert_int_equal(lapic_msr_read(&L, 0x802, &v), 0);
	assert_int_equal(v, 0x123); /* the whole 32-bit ID */
	assert_int_equal(lapic_msr_read(&L, 0x803, &v), 0);
	assert_int_equal(v, 0x50014);
	assert_int_equal(lapic_msr_read(&L, 0x80d, &v), 0);
	assert_int_equal(v, (0x12u << 16) | (1u << 3));
	assert_int_equal(lapic_msr_write(&L, 0x80d, 0), -1);
	assert_int_equal(lapic_msr_write(&L, 0x802, 0), -1);
	assert_int_equal(lapic_msr_write(&L, 0x80f, 0x1ff), 0);
	assert_true(lapic_enabled(&L));
	assert_int_equal(rd(LAPIC_SVR), 0x1ff); /* the same register */
	assert_int_equal(lapic_msr_write(&L, 0x808, 0x20), 0);
	assert_int_equal(rd(LAPIC_TPR), 0x20);
	wr(LAPIC_TPR, 0x10);
	assert_int_equal(lapic_msr_read(&L, 0x808, &v), 0);
	assert_int_equal(v, 0x10);
	/* ICR is one 64-bit MSR; self by full 32-bit destination. */
	assert_int_equal(lapic_msr_write(&L, 0x830, (0x123ull << 32) | 0x51), 0);
	assert_int_equal(lapic_msr_read(&L, 0x830, &v), 0);
	assert_int_equal(v, (0x123ull << 32) | 0x51);
	assert_int_equal(F.ipis, 0);
	assert_int_equal(lapic_msr_read(&L, 0x820 + 0x51 / 32, &v), 0);
	assert_int_equal(v, 1u << (0x51 % 32));
	assert_int_equal(lapic_msr_write(&L, 0x830, (0x23ull << 32) | 0x52), 0);
	assert_int_equal(F.ipis, 1);
	assert_int_equal(F.ipi_hi, 0x23);
	/* SELF IPI. */
	assert_int_equal(lapic_msr_write(&L, 0x83f, 0x60), 0);
	take(0x60);
	assert_int_equal(lapic_msr_write(&L, 0x83f, 0x100), -1);
	assert_int_equal(lapic_msr_read(&L, 0x83f, &v), -1);
	/* EOI: write 0 only, never read. */
	assert_int_equal(lapic_msr_read(&L, 0x80b, &v), -1);
	assert_int_equal(lapic_msr_write(&L, 0x80b, 1), -1);
	assert_int_equal(lapic_msr_write(&L, 0x80b, 0), 0);
	assert_false(bit(LAPIC_ISR, 0x60));
	/* Not in the x2APIC set, read-only, reserved bits. */
	assert_int_equal(lapic_msr_read(&L, 0x80e, &v), -1);
	assert_int_equal(lapic_msr_read(&L, 0x831, &v), -1);
	assert_int_equal(lapic_msr_read(&L, 0x801, &v), -1);
	assert_int_equal(lapic_msr_read(&L, 0x7ff, &v), -1);
	assert_int_equal(lapic_msr_read(&L, 0x900, &v), -1);
	assert_int_equal(lapic_msr_write(&L, 0x800 + 0x10, 0), -1);
	assert_int_equal(lapic_msr_write(&L, 0x839, 0), -1);
	assert_int_equal(lapic_msr_write(&L, 0x808, 1ull << 32), -1);
	assert_int_equal(lapic_msr_write(&L, 0x828, 1), -1);
	/* Timer through MSRs. */
	assert_int_equal(lapic_msr_write(&L, 0x83e, 0xb), 0);
	assert_int_equal(lapic_msr_write(&L, 0x832, 0x70), 0);
	assert_int_equal(lapic_msr_write(&L, 0x838, 100), 0);
	advance_to(F.clock.now + 40);
	assert_int_equal(lapic_msr_read(&L, 0x839, &v), 0);
	assert_int_equal(v, 60);
}

/* --- LINT, virtual wire, attach -------------------------------------- */

static void lint_pins(void **state)
{
	(void)state;
	lapic_virtual_wire(&L);
	assert_true(lapic_enabled(&L));
	assert_true(lapic_lint0_is_extint(&L));
	/* LINT1 as NMI: once per rising edge. */
	lapic_set_lint(&L, 1, true);
	lapic_set_lint(&L, 1, true);
	assert_true(lapic_take_nmi(&L));
	assert_false(lapic_take_nmi(&L));
	lapic_set_lint(&L, 1, false);
	lapic_set_lint(&L, 1, true);
	assert_true(lapic_take_nmi(&L));
	/* Masking LINT0 hides the PIC. */
	wr(LAPIC_LVT_LINT0, LAPIC_LVT_MASKED | (LAPIC_DM_EXTINT << 8));
	assert_false(lapic_lint0_is_extint(&L));
	/* LINT0 fixed, edge: the vector once per edge. */
	wr(LAPIC_LVT_LINT0, 0x55);
	lapic_set_lint(&L, 0, true);
	take(0x55);
	lapic_set_lint(&L, 0, true);
	assert_int_equal(lapic_pending_vector(&L), -1);
	wr(LAPIC_EOI, 0);
	/* Level, active low: Remote IRR until EOI, again while held. */
	lapic_set_lint(&L, 0, true);
	wr(LAPIC_LVT_LINT0, (1u << 15) | (1u << 13) | 0x56);
	lapic_set_lint(&L, 0, false);
	assert_true(rd(LAPIC_LVT_LINT0) & (1u << 14));
	take(0x56);
	wr(LAPIC_EOI, 0);
	take(0x56); /* still held low */
	lapic_set_lint(&L, 0, true);
	wr(LAPIC_EOI, 0);
	assert_false(rd(LAPIC_LVT_LINT0) & (1u << 14));
	assert_int_equal(lapic_pending_vector(&L), -1);
	lapic_set_lint(&L, 7, true); /* no such pin */
}

static void attach_and_reset(void **state)
{
	(void)state;
	struct mmio_bus bus = { 0 };
	const struct mmio_range *r;

	assert_int_equal(lapic_attach(&L, &bus), 0);
	r = mmio_find(&bus, 0xfee00030);
	assert_non_null(r);
	assert_int_equal(r->base, 0xfee00000);
	assert_int_equal(r->size, 0x1000);
	assert_null(mmio_find(&bus, 0xfee01000));
	enable();
	wr(LAPIC_LVT_TIMER, 0x30);
	wr(LAPIC_TIMER_ICR, 100);
	lapic_accept(&L, 0x40, false);
	lapic_reset(&L);
	assert_false(L.timer.armed);
	assert_int_equal(rd(LAPIC_SVR), 0xff);
	assert_int_equal(rd(LAPIC_LVT_TIMER), LAPIC_LVT_MASKED);
	assert_false(bit(LAPIC_IRR, 0x40));
	assert_int_equal(rd(LAPIC_ID), 3u << 24);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(reset_values, setup),
		cmocka_unit_test_setup(register_write_masks, setup),
		cmocka_unit_test_setup(bad_offsets_and_sizes, setup),
		cmocka_unit_test_setup(tpr_and_ppr, setup),
		cmocka_unit_test_setup(tpr_blocks_lower_classes, setup),
		cmocka_unit_test_setup(accept_ack_eoi_ordering, setup),
		cmocka_unit_test_setup(eoi_with_nothing_in_service, setup),
		cmocka_unit_test_setup(level_sets_tmr_and_calls_eoi, setup),
		cmocka_unit_test_setup(software_disable_blocks, setup),
		cmocka_unit_test_setup(illegal_vector_sets_esr, setup),
		cmocka_unit_test_setup(self_ipi_shorthand, setup),
		cmocka_unit_test_setup(ipi_by_destination, setup),
		cmocka_unit_test_setup(x2apic_msrs, setup),
		cmocka_unit_test_setup(lint_pins, setup),
		cmocka_unit_test_setup(attach_and_reset, setup),
	};

	return cmocka_run_group_tests_name("lapic", tests, NULL, NULL);
}
