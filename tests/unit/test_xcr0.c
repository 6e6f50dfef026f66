/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for arch/x86/xcr0.c: the values XSETBV accepts for XCR0
 * (Intel SDM Vol. 1, 13.3; XSETBV in Vol. 2D). One rule per test, each
 * checked on both sides: the value just inside the rule passes, the one
 * just outside fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "arch/x86/xcr0.h"

/* CPUID.(EAX=0DH,ECX=0):EDX:EAX of an Ice Lake client: x87, SSE, AVX,
 * AVX-512 (opmask, ZMM_Hi256, Hi16_ZMM), PKRU; no MPX, no AMX. */
static const uint64_t icelake = 0x2e7;
/* A Sapphire Rapids-like server: the same plus AMX. */
static const uint64_t spr = 0x602e7;
/* A Skylake client with MPX: x87, SSE, AVX, BNDREGS, BNDCSR. */
static const uint64_t mpx = 0x1f;
/* Everything a value can name, to test a rule apart from support. */
static const uint64_t all = ~0ull;

#define X87 XCR0_X87
#define SSE XCR0_SSE
#define AVX XCR0_AVX

static void test_x87_required(void **state)
{
	(void)state;
	assert_true(xcr0_valid(X87, icelake));
	assert_true(xcr0_valid(X87 | SSE, icelake));
	assert_false(xcr0_valid(0, icelake));
	assert_false(xcr0_valid(SSE, icelake));
	assert_false(xcr0_valid(SSE | AVX, icelake));
	assert_false(xcr0_valid(0, all));
}

static void test_avx_needs_sse(void **state)
{
	(void)state;
	assert_true(xcr0_valid(X87 | SSE | AVX, icelake));
	assert_false(xcr0_valid(X87 | AVX, icelake));
	assert_false(xcr0_valid(X87 | AVX, all));
}

static void test_mpx_pair(void **state)
{
	(void)state;
	assert_true(xcr0_valid(X87 | XCR0_BNDREGS | XCR0_BNDCSR, mpx));
	assert_true(xcr0_valid(X87 | SSE | AVX | XCR0_BNDREGS | XCR0_BNDCSR, mpx));
	assert_false(xcr0_valid(X87 | XCR0_BNDREGS, mpx));
	assert_false(xcr0_valid(X87 | XCR0_BNDCSR, mpx));
	/* Not on a CPU without MPX, even as a pair. */
	assert_false(xcr0_valid(X87 | XCR0_BNDREGS | XCR0_BNDCSR, icelake));
}

static void test_avx512_all_or_none(void **state)
{
	uint64_t base = X87 | SSE | AVX;

	(void)state;
	assert_true(xcr0_valid(base | XCR0_AVX512, icelake));
	assert_false(xcr0_valid(base | XCR0_OPMASK, icelake));
	assert_false(xcr0_valid(base | XCR0_ZMM_HI256, icelake));
	assert_false(xcr0_valid(base | XCR0_HI16_ZMM, icelake));
	assert_false(xcr0_valid(base | XCR0_OPMASK | XCR0_ZMM_HI256, icelake));
	assert_false(xcr0_valid(base | XCR0_ZMM_HI256 | XCR0_HI16_ZMM, icelake));
	assert_false(xcr0_valid(base | XCR0_OPMASK | XCR0_HI16_ZMM, icelake));
}

static void test_avx512_needs_avx(void **state)
{
	(void)state;
	assert_false(xcr0_valid(X87 | SSE | XCR0_AVX512, icelake));
	assert_false(xcr0_valid(X87 | XCR0_AVX512, icelake));
	assert_false(xcr0_valid(X87 | SSE | XCR0_AVX512, all));
}

static void test_amx_pair(void **state)
{
	uint64_t base = X87 | SSE | AVX;

	(void)state;
	assert_true(xcr0_valid(base | XCR0_XTILECFG | XCR0_XTILEDATA, spr));
	assert_false(xcr0_valid(base | XCR0_XTILECFG, spr));
	assert_false(xcr0_valid(base | XCR0_XTILEDATA, spr));
	/* Not where the CPU has no AMX. */
	assert_false(xcr0_valid(base | XCR0_XTILECFG | XCR0_XTILEDATA, icelake));
}

static void test_pkru_alone(void **state)
{
	(void)state;
	/* PKRU depends on no other component. */
	assert_true(xcr0_valid(X87 | XCR0_PKRU, icelake));
	assert_false(xcr0_valid(X87 | XCR0_PKRU, mpx));
}

static void test_unsupported_bits(void **state)
{
	(void)state;
	/* Every bit the CPU does not report is refused, one at a time. */
	for (unsigned bit = 1; bit < 64; bit++) {
		uint64_t b = 1ull << bit;

		if (icelake & b)
			continue;
		assert_false(xcr0_valid(X87 | SSE | AVX | b, icelake));
	}
	assert_false(xcr0_valid(X87, 0));
}

static void test_supervisor_bits(void **state)
{
	static const unsigned xss[] = { 8, 10, 11, 12, 13, 14, 15, 16 };

	(void)state;
	/* Refused even when a (wrong) supported mask names them: they belong
	 * to IA32_XSS, never to XCR0. */
	for (unsigned i = 0; i < sizeof(xss) / sizeof(xss[0]); i++)
		assert_false(xcr0_valid(X87 | (1ull << xss[i]), all));
	assert_false(xcr0_valid(X87 | XCR0_RESERVED_63, all));
}

static void test_full_sets(void **state)
{
	(void)state;
	assert_true(xcr0_valid(icelake, icelake));
	assert_true(xcr0_valid(spr, spr));
	assert_true(xcr0_valid(mpx, mpx));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x87_required),
		cmocka_unit_test(test_avx_needs_sse),
		cmocka_unit_test(test_mpx_pair),
		cmocka_unit_test(test_avx512_all_or_none),
		cmocka_unit_test(test_avx512_needs_avx),
		cmocka_unit_test(test_amx_pair),
		cmocka_unit_test(test_pkru_alone),
		cmocka_unit_test(test_unsupported_bits),
		cmocka_unit_test(test_supervisor_bits),
		cmocka_unit_test(test_full_sets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
