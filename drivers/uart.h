/* SPDX-License-Identifier: MIT */
/* The host's own 16550-compatible UART, polled: Shale's serial console. */
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

#endif
