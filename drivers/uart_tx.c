/* SPDX-License-Identifier: MIT */
/*
 * The console's transmit queue. A 16550 sends about 11 bytes a millisecond
 * at 115200 baud; waiting for it in root mode would spend the guests' time
 * (a guest that floods its console would take the CPU from all the others).
 * Instead, output is queued here and the scheduler calls uart_tx_pump()
 * on every pass, and often enough while there is output to send (see
 * uart_tx_fifo_ticks()), to refill the UART's 16-byte FIFO once it has
 * emptied (LSR.THRE: "transmitter holding register empty", which with the
 * FIFO on means the whole FIFO is empty; PC16550D data sheet).
 */
#include "arch/x86/include/cpu.h"
#include "drivers/uart.h"
#include "lib/log.h"

#define UART_THR 0
#define UART_LSR 5
#define LSR_THRE 0x20
#define UART_FIFO_DEPTH 16
#define TXQ_SIZE UART_TXQ_SIZE

static char *txq; /* from the page allocator: no 64 KiB in the image */
static uint32_t txq_head, txq_tail; /* free-running; head - tail is queued */
static bool txq_on;
static uint32_t txq_baud = 115200;
static uint64_t txq_tsc_hz;

void uart_tx_queue_start(uint32_t baud, void *queue)
{
	if (baud)
		txq_baud = baud;
	txq = queue;
	txq_on = true;
}

size_t uart_tx_pending(void)
{
	return txq_head - txq_tail;
}

/* Before the queue, everything is written at once: all of it is room. */

size_t uart_tx_room(void)
{
	return txq_on ? TXQ_SIZE - uart_tx_pending() : TXQ_SIZE;
}

uint64_t uart_tx_fifo_ticks(uint64_t tsc_hz)
{
	/* 10 bits a byte on the wire (start, 8 data, stop). */
	return tsc_hz / txq_baud * 10 * UART_FIFO_DEPTH;
}

void uart_tx_pump(void)
{
	if (txq_head == txq_tail)
		return; /* the common case, without the lock */
	log_lock();
	if (uart_console_in(UART_LSR) & LSR_THRE)
		for (int i = 0; i < UART_FIFO_DEPTH && txq_tail != txq_head; i++)
			uart_console_out(UART_THR, (uint8_t)txq[txq_tail++ % TXQ_SIZE]);
	log_unlock();
}

void uart_tx_set_tsc_hz(uint64_t tsc_hz)
{
	txq_tsc_hz = tsc_hz;
}

/* Wait for the FIFO to empty, boundedly: a UART that never drains (absent,
 * or stuck) must not hang the hypervisor; its output is lost instead.
 * With the TSC's rate known, the bound is four times what a full FIFO
 * takes at the baud rate, plus a millisecond: a count of polls alone is
 * too short where a port read costs little against a byte's time on the
 * wire (an emulator's fast clock, a UART in MMIO on a fast CPU), and
 * the queue was dropped while the UART was still sending. */
static bool wait_thre(void)
{
	uint64_t end = txq_tsc_hz ? rdtsc() + 4 * uart_tx_fifo_ticks(txq_tsc_hz) + txq_tsc_hz / 1000
				  : 0;

	for (int i = 0; end || i < 100000; i++) {
		if (uart_console_in(UART_LSR) & LSR_THRE)
			return true;
		if (end && rdtsc() > end)
			return false;
		cpu_relax();
	}
	return false;
}

void uart_tx_flush(void)
{
	log_lock();
	while (txq_head != txq_tail) {
		if (!wait_thre())
			txq_tail = txq_head;
		uart_tx_pump();
	}
	log_unlock();
}

static void enqueue(char c)
{
	while (txq_head - txq_tail == TXQ_SIZE) {
		/* Full: only Shale's own messages get here (the console holds
		 * guests' lines back), and those are worth the wait. */
		if (!wait_thre())
			txq_tail = txq_head;
		uart_tx_pump();
	}
	txq[txq_head++ % TXQ_SIZE] = c;
}

void uart_write(const char *s, size_t len)
{
	log_lock();
	for (size_t i = 0; i < len; i++) {
		if (!txq_on) {
			if (s[i] == '\n')
				uart_putc('\r');
			uart_putc(s[i]);
			continue;
		}
		if (s[i] == '\n')
			enqueue('\r');
		enqueue(s[i]);
	}
	if (txq_on)
		uart_tx_pump();
	log_unlock();
}
