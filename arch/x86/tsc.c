/* SPDX-License-Identifier: MIT */
/*
 * The TSC's rate at boot: the CPUID leaves and a PIT measurement are read
 * here, and tsc_source.c chooses between them.
 */
#include "arch/x86/include/cpu.h"
#include "arch/x86/tsc.h"
#include "arch/x86/tsc_source.h"
#include "lib/log.h"

#define SRC "tsc"
#define PIT_HZ 1193182
#define PIT_10MS 11932 /* PIT ticks */

static void read_cpuid(struct tsc_cpuid *c)
{
	struct cpuid_regs r;

	cpuid_count(0, 0, &r);
	c->max_leaf = r.eax;
	/* "GenuineIntel" in EBX, EDX, ECX. */
	c->intel = r.ebx == 0x756e6547 && r.edx == 0x49656e69 && r.ecx == 0x6c65746e;
	cpuid_count(1, 0, &r);
	c->signature = r.eax;
	c->l15_eax = c->l15_ebx = c->l15_ecx = c->l16_eax = 0;
	if (c->max_leaf >= 0x15) {
		cpuid_count(0x15, 0, &r);
		c->l15_eax = r.eax;
		c->l15_ebx = r.ebx;
		c->l15_ecx = r.ecx;
	}
	if (c->max_leaf >= 0x16) {
		cpuid_count(0x16, 0, &r);
		c->l16_eax = r.eax;
	}
}

/*
 * Time the TSC against the PIT's channel 2 for 10 ms (1193182 Hz input
 * clock), the way firmware and kernels calibrate. Where the PIT is gated
 * off or missing its output never rises: give up after limit TSC ticks
 * (when CPUID gave a rate: 100 ms at that rate) or 10^8 polls. Returns 0
 * then.
 */
static uint64_t measure_pit(uint64_t limit)
{
	const uint32_t ticks = PIT_10MS;
	uint64_t t0, t1;
	uint8_t port61 = inb(0x61);

	outb(0x61, (port61 & ~0x02) | 0x01); /* gate on, speaker off */
	outb(0x43, 0xb0);                     /* channel 2, lo/hi, mode 0 */
	outb(0x42, ticks & 0xff);
	outb(0x42, ticks >> 8);
	t0 = rdtsc();
	for (uint64_t spins = 0; !(inb(0x61) & 0x20); spins++)
		if (spins > 100000000 || (limit && rdtsc() - t0 > limit)) {
			outb(0x61, port61);
			return 0;
		}
	t1 = rdtsc();
	outb(0x61, port61);
	return (t1 - t0) * 100; /* 11932 PIT ticks: 1/100 s */
}

/* tsc_pit_start()'s TSC, 0 when it did not run. */
static uint64_t early_t0;
static uint8_t early_port61;

void tsc_pit_start(void)
{
	early_port61 = inb(0x61);
	outb(0x61, (early_port61 & ~0x02) | 0x01); /* gate on, speaker off */
	outb(0x43, 0xb0);                       /* channel 2, lo/hi, mode 0 */
	outb(0x42, 0xff);
	outb(0x42, 0xff);
	early_t0 = rdtsc();
}

/*
 * The measurement tsc_pit_start() began, once at least 10 ms of it have
 * passed: PIT ticks counted down against TSC ticks, the count read with
 * the counter-latch command. Returns 0 where it cannot be trusted, and the
 * caller measures anew: the gate was turned off, the channel is no longer
 * in mode 0 with a 16-bit binary count (8254 read-back status), or the
 * count ran out (OUT high: more than 55 ms went by, which a slow
 * ExitBootServices can take).
 */
static uint64_t measure_pit_early(void)
{
	uint64_t t1, hz = 0;
	uint32_t count, elapsed;

	if (!early_t0)
		return 0;
	if (!(inb(0x61) & 0x01))
		goto out;
	outb(0x43, 0xe8); /* read-back: status of channel 2, no count */
	if ((inb(0x42) & 0x3f) != 0x30)
		goto out;
	for (;;) {
		if (inb(0x61) & 0x20)
			goto out;
		outb(0x43, 0x80); /* latch channel 2's count */
		t1 = rdtsc();
		count = inb(0x42);
		count |= (uint32_t)inb(0x42) << 8;
		elapsed = 0xffff - count;
		if (elapsed >= PIT_10MS)
			break;
		cpu_relax();
	}
	/* Not run out and wrapped between the two reads. */
	if (!(inb(0x61) & 0x20))
		hz = (t1 - early_t0) * PIT_HZ / elapsed;
out:
	outb(0x61, early_port61);
	return hz;
}

uint64_t tsc_calibrate(void)
{
	struct tsc_cpuid c;
	struct tsc_rate probe, r;
	uint64_t pit_hz;
	char line[160];

	read_cpuid(&c);
	tsc_cpuid_rate(&c, &probe);
	pit_hz = measure_pit_early();
	if (!pit_hz)
		pit_hz = measure_pit(probe.cpuid_hz / 10);
	tsc_choose(&c, pit_hz, &r);
	tsc_describe(&r, line, sizeof(line));
	if (r.source == TSC_SRC_NONE)
		log_warn(SRC, "%s", line);
	else
		log_info(SRC, "%s", line);
	return r.hz;
}
