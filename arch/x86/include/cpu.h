/* SPDX-License-Identifier: MIT */
/*
 * Thin wrappers around the x86 instructions Shale uses outside VMX:
 * CPUID, MSRs, control registers, port I/O, the TSC.
 */
#ifndef SHALE_ARCH_X86_CPU_H
#define SHALE_ARCH_X86_CPU_H

#include <stdbool.h>
#include <stdint.h>

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

#ifdef SHALE_FUZZ
/* Host fuzzing of the exit handlers (tests/fuzz/fuzz_exits.c): these
 * instructions fault or mean nothing in a user process, so the fuzzer
 * provides them as functions that record what Shale would have loaded
 * into the real register, and check it (tests/fuzz/fake_vmcs.c). */
#include "tests/fuzz/fake_vmcs.h"
#else
static inline void cpuid_count(uint32_t leaf, uint32_t subleaf,
			       struct cpuid_regs *r)
{
	asm volatile("cpuid"
		     : "=a"(r->eax), "=b"(r->ebx), "=c"(r->ecx), "=d"(r->edx)
		     : "a"(leaf), "c"(subleaf));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v),
		     "d"((uint32_t)(v >> 32))
		     : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* The low half of the TSC, for short intervals: cheaper on hot paths. */
static inline uint32_t rdtsc32(void)
{
	uint32_t lo;

	asm volatile("rdtsc" : "=a"(lo)::"edx");
	return lo;
}

#define DEFINE_CR_ACCESSORS(n)                                                 \
	static inline uint64_t read_cr##n(void)                                \
	{                                                                      \
		uint64_t v;                                                    \
		asm volatile("mov %%cr" #n ", %0" : "=r"(v));                  \
		return v;                                                      \
	}                                                                      \
	static inline void write_cr##n(uint64_t v)                             \
	{                                                                      \
		asm volatile("mov %0, %%cr" #n ::"r"(v) : "memory");           \
	}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS
#endif /* SHALE_FUZZ */

/* Machine-check exception (CPUID.01H:EDX.MCE[7]): CR4.MCE may be set. */
static inline bool cpu_has_mce(void)
{
	struct cpuid_regs r;

	cpuid_count(1, 0, &r);
	return r.edx & (1u << 7);
}

/* The widths of linear and physical addresses on this CPU
 * (CPUID.80000008H:EAX[15:8] and [7:0], SDM Vol. 2A, CPUID), which the
 * guest sees unchanged: MAXPHYADDR bounds CR3 and physical-address MSRs,
 * the linear width says what is canonical. */
static inline unsigned cpu_linear_bits(void)
{
	struct cpuid_regs r;

	cpuid_count(0x80000008u, 0, &r);
	return (r.eax >> 8) & 0xff;
}

static inline unsigned cpu_phys_bits(void)
{
	struct cpuid_regs r;

	cpuid_count(0x80000008u, 0, &r);
	return r.eax & 0xff;
}

#define DR6_FIXED 0xffff0ff0ull /* DR6 bits that read as 1 (SDM Vol. 3B, 17.2.3) */

#ifndef SHALE_FUZZ
/* Debug registers DR0-DR3 and DR6 by number (MOV DR names them in the
 * instruction, so a number needs a switch). Others read as 0. */
static inline uint64_t read_dr(unsigned i)
{
	uint64_t val = 0;

	switch (i) {
	case 0: asm volatile("mov %%db0, %0" : "=r"(val)); break;
	case 1: asm volatile("mov %%db1, %0" : "=r"(val)); break;
	case 2: asm volatile("mov %%db2, %0" : "=r"(val)); break;
	case 3: asm volatile("mov %%db3, %0" : "=r"(val)); break;
	case 6: asm volatile("mov %%db6, %0" : "=r"(val)); break;
	}
	return val;
}

static inline void write_dr(unsigned i, uint64_t val)
{
	switch (i) {
	case 0: asm volatile("mov %0, %%db0" ::"r"(val)); break;
	case 1: asm volatile("mov %0, %%db1" ::"r"(val)); break;
	case 2: asm volatile("mov %0, %%db2" ::"r"(val)); break;
	case 3: asm volatile("mov %0, %%db3" ::"r"(val)); break;
	case 6: asm volatile("mov %0, %%db6" ::"r"(val)); break;
	}
}

static inline uint64_t read_rflags(void)
{
	uint64_t v;

	asm volatile("pushfq; pop %0" : "=r"(v));
	return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}

static inline void cli(void)
{
	asm volatile("cli" ::: "memory");
}

/* Stop this CPU for good: interrupts off, then HLT in a loop (an NMI or SMI
 * may still wake it, and it goes straight back to sleep). */
static inline __attribute__((noreturn)) void cpu_halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt" ::: "memory");
}

static inline void xsetbv(uint32_t xcr, uint64_t v)
{
	asm volatile("xsetbv" ::"c"(xcr), "a"((uint32_t)v),
		     "d"((uint32_t)(v >> 32)));
}

static inline uint64_t xgetbv(uint32_t xcr)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(xcr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wbinvd(void)
{
	asm volatile("wbinvd" ::: "memory");
}
#endif /* !SHALE_FUZZ */

/* CPUID feature bits used by Shale (Intel SDM Vol. 2A, CPUID, Table 3-8/3-10). */
#define CPUID_1_ECX_VMX (1u << 5)
#define CPUID_1_ECX_SMX (1u << 6)
#define CPUID_1_ECX_XSAVE (1u << 26)
#define CPUID_1_ECX_OSXSAVE (1u << 27)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_80000001_EDX_PDPE1GB (1u << 26)

/* Control register bits (Intel SDM Vol. 3A, 2.5). */
#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_AM (1ull << 18)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)

#define CR4_DE (1ull << 3) /* DR4/DR5 reserved, not aliases of DR6/DR7 */
#define CR4_PAE (1ull << 5)
#define CR4_MCE (1ull << 6) /* #MC enabled; without it a machine check shuts the CPU down */
#define CR4_PGE (1ull << 7)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_VMXE (1ull << 13)
#define CR4_PCIDE (1ull << 17)
#define CR4_SMXE (1ull << 14)
#define CR4_OSXSAVE (1ull << 18)
#define CR4_PKE (1ull << 22)

#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

#define RFLAGS_CF (1ull << 0)
#define RFLAGS_FIXED (1ull << 1)
#define RFLAGS_ZF (1ull << 6)
#define RFLAGS_TF (1ull << 8)
#define RFLAGS_IF (1ull << 9)
#define RFLAGS_DF (1ull << 10)
#define RFLAGS_VM (1ull << 17)

/* Exception vectors (Intel SDM Vol. 3A, 6.3.1). */
#define X86_EXC_DE 0
#define X86_EXC_DB 1
#define X86_EXC_NMI 2
#define X86_EXC_BP 3
#define X86_EXC_UD 6
#define X86_EXC_DF 8
#define X86_EXC_GP 13
#define X86_EXC_PF 14
#define X86_EXC_MC 18

#endif
