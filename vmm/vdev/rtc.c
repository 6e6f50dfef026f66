/* SPDX-License-Identifier: MIT */
/*
 * The CMOS clock of a PC. Register layout, status registers A-D, the
 * BCD/binary and 12/24-hour formats, the SET bit and the alarm "don't
 * care" codes follow the Motorola MC146818A data sheet; port 0x70 bit 7 as
 * the NMI mask follows the Intel ICH data sheets.
 *
 * The clock is never ticked. It is base_secs at TSC base_tsc plus the
 * whole seconds elapsed since, and the time registers are encoded from it
 * at each read in the format status B asks for. While SET is 1 the clock
 * stands still in the time registers of cmos[], where the guest edits it;
 * clearing SET makes those registers the new base. A write to a time
 * register with SET 0 also sets a new base at once.
 *
 * Update-ended (UF) and alarm (AF) flags are raised lazily: on a read of
 * status C, and from a platform timer armed only while UIE or AIE asks
 * for an interrupt.
 *
 * Not modelled, documented here once:
 *  - Periodic interrupts (PIE, rate select in status A): PF never sets.
 *  - The divider chain (DV in status A) and daylight saving (DSE): kept
 *    as written, without effect.
 *  - Day of week is computed from the date; a written value is kept only
 *    while SET is 1.
 *  - UIP (status A bit 7) reads 1 during the last 244 us of each second,
 *    the data sheet's warning window; the update itself is instant.
 */
#include "lib/string.h"
#include "vmm/vdev/rtc.h"

#define REG_A_UIP 0x80
#define REG_B_SET 0x80
#define REG_B_PIE 0x40
#define REG_B_AIE 0x20
#define REG_B_UIE 0x10
#define REG_B_DM 0x04   /* 1 = binary, 0 = BCD */
#define REG_B_24H 0x02
#define REG_C_IRQF 0x80
#define REG_C_AF 0x20
#define REG_C_UF 0x10
#define REG_D_VRT 0x80
#define HOUR_PM 0x80
#define ALARM_DONT_CARE 0xc0
#define UIP_WINDOW_US 244

#define SECS_PER_DAY 86400ull
#define DAYS_PER_400Y 146097u
/* From 0000-03-01, the first day of the March-based year 0, to 1970-01-01. */
#define DAYS_TO_EPOCH 719468u
#define MAX_SECS 253402300799ull /* 9999-12-31 23:59:59 */
#define NO_ALARM UINT64_MAX

/* Days before each month in a year that starts in March. */
static const uint16_t march_month_start[12] = {
	0, 31, 61, 92, 122, 153, 184, 214, 245, 275, 306, 337,
};

static bool is_leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
	static const uint8_t len[12] = { 31, 28, 31, 30, 31, 30,
					 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian, y >= 1970). The year
 * is counted from March so that the leap day is its last day: then the
 * days before a year are 365 per year plus one per leap day. */
static uint64_t days_from_civil(unsigned y, unsigned m, unsigned d)
{
	unsigned my = m > 2 ? y : y - 1;
	unsigned mm = m > 2 ? m - 3 : m + 9;
	uint64_t days = (uint64_t)my * 365 + my / 4 - my / 100 + my / 400;

	return days + march_month_start[mm] + d - 1 - DAYS_TO_EPOCH;
}

/* The inverse, through the same March-based years: a 400-year cycle is
 * four centuries of 36524 days, the last one day longer; a century is
 * four-year groups of 1461 days, the last one day shorter (except in the
 * cycle's last century); a group is years of 365 days, the last 366. */
static void civil_from_days(uint64_t days, struct rtc_time *t)
{
	uint64_t z = days + DAYS_TO_EPOCH;
	uint64_t cycle = z / DAYS_PER_400Y;
	unsigned doe = (unsigned)(z % DAYS_PER_400Y);
	unsigned cent = doe / 36524, group, yr, doy, mm = 11, y, m;

	if (cent > 3)
		cent = 3;
	doe -= cent * 36524;
	group = doe / 1461;
	doe -= group * 1461;
	yr = doe / 365;
	if (yr > 3)
		yr = 3;
	doy = doe - yr * 365;
	while (march_month_start[mm] > doy)
		mm--;
	y = (unsigned)(cycle * 400) + cent * 100 + group * 4 + yr;
	m = mm < 10 ? mm + 3 : mm - 9;
	t->year = (uint16_t)(m <= 2 ? y + 1 : y);
	t->month = (uint8_t)m;
	t->day = (uint8_t)(doy - march_month_start[mm] + 1);
}

uint64_t rtc_time_to_unix(const struct rtc_time *t)
{
	unsigned y = t->year, m = t->month, d = t->day;
	unsigned h = t->hour, mi = t->minute, s = t->second;

	y = y < 1970 ? 1970 : y > 9999 ? 9999 : y;
	m = m < 1 ? 1 : m > 12 ? 12 : m;
	d = d < 1 ? 1 : d > days_in_month(y, m) ? days_in_month(y, m) : d;
	h = h > 23 ? 23 : h;
	mi = mi > 59 ? 59 : mi;
	s = s > 59 ? 59 : s;
	return days_from_civil(y, m, d) * SECS_PER_DAY + h * 3600u +
	       mi * 60u + s;
}

void rtc_unix_to_time(uint64_t secs, struct rtc_time *t)
{
	unsigned tod;

	if (secs > MAX_SECS)
		secs = MAX_SECS;
	tod = (unsigned)(secs % SECS_PER_DAY);
	civil_from_days(secs / SECS_PER_DAY, t);
	t->hour = (uint8_t)(tod / 3600);
	t->minute = (uint8_t)(tod / 60 % 60);
	t->second = (uint8_t)(tod % 60);
}

/* 1 = Sunday ... 7 = Saturday; 1970-01-01 was a Thursday. */
static uint8_t day_of_week(uint64_t secs)
{
	return (uint8_t)((secs / SECS_PER_DAY + 4) % 7 + 1);
}

static uint8_t to_reg(uint8_t regb, unsigned v)
{
	return regb & REG_B_DM ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

/* Out-of-spec BCD nibbles weigh as their value; callers clamp. */
static unsigned from_reg(uint8_t regb, uint8_t v)
{
	return regb & REG_B_DM ? v : (v >> 4) * 10u + (v & 15);
}

static uint8_t hour_to_reg(uint8_t regb, unsigned h)
{
	unsigned h12 = h % 12 ? h % 12 : 12;

	if (regb & REG_B_24H)
		return to_reg(regb, h);
	return to_reg(regb, h12) | (h >= 12 ? HOUR_PM : 0);
}

static unsigned hour_from_reg(uint8_t regb, uint8_t v)
{
	if (regb & REG_B_24H)
		return from_reg(regb, v);
	return from_reg(regb, v & ~HOUR_PM) % 12 + (v & HOUR_PM ? 12 : 0);
}

static bool is_clock_reg(unsigned index)
{
	return index == RTC_SECONDS || index == RTC_MINUTES ||
	       index == RTC_HOURS || (index >= RTC_DAY_OF_WEEK &&
				      index <= RTC_YEAR) ||
	       index == RTC_CENTURY;
}

/* Write the time secs into the clock registers of regs, as regb says. */
static void encode_time(uint8_t regb, uint64_t secs, uint8_t *regs)
{
	struct rtc_time t;

	rtc_unix_to_time(secs, &t);
	regs[RTC_SECONDS] = to_reg(regb, t.second);
	regs[RTC_MINUTES] = to_reg(regb, t.minute);
	regs[RTC_HOURS] = hour_to_reg(regb, t.hour);
	regs[RTC_DAY_OF_WEEK] = to_reg(regb, day_of_week(secs));
	regs[RTC_DAY_OF_MONTH] = to_reg(regb, t.day);
	regs[RTC_MONTH] = to_reg(regb, t.month);
	regs[RTC_YEAR] = to_reg(regb, t.year % 100);
	regs[RTC_CENTURY] = to_reg(regb, t.year / 100);
}

static uint64_t decode_time(uint8_t regb, const uint8_t *regs)
{
	unsigned year = from_reg(regb, regs[RTC_CENTURY]) * 100 +
			from_reg(regb, regs[RTC_YEAR]);
	unsigned sec = from_reg(regb, regs[RTC_SECONDS]);
	unsigned min = from_reg(regb, regs[RTC_MINUTES]);
	unsigned hour = hour_from_reg(regb, regs[RTC_HOURS]);
	unsigned day = from_reg(regb, regs[RTC_DAY_OF_MONTH]);
	unsigned mon = from_reg(regb, regs[RTC_MONTH]);
	struct rtc_time t = {
		.year = (uint16_t)year,
		.month = (uint8_t)(mon > 255 ? 255 : mon),
		.day = (uint8_t)(day > 255 ? 255 : day),
		.hour = (uint8_t)(hour > 255 ? 255 : hour),
		.minute = (uint8_t)(min > 255 ? 255 : min),
		.second = (uint8_t)(sec > 255 ? 255 : sec),
	};

	return rtc_time_to_unix(&t);
}

static uint64_t clock_now(const struct rtc *r)
{
	return r->plat->now(r->plat->ctx);
}

static uint64_t plat_hz(const struct rtc *r)
{
	return r->plat->hz ? r->plat->hz : 1;
}

static uint64_t current_secs(const struct rtc *r, uint64_t now)
{
	uint64_t s = r->base_secs;

	if (now > r->base_tsc)
		s += (now - r->base_tsc) / plat_hz(r);
	return s > MAX_SECS ? MAX_SECS : s;
}

/* An alarm byte: -1 for "don't care", else the value it must equal (an
 * impossible one, like 0x7f in BCD, simply never matches). */
static int alarm_field(const struct rtc *r, unsigned index)
{
	uint8_t v = r->cmos[index], regb = r->cmos[RTC_REG_B];

	if ((v & ALARM_DONT_CARE) == ALARM_DONT_CARE)
		return -1;
	if (index == RTC_HOURS_ALARM)
		return (int)hour_from_reg(regb, v);
	return (int)from_reg(regb, v);
}

/* The first second after `after` at which the alarm matches, or NO_ALARM.
 * Any valid alarm matches within two days; the loops skip whole hours and
 * minutes that end before `after`. */
static uint64_t next_alarm(const struct rtc *r, uint64_t after)
{
	int ah = alarm_field(r, RTC_HOURS_ALARM);
	int am = alarm_field(r, RTC_MINUTES_ALARM);
	int as = alarm_field(r, RTC_SECONDS_ALARM);
	uint64_t day = after - after % SECS_PER_DAY;

	for (unsigned d = 0; d < 2; d++, day += SECS_PER_DAY) {
		for (int h = 0; h < 24; h++) {
			uint64_t th = day + h * 3600u;

			if ((ah >= 0 && ah != h) || th + 3599 <= after)
				continue;
			for (int m = 0; m < 60; m++) {
				uint64_t tm = th + m * 60u;

				if ((am >= 0 && am != m) || tm + 59 <= after)
					continue;
				for (int s = 0; s < 60; s++) {
					if ((as < 0 || as == s) &&
					    tm + s > after)
						return tm + s;
				}
			}
		}
	}
	return NO_ALARM;
}

static void drive_irq(struct rtc *r)
{
	bool level = r->cmos[RTC_REG_C] & REG_C_IRQF;

	if (level != r->irq_level) {
		r->irq_level = level;
		r->plat->set_irq(r->plat->ctx, RTC_IRQ, level);
	}
}

/* Account the update cycles that ended since flags_secs: UF for any, AF
 * when one of them matched the alarm. IRQF is the OR of each flag with its
 * enable, and IRQ 8 follows it. */
static void update_flags(struct rtc *r, uint64_t now)
{
	uint8_t *c = &r->cmos[RTC_REG_C];
	uint64_t s = current_secs(r, now);

	/* No update cycles run while SET is 1. */
	if (!(r->cmos[RTC_REG_B] & REG_B_SET) && s > r->flags_secs) {
		*c |= REG_C_UF;
		if (next_alarm(r, r->flags_secs) <= s)
			*c |= REG_C_AF;
		r->flags_secs = s;
	}
	*c &= ~REG_C_IRQF;
	if (*c & r->cmos[RTC_REG_B] & (REG_C_UF | REG_C_AF))
		*c |= REG_C_IRQF;
	drive_irq(r);
}

/* Arm the timer for the next second that can raise an enabled flag. With
 * IRQF already set nothing new would reach the guest until it reads C,
 * which re-arms. */
static void rearm(struct rtc *r, uint64_t now)
{
	uint8_t b = r->cmos[RTC_REG_B];
	uint64_t s = current_secs(r, now), next = NO_ALARM;

	if (!(b & REG_B_SET) && !(r->cmos[RTC_REG_C] & REG_C_IRQF)) {
		if (b & REG_B_UIE)
			next = s + 1;
		else if (b & REG_B_AIE)
			next = next_alarm(r, s);
	}
	if (next == NO_ALARM || next > MAX_SECS) {
		if (r->timer.armed)
			r->plat->timer_cancel(r->plat->ctx, &r->timer);
		return;
	}
	r->plat->timer_arm(r->plat->ctx, &r->timer,
			   r->base_tsc + (next - r->base_secs) * plat_hz(r));
}

static void rtc_timer_fn(struct vdev_timer *t, uint64_t now)
{
	struct rtc *r = t->opaque;

	update_flags(r, now);
	rearm(r, now);
}

/* A new base: the clock reads secs now and runs on from here. */
static void set_base(struct rtc *r, uint64_t secs, uint64_t now)
{
	r->base_secs = secs;
	r->base_tsc = now;
	r->flags_secs = secs;
}

static void write_reg_b(struct rtc *r, uint8_t v, uint64_t now)
{
	uint8_t old = r->cmos[RTC_REG_B];

	if (v & REG_B_SET)
		v &= ~REG_B_UIE; /* the data sheet clears UIE with SET */
	if (!(old & REG_B_SET) && (v & REG_B_SET)) {
		update_flags(r, now);
		encode_time(v, current_secs(r, now), r->cmos);
	} else if ((old & REG_B_SET) && !(v & REG_B_SET)) {
		set_base(r, decode_time(v, r->cmos), now);
	}
	r->cmos[RTC_REG_B] = v;
	update_flags(r, now);
}

static uint8_t read_reg(struct rtc *r, unsigned index, uint64_t now)
{
	uint8_t regs[RTC_CMOS_SIZE];
	uint8_t regb = r->cmos[RTC_REG_B], v;
	uint64_t hz, phase;

	switch (index) {
	case RTC_REG_A:
		v = r->cmos[RTC_REG_A] & ~REG_A_UIP;
		if (regb & REG_B_SET)
			return v;
		hz = plat_hz(r);
		phase = now > r->base_tsc ? (now - r->base_tsc) % hz : 0;
		if (phase >= hz - hz / 1000000 * UIP_WINDOW_US)
			v |= REG_A_UIP;
		return v;
	case RTC_REG_C:
		update_flags(r, now);
		v = r->cmos[RTC_REG_C];
		r->cmos[RTC_REG_C] = 0;
		drive_irq(r);
		rearm(r, now);
		return v;
	case RTC_REG_D:
		return REG_D_VRT;
	default:
		break;
	}
	if (!is_clock_reg(index) || (regb & REG_B_SET))
		return r->cmos[index];
	encode_time(regb, current_secs(r, now), regs);
	return regs[index];
}

static void write_reg(struct rtc *r, unsigned index, uint8_t v, uint64_t now)
{
	uint8_t regs[RTC_CMOS_SIZE];
	uint8_t regb = r->cmos[RTC_REG_B];

	switch (index) {
	case RTC_REG_A:
		r->cmos[RTC_REG_A] = v & ~REG_A_UIP;
		return;
	case RTC_REG_B:
		write_reg_b(r, v, now);
		rearm(r, now);
		return;
	case RTC_REG_C:
	case RTC_REG_D:
		return; /* read-only */
	default:
		break;
	}
	if (!is_clock_reg(index) || (regb & REG_B_SET)) {
		r->cmos[index] = v;
		if (index == RTC_SECONDS_ALARM ||
		    index == RTC_MINUTES_ALARM || index == RTC_HOURS_ALARM)
			rearm(r, now);
		return;
	}
	/* A running clock: change one field of the current time. */
	update_flags(r, now);
	memcpy(regs, r->cmos, sizeof(regs));
	encode_time(regb, current_secs(r, now), regs);
	regs[index] = v;
	set_base(r, decode_time(regb, regs), now);
	rearm(r, now);
}

static void io_byte(void *opaque, uint16_t port, bool write, uint8_t *v)
{
	struct rtc *r = opaque;

	if (port == RTC_PORT_INDEX) {
		if (write) {
			r->index = *v & 0x7f;
			r->nmi_masked = *v & 0x80;
		} else {
			*v = r->index | (r->nmi_masked ? 0x80 : 0);
		}
	} else if (port == RTC_PORT_DATA) {
		if (write)
			write_reg(r, r->index, *v, clock_now(r));
		else
			*v = read_reg(r, r->index, clock_now(r));
	} else if (!write) {
		*v = 0xff;
	}
}

void rtc_init(struct rtc *r, const struct vdev_platform *plat,
	      const struct rtc_time *now)
{
	memset(r, 0, sizeof(*r));
	r->plat = plat;
	r->timer.fn = rtc_timer_fn;
	r->timer.opaque = r;
	r->cmos[RTC_REG_A] = 0x26; /* 32.768 kHz time base, 1024 Hz rate */
	r->cmos[RTC_REG_B] = REG_B_24H;
	set_base(r, now ? rtc_time_to_unix(now) : 0, clock_now(r));
}

int rtc_attach(struct rtc *r, struct io_bus *bus)
{
	return io_register(bus, RTC_PORT_INDEX, 2, rtc_io, r, "rtc");
}

void rtc_io(void *opaque, uint16_t port, unsigned size, bool write,
	    uint32_t *val)
{
	io_split_bytes(opaque, io_byte, port, size, write, val);
}

bool rtc_nmi_masked(const struct rtc *r)
{
	return r->nmi_masked;
}

void rtc_set_cmos(struct rtc *r, uint8_t index, uint8_t value)
{
	index &= RTC_CMOS_SIZE - 1;
	if (index <= RTC_REG_D || index == RTC_CENTURY)
		return;
	r->cmos[index] = value;
}

static void put_le(struct rtc *r, uint8_t index, uint64_t v, unsigned bytes,
		   uint64_t max)
{
	if (v > max)
		v = max;
	for (unsigned i = 0; i < bytes; i++)
		r->cmos[index + i] = (uint8_t)(v >> (8 * i));
}

void rtc_set_memory_size(struct rtc *r, uint64_t below_4g, uint64_t above_4g)
{
	const uint64_t mib = 1ull << 20;
	uint64_t ext_kib = below_4g > mib ? (below_4g - mib) >> 10 : 0;
	uint64_t ext16 = below_4g > 16 * mib ? (below_4g - 16 * mib) >> 16 : 0;

	put_le(r, 0x15, 640, 2, 0xffff);
	put_le(r, 0x17, ext_kib, 2, 0xffff);
	put_le(r, 0x30, ext_kib, 2, 0xffff);
	put_le(r, 0x34, ext16, 2, 0xffff);
	put_le(r, 0x5b, above_4g >> 16, 3, 0xffffff);
}
