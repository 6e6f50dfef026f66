/* SPDX-License-Identifier: MIT */
/*
 * Filling a vCPU's VMCS, in the SDM's groups: host state (25.5), execution
 * controls (25.6), exit and entry controls (25.7, 25.8), guest state (25.4).
 * Control words come from the capability MSRs through one helper that names
 * any control the CPU refuses.
 */
#include "arch/x86/apicv.h"
#include "arch/x86/host.h"
#include "arch/x86/percpu.h"
#include "arch/x86/include/cpu.h"
#include "arch/x86/include/msr.h"
#include "arch/x86/spec_ctrl.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_controls.h"
#include "arch/x86/vmx_ops.h"
#include "arch/x86/xstate.h"
#include "lib/log.h"
#include "lib/string.h"
#include "vmm/irq.h"
#include "vmm/vm.h"

#define SRC "vmcs"

static uint16_t next_vpid = 1;

/* Compute one control word and write it. A required control the CPU does
 * not offer is named and fails the setup; a dropped optional one is noted. */
static int set_controls(uint32_t field, enum vmx_ctl_kind kind, uint64_t cap,
			uint32_t required, uint32_t optional, uint32_t *out)
{
	struct vmx_ctl_result r = vmx_adjust_controls(cap, required, optional);

	for (unsigned bit = 0; bit < 32; bit++) {
		const char *name = vmx_control_name(kind, bit);

		if (r.missing & (1u << bit)) {
			log_err(SRC, "this CPU cannot enable the VMX control \"%s\", which Shale needs",
				name ? name : "?");
		} else if (r.dropped & (1u << bit)) {
			log_debug(SRC, "optional VMX control \"%s\" not offered",
				  name ? name : "?");
		}
	}
	if (r.missing)
		return -1;
	vmwrite(field, r.value);
	*out = r.value;
	return 0;
}

/* HOST_RIP: the exit stub with the barrier this CPU needs in front of
 * Shale's first RET (arch/x86/spec_ctrl.c, arch/x86/vmx_entry.asm). */
static uint64_t exit_entry(void)
{
	switch (spec_host.exit_rsb) {
	case SPEC_EXIT_RSB_FILL:
		return (uint64_t)vmx_exit_entry_rsb_fill;
	case SPEC_EXIT_RSB_ONE_CALL:
		return (uint64_t)vmx_exit_entry_one_call;
	default:
		return (uint64_t)vmx_exit_entry;
	}
}

void vmcs_setup_host_state(void)
{
	const struct host_tables *t = host_tables();

	vmwrite(HOST_CR0, read_cr0());
	vmwrite(HOST_CR3, read_cr3());
	vmwrite(HOST_CR4, read_cr4());
	vmwrite(HOST_CS_SELECTOR, HOST_CS);
	vmwrite(HOST_SS_SELECTOR, HOST_DS);
	vmwrite(HOST_DS_SELECTOR, HOST_DS);
	vmwrite(HOST_ES_SELECTOR, HOST_DS);
	vmwrite(HOST_FS_SELECTOR, 0);
	vmwrite(HOST_GS_SELECTOR, 0);
	vmwrite(HOST_TR_SELECTOR, HOST_TR);
	vmwrite(HOST_FS_BASE, 0);
	vmwrite(HOST_GS_BASE, (uint64_t)this_cpu()); /* arch/x86/percpu.h */
	vmwrite(HOST_TR_BASE, t->tr_base);
	vmwrite(HOST_GDTR_BASE, t->gdt_base);
	vmwrite(HOST_IDTR_BASE, t->idt_base);
	vmwrite(HOST_IA32_SYSENTER_CS, 0);
	vmwrite(HOST_IA32_SYSENTER_ESP, 0);
	vmwrite(HOST_IA32_SYSENTER_EIP, 0);
	vmwrite(HOST_IA32_EFER, rdmsr(MSR_IA32_EFER));
	vmwrite(HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
	vmwrite(HOST_RIP, exit_entry());
	/* HOST_RSP is written by vmx_enter, which knows its frame. */
}

static int setup_controls(struct vcpu *v, const struct vmx_caps *c)
{
	bool apicv = apicv_choose(v, c);
	uint32_t exit_ctls;
	int err = 0;

	err |= set_controls(PIN_BASED_VM_EXEC_CONTROL, VMX_CTL_PIN, c->pinbased,
			    PIN_BASED_EXT_INTR_EXITING | PIN_BASED_NMI_EXITING |
				    PIN_BASED_VMX_PREEMPTION_TIMER,
			    /* NMI blocking and the NMI window for the
			     * guest's NMIs (arch/x86/exit.c) */
			    PIN_BASED_VIRTUAL_NMIS, &v->pin_ctls);
	err |= set_controls(CPU_BASED_VM_EXEC_CONTROL, VMX_CTL_PROC, c->procbased,
			    CPU_BASED_HLT_EXITING | CPU_BASED_RDPMC_EXITING |
				    CPU_BASED_USE_IO_BITMAPS |
				    CPU_BASED_USE_MSR_BITMAPS |
				    CPU_BASED_ACTIVATE_SECONDARY_CONTROLS |
				    (apicv ? APICV_PROC_CTLS : NO_APICV_PROC_CTLS),
			    CPU_BASED_USE_TSC_OFFSETTING |
				    CPU_BASED_MWAIT_EXITING |
				    CPU_BASED_MONITOR_EXITING,
			    &v->proc_ctls);
	err |= set_controls(SECONDARY_VM_EXEC_CONTROL, VMX_CTL_PROC2,
			    c->procbased2,
			    SECONDARY_EXEC_ENABLE_EPT |
				    SECONDARY_EXEC_UNRESTRICTED_GUEST |
				    (apicv ? APICV_PROC2_CTLS : 0),
			    SECONDARY_EXEC_ENABLE_VPID |
				    SECONDARY_EXEC_ENABLE_RDTSCP |
				    SECONDARY_EXEC_ENABLE_INVPCID |
				    SECONDARY_EXEC_ENABLE_XSAVES |
				    SECONDARY_EXEC_WBINVD_EXITING,
			    &v->proc2_ctls);
	err |= set_controls(VM_EXIT_CONTROLS, VMX_CTL_EXIT, c->exit,
			    VM_EXIT_HOST_ADDR_SPACE_SIZE |
				    VM_EXIT_SAVE_IA32_EFER |
				    VM_EXIT_LOAD_IA32_EFER |
				    VM_EXIT_SAVE_IA32_PAT |
				    VM_EXIT_LOAD_IA32_PAT |
				    VM_EXIT_SAVE_DEBUG_CONTROLS |
				    VM_EXIT_ACK_INTR_ON_EXIT,
			    VM_EXIT_SAVE_VMX_PREEMPTION_TIMER, &exit_ctls);
	err |= set_controls(VM_ENTRY_CONTROLS, VMX_CTL_ENTRY, c->entry,
			    /* The guest's DR7 and IA32_DEBUGCTL: a VM exit sets
			     * DR7 to 0x400, so without these the guest's (and a
			     * debugger's) breakpoints would not survive an exit. */
			    VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_IA32_PAT |
				    VM_ENTRY_LOAD_DEBUG_CONTROLS,
			    0, &v->entry_ctls);
	if (err)
		return -1;
	v->preempt_saved = exit_ctls & VM_EXIT_SAVE_VMX_PREEMPTION_TIMER;
	v->entry_work = 1;

	vmwrite(EXCEPTION_BITMAP, EXCEPTION_BITMAP_ALWAYS);
	vmwrite(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmwrite(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmwrite(CR3_TARGET_COUNT, 0);
	vmwrite(VM_EXIT_MSR_STORE_COUNT, 0);
	/* The MSR-load areas carry the guest's IA32_SPEC_CTRL in and Shale's
	 * out while they differ (arch/x86/spec_barrier.c). */
	spec_ctrl_vcpu_init(v);
	vmwrite(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmwrite(IO_BITMAP_A, vmx_cpu.io_bitmap_a);
	vmwrite(IO_BITMAP_B, vmx_cpu.io_bitmap_b);
	vmwrite(MSR_BITMAP, vmx_cpu.msr_bitmap);
	vmwrite(TSC_OFFSET, 0);
	vmwrite(EPT_POINTER, v->vm->eptp);
	if (v->proc2_ctls & SECONDARY_EXEC_ENABLE_VPID) {
		v->vpid = next_vpid++;
		vmwrite(VIRTUAL_PROCESSOR_ID, v->vpid);
	}

	/* Bits the guest may not own: the VMX fixed bits (the guest sees its
	 * own value through the read shadow) and CR4.VMXE, which Shale hides.
	 * PE and PG are the guest's under unrestricted guest. */
	vmwrite(CR0_GUEST_HOST_MASK,
		(c->cr0_fixed0 & ~(CR0_PE | CR0_PG)) | ~c->cr0_fixed1 |
			CR0_CD | CR0_NW);
	/* CR4.LA57 (bit 12) too: Shale refuses it (exit_cr.c), as its walk
	 * of the guest's page tables knows 4 levels only. */
	vmwrite(CR4_GUEST_HOST_MASK, c->cr4_fixed0 | ~c->cr4_fixed1 | CR4_VMXE | (1ull << 12));
	return 0;
}

static void set_segment(uint32_t sel_field, uint16_t sel, uint64_t base,
			uint32_t limit, uint32_t ar)
{
	/* The four fields of a segment sit at fixed offsets from the selector
	 * encoding's group (Appendix B): selector 0x08xx, limit 0x48xx,
	 * AR 0x48xx + 0x14, base 0x68xx + 6. */
	uint32_t idx = sel_field - GUEST_ES_SELECTOR;

	vmwrite(sel_field, sel);
	vmwrite(GUEST_ES_LIMIT + idx, limit);
	vmwrite(GUEST_ES_AR_BYTES + idx, ar);
	vmwrite(GUEST_ES_BASE + idx, base);
}

#define AR_CODE64 0xa09b  /* P, S, exec/read/accessed, L, G */
#define AR_DATA32 0xc093  /* P, S, read/write/accessed, D/B, G */
#define AR_CODE32 0xc09b  /* P, S, exec/read/accessed, D, G */
#define AR_CODE16 0x009b
#define AR_DATA16 0x0093
#define AR_TSS_BUSY64 0x008b
#define AR_LDT_UNUSABLE AR_UNUSABLE

/* DS, ES, SS, FS and GS alike, as every start state has them. */
static void set_data_segments(uint16_t sel, uint64_t base, uint32_t limit,
			      uint32_t ar)
{
	static const uint32_t fields[] = {
		GUEST_DS_SELECTOR, GUEST_ES_SELECTOR, GUEST_SS_SELECTOR,
		GUEST_FS_SELECTOR, GUEST_GS_SELECTOR,
	};

	for (unsigned i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		set_segment(fields[i], sel, base, limit, ar);
}

/* RIP, RSP and whether the vCPU starts in IA-32e mode. */
static void start_at(struct vcpu *v, bool ia32e)
{
	vmwrite(GUEST_RIP, v->boot.rip);
	vmwrite(GUEST_RSP, v->boot.rsp);
	if (ia32e)
		v->entry_ctls |= VM_ENTRY_IA32E_MODE;
	else
		v->entry_ctls &= ~VM_ENTRY_IA32E_MODE;
	vmwrite(VM_ENTRY_CONTROLS, v->entry_ctls);
}

static void setup_guest_long(struct vcpu *v, const struct vmx_caps *c)
{
	const struct vcpu_boot *b = &v->boot;
	struct cpuid_regs r;
	uint64_t cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	uint64_t efer = EFER_LME | EFER_LMA;

	cpuid_count(0x80000001, 0, &r);
	if (r.edx & (1u << 20))
		efer |= EFER_NXE;
	vmwrite(GUEST_CR0, vmx_fix_cr(cr0, c->cr0_fixed0, c->cr0_fixed1));
	vmwrite(CR0_READ_SHADOW, cr0);
	vmwrite(GUEST_CR4, vmx_fix_cr(CR4_PAE, c->cr4_fixed0, c->cr4_fixed1));
	vmwrite(CR4_READ_SHADOW, CR4_PAE);
	vmwrite(GUEST_CR3, b->cr3);
	vmwrite(GUEST_IA32_EFER, efer);
	set_segment(GUEST_CS_SELECTOR, b->cs, 0, 0xffffffff, AR_CODE64);
	set_data_segments(b->ds, 0, 0xffffffff, AR_DATA32);
	vmwrite(GUEST_GDTR_BASE, b->gdt_base);
	vmwrite(GUEST_GDTR_LIMIT, b->gdt_limit);
	vmwrite(GUEST_IDTR_BASE, 0);
	vmwrite(GUEST_IDTR_LIMIT, 0);
	start_at(v, true);
}

static void setup_guest_real(struct vcpu *v, const struct vmx_caps *c)
{
	const struct vcpu_boot *b = &v->boot;

	/* The guest sees the reset value of CR0; the real one carries the
	 * fixed bits (NE) and caches on. */
	vmwrite(GUEST_CR0, vmx_fix_cr(CR0_ET, c->cr0_fixed0 & ~(CR0_PE | CR0_PG),
				      c->cr0_fixed1));
	vmwrite(CR0_READ_SHADOW, CR0_ET | CR0_CD | CR0_NW);
	vmwrite(GUEST_CR4, vmx_fix_cr(0, c->cr4_fixed0, c->cr4_fixed1));
	vmwrite(CR4_READ_SHADOW, 0);
	vmwrite(GUEST_CR3, 0);
	vmwrite(GUEST_IA32_EFER, 0);
	set_segment(GUEST_CS_SELECTOR, b->real_cs, (uint64_t)b->real_cs << 4,
		    0xffff, AR_CODE16);
	set_data_segments(0, 0, 0xffff, AR_DATA16);
	vmwrite(GUEST_GDTR_BASE, 0);
	vmwrite(GUEST_GDTR_LIMIT, 0xffff);
	vmwrite(GUEST_IDTR_BASE, 0);
	vmwrite(GUEST_IDTR_LIMIT, 0xffff);
	start_at(v, false);
}

/* Multiboot's "Machine state": CR0.PE with paging off (allowed with
 * unrestricted guest), flat 4 GiB 32-bit code and data segments from the
 * loader's GDT, EFER 0. */
static void setup_guest_prot32(struct vcpu *v, const struct vmx_caps *c)
{
	const struct vcpu_boot *b = &v->boot;
	uint64_t cr0 = CR0_PE | CR0_ET;

	vmwrite(GUEST_CR0, vmx_fix_cr(cr0, c->cr0_fixed0 & ~CR0_PG,
				      c->cr0_fixed1));
	vmwrite(CR0_READ_SHADOW, cr0);
	vmwrite(GUEST_CR4, vmx_fix_cr(0, c->cr4_fixed0, c->cr4_fixed1));
	vmwrite(CR4_READ_SHADOW, 0);
	vmwrite(GUEST_CR3, 0);
	vmwrite(GUEST_IA32_EFER, 0);
	set_segment(GUEST_CS_SELECTOR, b->cs, 0, 0xffffffff, AR_CODE32);
	set_data_segments(b->ds, 0, 0xffffffff, AR_DATA32);
	vmwrite(GUEST_GDTR_BASE, b->gdt_base);
	vmwrite(GUEST_GDTR_LIMIT, b->gdt_limit);
	vmwrite(GUEST_IDTR_BASE, 0);
	vmwrite(GUEST_IDTR_LIMIT, 0);
	start_at(v, false);
}

static void setup_guest_common(void)
{
	set_segment(GUEST_LDTR_SELECTOR, 0, 0, 0xffff, AR_LDT_UNUSABLE);
	set_segment(GUEST_TR_SELECTOR, 0, 0, 0xffff, AR_TSS_BUSY64);
	vmwrite(GUEST_RFLAGS, RFLAGS_FIXED);
	vmwrite(GUEST_DR7, 0x400);
	vmwrite(GUEST_IA32_DEBUGCTL, 0);
	vmwrite(GUEST_IA32_PAT, 0x0007040600070406ull); /* power-up value */
	vmwrite(GUEST_SYSENTER_CS, 0);
	vmwrite(GUEST_SYSENTER_ESP, 0);
	vmwrite(GUEST_SYSENTER_EIP, 0);
	vmwrite(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmwrite(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmwrite(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmwrite(VMCS_LINK_POINTER, ~0ull);
}

int vmcs_create(struct vcpu *v, struct page_allocator *pa)
{
	const struct vmx_caps *c = &vmx_cpu.caps;
	uint64_t vmcs = page_alloc_page(pa);

	if (!vmcs) {
		log_err(SRC, "out of memory for a VMCS");
		return -1;
	}
	memset((void *)vmcs, 0, PAGE_SIZE);
	*(uint32_t *)vmcs = c->basic & VMX_BASIC_REVISION_MASK;
	v->vmcs_hpa = vmcs;
	v->launched = false;
	if (vmclear(vmcs) || vmptrld(vmcs)) {
		log_err(SRC, "VMCLEAR/VMPTRLD of a new VMCS failed");
		return -1;
	}
	vmcs_setup_host_state();
	if (setup_controls(v, c) || apicv_setup(v, pa) ||
	    xstate_vcpu_init(v, pa))
		return -1;
	setup_guest_common();
	switch (v->boot.mode) {
	case VCPU_BOOT_REAL:
		setup_guest_real(v, c);
		break;
	case VCPU_BOOT_PROT32:
		setup_guest_prot32(v, c);
		break;
	default:
		setup_guest_long(v, c);
		break;
	}
	v->regs.gpr[GPR_RAX] = v->boot.rax;
	v->regs.gpr[GPR_RBX] = v->boot.rbx;
	v->regs.gpr[GPR_RSI] = v->boot.rsi;
	v->regs.gpr[GPR_RDI] = v->boot.rdi;
	v->regs.gpr[GPR_RDX] = v->boot.rdx;
	if (v->vpid)
		invvpid(INVVPID_SINGLE_CONTEXT, v->vpid, 0);
	invept(INVEPT_SINGLE_CONTEXT, v->vm->eptp);
	/* Active here, with this CPU's host state (arch/x86/vmcs_owner.c). */
	v->vmcs_cpu = (int32_t)this_cpu()->index;
	v->host_cpu = this_cpu()->index;
	v->last_cpu = (int32_t)this_cpu()->index;
	return 0;
}

void vmcs_destroy(struct vcpu *v, struct page_allocator *pa)
{
	if (!v->vmcs_hpa)
		return;
	/* Not active on another CPU: vm_destroy() took the vCPU first
	 * (sched_take). */
	vmclear(v->vmcs_hpa);
	v->vmcs_cpu = -1;
	apicv_destroy(v, pa);
	xstate_vcpu_destroy(v, pa);
	page_free_contig(pa, v->vmcs_hpa, 1);
	v->vmcs_hpa = 0;
}

void vcpu_init_sipi(struct vcpu *v)
{
	uint32_t work = __atomic_exchange_n(&v->init_sipi, 0, __ATOMIC_ACQ_REL);

	if (work & VCPU_INIT) {
		/* Events in flight die with the old state, and the local
		 * APIC goes to its INIT state (SDM Vol. 3A, 11.4.7.3). */
		vcpu_lapic_init_reset(v);
		for (unsigned i = 0; i < 4; i++)
			v->posted[i] = v->posted_level[i] = 0;
		v->state = VCPU_WAIT_SIPI;
		v->exc_pending = false;
		v->reinject_info = 0;
		v->irq_pending = false;
		v->nmi_pending = false;
		v->halt_masked = false;
	}
	if ((work & VCPU_SIPI) && v->state == VCPU_WAIT_SIPI) {
		/* CS = vector << 8, its base vector << 12, IP 0; the rest as
		 * after INIT. */
		v->boot = (struct vcpu_boot){ .mode = VCPU_BOOT_REAL,
					      .real_cs = (uint16_t)(v->sipi_vector << 8) };
		setup_guest_common();
		setup_guest_real(v, &vmx_cpu.caps);
		vmwrite(VM_ENTRY_INTR_INFO_FIELD, 0);
		memset(&v->regs, 0, sizeof(v->regs));
		v->cr2 = 0;
		write_cr2(0); /* loaded already: this runs after the switch */
		v->state = VCPU_RUNNABLE;
		v->entry_work = 1;
	}
}
