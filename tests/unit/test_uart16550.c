/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for the 16550A model (vmm/vdev/uart16550.c): registers, FIFOs, transmit (THRE) and receive.
 * The harness is in uart16550_harness.h.
 */
#include "tests/unit/uart16550_harness.h"

/* ------------------------------------------------------------ registers */

TEST(test_reset_values)
{
	assert_int_equal(in(UART16550_IER), 0);
	assert_int_equal(in(UART16550_IIR), 0x01);
	assert_int_equal(in(UART16550_LCR), 0);
	assert_int_equal(in(UART16550_MCR), 0);
	assert_int_equal(in(UART16550_LSR), 0x60);
	assert_int_equal(in(UART16550_MSR), 0xb0); /* CTS DSR DCD, no deltas */
	assert_int_equal(uart16550_rx_space(&uart), 1);
	/* LSR and MSR writes (factory test) change nothing. */
	out(UART16550_LSR, 0xff);
	out(UART16550_MSR, 0xff);
	assert_int_equal(in(UART16550_LSR), 0x60);
	assert_int_equal(in(UART16550_MSR), 0xb0);
	assert_int_equal(fk.nirq, 0);
}

TEST(test_scratch_readback)
{
	for (unsigned v = 0; v < 256; v += 0x11) {
		out(UART16550_SCR, (uint8_t)v);
		assert_int_equal(in(UART16550_SCR), v);
	}
	out(UART16550_SCR, 0xa5);
	out(UART16550_LCR, 0x80); /* DLAB does not affect SCR */
	assert_int_equal(in(UART16550_SCR), 0xa5);
}

TEST(test_dlab_divisor_latch)
{
	out(UART16550_IER, 0x05);
	out(UART16550_LCR, 0x83);
	out(UART16550_DLL, 0x0c);
	out(UART16550_DLM, 0x02);
	assert_int_equal(in(UART16550_DLL), 0x0c);
	assert_int_equal(in(UART16550_DLM), 0x02);
	assert_int_equal(fk.ntx, 0); /* DLL write is not a THR write */
	out(UART16550_LCR, 0x03);
	assert_int_equal(in(UART16550_IER), 0x05); /* DLM write left IER */
	out(UART16550_THR, 'x');
	assert_int_equal(fk.ntx, 1);
	out(UART16550_LCR, 0x83);
	assert_int_equal(in(UART16550_DLL), 0x0c); /* THR write left DLL */
	assert_int_equal(uart.dll, 0x0c);
	assert_int_equal(uart.dlm, 0x02);
	for (unsigned v = 0; v < 256; v++) { /* LCR: all 8 bits read back */
		out(UART16550_LCR, (uint8_t)v);
		assert_int_equal(in(UART16550_LCR), v);
	}
}

TEST(test_reserved_bits_read_zero)
{
	/* Linux takes a writable IER bit 6 for an XScale UART. */
	out(UART16550_IER, 0xff);
	assert_int_equal(in(UART16550_IER), 0x0f);
	out(UART16550_MCR, 0xff);
	assert_int_equal(in(UART16550_MCR), 0x1f);
	/* FCR bit 5 (64-byte FIFO on a 16750) must not show in IIR. */
	out(UART16550_IER, 0);
	out(UART16550_FCR, 0x21);
	assert_int_equal(in(UART16550_IIR), 0xc1);
}

/* ---------------------------------------------------------------- FIFOs */

TEST(test_fifo_enable_iir_bits)
{
	assert_int_equal(in(UART16550_IIR) & 0xc0, 0);
	out(UART16550_FCR, 0x01);
	assert_int_equal(in(UART16550_IIR), 0xc1);
	assert_int_equal(uart16550_rx_space(&uart), 16);
	out(UART16550_FCR, 0x00);
	assert_int_equal(in(UART16550_IIR), 0x01);
	assert_int_equal(uart16550_rx_space(&uart), 1);
}

TEST(test_fcr_reset_clears_rx_fifo)
{
	out(UART16550_FCR, 0x01);
	rx("abcde");
	assert_int_equal(uart16550_rx_space(&uart), 11);
	assert_true(in(UART16550_LSR) & UART16550_LSR_DR);
	out(UART16550_FCR, 0x07);
	assert_false(in(UART16550_LSR) & UART16550_LSR_DR);
	assert_int_equal(uart16550_rx_space(&uart), 16);
	assert_int_equal(in(UART16550_IIR), 0xc1); /* FIFO still enabled */
	assert_int_equal(fake_armed(&fk.clock), 0);           /* timeout cancelled */
	/* The reset is not sticky: the next bytes stay. */
	rx("z");
	assert_int_equal(in(UART16550_RBR), 'z');
}

TEST(test_fifo_disable_clears_and_ignores_bits)
{
	out(UART16550_FCR, 0xc1);
	rx("abc");
	/* FIFO_ENABLE clear: FIFOs emptied, the trigger bits not taken. */
	out(UART16550_FCR, 0xc0);
	assert_false(in(UART16550_LSR) & UART16550_LSR_DR);
	assert_int_equal(uart.fcr, 0);
	assert_int_equal(in(UART16550_IIR), 0x01);
}

TEST(test_tx_callback_in_order)
{
	const char *msg = "Linux version 6.x";

	out(UART16550_LCR, 0x03);
	for (const char *p = msg; *p; p++) {
		assert_int_equal(in(UART16550_LSR) & 0x60, 0x60);
		out(UART16550_THR, (uint8_t)*p);
	}
	assert_int_equal(fk.ntx, strlen(msg));
	assert_memory_equal(fk.tx, msg, strlen(msg));
	assert_int_equal(uart.tx_bytes, strlen(msg));
	assert_int_equal(fake_armed(&fk.clock), 0); /* polled output arms nothing */
}

/* ------------------------------------------------------------------ THRE */

TEST(test_thre_raised_when_etbei_set)
{
	out(UART16550_MCR, UART16550_MCR_OUT2);
	assert_int_equal(fk.nirq, 0);
	out(UART16550_IER, UART16550_IER_ETBEI);
	assert_int_equal(fk.nirq, 1);
	expect_irq(0, true);
	out(UART16550_FCR, 0x01);
	assert_int_equal(in(UART16550_IIR), 0xc2);
}

TEST(test_thre_cleared_by_iir_read)
{
	out(UART16550_MCR, UART16550_MCR_OUT2);
	out(UART16550_IER, UART16550_IER_ETBEI);
	assert_int_equal(in(UART16550_IIR), UART16550_IIR_THRE);
	assert_int_equal(fk.nirq, 2);
	expect_irq(1, false);
	assert_int_equal(in(UART16550_IIR), UART16550_IIR_NO_INT);
	/* Rewriting IER with ETBEI still set is not a new THR-empty event. */
	out(UART16550_IER, UART16550_IER_ETBEI);
	assert_int_equal(in(UART16550_IIR), UART16550_IIR_NO_INT);
	/* Toggling ETBEI off and on is (Linux's THRE re-assert test). */
	out(UART16550_IER, 0);
	out(UART16550_IER, UART16550_IER_ETBEI);
	assert_int_equal(in(UART16550_IIR), UART16550_IIR_THRE);
	assert_int_equal(fk.nirq, 4);
}

TEST(test_thre_cleared_by_thr_write_then_reraised)
{
	out(UART16550_MCR, UART16550_MCR_OUT2);
	out(UART16550_IER, UART16550_IER_ETBEI);
	expect_irq(0, true);
	out(UART16550_THR, 'a');
	assert_int_equal(fk.nirq, 2);
	expect_irq(1, false);
	assert_int_equal(in(UART16550_IIR), UART16550_IIR_NO_INT);
	/* The transmitter is empty at once ... */
	assert_int_equal(in(UART16550_LSR), 0x60);
	/* ... but the interrupt comes back only when the timer fires. */
	advance(UART16550_THRE_DELAY_US * HZ / 1000000 - 1);
	assert_int_equal(fk.nirq, 2);
	advance(1);
	assert_int_equal(fk.nirq, 3);
	expect_irq(2, true);
	assert_int_equal(in(UART16550_IIR), UART16550_IIR_THRE);
	expect_irq(3, false);
}

TEST(test_thre_burst_gives_one_reraise)
{
	out(UART16550_MCR, UART16550_MCR_OUT2);
	out(UART16550_FCR, 0x01);
	out(UART16550_IER, UART16550_IER_ETBEI);
	assert_int_equal(in(UART16550_IIR), 0xc2);
	/* A handler fills the 16-byte FIFO; each write pushes the re-raise. */
	for (int i = 0; i < 16; i++) {
		out(UART16550_THR, (uint8_t)('A' + i));
		advance(100);
	}
	assert_int_equal(fk.ntx, 16);
	assert_int_equal(in(UART16550_IIR), 0xc1);
	assert_int_equal(fk.nirq, 2); /* up, down */
	advance(UART16550_THRE_DELAY_US * HZ / 1000000);
	assert_int_equal(fk.nirq, 3);
	expect_irq(2, true);
}

TEST(test_thre_reraise_cancelled_by_etbei_clear)
{
	out(UART16550_MCR, UART16550_MCR_OUT2);
	out(UART16550_IER, UART16550_IER_ETBEI);
	out(UART16550_THR, 'a');
	assert_int_equal(fake_armed(&fk.clock), 1);
	out(UART16550_IER, 0); /* Linux's stop_tx */
	assert_int_equal(fake_armed(&fk.clock), 0);
	advance(HZ);
	assert_int_equal(in(UART16550_IIR), UART16550_IIR_NO_INT);
	assert_int_equal(fk.nirq, 2);
}

TEST(test_thre_reraise_survives_other_ier_bits)
{
	out(UART16550_MCR, UART16550_MCR_OUT2);
	out(UART16550_IER, 0x07);
	assert_int_equal(in(UART16550_IIR), UART16550_IIR_THRE);
	out(UART16550_THR, 'a');
	/* Enabling modem status interrupts must not lose the re-raise. */
	out(UART16550_IER, 0x0f);
	advance(HZ / 1000);
	assert_int_equal(in(UART16550_IIR), UART16550_IIR_THRE);
}

/* --------------------------------------------------------------- receive */

TEST(test_rx_data_available_and_dr)
{
	out(UART16550_MCR, UART16550_MCR_OUT2);
	out(UART16550_IER, UART16550_IER_ERBFI);
	assert_int_equal(in(UART16550_LSR) & UART16550_LSR_DR, 0);
	rx("k");
	assert_int_equal(fk.nirq, 1);
	expect_irq(0, true);
	assert_int_equal(in(UART16550_IIR), UART16550_IIR_RDA);
	assert_int_equal(in(UART16550_LSR), 0x61);
	assert_int_equal(in(UART16550_RBR), 'k');
	expect_irq(1, false);
	assert_int_equal(in(UART16550_LSR), 0x60);
	assert_int_equal(in(UART16550_IIR), UART16550_IIR_NO_INT);
	/* An empty RBR repeats the last byte; nothing else changes. */
	assert_int_equal(in(UART16550_RBR), 'k');
	assert_int_equal(fk.nirq, 2);
}

TEST(test_rx_non_fifo_holds_one)
{
	assert_int_equal(uart16550_receive(&uart, (const uint8_t *)"ab", 2), 1);
	assert_int_equal(in(UART16550_LSR), 0x63); /* DR, OE */
	assert_int_equal(in(UART16550_RBR), 'a');
	assert_int_equal(in(UART16550_LSR), 0x60);
}

TEST(test_rx_fifo_overrun_sets_oe)
{
	const char *in20 = "0123456789abcdefGHIJ";

	out(UART16550_FCR, 0x01);
	assert_int_equal(uart16550_receive(&uart, (const uint8_t *)in20, 20),
			 16);
	assert_int_equal(uart16550_rx_space(&uart), 0);
	assert_int_equal(uart.rx_overruns, 4);
	assert_int_equal(in(UART16550_LSR), 0x63);
	assert_int_equal(in(UART16550_LSR), 0x61); /* OE cleared by read */
	for (int i = 0; i < 16; i++)
		assert_int_equal(in(UART16550_RBR), (uint8_t)in20[i]);
	assert_int_equal(in(UART16550_LSR), 0x60);
	assert_int_equal(uart16550_rx_space(&uart), 16);
	/* The ring wraps cleanly after a full cycle. */
	rx("xyz");
	assert_int_equal(in(UART16550_RBR), 'x');
	assert_int_equal(in(UART16550_RBR), 'y');
	assert_int_equal(in(UART16550_RBR), 'z');
}

TEST(test_rx_trigger_levels)
{
	static const struct {
		uint8_t fcr;
		unsigned level;
	} cases[] = { { 0x01, 1 }, { 0x41, 4 }, { 0x81, 8 }, { 0xc1, 14 } };

	out(UART16550_IER, UART16550_IER_ERBFI);
	for (unsigned c = 0; c < 4; c++) {
		out(UART16550_FCR, cases[c].fcr | UART16550_FCR_RX_RESET);
		for (unsigned n = 1; n <= cases[c].level; n++) {
			rx("x");
			assert_int_equal(in(UART16550_IIR),
					 n < cases[c].level ? 0xc1 : 0xc4);
		}
	}
}

TEST(test_rx_character_timeout)
{
	/* 8N1 at divisor 1: 10 bits of 16/1843200 s; four of them. */
	const uint64_t timeout = HZ * 4 * 10 * 16 / 1843200;

	out(UART16550_LCR, 0x03);
	out(UART16550_MCR, UART16550_MCR_OUT2);
	out(UART16550_FCR, 0x81); /* trigger 8, as Linux sets */
	out(UART16550_IER, UART16550_IER_ERBFI);
	rx("ab");
	assert_int_equal(in(UART16550_IIR), 0xc1);
	advance(timeout - 1);
	assert_int_equal(in(UART16550_IIR), 0xc1);
	rx("c"); /* a new character restarts the count */
	advance(timeout - 1);
	assert_int_equal(fk.nirq, 0);
	advance(1);
	expect_irq(0, true);
	assert_int_equal(in(UART16550_IIR), 0xcc);
	assert_int_equal(in(UART16550_RBR), 'a'); /* a read clears it */
	expect_irq(1, false);
	assert_int_equal(in(UART16550_IIR), 0xc1);
	advance(timeout); /* and restarts the timer: two bytes left */
	assert_int_equal(in(UART16550_IIR), 0xcc);
	assert_int_equal(in(UART16550_RBR), 'b');
	assert_int_equal(in(UART16550_RBR), 'c');
	advance(timeout * 10);
	assert_int_equal(in(UART16550_IIR), 0xc1);
	assert_int_equal(fk.nirq, 4);
	assert_int_equal(fake_armed(&fk.clock), 0);
}

TEST(test_rx_timeout_follows_baud)
{
	out(UART16550_LCR, 0x83);
	out(UART16550_DLL, 12); /* 9600 baud */
	out(UART16550_DLM, 0);
	out(UART16550_LCR, 0x03);
	out(UART16550_FCR, 0xc1);
	out(UART16550_IER, UART16550_IER_ERBFI);
	rx("a");
	advance(HZ * 4 * 10 * 16 * 12 / 1843200 - 10);
	assert_int_equal(in(UART16550_IIR), 0xc1);
	advance(10);
	assert_int_equal(in(UART16550_IIR), 0xcc);
}

TEST(test_line_status_interrupt)
{
	out(UART16550_MCR, UART16550_MCR_OUT2);
	out(UART16550_IER, UART16550_IER_ELSI);
	assert_int_equal(uart16550_receive(&uart, (const uint8_t *)"ab", 2), 1);
	expect_irq(0, true);
	assert_int_equal(in(UART16550_IIR), UART16550_IIR_RLS);
	assert_int_equal(in(UART16550_LSR), 0x63);
	expect_irq(1, false);
	assert_int_equal(in(UART16550_IIR), UART16550_IIR_NO_INT);
}

TEST(test_iir_priority)
{
	out(UART16550_FCR, 0x01);
	out(UART16550_IER, 0x0f);
	/* THRE (from ETBEI) pending; add RX data and an overrun. */
	uint8_t buf[17];
	memset(buf, 'q', sizeof(buf));
	assert_int_equal(uart16550_receive(&uart, buf, 17), 16);
	out(UART16550_MCR, UART16550_MCR_LOOP); /* modem deltas pending */
	out(UART16550_MCR, 0);
	assert_int_equal(in(UART16550_IIR), 0xc6); /* line status first */
	assert_int_equal(in(UART16550_IIR), 0xc6); /* not cleared by IIR */
	in(UART16550_LSR);
	assert_int_equal(in(UART16550_IIR), 0xc4); /* then data */
	for (int i = 0; i < 16; i++)
		in(UART16550_RBR);
	assert_int_equal(in(UART16550_IIR), 0xc2); /* then THRE (acks it) */
	assert_int_equal(in(UART16550_IIR), 0xc0); /* then modem status */
	in(UART16550_MSR);
	assert_int_equal(in(UART16550_IIR), 0xc1);
}

TEST(test_timeout_above_thre)
{
	out(UART16550_FCR, 0x81);
	out(UART16550_IER, 0x03);
	rx("a");
	advance(HZ);
	assert_int_equal(in(UART16550_IIR), 0xcc);
	in(UART16550_RBR);
	assert_int_equal(in(UART16550_IIR), 0xc2);
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_reset_values),
		T(test_scratch_readback),
		T(test_dlab_divisor_latch),
		T(test_reserved_bits_read_zero),
		T(test_fifo_enable_iir_bits),
		T(test_fcr_reset_clears_rx_fifo),
		T(test_fifo_disable_clears_and_ignores_bits),
		T(test_tx_callback_in_order),
		T(test_thre_raised_when_etbei_set),
		T(test_thre_cleared_by_iir_read),
		T(test_thre_cleared_by_thr_write_then_reraised),
		T(test_thre_burst_gives_one_reraise),
		T(test_thre_reraise_cancelled_by_etbei_clear),
		T(test_thre_reraise_survives_other_ier_bits),
		T(test_rx_data_available_and_dr),
		T(test_rx_non_fifo_holds_one),
		T(test_rx_fifo_overrun_sets_oe),
		T(test_rx_trigger_levels),
		T(test_rx_character_timeout),
		T(test_rx_timeout_follows_baud),
		T(test_line_status_interrupt),
		T(test_iir_priority),
		T(test_timeout_above_thre),
	};

	return cmocka_run_group_tests_name("uart16550", tests, NULL, NULL);
}
