/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the device models (vmm/vdev/) behind the real port
 * and MMIO buses (vmm/io.c, vmm/mmio.c): the PC of a mode = linux guest,
 * wired as vmm/pc.c wires it, plus the test device. The input is a guest
 * program, one operation after another (the encoding is below, above
 * run_op()); a guest controls every port, value and MMIO access, and the
 * host side (clock, timers, interrupt injection, typed input, resets) is
 * driven from the input too.
 *
 * After every operation the checks below look into each model's state for
 * indices and bits that must always be in range; ASan and UBSan catch the
 * rest. A read of 1 or 2 bytes starts with all ones above its size in the
 * destination, which must be gone after it; a wider read that returns
 * what the destination held is done again from the same state with
 * another value there, and must return the same: a handler that leaves it
 * unset (the exit handler would hand the guest stack garbage) does not.
 *
 * The platform is a fake of vmm/platform.c: a clock that moves only when
 * the program says so, and the same list of timers, fired the same way
 * (each due timer at the current time, the walk restarted after each).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "tests/fuzz/fuzz_check.h"
#include "vmm/vdev/acpi.h"
#include "vmm/vdev/debugport.h"
#include "vmm/vdev/fw_cfg.h"
#include "vmm/vdev/ioapic.h"
#include "vmm/vdev/lapic.h"
#include "vmm/vdev/pci.h"
#include "vmm/vdev/pic8259.h"
#include "vmm/vdev/pit8254.h"
#include "vmm/vdev/rtc.h"
#include "vmm/vdev/testdev.h"
#include "vmm/vdev/uart16550.h"
#include "vmm/vdev/virtio_console.h"
#include "vmm/vdev/virtio_rng.h"
#include "vmm/vm.h"


/* More firings than this in one run of the timers means one re-arms itself
 * in the past for ever: the real platform loop would never return. */
#define MAX_FIRINGS_PER_RUN 4096
/* The clock never gets this far (about 58 years at 2.5 GHz); it keeps
 * deadline arithmetic away from a 64-bit wrap no host reaches. */
#define CLOCK_LIMIT (1ull << 62)
#define CLOCK_START 1000000000000ull
#define MAX_GSI 32
#define VIRTIO_RAM 0x4000 /* guest RAM for the virtio rings, at gpa 0 */
#define VIRTIO_SLOT 1
#define VIRTIO_BAR 0xc0000000u
#define VIRTIO_IRQ 10
#define CONS_SLOT 3
#define CONS_BAR 0xc0002000u
#define CONS_IRQ 5
#define CONS_IN 64 /* typed bytes waiting for the console, a bounded ring */

/* Everything a guest can change, in one struct: every pointer between the
 * parts stays inside it, so a copy of it is a snapshot that can be put
 * back (see read_twice()). */
struct world {
	uint32_t lapic_page[LAPIC_SIZE / 4] __attribute__((aligned(4096)));
	struct vdev_platform plat;
	uint64_t now;
	struct vdev_timer *timers; /* armed timers, as in vmm/platform.c */
	bool apicv;                /* the CPU delivers the LAPIC's vectors */
	bool selftest;             /* the test device may break Shale */

	struct uart16550 com1;
	struct pic8259 pic;
	struct pit8254 pit;
	struct rtc rtc;
	struct ioapic ioapic;
	struct lapic lapic;
	struct acpi_pm pm;
	struct pci_host pci;
	struct fw_cfg fw_cfg;
	struct debug_exit debug_exit;
	struct debugcon debugcon;
	/* devices = virtio-rng, as pc.c wires it, over a small guest RAM
	 * (in the world, so that a snapshot holds its rings too). */
	struct virtio_rng rng;
	struct guest_ram gram;
	uint8_t ram[VIRTIO_RAM] __attribute__((aligned(16)));
	uint64_t rng_word;
	/* devices = virtio-console, on the same RAM, and its console side:
	 * typed bytes waiting, and what went each way. */
	struct virtio_console cons;
	uint8_t cons_in[CONS_IN];
	uint32_t cons_in_head, cons_in_tail;
	uint64_t cons_typed, cons_out, cons_lost;

	/* What the devices did through their callbacks. */
	bool dev_level[MAX_GSI];   /* each line as its device last drove it */
	bool stop;                 /* reset or S5: the VM restarts */
	uint64_t tx_bytes, faults, nmis, exits;
};

static struct world W, snap;
static struct vm vm; /* the buses, and the test device's owner */
static uint64_t hz_choice;

/* ------------------------------------------------------------ platform */

static uint64_t plat_now(void *ctx)
{
	return ((struct world *)ctx)->now;
}

static bool timer_listed(const struct world *w, const struct vdev_timer *t)
{
	for (const struct vdev_timer *p = w->timers; p; p = p->next)
		if (p == t)
			return true;
	return false;
}

static void unlink_timer(struct world *w, struct vdev_timer *t)
{
	for (struct vdev_timer **pp = &w->timers; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			t->next = NULL;
			return;
		}
	}
}

static void plat_timer_arm(void *ctx, struct vdev_timer *t, uint64_t deadline)
{
	struct world *w = ctx;

	CHECK(t->fn != NULL);
	/* The platform keeps a timer on its list exactly while armed. */
	CHECK(t->armed == timer_listed(w, t));
	if (!t->armed) {
		t->next = w->timers;
		w->timers = t;
	}
	t->armed = true;
	t->deadline = deadline;
}

static void plat_timer_cancel(void *ctx, struct vdev_timer *t)
{
	struct world *w = ctx;

	CHECK(t->armed == timer_listed(w, t));
	if (t->armed)
		unlink_timer(w, t);
	t->armed = false;
}

/* The wiring of vmm/pc.c: ISA IRQ n to PIC input n and I/O APIC pin n,
 * IRQ 0 to pin 2. */
static void set_line(struct world *w, unsigned gsi, bool level)
{
	if (gsi < 16)
		pic_set_irq(&w->pic, gsi, level);
	ioapic_set_irq(&w->ioapic, gsi == 0 ? 2 : gsi, level);
}

static void plat_set_irq(void *ctx, unsigned gsi, bool level)
{
	struct world *w = ctx;

	CHECK(gsi < MAX_GSI);
	/* UART, RTC and SCI drive their lines on changes only, and the PIT
	 * pulses: no device asserts a line it already holds asserted. */
	CHECK(!level || !w->dev_level[gsi]);
	w->dev_level[gsi] = level;
	set_line(w, gsi, level);
}

/* vmm/platform.c's platform_run_timers(), with a bound on the firings. */
static void run_timers(struct world *w)
{
	unsigned firings = 0;

	for (;;) {
		struct vdev_timer *due = NULL;

		for (struct vdev_timer *t = w->timers; t; t = t->next) {
			CHECK(t->armed);
			if (t->deadline <= w->now &&
			    (!due || t->deadline < due->deadline))
				due = t;
		}
		if (!due)
			break;
		CHECK(++firings <= MAX_FIRINGS_PER_RUN);
		unlink_timer(w, due);
		due->armed = false;
		due->fn(due, w->now);
	}
}

/* ----------------------------------------------------- pc.c's callbacks */

static void com1_tx(void *ctx, uint8_t byte)
{
	(void)byte;
	((struct world *)ctx)->tx_bytes++;
}

static void ioapic_deliver(void *ctx, uint8_t vector, uint8_t dest,
			   bool logical, uint8_t mode, bool level)
{
	struct world *w = ctx;

	(void)dest;
	(void)logical;
	CHECK(mode < 8);
	if (mode == 0 || mode == 1)
		lapic_accept(&w->lapic, vector, level);
}

/* As vmm/pc.c's pc_msi(): messages to the local APIC, the rest dropped. */
static void msi_cb(void *ctx, uint64_t addr, uint32_t data)
{
	struct msi_msg m;

	if (msi_decode(addr, data, &m))
		ioapic_deliver(ctx, m.vector, m.dest, m.logical, m.mode, false);
}

static void debug_exit_cb(void *ctx, uint64_t status)
{
	CHECK(status & 1); /* (V << 1) | 1, never an even status */
	((struct world *)ctx)->exits++;
}

static void debugcon_cb(void *ctx, uint8_t byte)
{
	(void)byte;
	((struct world *)ctx)->tx_bytes++;
}

static void lapic_eoi_cb(void *ctx, uint8_t vector)
{
	ioapic_eoi(&((struct world *)ctx)->ioapic, vector);
}

static void pm_sleep(void *ctx, unsigned slp_typ)
{
	CHECK(slp_typ < 8);
	if (slp_typ == ACPI_SLP_TYP_S5)
		((struct world *)ctx)->stop = true;
}

static void pm_reset(void *ctx)
{
	((struct world *)ctx)->stop = true;
}

/* PCI INTx, as pc.c's pci_intx(): active low at the I/O APIC. */
static void rng_intx(void *ctx, bool asserted)
{
	struct world *w = ctx;

	pic_set_irq(&w->pic, VIRTIO_IRQ, asserted);
	ioapic_set_irq(&w->ioapic, VIRTIO_IRQ, !asserted);
}

static void cons_intx(void *ctx, bool asserted)
{
	struct world *w = ctx;

	pic_set_irq(&w->pic, CONS_IRQ, asserted);
	ioapic_set_irq(&w->ioapic, CONS_IRQ, !asserted);
}

/* The console multiplexer's side of pc.c's virtio-console wiring. */
static void cons_out(void *ctx, const uint8_t *p, uint32_t n, uint32_t lost)
{
	struct world *w = ctx;
	volatile uint8_t sink = 0;

	CHECK(n <= VIRTIO_CONSOLE_CHAIN_MAX);
	for (uint32_t i = 0; i < n; i++)
		sink ^= p[i]; /* every byte readable (ASan) */
	(void)sink;
	w->cons_out += n;
	w->cons_lost += lost;
}

static unsigned cons_in(void *ctx, uint8_t *buf, unsigned max)
{
	struct world *w = ctx;
	unsigned n = 0;

	while (n < max && w->cons_in_tail != w->cons_in_head)
		buf[n++] = w->cons_in[w->cons_in_tail++ % CONS_IN];
	return n;
}

static bool cons_pending(void *ctx)
{
	struct world *w = ctx;

	return w->cons_in_tail != w->cons_in_head;
}

/* A stand-in for RDRAND that runs dry now and then. */
static bool rng_get64(void *ctx, uint64_t *out)
{
	struct world *w = ctx;

	w->rng_word = w->rng_word * 6364136223846793005ull + 1442695040888963407ull;
	*out = w->rng_word;
	return (w->rng_word >> 60) != 0;
}

/* The test device's fault-injection port breaks Shale on purpose, when
 * [hypervisor] selftest = on (RESET 7 flips it); here it is only counted. */
void selftest_inject_fault(struct vcpu *v, enum testdev_fault what)
{
	(void)v;
	(void)what;
	W.faults++;
}

bool selftest_enabled(void)
{
	return W.selftest;
}

/* The log goes nowhere; its format strings are checked at compile time. */
void log_msg(enum log_lvl level, const char *src, const char *fmt, ...)
{
	(void)level;
	(void)src;
	(void)fmt;
}

/* pc_create(): the same devices, the same order, the same wiring; then
 * QEMU's debug devices, which any guest may ask for. */
static void world_create(struct world *w)
{
	static const struct rtc_time start = { 2026, 1, 1, 0, 0, 0 };
	struct acpi_config acfg = {
		.n_cpus = 1,
		.ioapic_addr = ACPI_IOAPIC_ADDR,
		.ioapic_id = 1,
		.pm_base = ACPI_PM_BASE,
		.sci_gsi = 9,
	};
	struct uart16550_config ucfg = {
		.base = 0x3f8, .gsi = 4, .tx = com1_tx, .tx_ctx = w,
		.plat = &w->plat,
	};
	struct lapic_ops lops = { .ctx = w, .eoi = lapic_eoi_cb };
	struct ioapic_ops iops = { .ctx = w, .deliver = ioapic_deliver };
	struct acpi_pm_ops pops = { .ctx = w, .sleep = pm_sleep,
				    .reset = pm_reset };
	struct virtio_pci_config rcfg, ccfg;
	struct virtio_console_io cio = { cons_out, cons_in, cons_pending, NULL };
	uint64_t now = w->now ? w->now : CLOCK_START;
	bool selftest = w->selftest; /* configuration: a reboot keeps it */

	memset(w, 0, sizeof(*w));
	memset(&vm, 0, sizeof(vm));
	w->now = now;
	w->selftest = selftest;
	w->plat = (struct vdev_platform){
		.ctx = w,
		.hz = hz_choice,
		.now = plat_now,
		.set_irq = plat_set_irq,
		.timer_arm = plat_timer_arm,
		.timer_cancel = plat_timer_cancel,
	};
	uart16550_init(&w->com1, &ucfg);
	pic_init(&w->pic);
	pit_init(&w->pit, &w->plat);
	rtc_init(&w->rtc, &w->plat, &start);
	rtc_set_memory_size(&w->rtc, 256ull << 20, 0);
	ioapic_init(&w->ioapic, acfg.ioapic_id, &iops);
	lapic_init(&w->lapic, 0, w->lapic_page, &w->plat, &lops);
	lapic_virtual_wire(&w->lapic);
	acpi_pm_init(&w->pm, &acfg, &w->plat, &pops);
	pci_host_init(&w->pci);
	fw_cfg_init(&w->fw_cfg, 256ull << 20, 1);
	w->debug_exit = (struct debug_exit){ debug_exit_cb, w };
	w->debugcon = (struct debugcon){ debugcon_cb, w };
	CHECK(!fw_cfg_attach(&w->fw_cfg, &vm.io) &&
	      !debug_exit_attach(&w->debug_exit, &vm.io, DEBUG_EXIT_PORT_DEFAULT) &&
	      !debugcon_attach(&w->debugcon, &vm.io));
	w->gram = (struct guest_ram){ .r = { { 0, VIRTIO_RAM, (uintptr_t)w->ram } },
				      .n = 1, .size = VIRTIO_RAM };
	rcfg = (struct virtio_pci_config){
		.ram = &w->gram, .bar_base = VIRTIO_BAR, .intx_line = VIRTIO_IRQ,
		.set_intx = rng_intx, .ctx = w,
	};
	virtio_rng_init(&w->rng, &rcfg, rng_get64, w);
	ioapic_set_irq(&w->ioapic, VIRTIO_IRQ, true);
	CHECK(!virtio_pci_attach(&w->rng.vp, &w->pci, VIRTIO_SLOT, &vm.mmio));
	ccfg = (struct virtio_pci_config){
		.ram = &w->gram, .bar_base = CONS_BAR, .intx_line = CONS_IRQ,
		.set_intx = cons_intx, .ctx = w,
		.msi = msi_cb, .msi_ctx = w, /* the console with MSI-X, rng without */
	};
	cio.ctx = w;
	virtio_console_init(&w->cons, &ccfg, &cio);
	ioapic_set_irq(&w->ioapic, CONS_IRQ, true);
	CHECK(!virtio_pci_attach(&w->cons.vp, &w->pci, CONS_SLOT, &vm.mmio));
	CHECK(!uart16550_attach(&w->com1, &vm.io) && !pic_attach(&w->pic, &vm.io) &&
	      !pit_attach(&w->pit, &vm.io) && !rtc_attach(&w->rtc, &vm.io) &&
	      !acpi_pm_attach(&w->pm, &vm.io) && !pci_host_attach(&w->pci, &vm.io) &&
	      !ioapic_attach(&w->ioapic, &vm.mmio) &&
	      !lapic_attach(&w->lapic, &vm.mmio) && !testdev_attach(&vm));
}

/* ------------------------------------------------------------ the checks */

static void check_pic(const struct pic8259 *p)
{
	for (unsigned i = 0; i < 2; i++) {
		const struct pic8259_chip *c = &p->chip[i];

		CHECK(c->lowest_prio < 8);
		CHECK(c->init_step == 0 || (c->init_step >= 2 && c->init_step <= 4));
		CHECK((c->elcr & ~c->elcr_mask) == 0);
		CHECK((c->vector_base & 7) == 0);
		CHECK(c->is_master == (i == 0));
	}
	CHECK(p->chip[0].elcr_mask == 0xf8 && p->chip[1].elcr_mask == 0xde);
	/* The cascade input follows the slave's INT as a level. */
	CHECK(!!(p->chip[0].irr & 4) == !!(p->chip[0].lines & 4));
}

static void check_pit(const struct pit8254 *p)
{
	for (unsigned i = 0; i < 3; i++) {
		const struct pit_channel *c = &p->ch[i];

		CHECK(c->mode <= 5);
		CHECK(c->rw >= 1 && c->rw <= 3);
		CHECK(c->reload >= 1 && c->reload <= 0x10000);
		CHECK(!c->bcd || !c->loaded || c->reload <= 10000);
		CHECK(c->latch_left <= 2);
		CHECK(!c->running || c->armed);
		CHECK(i == 2 || c->gate);
	}
	CHECK((p->nmi_sc & ~0x0f) == 0);
	/* Counter 0's timer is armed exactly while an edge is ahead. */
	CHECK((p->edge == UINT64_MAX) == !p->timer.armed);
}

static void check_rtc(const struct rtc *r)
{
	CHECK(r->index < RTC_CMOS_SIZE);
	CHECK((r->cmos[RTC_REG_A] & 0x80) == 0);
	/* Only IRQF, AF and UF ever set: PF is not modelled. */
	CHECK((r->cmos[RTC_REG_C] & ~0xb0) == 0);
	CHECK(r->irq_level == !!(r->cmos[RTC_REG_C] & 0x80));
	/* IRQF is the OR of the enabled flags. */
	CHECK(!(r->cmos[RTC_REG_C] & 0x80) ||
	      (r->cmos[RTC_REG_C] & r->cmos[RTC_REG_B] & 0x30));
	CHECK(r->base_secs <= 253402300799ull); /* 9999-12-31 23:59:59 */
	CHECK(r->flags_secs <= 253402300799ull);
}

static void check_uart(const struct uart16550 *u)
{
	unsigned cap = (u->fcr & UART16550_FCR_FIFO_ENABLE) ? UART16550_FIFO_SIZE : 1;

	CHECK(u->rx_head < UART16550_FIFO_SIZE);
	CHECK(u->rx_count <= cap);
	CHECK((u->ier & 0xf0) == 0);
	CHECK((u->mcr & 0xe0) == 0);
	CHECK((u->fcr & ~0xc9) == 0);
	CHECK((u->lsr_err & ~UART16550_LSR_OE) == 0);
	CHECK(!u->rx_timeout_pending || u->rx_count);
	CHECK(u->irq_level == W.dev_level[4]);
	/* The line needs OUT2 and no loopback (the PC wiring). */
	CHECK(!u->irq_level ||
	      ((u->mcr & UART16550_MCR_OUT2) && !(u->mcr & UART16550_MCR_LOOP)));
	CHECK(u->base == 0x3f8 && u->gsi == 4);
}

static void check_ioapic(const struct ioapic *io)
{
	const uint64_t writable = 0xff000000000000ffull | (7ull << 8) |
				  IOAPIC_RTE_LOGICAL | IOAPIC_RTE_POLARITY_LOW |
				  IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED;

	CHECK(io->id <= 0xf);
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t e = io->redtbl[pin];

		CHECK((e & ~(writable | IOAPIC_RTE_REMOTE_IRR)) == 0);
		CHECK(!(e & IOAPIC_RTE_REMOTE_IRR) || (e & IOAPIC_RTE_LEVEL));
	}
}

static uint32_t page_reg(const struct world *w, uint32_t off)
{
	return w->lapic_page[off >> 2];
}

static void check_lapic(const struct world *w)
{
	const struct lapic *l = &w->lapic;
	static const uint32_t lvts[] = { LAPIC_LVT_CMCI, LAPIC_LVT_TIMER,
					 LAPIC_LVT_THERMAL, LAPIC_LVT_PMC,
					 LAPIC_LVT_LINT0, LAPIC_LVT_LINT1,
					 LAPIC_LVT_ERROR };
	bool enabled = page_reg(w, LAPIC_SVR) & LAPIC_SVR_ENABLE;
	uint32_t div = l->timer_div;
	int v;

	CHECK(l->page == w->lapic_page);
	CHECK(page_reg(w, LAPIC_ID) == (l->apic_id & 0xff) << 24);
	CHECK(page_reg(w, LAPIC_VERSION) == LAPIC_VERSION_VALUE);
	CHECK((page_reg(w, LAPIC_SVR) & ~0x1ffu) == 0);
	CHECK((page_reg(w, LAPIC_TIMER_DCR) & ~0xbu) == 0);
	CHECK((page_reg(w, LAPIC_LDR) & 0x00ffffffu) == 0);
	CHECK((page_reg(w, LAPIC_DFR) & 0x0fffffffu) == 0x0fffffffu);
	CHECK((l->esr_pending & ~0xe0u) == 0);
	CHECK((page_reg(w, LAPIC_ESR) & ~0xe0u) == 0);
	/* A software-disabled APIC keeps every LVT entry masked. */
	for (unsigned i = 0; i < sizeof(lvts) / sizeof(lvts[0]); i++)
		CHECK(enabled || (page_reg(w, lvts[i]) & LAPIC_LVT_MASKED));
	for (unsigned n = 0; n < 2; n++) {
		uint32_t lvt = page_reg(w, n ? LAPIC_LVT_LINT1 : LAPIC_LVT_LINT0);

		CHECK(l->lint_remote_irr[n] == !!(lvt & (1u << 14)));
		CHECK(!l->lint_remote_irr[n] || (lvt & (1u << 15)));
	}
	/* Vectors 0-15 are never requested nor in service. */
	CHECK((page_reg(w, LAPIC_IRR) & 0xffff) == 0);
	CHECK((page_reg(w, LAPIC_ISR) & 0xffff) == 0);
	CHECK(div && div <= 128 && (div & (div - 1)) == 0);
	CHECK(l->timer_mode <= 3);
	/* The timer counts exactly while its platform timer is armed, and a
	 * counting periodic or one-shot timer has a count to divide by. */
	CHECK(l->timer_running == l->timer.armed);
	CHECK(!l->timer_running || l->timer_mode == LAPIC_TIMER_TSC_DEADLINE ||
	      page_reg(w, LAPIC_TIMER_ICR) != 0);
	CHECK(l->timer_mode != LAPIC_TIMER_TSC_DEADLINE ||
	      page_reg(w, LAPIC_TIMER_ICR) == 0);
	v = lapic_pending_vector(l);
	CHECK(v == -1 || (v >= 16 && v <= 255));
	/* RVI, what apicv_sync() gives the CPU, is at least that vector. */
	CHECK(v == -1 || (lapic_intr_status(l) & 0xff) >= v);
}

static void check_pm(struct world *w)
{
	const struct acpi_pm *pm = &w->pm;

	CHECK((pm->pm1_en & ~0x4721u) == 0);
	CHECK((pm->pm1_cnt & ~0x1c02u) == 0);
	CHECK((pm->rst_cnt & 0x04) == 0);
	CHECK((pm->sys_ctrl_a & 0x01) == 0);
	CHECK(pm->sci_level == w->dev_level[9]);
}

/* The transport's invariants, whatever the guest wrote. */
static void check_virtio(const struct virtio_pci *vp)
{
	const struct mmio_range *r;
	bool masked = vp->pci.cfg[PCI_COMMAND + 1] & (PCI_COMMAND_INTX_DISABLE >> 8);

	CHECK(vp->intx == (vp->isr && !masked));
	CHECK(!!(vp->pci.cfg[PCI_STATUS] & PCI_STATUS_INTERRUPT) == !!vp->isr);
	CHECK((vp->isr & ~3) == 0);
	/* BAR0 decodes only inside the MMIO hole, over no other device. */
	CHECK(vp->bar_at >= 0xc0000000u && vp->bar_at <= 0x100000000ull - VIRTIO_PCI_BAR_SIZE);
	r = mmio_find(&vm.mmio, vp->bar_at);
	CHECK(r && r->opaque == vp && r->base == vp->bar_at);
	for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		const struct virtq *q = &vp->q[i];

		if (!q->ready)
			continue;
		CHECK(i < vp->cfg.ops->num_queues && q->size &&
		      q->size <= vp->cfg.ops->queue_max);
		CHECK((q->size & (q->size - 1)) == 0);
		CHECK(!q->broken || (vp->status & VIRTIO_STATUS_NEEDS_RESET));
	}
}

static void check_all(struct world *w)
{
	CHECK(w->now <= CLOCK_LIMIT);
	for (const struct vdev_timer *t = w->timers; t; t = t->next)
		CHECK(t->armed);
	check_pic(&w->pic);
	check_pit(&w->pit);
	check_rtc(&w->rtc);
	check_uart(&w->com1);
	check_ioapic(&w->ioapic);
	check_lapic(w);
	check_pm(w);
	check_virtio(&w->rng.vp);
	check_virtio(&w->cons.vp);
	/* The console gave the guest only what was typed, and passed on
	 * what the guest wrote, or counted it. */
	CHECK(w->cons.rx_bytes <= w->cons_typed);
	CHECK(w->cons_in_head - w->cons_in_tail <= CONS_IN);
	CHECK(w->cons.tx_bytes == w->cons_out && w->cons.tx_dropped == w->cons_lost);
	CHECK(w->rtc.irq_level == w->dev_level[8]);
}

/* Once the due timers have run, the SCI is what PM1_STS and PM1_EN say:
 * no TMR_STS may be missed. Reads of the PM block have no side effects. */
static void check_sci_settled(struct world *w)
{
	uint32_t sts = 0, en = 0;

	acpi_pm_io(&w->pm, ACPI_PM_BASE + ACPI_PM1_STS, 2, false, &sts);
	acpi_pm_io(&w->pm, ACPI_PM_BASE + ACPI_PM1_EN, 2, false, &en);
	CHECK(w->pm.sci_level == !!(sts & en & 0x0721));
}

/* ------------------------------------------------------------ accesses */

static uint64_t size_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}


static uint32_t port_read_once(uint16_t port, unsigned size, uint32_t fill)
{
	uint32_t val = fill;

	io_access(&vm.io, port, size, false, &val);
	return val;
}

static void port_access(uint16_t port, unsigned size, bool write, uint32_t val)
{
	uint32_t got;

	if (write) {
		io_access(&vm.io, port, size, true, &val);
		return;
	}
	if (size < 4) {
		/* The fill has bits above the size: they must be gone. */
		got = port_read_once(port, size, 0xa5a5a5a5u);
		CHECK((got & ~(uint32_t)size_mask(size)) == 0);
		return;
	}
	/* Only a read that returned the fill itself can have left it
	 * unset: that one is done again from the same state with another
	 * fill, and must read the same. */
	snap = W;
	got = port_read_once(port, size, 0xa5a5a5a5u);
	if (got == 0xa5a5a5a5u) {
		W = snap;
		CHECK(port_read_once(port, size, 0x5a5a5a5au) == got);
	}
}

static uint64_t mmio_read_once(const struct mmio_range *r, uint64_t gpa,
			       unsigned size, uint64_t fill)
{
	uint64_t val = fill;

	r->fn(r->opaque, gpa - r->base, size, false, &val);
	return val;
}

/* As exit_ept.c: the range that holds the first byte gets the access. */
static void mmio_access(uint64_t gpa, unsigned size, bool write, uint64_t val)
{
	const struct mmio_range *r = mmio_find(&vm.mmio, gpa);
	uint64_t got;

	if (!r)
		return; /* the guest would be stopped: outside RAM and devices */
	CHECK(gpa - r->base < r->size);
	if (write) {
		r->fn(r->opaque, gpa - r->base, size, true, &val);
		return;
	}
	if (size < 8) {
		got = mmio_read_once(r, gpa, size, 0xa5a5a5a5a5a5a5a5ull);
		CHECK((got & ~size_mask(size)) == 0);
		return;
	}
	snap = W;
	got = mmio_read_once(r, gpa, size, 0xa5a5a5a5a5a5a5a5ull);
	if (got == 0xa5a5a5a5a5a5a5a5ull) {
		W = snap;
		CHECK(mmio_read_once(r, gpa, size, 0x5a5a5a5a5a5a5a5aull) == got);
	}
}

/* ------------------------------------------------------- the vCPU side */

/* pc_irq_take(): what the vCPU would be injected now, if anything. Under
 * APIC virtualization the CPU takes the LAPIC's vectors itself, which
 * cpu_deliver() plays. */
static void take_interrupt(struct world *w)
{
	int v = w->apicv ? -1 : lapic_pending_vector(&w->lapic);
	bool pic_routed = !lapic_enabled(&w->lapic) ||
			  lapic_lint0_is_extint(&w->lapic);

	if (v >= 0) {
		CHECK(v >= 16 && v <= 255);
		lapic_acknowledge(&w->lapic, (uint8_t)v);
		CHECK(lapic_pending_vector(&w->lapic) != v);
	} else if (pic_routed && pic_has_interrupt(&w->pic)) {
		v = pic_acknowledge(&w->pic);
		CHECK(v >= 0 && v <= 255);
	}
	if (lapic_take_nmi(&w->lapic))
		w->nmis++;
}

/* Virtual-interrupt delivery (SDM Vol. 3C, 30.2.2): the highest VIRR
 * vector above VPPR moves to VISR. */
static void cpu_deliver(struct world *w)
{
	int v = lapic_pending_vector(&w->lapic);

	if (v >= 0)
		lapic_acknowledge(&w->lapic, (uint8_t)v);
}

/* EOI virtualization (SDM 30.1.4): the CPU clears the highest VISR bit,
 * and exits for a vector in the EOI-exit bitmap. */
static void cpu_eoi(struct world *w)
{
	uint64_t bitmap[4];
	int v = -1;

	for (int i = 7; i >= 0 && v < 0; i--) {
		uint32_t word = w->lapic_page[(LAPIC_ISR >> 2) + i * 4];

		if (word)
			v = i * 32 + 31 - __builtin_clz(word);
	}
	if (v < 0)
		return;
	w->lapic_page[(LAPIC_ISR >> 2) + (v >> 5) * 4] &= ~(1u << (v & 31));
	lapic_eoi_exit_bitmap(&w->lapic, bitmap);
	if (bitmap[v >> 6] >> (v & 63) & 1)
		lapic_virtual_eoi(&w->lapic, (uint8_t)v);
}

/* The registers whose writes the CPU stores and then reports with an
 * APIC-write exit (SDM Vol. 3C, 30.4.3.2), EOI included (a CPU without
 * virtual-interrupt delivery reports it so). */
static bool apic_write_emulated(uint32_t off)
{
	switch (off) {
	case LAPIC_ID:
	case LAPIC_EOI:
	case LAPIC_LDR:
	case LAPIC_DFR:
	case LAPIC_SVR:
	case LAPIC_ESR:
	case LAPIC_ICR_LOW:
	case LAPIC_ICR_HIGH:
	case LAPIC_LVT_CMCI:
	case LAPIC_TIMER_ICR:
	case LAPIC_TIMER_DCR:
		return true;
	default:
		return off >= LAPIC_LVT_TIMER && off <= LAPIC_LVT_ERROR;
	}
}

/* ------------------------------------------------------------- program */

struct input {
	const uint8_t *p;
	size_t n;
};

/* Past the end every byte reads 0: a cut program still runs. */
static uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++) {
		if (in->n) {
			v |= (uint64_t)*in->p << (8 * i);
			in->p++;
			in->n--;
		}
	}
	return v;
}

/* The device ports, for operations that name a device rather than a
 * port: index % N picks the range, offset % count the port in it. */
static const struct {
	uint16_t base, count;
} dev_ports[] = {
	{ 0x20, 2 },   { 0xa0, 2 },  { 0x4d0, 2 }, { 0x40, 4 },  { 0x61, 1 },
	{ 0x70, 2 },   { 0x3f8, 8 }, { 0x600, 12 }, { 0xcf9, 1 }, { 0x92, 1 },
	{ 0x64, 1 },   { 0xcf8, 1 }, { 0xcfc, 4 }, { 0x5000, 12 },
	{ 0x510, 2 },  { 0xf4, 4 },  { 0xe9, 1 },
};
#define N_DEV_PORTS (sizeof(dev_ports) / sizeof(dev_ports[0]))

static const uint64_t mmio_bases[3] = { LAPIC_BASE, IOAPIC_BASE, TESTDEV_MMIO };

/*
 * One operation: a byte whose low 5 bits are the kind and high 3 bits the
 * modifier m, then the kind's operands, little-endian.
 *
 *  0 OUT     port:2 val:4          size 1, 2, 4, 1 by m & 3
 *  1 IN      port:2                size as OUT
 *  2 DEVOUT  dev:1 off:1 val:4     port = dev_ports[dev % N] + off % count
 *  3 DEVIN   dev:1 off:1
 *  4 MMIOW   region:1 [off:2 | addr:8] val:8   size 1, 2, 4, 8 by m & 3;
 *            region % 4: LAPIC, IOAPIC, testdev (base + off % 4096), or
 *            a raw guest-physical address
 *  5 MMIOR   region:1 [off:2 | addr:8]
 *  6 ADVANCE n:4                   clock += n << 3m
 *  7 TIMERS                        fire the due timers
 *  8 INTR                          the vCPU takes an interrupt (m & 1: the
 *                                  CPU's virtual-interrupt delivery)
 *  9 EOI     vec:1                 m 0: LAPIC EOI register; 1: EOI
 *                                  virtualization; 2: virtualized-EOI exit
 *                                  for vec; 3: I/O APIC EOI for vec
 * 10 LINE    gsi:1                 m & 1 level; m & 2 pulse (high then low)
 * 11 LINT    n:1                   lapic_set_lint(n, m & 1)
 * 12 RX      n:1 bytes:n % 32      typed input (m & 1: past the free room)
 * 13 MSRW    idx:1 val:8           m & 1: IA32_TSC_DEADLINE, else 0x800+idx
 * 14 MSRR    idx:1
 * 15 APICW   off:2 val:4           under APIC virtualization: m 0 the CPU
 *                                  stores the dword and exits (APIC write);
 *                                  1 a virtualized TPR write; 2 a self-IPI
 * 16 APICV   -                     APIC virtualization on (m & 1) or off
 * 18 VIRTIO  off:2 val:8          BAR0 of virtio-rng, wherever the guest
 *                                  put it: m & 4 write, size by m & 3
 * 19 RAMW    off:2 val:8           the guest writes its RAM (the rings):
 *                                  8 bytes at off % (RAM - 7)
 * 20 VCONS   off:2 val:8           BAR0 of virtio-console, as VIRTIO
 * 21 CONSIN  n:1 bytes:n % 32      typed input for the console, as much as
 *                                  its ring holds; m & 1: then
 *                                  virtio_console_input() if the driver
 *                                  takes input (as pc.c)
 * 17 RESET   -                     m: 0 power button, 1 UART, 2 PM block,
 *                                  3 LAPIC (INIT), 4 IOAPIC, 5 the whole
 *                                  machine, 6 LAPIC virtual wire, 7 flip
 *                                  [hypervisor] selftest
 * others: nothing.
 */
static void run_op(struct world *w, struct input *in)
{
	static const unsigned port_sizes[4] = { 1, 2, 4, 1 };
	static const unsigned mmio_sizes[4] = { 1, 2, 4, 8 };
	unsigned op = (unsigned)take(in, 1);
	unsigned kind = op & 0x1f, m = op >> 5;
	uint64_t a, v;
	unsigned idx;

	switch (kind) {
	case 0:
		a = take(in, 2);
		port_access((uint16_t)a, port_sizes[m & 3], true, (uint32_t)take(in, 4));
		break;
	case 1:
		port_access((uint16_t)take(in, 2), port_sizes[m & 3], false, 0);
		break;
	case 2:
	case 3:
		idx = (unsigned)take(in, 1) % N_DEV_PORTS;
		a = dev_ports[idx].base + take(in, 1) % dev_ports[idx].count;
		v = kind == 2 ? take(in, 4) : 0;
		port_access((uint16_t)a, port_sizes[m & 3], kind == 2, (uint32_t)v);
		break;
	case 4:
	case 5:
		idx = (unsigned)take(in, 1) % 4;
		a = idx == 3 ? take(in, 8) : mmio_bases[idx] + take(in, 2) % 4096;
		v = kind == 4 ? take(in, 8) & size_mask(mmio_sizes[m & 3]) : 0;
		mmio_access(a, mmio_sizes[m & 3], kind == 4, v);
		break;
	case 6:
		a = take(in, 4) << (3 * m);
		w->now = a > CLOCK_LIMIT - w->now ? CLOCK_LIMIT : w->now + a;
		break;
	case 7:
		run_timers(w);
		check_sci_settled(w);
		break;
	case 8:
		if (m & 1)
			cpu_deliver(w);
		else
			take_interrupt(w);
		break;
	case 9:
		v = take(in, 1);
		if ((m & 3) == 0)
			mmio_access(LAPIC_BASE + LAPIC_EOI, 4, true, 0);
		else if ((m & 3) == 1)
			cpu_eoi(w);
		else if ((m & 3) == 2)
			lapic_virtual_eoi(&w->lapic, (uint8_t)v);
		else
			ioapic_eoi(&w->ioapic, (uint8_t)v);
		break;
	case 10:
		idx = (unsigned)take(in, 1);
		set_line(w, idx, m & 1);
		if (m & 2)
			set_line(w, idx, false);
		break;
	case 11:
		lapic_set_lint(&w->lapic, (unsigned)take(in, 1), m & 1);
		break;
	case 12: {
		uint8_t buf[32];
		unsigned n = (unsigned)take(in, 1) % 32, room;

		for (unsigned i = 0; i < n; i++)
			buf[i] = (uint8_t)take(in, 1);
		/* pc.c's com1_input() offers only what fits. */
		room = uart16550_rx_space(&w->com1);
		CHECK(room <= UART16550_FIFO_SIZE);
		if (!(m & 1) && n > room)
			n = room;
		CHECK(uart16550_receive(&w->com1, buf, n) <= n);
		break;
	}
	case 13:
		idx = (unsigned)take(in, 1);
		v = take(in, 8);
		if (m & 1)
			lapic_set_tsc_deadline(&w->lapic, v);
		else
			(void)lapic_msr_write(&w->lapic, LAPIC_MSR_BASE + idx, v);
		break;
	case 14:
		idx = (unsigned)take(in, 1);
		if (m & 1) {
			v = lapic_get_tsc_deadline(&w->lapic);
		} else {
			v = 0xa5a5a5a5a5a5a5a5ull;
			if (lapic_msr_read(&w->lapic, LAPIC_MSR_BASE + idx, &v) == 0)
				CHECK(idx == (LAPIC_ICR_LOW >> 4) || (v >> 32) == 0);
		}
		break;
	case 15:
		a = take(in, 2) & 0xfff;
		v = take(in, 4);
		if (m == 1) {
			/* TPR virtualization: bits 31:8 of VTPR are cleared. */
			w->lapic_page[LAPIC_TPR >> 2] = (uint32_t)v & 0xff;
			break;
		}
		if (m == 2) {
			/* Self-IPI virtualization: a fixed, edge, self
			 * ICR write of a vector >= 16 only sets VIRR. */
			a = LAPIC_ICR_LOW;
			v = (v & 0xff) | 1u << 18;
			if ((v & 0xff) >= 16) {
				w->lapic_page[LAPIC_ICR_LOW >> 2] = (uint32_t)v;
				w->lapic_page[(LAPIC_IRR >> 2) + ((v & 0xff) >> 5) * 4] |=
					1u << (v & 31);
				break;
			}
		}
		/* APIC-write emulation (SDM 30.4.3.3): the CPU stores the
		 * write in the page and exits with its offset, for these
		 * registers only; any other offset is an APIC-access exit,
		 * which MMIOW plays. */
		if (!apic_write_emulated((uint32_t)a & 0xff0))
			break;
		w->lapic_page[(a & 0xff0) >> 2] = (uint32_t)v;
		lapic_apic_write(&w->lapic, (uint32_t)a);
		break;
	case 16:
		w->apicv = m & 1;
		break;
	case 18:
		a = w->rng.vp.bar_at + take(in, 2) % VIRTIO_PCI_BAR_SIZE;
		v = m & 4 ? take(in, 8) & size_mask(mmio_sizes[m & 3]) : 0;
		mmio_access(a, mmio_sizes[m & 3], m & 4, v);
		break;
	case 20:
		a = w->cons.vp.bar_at + take(in, 2) % VIRTIO_PCI_BAR_SIZE;
		v = m & 4 ? take(in, 8) & size_mask(mmio_sizes[m & 3]) : 0;
		mmio_access(a, mmio_sizes[m & 3], m & 4, v);
		break;
	case 21: {
		unsigned n = (unsigned)take(in, 1) % 32;

		for (unsigned i = 0; i < n; i++) {
			uint8_t c = (uint8_t)take(in, 1);

			if (w->cons_in_head - w->cons_in_tail == CONS_IN)
				continue;
			w->cons_in[w->cons_in_head++ % CONS_IN] = c;
			w->cons_typed++;
		}
		if ((m & 1) && virtio_console_takes_input(&w->cons))
			virtio_console_input(&w->cons);
		break;
	}
	case 19:
		a = take(in, 2) % (VIRTIO_RAM - 7);
		v = take(in, 8);
		memcpy(w->ram + a, &v, 8);
		break;
	case 17:
		switch (m) {
		case 0:
			acpi_pm_power_button(&w->pm);
			break;
		case 1:
			uart16550_reset(&w->com1);
			break;
		case 2:
			acpi_pm_reset(&w->pm);
			break;
		case 3:
			lapic_reset(&w->lapic);
			break;
		case 4:
			ioapic_reset(&w->ioapic);
			break;
		case 5:
			w->stop = true;
			break;
		case 6:
			lapic_virtual_wire(&w->lapic);
			break;
		case 7:
			w->selftest = !w->selftest;
			break;
		default:
			break;
		}
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t hz_table[4] = { 2500000000ull, 1000000000ull,
					      3600000000ull, 1000000ull };
	struct input in = { data, size };

	hz_choice = hz_table[take(&in, 1) & 3];
	W.now = 0;
	W.selftest = false;
	world_create(&W);
	check_all(&W);
	while (in.n) {
		run_op(&W, &in);
		if (W.stop) {
			/* The guest reset or powered off: on_reboot restarts
			 * it with a new PC (pc_destroy, pc_create). */
			world_create(&W);
		}
		check_all(&W);
	}
	return 0;
}
