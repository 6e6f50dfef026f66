/* SPDX-License-Identifier: MIT */
/* The host's own 16550-compatible UARTs, polled: Shale's serial console
 * and the GDB stub's line. */
#ifndef SHALE_DRIVERS_UART_H
#define SHALE_DRIVERS_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void uart_init(uint16_t port, uint32_t baud);
void uart_putc(char c);
void uart_write(const char *s, size_t len);
/* A received byte, or -1 when none is waiting. */
int uart_getc(void);

/* The same for another port (the GDB stub's COM2): raw bytes, no CR/LF
 * translation. */
void uart_port_init(uint16_t base, uint32_t baud);
void uart_port_putc(uint16_t base, char c);
int uart_port_getc(uint16_t base);

#endif
