/* SPDX-License-Identifier: MIT */
/*
 * Polled 16550 driver. Register offsets and bits: the PC16550D data sheet
 * (THR/RBR 0, IER 1, FCR 2, LCR 3, MCR 4, LSR 5; LSR.THRE bit 5, LSR.DR bit 0).
 * The console may be a COM port or an MMIO 16550 (drivers/uart_regs.h);
 * the GDB stub's line is always a COM port.
 */
#include "arch/x86/include/cpu.h"
#include "drivers/uart.h"
#include "drivers/uart_regs.h"

#define UART_THR 0
#define UART_RBR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define LSR_DR 0x01
#define LSR_THRE 0x20

static struct uart_regs console = { .base = 0x3f8, .width = 1, .stride = 1 };

/* Program 8N1, FIFOs on, DTR and RTS; the divisor only when divisor is not
 * 0 (0: keep what the firmware set, for a UART whose clock Shale does not
 * know). */
static void setup(const struct uart_regs *u, uint32_t divisor)
{
	uart_reg_out(u, UART_IER, 0);
	if (divisor) {
		uart_reg_out(u, UART_LCR, LCR_DLAB);
		uart_reg_out(u, UART_DLL, divisor & 0xff);
		uart_reg_out(u, UART_DLM, (divisor >> 8) & 0xff);
	}
	uart_reg_out(u, UART_LCR, LCR_8N1);
	uart_reg_out(u, UART_FCR, 0x07); /* enable and clear both FIFOs */
	uart_reg_out(u, UART_MCR, 0x03); /* DTR, RTS */
}

static uint32_t divisor_for(uint32_t clock_hz, uint32_t baud)
{
	uint32_t div;

	if (!baud || !clock_hz)
		return 0;
	div = clock_hz / 16 / baud;
	return div ? div : 1;
}

static void putc_on(const struct uart_regs *u, char c)
{
	/* Bounded wait: a UART that never drains (absent, or stuck) must not
	 * hang the hypervisor; output is lost instead. */
	for (int i = 0; i < 100000; i++) {
		if (uart_reg_in(u, UART_LSR) & LSR_THRE)
			break;
		cpu_relax();
	}
	uart_reg_out(u, UART_THR, (uint8_t)c);
}

static int getc_on(const struct uart_regs *u)
{
	if (!(uart_reg_in(u, UART_LSR) & LSR_DR))
		return -1;
	return uart_reg_in(u, UART_RBR);
}

void uart_init(uint16_t port, uint32_t baud)
{
	console = (struct uart_regs){ .base = port, .width = 1, .stride = 1 };
	setup(&console, divisor_for(UART_PC_CLOCK_HZ, baud));
}

void uart_init_mmio(uint64_t base, unsigned width, uint32_t baud,
		    uint32_t clock_hz)
{
	console = (struct uart_regs){ .mmio = true, .base = base,
				      .width = (uint8_t)width,
				      .stride = (uint8_t)width };
	setup(&console, divisor_for(clock_hz, baud));
}

bool uart_console_is_mmio(void)
{
	return console.mmio;
}

uint8_t uart_console_in(unsigned reg)
{
	return uart_reg_in(&console, reg);
}

void uart_console_out(unsigned reg, uint8_t v)
{
	uart_reg_out(&console, reg, v);
}

void uart_putc(char c)
{
	putc_on(&console, c);
}

int uart_getc(void)
{
	return getc_on(&console);
}

void uart_port_init(uint16_t base, uint32_t baud)
{
	struct uart_regs u = { .base = base, .width = 1, .stride = 1 };

	setup(&u, baud ? divisor_for(UART_PC_CLOCK_HZ, baud) : 1);
}

void uart_port_putc(uint16_t base, char c)
{
	struct uart_regs u = { .base = base, .width = 1, .stride = 1 };

	putc_on(&u, c);
}

int uart_port_getc(uint16_t base)
{
	struct uart_regs u = { .base = base, .width = 1, .stride = 1 };

	return getc_on(&u);
}
