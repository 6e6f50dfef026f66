/* SPDX-License-Identifier: MIT */
/*
 * The speculation-control policy: from what the host's CPU says of itself,
 * which barriers Shale runs and what its guests see. Pure, so that every
 * combination is unit-tested (tests/unit/test_spec_ctrl.c); the barriers
 * are run by arch/x86/spec_barrier.c and arch/x86/vmx_entry.asm.
 * docs/security.md explains the choices.
 */
#include "arch/x86/spec_ctrl.h"

void spec_policy_compute(uint32_t cpuid7_edx, uint64_t arch_cap,
			 struct spec_policy *p)
{
	bool has_arch_cap = cpuid7_edx & CPUID_7_EDX_ARCH_CAP;

	*p = (struct spec_policy){ 0 };
	/* An IA32_ARCH_CAPABILITIES the CPUID does not announce is not
	 * there: whatever the caller read means nothing. */
	if (!has_arch_cap)
		arch_cap = 0;

	/* Guests see each bit whose MSR or instruction Shale then gives
	 * them, where the host has it. CORE_CAPABILITIES stays hidden: its
	 * MSR is not emulated. */
	p->guest_cpuid7_edx = cpuid7_edx & CPUID_7_EDX_SPEC_BITS &
			      ~CPUID_7_EDX_CORE_CAP;
	if (cpuid7_edx & CPUID_7_EDX_IBRS_IBPB) {
		p->spec_ctrl_bits |= SPEC_CTRL_IBRS;
		p->pred_cmd = true;
	}
	if (cpuid7_edx & CPUID_7_EDX_STIBP)
		p->spec_ctrl_bits |= SPEC_CTRL_STIBP;
	if (cpuid7_edx & CPUID_7_EDX_SSBD)
		p->spec_ctrl_bits |= SPEC_CTRL_SSBD;
	/* IA32_SPEC_CTRL exists when any of its bits does (SDM Vol. 4,
	 * table 2-2, 48H). */
	p->spec_ctrl = p->spec_ctrl_bits != 0;
	p->flush_cmd = cpuid7_edx & CPUID_7_EDX_L1D_FLUSH;
	p->arch_cap = has_arch_cap;
	p->guest_arch_cap = arch_cap & ARCH_CAP_GUEST_BITS;

	/* Spectre variant 2 (branch target injection) between guests: a
	 * guest could train the indirect branch predictors so that the next
	 * guest's branches speculate into a gadget of its choosing. IBPB
	 * empties them when the CPU changes hands. Even enhanced IBRS does
	 * not separate two guests (both run in the same predictor mode). */
	p->ibpb_on_switch = p->pred_cmd;

	/* Spectre v2 from a guest into Shale: a guest may train the
	 * predictors for Shale's own indirect branches (the exit dispatch
	 * table) and returns. With enhanced IBRS (IBRS_ALL), IBRS set once
	 * keeps predictions trained in a less privileged mode, which VMX
	 * non-root is, out of root mode; the VM exit itself restores it if a
	 * guest's value was loaded. Without it, plain IBRS only protects
	 * after it is written, so it is written again at every exit. */
	if ((cpuid7_edx & CPUID_7_EDX_IBRS_IBPB) && (arch_cap & ARCH_CAP_IBRS_ALL))
		p->root_ibrs = SPEC_ROOT_IBRS_ENHANCED;
	else if (cpuid7_edx & CPUID_7_EDX_IBRS_IBPB)
		p->root_ibrs = SPEC_ROOT_IBRS_EACH_EXIT;
	else
		p->root_ibrs = SPEC_ROOT_IBRS_NONE;
	p->root_spec_ctrl = p->root_ibrs != SPEC_ROOT_IBRS_NONE ? SPEC_CTRL_IBRS : 0;

	/* The return stack buffer still holds the guest's entries after a VM
	 * exit, and Shale's first unbalanced RET (vmx_enter's own) would pop
	 * one. Enhanced IBRS covers them, except the one prediction taken
	 * right after the exit on CPUs without PBRSB_NO: one retired CALL
	 * (Intel's post-barrier RSB guidance). Otherwise every entry is
	 * overwritten with a harmless one. */
	if (p->root_ibrs == SPEC_ROOT_IBRS_ENHANCED)
		p->exit_rsb = (arch_cap & ARCH_CAP_PBRSB_NO) ? SPEC_EXIT_RSB_NONE
							      : SPEC_EXIT_RSB_ONE_CALL;
	else
		p->exit_rsb = SPEC_EXIT_RSB_FILL;

	/* L1 terminal fault (L1TF, Foreshadow-VMM): a guest's non-present
	 * page table entry can make the CPU read whatever the L1D holds at
	 * that physical address, whatever EPT says: another guest's data
	 * or Shale's. Flush the L1D before entry unless the CPU says it is
	 * not affected (RDCL_NO) or that a VMM need not flush
	 * (SKIP_L1DFL_VMENTRY, set by a hypervisor below us that flushes
	 * itself). Every entry, since exit handlers may touch data that is
	 * not the guest's own (the serial queue holds all guests' output). */
	if (p->flush_cmd &&
	    !(arch_cap & (ARCH_CAP_RDCL_NO | ARCH_CAP_SKIP_L1DFL_VMENTRY)))
		p->entry_barriers |= SPEC_ENTRY_L1D_FLUSH;

	/* Microarchitectural data sampling (MDS: MSBDS, MFBDS, MLPDS, MDSUM)
	 * and TSX asynchronous abort: the store, fill and load-port buffers
	 * may still hold root-mode data (another guest's, Shale's) that the
	 * guest can sample. VERW clears them where MD_CLEAR says so. Not
	 * needed where the CPU is not affected (MDS_NO, and TAA_NO or no
	 * TSX: Shale does not look at TSX, so MDS_NO alone is not enough
	 * unless TAA_NO says so too). The L1D flush also clears the buffers
	 * (Intel's MDS guidance), so with it VERW would only repeat it. */
	if ((cpuid7_edx & CPUID_7_EDX_MD_CLEAR) &&
	    !((arch_cap & ARCH_CAP_MDS_NO) && (arch_cap & ARCH_CAP_TAA_NO)) &&
	    !(p->entry_barriers & SPEC_ENTRY_L1D_FLUSH))
		p->entry_barriers |= SPEC_ENTRY_VERW;
}

static unsigned append(char *buf, unsigned len, unsigned at, const char *s)
{
	while (*s && at + 1 < len)
		buf[at++] = *s++;
	if (len)
		buf[at < len ? at : len - 1] = '\0';
	return at;
}

void spec_policy_describe(const struct spec_policy *p, char *buf,
			  unsigned len)
{
	unsigned at = 0;

	at = append(buf, len, at, "IBPB on guest switch ");
	at = append(buf, len, at, p->ibpb_on_switch ? "on" : "off");
	at = append(buf, len, at, ", L1D flush on entry ");
	at = append(buf, len, at, p->entry_barriers & SPEC_ENTRY_L1D_FLUSH ? "on" : "off");
	at = append(buf, len, at, ", VERW on entry ");
	at = append(buf, len, at, p->entry_barriers & SPEC_ENTRY_VERW ? "on" : "off");
	at = append(buf, len, at, ", root IBRS ");
	at = append(buf, len, at,
		    p->root_ibrs == SPEC_ROOT_IBRS_ENHANCED ? "enhanced" :
		    p->root_ibrs == SPEC_ROOT_IBRS_EACH_EXIT ? "at every exit" :
							       "unavailable");
	at = append(buf, len, at, ", RSB at exit ");
	at = append(buf, len, at,
		    p->exit_rsb == SPEC_EXIT_RSB_FILL ? "filled" :
		    p->exit_rsb == SPEC_EXIT_RSB_ONE_CALL ? "one call" : "as is");
	at = append(buf, len, at, "; guests get");
	if (p->spec_ctrl)
		at = append(buf, len, at, " SPEC_CTRL");
	if (p->pred_cmd)
		at = append(buf, len, at, " PRED_CMD");
	if (p->flush_cmd)
		at = append(buf, len, at, " FLUSH_CMD");
	if (p->arch_cap)
		at = append(buf, len, at, " ARCH_CAPABILITIES");
	if (p->guest_cpuid7_edx & CPUID_7_EDX_MD_CLEAR)
		at = append(buf, len, at, " MD_CLEAR");
	if (!(p->spec_ctrl || p->pred_cmd || p->flush_cmd || p->arch_cap ||
	      (p->guest_cpuid7_edx & CPUID_7_EDX_MD_CLEAR)))
		append(buf, len, at, " none");
}
