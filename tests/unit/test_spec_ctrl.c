/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for arch/x86/spec_ctrl.c: which barriers Shale runs and
 * what guests see, for each combination of CPUID.(7,0):EDX and
 * IA32_ARCH_CAPABILITIES that matters (docs/security.md).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/spec_ctrl.h"

#define MD_CLEAR CPUID_7_EDX_MD_CLEAR
#define IBRS CPUID_7_EDX_IBRS_IBPB
#define STIBP CPUID_7_EDX_STIBP
#define L1D CPUID_7_EDX_L1D_FLUSH
#define ARCH CPUID_7_EDX_ARCH_CAP
#define CORE CPUID_7_EDX_CORE_CAP
#define SSBD CPUID_7_EDX_SSBD
#define ALL_SPEC (MD_CLEAR | IBRS | STIBP | L1D | ARCH | SSBD)

/* Bochs 2.7's corei7_icelake_u, as Shale logs it: FSRM, bit 8, IBRS/IBPB,
 * STIBP, L1D_FLUSH, ARCH_CAPABILITIES, SSBD; ARCH_CAPABILITIES 0x1f. */
static const uint32_t bochs_edx = 0xbc000110;
static const uint64_t bochs_cap = 0x1f;

static struct spec_policy compute(uint32_t edx, uint64_t cap)
{
	struct spec_policy p;

	memset(&p, 0xa5, sizeof(p)); /* every field must be set */
	spec_policy_compute(edx, cap, &p);
	return p;
}

/* A CPU without any of it: nothing shown, nothing run. */
static void test_nothing(void **state)
{
	struct spec_policy p = compute(0, 0);

	(void)state;
	assert_int_equal(p.guest_cpuid7_edx, 0);
	assert_false(p.spec_ctrl);
	assert_false(p.pred_cmd);
	assert_false(p.flush_cmd);
	assert_false(p.arch_cap);
	assert_int_equal(p.spec_ctrl_bits, 0);
	assert_false(p.ibpb_on_switch);
	assert_int_equal(p.entry_barriers, 0);
}

/* Only the speculation bits are the policy's, CORE_CAPABILITIES never. */
static void test_cpuid_shown(void **state)
{
	(void)state;
	assert_int_equal(compute(~0u, 0).guest_cpuid7_edx, ALL_SPEC);
	assert_int_equal(compute(CORE, 0).guest_cpuid7_edx, 0);
	assert_int_equal(compute(bochs_edx, bochs_cap).guest_cpuid7_edx,
			 IBRS | STIBP | L1D | ARCH | SSBD);
	assert_int_equal(compute(SSBD, 0).guest_cpuid7_edx, SSBD);
}

/* Each SPEC_CTRL bit follows its own CPUID bit; the MSR exists with any. */
static void test_spec_ctrl_bits(void **state)
{
	(void)state;
	assert_int_equal(compute(IBRS, 0).spec_ctrl_bits, SPEC_CTRL_IBRS);
	assert_int_equal(compute(STIBP, 0).spec_ctrl_bits, SPEC_CTRL_STIBP);
	assert_int_equal(compute(SSBD, 0).spec_ctrl_bits, SPEC_CTRL_SSBD);
	assert_int_equal(compute(IBRS | STIBP | SSBD, 0).spec_ctrl_bits,
			 SPEC_CTRL_IBRS | SPEC_CTRL_STIBP | SPEC_CTRL_SSBD);
	assert_true(compute(SSBD, 0).spec_ctrl);
	assert_false(compute(SSBD, 0).pred_cmd); /* IBPB is bit 26's */
	assert_false(compute(L1D | ARCH | MD_CLEAR, 0).spec_ctrl);
}

/* IBPB between guests exactly where PRED_CMD exists, whatever
 * ARCH_CAPABILITIES says (enhanced IBRS does not separate guests). */
static void test_ibpb_on_switch(void **state)
{
	(void)state;
	assert_true(compute(IBRS, 0).ibpb_on_switch);
	assert_true(compute(IBRS | ARCH, ARCH_CAP_IBRS_ALL).ibpb_on_switch);
	assert_false(compute(STIBP | SSBD, 0).ibpb_on_switch);
}

/* L1TF: flush when the CPU can and neither RDCL_NO nor
 * SKIP_L1DFL_VMENTRY says it need not; and never without FLUSH_CMD. */
static void test_l1d_flush(void **state)
{
	(void)state;
	assert_int_equal(compute(L1D, 0).entry_barriers & SPEC_ENTRY_L1D_FLUSH,
			 SPEC_ENTRY_L1D_FLUSH);
	assert_int_equal(compute(L1D | ARCH, 0).entry_barriers,
			 SPEC_ENTRY_L1D_FLUSH);
	assert_int_equal(compute(L1D | ARCH, ARCH_CAP_RDCL_NO).entry_barriers, 0);
	assert_int_equal(compute(L1D | ARCH, ARCH_CAP_SKIP_L1DFL_VMENTRY).entry_barriers, 0);
	assert_int_equal(compute(ARCH, 0).entry_barriers, 0);
	/* An ARCH_CAPABILITIES the CPUID does not announce is ignored. */
	assert_int_equal(compute(L1D, ARCH_CAP_RDCL_NO).entry_barriers,
			 SPEC_ENTRY_L1D_FLUSH);
	/* Bochs: RDCL_NO and SKIP_L1DFL_VMENTRY, no MD_CLEAR: nothing. */
	assert_int_equal(compute(bochs_edx, bochs_cap).entry_barriers, 0);
}

/* MDS/TAA: VERW where MD_CLEAR says it clears the buffers, unless the CPU
 * says MDS_NO and TAA_NO; not on top of an L1D flush, which clears them. */
static void test_verw(void **state)
{
	(void)state;
	assert_int_equal(compute(MD_CLEAR, 0).entry_barriers, SPEC_ENTRY_VERW);
	assert_int_equal(compute(MD_CLEAR | ARCH, ARCH_CAP_MDS_NO).entry_barriers,
			 SPEC_ENTRY_VERW);
	assert_int_equal(compute(MD_CLEAR | ARCH, ARCH_CAP_TAA_NO).entry_barriers,
			 SPEC_ENTRY_VERW);
	assert_int_equal(compute(MD_CLEAR | ARCH,
				 ARCH_CAP_MDS_NO | ARCH_CAP_TAA_NO).entry_barriers, 0);
	assert_int_equal(compute(ARCH, 0).entry_barriers, 0); /* no MD_CLEAR */
	/* Skylake-like: L1TF and MDS; the flush does both. */
	assert_int_equal(compute(MD_CLEAR | L1D | ARCH, 0).entry_barriers,
			 SPEC_ENTRY_L1D_FLUSH);
	/* Cascade Lake-like: no L1TF (RDCL_NO, SKIP_L1DFL) nor MDS, but TAA. */
	assert_int_equal(compute(MD_CLEAR | L1D | ARCH,
				 ARCH_CAP_RDCL_NO | ARCH_CAP_SKIP_L1DFL_VMENTRY |
					 ARCH_CAP_MDS_NO).entry_barriers,
			 SPEC_ENTRY_VERW);
}

/* ARCH_CAPABILITIES: the host's value cut to the descriptive bits; hidden
 * without the CPUID bit. */
static void test_arch_cap(void **state)
{
	struct spec_policy p = compute(ARCH, ~0ull);

	(void)state;
	assert_true(p.arch_cap);
	assert_int_equal(p.guest_arch_cap, ARCH_CAP_GUEST_BITS);
	assert_int_equal(p.guest_arch_cap & ARCH_CAP_TSX_CTRL, 0);
	assert_int_equal(p.guest_arch_cap & (1ull << 18), 0); /* FB_CLEAR_CTRL */
	assert_int_equal(p.guest_arch_cap & (1ull << 25), 0); /* GDS_CTRL */
	assert_int_equal(p.guest_arch_cap >> 29, 0);
	assert_int_equal(compute(bochs_edx, bochs_cap).guest_arch_cap, 0x1f);
	p = compute(0, ~0ull);
	assert_false(p.arch_cap);
	assert_int_equal(p.guest_arch_cap, 0);
}

/* Spectre v2 from a guest into Shale: enhanced IBRS set once where the
 * CPU has it, plain IBRS written at every exit where not, and the return
 * stack made harmless before Shale's first RET unless the CPU says it
 * need not be. */
static void test_root_ibrs(void **state)
{
	struct spec_policy p;

	(void)state;
	p = compute(0, 0);
	assert_int_equal(p.root_ibrs, SPEC_ROOT_IBRS_NONE);
	assert_int_equal(p.root_spec_ctrl, 0);
	assert_int_equal(p.exit_rsb, SPEC_EXIT_RSB_FILL);

	p = compute(IBRS, 0);
	assert_int_equal(p.root_ibrs, SPEC_ROOT_IBRS_EACH_EXIT);
	assert_int_equal(p.root_spec_ctrl, SPEC_CTRL_IBRS);
	assert_int_equal(p.exit_rsb, SPEC_EXIT_RSB_FILL);

	/* IBRS_ALL read from an MSR the CPUID does not announce: nothing. */
	p = compute(IBRS, ARCH_CAP_IBRS_ALL);
	assert_int_equal(p.root_ibrs, SPEC_ROOT_IBRS_EACH_EXIT);

	p = compute(IBRS | ARCH, ARCH_CAP_IBRS_ALL);
	assert_int_equal(p.root_ibrs, SPEC_ROOT_IBRS_ENHANCED);
	assert_int_equal(p.root_spec_ctrl, SPEC_CTRL_IBRS);
	assert_int_equal(p.exit_rsb, SPEC_EXIT_RSB_ONE_CALL);

	p = compute(IBRS | ARCH, ARCH_CAP_IBRS_ALL | ARCH_CAP_PBRSB_NO);
	assert_int_equal(p.exit_rsb, SPEC_EXIT_RSB_NONE);

	/* Enhanced IBRS claimed without IBRS itself: no SPEC_CTRL to set. */
	p = compute(ARCH, ARCH_CAP_IBRS_ALL);
	assert_int_equal(p.root_ibrs, SPEC_ROOT_IBRS_NONE);
	assert_int_equal(p.root_spec_ctrl, 0);
	assert_int_equal(p.exit_rsb, SPEC_EXIT_RSB_FILL);

	p = compute(bochs_edx, bochs_cap);
	assert_int_equal(p.root_ibrs, SPEC_ROOT_IBRS_ENHANCED);
	assert_int_equal(p.exit_rsb, SPEC_EXIT_RSB_ONE_CALL);
}

static void test_describe(void **state)
{
	struct spec_policy p = compute(bochs_edx, bochs_cap);
	char buf[256], tiny[8];

	(void)state;
	spec_policy_describe(&p, buf, sizeof(buf));
	assert_string_equal(buf, "IBPB on guest switch on, L1D flush on entry off, "
				 "VERW on entry off, root IBRS enhanced, RSB at exit "
				 "one call; guests get SPEC_CTRL PRED_CMD FLUSH_CMD "
				 "ARCH_CAPABILITIES");
	p = compute(0, 0);
	spec_policy_describe(&p, buf, sizeof(buf));
	assert_string_equal(buf, "IBPB on guest switch off, L1D flush on entry off, "
				 "VERW on entry off, root IBRS unavailable, RSB at "
				 "exit filled; guests get none");
	spec_policy_describe(&p, tiny, sizeof(tiny));
	assert_string_equal(tiny, "IBPB on");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing),
		cmocka_unit_test(test_cpuid_shown),
		cmocka_unit_test(test_spec_ctrl_bits),
		cmocka_unit_test(test_ibpb_on_switch),
		cmocka_unit_test(test_l1d_flush),
		cmocka_unit_test(test_verw),
		cmocka_unit_test(test_arch_cap),
		cmocka_unit_test(test_root_ibrs),
		cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
