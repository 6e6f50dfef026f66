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
#include "vmm/io.h"
#include "vmm/mmio.h"
#include "vmm/vcpu.h"

enum vm_stop_reason {
	VM_STOP_NONE,
	VM_STOP_EXIT,     /* SHALE_HC_EXIT */
	VM_STOP_CRASH,    /* triple fault, failed entry, unknown exit, bad access */
	VM_STOP_HALTED,   /* HLT with interrupts off and nothing to wake it */
};

#define VM_CONSOLE_LINE 160

struct vm {
	const struct guest_config *cfg;
	const char *name;
	unsigned id;
	uint64_t mem_hpa;   /* host-physical base of guest RAM */
	uint64_t mem_size;  /* guest RAM at guest-physical [0, mem_size) */
	struct ept ept;
	uint64_t eptp;
	struct io_bus io;
	struct mmio_bus mmio;
	struct vcpu vcpu;

	enum vm_stop_reason stop_reason;
	uint64_t exit_status;
	char stop_detail[160];

	uint64_t unclaimed_io;      /* accesses to ports no device claims */
	char line[VM_CONSOLE_LINE]; /* console output not yet ended by \n */
	unsigned line_len;

	void *testdev; /* state of the test device, when configured */
};

/* Guest-physical RAM as a host pointer, or NULL when [gpa, gpa+len) is
 * not entirely RAM of this guest. The only way vmm/ touches guest memory. */
void *vm_gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len);

/* Stop the VM, keeping the first reason given. */
void vm_stop(struct vm *vm, enum vm_stop_reason why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Guest console output, line by line, prefixed with the guest's name. */
void vm_console_write(struct vm *vm, const char *s, uint64_t len);

#endif
