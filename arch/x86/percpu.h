/* SPDX-License-Identifier: MIT */
/*
 * What each host CPU owns, in one structure per CPU, reached through the
 * GS base (IA32_GS_BASE holds the structure's own address; this_cpu()
 * reads it back from gs:0). The boot CPU's is static; each AP's comes from
 * the page allocator, given by CPU 0 before the AP is woken, so that APs
 * never allocate.
 *
 * Private to its CPU: the descriptor tables, the stacks, the VMXON region.
 * Shared, and written only as below (docs/architecture.md, "Several CPUs"):
 *   state, why      CPU 0 while it starts the AP; the AP itself once it
 *                   answers, up to IDLE or FAILED; then only the CPU itself
 *   stop_*          the CPU itself, when the panicking CPU asks it to stop
 *   wakeups         the CPU itself (counted in its IPI handler)
 * Nothing here needs a lock: each field has one writer at a time, and the
 * hand-over is a store of `state` with release ordering.
 */
#ifndef SHALE_ARCH_X86_PERCPU_H
#define SHALE_ARCH_X86_PERCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/host.h"
#include "arch/x86/madt.h"

struct vcpu;

#define SMP_MAX_CPUS MADT_MAX_CPUS /* 64, as the CPU masks of the config */

/* Fixed-vector IPIs (their handlers: arch/x86/isr.asm, smp.c). */
#define SMP_WAKE_VECTOR 0xf0     /* wakes an idle CPU; nothing else */
#define APIC_SPURIOUS_VECTOR 0xff

enum cpu_state {
	CPU_LEFT_OUT, /* not taken: by the config, or too many */
	CPU_STARTING, /* INIT-SIPI-SIPI sent, not answered yet */
	CPU_FAILED,   /* answered, but cannot run guests: `why` says */
	CPU_SILENT,   /* did not answer in time */
	CPU_IDLE,     /* in VMX root operation, halted until an IPI */
	CPU_RUNNING,  /* runs the scheduler (CPU 0) */
	CPU_STOPPED,  /* stopped for another CPU's panic */
};

struct percpu {
	struct percpu *self; /* at offset 0: this_cpu() reads gs:0 */
	unsigned index;      /* Shale's CPU number: 0 boots, then MADT order */
	uint32_t apic_id;
	volatile uint32_t state; /* enum cpu_state */
	const char *why;         /* for LEFT_OUT, FAILED: one phrase */
	struct host_gdt gdt;     /* GDT, TSS, and the tables' addresses */
	uint64_t stack_top;      /* for an AP: its stack, from the trampoline */
	uint64_t ist_top;        /* NMI, #DF and #MC run on this stack */
	uint64_t vmxon_region;
	volatile uint64_t wakeups;     /* IPIs taken by the idle loop */
	volatile uint64_t stop_rip;    /* where it was when it stopped */
	volatile bool stop_in_guest;   /* stop_rip is a guest's RIP */
	volatile bool selftest_fault;  /* take an exception when woken
					* (arch/x86/selftest.c) */

	/* The scheduler's (vmm/sched.c). Written only by this CPU, except
	 * resched, which another CPU sets before it kicks this one. */
	struct vcpu *current;           /* whose VMCS and registers are loaded */
	uint64_t vtime;                 /* pass of the vCPU picked last */
	uint64_t next_balance;          /* TSC of the next look at the load */
	volatile uint32_t nr_runnable;  /* read by the others to balance */
	volatile bool resched;          /* leave the guest, look again */
	bool xstate_ready;              /* CR0/CR4 set for XSAVE (arch/x86/xstate.c) */

	/* Host NMIs (arch/x86/host_nmi.c): counted by the NMI handler and
	 * the NMI exit, reported by the scheduler. */
	volatile uint64_t nmis_root, nmis_guest;
	volatile uint64_t nmi_rip;      /* where the last one in root mode hit */
	uint64_t nmis_reported;
};
_Static_assert(__builtin_offsetof(struct percpu, self) == 0,
	       "this_cpu() reads the self pointer at gs:0");

#ifdef SHALE_FUZZ
static inline struct percpu *this_cpu(void)
{
	return 0;
}
#else
static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	asm volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}
#endif

/* The CPUs Shale knows, by index; smp_n_cpus of them (arch/x86/smp.c). */
extern struct percpu *smp_cpus[SMP_MAX_CPUS];
extern unsigned smp_n_cpus;

#endif
