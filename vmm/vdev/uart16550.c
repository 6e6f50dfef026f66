/* SPDX-License-Identifier: MIT */
/*
 * 16550A UART model. Register layout, reset values, FIFO control, the
 * interrupt identification priorities and loopback follow the National
 * Semiconductor (now TI) PC16550D data sheet, "Registers" section:
 * Table II (register summary), III (reset state), IV (interrupt control).
 *
 * Deliberate simplifications, all invisible to Linux's 8250 driver:
 *  - Transmit is instant, so THRE and TEMT always read 1 and the TX FIFO
 *    is always empty. A THR write clears the THRE interrupt; it comes back
 *    from a short timer (UART16550_THRE_DELAY_US) rather than inside the
 *    write, so the line drops and rises as two events, not a glitch.
 *  - Word length, parity and break are stored but not applied: the host
 *    console is an 8-bit byte stream. No parity/framing/break errors are
 *    ever generated; only overrun (OE).
 *  - Outside loopback the modem inputs read as a connected line:
 *    CTS, DSR and DCD asserted, RI not.
 *
 * PC wiring: the INTR pin reaches the interrupt controller only through a
 * buffer enabled by the OUT2 pin, so the line is asserted only while an
 * interrupt is pending and MCR.OUT2 is set. In loopback the data sheet
 * forces the OUT pins inactive, so the line is also off in loopback.
 */
#include "lib/string.h"
#include "vmm/vdev/uart16550.h"

/* 1.8432 MHz crystal; one bit lasts 16 clocks per divisor step. */
#define UART16550_XTAL_HZ 1843200u

#define MSR_STATUS 0xf0
#define MSR_DELTAS 0x0f

static bool fifo_enabled(const struct uart16550 *u)
{
	return u->fcr & UART16550_FCR_FIFO_ENABLE;
}

static bool loopback(const struct uart16550 *u)
{
	return u->mcr & UART16550_MCR_LOOP;
}

static unsigned rx_capacity(const struct uart16550 *u)
{
	return fifo_enabled(u) ? UART16550_FIFO_SIZE : 1;
}

static unsigned rx_trigger(const struct uart16550 *u)
{
	static const uint8_t level[4] = { 1, 4, 8, 14 };

	return level[(u->fcr & UART16550_FCR_TRIGGER_MASK) >> 6];
}

/* ---------------------------------------------------------------- timers */

static bool have_timers(const struct uart16550 *u)
{
	const struct vdev_platform *p = u->plat;

	return p && p->now && p->timer_arm && p->timer_cancel;
}

static void timer_start(struct uart16550 *u, struct vdev_timer *t,
			uint64_t ticks)
{
	const struct vdev_platform *p = u->plat;

	if (!have_timers(u)) {
		/* No clock: deliver at once rather than never. */
		t->fn(t, 0);
		return;
	}
	p->timer_arm(p->ctx, t, p->now(p->ctx) + ticks);
}

static void timer_stop(struct uart16550 *u, struct vdev_timer *t)
{
	if (have_timers(u) && t->armed)
		u->plat->timer_cancel(u->plat->ctx, t);
}

static uint64_t thre_delay(const struct uart16550 *u)
{
	uint64_t t;

	if (!have_timers(u))
		return 0;
	t = u->plat->hz * UART16550_THRE_DELAY_US / 1000000;

	return t ? t : 1;
}

/* Four character times at the programmed rate and frame (data sheet,
 * FCR description: the RCVR FIFO timeout). Counted in half bits so that
 * 1.5 stop bits (5-bit words with STB) is exact. */
static uint64_t rx_timeout_delay(const struct uart16550 *u)
{
	uint64_t divisor = (uint64_t)u->dlm << 8 | u->dll;
	unsigned data = 5 + (u->lcr & UART16550_LCR_WLS_MASK);
	unsigned half_bits = 2 * (1 + data + !!(u->lcr & UART16550_LCR_PEN));
	uint64_t t;

	if (!have_timers(u))
		return 0;
	if (u->lcr & UART16550_LCR_STB)
		half_bits += data == 5 ? 3 : 4;
	else
		half_bits += 2;
	if (!divisor) /* undefined in the data sheet; take the slowest */
		divisor = 0x10000;
	t = u->plat->hz * 4 * half_bits * 16 * divisor /
	    (2ull * UART16550_XTAL_HZ);
	return t ? t : 1;
}

/* ------------------------------------------------------------ interrupts */

/* The pending source the IIR reports, highest priority first (Table IV). */
static uint8_t iir_id(const struct uart16550 *u)
{
	if ((u->ier & UART16550_IER_ELSI) && (u->lsr_err & UART16550_LSR_OE))
		return UART16550_IIR_RLS;
	if (u->ier & UART16550_IER_ERBFI) {
		/* In 16450 mode the trigger is 1: any byte is "available". */
		if (u->rx_count && u->rx_count >= rx_trigger(u))
			return UART16550_IIR_RDA;
		if (u->rx_timeout_pending)
			return UART16550_IIR_TIMEOUT;
	}
	if ((u->ier & UART16550_IER_ETBEI) && u->thre_pending)
		return UART16550_IIR_THRE;
	if ((u->ier & UART16550_IER_EDSSI) && (u->msr & MSR_DELTAS))
		return UART16550_IIR_MODEM;
	return UART16550_IIR_NO_INT;
}

/* Drive the line only on a change, so the platform sees real edges. */
static void update_irq(struct uart16550 *u)
{
	const struct vdev_platform *p = u->plat;
	bool level = iir_id(u) != UART16550_IIR_NO_INT &&
		     (u->mcr & UART16550_MCR_OUT2) && !loopback(u);

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	if (p && p->set_irq)
		p->set_irq(p->ctx, u->gsi, level);
}

static void thre_timer_fn(struct vdev_timer *t, uint64_t now)
{
	struct uart16550 *u = t->opaque;

	(void)now;
	if (u->ier & UART16550_IER_ETBEI)
		u->thre_pending = true;
	update_irq(u);
}

static void rx_timer_fn(struct vdev_timer *t, uint64_t now)
{
	struct uart16550 *u = t->opaque;

	(void)now;
	if (fifo_enabled(u) && u->rx_count)
		u->rx_timeout_pending = true;
	update_irq(u);
}

/* ---------------------------------------------------------- receive path */

static void rx_clear(struct uart16550 *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
	u->rx_timeout_pending = false;
	timer_stop(u, &u->rx_timer);
}

static bool rx_push(struct uart16550 *u, uint8_t byte)
{
	if (u->rx_count >= rx_capacity(u)) {
		u->lsr_err |= UART16550_LSR_OE;
		u->rx_overruns++;
		return false;
	}
	u->rx_fifo[(u->rx_head + u->rx_count) % UART16550_FIFO_SIZE] = byte;
	u->rx_count++;
	u->rx_bytes++;
	return true;
}

/* A character arrived: the timeout counts from now (FIFO mode only). */
static void rx_restart_timeout(struct uart16550 *u)
{
	if (fifo_enabled(u))
		timer_start(u, &u->rx_timer, rx_timeout_delay(u));
}

static uint8_t rbr_read(struct uart16550 *u)
{
	if (u->rx_count) {
		u->rbr = u->rx_fifo[u->rx_head];
		u->rx_head = (u->rx_head + 1) % UART16550_FIFO_SIZE;
		u->rx_count--;
	}
	/* A CPU read clears a timeout and restarts the timer. */
	u->rx_timeout_pending = false;
	if (u->rx_count)
		rx_restart_timeout(u);
	else
		timer_stop(u, &u->rx_timer);
	return u->rbr;
}

/* --------------------------------------------------------- register file */

static void thr_write(struct uart16550 *u, uint8_t byte)
{
	u->thre_pending = false;
	u->tx_bytes++;
	if (loopback(u)) {
		if (rx_push(u, byte))
			rx_restart_timeout(u);
	} else if (u->tx) {
		u->tx(u->tx_ctx, byte);
	}
	/* Nobody waits for THRE without ETBEI, and setting ETBEI raises it
	 * anyway: no timer for polled output. */
	if (u->ier & UART16550_IER_ETBEI)
		timer_start(u, &u->thre_timer, thre_delay(u));
}

static void ier_write(struct uart16550 *u, uint8_t val)
{
	uint8_t old = u->ier;

	u->ier = val & 0x0f; /* bits 4-7 are always 0 on a 16550A */
	if (!(u->ier & UART16550_IER_ETBEI)) {
		u->thre_pending = false;
		timer_stop(u, &u->thre_timer);
	} else if (!(old & UART16550_IER_ETBEI)) {
		/* THR is always empty, so enabling ETBEI raises THRE now; a
		 * re-raise still in flight would only repeat it. */
		u->thre_pending = true;
		timer_stop(u, &u->thre_timer);
	}
	/* ETBEI left set: a re-raise in flight must still arrive. */
}

static void fcr_write(struct uart16550 *u, uint8_t val)
{
	bool was_enabled = fifo_enabled(u);

	/* With FIFO_ENABLE clear no other bit is programmed; switching
	 * modes either way empties the FIFOs. The TX FIFO is always empty. */
	if (!(val & UART16550_FCR_FIFO_ENABLE)) {
		if (was_enabled)
			rx_clear(u);
		u->fcr = 0;
		return;
	}
	if (!was_enabled || (val & UART16550_FCR_RX_RESET))
		rx_clear(u);
	u->fcr = val & (UART16550_FCR_FIFO_ENABLE | UART16550_FCR_DMA_MODE |
			UART16550_FCR_TRIGGER_MASK);
}

/* Recompute MSR's status nibble from the lines and latch the deltas. */
static void msr_sample(struct uart16550 *u)
{
	uint8_t old = u->msr & MSR_STATUS, now, changed, delta = 0;

	if (loopback(u)) {
		now = 0;
		if (u->mcr & UART16550_MCR_RTS)
			now |= UART16550_MSR_CTS;
		if (u->mcr & UART16550_MCR_DTR)
			now |= UART16550_MSR_DSR;
		if (u->mcr & UART16550_MCR_OUT1)
			now |= UART16550_MSR_RI;
		if (u->mcr & UART16550_MCR_OUT2)
			now |= UART16550_MSR_DCD;
	} else {
		now = UART16550_MSR_CTS | UART16550_MSR_DSR | UART16550_MSR_DCD;
	}
	changed = old ^ now;
	if (changed & UART16550_MSR_CTS)
		delta |= UART16550_MSR_DCTS;
	if (changed & UART16550_MSR_DSR)
		delta |= UART16550_MSR_DDSR;
	if ((old & UART16550_MSR_RI) && !(now & UART16550_MSR_RI))
		delta |= UART16550_MSR_TERI; /* trailing edge only */
	if (changed & UART16550_MSR_DCD)
		delta |= UART16550_MSR_DDCD;
	u->msr = now | (u->msr & MSR_DELTAS) | delta;
}

static void mcr_write(struct uart16550 *u, uint8_t val)
{
	u->mcr = val & 0x1f; /* bits 5-7 are always 0 */
	msr_sample(u);
}

static uint8_t reg_read(struct uart16550 *u, unsigned off)
{
	bool dlab = u->lcr & UART16550_LCR_DLAB;
	uint8_t v;

	switch (off) {
	case UART16550_RBR:
		return dlab ? u->dll : rbr_read(u);
	case UART16550_IER:
		return dlab ? u->dlm : u->ier;
	case UART16550_IIR:
		v = iir_id(u);
		/* Reading IIR acknowledges THRE, and only when it is shown. */
		if (v == UART16550_IIR_THRE)
			u->thre_pending = false;
		return v | (fifo_enabled(u) ? UART16550_IIR_FIFOS : 0);
	case UART16550_LCR:
		return u->lcr;
	case UART16550_MCR:
		return u->mcr;
	case UART16550_LSR:
		v = u->lsr_err | UART16550_LSR_THRE | UART16550_LSR_TEMT;
		if (u->rx_count)
			v |= UART16550_LSR_DR;
		u->lsr_err = 0;
		return v;
	case UART16550_MSR:
		v = u->msr;
		u->msr &= MSR_STATUS;
		return v;
	default:
		return u->scr;
	}
}

static void reg_write(struct uart16550 *u, unsigned off, uint8_t val)
{
	bool dlab = u->lcr & UART16550_LCR_DLAB;

	switch (off) {
	case UART16550_THR:
		if (dlab)
			u->dll = val;
		else
			thr_write(u, val);
		break;
	case UART16550_IER:
		if (dlab)
			u->dlm = val;
		else
			ier_write(u, val);
		break;
	case UART16550_FCR:
		fcr_write(u, val);
		break;
	case UART16550_LCR:
		u->lcr = val;
		break;
	case UART16550_MCR:
		mcr_write(u, val);
		break;
	case UART16550_SCR:
		u->scr = val;
		break;
	default:
		break; /* LSR and MSR writes are factory test only */
	}
}

/* ------------------------------------------------------------ public API */

void uart16550_io(void *opaque, uint16_t port, unsigned size, bool write,
		  uint32_t *val)
{
	struct uart16550 *u = opaque;
	uint16_t off;

	(void)size; /* every access is one byte to `port`, see the header */
	if (!u || !val)
		return;
	off = (uint16_t)(port - u->base);
	if (off >= UART16550_NPORTS) {
		if (!write)
			*val = 0xff;
		return;
	}
	if (write)
		reg_write(u, off, (uint8_t)*val);
	else
		*val = reg_read(u, off);
	update_irq(u);
}

unsigned uart16550_receive(struct uart16550 *u, const uint8_t *bytes,
			   unsigned n)
{
	unsigned accepted = 0;

	if (!u || !bytes || !n || loopback(u))
		return 0;
	for (unsigned i = 0; i < n; i++)
		accepted += rx_push(u, bytes[i]);
	if (accepted)
		rx_restart_timeout(u);
	update_irq(u);
	return accepted;
}

unsigned uart16550_rx_space(const struct uart16550 *u)
{
	if (!u || loopback(u))
		return 0;
	return rx_capacity(u) - u->rx_count;
}

void uart16550_reset(struct uart16550 *u)
{
	timer_stop(u, &u->thre_timer);
	timer_stop(u, &u->rx_timer);
	u->ier = 0;
	u->lcr = 0;
	u->mcr = 0;
	u->fcr = 0;
	u->lsr_err = 0;
	u->rbr = 0;
	u->rx_head = 0;
	u->rx_count = 0;
	u->thre_pending = false;
	u->rx_timeout_pending = false;
	/* Deltas cleared, status from the (connected) lines. */
	u->msr = UART16550_MSR_CTS | UART16550_MSR_DSR | UART16550_MSR_DCD;
	update_irq(u);
}

void uart16550_init(struct uart16550 *u, const struct uart16550_config *cfg)
{
	memset(u, 0, sizeof(*u));
	u->base = cfg->base;
	u->gsi = cfg->gsi;
	u->tx = cfg->tx;
	u->tx_ctx = cfg->tx_ctx;
	u->plat = cfg->plat;
	u->thre_timer.fn = thre_timer_fn;
	u->thre_timer.opaque = u;
	u->rx_timer.fn = rx_timer_fn;
	u->rx_timer.opaque = u;
	u->dll = 1; /* undefined at power-on: take 115200 baud */
	uart16550_reset(u);
}

int uart16550_attach(struct uart16550 *u, struct io_bus *bus)
{
	return io_register(bus, u->base, UART16550_NPORTS, uart16550_io, u,
			   "uart16550");
}
