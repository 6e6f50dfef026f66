/* SPDX-License-Identifier: MIT */
/*
 * The rules for a value of XCR0 (Intel SDM Vol. 1, 13.3 "Enabling the
 * XSAVE Feature Set and XSAVE-Enabled Features", and XSETBV in Vol. 2D).
 * Pure: compiled into the hypervisor (exit_xsetbv) and into the host unit
 * tests (tests/unit/test_xcr0.c).
 */
#ifndef SHALE_ARCH_X86_XCR0_H
#define SHALE_ARCH_X86_XCR0_H

#include <stdbool.h>
#include <stdint.h>

/* State components by XCR0 bit (SDM Vol. 1, 13.1). */
#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)
#define XCR0_BNDREGS (1ull << 3)
#define XCR0_BNDCSR (1ull << 4)
#define XCR0_OPMASK (1ull << 5)
#define XCR0_ZMM_HI256 (1ull << 6)
#define XCR0_HI16_ZMM (1ull << 7)
#define XCR0_AVX512 (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)
#define XCR0_PKRU (1ull << 9)
#define XCR0_XTILECFG (1ull << 17)
#define XCR0_XTILEDATA (1ull << 18)

/*
 * Supervisor state components, managed through IA32_XSS by XSAVES and
 * XRSTORS only: PT (8), PASID (10), CET_U (11), CET_S (12), HDC (13),
 * UINTR (14), LBR (15), HWP (16). They are never valid in XCR0; a CPU
 * does not report them in CPUID.(EAX=0DH,ECX=0):EDX:EAX either, but a
 * wrong "supported" mask must not let one through.
 */
#define XCR0_SUPERVISOR_ONLY 0x1fd00ull
/* Bit 63 is reserved for the future expansion of the bit vector. */
#define XCR0_RESERVED_63 (1ull << 63)

/*
 * Whether XSETBV may load val into XCR0 on a CPU whose user state
 * components are `supported` (CPUID.(EAX=0DH,ECX=0):EDX:EAX, as the
 * hypervisor offers them). False where the processor raises #GP(0):
 *  - bit 0 (x87) clear;
 *  - a bit the CPU does not support, a supervisor-only bit, bit 63;
 *  - AVX without SSE;
 *  - BNDREGS without BNDCSR or the reverse;
 *  - opmask, ZMM_Hi256, Hi16_ZMM not all equal, or set without AVX;
 *  - XTILECFG without XTILEDATA or the reverse.
 * The index (ECX) and privilege checks are the caller's.
 */
bool xcr0_valid(uint64_t val, uint64_t supported);

#endif
