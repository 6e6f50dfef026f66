/* SPDX-License-Identifier: MIT */
/* The host's real-time clock, read once at start for the guests' clocks. */
#ifndef SHALE_DRIVERS_CMOS_H
#define SHALE_DRIVERS_CMOS_H

#include <stdint.h>

struct host_time {
	uint16_t year;
	uint8_t month, day, hour, minute, second;
};

/* Read the date and time; returns -1 if the clock never settles. */
int host_rtc_read(struct host_time *t);

#endif
