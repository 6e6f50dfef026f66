/* SPDX-License-Identifier: MIT */
/*
 * 16550 register access through port I/O or MMIO (uart_regs.h). An MMIO
 * 16550 on 32-bit registers takes 32-bit accesses only (a byte access may
 * be dropped by the bus): the data sit in the low byte, the rest reads as
 * zero and is written as zero.
 */
#include "arch/x86/include/cpu.h"
#include "drivers/uart_regs.h"

uint8_t uart_reg_in(const struct uart_regs *u, unsigned reg)
{
	uint64_t a = uart_reg_addr(u, reg);

	if (!u->mmio)
		return inb((uint16_t)a);
	switch (u->width) {
	case 4:
		return (uint8_t)*(volatile uint32_t *)a;
	case 2:
		return (uint8_t)*(volatile uint16_t *)a;
	default:
		return *(volatile uint8_t *)a;
	}
}

void uart_reg_out(const struct uart_regs *u, unsigned reg, uint8_t v)
{
	uint64_t a = uart_reg_addr(u, reg);

	if (!u->mmio) {
		outb((uint16_t)a, v);
		return;
	}
	switch (u->width) {
	case 4:
		*(volatile uint32_t *)a = v;
		break;
	case 2:
		*(volatile uint16_t *)a = v;
		break;
	default:
		*(volatile uint8_t *)a = v;
	}
}
