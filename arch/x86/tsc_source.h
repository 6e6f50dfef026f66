/* SPDX-License-Identifier: MIT */
/*
 * Which clock tells Shale the TSC's rate, and what that rate is.
 *
 * Intel SDM Vol. 2A, CPUID leaf 15H: TSC = crystal x EBX / EAX, the
 * crystal in ECX (Hz) where the CPU reports it, else from the SDM's table
 * of nominal crystals (Vol. 3B, 20.7.3 "Determining the Processor Base
 * Frequency"). Leaf 16H: the base frequency in MHz, which on CPUs with an
 * invariant TSC is the TSC's rate. The PIT is the fallback, and the check:
 * an emulator can report a real CPU's leaves while its TSC counts at
 * another rate (Bochs: CPUID says 1497.6 MHz, its TSC counts at `ips`).
 *
 * Pure: the CPUID values and the PIT's measurement come in as numbers, so
 * the unit tests feed it the leaves of real CPUs.
 */
#ifndef SHALE_ARCH_X86_TSC_SOURCE_H
#define SHALE_ARCH_X86_TSC_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The leaves the choice reads; a leaf above max_leaf reads as zero. */
struct tsc_cpuid {
	uint32_t max_leaf;  /* CPUID.0:EAX */
	bool intel;         /* CPUID.0 vendor "GenuineIntel" */
	uint32_t signature; /* CPUID.1:EAX (family, model, stepping) */
	uint32_t l15_eax;   /* denominator of the TSC/crystal ratio */
	uint32_t l15_ebx;   /* numerator; 0: the ratio is not enumerated */
	uint32_t l15_ecx;   /* crystal Hz; 0: not enumerated */
	uint32_t l16_eax;   /* base frequency, MHz; 0: not enumerated */
};

enum tsc_source {
	TSC_SRC_NONE,        /* nothing answered: a guess */
	TSC_SRC_CPUID_15,    /* crystal from CPUID.15H:ECX */
	TSC_SRC_CPUID_15_SDM, /* crystal from the SDM's table for this model */
	TSC_SRC_CPUID_16,    /* base frequency from CPUID.16H:EAX */
	TSC_SRC_PIT,         /* measured against the PIT */
};

/* The rate Shale assumes when nothing answers (as before: 1 GHz). */
#define TSC_GUESS_HZ 1000000000ull

/* A PIT measurement below this is no PIT: a port 0x61 that reads 0xff
 * (nothing there) ends the wait at once and gives a tiny count. */
#define TSC_PIT_MIN_HZ 1000000ull

/* CPUID and the PIT may differ by this much (percent) before Shale calls
 * the CPUID rate wrong for this TSC. A real PIT over 10 ms is good to far
 * better than this, even with an SMI in the window. A crystal the CPU
 * reports (15H:ECX) is the hardware's word: only an emulator is that far
 * off. A crystal from the SDM's table, or 16H's nominal base frequency, is
 * a model's nominal value: signature 06_55H is both the Xeon Scalable
 * (25 MHz) and the Xeon W (24 MHz), 4 % apart, so those must agree with
 * the PIT more closely. */
#define TSC_AGREE_PERCENT 10
#define TSC_AGREE_PERCENT_NOMINAL 2

struct tsc_rate {
	uint64_t hz;
	enum tsc_source source;
	uint32_t crystal_hz, num, den; /* for TSC_SRC_CPUID_15* */
	uint64_t cpuid_hz;  /* what CPUID said, 0 if nothing */
	uint64_t pit_hz;    /* what the PIT measured, 0 if no PIT */
	bool cpuid_overruled; /* CPUID said cpuid_hz, the PIT disagreed */
};

/* The nominal crystal of this Intel signature from the SDM's table, or 0. */
uint32_t tsc_sdm_crystal_hz(uint32_t signature);

/* The rate CPUID alone gives (r->source, crystal, ratio filled), or 0. */
uint64_t tsc_cpuid_rate(const struct tsc_cpuid *c, struct tsc_rate *r);

/* The choice: CPUID where it answers and the PIT (pit_hz, 0 when it did not
 * answer) does not contradict it; else the PIT; else the guess. */
void tsc_choose(const struct tsc_cpuid *c, uint64_t pit_hz,
		struct tsc_rate *r);

/* The boot log's line, without the "[tsc] " prefix:
 * "2995.2 MHz from CPUID 0x15 (crystal 24 MHz x 250/2)". */
void tsc_describe(const struct tsc_rate *r, char *buf, size_t size);

#endif
