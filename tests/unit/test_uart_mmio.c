/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the console UART's MMIO path: the register addresses of
 * a 16550 on 32-bit registers, the driver (drivers/uart.c) run against
 * memory standing in for the registers, and the choice between shale.cfg,
 * the SPCR's COM port and its MMIO UART (drivers/uart_choice.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "drivers/uart.h"
#include "drivers/uart_choice.h"
#include "drivers/uart_regs.h"

static void register_addresses(void **state)
{
	struct uart_regs io = { .base = 0x2f8, .width = 1, .stride = 1 };
	struct uart_regs m32 = { .mmio = true, .base = 0xfe032000, .width = 4, .stride = 4 };
	struct uart_regs m8 = { .mmio = true, .base = 0x10000000, .width = 1, .stride = 1 };

	(void)state;
	assert_int_equal(uart_reg_addr(&io, 5), 0x2fd);
	assert_int_equal(uart_reg_addr(&m32, 0), 0xfe032000);
	assert_int_equal(uart_reg_addr(&m32, 3), 0xfe03200c); /* LCR */
	assert_int_equal(uart_reg_addr(&m32, 5), 0xfe032014); /* LSR */
	assert_int_equal(uart_reg_addr(&m32, 7), 0xfe03201c); /* SCR */
	assert_int_equal(uart_reg_addr(&m8, 5), 0x10000005);
}

/* Eight 32-bit registers in memory: the driver's writes land here. */
static uint32_t regs[8];

static void driver_on_32bit_registers(void **state)
{
	(void)state;
	memset(regs, 0xaa, sizeof(regs));
	regs[5] = 0xffffff60; /* LSR: THRE and TEMT; garbage above the byte */
	uart_init_mmio((uint64_t)(uintptr_t)regs, 4, 115200, 1843200);
	assert_true(uart_console_is_mmio());
	/* The last writes: DLL = 1 at register 0, DLM = 0 after IER = 0 at
	 * register 1, 8N1 at LCR, FIFOs at FCR, DTR|RTS at MCR; each a
	 * whole 32-bit word, the upper bytes zero. */
	assert_int_equal(regs[0], 1);
	assert_int_equal(regs[1], 0);
	assert_int_equal(regs[2], 0x07);
	assert_int_equal(regs[3], 0x03);
	assert_int_equal(regs[4], 0x03);
	assert_int_equal(regs[6], 0xaaaaaaaa); /* MSR untouched */
	uart_putc('S');
	assert_int_equal(regs[0], 'S');
	/* Only the low byte of a read counts. */
	assert_int_equal(uart_console_in(5), 0x60);
	regs[5] = 0xffffff01; /* LSR.DR: a byte waits */
	regs[0] = 0x12345641;
	assert_int_equal(uart_getc(), 'A');
}

static void driver_keeps_unknown_divisor(void **state)
{
	(void)state;
	memset(regs, 0, sizeof(regs));
	regs[0] = 0x0c; /* whatever the firmware left */
	regs[5] = 0x60;
	/* No clock known: the divisor latch is not opened. */
	uart_init_mmio((uint64_t)(uintptr_t)regs, 4, 115200, 0);
	assert_int_equal(regs[0], 0x0c);
	assert_int_equal(regs[3], 0x03);
	/* With a 48 MHz clock (a common SoC UART clock): 48e6/16/115200 = 26. */
	uart_init_mmio((uint64_t)(uintptr_t)regs, 4, 115200, 48000000);
	assert_int_equal(regs[0], 26);
}

static struct spcr_uart com2_spcr(void)
{
	return (struct spcr_uart){ .revision = 2, .interface_type = SPCR_IF_16550,
				   .base = 0x2f8, .reg_width = 1, .stride = 1,
				   .baud = 57600 };
}

static struct spcr_uart mmio_spcr(void)
{
	return (struct spcr_uart){ .revision = 2, .interface_type = SPCR_IF_16550_GAS,
				   .mmio = true, .base = 0xfe032000, .reg_width = 4,
				   .stride = 4, .baud = 115200 };
}

static void choice(void **state)
{
	struct spcr_uart s;
	struct uart_choice c;

	(void)state;
	/* No SPCR: shale.cfg (or its default, COM1). */
	uart_choose_console(false, 0, NULL, &c);
	assert_int_equal(c.pick, UART_PICK_CONFIG);

	/* An explicit console = wins, and the log says over what. */
	s = com2_spcr();
	uart_choose_console(true, 0, &s, &c);
	assert_int_equal(c.pick, UART_PICK_CONFIG);
	assert_string_equal(c.why, "the console stays where shale.cfg's `console =` puts it, "
			    "not on the SPCR's I/O port 0x2f8, 57600 baud");

	/* The SPCR's COM port. */
	uart_choose_console(false, 0, &s, &c);
	assert_int_equal(c.pick, UART_PICK_SPCR_IO);
	assert_int_equal(c.base, 0x2f8);
	assert_int_equal(c.baud, 57600);
	assert_string_equal(c.why, "the console goes to the SPCR's I/O port 0x2f8, 57600 baud");

	/* COM2 is the GDB stub's when shale.cfg has gdb =. */
	uart_choose_console(false, 0x2f8, &s, &c);
	assert_int_equal(c.pick, UART_PICK_CONFIG);
	assert_string_equal(c.why, "the SPCR's I/O port 0x2f8 is the GDB stub's line "
			    "(gdb = in shale.cfg); the console stays on COM1");
	uart_choose_console(false, 0x2f8, &(struct spcr_uart){ .base = 0x3f8, .reg_width = 1,
							       .stride = 1, .baud = 115200 }, &c);
	assert_int_equal(c.pick, UART_PICK_SPCR_IO);

	/* A rate the PC clock cannot make (revision 4's precise rate):
	 * the firmware's divisor stays. */
	s.baud = 1500000;
	uart_choose_console(false, 0, &s, &c);
	assert_int_equal(c.pick, UART_PICK_SPCR_IO);
	assert_int_equal(c.baud, 0);

	/* The SPCR's MMIO UART, its clock unknown: the divisor stays. */
	s = mmio_spcr();
	uart_choose_console(false, 0, &s, &c);
	assert_int_equal(c.pick, UART_PICK_SPCR_MMIO);
	assert_int_equal(c.base, 0xfe032000);
	assert_int_equal(c.width, 4);
	assert_int_equal(c.baud, 0);
	assert_non_null(strstr(c.why, "MMIO 0xfe032000 (32-bit registers, stride 4)"));
	assert_non_null(strstr(c.why, "the firmware's divisor stays"));
	/* Revision 3 gives the clock: the rate is programmed. */
	s.revision = 3;
	s.uart_clock = 48000000;
	uart_choose_console(false, 0, &s, &c);
	assert_int_equal(c.baud, 115200);
	assert_int_equal(c.clock_hz, 48000000);

	/* An MMIO UART above 4 GiB (the Ampere Altra's address) is out of
	 * Shale's map: COM1. */
	s.base = 0x100002600000ull;
	uart_choose_console(false, 0, &s, &c);
	assert_int_equal(c.pick, UART_PICK_CONFIG);
	assert_non_null(strstr(c.why, "above 4 GiB"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(register_addresses),
		cmocka_unit_test(driver_on_32bit_registers),
		cmocka_unit_test(driver_keeps_unknown_divisor),
		cmocka_unit_test(choice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
