/* SPDX-License-Identifier: MIT */
/*
 * The root-mode instructions of arch/x86/include/cpu.h and the VMCS
 * accesses of arch/x86/vmx_ops.h, as functions, for tests/fuzz/fuzz_exits.c
 * (those headers include this one under SHALE_FUZZ). What a real CPU would
 * fault on in root mode is CHECKed where Shale hands it over; what Shale
 * loads into a register is recorded in fake_cpu for the harness to look at.
 */
#ifndef SHALE_TESTS_FUZZ_FAKE_VMCS_H
#define SHALE_TESTS_FUZZ_FAKE_VMCS_H

#include <stdbool.h>
#include <stdint.h>

struct cpuid_regs;

void cpuid_count(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r);
uint64_t rdmsr(uint32_t msr);
void wrmsr(uint32_t msr, uint64_t v);
uint64_t rdtsc(void);
uint32_t rdtsc32(void);
uint64_t read_cr0(void);
uint64_t read_cr2(void);
uint64_t read_cr3(void);
uint64_t read_cr4(void);
void write_cr0(uint64_t v);
void write_cr2(uint64_t v);
void write_cr3(uint64_t v);
void write_cr4(uint64_t v);
uint64_t read_dr(unsigned i);
void write_dr(unsigned i, uint64_t val);
uint64_t read_rflags(void);
void outb(uint16_t port, uint8_t v);
uint8_t inb(uint16_t port);
void cpu_relax(void);
void cli(void);
__attribute__((noreturn)) void cpu_halt_forever(void);
void xsetbv(uint32_t xcr, uint64_t v);
uint64_t xgetbv(uint32_t xcr);
void wbinvd(void);

/* The VMCS: one table, reset by fake_vmcs_reset(). */
uint64_t vmread(uint64_t field);
void vmwrite(uint64_t field, uint64_t value);
void fake_vmcs_reset(void);
/* A write as the CPU makes it at a VM exit: read-only fields included. */
void fake_vmcs_set(uint64_t field, uint64_t value);

/* The host's registers as Shale left them. */
struct fake_cpu {
	uint64_t tsc;
	uint64_t xcr0;            /* what XSETBV loaded */
	uint64_t xcr0_supported;  /* CPUID.(0DH,0):EDX:EAX */
	unsigned xsetbv_calls;
	uint64_t dr[8];
	uint64_t cr2;
	unsigned wrmsr_calls;
	uint32_t last_wrmsr;
	uint64_t last_wrmsr_val;
	unsigned phys_bits, linear_bits;
	bool misc_fast_strings;   /* IA32_MISC_ENABLE bit 0 */
};
extern struct fake_cpu fake_cpu;

#endif
