/* SPDX-License-Identifier: MIT */
/*
 * Switching the extended state of guests that share one CPU.
 *
 * Shale itself is compiled with -mgeneral-regs-only: from a VM exit to the
 * next entry it never touches an x87, SSE, AVX or mask register, nor PKRU.
 * So while a vCPU is the scheduler's current one, the CPU's registers are
 * that guest's, and they only have to be moved at a switch between guests:
 * not at every exit.
 *
 * Save and restore always cover every component the CPU supports (the
 * instruction mask and XCR0 are both the full set during the switch), not
 * only those in the guest's XCR0: legacy SSE works with CR4.OSFXSR alone
 * whatever XCR0 says, and a component a guest has not enabled yet still
 * holds the previous guest's values until something loads it. A guest
 * would see them as soon as it sets the bit with XSETBV. Loading the full
 * set from the incoming vCPU's own area overwrites all of it; the guest's
 * own XCR0 goes back in last.
 *
 * Without XSAVE, FXSAVE/FXRSTOR move x87 and SSE (the 512-byte legacy
 * area), which is all such a CPU has.
 */
#include "arch/x86/xstate.h"
#include "arch/x86/include/cpu.h"
#include "arch/x86/xcr0.h"
#include "lib/log.h"
#include "lib/string.h"
#include "vmm/vm.h"

#define SRC "xstate"

/* The legacy region of the XSAVE/FXSAVE area (SDM Vol. 1, 10.5.1) and the
 * XSAVE header that follows it (13.4.2). */
#define AREA_FCW 0          /* x87 control word, 16 bits */
#define AREA_FTW 4          /* abridged tag word, 8 bits: 0 = all empty */
#define AREA_MXCSR 24       /* 32 bits */
#define AREA_LEGACY_SIZE 512
#define AREA_HEADER_SIZE 64
#define AREA_ALIGN 64       /* XSAVE: 64 bytes; FXSAVE: 16 */

/* Init values (SDM Vol. 1, 13.6 and 10.5.1): FINIT's control word and
 * MXCSR at power-up, all exceptions masked. */
#define FCW_INIT 0x037f
#define MXCSR_INIT 0x1f80

static struct {
	bool xsave;         /* else FXSAVE */
	uint64_t mask;      /* components switched: all the CPU supports */
	uint32_t size;      /* bytes of one area */
} host;

_Static_assert(PAGE_SIZE % AREA_ALIGN == 0,
	       "areas come from the page allocator: page alignment covers XSAVE's");

static inline void xsave64(void *area, uint64_t mask)
{
	asm volatile("xsave64 (%0)" ::"r"(area), "a"((uint32_t)mask),
		     "d"((uint32_t)(mask >> 32))
		     : "memory");
}

static inline void xrstor64(const void *area, uint64_t mask)
{
	asm volatile("xrstor64 (%0)" ::"r"(area), "a"((uint32_t)mask),
		     "d"((uint32_t)(mask >> 32))
		     : "memory");
}

static inline void fxsave64(void *area)
{
	asm volatile("fxsave64 (%0)" ::"r"(area) : "memory");
}

static inline void fxrstor64(const void *area)
{
	asm volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
}

/* FXSAVE raises #NM with CR0.TS or CR0.EM set, XSAVE with CR0.TS; FXSAVE
 * saves the XMM registers only with CR4.OSFXSR, XSAVE runs only with
 * CR4.OSXSAVE. The firmware's values are not trusted. The VMCS host state
 * copies CR0 and CR4 later, so every VM exit comes back to these. Every
 * CPU that runs guests, after xstate_host_init() on CPU 0. */
void xstate_cpu_init(void)
{
	write_cr0(read_cr0() & ~(CR0_TS | CR0_EM));
	write_cr4(read_cr4() | CR4_OSFXSR | (host.xsave ? CR4_OSXSAVE : 0));
}

void xstate_host_init(void)
{
	struct cpuid_regs r;

	cpuid_count(1, 0, &r);
	host.xsave = r.ecx & CPUID_1_ECX_XSAVE;
	xstate_cpu_init();
	if (!host.xsave) {
		host.mask = XCR0_X87 | XCR0_SSE;
		host.size = AREA_LEGACY_SIZE;
		log_info(SRC, "no XSAVE: x87 and SSE state switched with FXSAVE");
		return;
	}
	cpuid_count(0xd, 0, &r);
	host.mask = (((uint64_t)r.edx << 32) | r.eax) &
		    ~(XCR0_SUPERVISOR_ONLY | XCR0_RESERVED_63);
	/* ECX: the size for every supported component, whatever XCR0 holds
	 * now; the header must fit even if the CPU said less. */
	host.size = r.ecx;
	if (host.size < AREA_LEGACY_SIZE + AREA_HEADER_SIZE)
		host.size = AREA_LEGACY_SIZE + AREA_HEADER_SIZE;
	log_info(SRC, "XSAVE: components 0x%lx switched, %u bytes per vCPU",
		 (unsigned long)host.mask, (unsigned)host.size);
}

uint64_t xstate_xcr0_supported(void)
{
	return host.xsave ? host.mask : XCR0_X87;
}

static uint64_t area_pages(void)
{
	return (host.size + PAGE_SIZE - 1) / PAGE_SIZE;
}

/* The init state as an image XRSTOR/FXRSTOR can load. For XRSTOR an
 * all-zero header (XSTATE_BV = 0, standard form) puts every component in
 * its init state, except MXCSR, which it loads from the legacy region
 * whenever SSE or AVX is requested: hence MXCSR_INIT. FXRSTOR takes every
 * field as written. */
static void area_init(uint8_t *a)
{
	memset(a, 0, area_pages() * PAGE_SIZE);
	*(uint16_t *)(a + AREA_FCW) = FCW_INIT;
	a[AREA_FTW] = 0;
	*(uint32_t *)(a + AREA_MXCSR) = MXCSR_INIT;
}

int xstate_vcpu_init(struct vcpu *v, struct page_allocator *pa)
{
	uint64_t area = page_alloc_contig(pa, area_pages(), PAGE_SIZE);

	if (!area) {
		log_err(SRC, "guest \"%s\": out of memory for its extended state (%u bytes)",
			v->vm->name, (unsigned)host.size);
		return -1;
	}
	area_init((uint8_t *)area);
	v->xstate_area = area;
	return 0;
}

void xstate_vcpu_destroy(struct vcpu *v, struct page_allocator *pa)
{
	if (!v->xstate_area)
		return;
	memset((void *)v->xstate_area, 0, area_pages() * PAGE_SIZE);
	page_free_contig(pa, v->xstate_area, area_pages());
	v->xstate_area = 0;
}

void xstate_save(struct vcpu *v)
{
	if (!host.xsave) {
		fxsave64((void *)v->xstate_area);
		return;
	}
	/* The instruction mask is ANDed with XCR0: the full set needs the
	 * full XCR0 for the moment. */
	if (v->xcr0 != host.mask)
		xsetbv(0, host.mask);
	xsave64((void *)v->xstate_area, host.mask);
}

void xstate_load(struct vcpu *v)
{
	if (!host.xsave) {
		fxrstor64((const void *)v->xstate_area);
		return;
	}
	/* XCR0 may hold anything here: the last guest's value if it was
	 * destroyed rather than saved. */
	xsetbv(0, host.mask);
	xrstor64((const void *)v->xstate_area, host.mask);
	if (v->xcr0 != host.mask)
		xsetbv(0, v->xcr0);
}

/* RDPKRU needs CR4.PKE, which Shale keeps clear in root mode: set for the
 * one instruction (it changes nothing for Shale, whose pages are all
 * supervisor pages). Called only while v is the current vCPU, whose PKRU
 * is in the register, and with the guest's CR4.PKE set, which only a CPU
 * with protection keys lets it set. */
uint32_t vcpu_pkru(struct vcpu *v)
{
	uint64_t cr4 = read_cr4();
	uint32_t pkru, edx;

	(void)v;
	write_cr4(cr4 | CR4_PKE);
	asm volatile("rdpkru" : "=a"(pkru), "=d"(edx) : "c"(0));
	write_cr4(cr4);
	return pkru;
}
