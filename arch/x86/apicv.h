/* SPDX-License-Identifier: MIT */
/*
 * VMX APIC virtualization of a guest's local APIC (arch/x86/apicv.c): the
 * controls, the pages and the per-entry bookkeeping. The exits it brings
 * are handled in arch/x86/exit_apic.c.
 */
#ifndef SHALE_ARCH_X86_APICV_H
#define SHALE_ARCH_X86_APICV_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/include/vmx_defs.h"
#include "arch/x86/vmx_caps.h"
#include "vmm/page_alloc.h"
#include "vmm/vcpu.h"

#define APICV_PROC_CTLS CPU_BASED_TPR_SHADOW
/* Without the TPR shadow, MOV to/from CR8 would reach the physical TPR,
 * which every guest shares: they exit and are emulated (exit_cr.c). */
#define NO_APICV_PROC_CTLS (CPU_BASED_CR8_LOAD_EXITING | \
			    CPU_BASED_CR8_STORE_EXITING)
#define APICV_PROC2_CTLS (SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES | \
			  SECONDARY_EXEC_APIC_REGISTER_VIRT | \
			  SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY)

/* Decide, and log, whether v's local APIC is virtualized: the guest has
 * one, its config does not say apicv = off, and the CPU offers all the
 * controls. Sets v->apicv; the caller then asks for APICV_*_CTLS. */
bool apicv_choose(struct vcpu *v, const struct vmx_caps *c);
/* With v's VMCS current and its controls written: the virtual-APIC and
 * APIC-access pages, the EOI-exit bitmap, the guest interrupt status.
 * Returns 0, or -1 with the reason logged. */
int apicv_setup(struct vcpu *v, struct page_allocator *pa);
void apicv_destroy(struct vcpu *v, struct page_allocator *pa);
/* Before a VM entry with entry work: bring RVI, SVI and the EOI-exit
 * bitmap in line with the register page, which the model may have changed
 * since the last exit (an interrupt accepted, a level vector, an EOI). */
void apicv_sync(struct vcpu *v);

/* Virtualized x2APIC mode (arch/x86/apicv_x2apic.c). offered: the CPU has
 * the control. setup: v's MSR bitmap for x2APIC mode, where the CPU has it
 * (called by apicv_setup). mode_changed: v's VMCS (current) follows its
 * local APIC into or out of x2APIC mode; true when x2APIC-mode accesses
 * are now virtualized. */
bool apicv_x2apic_offered(const struct vmx_caps *c);
int apicv_x2apic_setup(struct vcpu *v, struct page_allocator *pa);
void apicv_x2apic_destroy(struct vcpu *v, struct page_allocator *pa);
bool apicv_x2apic_mode_changed(struct vcpu *v); /* true: virtualized */

#endif
