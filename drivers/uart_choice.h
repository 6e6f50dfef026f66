/* SPDX-License-Identifier: MIT */
/*
 * Which UART carries the console: shale.cfg's `console =` where it has
 * one; else the 16550 of the firmware's SPCR table, on I/O ports or MMIO;
 * else COM1 (the config's default). Pure, for the unit tests.
 */
#ifndef SHALE_DRIVERS_UART_CHOICE_H
#define SHALE_DRIVERS_UART_CHOICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/acpi_spcr.h"

/* MMIO UARTs Shale can reach at boot and after: below 4 GiB, which its
 * identity map always covers (vmm/main.c, memory_top()). */
#define UART_MMIO_LIMIT (4ull << 30)

enum uart_pick {
	UART_PICK_CONFIG,   /* shale.cfg's console (or its default, COM1) */
	UART_PICK_SPCR_IO,  /* the SPCR's COM port */
	UART_PICK_SPCR_MMIO, /* the SPCR's MMIO 16550 */
};

struct uart_choice {
	enum uart_pick pick;
	uint64_t base;     /* port or physical address */
	unsigned width;    /* MMIO register width, bytes */
	uint32_t baud;     /* to program; 0: keep the firmware's divisor */
	uint32_t clock_hz; /* the UART's input clock, 0 if unknown */
	char why[200];     /* the boot log's sentence about the choice */
};

/* console_set: shale.cfg has `console =`. gdb_port: the COM port the GDB
 * stub takes (gdb = in shale.cfg), 0 if none: not the console's. spcr:
 * the parsed SPCR, or NULL. */
void uart_choose_console(bool console_set, uint16_t gdb_port,
			 const struct spcr_uart *spcr, struct uart_choice *c);

#endif
