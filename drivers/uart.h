/* SPDX-License-Identifier: MIT */
/* The host's own 16550-compatible UARTs, polled: Shale's serial console
 * and the GDB stub's line. */
#ifndef SHALE_DRIVERS_UART_H
#define SHALE_DRIVERS_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The PC's COM-port clock: 1.8432 MHz, baud = this / 16 / divisor. */
#define UART_PC_CLOCK_HZ 1843200

/* The console on a COM port. baud 0 keeps the firmware's divisor. */
void uart_init(uint16_t port, uint32_t baud);
/* The console on an MMIO 16550 (from the SPCR: arch/x86/acpi_spcr.h),
 * width-byte registers at a stride of width. The divisor is programmed
 * only when both baud and the UART's clock are known, else the firmware's
 * is kept. */
void uart_init_mmio(uint64_t base, unsigned width, uint32_t baud,
		    uint32_t clock_hz);
bool uart_console_is_mmio(void);
/* A console register (PC16550D numbering), through port I/O or MMIO. */
uint8_t uart_console_in(unsigned reg);
void uart_console_out(unsigned reg, uint8_t v);
void uart_putc(char c);
/* A received byte, or -1 when none is waiting. */
int uart_getc(void);

/* The same for another port (the GDB stub's COM2): raw bytes, no CR/LF
 * translation. */
void uart_port_init(uint16_t base, uint32_t baud);
void uart_port_putc(uint16_t base, char c);
int uart_port_getc(uint16_t base);

/*
 * The console's output (drivers/uart_tx.c), with LF sent as CR LF. Until
 * uart_tx_queue_start(), uart_write() waits for the UART byte by byte: the
 * boot path, beside the firmware's console. After it, uart_write() only
 * queues, and the queue goes out as the UART can take it: uart_tx_pump()
 * fills the UART's FIFO when it is empty and never waits, so no guest's
 * time goes into waiting on the serial line; uart_tx_flush() waits for all
 * of it (before a halt). Only when the queue is full does uart_write()
 * wait, and the console keeps guests' lines out of a queue without room.
 */
void uart_write(const char *s, size_t len);
#define UART_TXQ_SIZE 65536 /* a power of two; see CONSOLE_TX_GUEST_MAX */
/* queue: UART_TXQ_SIZE bytes. */
void uart_tx_queue_start(uint32_t baud, void *queue);
void uart_tx_pump(void);
void uart_tx_flush(void);
size_t uart_tx_room(void);   /* bytes that fit without waiting */
size_t uart_tx_pending(void);
/* TSC ticks the UART needs to send its whole FIFO at the console's baud
 * rate: how often uart_tx_pump() must run to keep the line busy. */
uint64_t uart_tx_fifo_ticks(uint64_t tsc_hz);
/* The TSC's rate, once it is known: waits for the UART are then bounded
 * by time rather than by a count of polls. */
void uart_tx_set_tsc_hz(uint64_t tsc_hz);

#endif
