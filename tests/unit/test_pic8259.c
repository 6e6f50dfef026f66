/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for vmm/vdev/pic8259.c. Every access goes through a real
 * io_bus, so the port claims are tested too. The guest side is driven as
 * Linux's init_8259A() drives it: ICW1 0x11, ICW2 0x20/0x28, ICW3 4/2,
 * ICW4 0x01.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/fake_platform.h"
#include "vmm/io.h"
#include "vmm/vdev/pic8259.h"

struct fixture {
	struct io_bus bus;
	struct pic8259 pic;
};

static struct fixture fx;

static void outb(uint16_t port, uint8_t v)
{
	fake_outb(&fx.bus, port, v);
}

static uint8_t inb(uint16_t port)
{
	return fake_inb(&fx.bus, port);
}

/* The sequence of Linux's init_8259A(), auto_eoi selectable. */
static void linux_init(uint8_t icw4)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	outb(0x20, 0x11);
	outb(0x21, 0x20);
	outb(0x21, 0x04);
	outb(0x21, icw4);
	outb(0xa0, 0x11);
	outb(0xa1, 0x28);
	outb(0xa1, 0x02);
	outb(0xa1, icw4);
	outb(0x21, 0x00);
	outb(0xa1, 0x00);
}

static void pulse(unsigned irq)
{
	pic_set_irq(&fx.pic, irq, true);
	pic_set_irq(&fx.pic, irq, false);
}

static int setup(void **state)
{
	(void)state;
	fx.bus.n = 0;
	fx.bus.unclaimed = 0;
	pic_init(&fx.pic);
	assert_int_equal(pic_attach(&fx.pic, &fx.bus), 0);
	return 0;
}

static void test_attach_claims_ports(void **state)
{
	struct pic8259 other;

	(void)state;
	assert_int_equal(fx.bus.n, 3);
	/* A second PIC on the same bus is refused. */
	pic_init(&other);
	assert_int_equal(pic_attach(&other, &fx.bus), -1);
}

static void test_power_on_masked(void **state)
{
	(void)state;
	assert_int_equal(inb(0x21), 0xff);
	pulse(0);
	assert_false(pic_has_interrupt(&fx.pic));
}

static void test_linux_init_sequence(void **state)
{
	(void)state;
	linux_init(0x01);
	assert_int_equal(inb(0x21), 0x00);
	assert_int_equal(inb(0xa1), 0x00);
	assert_false(pic_has_interrupt(&fx.pic));
	pulse(0);
	assert_true(pic_has_interrupt(&fx.pic));
	assert_int_equal(pic_acknowledge(&fx.pic), 0x20);
	assert_false(pic_has_interrupt(&fx.pic));
	outb(0x20, 0x20);
	pulse(4);
	assert_int_equal(pic_acknowledge(&fx.pic), 0x24);
}

static void test_imr_masks_and_latches(void **state)
{
	(void)state;
	linux_init(0x01);
	outb(0x21, 0x02);
	assert_int_equal(inb(0x21), 0x02);
	pulse(1);
	assert_false(pic_has_interrupt(&fx.pic));
	/* The edge was latched in IRR: unmasking delivers it. */
	outb(0x20, 0x0a);
	assert_int_equal(inb(0x20), 0x02);
	outb(0x21, 0x00);
	assert_true(pic_has_interrupt(&fx.pic));
	assert_int_equal(pic_acknowledge(&fx.pic), 0x21);
}

static void test_priority_lowest_irq_first(void **state)
{
	(void)state;
	linux_init(0x01);
	pulse(5);
	pulse(3);
	pulse(1);
	assert_int_equal(pic_acknowledge(&fx.pic), 0x21);
	/* IRQ 1 in service blocks the lower-priority 3 and 5. */
	assert_false(pic_has_interrupt(&fx.pic));
	outb(0x20, 0x20);
	assert_int_equal(pic_acknowledge(&fx.pic), 0x23);
	outb(0x20, 0x20);
	assert_int_equal(pic_acknowledge(&fx.pic), 0x25);
}

static void test_nesting_higher_preempts(void **state)
{
	(void)state;
	linux_init(0x01);
	pulse(4);
	assert_int_equal(pic_acknowledge(&fx.pic), 0x24);
	pulse(6);
	assert_false(pic_has_interrupt(&fx.pic));
	pulse(0);
	assert_true(pic_has_interrupt(&fx.pic));
	assert_int_equal(pic_acknowledge(&fx.pic), 0x20);
	outb(0x20, 0x0b);
	assert_int_equal(inb(0x20), 0x11);
	/* Non-specific EOI ends the highest in service: IRQ 0. */
	outb(0x20, 0x20);
	assert_int_equal(inb(0x20), 0x10);
	assert_false(pic_has_interrupt(&fx.pic));
	outb(0x20, 0x20);
	assert_int_equal(inb(0x20), 0x00);
	assert_int_equal(pic_acknowledge(&fx.pic), 0x26);
}

static void test_cascade_through_ir2(void **state)
{
	(void)state;
	linux_init(0x01);
	pulse(12);
	assert_true(pic_has_interrupt(&fx.pic));
	outb(0x20, 0x0a);
	assert_int_equal(inb(0x20), 0x04); /* master sees IR2 */
	assert_int_equal(pic_acknowledge(&fx.pic), 0x2c);
	outb(0x20, 0x0b);
	outb(0xa0, 0x0b);
	assert_int_equal(inb(0x20), 0x04);
	assert_int_equal(inb(0xa0), 0x10);
	/* Slave 8 outranks 12, but master IR2 is in service: no nesting in
	 * fully nested mode without SFNM. IRQ 1 does preempt. */
	pulse(8);
	assert_false(pic_has_interrupt(&fx.pic));
	pulse(1);
	assert_int_equal(pic_acknowledge(&fx.pic), 0x21);
	outb(0x20, 0x20);
	/* EOI slave then master, as Linux does. */
	outb(0xa0, 0x20);
	outb(0x20, 0x20);
	assert_true(pic_has_interrupt(&fx.pic));
	assert_int_equal(pic_acknowledge(&fx.pic), 0x28);
}

static void test_cascade_masked_on_master(void **state)
{
	(void)state;
	linux_init(0x01);
	outb(0x21, 0x04);
	pulse(9);
	assert_false(pic_has_interrupt(&fx.pic));
	outb(0x21, 0x00);
	assert_int_equal(pic_acknowledge(&fx.pic), 0x29);
}

static void test_specific_eoi(void **state)
{
	(void)state;
	linux_init(0x01);
	pulse(3);
	assert_int_equal(pic_acknowledge(&fx.pic), 0x23);
	pulse(1);
	assert_int_equal(pic_acknowledge(&fx.pic), 0x21);
	outb(0x20, 0x0b);
	assert_int_equal(inb(0x20), 0x0a);
	/* Specific EOI for 3 leaves 1 in service. */
	outb(0x20, 0x63);
	assert_int_equal(inb(0x20), 0x02);
	outb(0x20, 0x61);
	assert_int_equal(inb(0x20), 0x00);
}

static void test_ocw3_selects_irr_or_isr(void **state)
{
	(void)state;
	linux_init(0x01);
	outb(0x21, 0x20);
	pulse(5);
	pulse(6);
	outb(0x20, 0x0a);
	assert_int_equal(inb(0x20), 0x60);
	assert_int_equal(pic_acknowledge(&fx.pic), 0x26);
	assert_int_equal(inb(0x20), 0x20);
	outb(0x20, 0x0b);
	assert_int_equal(inb(0x20), 0x40);
	/* The choice sticks until changed; OCW3 without RR leaves it. */
	outb(0x20, 0x08);
	assert_int_equal(inb(0x20), 0x40);
}

static void test_edge_needs_new_edge(void **state)
{
	(void)state;
	linux_init(0x01);
	pic_set_irq(&fx.pic, 4, true);
	assert_int_equal(pic_acknowledge(&fx.pic), 0x24);
	outb(0x20, 0x20);
	/* Still high, but no new rising edge: nothing. */
	pic_set_irq(&fx.pic, 4, true);
	assert_false(pic_has_interrupt(&fx.pic));
	pic_set_irq(&fx.pic, 4, false);
	pic_set_irq(&fx.pic, 4, true);
	assert_true(pic_has_interrupt(&fx.pic));
}

static void test_elcr_level_follows_line(void **state)
{
	(void)state;
	linux_init(0x01);
	outb(0x4d1, 0x04); /* IRQ 10 level */
	assert_int_equal(inb(0x4d1), 0x04);
	pic_set_irq(&fx.pic, 10, true);
	assert_int_equal(pic_acknowledge(&fx.pic), 0x2a);
	outb(0xa0, 0x20);
	outb(0x20, 0x20);
	/* Line still high after EOI: the request comes back. */
	assert_true(pic_has_interrupt(&fx.pic));
	assert_int_equal(pic_acknowledge(&fx.pic), 0x2a);
	outb(0xa0, 0x20);
	outb(0x20, 0x20);
	pic_set_irq(&fx.pic, 10, false);
	assert_false(pic_has_interrupt(&fx.pic));
	outb(0xa0, 0x0a);
	assert_int_equal(inb(0xa0), 0x00);
}

static void test_elcr_fixed_edge_bits(void **state)
{
	uint32_t v = 0;

	(void)state;
	outb(0x4d0, 0xff);
	outb(0x4d1, 0xff);
	assert_int_equal(inb(0x4d0), 0xf8);
	assert_int_equal(inb(0x4d1), 0xde);
	/* A word access covers both registers. */
	assert_true(io_access(&fx.bus, 0x4d0, 2, true, &v));
	assert_true(io_access(&fx.bus, 0x4d0, 2, false, &v));
	assert_int_equal(v, 0);
	v = 0x2020;
	assert_true(io_access(&fx.bus, 0x4d0, 2, true, &v));
	v = 0;
	assert_true(io_access(&fx.bus, 0x4d0, 2, false, &v));
	assert_int_equal(v, 0x0020);
}

static void test_spurious_level_dropped(void **state)
{
	(void)state;
	linux_init(0x01);
	outb(0x4d0, 0x20); /* IRQ 5 level */
	pic_set_irq(&fx.pic, 5, true);
	assert_true(pic_has_interrupt(&fx.pic));
	pic_set_irq(&fx.pic, 5, false);
	/* The CPU already started INTA: IR7 without an ISR bit. */
	assert_int_equal(pic_acknowledge(&fx.pic), 0x27);
	outb(0x20, 0x0b);
	assert_int_equal(inb(0x20), 0x00);
	assert_int_equal(fx.pic.spurious, 1);
}

static void test_auto_eoi(void **state)
{
	(void)state;
	linux_init(0x03);
	pulse(3);
	assert_int_equal(pic_acknowledge(&fx.pic), 0x23);
	outb(0x20, 0x0b);
	assert_int_equal(inb(0x20), 0x00);
	pulse(11);
	assert_int_equal(pic_acknowledge(&fx.pic), 0x2b);
	outb(0xa0, 0x0b);
	assert_int_equal(inb(0xa0), 0x00);
	assert_int_equal(inb(0x20), 0x00);
}

static void test_rotate_on_eoi(void **state)
{
	(void)state;
	linux_init(0x01);
	pulse(0);
	assert_int_equal(pic_acknowledge(&fx.pic), 0x20);
	outb(0x20, 0xa0); /* rotate on non-specific EOI: IR0 now lowest */
	pulse(0);
	pulse(1);
	assert_int_equal(pic_acknowledge(&fx.pic), 0x21);
	outb(0x20, 0x20);
	assert_int_equal(pic_acknowledge(&fx.pic), 0x20);
	outb(0x20, 0x20);
	/* Set priority: IR5 lowest, so IR6 is highest. */
	outb(0x20, 0xc5);
	pulse(6);
	pulse(3);
	assert_int_equal(pic_acknowledge(&fx.pic), 0x26);
}

static void test_poll_mode(void **state)
{
	(void)state;
	linux_init(0x01);
	outb(0x20, 0x0c);
	assert_int_equal(inb(0x20), 0x00); /* nothing pending */
	pulse(6);
	outb(0x20, 0x0c);
	assert_int_equal(inb(0x20), 0x86);
	outb(0x20, 0x0b);
	assert_int_equal(inb(0x20), 0x40);
	assert_false(pic_has_interrupt(&fx.pic));
}

static void test_special_mask_mode(void **state)
{
	(void)state;
	linux_init(0x01);
	pulse(3);
	assert_int_equal(pic_acknowledge(&fx.pic), 0x23);
	pulse(5);
	assert_false(pic_has_interrupt(&fx.pic));
	outb(0x21, 0x08);
	outb(0x20, 0x68); /* set special mask */
	assert_true(pic_has_interrupt(&fx.pic));
	assert_int_equal(pic_acknowledge(&fx.pic), 0x25);
	outb(0x20, 0x48); /* clear special mask */
	outb(0x20, 0x65);
	outb(0x20, 0x63);
	outb(0x20, 0x0b);
	assert_int_equal(inb(0x20), 0x00);
}

static void test_reinit_clears_state(void **state)
{
	(void)state;
	linux_init(0x01);
	pulse(1);
	pulse(4);
	assert_int_equal(pic_acknowledge(&fx.pic), 0x21);
	linux_init(0x01);
	outb(0x20, 0x0b);
	assert_int_equal(inb(0x20), 0x00);
	outb(0x20, 0x0a);
	assert_int_equal(inb(0x20), 0x00);
	assert_false(pic_has_interrupt(&fx.pic));
}

static void test_bad_input_ignored(void **state)
{
	(void)state;
	uint32_t v = 0;

	linux_init(0x01);
	pic_set_irq(&fx.pic, 16, true);
	pic_set_irq(&fx.pic, 0xffffffffu, true);
	pic_set_irq(&fx.pic, 2, true);
	assert_false(pic_has_interrupt(&fx.pic));
	/* Bytes past the claimed ports read as nothing listening. */
	pic_io(&fx.pic, 0x21, 4, false, &v);
	assert_int_equal(v, 0xffffff00u);
	pic_io(&fx.pic, 0x1234, 1, false, &v);
	assert_int_equal(v, 0xff);
	pic_io(&fx.pic, 0x20, 3, false, &v);
	assert_int_equal(v, 0xffffffffu);
	v = 0xaa;
	pic_io(&fx.pic, 0x20, 8, true, &v);
	assert_int_equal(inb(0x21), 0x00);
	/* Spurious acknowledge with nothing pending at all. */
	assert_int_equal(pic_acknowledge(&fx.pic), 0x27);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_attach_claims_ports, setup),
		cmocka_unit_test_setup(test_power_on_masked, setup),
		cmocka_unit_test_setup(test_linux_init_sequence, setup),
		cmocka_unit_test_setup(test_imr_masks_and_latches, setup),
		cmocka_unit_test_setup(test_priority_lowest_irq_first, setup),
		cmocka_unit_test_setup(test_nesting_higher_preempts, setup),
		cmocka_unit_test_setup(test_cascade_through_ir2, setup),
		cmocka_unit_test_setup(test_cascade_masked_on_master, setup),
		cmocka_unit_test_setup(test_specific_eoi, setup),
		cmocka_unit_test_setup(test_ocw3_selects_irr_or_isr, setup),
		cmocka_unit_test_setup(test_edge_needs_new_edge, setup),
		cmocka_unit_test_setup(test_elcr_level_follows_line, setup),
		cmocka_unit_test_setup(test_elcr_fixed_edge_bits, setup),
		cmocka_unit_test_setup(test_spurious_level_dropped, setup),
		cmocka_unit_test_setup(test_auto_eoi, setup),
		cmocka_unit_test_setup(test_rotate_on_eoi, setup),
		cmocka_unit_test_setup(test_poll_mode, setup),
		cmocka_unit_test_setup(test_special_mask_mode, setup),
		cmocka_unit_test_setup(test_reinit_clears_state, setup),
		cmocka_unit_test_setup(test_bad_input_ignored, setup),
	};

	return cmocka_run_group_tests_name("pic8259", tests, NULL, NULL);
}
