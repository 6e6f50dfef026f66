/* SPDX-License-Identifier: MIT */
/*
 * A guest's interrupt lines and what its vCPU takes from them: the
 * interrupt controllers of the PC model (vmm/pc.c) for a Linux guest, and
 * the one-shot timer vector of Shale's test guests.
 */
#ifndef SHALE_VMM_IRQ_H
#define SHALE_VMM_IRQ_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

struct vcpu;

/* Drive global system interrupt `gsi` of the guest. */
void irq_set_line(struct vm *vm, unsigned gsi, bool level);

/* An external interrupt waits for the vCPU (it may still be blocked by
 * RFLAGS.IF or an interrupt shadow). */
bool vcpu_irq_pending(struct vcpu *v);
/* A vector for v's local APIC from another CPU, or for a vCPU that is not
 * this CPU's current one (see vcpu.posted); v's home takes them in with
 * vcpu_take_posted(), under the guest's lock, before it looks at or
 * enters v. */
void vcpu_post_irq(struct vcpu *v, uint8_t vector, bool level);
void vcpu_take_posted(struct vcpu *v);
/* INIT: v's local APIC to its INIT state, by v's home. */
void vcpu_lapic_init_reset(struct vcpu *v);
/* The vCPU takes the highest-priority one now: its vector, acknowledged
 * at its controller, or -1. Under VMX APIC virtualization (vcpu.apicv)
 * these two leave the local APIC's vectors out: the CPU delivers them. */
int vcpu_irq_take(struct vcpu *v);
/* What ends the vCPU's HLT: an NMI, from the local APIC or already
 * taken from it; and, unless it halted with RFLAGS.IF = 0
 * (vcpu.halt_masked), an external interrupt it could take, local APIC
 * included. A maskable interrupt does not end a HLT with IF = 0 (SDM
 * Vol. 2A, HLT). Reads no VMCS: the scheduler asks it of vCPUs whose
 * VMCS is not loaded. */
bool vcpu_irq_wakeup(struct vcpu *v);
/* An NMI waits for the vCPU: taken from its local APIC (LINT1, an NMI
 * IPI) or held back by NMI blocking. Takes the APIC's into the vCPU. */
bool vcpu_nmi_pending(struct vcpu *v);
/* A device may still send the vCPU an NMI, so a HLT with IF = 0 is a
 * wait, not the end of the guest. */
bool vcpu_nmi_may_come(struct vcpu *v);

struct lapic;
/* The guest's local APIC model, or NULL (a guest without the PC). */
struct lapic *vcpu_lapic(struct vcpu *v);

#endif
