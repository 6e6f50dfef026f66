/* SPDX-License-Identifier: MIT */
/*
 * Per-vCPU extended processor state: x87, SSE, AVX, AVX-512, PKRU and the
 * other user state components of the XSAVE feature set (Intel SDM Vol. 1,
 * chapter 13). The VMCS switches none of it, so the scheduler saves the
 * outgoing vCPU's registers into its own area and loads the incoming one's
 * at every switch between guests (vmm/sched.c).
 */
#ifndef SHALE_ARCH_X86_XSTATE_H
#define SHALE_ARCH_X86_XSTATE_H

#include <stdint.h>

#include "vmm/page_alloc.h"
#include "vmm/vcpu.h"

/* Once, before the first vCPU is created: make XSAVE (or FXSAVE) legal in
 * root mode (CR0.TS and CR0.EM clear, CR4.OSFXSR, CR4.OSXSAVE), and learn
 * which components the CPU has and how large their area is. */
/* CR0 and CR4 as XSAVE/FXSAVE need them, on the calling CPU. */
void xstate_cpu_init(void);
void xstate_host_init(void);
/* The XCR0 bits a guest may set: every user component the CPU supports
 * (1, x87 only, without XSAVE). Every area covers them all. */
uint64_t xstate_xcr0_supported(void);

/* A vCPU's area, from the page allocator, holding the init state: what a
 * new or restarted guest starts from. Returns 0, or -1 (logged). */
int xstate_vcpu_init(struct vcpu *v, struct page_allocator *pa);
/* Zero the area (nothing of a guest outlives it) and free it. */
void xstate_vcpu_destroy(struct vcpu *v, struct page_allocator *pa);

/* The CPU's extended state into v's area (v ran last), and v's area into
 * the CPU with v's XCR0 loaded. */
void xstate_save(struct vcpu *v);
void xstate_load(struct vcpu *v);

#endif
