/* SPDX-License-Identifier: MIT */
/* The TSC rate from CPUID 15H/16H or the PIT: see tsc_source.h. */
#include "arch/x86/tsc_source.h"
#include "lib/printf.h"
#include "lib/string.h"

/* CPUID.1:EAX to the family/model the SDM's tables use (display family
 * and model: extended model counts for families 6 and 15). */
static uint32_t display_family(uint32_t sig)
{
	uint32_t f = (sig >> 8) & 0xf;

	return f == 0xf ? f + ((sig >> 20) & 0xff) : f;
}

static uint32_t display_model(uint32_t sig)
{
	uint32_t f = (sig >> 8) & 0xf, m = (sig >> 4) & 0xf;

	return (f == 6 || f == 0xf) ? m | (((sig >> 16) & 0xf) << 4) : m;
}

/*
 * SDM Vol. 3B, Table "Nominal Core Crystal Clock Frequency": where
 * CPUID.15H:ECX is 0,
 *   6th and 7th generation Intel Core processors (and Xeon W):  24 MHz
 *     (Skylake 06_4EH, 06_5EH; Kaby Lake and Coffee Lake 06_8EH, 06_9EH)
 *   Xeon Scalable processors with signature 06_55H:              25 MHz
 *   Atom processors based on Goldmont, signature 06_5CH:        19.2 MHz
 * Later processors report the crystal in ECX themselves.
 */
uint32_t tsc_sdm_crystal_hz(uint32_t signature)
{
	if (display_family(signature) != 6)
		return 0;
	switch (display_model(signature)) {
	case 0x4e:
	case 0x5e:
	case 0x8e:
	case 0x9e:
		return 24000000;
	case 0x55:
		return 25000000;
	case 0x5c:
		return 19200000;
	}
	return 0;
}

uint64_t tsc_cpuid_rate(const struct tsc_cpuid *c, struct tsc_rate *r)
{
	uint32_t crystal = 0;

	r->cpuid_hz = 0;
	if (c->max_leaf >= 0x15 && c->l15_eax && c->l15_ebx) {
		if (c->l15_ecx) {
			crystal = c->l15_ecx;
			r->source = TSC_SRC_CPUID_15;
		} else if (c->intel && (crystal = tsc_sdm_crystal_hz(c->signature))) {
			r->source = TSC_SRC_CPUID_15_SDM;
		}
		if (crystal) {
			r->crystal_hz = crystal;
			r->num = c->l15_ebx;
			r->den = c->l15_eax;
			r->cpuid_hz = (uint64_t)crystal * c->l15_ebx / c->l15_eax;
			return r->cpuid_hz;
		}
	}
	if (c->max_leaf >= 0x16 && c->l16_eax) {
		r->source = TSC_SRC_CPUID_16;
		r->cpuid_hz = (uint64_t)(c->l16_eax & 0xffff) * 1000000;
		return r->cpuid_hz;
	}
	r->source = TSC_SRC_NONE;
	return 0;
}

static bool agree(uint64_t a, uint64_t b, unsigned percent)
{
	uint64_t diff = a > b ? a - b : b - a;

	return diff * 100 <= b * percent;
}

void tsc_choose(const struct tsc_cpuid *c, uint64_t pit_hz, struct tsc_rate *r)
{
	memset(r, 0, sizeof(*r));
	r->pit_hz = pit_hz >= TSC_PIT_MIN_HZ ? pit_hz : 0;
	r->hz = tsc_cpuid_rate(c, r);
	if (r->hz && (!r->pit_hz ||
		      agree(r->hz, r->pit_hz, r->source == TSC_SRC_CPUID_15 ?
				  TSC_AGREE_PERCENT : TSC_AGREE_PERCENT_NOMINAL)))
		return;
	if (r->pit_hz) {
		r->cpuid_overruled = r->hz != 0;
		r->hz = r->pit_hz;
		r->source = TSC_SRC_PIT;
		return;
	}
	r->hz = TSC_GUESS_HZ;
	r->source = TSC_SRC_NONE;
}

/* "2995.2" for 2995200000 Hz: MHz with one decimal, rounded down. */
static const char *mhz(char *buf, size_t size, uint64_t hz)
{
	uint64_t tenths = hz / 100000;

	ksnprintf(buf, size, "%lu.%lu", (unsigned long)(tenths / 10),
		 (unsigned long)(tenths % 10));
	return buf;
}

/* The crystal as the SDM writes it: "24 MHz", "38.4 MHz", "19.2 MHz". */
static const char *crystal_mhz(char *buf, size_t size, uint32_t hz)
{
	if (hz % 1000000 == 0)
		ksnprintf(buf, size, "%u MHz", hz / 1000000);
	else if (hz % 100000 == 0)
		ksnprintf(buf, size, "%u.%u MHz", hz / 1000000, hz / 100000 % 10);
	else
		ksnprintf(buf, size, "%u Hz", hz);
	return buf;
}

void tsc_describe(const struct tsc_rate *r, char *buf, size_t size)
{
	char a[24], b[24];

	switch (r->source) {
	case TSC_SRC_CPUID_15:
	case TSC_SRC_CPUID_15_SDM:
		ksnprintf(buf, size, "%s MHz from CPUID 0x15 (crystal %s x %u/%u%s)",
			 mhz(a, sizeof(a), r->hz),
			 crystal_mhz(b, sizeof(b), r->crystal_hz), r->num, r->den,
			 r->source == TSC_SRC_CPUID_15_SDM ?
				 "; the crystal from the SDM's table for this model" : "");
		break;
	case TSC_SRC_CPUID_16:
		ksnprintf(buf, size, "%s MHz from CPUID 0x16 (base frequency)",
			 mhz(a, sizeof(a), r->hz));
		break;
	case TSC_SRC_PIT:
		if (r->cpuid_overruled)
			ksnprintf(buf, size, "%s MHz from the PIT (CPUID says %s MHz, "
				 "which is not this TSC's rate: an emulator?)",
				 mhz(a, sizeof(a), r->hz),
				 mhz(b, sizeof(b), r->cpuid_hz));
		else
			ksnprintf(buf, size, "%s MHz from the PIT (CPUID does not say)",
				 mhz(a, sizeof(a), r->hz));
		break;
	case TSC_SRC_NONE:
		ksnprintf(buf, size, "%s MHz guessed: neither CPUID 0x15/0x16 nor the PIT answered",
			 mhz(a, sizeof(a), r->hz));
		break;
	}
}
