/* SPDX-License-Identifier: MIT */
/* The console's UART: shale.cfg, the SPCR, or COM1 (uart_choice.h). */
#include "drivers/uart.h"
#include "drivers/uart_choice.h"
#include "lib/printf.h"
#include "lib/string.h"

void uart_choose_console(bool console_set, uint16_t gdb_port,
			 const struct spcr_uart *spcr, struct uart_choice *c)
{
	char desc[120];

	memset(c, 0, sizeof(*c));
	c->pick = UART_PICK_CONFIG;
	if (!spcr)
		return;
	spcr_describe(spcr, desc, sizeof(desc));
	if (console_set) {
		ksnprintf(c->why, sizeof(c->why),
			  "the console stays where shale.cfg's `console =` puts it, not on the SPCR's %s",
			  desc);
		return;
	}
	if (!spcr->mmio && gdb_port && spcr->base == gdb_port) {
		ksnprintf(c->why, sizeof(c->why),
			  "the SPCR's I/O port 0x%x is the GDB stub's line (gdb = in shale.cfg); the console stays on COM1",
			  gdb_port);
		return;
	}
	c->base = spcr->base;
	c->baud = spcr->baud;
	if (!spcr->mmio) {
		/* A COM port runs from the PC's 1.8432 MHz clock: rates that
		 * clock cannot make keep the firmware's divisor. */
		c->clock_hz = spcr->uart_clock ? spcr->uart_clock : UART_PC_CLOCK_HZ;
		if (c->baud && (c->clock_hz / 16) % c->baud)
			c->baud = 0;
		c->pick = UART_PICK_SPCR_IO;
		ksnprintf(c->why, sizeof(c->why), "the console goes to the SPCR's %s", desc);
		return;
	}
	if (spcr->base + 8ull * spcr->stride > UART_MMIO_LIMIT) {
		ksnprintf(c->why, sizeof(c->why),
			  "the SPCR's UART at 0x%lx lies above 4 GiB, which Shale does not map; the console stays on COM1",
			  (unsigned long)spcr->base);
		c->base = 0;
		c->baud = 0;
		return;
	}
	/* An MMIO 16550's clock is the SoC's; only revision 3+ says it. */
	c->clock_hz = spcr->uart_clock;
	if (!c->clock_hz)
		c->baud = 0;
	c->width = spcr->reg_width;
	c->pick = UART_PICK_SPCR_MMIO;
	ksnprintf(c->why, sizeof(c->why), "the console goes to the SPCR's %s%s", desc,
		  c->baud || !spcr->baud ? "" : " (its clock is not given: the firmware's divisor stays)");
}
