/* SPDX-License-Identifier: MIT */
/*
 * Machine checks (Intel SDM Vol. 3B, chapter "Machine-Check
 * Architecture"): what the banks say, and what must stop because of it.
 */
#ifndef SHALE_ARCH_X86_MCE_H
#define SHALE_ARCH_X86_MCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MSR_IA32_MCG_CAP 0x179
#define MSR_IA32_MCG_STATUS 0x17a
#define MSR_IA32_MC0_CTL 0x400 /* bank i: CTL, STATUS, ADDR, MISC at 0x400 + 4i */

/* IA32_MCG_STATUS */
#define MCG_STATUS_RIPV (1ull << 0) /* the interrupted RIP can be restarted */
#define MCG_STATUS_EIPV (1ull << 1) /* ... and is where the error hit */
#define MCG_STATUS_MCIP (1ull << 2) /* a machine check is in progress */

/* IA32_MCi_STATUS */
#define MCI_STATUS_VAL (1ull << 63)
#define MCI_STATUS_OVER (1ull << 62)
#define MCI_STATUS_UC (1ull << 61)
#define MCI_STATUS_EN (1ull << 60)
#define MCI_STATUS_MISCV (1ull << 59)
#define MCI_STATUS_ADDRV (1ull << 58)
#define MCI_STATUS_PCC (1ull << 57)
#define MCI_STATUS_S (1ull << 56)
#define MCI_STATUS_AR (1ull << 55)

#define MCE_MAX_BANKS 32

/* What an error needs, least first. */
enum mce_action {
	MCE_NONE,       /* no valid error in the bank */
	MCE_LOG,        /* corrected, or uncorrected with no action needed */
	MCE_STOP_GUEST, /* the interrupted guest cannot go on; the rest can */
	MCE_STOP_ALL,   /* Shale's own state is suspect: every CPU stops */
};

/* One bank's error, and where it hit: in a guest (in_guest) or in Shale.
 * mcg_status is IA32_MCG_STATUS of the same event. */
enum mce_action mce_classify(uint64_t status, uint64_t mcg_status, bool in_guest);
/* "uncorrected, action required (SRAR)" and the like: the SDM's name for
 * the class of error a status describes. */
const char *mce_kind(uint64_t status);
const char *mce_action_name(enum mce_action a);

/* Where the bank values come from: the MSRs, or a test's made-up ones. */
typedef uint64_t (*mce_rdmsr_fn)(uint32_t msr);

struct vcpu;
/* A machine check on this CPU: reads every bank, logs each error with its
 * bank, status, address and misc, clears the banks, and returns the
 * strongest action any of them needs. v is the vCPU that was running
 * (NULL in root mode). */
enum mce_action mce_handle(struct vcpu *v, mce_rdmsr_fn rd, bool clear);
/* The machine's own machine checks: for v (a #MC exit or a VM entry that
 * failed on one; false: v was stopped, and Shale stops itself where it
 * must), and in root mode (true: IRET and go on; false: panic). */
bool mce_in_guest(struct vcpu *v);
bool mce_in_root(void);

#endif
