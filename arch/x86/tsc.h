/* SPDX-License-Identifier: MIT */
/* The TSC's rate on this machine, from CPUID or the PIT (tsc_source.h). */
#ifndef SHALE_ARCH_X86_TSC_H
#define SHALE_ARCH_X86_TSC_H

#include <stdint.h>

/*
 * Start the PIT's channel 2 counting down from 65535 (55 ms) now, for
 * tsc_calibrate() to read later: boot/handoff.c calls it before
 * ExitBootServices, so that the firmware's own 10 ms or more there count
 * towards the measurement instead of coming before it.
 */
void tsc_pit_start(void);

/* Read CPUID 0/1/15H/16H, time the TSC against the PIT, choose, and log
 * one line saying which source gave which rate. Returns the rate in Hz. */
uint64_t tsc_calibrate(void);

#endif
