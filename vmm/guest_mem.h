/* SPDX-License-Identifier: MIT */
/*
 * Reaching guest memory by guest-linear address: a walk of the guest's own
 * page tables (no paging, 32-bit, PAE and 4-level, Intel SDM Vol. 3A,
 * chapter 4), then guest-physical to host through vm_gpa_to_hva().
 *
 * 5-level paging is not walked: CPUID hides LA57 and CR4.LA57 is refused
 * (vmm/cpuid.c, arch/x86/exit_cr.c), so no guest can turn it on.
 */
#ifndef SHALE_VMM_GUEST_MEM_H
#define SHALE_VMM_GUEST_MEM_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/vcpu.h"

/* Translate a guest-linear address. Returns 0, or -1 when it is not mapped
 * (or its page tables are not in guest RAM). No access rights are checked:
 * for reading what the CPU itself already fetched (the instruction bytes
 * of an exit). */
int guest_linear_to_phys(struct vcpu *v, uint64_t gla, uint64_t *gpa);

/* What an emulated data access is, for guest_linear_access(). */
#define GUEST_ACC_WRITE	(1u << 0)
#define GUEST_ACC_USER	(1u << 1)	/* made at CPL 3 */
#define GUEST_ACC_PEEK	(1u << 2)	/* translate only: no checks, no A/D */

/* Page-fault error code bits (SDM Vol. 3A, 4.7). */
#define PF_ERR_P	(1u << 0)	/* a protection violation, not a missing page */
#define PF_ERR_W	(1u << 1)
#define PF_ERR_U	(1u << 2)
#define PF_ERR_RSVD	(1u << 3)
#define PF_ERR_PK	(1u << 5)

enum guest_walk {
	GUEST_WALK_OK,
	GUEST_WALK_PF,		/* the guest's #PF: *pf_err holds its error code */
	GUEST_WALK_NO_RAM,	/* a paging-structure entry lies outside guest RAM */
};

/*
 * Translate a guest-linear address for an explicit data access as the CPU
 * makes it (SDM Vol. 3A, 4.6): P, R/W and U/S of every level, CR0.WP,
 * CR4.SMAP with RFLAGS.AC (@rflags), reserved bits (MAXPHYADDR, XD
 * without EFER.NXE, PS in a PML4E, large-page address bits) and
 * protection keys (CR4.PKE, PKRU). On success, sets the accessed flags,
 * and the dirty flag of a write, as the CPU would.
 */
enum guest_walk guest_linear_access(struct vcpu *v, uint64_t gla, unsigned acc,
				    uint64_t rflags, uint64_t *gpa,
				    uint32_t *pf_err);

/* What guest_walk() reads of the guest's registers. */
struct guest_paging {
	uint64_t cr0, cr3, cr4, efer, rflags;
	uint32_t pkru;
	unsigned maxphyaddr;	/* the guest's CPUID.80000008H:EAX[7:0] */
};

/* The walk itself, over guest memory and the state in *pg: what
 * guest_linear_access() runs, separate for the unit tests. */
enum guest_walk guest_walk(struct vm *vm, const struct guest_paging *pg,
			   uint64_t gla, unsigned acc, uint64_t *gpa,
			   uint32_t *pf_err);

/* Copy len bytes at a guest-linear address, page by page. Returns the
 * number of bytes copied (less than len where the mapping ends). */
uint64_t guest_read_linear(struct vcpu *v, uint64_t gla, void *buf,
			   uint64_t len);

#endif
