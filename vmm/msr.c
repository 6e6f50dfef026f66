/* SPDX-License-Identifier: MIT */
/*
 * MSR policy. Three kinds of MSR:
 *  - guest-owned (no exit): the SYSCALL/SWAPGS MSRs and the segment bases,
 *    which live in the VMCS or are switched with the vCPU;
 *  - emulated: the ones below, each with a reason;
 *  - everything else raises #GP, as a processor without that MSR would.
 * docs/msr.md lists them for guest writers.
 */
#include "arch/x86/include/cpu.h"
#include "arch/x86/include/msr.h"
#include "arch/x86/vmx_ops.h"
#include "lib/log.h"
#include "lib/string.h"
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

int msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
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
		/* xAPIC at the architectural address, enabled, bootstrap CPU. */
		*val = 0xfee00000ull | (1ull << 11) | (v->id == 0 ? 1ull << 8 : 0);
		return 0;
	case MSR_IA32_MISC_ENABLE:
		/* Fast strings as the host has it; BTS and PEBS unavailable. */
		*val = (rdmsr(MSR_IA32_MISC_ENABLE) & 1) | (1ull << 11) | (1ull << 12);
		return 0;
	case MSR_IA32_TSC_DEADLINE:
		if (!v->vm->pc)
			break;
		*val = lapic_get_tsc_deadline(&v->vm->pc->lapic);
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
	log_debug("msr", "guest \"%s\": RDMSR 0x%x is not on the allow list: #GP",
		  v->vm->name, msr);
	return -1;
}

int msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
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
	case MSR_IA32_SYSENTER_ESP:
		vcpu_set_state(v, VREG_SYSENTER_ESP, val);
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		vcpu_set_state(v, VREG_SYSENTER_EIP, val);
		return 0;
	case MSR_IA32_FS_BASE:
		vcpu_set_state(v, VREG_FS_BASE, val);
		return 0;
	case MSR_IA32_GS_BASE:
		vcpu_set_state(v, VREG_GS_BASE, val);
		return 0;
	case MSR_IA32_TSC:
		vmwrite(TSC_OFFSET, val - rdtsc());
		return 0;
	case MSR_IA32_TSC_ADJUST:
		vmwrite(TSC_OFFSET, val);
		return 0;
	case MSR_IA32_TSC_DEADLINE:
		if (!v->vm->pc)
			break;
		lapic_set_tsc_deadline(&v->vm->pc->lapic, val);
		return 0;
	case MSR_IA32_APIC_BASE:
	case MSR_IA32_MISC_ENABLE:
	case MSR_IA32_BIOS_SIGN_ID:
	case MSR_IA32_MTRR_DEF_TYPE:
	case MSR_IA32_MCG_STATUS:
		return 0; /* accepted and ignored: nothing here to change */
	case MSR_IA32_DEBUGCTL:
		return val ? -1 : 0;
	}
	log_debug("msr", "guest \"%s\": WRMSR 0x%x is not on the allow list: #GP",
		  v->vm->name, msr);
	return -1;
}
