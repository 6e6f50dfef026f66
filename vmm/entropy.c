/* SPDX-License-Identifier: MIT */
#include "arch/x86/include/cpu.h"
#include "vmm/entropy.h"

/* Intel's guidance for RDRAND is ten tries before reporting failure; RDSEED
 * runs dry far more often under load, so it gets more, with PAUSE between. */
#define RDRAND_TRIES 10
#define RDSEED_TRIES 100

static enum entropy_source probed;
static bool done;

enum entropy_source entropy_source(void)
{
	struct cpuid_regs r;

	if (done)
		return probed;
	done = true;
	cpuid_count(1, 0, &r);
	if (r.ecx & (1u << 30)) {
		probed = ENTROPY_RDRAND;
		return probed;
	}
	cpuid_count(0, 0, &r);
	if (r.eax >= 7) {
		cpuid_count(7, 0, &r);
		if (r.ebx & (1u << 18))
			probed = ENTROPY_RDSEED;
	}
	return probed;
}

const char *entropy_source_name(enum entropy_source s)
{
	return s == ENTROPY_RDRAND ? "RDRAND" : s == ENTROPY_RDSEED ? "RDSEED" :
	       "no entropy source";
}

static bool rdrand64(uint64_t *v)
{
	bool ok;

	asm volatile("rdrand %0" : "=r"(*v), "=@ccc"(ok));
	return ok;
}

static bool rdseed64(uint64_t *v)
{
	bool ok;

	asm volatile("rdseed %0" : "=r"(*v), "=@ccc"(ok));
	return ok;
}

bool entropy_get64(void *ctx, uint64_t *out)
{
	enum entropy_source s = entropy_source();

	(void)ctx;
	if (s == ENTROPY_RDRAND) {
		for (int i = 0; i < RDRAND_TRIES; i++)
			if (rdrand64(out))
				return true;
	} else if (s == ENTROPY_RDSEED) {
		for (int i = 0; i < RDSEED_TRIES; i++) {
			if (rdseed64(out))
				return true;
			asm volatile("pause");
		}
	}
	return false;
}
