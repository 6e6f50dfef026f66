/* SPDX-License-Identifier: MIT */
/*
 * Polled 16550 driver. Register offsets and bits: the PC16550D data sheet
 * (THR/RBR 0, IER 1, FCR 2, LCR 3, MCR 4, LSR 5; LSR.THRE bit 5, LSR.DR bit 0).
 */
#include "arch/x86/include/cpu.h"
#include "drivers/uart.h"

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
#define UART_CLOCK 115200

static uint16_t console_base = 0x3f8;

uint16_t uart_console_base(void)
{
	return console_base;
}

void uart_init(uint16_t port, uint32_t baud)
{
	console_base = port;
	uart_port_init(port, baud);
}

void uart_putc(char c)
{
	uart_port_putc(console_base, c);
}

int uart_getc(void)
{
	return uart_port_getc(console_base);
}

void uart_port_init(uint16_t base, uint32_t baud)
{
	uint16_t div = baud ? UART_CLOCK / baud : 1;

	if (!div)
		div = 1;
	outb(base + UART_IER, 0);
	outb(base + UART_LCR, LCR_DLAB);
	outb(base + UART_DLL, div & 0xff);
	outb(base + UART_DLM, div >> 8);
	outb(base + UART_LCR, LCR_8N1);
	outb(base + UART_FCR, 0x07); /* enable and clear both FIFOs */
	outb(base + UART_MCR, 0x03); /* DTR, RTS */
}

void uart_port_putc(uint16_t base, char c)
{
	/* Bounded wait: a UART that never drains (absent, or stuck) must not
	 * hang the hypervisor; output is lost instead. */
	for (int i = 0; i < 100000; i++) {
		if (inb(base + UART_LSR) & LSR_THRE)
			break;
		cpu_relax();
	}
	outb(base + UART_THR, (uint8_t)c);
}

int uart_port_getc(uint16_t base)
{
	if (!(inb(base + UART_LSR) & LSR_DR))
		return -1;
	return inb(base + UART_RBR);
}
