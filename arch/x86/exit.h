/* SPDX-License-Identifier: MIT */
/*
 * VM exit handlers. Every handler has one signature and says what happens
 * next:
 *
 *   EXIT_RESUME  the vCPU goes on. A handler that emulated the instruction
 *                has moved RIP past it (vcpu_advance_rip); one that injected
 *                a fault has left RIP on the faulting instruction.
 *   EXIT_YIELD   the vCPU cannot go on for now (HLT, wait-for-SIPI): its
 *                state says why, and the scheduler decides what runs next.
 *   EXIT_STOP    the guest stops; the handler has said why with vm_stop().
 *
 * A handler never returns to the guest after a problem it cannot explain:
 * such exits go to exit_unexpected(), which dumps the state and stops the
 * guest, never the hypervisor.
 */
#ifndef SHALE_ARCH_X86_EXIT_H
#define SHALE_ARCH_X86_EXIT_H

#include "vmm/vcpu.h"

enum exit_result {
	EXIT_RESUME,
	EXIT_YIELD,
	EXIT_STOP,
};

typedef enum exit_result (*exit_handler_fn)(struct vcpu *v);

/* Run the vCPU, handling exits, until it halts, waits or stops. */
void vmx_run(struct vcpu *v);

/* First thing in the handler of any exit that can interrupt the delivery
 * of an event (exceptions, NMIs, interrupts, triple fault, EPT violation
 * and misconfiguration, the preemption timer): keeps that event for
 * re-injection. */
void exit_note_idt_vectoring(struct vcpu *v);

/* The name the SDM gives an exit reason ("EPT violation"). */
const char *exit_reason_name(unsigned reason);

/* Print the guest's registers and the VMCS, for a crash report. */
void exit_dump_guest(struct vcpu *v, const char *why);
/* The last n exits from the trace ring. */
void exit_print_trace(struct vcpu *v, unsigned n);
/* The registers of a vCPU between runs (the shell's regs). */
void vmx_dump_registers(struct vcpu *v);

struct mmio_range;
/* Emulate the guest's instruction at RIP, which touched device range r at
 * guest-physical gpa (arch/x86/exit_ept.c), and move RIP past it. */
enum exit_result exit_mmio_emulate(struct vcpu *v, const struct mmio_range *r,
				   uint64_t gpa);

/* Handlers, one file per concern. */
enum exit_result exit_cpuid(struct vcpu *v);
enum exit_result exit_msr_read(struct vcpu *v);
enum exit_result exit_msr_write(struct vcpu *v);
enum exit_result exit_io(struct vcpu *v);
enum exit_result exit_ept_violation(struct vcpu *v);
enum exit_result exit_ept_misconfig(struct vcpu *v);
enum exit_result exit_cr_access(struct vcpu *v);
enum exit_result exit_xsetbv(struct vcpu *v);
enum exit_result exit_hlt(struct vcpu *v);
enum exit_result exit_vmcall(struct vcpu *v);
enum exit_result exit_triple_fault(struct vcpu *v);
enum exit_result exit_init_signal(struct vcpu *v);
enum exit_result exit_sipi(struct vcpu *v);
enum exit_result exit_external_interrupt(struct vcpu *v);
enum exit_result exit_exception_nmi(struct vcpu *v);
enum exit_result exit_interrupt_window(struct vcpu *v);
enum exit_result exit_nmi_window(struct vcpu *v);
enum exit_result exit_preemption_timer(struct vcpu *v);
enum exit_result exit_vmx_instruction(struct vcpu *v);
enum exit_result exit_invd_wbinvd(struct vcpu *v);
enum exit_result exit_rdpmc(struct vcpu *v);
enum exit_result exit_undefined(struct vcpu *v);
enum exit_result exit_dr_access(struct vcpu *v);
/* #BP and #DB, from exit_exception_nmi (arch/x86/debug.c). */
enum exit_result exit_debug_exception(struct vcpu *v, uint32_t info);
enum exit_result exit_apic_access(struct vcpu *v);
enum exit_result exit_apic_write(struct vcpu *v);
enum exit_result exit_virtualized_eoi(struct vcpu *v);

#endif
