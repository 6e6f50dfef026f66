/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for the 16550A model (vmm/vdev/uart16550.c): loopback, the IRQ line, the bus and its guards, and the sequences of Linux's 8250 driver.
 * The harness is in uart16550_harness.h.
 */
#include "tests/unit/uart16550_harness.h"

/* -------------------------------------------------------------- loopback */

TEST(test_loopback_thr_to_rbr)
{
	out(UART16550_FCR, 0x01);
	out(UART16550_MCR, UART16550_MCR_LOOP);
	out(UART16550_THR, 0x55);
	out(UART16550_THR, 0xaa);
	assert_int_equal(fk.ntx, 0); /* nothing on the wire */
	assert_int_equal(in(UART16550_LSR) & UART16550_LSR_DR, 1);
	assert_int_equal(in(UART16550_RBR), 0x55);
	assert_int_equal(in(UART16550_RBR), 0xaa);
	/* The line input is cut off: the host must hold its bytes. */
	assert_int_equal(uart16550_rx_space(&uart), 0);
	assert_int_equal(uart16550_receive(&uart, (const uint8_t *)"h", 1), 0);
	assert_int_equal(in(UART16550_LSR), 0x60); /* and no overrun */
	out(UART16550_MCR, 0);
	assert_int_equal(uart16550_rx_space(&uart), 16);
	out(UART16550_THR, 'w');
	assert_int_equal(fk.ntx, 1);
	assert_int_equal(fk.tx[0], 'w');
}

TEST(test_loopback_msr_reflects_mcr)
{
	for (unsigned m = 0; m < 16; m++) {
		uint8_t want = 0;

		if (m & UART16550_MCR_DTR)
			want |= UART16550_MSR_DSR;
		if (m & UART16550_MCR_RTS)
			want |= UART16550_MSR_CTS;
		if (m & UART16550_MCR_OUT1)
			want |= UART16550_MSR_RI;
		if (m & UART16550_MCR_OUT2)
			want |= UART16550_MSR_DCD;
		out(UART16550_MCR, (uint8_t)(UART16550_MCR_LOOP | m));
		assert_int_equal(in(UART16550_MSR) & 0xf0, want);
	}
	out(UART16550_MCR, 0);
	assert_int_equal(in(UART16550_MSR) & 0xf0, 0xb0);
}

TEST(test_loopback_msr_deltas)
{
	out(UART16550_MCR, UART16550_MCR_LOOP | UART16550_MCR_OUT1);
	/* Entering loopback: CTS, DSR, DCD fell, RI rose (no TERI). */
	assert_int_equal(in(UART16550_MSR), 0x40 | 0x0b);
	out(UART16550_MCR, UART16550_MCR_LOOP | UART16550_MCR_RTS);
	/* CTS rose, RI fell: its trailing edge sets TERI. */
	assert_int_equal(in(UART16550_MSR), 0x10 | 0x05);
	assert_int_equal(in(UART16550_MSR), 0x10); /* deltas read-clear */
	out(UART16550_MCR, UART16550_MCR_LOOP | UART16550_MCR_RTS |
				   UART16550_MCR_OUT1);
	assert_int_equal(in(UART16550_MSR), 0x50); /* RI rising: no TERI */
}

/* ------------------------------------------------------------- IRQ line */

TEST(test_irq_needs_out2)
{
	out(UART16550_IER, UART16550_IER_ETBEI);
	assert_int_equal(in(UART16550_IIR), 0x02 | 0); /* pending, acks */
	out(UART16550_IER, 0);
	out(UART16550_IER, UART16550_IER_ETBEI);
	out(UART16550_MCR, UART16550_MCR_DTR | UART16550_MCR_RTS);
	assert_int_equal(fk.nirq, 0); /* pending but gated */
	out(UART16550_MCR, 0x0b);
	assert_int_equal(fk.nirq, 1);
	expect_irq(0, true);
	out(UART16550_MCR, 0x03);
	assert_int_equal(fk.nirq, 2);
	expect_irq(1, false);
	/* Still pending inside the UART: OUT2 only gates the line. */
	assert_int_equal(in(UART16550_IIR), UART16550_IIR_THRE);
	assert_int_equal(fk.nirq, 2);
}

TEST(test_irq_off_in_loopback)
{
	out(UART16550_MCR, UART16550_MCR_OUT2);
	out(UART16550_IER, UART16550_IER_ERBFI);
	out(UART16550_MCR, UART16550_MCR_OUT2 | UART16550_MCR_LOOP);
	out(UART16550_THR, 'L');
	/* Data is available, but the OUT2 pin is forced inactive. */
	assert_int_equal(in(UART16550_IIR), UART16550_IIR_RDA);
	assert_int_equal(fk.nirq, 0);
	out(UART16550_MCR, UART16550_MCR_OUT2);
	assert_int_equal(fk.nirq, 1);
	expect_irq(0, true);
	in(UART16550_RBR);
	expect_irq(1, false);
}

TEST(test_line_transitions_exact)
{
	out(UART16550_MCR, 0x0b);
	out(UART16550_FCR, 0x01);
	out(UART16550_IER, 0x07);  /* up: THRE */
	out(UART16550_IER, 0x07);  /* no change */
	rx("a");                    /* still up (RDA), no event */
	in(UART16550_IIR);          /* RDA shown: nothing acked */
	in(UART16550_RBR);          /* THRE left: still up */
	in(UART16550_LSR);
	in(UART16550_MSR);
	in(UART16550_IIR);          /* THRE acked: down */
	out(UART16550_THR, 'b');    /* stays down */
	out(UART16550_SCR, 1);
	advance(HZ);                /* THRE re-raised: up */
	out(UART16550_IER, 0x05);   /* ETBEI off: down */
	out(UART16550_IER, 0x05);
	assert_int_equal(fk.nirq, 4);
	expect_irq(0, true);
	expect_irq(1, false);
	expect_irq(2, true);
	expect_irq(3, false);
}

/* ------------------------------------------------------- bus and guards */

TEST(test_attach_claims_eight_ports)
{
	struct io_bus bus;
	uint32_t v;

	memset(&bus, 0, sizeof(bus));
	assert_int_equal(uart16550_attach(&uart, &bus), 0);
	assert_int_equal(uart16550_attach(&uart, &bus), -1); /* overlap */
	v = 0x3c;
	assert_true(io_access(&bus, BASE + 7, 1, true, &v));
	v = 0;
	assert_true(io_access(&bus, BASE + 7, 1, false, &v));
	assert_int_equal(v, 0x3c);
	assert_false(io_access(&bus, BASE + 8, 1, false, &v));
	assert_false(io_access(&bus, BASE - 1, 1, false, &v));
	v = 'B';
	assert_true(io_access(&bus, BASE, 1, true, &v));
	assert_int_equal(fk.tx[0], 'B');
}

TEST(test_wide_access_is_byte)
{
	uint32_t v;

	v = 0x12345678;
	uart16550_io(&uart, BASE + UART16550_SCR, 4, true, &v);
	assert_int_equal(uart.scr, 0x78);
	v = 0xffffffff;
	uart16550_io(&uart, BASE + UART16550_SCR, 4, false, &v);
	assert_int_equal(v, 0x78);
	v = 0xabcd;
	uart16550_io(&uart, BASE + UART16550_LCR, 2, true, &v);
	assert_int_equal(uart.lcr, 0xcd);
	assert_int_equal(uart.mcr, 0); /* the next port was not written */
	v = 0;
	uart16550_io(&uart, BASE + UART16550_LCR, 2, false, &v);
	assert_int_equal(v, 0xcd);
	/* A nonsense size is still one byte. */
	v = 0x1ff;
	uart16550_io(&uart, BASE + UART16550_SCR, 3, true, &v);
	assert_int_equal(uart.scr, 0xff);
}

TEST(test_bad_port_and_null_guards)
{
	struct uart16550 before;
	uint32_t v;

	out(UART16550_SCR, 0x42);
	memcpy(&before, &uart, sizeof(before));
	v = 0;
	uart16550_io(&uart, BASE + 8, 1, false, &v);
	assert_int_equal(v, 0xff);
	uart16550_io(&uart, BASE - 1, 1, false, &v);
	assert_int_equal(v, 0xff);
	v = 0;
	uart16550_io(&uart, 0xffff, 4, true, &v);
	uart16550_io(&uart, BASE - 0x3f8, 1, true, &v);
	uart16550_io(&uart, BASE, 1, true, NULL);
	uart16550_io(NULL, BASE, 1, true, &v);
	assert_memory_equal(&before, &uart, sizeof(before));
	assert_int_equal(uart16550_receive(&uart, NULL, 5), 0);
	assert_int_equal(uart16550_receive(NULL, (const uint8_t *)"a", 1), 0);
	assert_int_equal(uart16550_rx_space(NULL), 0);
	assert_int_equal(fk.ntx, 0);
}

TEST(test_master_reset)
{
	out(UART16550_SCR, 0x77);
	out(UART16550_MCR, 0x0b);
	out(UART16550_FCR, 0x81);
	out(UART16550_IER, 0x07);
	out(UART16550_THR, 'x');
	rx("abc");
	assert_true(fk.nirq > 0 && fk.irq[fk.nirq - 1].level == false);
	advance(HZ / 100000); /* THRE back: line up */
	expect_irq(fk.nirq - 1, true);
	uart16550_reset(&uart);
	expect_irq(fk.nirq - 1, false);
	assert_int_equal(fake_armed(&fk.clock), 0);
	assert_int_equal(in(UART16550_IIR), 0x01);
	assert_int_equal(in(UART16550_LSR), 0x60);
	assert_int_equal(in(UART16550_IER), 0);
	assert_int_equal(in(UART16550_MCR), 0);
	assert_int_equal(in(UART16550_SCR), 0x77); /* not reset */
}

TEST(test_no_timer_platform)
{
	/* Only set_irq: THRE and timeouts must still come, at once. */
	static const struct vdev_platform bare = {
		.ctx = &fk, .hz = HZ, .set_irq = fake_set_irq,
	};
	struct uart16550_config cfg = { .base = BASE, .gsi = GSI,
					.plat = &bare };

	uart16550_init(&uart, &cfg);
	out(UART16550_MCR, 0x08);
	out(UART16550_FCR, 0x81);
	out(UART16550_IER, 0x03);
	assert_int_equal(in(UART16550_IIR), 0xc2);
	out(UART16550_THR, 'a'); /* no tx callback: dropped, no crash */
	assert_int_equal(in(UART16550_IIR), 0xc2);
	rx("a");
	assert_int_equal(in(UART16550_IIR), 0xcc);
}

/* ------------------------------------------------- Linux 8250 sequences */

/* drivers/tty/serial/8250 autoconfig(), as the port I/O it performs. */
TEST(test_linux_autoconfig)
{
	uint8_t save_ier, save_mcr, save_lcr, s2, s3;

	/* IER probe */
	save_ier = in(UART16550_IER);
	out(UART16550_IER, 0);
	s2 = in(UART16550_IER) & 0x0f;
	out(UART16550_IER, 0x0f);
	s3 = in(UART16550_IER) & 0x0f;
	out(UART16550_IER, save_ier);
	assert_int_equal(s2, 0);
	assert_int_equal(s3, 0x0f);
	/* scratch */
	out(UART16550_SCR, 0xa5);
	assert_int_equal(in(UART16550_SCR), 0xa5);
	out(UART16550_SCR, 0x5a);
	assert_int_equal(in(UART16550_SCR), 0x5a);
	/* loopback presence test */
	save_mcr = in(UART16550_MCR);
	save_lcr = in(UART16550_LCR);
	out(UART16550_MCR, 0x1a);
	assert_int_equal(in(UART16550_MSR) & 0xf0, 0x90);
	out(UART16550_MCR, save_mcr);
	/* EFR probe: LCR=0xBF, write 0 to offset 2 (an FCR write here) */
	out(UART16550_LCR, 0xbf);
	out(UART16550_FCR, 0);
	out(UART16550_LCR, 0);
	out(UART16550_FCR, UART16550_FCR_FIFO_ENABLE);
	assert_int_equal(in(UART16550_IIR) >> 6, 3); /* 16550A */
	/* autoconfig_16550a: IIR read with DLAB must not look like EFR=0 */
	out(UART16550_LCR, 0x80);
	assert_int_not_equal(in(UART16550_IIR), 0);
	out(UART16550_LCR, 0xbf);
	assert_int_not_equal(in(UART16550_IIR), 0);
	/* 16750 test: 64-byte bit must never appear */
	out(UART16550_LCR, 0);
	out(UART16550_FCR, 0x21);
	assert_int_equal(in(UART16550_IIR) & 0xe0, 0xc0);
	out(UART16550_FCR, 0x01);
	out(UART16550_LCR, save_lcr);
	/* reset FIFOs, as Linux does at the end */
	out(UART16550_FCR, 0xc7);
	assert_int_equal(in(UART16550_IIR) >> 6, 3);
	out(UART16550_FCR, 0);
	in(UART16550_RBR);
	out(UART16550_IER, 0);
	assert_int_equal(fk.nirq, 0); /* OUT2 never set: line never moved */
}

/* serial8250_startup() then a write through the interrupt path. */
TEST(test_linux_startup_and_tx_irq)
{
	uint8_t iir1, iir, lsr;
	unsigned sent = 0;
	const char *msg = "login: this message is longer than sixteen bytes\n";
	unsigned len = (unsigned)strlen(msg);

	/* clear FIFOs */
	out(UART16550_FCR, 0x01);
	out(UART16550_FCR, 0x07);
	out(UART16550_FCR, 0x00);
	in(UART16550_LSR);
	in(UART16550_RBR);
	in(UART16550_IIR);
	in(UART16550_MSR);
	assert_int_not_equal(in(UART16550_LSR), 0xff);
	out(UART16550_LCR, 0x03);
	/* THRE re-assert test (UART_BUG_THRE) */
	out(UART16550_IER, 0x02);
	iir1 = in(UART16550_IIR);
	out(UART16550_IER, 0);
	out(UART16550_IER, 0x02);
	iir = in(UART16550_IIR);
	out(UART16550_IER, 0);
	assert_false(iir1 & UART16550_IIR_NO_INT);
	assert_false(iir & UART16550_IIR_NO_INT);
	/* MCR: DTR | RTS | OUT2 */
	out(UART16550_MCR, 0x0b);
	/* UART_BUG_TXEN test */
	out(UART16550_IER, 0x02);
	lsr = in(UART16550_LSR);
	iir = in(UART16550_IIR);
	out(UART16550_IER, 0);
	assert_true(lsr & UART16550_LSR_TEMT);
	assert_false(iir & UART16550_IIR_NO_INT);
	in(UART16550_LSR);
	in(UART16550_RBR);
	in(UART16550_IIR);
	in(UART16550_MSR);
	/* set_termios: divisor, LCR, FIFO with trigger 8 */
	out(UART16550_LCR, 0x83);
	out(UART16550_DLL, 1);
	out(UART16550_DLM, 0);
	out(UART16550_LCR, 0x03);
	out(UART16550_FCR, 0x01);
	out(UART16550_FCR, 0x81);
	out(UART16550_IER, 0x05);
	assert_int_equal(in(UART16550_IIR), 0xc1);
	unsigned base_irqs = fk.nirq;
	assert_false(uart.irq_level);
	/* start_tx: THRI on; the interrupt handler runs on the rising edge */
	out(UART16550_IER, 0x07);
	assert_int_equal(fk.nirq, base_irqs + 1);
	for (int round = 0; round < 10 && sent < len; round++) {
		assert_true(uart.irq_level);
		/* serial8250_handle_irq loops until IIR says no interrupt */
		while (!((iir = in(UART16550_IIR)) & UART16550_IIR_NO_INT)) {
			lsr = in(UART16550_LSR);
			if ((lsr & UART16550_LSR_THRE) && (uart.ier & 0x02)) {
				for (int i = 0; i < 16 && sent < len; i++)
					out(UART16550_THR,
					    (uint8_t)msg[sent++]);
				if (sent == len)
					out(UART16550_IER, 0x05); /* stop_tx */
			}
		}
		assert_false(uart.irq_level);
		advance(HZ / 10000); /* the guest returns; time passes */
	}
	assert_int_equal(sent, len);
	assert_int_equal(fk.ntx, len);
	assert_memory_equal(fk.tx, msg, len);
	assert_false(uart.irq_level);
	/* Typed input arrives through the timeout interrupt. */
	rx("ls\r");
	advance(HZ / 1000);
	assert_true(uart.irq_level);
	assert_int_equal(in(UART16550_IIR), 0xcc);
	assert_int_equal(in(UART16550_RBR), 'l');
	assert_int_equal(in(UART16550_RBR), 's');
	assert_int_equal(in(UART16550_RBR), '\r');
	assert_int_equal(in(UART16550_LSR) & UART16550_LSR_DR, 0);
	assert_false(uart.irq_level);
	/* Every edge alternates: no double assert or deassert. */
	for (unsigned i = 1; i < fk.nirq; i++)
		assert_int_not_equal(fk.irq[i].level, fk.irq[i - 1].level);
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_loopback_thr_to_rbr),
		T(test_loopback_msr_reflects_mcr),
		T(test_loopback_msr_deltas),
		T(test_irq_needs_out2),
		T(test_irq_off_in_loopback),
		T(test_line_transitions_exact),
		T(test_attach_claims_eight_ports),
		T(test_wide_access_is_byte),
		T(test_bad_port_and_null_guards),
		T(test_master_reset),
		T(test_no_timer_platform),
		T(test_linux_autoconfig),
		T(test_linux_startup_and_tx_irq),
	};

	return cmocka_run_group_tests_name("uart16550_irq", tests, NULL, NULL);
}
