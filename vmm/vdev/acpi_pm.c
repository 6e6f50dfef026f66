/* SPDX-License-Identifier: MIT */
/*
 * The ACPI fixed hardware the guest's FADT describes, and the PC's reset
 * ports. Register layouts: ACPI 6.4 specification section 4.8 (PM1 event
 * and control registers, tables 4.13-4.16; the PM timer, 4.8.3.3); the
 * Reset Control Register at 0xCF9 and System Control Port A at 0x92 from
 * the Intel I/O Controller Hub (ICH9) data sheet, section 13 (LPC I/F);
 * the 8042's pulse-reset command 0xFE from the IBM PC/AT technical
 * reference.
 *
 *   pm_base + 0  PM1_STS  16 bits, write 1 to clear
 *   pm_base + 2  PM1_EN   16 bits
 *   pm_base + 4  PM1_CNT  16 bits  SCI_EN(0) BM_RLD(1) GBL_RLS(2)
 *                                  SLP_TYP(12:10) SLP_EN(13)
 *   pm_base + 6  (reserved, reads 0)
 *   pm_base + 8  PM_TMR   32 bits, 24 counting at 3.579545 MHz
 *
 * The guest may touch any byte of the block at any width: each access is
 * split into byte lanes and applied to the registers it covers.
 *
 * There is no SMM, so SCI_EN is hardwired to 1. The SCI is level
 * triggered and active high: it is asserted while a status bit and its
 * enable bit are both set.
 */
#include "lib/string.h"
#include "vmm/vdev/acpi.h"

/* PM1_STS / PM1_EN bits, ACPI 6.4 tables 4.14 and 4.15. */
#define PM1_TMR_STS (1u << 0)
#define PM1_BM_STS (1u << 4)
#define PM1_GBL_STS (1u << 5)
#define PM1_PWRBTN_STS (1u << 8)
#define PM1_SLPBTN_STS (1u << 9)
#define PM1_RTC_STS (1u << 10)
#define PM1_PCIEXP_WAKE_STS (1u << 14)
#define PM1_WAK_STS (1u << 15)
#define PM1_TMR_EN PM1_TMR_STS
#define PM1_PCIEXP_WAKE_DIS PM1_PCIEXP_WAKE_STS
/* The enable bits that exist, and the events that raise an SCI. */
#define PM1_EN_MASK                                                        \
	(PM1_TMR_EN | PM1_GBL_STS | PM1_PWRBTN_STS | PM1_SLPBTN_STS |     \
	 PM1_RTC_STS | PM1_PCIEXP_WAKE_DIS)
#define PM1_SCI_EVENTS                                                     \
	(PM1_TMR_STS | PM1_GBL_STS | PM1_PWRBTN_STS | PM1_SLPBTN_STS |    \
	 PM1_RTC_STS)

/* PM1_CNT bits, ACPI 6.4 table 4.16. */
#define PM1_SCI_EN (1u << 0)
#define PM1_BM_RLD (1u << 1)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN (1u << 13)

#define PM_TMR_MASK 0xffffffu
#define PM_TMR_STS_SHIFT 23 /* TMR_STS sets when bit 23 changes */

/* RST_CNT (0xCF9) bits. */
#define RST_CNT_SYS_RST (1u << 1)
#define RST_CNT_RST_CPU (1u << 2)
#define RST_CNT_FULL_RST (1u << 3)

/* System Control Port A (0x92) bits. */
#define SYS_CTRL_A_ALT_RST (1u << 0)
#define SYS_CTRL_A_A20 (1u << 1)

#define KBC_CMD_PULSE_RESET 0xfe

static uint64_t pm_now(const struct acpi_pm *pm)
{
	return pm->plat->now(pm->plat->ctx);
}

/* PM timer ticks since tmr_base, split so the product cannot overflow. */
static uint64_t tmr_ticks(const struct acpi_pm *pm, uint64_t now)
{
	uint64_t hz = pm->plat->hz, d = now - pm->tmr_base;

	if (!hz)
		return 0;
	return d / hz * ACPI_PM_TMR_HZ + d % hz * ACPI_PM_TMR_HZ / hz;
}

/* The platform time at which the PM timer reaches `ticks`, rounded up. */
static uint64_t tmr_deadline(const struct acpi_pm *pm, uint64_t ticks)
{
	uint64_t hz = pm->plat->hz;

	return pm->tmr_base + ticks / ACPI_PM_TMR_HZ * hz +
	       (ticks % ACPI_PM_TMR_HZ * hz + ACPI_PM_TMR_HZ - 1) /
		       ACPI_PM_TMR_HZ;
}

static uint16_t pm1_sts(const struct acpi_pm *pm, uint64_t now)
{
	uint16_t sts = pm->pm1_sts;

	if (tmr_ticks(pm, now) >> PM_TMR_STS_SHIFT != pm->tmr_period)
		sts |= PM1_TMR_STS;
	return sts;
}

/*
 * Drive the SCI from status and enable bits, and keep a timer armed for
 * the next TMR_STS while the guest has TMR_EN set and the bit is clear.
 */
static void update_sci(struct acpi_pm *pm, uint64_t now)
{
	const struct vdev_platform *plat = pm->plat;
	uint16_t sts = pm1_sts(pm, now);
	bool level = sts & pm->pm1_en & PM1_SCI_EVENTS;

	if (level != pm->sci_level) {
		pm->sci_level = level;
		plat->set_irq(plat->ctx, pm->sci_gsi, level);
	}
	if ((pm->pm1_en & PM1_TMR_EN) && !(sts & PM1_TMR_STS) && plat->hz) {
		uint64_t next = (pm->tmr_period + 1) << PM_TMR_STS_SHIFT;

		plat->timer_arm(plat->ctx, &pm->tmr_timer,
				tmr_deadline(pm, next));
	} else if (pm->tmr_timer.armed) {
		plat->timer_cancel(plat->ctx, &pm->tmr_timer);
	}
}

static void tmr_fire(struct vdev_timer *t, uint64_t now)
{
	update_sci(t->opaque, now);
}

static void request_reset(struct acpi_pm *pm)
{
	if (pm->ops.reset)
		pm->ops.reset(pm->ops.ctx);
}

/*
 * SLP_EN: hand SLP_TYP to the integrator. If the callback returns the
 * guest is awake again, and ACPI OSes spin on WAK_STS until it is; unless
 * the callback reset the model meanwhile, which leaves power-on state.
 */
static void enter_sleep(struct acpi_pm *pm)
{
	unsigned typ = (pm->pm1_cnt & PM1_SLP_TYP) >> PM1_SLP_TYP_SHIFT;
	unsigned resets = pm->resets;

	if (pm->ops.sleep)
		pm->ops.sleep(pm->ops.ctx, typ);
	if (pm->resets == resets)
		pm->pm1_sts |= PM1_WAK_STS;
}

/* Apply bits `v` under byte-lane mask `m` to the 16-bit register at off. */
static bool pm_reg_write(struct acpi_pm *pm, unsigned off, uint16_t v,
			 uint16_t m, uint64_t now)
{
	uint16_t clr;

	switch (off) {
	case ACPI_PM1_STS:
		clr = v & m;
		if (clr & PM1_TMR_STS)
			pm->tmr_period = tmr_ticks(pm, now) >> PM_TMR_STS_SHIFT;
		pm->pm1_sts &= ~clr;
		return false;
	case ACPI_PM1_EN:
		m &= PM1_EN_MASK;
		pm->pm1_en = (pm->pm1_en & ~m) | (v & m);
		return false;
	case ACPI_PM1_CNT:
		m &= PM1_BM_RLD | PM1_SLP_TYP | PM1_SLP_EN;
		pm->pm1_cnt = (pm->pm1_cnt & ~m) | (v & m);
		/* SLP_EN is write-only; GBL_RLS would signal firmware, of
		 * which there is none. */
		pm->pm1_cnt &= ~PM1_SLP_EN;
		return v & m & PM1_SLP_EN;
	}
	return false;
}

static void pm_block_write(struct acpi_pm *pm, unsigned off, unsigned size,
			   uint32_t val)
{
	static const unsigned regs[] = { ACPI_PM1_STS, ACPI_PM1_EN,
					 ACPI_PM1_CNT };
	uint64_t now = pm_now(pm);
	bool sleep = false;

	for (unsigned r = 0; r < 3; r++) {
		uint16_t v = 0, m = 0;

		for (unsigned i = 0; i < size; i++) {
			unsigned lane = off + i - regs[r];

			if (off + i < regs[r] || lane >= 2)
				continue;
			v |= ((val >> (8 * i)) & 0xff) << (8 * lane);
			m |= 0xffu << (8 * lane);
		}
		if (m)
			sleep |= pm_reg_write(pm, regs[r], v, m, now);
	}
	update_sci(pm, now);
	if (sleep)
		enter_sleep(pm);
}

static uint32_t pm_block_read(struct acpi_pm *pm, unsigned off, unsigned size)
{
	uint64_t now = pm_now(pm);
	uint32_t tmr = tmr_ticks(pm, now) & PM_TMR_MASK;
	uint8_t blk[ACPI_PM_BLK_LEN] = { 0 };
	uint32_t val = 0;

	blk[0] = pm1_sts(pm, now);
	blk[1] = pm1_sts(pm, now) >> 8;
	blk[2] = pm->pm1_en;
	blk[3] = pm->pm1_en >> 8;
	blk[4] = pm->pm1_cnt | PM1_SCI_EN;
	blk[5] = pm->pm1_cnt >> 8;
	for (unsigned i = 0; i < 4; i++)
		blk[ACPI_PM_TMR + i] = tmr >> (8 * i);
	/* Bytes past the block read as a bus with nothing on it. */
	for (unsigned i = 0; i < size; i++)
		val |= (uint32_t)(off + i < ACPI_PM_BLK_LEN ? blk[off + i] : 0xff)
		       << (8 * i);
	return val;
}

/* One-byte registers: wider reads see open bus above the first byte. */
static uint32_t byte_port_read(uint8_t v, unsigned size)
{
	return size == 1 ? v : (0xffffff00u | v) & (size == 2 ? 0xffff : ~0u);
}

static void rst_cnt_access(struct acpi_pm *pm, unsigned size, bool write,
			   uint32_t *val)
{
	if (!write) {
		*val = byte_port_read(pm->rst_cnt, size);
		return;
	}
	/* RST_CPU starts the reset (hard with SYS_RST, soft without, both a
	 * reset to us) and clears itself; the other bits are kept. */
	pm->rst_cnt = *val & 0xff & ~RST_CNT_RST_CPU;
	if (*val & RST_CNT_RST_CPU)
		request_reset(pm);
}

static void sys_ctrl_a_access(struct acpi_pm *pm, unsigned size, bool write,
			      uint32_t *val)
{
	if (!write) {
		*val = byte_port_read(pm->sys_ctrl_a, size);
		return;
	}
	/* A20 (bit 1) is stored only: guest memory is never wrapped at 1M. */
	pm->sys_ctrl_a = *val & 0xff & ~SYS_CTRL_A_ALT_RST;
	if (*val & SYS_CTRL_A_ALT_RST)
		request_reset(pm);
}

static void kbc_access(struct acpi_pm *pm, unsigned size, bool write,
		       uint32_t *val)
{
	/* Status 0: output buffer empty, input buffer empty, so a guest
	 * waiting to send a command goes ahead at once. */
	if (!write)
		*val = byte_port_read(0, size);
	else if ((*val & 0xff) == KBC_CMD_PULSE_RESET)
		request_reset(pm);
}

/* The io_handler_fn for the PM block and the reset ports; see acpi.h. */
void acpi_pm_io(void *opaque, uint16_t port, unsigned size, bool write,
		uint32_t *val)
{
	struct acpi_pm *pm = opaque;

	if (size != 1 && size != 2 && size != 4) {
		if (!write)
			*val = ~0u;
		return;
	}
	if (port >= pm->pm_base && port - pm->pm_base < ACPI_PM_BLK_LEN) {
		if (write)
			pm_block_write(pm, port - pm->pm_base, size, *val);
		else
			*val = pm_block_read(pm, port - pm->pm_base, size);
	} else if (port == ACPI_PORT_RST_CNT) {
		rst_cnt_access(pm, size, write, val);
	} else if (port == ACPI_PORT_SYS_CTRL_A) {
		sys_ctrl_a_access(pm, size, write, val);
	} else if (port == ACPI_PORT_KBC_CMD) {
		kbc_access(pm, size, write, val);
	} else if (!write) {
		*val = size == 4 ? ~0u : (1u << (size * 8)) - 1;
	}
}

/* Power-on state; see acpi.h. */
void acpi_pm_reset(struct acpi_pm *pm)
{
	const struct vdev_platform *plat = pm->plat;

	if (pm->tmr_timer.armed)
		plat->timer_cancel(plat->ctx, &pm->tmr_timer);
	if (pm->sci_level)
		plat->set_irq(plat->ctx, pm->sci_gsi, false);
	pm->sci_level = false;
	pm->pm1_sts = 0;
	pm->pm1_en = 0;
	pm->pm1_cnt = 0;
	pm->tmr_base = pm_now(pm);
	pm->tmr_period = 0;
	pm->rst_cnt = 0;
	pm->sys_ctrl_a = SYS_CTRL_A_A20; /* as firmware leaves it */
	pm->resets++;
}

/* Prepare the model; see acpi.h. */
void acpi_pm_init(struct acpi_pm *pm, const struct acpi_config *cfg,
		  const struct vdev_platform *plat,
		  const struct acpi_pm_ops *ops)
{
	memset(pm, 0, sizeof(*pm));
	pm->plat = plat;
	if (ops)
		pm->ops = *ops;
	pm->pm_base = cfg->pm_base;
	pm->sci_gsi = cfg->sci_gsi;
	pm->tmr_timer.fn = tmr_fire;
	pm->tmr_timer.opaque = pm;
	acpi_pm_reset(pm);
}

/* Claim the ports; see acpi.h. */
int acpi_pm_attach(struct acpi_pm *pm, struct io_bus *bus)
{
	if (io_register(bus, pm->pm_base, ACPI_PM_BLK_LEN, acpi_pm_io, pm,
			"acpi-pm") ||
	    io_register(bus, ACPI_PORT_RST_CNT, 1, acpi_pm_io, pm, "rst-cnt") ||
	    io_register(bus, ACPI_PORT_SYS_CTRL_A, 1, acpi_pm_io, pm,
			"sys-ctrl-a") ||
	    io_register(bus, ACPI_PORT_KBC_CMD, 1, acpi_pm_io, pm, "kbc-reset"))
		return -1;
	return 0;
}

/* Fixed-feature power button press; see acpi.h. */
void acpi_pm_power_button(struct acpi_pm *pm)
{
	pm->pm1_sts |= PM1_PWRBTN_STS;
	update_sci(pm, pm_now(pm));
}

/* The PM timer's value now; see acpi.h. */
uint32_t acpi_pm_timer(const struct acpi_pm *pm)
{
	return tmr_ticks(pm, pm_now(pm)) & PM_TMR_MASK;
}
