/* SPDX-License-Identifier: MIT */
/* VMX operation on this CPU, and the per-vCPU VMCS (arch/x86/vmx.c, vmcs.c). */
#ifndef SHALE_ARCH_X86_VMX_H
#define SHALE_ARCH_X86_VMX_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/vmx_caps.h"
#include "vmm/page_alloc.h"
#include "vmm/vm.h"

/* Exceptions that exit whatever else is wanted: the host's machine checks
 * (arch/x86/mce.c), which no guest may see or swallow. */
#define EXCEPTION_BITMAP_ALWAYS (1u << X86_EXC_MC)

/* Everything VMX on this CPU shares between vCPUs. */
struct vmx_cpu {
	struct vmx_caps caps;
	uint64_t vmxon_region;
	uint64_t msr_bitmap;   /* one policy for all guests: vmm/msr.c */
	uint64_t io_bitmap_a;  /* every port exits */
	uint64_t io_bitmap_b;
	uint32_t preempt_shift; /* VMX-preemption timer ticks = TSC >> shift */
	uint64_t tsc_hz;        /* from CPUID or the PIT at start (arch/x86/tsc.c) */
};

extern struct vmx_cpu vmx_cpu;

/* VMXON on this CPU. Returns 0, or -1 with the reason logged. */
int vmx_cpu_enable(struct page_allocator *pa, const struct vmx_caps *caps);

/* VMXON on an AP, in its own region (a page CPU 0 gave it), after
 * checking that its VMX is CPU 0's (vmx_check_ap). NULL, or what failed
 * as a phrase. The MSR and I/O bitmaps are CPU 0's, shared: read only. */
const char *vmx_cpu_enable_ap(uint64_t vmxon_region);

/* Create and fill the VMCS of v, which becomes the current VMCS.
 * Returns 0, or -1 with the reason logged. */
int vmcs_create(struct vcpu *v, struct page_allocator *pa);
/* Host-state fields for this CPU (its GDT, TSS, per-CPU data). */
void vmcs_setup_host_state(void);

/* Which CPU holds a VMCS (arch/x86/vmcs_owner.c). */
/* Take v's VMCS on this CPU, its home, to run it: false while another
 * CPU holds it. Rewrites host state and flushes EPT/VPID translations
 * when the vCPU comes from another CPU. */
bool vmcs_load(struct vcpu *v);
/* VMCLEAR v's VMCS, active on this CPU, so that another may take it. */
void vmcs_release(struct vcpu *v);
/* Hold v's VMCS on this CPU (not loaded), claiming it from its home and
 * waiting until the home has let it go. */
void vmcs_seize(struct vcpu *v);
/* For work on a vCPU that is not running (the shell, the GDB stub): make
 * its VMCS current, fetching it from its home CPU if need be, and
 * afterwards give it back and make current the one that was (what the
 * scheduler expects to find). */
uint64_t vmcs_make_current(struct vcpu *v);
void vmcs_restore(struct vcpu *v, uint64_t prev);
void vmcs_destroy(struct vcpu *v, struct page_allocator *pa);

/* Enter the guest until the next VM exit (arch/x86/vmx_entry.asm). */
int vmx_enter(struct guest_regs *regs, int launched);
/* Where a VM exit lands: behind the return-stack barrier the speculation
 * policy chose (spec_host.exit_rsb), all three then the same code. */
extern char vmx_exit_entry[], vmx_exit_entry_one_call[], vmx_exit_entry_rsb_fill[];

/* The SDM's text for a VM-instruction error number (31.4). */
const char *vmx_instruction_error_str(uint32_t err);

/* Print the VMCS in sections (guest, controls, exit information). */
void vmcs_dump(void);

#endif
