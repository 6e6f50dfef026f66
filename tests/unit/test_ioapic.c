/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/string.h"
#include "vmm/vdev/ioapic.h"

/* What the fake integrator received. */
struct msg {
	uint8_t vector, dest, dm;
	bool logical, level;
};

static struct {
	unsigned n;
	struct msg last;
	struct ioapic *eoi_inside; /* EOI from inside deliver() */
} rec;

static struct ioapic io;

static void deliver(void *ctx, uint8_t vector, uint8_t dest, bool logical,
		    uint8_t dm, bool level)
{
	assert_ptr_equal(ctx, &rec);
	rec.n++;
	rec.last = (struct msg){ vector, dest, dm, logical, level };
	if (rec.eoi_inside) {
		struct ioapic *i = rec.eoi_inside;

		rec.eoi_inside = NULL;
		ioapic_eoi(i, vector);
	}
}

static const struct ioapic_ops ops = { &rec, deliver };

static int setup(void **state)
{
	(void)state;
	memset(&rec, 0, sizeof(rec));
	ioapic_init(&io, 2, &ops);
	return 0;
}

static uint32_t reg_rd(uint8_t reg)
{
	uint64_t v = reg;

	ioapic_mmio(&io, IOAPIC_IOREGSEL, 4, true, &v);
	v = 0xdeadbeef;
	ioapic_mmio(&io, IOAPIC_IOWIN, 4, false, &v);
	return (uint32_t)v;
}

static void reg_wr(uint8_t reg, uint32_t val)
{
	uint64_t v = reg;

	ioapic_mmio(&io, IOAPIC_IOREGSEL, 4, true, &v);
	v = val;
	ioapic_mmio(&io, IOAPIC_IOWIN, 4, true, &v);
}

static void rte_wr(unsigned pin, uint64_t e)
{
	reg_wr(IOAPIC_REG_REDTBL + 2 * pin + 1, (uint32_t)(e >> 32));
	reg_wr(IOAPIC_REG_REDTBL + 2 * pin, (uint32_t)e);
}

static uint64_t rte_rd(unsigned pin)
{
	return ((uint64_t)reg_rd(IOAPIC_REG_REDTBL + 2 * pin + 1) << 32) |
	       reg_rd(IOAPIC_REG_REDTBL + 2 * pin);
}

static void id_version_arbitration(void **state)
{
	(void)state;
	assert_int_equal(reg_rd(IOAPIC_REG_ID), 2u << 24);
	assert_int_equal(reg_rd(IOAPIC_REG_VER), 0x00170020);
	assert_int_equal(reg_rd(IOAPIC_REG_ARB), 2u << 24);
	reg_wr(IOAPIC_REG_ID, 0xffffffffu);
	assert_int_equal(reg_rd(IOAPIC_REG_ID), 0x0f000000);
	reg_wr(IOAPIC_REG_VER, 0);
	assert_int_equal(reg_rd(IOAPIC_REG_VER), 0x00170020);
	/* IOREGSEL reads back what was selected. */
	uint64_t v = 0x11;

	ioapic_mmio(&io, IOAPIC_IOREGSEL, 4, true, &v);
	v = 0;
	ioapic_mmio(&io, IOAPIC_IOREGSEL, 4, false, &v);
	assert_int_equal(v, 0x11);
}

static void redirection_reset_and_rw(void **state)
{
	(void)state;
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++)
		assert_int_equal(rte_rd(pin), IOAPIC_RTE_MASKED);
	ioapic_set_irq(&io, 5, true); /* idle for an active-low pin */
	rte_wr(5, 0xab00000000000000ull | IOAPIC_RTE_LEVEL |
		       IOAPIC_RTE_POLARITY_LOW | IOAPIC_RTE_LOGICAL |
		       (1ull << 8) | 0x61);
	assert_int_equal(rte_rd(5), 0xab00000000000000ull | 0xa961);
	assert_int_equal(reg_rd(IOAPIC_REG_REDTBL + 11), 0xab000000);
	assert_int_equal(reg_rd(IOAPIC_REG_REDTBL + 10), 0xa961);
	/* Halves are independent. */
	reg_wr(IOAPIC_REG_REDTBL + 11, 0x01000000);
	assert_int_equal(rte_rd(5), 0x0100000000000000ull | 0xa961);
	/* Delivery status, Remote IRR and reserved bits are not writable. */
	rte_wr(6, ~0ull);
	assert_int_equal(rte_rd(6), 0xff00000000000000ull | 0x1afff);
	assert_int_equal(rec.n, 0);
	assert_int_equal(rte_rd(4), IOAPIC_RTE_MASKED); /* neighbours intact */
	assert_int_equal(rte_rd(7), IOAPIC_RTE_MASKED);
}

static void bad_registers_and_sizes(void **state)
{
	(void)state;
	uint64_t v;

	/* Past the last entry (0x3f) and unimplemented: read 0, no effect. */
	assert_int_equal(reg_rd(0x40), 0);
	assert_int_equal(reg_rd(0xff), 0);
	assert_int_equal(reg_rd(0x03), 0);
	reg_wr(0x40, 0x30);
	reg_wr(0x03, 0x30);
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++)
		assert_int_equal(rte_rd(pin), IOAPIC_RTE_MASKED);
	/* Other sizes and offsets read 0 and drop writes. */
	v = IOAPIC_REG_VER;
	ioapic_mmio(&io, IOAPIC_IOREGSEL, 4, true, &v);
	v = 0x1234;
	ioapic_mmio(&io, IOAPIC_IOWIN, 1, false, &v);
	assert_int_equal(v, 0);
	v = 0x1234;
	ioapic_mmio(&io, IOAPIC_IOWIN, 8, false, &v);
	assert_int_equal(v, 0);
	v = 0x1234;
	ioapic_mmio(&io, 0x20, 4, false, &v);
	assert_int_equal(v, 0);
	v = 0x10;
	ioapic_mmio(&io, IOAPIC_IOREGSEL, 2, true, &v);
	v = 0;
	ioapic_mmio(&io, IOAPIC_IOREGSEL, 4, false, &v);
	assert_int_equal(v, IOAPIC_REG_VER);
	v = 0;
	ioapic_mmio(&io, ~0ull, 4, true, &v);
	/* Pins past 23 are ignored. */
	ioapic_set_irq(&io, 24, true);
	ioapic_set_irq(&io, ~0u, true);
	assert_int_equal(rec.n, 0);
}

static void masked_pin_does_not_deliver(void **state)
{
	(void)state;
	rte_wr(3, IOAPIC_RTE_MASKED | 0x33);
	ioapic_set_irq(&io, 3, true);
	ioapic_set_irq(&io, 3, false);
	assert_int_equal(rec.n, 0);
	rte_wr(4, IOAPIC_RTE_MASKED | IOAPIC_RTE_LEVEL | 0x34);
	ioapic_set_irq(&io, 4, true);
	assert_int_equal(rec.n, 0);
	/* An edge that came while masked is lost on unmask. */
	ioapic_set_irq(&io, 3, true);
	rte_wr(3, 0x33);
	assert_int_equal(rec.n, 0);
}

static void edge_once_per_rising_edge(void **state)
{
	(void)state;
	rte_wr(1, 0x31);
	ioapic_set_irq(&io, 1, true);
	assert_int_equal(rec.n, 1);
	assert_int_equal(rec.last.vector, 0x31);
	assert_false(rec.last.level);
	ioapic_set_irq(&io, 1, true);
	assert_int_equal(rec.n, 1);
	ioapic_set_irq(&io, 1, false);
	assert_int_equal(rec.n, 1);
	ioapic_set_irq(&io, 1, true);
	assert_int_equal(rec.n, 2);
	/* No Remote IRR for edge entries. */
	assert_false(rte_rd(1) & IOAPIC_RTE_REMOTE_IRR);
}

static void level_remote_irr_and_eoi(void **state)
{
	(void)state;
	rte_wr(10, IOAPIC_RTE_LEVEL | 0x5a);
	ioapic_set_irq(&io, 10, true);
	assert_int_equal(rec.n, 1);
	assert_true(rec.last.level);
	assert_true(rte_rd(10) & IOAPIC_RTE_REMOTE_IRR);
	/* Held: no more until EOI. */
	ioapic_set_irq(&io, 10, true);
	assert_int_equal(rec.n, 1);
	/* EOI of another vector does nothing. */
	ioapic_eoi(&io, 0x5b);
	assert_int_equal(rec.n, 1);
	assert_true(rte_rd(10) & IOAPIC_RTE_REMOTE_IRR);
	/* EOI while still asserted: again. */
	ioapic_eoi(&io, 0x5a);
	assert_int_equal(rec.n, 2);
	assert_true(rte_rd(10) & IOAPIC_RTE_REMOTE_IRR);
	/* Deasserted, then EOI: quiet, Remote IRR clear. */
	ioapic_set_irq(&io, 10, false);
	ioapic_eoi(&io, 0x5a);
	assert_int_equal(rec.n, 2);
	assert_false(rte_rd(10) & IOAPIC_RTE_REMOTE_IRR);
	ioapic_set_irq(&io, 10, true);
	assert_int_equal(rec.n, 3);
}

static void eoi_register(void **state)
{
	(void)state;
	uint64_t v;

	rte_wr(11, IOAPIC_RTE_LEVEL | 0x70);
	ioapic_set_irq(&io, 11, true);
	ioapic_set_irq(&io, 11, false);
	v = 0x70;
	ioapic_mmio(&io, IOAPIC_EOIR, 4, true, &v);
	assert_false(rte_rd(11) & IOAPIC_RTE_REMOTE_IRR);
	v = 0x1234;
	ioapic_mmio(&io, IOAPIC_EOIR, 4, false, &v);
	assert_int_equal(v, 0);
}

static void eoi_inside_deliver(void **state)
{
	(void)state;
	/* A LAPIC may retire the vector before deliver() returns. */
	rte_wr(12, IOAPIC_RTE_LEVEL | 0x72);
	rec.eoi_inside = &io;
	ioapic_set_irq(&io, 12, true);
	/* Delivered once, EOI'd inside, delivered again (still held). */
	assert_int_equal(rec.n, 2);
	assert_true(rte_rd(12) & IOAPIC_RTE_REMOTE_IRR);
}

static void unmask_level_asserted_delivers(void **state)
{
	(void)state;
	rte_wr(7, IOAPIC_RTE_MASKED | IOAPIC_RTE_LEVEL | 0x77);
	ioapic_set_irq(&io, 7, true);
	assert_int_equal(rec.n, 0);
	rte_wr(7, IOAPIC_RTE_LEVEL | 0x77);
	assert_int_equal(rec.n, 1);
	/* Rewriting the entry keeps Remote IRR: no duplicate. */
	rte_wr(7, IOAPIC_RTE_LEVEL | 0x77);
	assert_int_equal(rec.n, 1);
	assert_true(rte_rd(7) & IOAPIC_RTE_REMOTE_IRR);
}

static void polarity_low_inverts(void **state)
{
	(void)state;
	/* Active-low edge: the falling edge of the wire interrupts. */
	ioapic_set_irq(&io, 8, true);
	rte_wr(8, IOAPIC_RTE_POLARITY_LOW | 0x48);
	ioapic_set_irq(&io, 8, true);
	assert_int_equal(rec.n, 0);
	ioapic_set_irq(&io, 8, false);
	assert_int_equal(rec.n, 1);
	ioapic_set_irq(&io, 8, true);
	assert_int_equal(rec.n, 1);
	/* Active-low level: a wire at 0 is asserted, so unmasking delivers. */
	rte_wr(9, IOAPIC_RTE_POLARITY_LOW | IOAPIC_RTE_LEVEL | 0x49);
	assert_int_equal(rec.n, 2);
	assert_int_equal(rec.last.vector, 0x49);
	ioapic_set_irq(&io, 9, true); /* deasserted */
	ioapic_eoi(&io, 0x49);
	assert_int_equal(rec.n, 2);
}

static void message_fields(void **state)
{
	(void)state;
	rte_wr(20, (0x0full << 56) | IOAPIC_RTE_LOGICAL | (1ull << 8) | 0x90);
	ioapic_set_irq(&io, 20, true);
	assert_int_equal(rec.n, 1);
	assert_int_equal(rec.last.vector, 0x90);
	assert_int_equal(rec.last.dest, 0x0f);
	assert_true(rec.last.logical);
	assert_int_equal(rec.last.dm, 1);
	assert_false(rec.last.level);
	rte_wr(23, (0x03ull << 56) | (4ull << 8) | 0x02);
	ioapic_set_irq(&io, 23, true);
	assert_int_equal(rec.last.dest, 3);
	assert_false(rec.last.logical);
	assert_int_equal(rec.last.dm, 4);
}

/* An unmasked pin in NMI delivery mode is an NMI source: a HLT with
 * IF = 0 must wait for it (arch/x86/exit_misc.c). Masked, or in another
 * mode, it is not. */
static void nmi_armed(void **state)
{
	(void)state;
	assert_false(ioapic_nmi_armed(&io));
	rte_wr(5, IOAPIC_RTE_MASKED | (IOAPIC_DM_NMI << 8));
	assert_false(ioapic_nmi_armed(&io));
	rte_wr(5, 0x30); /* fixed, unmasked */
	assert_false(ioapic_nmi_armed(&io));
	rte_wr(23, IOAPIC_DM_NMI << 8);
	assert_true(ioapic_nmi_armed(&io));
	ioapic_set_irq(&io, 23, true);
	assert_int_equal(rec.n, 1);
	assert_int_equal(rec.last.dm, IOAPIC_DM_NMI);
}

static void attach_reset_and_no_ops(void **state)
{
	(void)state;
	struct mmio_bus bus = { 0 };
	const struct mmio_range *r;

	assert_int_equal(ioapic_attach(&io, &bus), 0);
	r = mmio_find(&bus, 0xfec00010);
	assert_non_null(r);
	assert_int_equal(r->base, 0xfec00000);
	assert_int_equal(r->size, 0x1000);
	assert_int_equal(ioapic_attach(&io, &bus), -1); /* overlap */
	rte_wr(0, 0x20);
	ioapic_reset(&io);
	assert_int_equal(rte_rd(0), IOAPIC_RTE_MASKED);
	/* Without ops nothing is delivered, and nothing breaks. */
	ioapic_init(&io, 0x35, NULL);
	assert_int_equal(reg_rd(IOAPIC_REG_ID), 0x05000000);
	rte_wr(0, 0x20);
	ioapic_set_irq(&io, 0, true);
	assert_int_equal(rec.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(id_version_arbitration, setup),
		cmocka_unit_test_setup(redirection_reset_and_rw, setup),
		cmocka_unit_test_setup(bad_registers_and_sizes, setup),
		cmocka_unit_test_setup(masked_pin_does_not_deliver, setup),
		cmocka_unit_test_setup(edge_once_per_rising_edge, setup),
		cmocka_unit_test_setup(level_remote_irr_and_eoi, setup),
		cmocka_unit_test_setup(eoi_register, setup),
		cmocka_unit_test_setup(eoi_inside_deliver, setup),
		cmocka_unit_test_setup(unmask_level_asserted_delivers, setup),
		cmocka_unit_test_setup(polarity_low_inverts, setup),
		cmocka_unit_test_setup(message_fields, setup),
		cmocka_unit_test_setup(nmi_armed, setup),
		cmocka_unit_test_setup(attach_reset_and_no_ops, setup),
	};

	return cmocka_run_group_tests_name("ioapic", tests, NULL, NULL);
}
