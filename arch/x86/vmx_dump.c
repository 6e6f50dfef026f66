/* SPDX-License-Identifier: MIT */
/*
 * Crash reports for a guest: its registers and the VMCS in fixed sections
 * (guest state, controls, exit information), and, for a failed VM entry,
 * which of the SDM's guest-state checks (Vol. 3C, 27.3.1) the state breaks.
 */
#include "arch/x86/exit.h"
#include "arch/x86/include/cpu.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_ops.h"
#include "lib/log.h"
#include "vmm/irq.h"
#include "vmm/vdev/lapic.h"
#include "vmm/vm.h"

/* VMREAD that reports failure as ~0 instead of stopping: a dump must get
 * through whatever state the VMCS is in. */
static uint64_t peek(uint64_t field)
{
	uint64_t v;
	bool fail;

	asm volatile("vmread %2, %0; setbe %1"
		     : "=r"(v), "=qm"(fail)
		     : "r"(field)
		     : "cc");
	return fail ? ~0ull : v;
}

#define F(name) { #name, name }
struct field {
	const char *name;
	uint32_t enc;
};

static const struct field guest_fields[] = {
	F(GUEST_RIP), F(GUEST_RSP), F(GUEST_RFLAGS), F(GUEST_CR0),
	F(CR0_READ_SHADOW), F(GUEST_CR3), F(GUEST_CR4), F(CR4_READ_SHADOW),
	F(GUEST_IA32_EFER), F(GUEST_IA32_PAT), F(GUEST_DR7),
	F(GUEST_CS_SELECTOR), F(GUEST_CS_BASE), F(GUEST_CS_LIMIT), F(GUEST_CS_AR_BYTES),
	F(GUEST_SS_SELECTOR), F(GUEST_SS_BASE), F(GUEST_SS_LIMIT), F(GUEST_SS_AR_BYTES),
	F(GUEST_DS_SELECTOR), F(GUEST_DS_BASE), F(GUEST_DS_AR_BYTES),
	F(GUEST_ES_SELECTOR), F(GUEST_FS_BASE), F(GUEST_GS_BASE),
	F(GUEST_TR_SELECTOR), F(GUEST_TR_BASE), F(GUEST_TR_LIMIT), F(GUEST_TR_AR_BYTES),
	F(GUEST_LDTR_AR_BYTES), F(GUEST_GDTR_BASE), F(GUEST_GDTR_LIMIT),
	F(GUEST_IDTR_BASE), F(GUEST_IDTR_LIMIT),
	F(GUEST_INTERRUPTIBILITY_INFO), F(GUEST_ACTIVITY_STATE),
	F(GUEST_PENDING_DBG_EXCEPTIONS), F(VMCS_LINK_POINTER),
};
static const struct field control_fields[] = {
	F(PIN_BASED_VM_EXEC_CONTROL), F(CPU_BASED_VM_EXEC_CONTROL),
	F(SECONDARY_VM_EXEC_CONTROL), F(VM_EXIT_CONTROLS), F(VM_ENTRY_CONTROLS),
	F(EXCEPTION_BITMAP), F(CR0_GUEST_HOST_MASK), F(CR4_GUEST_HOST_MASK),
	F(EPT_POINTER), F(VIRTUAL_PROCESSOR_ID), F(VM_ENTRY_INTR_INFO_FIELD),
	F(VM_ENTRY_EXCEPTION_ERROR_CODE), F(TSC_OFFSET),
};
static const struct field exit_fields[] = {
	F(VM_EXIT_REASON), F(EXIT_QUALIFICATION), F(GUEST_PHYSICAL_ADDRESS),
	F(GUEST_LINEAR_ADDRESS), F(VM_EXIT_INTR_INFO), F(VM_EXIT_INTR_ERROR_CODE),
	F(IDT_VECTORING_INFO_FIELD), F(IDT_VECTORING_ERROR_CODE),
	F(VM_EXIT_INSTRUCTION_LEN), F(VM_INSTRUCTION_ERROR),
};

static void dump_section(const char *title, const struct field *f, unsigned n)
{
	log_rawf("  -- %s\n", title);
	for (unsigned i = 0; i < n; i += 2) {
		if (i + 1 < n)
			log_rawf("  %-30s %016lx  %-30s %016lx\n", f[i].name,
				 (unsigned long)peek(f[i].enc), f[i + 1].name,
				 (unsigned long)peek(f[i + 1].enc));
		else
			log_rawf("  %-30s %016lx\n", f[i].name,
				 (unsigned long)peek(f[i].enc));
	}
}

void vmcs_dump(void)
{
	dump_section("guest state", guest_fields,
		     sizeof(guest_fields) / sizeof(guest_fields[0]));
	dump_section("controls", control_fields,
		     sizeof(control_fields) / sizeof(control_fields[0]));
	dump_section("exit information", exit_fields,
		     sizeof(exit_fields) / sizeof(exit_fields[0]));
}

/* The 16 GPRs of v, four a line; RSP from the current VMCS. */
static void print_gprs(struct vcpu *v)
{
	static const char *const names[16] = {
		"RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
		"R8",  "R9",  "R10", "R11", "R12", "R13", "R14", "R15",
	};
	uint64_t *g = v->regs.gpr;

	for (int i = 0; i < 16; i += 4)
		log_rawf("  %-3s %016lx  %-3s %016lx  %-3s %016lx  %-3s %016lx\n",
			 names[i], (unsigned long)(i == 4 ? peek(GUEST_RSP) : g[i]),
			 names[i + 1], (unsigned long)g[i + 1], names[i + 2],
			 (unsigned long)g[i + 2], names[i + 3],
			 (unsigned long)g[i + 3]);
}

void exit_dump_guest(struct vcpu *v, const char *why)
{
	log_rawf("[dump] guest \"%s\" vcpu %u: %s\n", v->vm->name, v->id, why);
	print_gprs(v);
	vmcs_dump();
	exit_print_trace(v, 16);
}

/* Check the guest state against the SDM's rules that a hand-built or
 * guest-mangled state most often breaks, and name the first that fails. */
void vmx_guest_state_explain(struct vcpu *v)
{
	const struct vmx_caps *c = &vmx_cpu.caps;
	uint64_t cr0 = peek(GUEST_CR0), cr4 = peek(GUEST_CR4);
	uint64_t efer = peek(GUEST_IA32_EFER), rflags = peek(GUEST_RFLAGS);
	uint32_t cs_ar = peek(GUEST_CS_AR_BYTES), ss_ar = peek(GUEST_SS_AR_BYTES);
	uint32_t tr_ar = peek(GUEST_TR_AR_BYTES);
	bool ia32e = v->entry_ctls & VM_ENTRY_IA32E_MODE;
	uint64_t fixed0 = c->cr0_fixed0 & ~(CR0_PE | CR0_PG);
	const char *why = NULL;

	if ((cr0 & fixed0) != fixed0 || (cr0 & ~c->cr0_fixed1))
		why = "CR0 breaks the VMX fixed bits (IA32_VMX_CR0_FIXED0/1)";
	else if ((cr0 & CR0_PG) && !(cr0 & CR0_PE))
		why = "CR0.PG is set without CR0.PE";
	else if ((cr4 & c->cr4_fixed0) != c->cr4_fixed0 || (cr4 & ~c->cr4_fixed1))
		why = "CR4 breaks the VMX fixed bits (IA32_VMX_CR4_FIXED0/1)";
	else if (ia32e && (!(cr0 & CR0_PG) || !(cr4 & CR4_PAE)))
		why = "IA-32e mode guest without CR0.PG and CR4.PAE";
	else if (!!(efer & EFER_LMA) != ia32e)
		why = "EFER.LMA differs from the \"IA-32e mode guest\" entry control";
	else if ((cr0 & CR0_PG) && !!(efer & EFER_LME) != !!(efer & EFER_LMA))
		why = "EFER.LME differs from EFER.LMA while paging is on";
	else if (!(rflags & RFLAGS_FIXED) || (rflags & 0xffc08028ull))
		why = "RFLAGS reserved bits (bit 1 must be 1; 3, 5, 15, 22-63 must be 0)";
	else if (ia32e && (cs_ar & AR_L) && (cs_ar & AR_DB))
		why = "CS has both L and D/B set in IA-32e mode";
	else if (!(cs_ar & AR_P) || (cs_ar & AR_UNUSABLE))
		why = "CS is not present";
	else if (!(ss_ar & AR_UNUSABLE) && ((ss_ar >> AR_DPL_SHIFT) & 3) !=
						  (peek(GUEST_SS_SELECTOR) & 3) &&
		 (cr0 & CR0_PE))
		why = "SS.DPL differs from the RPL of the SS selector";
	else if ((tr_ar & AR_UNUSABLE) || !(tr_ar & AR_P) ||
		 ((tr_ar & AR_TYPE_MASK) != 11 &&
		  (ia32e || (tr_ar & AR_TYPE_MASK) != 3)))
		why = "TR must be a present busy TSS (type 11; type 3 also outside IA-32e mode)";
	else if (peek(GUEST_ACTIVITY_STATE) > GUEST_ACTIVITY_WAIT_SIPI)
		why = "activity state is out of range";
	else if (peek(VMCS_LINK_POINTER) != ~0ull)
		why = "the VMCS link pointer is not all ones";
	if (why)
		log_err("vmx", "guest-state check that fails: %s", why);
	else
		log_err("vmx", "no guest-state rule Shale checks is broken; see the VMCS dump");
}

/* The registers of a vCPU that is not running: its GPRs from struct
 * vcpu, the rest from its VMCS, made current for the moment. */
void vmx_dump_registers(struct vcpu *v)
{
	uint64_t prev = vmcs_make_current(v);

	print_gprs(v);
	log_rawf("  RIP %016lx  RFLAGS %016lx  CS %04lx  SS %04lx\n",
		 (unsigned long)peek(GUEST_RIP), (unsigned long)peek(GUEST_RFLAGS),
		 (unsigned long)peek(GUEST_CS_SELECTOR),
		 (unsigned long)peek(GUEST_SS_SELECTOR));
	log_rawf("  CR0 %016lx  CR3 %016lx  CR4 %016lx  EFER %016lx\n",
		 (unsigned long)((peek(GUEST_CR0) & ~peek(CR0_GUEST_HOST_MASK)) |
				 (peek(CR0_READ_SHADOW) & peek(CR0_GUEST_HOST_MASK))),
		 (unsigned long)peek(GUEST_CR3),
		 (unsigned long)((peek(GUEST_CR4) & ~peek(CR4_GUEST_HOST_MASK)) |
				 (peek(CR4_READ_SHADOW) & peek(CR4_GUEST_HOST_MASK))),
		 (unsigned long)peek(GUEST_IA32_EFER));
	log_rawf("  vCPU state %s, %lu exits\n",
		 v->state == VCPU_RUNNABLE ? "runnable" :
		 v->state == VCPU_HALTED ? "halted (HLT)" :
		 v->state == VCPU_WAIT_SIPI ? "waiting for SIPI" : "stopped",
		 (unsigned long)vcpu_exit_count(v));
	/* Where it runs, and the interrupts waiting for it: the first
	 * questions about a guest that seems stuck. */
	log_rawf("  home CPU %u, interruptibility 0x%lx, activity %lu, pending injection 0x%lx%s%s\n",
		 v->cpu, (unsigned long)peek(GUEST_INTERRUPTIBILITY_INFO),
		 (unsigned long)peek(GUEST_ACTIVITY_STATE),
		 (unsigned long)peek(VM_ENTRY_INTR_INFO_FIELD),
		 v->nmi_pending ? ", NMI pending" : "", v->halt_masked ? ", halted with IF=0" : "");
	if (vcpu_lapic(v))
		log_rawf("  local APIC (%s): highest IRR %d, ISR %d, TPR 0x%x%s\n",
			 lapic_x2apic_mode(vcpu_lapic(v)) ? "x2APIC mode" :
			 lapic_get_apic_base(vcpu_lapic(v)) & APIC_BASE_EN ? "xAPIC mode" :
			 "disabled",
			 lapic_highest_irr(vcpu_lapic(v)), lapic_highest_isr(vcpu_lapic(v)),
			 lapic_tpr(vcpu_lapic(v)),
			 v->apicv ? ", virtualized" : "");
	vmcs_restore(v, prev);
}

void exit_print_trace(struct vcpu *v, unsigned n)
{
	uint32_t head = v->trace_head;

	if (n > EXIT_TRACE_LEN)
		n = EXIT_TRACE_LEN;
	if (n > head)
		n = head;
	log_rawf("  last %u exits, oldest first (rip and qualification only while tracing is on):\n"
		 "  %-10s %-38s %-18s %s\n", n, "tsc", "reason", "rip", "qualification");
	for (uint32_t i = head - n; i != head; i++) {
		const struct exit_trace *t = &v->trace[i % EXIT_TRACE_LEN];
		const struct exit_trace_detail *d =
			&v->trace_detail[i % EXIT_TRACE_LEN];
		const char *name = exit_reason_name(t->reason & ~EXIT_TRACE_DETAIL);

		if (t->reason & EXIT_TRACE_DETAIL)
			log_rawf("  %08x   %-38.38s %016lx   %lx\n", t->tsc, name,
				 (unsigned long)d->rip, (unsigned long)d->qual);
		else
			log_rawf("  %08x   %-38.38s %-16s   %s\n", t->tsc, name,
				 "-", "-");
	}
}
