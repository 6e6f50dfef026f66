/* SPDX-License-Identifier: MIT */
/*
 * Where a 16550's registers are: at consecutive I/O ports (the PC's COM
 * ports), or in memory, one register every `stride` bytes, read and
 * written `width` bytes at a time (an MMIO 16550 as the SPCR describes it:
 * servers and SoCs put them on 32-bit registers, stride 4). The register
 * numbers are the PC16550D's (THR/RBR 0 ... LSR 5, SCR 7).
 */
#ifndef SHALE_DRIVERS_UART_REGS_H
#define SHALE_DRIVERS_UART_REGS_H

#include <stdbool.h>
#include <stdint.h>

struct uart_regs {
	bool mmio;
	uint64_t base;   /* I/O port, or physical address (identity mapped) */
	uint8_t width;   /* MMIO access size in bytes: 1, 2 or 4 */
	uint8_t stride;  /* MMIO bytes between registers: width */
};

/* The address (port or physical) of register reg. */
static inline uint64_t uart_reg_addr(const struct uart_regs *u, unsigned reg)
{
	return u->base + (u->mmio ? (uint64_t)reg * u->stride : reg);
}

uint8_t uart_reg_in(const struct uart_regs *u, unsigned reg);
void uart_reg_out(const struct uart_regs *u, unsigned reg, uint8_t v);

#endif
