/* SPDX-License-Identifier: MIT */
/* Every host CPU in VMX root operation (arch/x86/smp.c). */
#ifndef SHALE_ARCH_X86_SMP_H
#define SHALE_ARCH_X86_SMP_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/percpu.h"
#include "vmm/boot_info.h"
#include "vmm/page_alloc.h"

/* On CPU 0, after its own VMXON: find the other CPUs in the MADT, take
 * those [hypervisor] cpus names, start each and wait for it to reach VMX
 * root operation and idle. Logs one line per CPU. */
void smp_init(const struct boot_info *bi, struct page_allocator *pa);

/* "idle", "running guests", "left out", ... for the shell. */
const char *smp_state_name(const struct percpu *p);

/* Send an idle CPU the wake-up IPI. False if it is not idle. */
bool smp_wake(unsigned cpu);
/* Wake an idle CPU and wait (boundedly) until its IPI handler has run:
 * whether it is alive. */
bool smp_ping(unsigned cpu);

/* A panic, in two halves: smp_panic_begin() stops the other CPUs (an NMI
 * each; they note where they were and halt) and gives this CPU the
 * console; smp_panic_report() names this CPU and where the others
 * stopped. A second CPU that panics meanwhile just stops. */
void smp_panic_begin(void);
void smp_panic_report(void);

/* For the NMI paths (arch/x86/idt.c, the NMI exit): another CPU reports a
 * panic and wants this one stopped. smp_stop_self() never returns. */
#ifdef SHALE_FUZZ
static inline bool smp_stop_requested(void)
{
	return false;
}
static inline void smp_stop_self(uint64_t rip, bool in_guest)
{
	(void)rip;
	(void)in_guest;
}
#else
bool smp_stop_requested(void);
__attribute__((noreturn)) void smp_stop_self(uint64_t rip, bool in_guest);
#endif

#endif
