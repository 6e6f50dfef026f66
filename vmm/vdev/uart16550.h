/* SPDX-License-Identifier: MIT */
/*
 * A 16550A UART (the PC's COM port) as Linux's 8250 driver finds it:
 * 16-byte FIFOs, the full interrupt priority scheme, loopback, scratch
 * register, and the PC wiring where MCR.OUT2 gates the IRQ line.
 *
 * Transmit is instant: each THR write goes straight to the `tx` callback.
 * The host feeds typed bytes with uart16550_receive(), after asking
 * uart16550_rx_space() how many fit.
 *
 * Register names and bits as the National/TI PC16550D data sheet spells them.
 */
#ifndef SHALE_VMM_VDEV_UART16550_H
#define SHALE_VMM_VDEV_UART16550_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/io.h"
#include "vmm/vdev/vdev.h"

#define UART16550_NPORTS 8
#define UART16550_FIFO_SIZE 16

/* How long after a burst of THR writes the THRE interrupt comes back. The
 * byte is long gone; the delay only makes the re-raise a separate event
 * after the guest's interrupt handler has returned, so an edge-triggered
 * PIC sees a fresh edge for it. */
#define UART16550_THRE_DELAY_US 10

/* Register offsets from the base port (DLAB = LCR bit 7 selects DLL/DLM). */
enum {
	UART16550_RBR = 0, /* read, DLAB=0 */
	UART16550_THR = 0, /* write, DLAB=0 */
	UART16550_DLL = 0, /* DLAB=1 */
	UART16550_IER = 1, /* DLAB=0 */
	UART16550_DLM = 1, /* DLAB=1 */
	UART16550_IIR = 2, /* read */
	UART16550_FCR = 2, /* write */
	UART16550_LCR = 3,
	UART16550_MCR = 4,
	UART16550_LSR = 5,
	UART16550_MSR = 6,
	UART16550_SCR = 7,
};

#define UART16550_IER_ERBFI 0x01 /* received data available */
#define UART16550_IER_ETBEI 0x02 /* THR empty */
#define UART16550_IER_ELSI 0x04  /* receiver line status */
#define UART16550_IER_EDSSI 0x08 /* modem status */

#define UART16550_IIR_NO_INT 0x01
#define UART16550_IIR_MODEM 0x00
#define UART16550_IIR_THRE 0x02
#define UART16550_IIR_RDA 0x04
#define UART16550_IIR_RLS 0x06
#define UART16550_IIR_TIMEOUT 0x0c
#define UART16550_IIR_ID_MASK 0x0f
#define UART16550_IIR_FIFOS 0xc0 /* both set while FCR.FIFO_ENABLE */

#define UART16550_FCR_FIFO_ENABLE 0x01
#define UART16550_FCR_RX_RESET 0x02
#define UART16550_FCR_TX_RESET 0x04
#define UART16550_FCR_DMA_MODE 0x08
#define UART16550_FCR_TRIGGER_MASK 0xc0 /* RX trigger: 1, 4, 8, 14 bytes */

#define UART16550_LCR_WLS_MASK 0x03
#define UART16550_LCR_STB 0x04
#define UART16550_LCR_PEN 0x08
#define UART16550_LCR_DLAB 0x80

#define UART16550_MCR_DTR 0x01
#define UART16550_MCR_RTS 0x02
#define UART16550_MCR_OUT1 0x04
#define UART16550_MCR_OUT2 0x08
#define UART16550_MCR_LOOP 0x10

#define UART16550_LSR_DR 0x01
#define UART16550_LSR_OE 0x02
#define UART16550_LSR_THRE 0x20
#define UART16550_LSR_TEMT 0x40

#define UART16550_MSR_DCTS 0x01
#define UART16550_MSR_DDSR 0x02
#define UART16550_MSR_TERI 0x04
#define UART16550_MSR_DDCD 0x08
#define UART16550_MSR_CTS 0x10
#define UART16550_MSR_DSR 0x20
#define UART16550_MSR_RI 0x40
#define UART16550_MSR_DCD 0x80

struct uart16550_config {
	uint16_t base; /* 0x3f8 for COM1 */
	unsigned gsi;  /* 4 for COM1 */
	void (*tx)(void *ctx, uint8_t byte); /* may be NULL: output dropped */
	void *tx_ctx;
	const struct vdev_platform *plat;
};

struct uart16550 {
	uint16_t base;
	unsigned gsi;
	void (*tx)(void *ctx, uint8_t byte);
	void *tx_ctx;
	const struct vdev_platform *plat;

	/* Registers as the guest sees them. LSR's DR/THRE/TEMT are derived;
	 * lsr_err holds only the latched error bits (OE). */
	uint8_t ier, lcr, mcr, fcr, scr, dll, dlm;
	uint8_t lsr_err;
	uint8_t msr;
	uint8_t rbr; /* the last byte read: what an empty RBR returns */

	/* Receive FIFO; holds one byte in 16450 (non-FIFO) mode. */
	uint8_t rx_fifo[UART16550_FIFO_SIZE];
	uint8_t rx_head, rx_count;

	/* Latched interrupt conditions that are not plain register state. */
	bool thre_pending;       /* THR became empty and nobody acked it */
	bool rx_timeout_pending; /* FIFO character timeout */
	bool irq_level;          /* what we last drove on the gsi */

	struct vdev_timer thre_timer; /* delivers the THRE re-raise */
	struct vdev_timer rx_timer;   /* 4 character times: RX timeout */

	uint64_t tx_bytes, rx_bytes, rx_overruns;
};

/* Set up a UART in its power-on state. The line is assumed deasserted. */
void uart16550_init(struct uart16550 *u, const struct uart16550_config *cfg);

/* Master reset (guest reboot): registers to the data sheet's reset values,
 * FIFOs emptied, timers cancelled, line deasserted. SCR and the divisor
 * latch keep their values, as the data sheet leaves them untouched. */
void uart16550_reset(struct uart16550 *u);

/* Claim ports base..base+7 on bus. Returns io_register()'s result. */
int uart16550_attach(struct uart16550 *u, struct io_bus *bus);

/* The port handler. Sizes 2 and 4 act as one byte access to `port`: the
 * low byte of a write is used, a read returns the byte zero-extended. A
 * port outside base..base+7 reads 0xff and ignores writes. */
void uart16550_io(void *opaque, uint16_t port, unsigned size, bool write,
		  uint32_t *val);

/* Push host input into the receive FIFO. Bytes beyond the free space are
 * dropped with LSR.OE set (an overrun). In loopback the receiver is cut off
 * from the line and nothing is taken. Returns how many were accepted. */
unsigned uart16550_receive(struct uart16550 *u, const uint8_t *bytes,
			   unsigned n);

/* How many bytes uart16550_receive() would accept now. */
unsigned uart16550_rx_space(const struct uart16550 *u);

#endif
