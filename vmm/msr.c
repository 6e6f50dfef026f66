/* SPDX-License-Identifier: MIT */
/*
 * MSR policy. Three kinds of MSR:
 *  - guest-owned (no exit): the SYSCALL/SWAPGS MSRs and the segment bases,
 *    which live in the VMCS or are switched with the vCPU. The CPU checks
 *    a guest's WRMSR to them itself (a non-canonical address is #GP), so
 *    only values it accepted reach vmm/sched.c's switch;
 *  - emulated: the ones below, each with a reason;
 *  - everything else raises #GP, as a processor without that MSR would.
 * docs/msr.md lists them for guest writers.
 */
#include "arch/x86/include/cpu.h"
#include "arch/x86/apicv.h"
#include "arch/x86/include/msr.h"
#include "arch/x86/spec_ctrl.h"
#include "arch/x86/vmx_ops.h"
#include "lib/log.h"
#include "lib/string.h"
#include "vmm/irq.h"
#include "vmm/msr.h"
#include "vmm/pc.h"
#include "vmm/vm.h"

static const uint32_t guest_owned[] = {
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	MSR_IA32_STAR,	      MSR_IA32_LSTAR,	     MSR_IA32_CSTAR,
	MSR_IA32_FMASK,	      MSR_IA32_FS_BASE,	     MSR_IA32_GS_BASE,
	MSR_IA32_KERNEL_GS_BASE, MSR_IA32_TSC_AUX,
};

/* Bitmap layout: read-low, read-high, write-low, write-high, 1 KiB each;
 * "low" is 0-0x1fff, "high" is 0xc0000000-0xc0001fff. */
static void allow(uint8_t *bitmap, uint32_t msr)
{
	unsigned off = msr >= 0xc0000000u ? 1024 : 0;
	unsigned bit = msr & 0x1fff;

	bitmap[off + bit / 8] &= ~(1u << (bit % 8));
	bitmap[2048 + off + bit / 8] &= ~(1u << (bit % 8));
}

void msr_build_bitmap(uint8_t *bitmap)
{
	memset(bitmap, 0xff, 4096);
	for (unsigned i = 0; i < sizeof(guest_owned) / sizeof(guest_owned[0]); i++)
		allow(bitmap, guest_owned[i]);
}

/* An address whose bits above the linear-address width all equal the
 * highest bit within it (SDM Vol. 1, 3.3.7.1): what WRMSR demands of the
 * SYSENTER, FS/GS base and SYSCALL target MSRs, and a VM entry of the
 * VMCS fields that hold some of them. */
static bool canonical(uint64_t addr)
{
	unsigned shift = 64 - cpu_linear_bits();

	return (uint64_t)((int64_t)(addr << shift) >> shift) == addr;
}

/* IA32_APIC_BASE (SDM Vol. 3A, 11.4.4): bits 7:0 and 9 are reserved, bit
 * 10 (x2APIC mode) too where CPUID does not offer x2APIC (a guest without
 * a local APIC model, vmm/cpuid.c), and so is everything at or above
 * MAXPHYADDR. */
static bool apic_base_valid(const struct vcpu *v, uint64_t val)
{
	uint64_t reserved = 0x2ffull | ~((1ull << cpu_phys_bits()) - 1);

	if (!v->vm->pc)
		reserved |= APIC_BASE_EXTD;
	return !(val & reserved);
}

/* MSRs 0x800-0x8FF are the local APIC's registers in x2APIC mode, and
 * raise #GP in any other (SDM Vol. 3A, 11.12.2). */
static struct lapic *x2apic_of(struct vcpu *v, uint32_t msr)
{
	struct lapic *l;

	if (msr < LAPIC_MSR_BASE || msr > LAPIC_MSR_END)
		return NULL;
	l = vcpu_lapic(v);
	return l && lapic_x2apic_mode(l) ? l : NULL;
}

static bool pat_valid(uint64_t pat)
{
	for (int i = 0; i < 8; i++) {
		uint8_t t = pat >> (i * 8);

		/* 0 UC, 1 WC, 4 WT, 5 WP, 6 WB, 7 UC- (SDM Vol. 3A, 12.12.2) */
		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

/* A mode change takes the VMCS along (virtualized x2APIC mode). */
static int apic_base_write(struct vcpu *v, struct lapic *l, uint64_t val)
{
	bool was_x2 = lapic_x2apic_mode(l);

	if (lapic_set_apic_base(l, val))
		return -1;
	if (lapic_x2apic_mode(l) == was_x2)
		return 0;
	if (apicv_x2apic_mode_changed(v))
		log_info("apic", "guest \"%s\" vCPU %u: local APIC in x2APIC mode, "
			 "its MSRs virtualized by VMX", v->vm->name, v->id);
	else
		log_info("apic", "guest \"%s\" vCPU %u: local APIC %s", v->vm->name, v->id,
			 was_x2 ? "out of x2APIC mode" : "in x2APIC mode, its MSRs trapped");
	return 0;
}

/* The named MSRs come first and the x2APIC range after the switch, so
 * that the common exits pay nothing for it (tests/emu/exit_budgets.txt). */
int msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	struct lapic *x2;

	switch (msr) {
	case MSR_IA32_EFER:
		*val = vcpu_get_state(v, VREG_EFER);
		return 0;
	case MSR_IA32_PAT:
		*val = vcpu_get_state(v, VREG_PAT);
		return 0;
	case MSR_IA32_SYSENTER_CS:
		*val = vcpu_get_state(v, VREG_SYSENTER_CS);
		return 0;
	case MSR_IA32_SYSENTER_ESP:
		*val = vcpu_get_state(v, VREG_SYSENTER_ESP);
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		*val = vcpu_get_state(v, VREG_SYSENTER_EIP);
		return 0;
	case MSR_IA32_FS_BASE:
		*val = vcpu_get_state(v, VREG_FS_BASE);
		return 0;
	case MSR_IA32_GS_BASE:
		*val = vcpu_get_state(v, VREG_GS_BASE);
		return 0;
	case MSR_IA32_TSC:
		*val = rdtsc() + vmread(TSC_OFFSET);
		return 0;
	case MSR_IA32_TSC_ADJUST:
		/* What the guest added to its TSC by writing it (SDM Vol. 3B,
		 * 17.17.3): here the offset Shale applies. */
		*val = vmread(TSC_OFFSET);
		return 0;
	case MSR_IA32_FEATURE_CONTROL:
		/* Locked with VMX off: the guest sees a CPU it cannot nest on. */
		*val = FEATURE_CONTROL_LOCK;
		return 0;
	case MSR_IA32_APIC_BASE:
		if (vcpu_lapic(v)) {
			*val = lapic_get_apic_base(vcpu_lapic(v));
			return 0;
		}
		/* xAPIC at the architectural address, enabled, bootstrap CPU. */
		*val = 0xfee00000ull | APIC_BASE_EN | (v->id == 0 ? APIC_BASE_BSP : 0);
		return 0;
	case MSR_IA32_MISC_ENABLE:
		/* Fast strings as the host has it; BTS and PEBS unavailable. */
		*val = (rdmsr(MSR_IA32_MISC_ENABLE) & 1) | (1ull << 11) | (1ull << 12);
		return 0;
	case MSR_IA32_TSC_DEADLINE:
		if (!v->vm->pc)
			break;
		*val = lapic_get_tsc_deadline(vcpu_lapic(v));
		return 0;
	case MSR_IA32_XSS:
		/* CPUID offers XSAVES but no supervisor state component
		 * (vmm/cpuid.c clears CPUID.(0DH,1):ECX/EDX), so 0 is the
		 * only value IA32_XSS can hold. */
		if (!(v->proc2_ctls & SECONDARY_EXEC_ENABLE_XSAVES))
			break;
		*val = 0;
		return 0;
	/* Speculation controls (arch/x86/spec_ctrl.c decides what exists):
	 * SPEC_CTRL is the guest's own value; ARCH_CAPABILITIES is the
	 * host's, cut to the bits that describe the hardware. PRED_CMD and
	 * FLUSH_CMD are write-only: their reads stay #GP. */
	case MSR_IA32_SPEC_CTRL:
		if (!spec_host.spec_ctrl)
			break;
		*val = spec_ctrl_guest_get(v);
		return 0;
	case MSR_IA32_ARCH_CAPABILITIES:
		if (!spec_host.arch_cap)
			break;
		*val = spec_host.guest_arch_cap;
		return 0;
	case MSR_IA32_PLATFORM_ID:
	case MSR_IA32_BIOS_SIGN_ID:
	case MSR_IA32_MTRRCAP:
	case MSR_IA32_MTRR_DEF_TYPE:
	case MSR_IA32_MCG_CAP:
	case MSR_IA32_MCG_STATUS:
	case MSR_IA32_DEBUGCTL:
		*val = 0;
		return 0;
	}
	x2 = x2apic_of(v, msr);
	if (x2)
		return lapic_msr_read(x2, msr, val);
	log_debug("msr", "guest \"%s\": RDMSR 0x%x is not on the allow list: #GP",
		  v->vm->name, msr);
	return -1;
}

/* The guest's TSC is the host's plus TSC_OFFSET. Its TSC-deadline timer
 * compares the guest's TSC, so the local APIC learns every new offset. */
static void tsc_offset_write(struct vcpu *v, uint64_t offset)
{
	vmwrite(TSC_OFFSET, offset);
	if (v->vm->pc)
		lapic_set_tsc_offset(vcpu_lapic(v), offset);
}

int msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	struct lapic *x2;

	switch (msr) {
	case MSR_IA32_EFER: {
		uint64_t old = vcpu_get_state(v, VREG_EFER);

		if (val & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
			return -1;
		/* LME may not change while paging is on (SDM Vol. 3A, 9.8.5);
		 * LMA is the processor's to set. */
		if (((val ^ old) & EFER_LME) &&
		    (vcpu_get_state(v, VREG_CR0) & CR0_PG))
			return -1;
		vcpu_set_state(v, VREG_EFER, (val & ~EFER_LMA) | (old & EFER_LMA));
		return 0;
	}
	case MSR_IA32_PAT:
		if (!pat_valid(val))
			return -1;
		vcpu_set_state(v, VREG_PAT, val);
		return 0;
	case MSR_IA32_SYSENTER_CS:
		vcpu_set_state(v, VREG_SYSENTER_CS, val);
		return 0;
	/* Guest-owned, so these only come here if the bitmap changes; a
	 * non-canonical value would then fail the VM entry (SDM Vol. 3C,
	 * 27.3.1.1 and 27.3.1.2) instead of giving the guest its #GP. */
	case MSR_IA32_SYSENTER_ESP:
		if (!canonical(val))
			return -1;
		vcpu_set_state(v, VREG_SYSENTER_ESP, val);
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		if (!canonical(val))
			return -1;
		vcpu_set_state(v, VREG_SYSENTER_EIP, val);
		return 0;
	case MSR_IA32_FS_BASE:
		if (!canonical(val))
			return -1;
		vcpu_set_state(v, VREG_FS_BASE, val);
		return 0;
	case MSR_IA32_GS_BASE:
		if (!canonical(val))
			return -1;
		vcpu_set_state(v, VREG_GS_BASE, val);
		return 0;
	case MSR_IA32_TSC:
		tsc_offset_write(v, val - rdtsc());
		return 0;
	case MSR_IA32_TSC_ADJUST:
		tsc_offset_write(v, val);
		return 0;
	case MSR_IA32_TSC_DEADLINE:
		if (!v->vm->pc)
			break;
		lapic_set_tsc_deadline(vcpu_lapic(v), val);
		return 0;
	case MSR_IA32_APIC_BASE:
		/* The local APIC stays where it is (docs/msr.md), but a
		 * value no CPU would take is the guest's #GP; so is a mode
		 * change the SDM forbids. */
		if (!apic_base_valid(v, val))
			return -1;
		v->entry_work = 1; /* a reset APIC: new RVI and SVI */
		if (!vcpu_lapic(v))
			return 0;
		return apic_base_write(v, vcpu_lapic(v), val);
	case MSR_IA32_XSS:
		if (!(v->proc2_ctls & SECONDARY_EXEC_ENABLE_XSAVES))
			break;
		return val ? -1 : 0;
	/* Only the bits the host has (CPUID shows those alone); the value
	 * reaches the MSR through the VM-entry MSR-load area. */
	case MSR_IA32_SPEC_CTRL:
		if (!spec_host.spec_ctrl || (val & ~spec_host.spec_ctrl_bits))
			break;
		spec_ctrl_guest_set(v, val);
		return 0;
	/* A barrier the guest asks for acts on the real CPU, as it would
	 * bare; 0 is a valid no-op write, every other bit reserved. */
	case MSR_IA32_PRED_CMD:
		if (!spec_host.pred_cmd || (val & ~PRED_CMD_IBPB))
			break;
		if (val)
			wrmsr(MSR_IA32_PRED_CMD, PRED_CMD_IBPB);
		return 0;
	case MSR_IA32_FLUSH_CMD:
		if (!spec_host.flush_cmd || (val & ~FLUSH_CMD_L1D))
			break;
		if (val)
			wrmsr(MSR_IA32_FLUSH_CMD, FLUSH_CMD_L1D);
		return 0;
	case MSR_IA32_MISC_ENABLE:
	case MSR_IA32_BIOS_SIGN_ID:
	case MSR_IA32_MTRR_DEF_TYPE:
	case MSR_IA32_MCG_STATUS:
		return 0; /* accepted and ignored: nothing here to change */
	case MSR_IA32_DEBUGCTL:
		return val ? -1 : 0;
	}
	x2 = x2apic_of(v, msr);
	if (x2) {
		/* An EOI, TPR or ICR write can change what the next entry
		 * must tell the CPU (RVI, SVI, the EOI-exit bitmap). */
		v->entry_work = 1;
		return lapic_msr_write(x2, msr, val);
	}
	log_debug("msr", "guest \"%s\": WRMSR 0x%x is not on the allow list: #GP",
		  v->vm->name, msr);
	return -1;
}
