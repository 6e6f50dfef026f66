/* SPDX-License-Identifier: MIT */
/*
 * Speculation controls: what the host's CPU offers (CPUID.(7,0):EDX and
 * IA32_ARCH_CAPABILITIES), which barriers Shale then runs, and what it
 * shows its guests. The policy (arch/x86/spec_ctrl.c) is pure: compiled
 * into the hypervisor and into the host unit tests
 * (tests/unit/test_spec_ctrl.c). The barriers themselves are in
 * arch/x86/spec_barrier.c and, for the one right before VM entry,
 * arch/x86/vmx_entry.asm.
 *
 * Bits: Intel SDM Vol. 2A (CPUID) and Vol. 4 (MSRs 48H, 49H, 10AH, 10BH);
 * Intel's "Speculative Execution Side Channel Mitigations" and the
 * per-issue guidance (L1TF, MDS, TAA) for what each one means.
 */
#ifndef SHALE_ARCH_X86_SPEC_CTRL_H
#define SHALE_ARCH_X86_SPEC_CTRL_H

#include <stdbool.h>
#include <stdint.h>

/* CPUID.(EAX=7,ECX=0):EDX */
#define CPUID_7_EDX_MD_CLEAR (1u << 10)   /* VERW clears CPU buffers */
#define CPUID_7_EDX_IBRS_IBPB (1u << 26)  /* SPEC_CTRL.IBRS and PRED_CMD.IBPB */
#define CPUID_7_EDX_STIBP (1u << 27)      /* SPEC_CTRL.STIBP */
#define CPUID_7_EDX_L1D_FLUSH (1u << 28)  /* IA32_FLUSH_CMD */
#define CPUID_7_EDX_ARCH_CAP (1u << 29)   /* IA32_ARCH_CAPABILITIES */
#define CPUID_7_EDX_CORE_CAP (1u << 30)   /* IA32_CORE_CAPABILITIES */
#define CPUID_7_EDX_SSBD (1u << 31)       /* SPEC_CTRL.SSBD */
/* Every bit of CPUID.(7,0):EDX this policy decides about. */
#define CPUID_7_EDX_SPEC_BITS                                               \
	(CPUID_7_EDX_MD_CLEAR | CPUID_7_EDX_IBRS_IBPB | CPUID_7_EDX_STIBP | \
	 CPUID_7_EDX_L1D_FLUSH | CPUID_7_EDX_ARCH_CAP | CPUID_7_EDX_CORE_CAP | \
	 CPUID_7_EDX_SSBD)

/* IA32_SPEC_CTRL (48H) */
#define SPEC_CTRL_IBRS (1ull << 0)
#define SPEC_CTRL_STIBP (1ull << 1)
#define SPEC_CTRL_SSBD (1ull << 2)
/* IA32_PRED_CMD (49H), write-only */
#define PRED_CMD_IBPB (1ull << 0)
/* IA32_FLUSH_CMD (10BH), write-only */
#define FLUSH_CMD_L1D (1ull << 0)

/* IA32_ARCH_CAPABILITIES (10AH) */
#define ARCH_CAP_RDCL_NO (1ull << 0)         /* no Meltdown / L1TF */
#define ARCH_CAP_IBRS_ALL (1ull << 1)        /* enhanced IBRS */
#define ARCH_CAP_RSBA (1ull << 2)            /* RET may use the BTB */
#define ARCH_CAP_SKIP_L1DFL_VMENTRY (1ull << 3) /* no L1D flush needed at VM entry */
#define ARCH_CAP_SSB_NO (1ull << 4)          /* no speculative store bypass */
#define ARCH_CAP_MDS_NO (1ull << 5)          /* no MDS */
#define ARCH_CAP_IF_PSCHANGE_MC_NO (1ull << 6) /* no machine check on page size change */
#define ARCH_CAP_TSX_CTRL (1ull << 7)        /* IA32_TSX_CTRL exists */
#define ARCH_CAP_TAA_NO (1ull << 8)          /* no TSX asynchronous abort */
#define ARCH_CAP_SBDR_SSDP_NO (1ull << 13)   /* MMIO stale data: */
#define ARCH_CAP_FBSDP_NO (1ull << 14)       /*   not affected by */
#define ARCH_CAP_PSDP_NO (1ull << 15)        /*   each of its three ways */
#define ARCH_CAP_FB_CLEAR (1ull << 17)       /* VERW clears the fill buffers */
#define ARCH_CAP_RRSBA (1ull << 19)          /* RET may use alternate predictors */
#define ARCH_CAP_BHI_NO (1ull << 20)         /* no branch history injection */
#define ARCH_CAP_PBRSB_NO (1ull << 24)       /* no post-barrier RSB predictions */
#define ARCH_CAP_GDS_NO (1ull << 26)         /* no gather data sampling */
#define ARCH_CAP_RFDS_NO (1ull << 27)        /* no register file data sampling */
#define ARCH_CAP_RFDS_CLEAR (1ull << 28)     /* VERW clears the register file */

/*
 * The bits a guest may see: each describes the hardware (not affected by
 * X; instruction Y also clears Z) and asks nothing of Shale. Left out:
 * bits that announce an MSR Shale does not emulate (TSX_CTRL, FB_CLEAR_CTRL
 * and GDS_CTRL's IA32_MCU_OPT_CTRL, DOITM, the package and energy
 * controls, XAPIC_DISABLE_STATUS) and every bit this list does not know.
 */
#define ARCH_CAP_GUEST_BITS                                                  \
	(ARCH_CAP_RDCL_NO | ARCH_CAP_IBRS_ALL | ARCH_CAP_RSBA |              \
	 ARCH_CAP_SKIP_L1DFL_VMENTRY | ARCH_CAP_SSB_NO | ARCH_CAP_MDS_NO |    \
	 ARCH_CAP_IF_PSCHANGE_MC_NO | ARCH_CAP_TAA_NO | ARCH_CAP_SBDR_SSDP_NO | \
	 ARCH_CAP_FBSDP_NO | ARCH_CAP_PSDP_NO | ARCH_CAP_FB_CLEAR |           \
	 ARCH_CAP_RRSBA | ARCH_CAP_BHI_NO | ARCH_CAP_PBRSB_NO |              \
	 ARCH_CAP_GDS_NO | ARCH_CAP_RFDS_NO | ARCH_CAP_RFDS_CLEAR)

/* Barriers before VM entry, as bits of spec_entry_barriers (read by
 * arch/x86/vmx_entry.asm: keep the values in step with it). */
#define SPEC_ENTRY_L1D_FLUSH 1u
#define SPEC_ENTRY_VERW 2u

/* How Shale's own indirect branches and returns are kept from following
 * predictions a guest trained (Spectre v2, guest to root mode). */
enum spec_root_ibrs {
	SPEC_ROOT_IBRS_NONE,      /* the CPU has no IBRS: unprotected */
	SPEC_ROOT_IBRS_ENHANCED,  /* set once, kept while Shale runs */
	SPEC_ROOT_IBRS_EACH_EXIT, /* written again after every VM exit */
};
/* What the VM exit does to the return stack buffer before Shale's first
 * RET, which would otherwise pop a prediction the guest left there. */
enum spec_exit_rsb {
	SPEC_EXIT_RSB_NONE,       /* nothing needed (enhanced IBRS, PBRSB_NO) */
	SPEC_EXIT_RSB_ONE_CALL,   /* one CALL retired (post-barrier RSB) */
	SPEC_EXIT_RSB_FILL,       /* all entries overwritten */
};

struct spec_policy {
	/* What guests get. */
	uint32_t guest_cpuid7_edx; /* of CPUID_7_EDX_SPEC_BITS, those shown */
	uint64_t spec_ctrl_bits;   /* IA32_SPEC_CTRL bits a guest may set */
	bool spec_ctrl;            /* IA32_SPEC_CTRL exists */
	bool pred_cmd;             /* IA32_PRED_CMD exists (IBPB) */
	bool flush_cmd;            /* IA32_FLUSH_CMD exists (L1D flush) */
	bool arch_cap;             /* IA32_ARCH_CAPABILITIES exists */
	uint64_t guest_arch_cap;   /* what a guest reads there */
	/* What Shale does. */
	bool ibpb_on_switch;       /* IBPB when another guest gets the CPU */
	uint8_t entry_barriers;    /* SPEC_ENTRY_*: before every VM entry */
	enum spec_root_ibrs root_ibrs;
	uint64_t root_spec_ctrl;   /* IA32_SPEC_CTRL while Shale runs */
	enum spec_exit_rsb exit_rsb;
};

/* The policy for a host whose CPUID.(7,0):EDX is cpuid7_edx and whose
 * IA32_ARCH_CAPABILITIES reads arch_cap (give 0 where the CPU has none). */
void spec_policy_compute(uint32_t cpuid7_edx, uint64_t arch_cap,
			 struct spec_policy *p);

/* One line naming what is on, as the boot log prints it. */
void spec_policy_describe(const struct spec_policy *p, char *buf,
			  unsigned len);

#ifndef SHALE_UNIT_TEST
/* The host's policy, set once by spec_ctrl_init() before any guest runs. */
extern struct spec_policy spec_host;
/* spec_host.entry_barriers, where the entry stub finds it. */
extern uint8_t spec_entry_barriers;

struct vcpu;

void spec_ctrl_init(void);
/* This CPU's own IA32_SPEC_CTRL for root mode; once per CPU, after
 * spec_ctrl_init(). */
void spec_ctrl_cpu_init(void);
/* Another guest is about to run on this CPU. */
void spec_ctrl_switch(void);
/* A new VMCS (current): the guest's IA32_SPEC_CTRL starts at 0. */
void spec_ctrl_vcpu_init(struct vcpu *v);
/* The guest's IA32_SPEC_CTRL, as it reads it. */
uint64_t spec_ctrl_guest_get(const struct vcpu *v);
void spec_ctrl_guest_set(struct vcpu *v, uint64_t val);
#endif

#endif
