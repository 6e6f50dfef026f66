/* SPDX-License-Identifier: MIT */
/*
 * MC146818-compatible RTC at ports 0x70/0x71: wait until no update is in
 * progress (status A bit 7), read, and read again until two reads agree;
 * convert from BCD unless status B bit 2 says binary, and from 12-hour
 * format unless bit 1 says 24-hour.
 */
#include <stdbool.h>

#include "arch/x86/include/cpu.h"
#include "drivers/cmos.h"

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg); /* keeps NMIs enabled (bit 7 clear) */
	return inb(0x71);
}

static uint8_t bcd(uint8_t v)
{
	return (v >> 4) * 10 + (v & 0xf);
}

static void read_once(uint8_t r[7])
{
	static const uint8_t regs[7] = { 0x00, 0x02, 0x04, 0x07, 0x08, 0x09, 0x32 };

	for (int i = 0; i < 7; i++)
		r[i] = cmos(regs[i]);
}

int host_rtc_read(struct host_time *t)
{
	uint8_t a[7], b[7], status_b;
	bool same = false;

	for (int tries = 0; tries < 1000 && !same; tries++) {
		for (int spin = 0; spin < 100000 && (cmos(0x0a) & 0x80); spin++)
			cpu_relax();
		read_once(a);
		read_once(b);
		same = true;
		for (int i = 0; i < 7; i++)
			same &= a[i] == b[i];
	}
	if (!same)
		return -1;
	status_b = cmos(0x0b);
	bool pm = a[2] & 0x80;

	a[2] &= 0x7f;
	if (!(status_b & 0x04))
		for (int i = 0; i < 7; i++)
			a[i] = bcd(a[i]);
	if (!(status_b & 0x02) && pm)
		a[2] = (a[2] % 12) + 12;
	t->second = a[0];
	t->minute = a[1];
	t->hour = a[2];
	t->day = a[3];
	t->month = a[4];
	/* A century register of 0 or nonsense means "20xx". */
	t->year = (a[6] >= 19 && a[6] <= 21 ? a[6] : 20) * 100 + a[5];
	return 0;
}
