/* SPDX-License-Identifier: MIT */
/*
 * The PC's CMOS real-time clock (an MC146818 behind index port 0x70 and
 * data port 0x71) with its 128 bytes of CMOS RAM. Bit 7 of a write to
 * 0x70 is the NMI mask (rtc_nmi_masked()).
 *
 * The clock is the base date the integrator gives at init plus the
 * platform clock's elapsed seconds; the guest may set a new base through
 * the time registers. Update-ended and alarm interrupts go out on ISA
 * IRQ 8 (asserted while status C's IRQF is set, released when the guest
 * reads status C).
 */
#ifndef SHALE_VMM_VDEV_RTC_H
#define SHALE_VMM_VDEV_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/io.h"
#include "vmm/vdev/vdev.h"

#define RTC_PORT_INDEX 0x70
#define RTC_PORT_DATA 0x71
#define RTC_IRQ 8
#define RTC_CMOS_SIZE 128

/* MC146818 register indexes ("Address Map"); 0x32 is the IBM century
 * byte the ACPI FADT's CENTURY field points at. */
#define RTC_SECONDS 0x00
#define RTC_SECONDS_ALARM 0x01
#define RTC_MINUTES 0x02
#define RTC_MINUTES_ALARM 0x03
#define RTC_HOURS 0x04
#define RTC_HOURS_ALARM 0x05
#define RTC_DAY_OF_WEEK 0x06
#define RTC_DAY_OF_MONTH 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_REG_C 0x0c
#define RTC_REG_D 0x0d
#define RTC_CENTURY 0x32

/* A calendar date and time of day, UTC or local as the integrator
 * chooses: year 1970..9999, month 1..12, day 1..31. */
struct rtc_time {
	uint16_t year;
	uint8_t month, day, hour, minute, second;
};

struct rtc {
	const struct vdev_platform *plat;
	uint8_t cmos[RTC_CMOS_SIZE]; /* RAM, status A/B/C, frozen time */
	uint8_t index;               /* port 0x70 bits 6:0 */
	bool nmi_masked;             /* port 0x70 bit 7 */
	bool irq_level;              /* IRQ 8 as last driven */
	uint64_t base_secs;          /* seconds since 1970 at base_tsc */
	uint64_t base_tsc;
	uint64_t flags_secs;         /* clock value UF/AF are current to */
	struct vdev_timer timer;     /* next update-ended or alarm */
};

/* Power-on state: status A 0x26, B 0x02 (24-hour, BCD), C 0, D 0x80,
 * CMOS RAM zero, NMI unmasked, the clock at *now (1970-01-01 when NULL).
 * plat must outlive the device. */
void rtc_init(struct rtc *r, const struct vdev_platform *plat,
	      const struct rtc_time *now);

/* Claims ports 0x70-0x71. Returns 0, or -1 when they are taken. */
int rtc_attach(struct rtc *r, struct io_bus *bus);

/* The port handler; opaque is the struct rtc. Wider accesses are split
 * into byte accesses on consecutive ports. */
void rtc_io(void *opaque, uint16_t port, unsigned size, bool write,
	    uint32_t *val);

/* Bit 7 of the last write to port 0x70: NMIs masked. */
bool rtc_nmi_masked(const struct rtc *r);

/* Store a byte of CMOS RAM for the guest's firmware. The clock and status
 * registers (0x00-0x0D and the century byte 0x32) are not RAM and are
 * left alone; index is taken modulo 128. */
void rtc_set_cmos(struct rtc *r, uint8_t index, uint8_t value);

/* Fill the memory-size bytes of the Bochs/SeaBIOS CMOS convention:
 * 0x15/0x16 base memory (640 KiB), 0x17/0x18 and 0x30/0x31 KiB above
 * 1 MiB, 0x34/0x35 64 KiB units above 16 MiB, 0x5B-0x5D 64 KiB units
 * above 4 GiB; each saturates at its width. below_4g is the RAM from
 * address 0 up to the PCI hole, above_4g the RAM from 4 GiB up. */
void rtc_set_memory_size(struct rtc *r, uint64_t below_4g, uint64_t above_4g);

/* Seconds since 1970-01-01 00:00:00 of *t. Out-of-range fields are
 * clamped first (year to 1970..9999, month to 1..12, day to the month's
 * length, hour/minute/second to 23/59/59). Pure. */
uint64_t rtc_time_to_unix(const struct rtc_time *t);

/* The inverse; seconds past 9999-12-31 23:59:59 give that moment. Pure. */
void rtc_unix_to_time(uint64_t secs, struct rtc_time *t);

#endif
