/* SPDX-License-Identifier: MIT */
/* Hypervisor-wide state and the guest lifecycle (vmm/main.c, vm.c, sched.c). */
#ifndef SHALE_VMM_VMM_H
#define SHALE_VMM_VMM_H

#include "vmm/boot_info.h"
#include "vmm/page_alloc.h"
#include "vmm/vm.h"

extern struct page_allocator vmm_pages;

/* Every guest of the config, in config order (vmm/main.c). */
extern struct vm *vmm_vm; /* CONFIG_MAX_GUESTS of them */
extern unsigned vmm_n_vm;

int vm_create(struct vm *vm, const struct guest_config *g, unsigned id,
	      const struct boot_module *kernel, const struct boot_module *initrd);
void vm_destroy(struct vm *vm);
/* A file the boot stage read from the config partition, or NULL. */
const struct boot_module *vmm_find_module(const char *name);

/* A guest has stopped: report it and apply its on_* policy (vmm/main.c). */
void vmm_guest_stopped(struct vm *vm);
/* Create and start guest i of the config again (the shell's start). */
int vmm_start_guest(unsigned i);

/* The scheduler (vmm/sched.c). */
void sched_init(const struct shale_config *cfg, uint64_t tsc_hz);
/* Give a new vCPU its home CPU (its VMCS is current on this CPU, from
 * vmcs_create); false when none of its CPUs takes guests. sched_start()
 * then wakes that CPU, once the guest is marked running. */
bool sched_add(struct vcpu *v);
void sched_start(struct vcpu *v);
/* Stop v from running anywhere and hold its VMCS on this CPU, waiting for
 * its home to let it go: before its guest is destroyed or preserved. */
void sched_take(struct vcpu *v);
/* Make CPU `cpu` leave its guest and look at its vCPUs again. */
void sched_kick(unsigned cpu);
/* In an exit handler: did another CPU kick this one? (Clears it.) */
bool sched_should_yield(void);
/* Run every guest until none is left running (CPU 0). */
void sched_loop(uint64_t tsc_hz);
/* One pass of an AP's scheduler; false when it has nothing to do and may
 * sleep until kicked (arch/x86/smp.c). */
bool sched_ap_pass(void);
uint64_t sched_switches(void);
/* The vCPU whose VMCS and hand-switched registers are loaded, or NULL. */
struct vcpu *sched_current(void);
void sched_report(void);

/* VM exits of all the guest's vCPUs. */
uint64_t vm_exit_count(const struct vm *vm);
/* Print the guest's exit statistics (count and TSC cycles per reason). */
void vm_report_stats(struct vm *vm);

#endif
