/* SPDX-License-Identifier: MIT */
/*
 * A virtual machine: its memory, its EPT, its device registries and its
 * vCPU. One struct vm per guest section of shale.cfg.
 */
#ifndef SHALE_VMM_VM_H
#define SHALE_VMM_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/ept.h"
#include "vmm/config.h"
#include "vmm/console.h"
#include "vmm/guest_ram.h"
#include "vmm/platform.h"
#include "vmm/io.h"
#include "vmm/mmio.h"
#include "vmm/vcpu.h"
#include "lib/spinlock.h"

struct pc;

enum vm_stop_reason {
	VM_STOP_NONE,
	VM_STOP_EXIT,     /* SHALE_HC_EXIT: the guest's own "power off" */
	VM_STOP_CRASH,    /* triple fault, failed entry, unknown exit, bad access */
	VM_STOP_HALTED,   /* HLT with interrupts off and nothing to wake it */
	VM_STOP_POWEROFF, /* ACPI S5 */
	VM_STOP_REBOOT,   /* reset through ACPI, 0xCF9, 0x92 or the 8042 */
};

enum vm_state {
	VM_EMPTY,         /* no guest in this slot */
	VM_RUNNING,
	VM_PRESERVED,     /* stopped, memory and state kept for inspection */
	VM_DESTROYED,
};

struct vm {
	const struct guest_config *cfg;
	const char *name;
	unsigned id;
	/* Guest RAM (vmm/guest_ram.h): below the MMIO hole from 0 and, for
	 * a guest larger than 3 GiB, from 4 GiB; each range is one run of
	 * host memory of its own. ram_desc lists the ranges for messages. */
	struct guest_ram ram;
	char ram_desc[64];
	struct ept ept;
	uint64_t eptp;
	struct io_bus io;
	struct mmio_bus mmio;
	struct vcpu vcpu[CONFIG_MAX_VCPUS]; /* vcpu[0] boots; n_vcpus of them */
	unsigned n_vcpus;
	/* A guest with several vCPUs has them on several CPUs at once: its
	 * devices, interrupt controllers and timers are under this lock
	 * (vm_lock). A one-vCPU guest's are touched by one CPU and take none. */
	struct spinlock lock;
	struct vm_platform plat;

	enum vm_state state;
	bool paused;                /* stopped from the shell, for now */
	enum vm_stop_reason stop_reason;
	uint64_t exit_status;
	char stop_detail[160];
	unsigned restarts;          /* by its on_* policy, since boot */
	uint64_t started_tsc;

	struct console_out out;     /* output not yet on the host console */
	struct console_in in;       /* typed input not yet read */
	void (*input_ready)(struct vm *vm); /* a device that wants typed bytes */
	bool net_waiting;           /* frames wait in its ports (vmm/pc_net.c) */

	void *testdev; /* state of the test device, when configured */
	struct pc *pc; /* the PC devices of a mode = linux guest */
};

/* Guest-physical RAM as a host pointer, or NULL when [gpa, gpa+len) is
 * not entirely RAM of this guest. The only way vmm/ touches guest memory.
 * Inline for the RAM from 0, where page walks and instruction fetches of
 * the exit path land; the rest goes through vmm/guest_ram.c. */
void *vm_gpa_to_hva_any(struct vm *vm, uint64_t gpa, uint64_t len);

static inline void *vm_gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len)
{
	const struct guest_ram_range *low = &vm->ram.r[0]; /* gpa 0 */

	if (len && gpa < low->size && len <= low->size - gpa && low->hpa)
		return (void *)(low->hpa + gpa); /* Shale's identity map */
	return vm_gpa_to_hva_any(vm, gpa, len);
}

/* The VM's devices, for a guest with several vCPUs (see vm.lock). */
static inline void vm_lock(struct vm *vm)
{
	if (vm->n_vcpus > 1)
		spin_lock(&vm->lock);
}

static inline void vm_unlock(struct vm *vm)
{
	if (vm->n_vcpus > 1)
		spin_unlock(&vm->lock);
}

/* Stop the VM, keeping the first reason given. */
void vm_stop(struct vm *vm, enum vm_stop_reason why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Guest console output, line by line, prefixed with the guest's name. */
void vm_console_write(struct vm *vm, const char *s, uint64_t len);
/* Typed input waits in vm->in; tell the device that reads it. */
void vm_console_input_ready(struct vm *vm);
const char *vm_state_name(const struct vm *vm);

#endif
