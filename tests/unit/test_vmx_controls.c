/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for arch/x86/vmx_controls.c: turning a VMX capability MSR
 * into a control word (SDM Vol. 3C, Appendix A.3-A.5), the names of control
 * bits, and CR0/CR4 fixing (A.7, A.8).
 *
 * The capability values look like what a Skylake-class CPU reports, or
 * like a CPU that lacks a feature, so that the tests speak the same
 * language as a bug report from a real machine.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <string.h>

#include "arch/x86/vmx_controls.h"

#define BIT(n) (1u << (n))

/* Primary processor-based controls (SDM table 25-6). */
#define PROC_HLT BIT(7)
#define PROC_RDTSC BIT(12)
#define PROC_CR3_LOAD BIT(15)
#define PROC_CR3_STORE BIT(16)
#define PROC_RSVD17 BIT(17) /* reserved: allowed-1 is 0 on every CPU */
#define PROC_RSVD18 BIT(18)
#define PROC_TPR_SHADOW BIT(21)
#define PROC_IO_BITMAPS BIT(25)
#define PROC_MTF BIT(27)
#define PROC_MSR_BITMAPS BIT(28)
#define PROC_SECONDARY BIT(31)

/* IA32_VMX_TRUE_PROCBASED_CTLS, Skylake-like: bits 1, 4-6, 8, 13-16 and
 * 26 must be 1; everything but bits 0, 17 and 18 may be 1. */
static const uint64_t true_procbased = 0xfff9fffe0401e172ull;
static const uint32_t procbased_forced = 0x0401e172u;

/* IA32_VMX_TRUE_PINBASED_CTLS: bits 1, 2, 4 forced; 0-6 allowed, so no
 * posted interrupts (bit 7) on this made-up part. */
static const uint64_t true_pinbased = 0x0000007f00000016ull;

/* IA32_VMX_PROCBASED_CTLS2 of an early (Nehalem-like) CPU: EPT and VPID but
 * no unrestricted guest (bit 7) and nothing above bit 6. */
static const uint64_t procbased2_old = 0x0000007f00000000ull;

/* IA32_VMX_TRUE_EXIT_CTLS and IA32_VMX_TRUE_ENTRY_CTLS, Skylake-like. */
static const uint64_t true_exit = 0x01ffffff00036dfbull;
static const uint64_t true_entry = 0x0003ffff000011fbull;

/* What Shale asks of the primary controls (cf. arch/x86/vmcs.c). */
static const uint32_t proc_required =
	PROC_HLT | PROC_IO_BITMAPS | PROC_MSR_BITMAPS | PROC_SECONDARY;

static void test_required_all_available(void **state)
{
	struct vmx_ctl_result r;

	(void)state;
	r = vmx_adjust_controls(true_procbased, proc_required, 0);
	assert_int_equal(r.missing, 0);
	assert_int_equal(r.dropped, 0);
	assert_int_equal(r.value, proc_required | procbased_forced);
}

static void test_forced_bits_without_request(void **state)
{
	struct vmx_ctl_result r;

	(void)state;
	/* Asking for nothing still yields the allowed-0 bits: the CPU
	 * refuses VM entry if any of them is 0. */
	r = vmx_adjust_controls(true_procbased, 0, 0);
	assert_int_equal(r.value, procbased_forced);
	assert_int_equal(r.missing, 0);
	assert_int_equal(r.dropped, 0);

	/* CR3-load/store exiting are forced on this part even though Shale
	 * uses EPT and would rather not have them. */
	assert_true(r.value & PROC_CR3_LOAD);
	assert_true(r.value & PROC_CR3_STORE);
}

static void test_required_missing(void **state)
{
	struct vmx_ctl_result r;

	(void)state;
	r = vmx_adjust_controls(true_procbased, proc_required | PROC_RSVD17, 0);
	assert_int_equal(r.missing, PROC_RSVD17);
	assert_int_equal(r.dropped, 0);
	/* The missing bit must not leak into the word written to the VMCS. */
	assert_int_equal(r.value & PROC_RSVD17, 0);
	assert_int_equal(r.value, proc_required | procbased_forced);
}

static void test_optional_granted_and_dropped(void **state)
{
	uint32_t optional = PROC_TPR_SHADOW | PROC_MTF | PROC_RSVD18;
	struct vmx_ctl_result r;

	(void)state;
	r = vmx_adjust_controls(true_procbased, proc_required, optional);
	assert_int_equal(r.missing, 0);
	assert_int_equal(r.dropped, PROC_RSVD18);
	assert_int_equal(r.value, proc_required | procbased_forced |
					  PROC_TPR_SHADOW | PROC_MTF);
}

static void test_required_and_optional_overlap(void **state)
{
	struct vmx_ctl_result r;

	(void)state;
	/* A bit in both sets counts as required: reported once, as missing. */
	r = vmx_adjust_controls(true_procbased, PROC_RSVD17 | PROC_HLT,
				PROC_RSVD17 | PROC_RDTSC);
	assert_int_equal(r.missing, PROC_RSVD17);
	assert_int_equal(r.dropped, 0);
	assert_int_equal(r.value,
			 procbased_forced | PROC_HLT | PROC_RDTSC);
}

static void test_pin_based(void **state)
{
	uint32_t required = BIT(0) | BIT(3); /* ext-int and NMI exiting */
	uint32_t optional = BIT(5) | BIT(6) | BIT(7);
	struct vmx_ctl_result r;

	(void)state;
	r = vmx_adjust_controls(true_pinbased, required, optional);
	assert_int_equal(r.missing, 0);
	assert_int_equal(r.dropped, BIT(7)); /* no posted interrupts */
	assert_int_equal(r.value, 0x16u | required | BIT(5) | BIT(6));
}

static void test_secondary_without_unrestricted_guest(void **state)
{
	uint32_t ept = BIT(1), vpid = BIT(5), ug = BIT(7);
	uint32_t rdtscp = BIT(3), xsaves = BIT(20);
	struct vmx_ctl_result r;

	(void)state;
	r = vmx_adjust_controls(procbased2_old, ept | ug, vpid | rdtscp | xsaves);
	assert_int_equal(r.missing, ug);
	assert_int_equal(r.dropped, xsaves);
	assert_int_equal(r.value, ept | vpid | rdtscp);
}

static void test_exit_and_entry(void **state)
{
	uint32_t exit_req = BIT(9) | BIT(15) | BIT(20) | BIT(21);
	uint32_t entry_req = BIT(9) | BIT(15);
	struct vmx_ctl_result r;

	(void)state;
	r = vmx_adjust_controls(true_exit, exit_req, BIT(18) | BIT(19));
	assert_int_equal(r.missing, 0);
	assert_int_equal(r.dropped, 0);
	assert_int_equal(r.value,
			 0x00036dfbu | exit_req | BIT(18) | BIT(19));

	r = vmx_adjust_controls(true_entry, entry_req, BIT(14));
	assert_int_equal(r.missing, 0);
	assert_int_equal(r.dropped, 0);
	assert_int_equal(r.value, 0x11fbu | entry_req | BIT(14));

	/* Bit 25 and up are not offered by this part's entry controls. */
	r = vmx_adjust_controls(true_entry, 0, BIT(25));
	assert_int_equal(r.dropped, BIT(25));
	assert_int_equal(r.value, 0x11fbu);
}

static void test_extreme_caps(void **state)
{
	struct vmx_ctl_result r;

	(void)state;
	/* Nothing may be 1 (a hypervisor hiding the whole feature). */
	r = vmx_adjust_controls(0, 0x0000ffffu, 0xffff00ffu);
	assert_int_equal(r.value, 0);
	assert_int_equal(r.missing, 0x0000ffffu);
	assert_int_equal(r.dropped, 0xffff0000u);

	/* Everything may be 1, nothing must: exactly what was asked. */
	r = vmx_adjust_controls(0xffffffff00000000ull, 0x80000001u, 0x00f0u);
	assert_int_equal(r.value, 0x800000f1u);
	assert_int_equal(r.missing, 0);
	assert_int_equal(r.dropped, 0);

	/* Everything must be 1. */
	r = vmx_adjust_controls(~0ull, 0, 0);
	assert_int_equal(r.value, 0xffffffffu);
}

/* A small xorshift so the property test is reproducible. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_properties(void **state)
{
	uint64_t seed = 0x5a1e5a1e5a1eull;
	int i;

	(void)state;
	for (i = 0; i < 10000; i++) {
		uint32_t may1 = (uint32_t)next_rand(&seed);
		/* Real MSRs never force a bit that may not be 1. */
		uint32_t must1 = (uint32_t)next_rand(&seed) & may1;
		uint64_t cap = (uint64_t)may1 << 32 | must1;
		uint32_t req = (uint32_t)next_rand(&seed);
		uint32_t opt = (uint32_t)next_rand(&seed);
		struct vmx_ctl_result r = vmx_adjust_controls(cap, req, opt);

		assert_int_equal(r.value & must1, must1);
		assert_int_equal(r.value & ~may1, 0);
		assert_int_equal(r.value & (req | opt) & may1,
				 (req | opt) & may1);
		/* Nothing extra beyond what was asked or forced. */
		assert_int_equal(r.value & ~(req | opt | must1), 0);
		assert_int_equal(r.missing, req & ~may1);
		assert_int_equal(r.dropped, opt & ~req & ~may1);
		assert_int_equal(r.missing & r.dropped, 0);
	}
}

static void test_control_name_known(void **state)
{
	(void)state;
	assert_string_equal(vmx_control_name(VMX_CTL_PIN, 0),
			    "external-interrupt exiting");
	assert_string_equal(vmx_control_name(VMX_CTL_PIN, 7),
			    "process posted interrupts");
	assert_string_equal(vmx_control_name(VMX_CTL_PROC, 7), "HLT exiting");
	assert_string_equal(vmx_control_name(VMX_CTL_PROC, 31),
			    "activate secondary controls");
	assert_string_equal(vmx_control_name(VMX_CTL_PROC2, 0),
			    "virtualize APIC accesses");
	assert_string_equal(vmx_control_name(VMX_CTL_PROC2, 1), "enable EPT");
	assert_string_equal(vmx_control_name(VMX_CTL_PROC2, 7),
			    "unrestricted guest");
	assert_string_equal(vmx_control_name(VMX_CTL_PROC2, 25),
			    "use TSC scaling");
	assert_string_equal(vmx_control_name(VMX_CTL_EXIT, 9),
			    "host address-space size");
	assert_string_equal(vmx_control_name(VMX_CTL_EXIT, 15),
			    "acknowledge interrupt on exit");
	assert_string_equal(vmx_control_name(VMX_CTL_ENTRY, 9),
			    "IA-32e mode guest");
	assert_string_equal(vmx_control_name(VMX_CTL_ENTRY, 15),
			    "load IA32_EFER");
}

static void test_control_name_unknown(void **state)
{
	(void)state;
	/* Reserved bits have no name. */
	assert_null(vmx_control_name(VMX_CTL_PROC, 0));
	assert_null(vmx_control_name(VMX_CTL_PROC, 17));
	assert_null(vmx_control_name(VMX_CTL_PIN, 31));
	assert_null(vmx_control_name(VMX_CTL_PROC2, 31));
	assert_null(vmx_control_name(VMX_CTL_EXIT, 0));
	assert_null(vmx_control_name(VMX_CTL_ENTRY, 31));
	/* Out of range bit numbers must not index past the tables. */
	assert_null(vmx_control_name(VMX_CTL_PROC, 32));
	assert_null(vmx_control_name(VMX_CTL_PROC, 64));
	assert_null(vmx_control_name(VMX_CTL_PROC, UINT_MAX));
}

static void test_control_name_bad_kind(void **state)
{
	(void)state;
	assert_null(vmx_control_name((enum vmx_ctl_kind)(VMX_CTL_ENTRY + 1), 0));
	assert_null(vmx_control_name((enum vmx_ctl_kind)100, 7));
	assert_null(vmx_control_name((enum vmx_ctl_kind)-1, 7));
}

static void test_control_names_well_formed(void **state)
{
	enum vmx_ctl_kind k;
	unsigned bit, other, named = 0;

	(void)state;
	/* Every name is non-empty and unique within its kind, so a message
	 * "missing: X" always points at one control. */
	for (k = VMX_CTL_PIN; k <= VMX_CTL_ENTRY; k++) {
		for (bit = 0; bit < 32; bit++) {
			const char *n = vmx_control_name(k, bit);

			if (!n)
				continue;
			named++;
			assert_true(n[0] != '\0');
			for (other = bit + 1; other < 32; other++) {
				const char *o = vmx_control_name(k, other);

				if (o)
					assert_string_not_equal(n, o);
			}
		}
	}
	assert_true(named >= 60);
}

static void test_fix_cr(void **state)
{
	/* IA32_VMX_CR0_FIXED0/1 and CR4_FIXED0/1, Skylake-like. */
	const uint64_t cr0_fixed0 = 0x80000021ull; /* PG, NE, PE */
	const uint64_t cr0_fixed1 = 0xffffffffull;
	const uint64_t cr4_fixed0 = 0x2000ull; /* VMXE */
	const uint64_t cr4_fixed1 = 0x3727ffull;

	(void)state;
	/* Protected mode without paging or NE gets both forced on. */
	assert_int_equal(vmx_fix_cr(0x11, cr0_fixed0, cr0_fixed1), 0x80000031ull);
	/* Already fine: unchanged. */
	assert_int_equal(vmx_fix_cr(0x80050033ull, cr0_fixed0, cr0_fixed1),
			 0x80050033ull);
	/* Bits above 31 are not allowed in CR0. */
	assert_int_equal(vmx_fix_cr(0x100000000ull | 0x80000021ull, cr0_fixed0,
				    cr0_fixed1),
			 0x80000021ull);
	/* CR4: VMXE forced on; UMIP (bit 11) and LA57 (bit 12) not offered. */
	assert_int_equal(vmx_fix_cr(0x20ull, cr4_fixed0, cr4_fixed1), 0x2020ull);
	assert_int_equal(vmx_fix_cr(0x1820ull, cr4_fixed0, cr4_fixed1), 0x2020ull);
	/* Unrestricted guest relaxes PE/PG: the caller passes adjusted
	 * FIXED0, and real mode with CR0 = 0x10 then survives as 0x30. */
	assert_int_equal(vmx_fix_cr(0x10, cr0_fixed0 & ~0x80000001ull,
				    cr0_fixed1),
			 0x30ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_required_all_available),
		cmocka_unit_test(test_forced_bits_without_request),
		cmocka_unit_test(test_required_missing),
		cmocka_unit_test(test_optional_granted_and_dropped),
		cmocka_unit_test(test_required_and_optional_overlap),
		cmocka_unit_test(test_pin_based),
		cmocka_unit_test(test_secondary_without_unrestricted_guest),
		cmocka_unit_test(test_exit_and_entry),
		cmocka_unit_test(test_extreme_caps),
		cmocka_unit_test(test_properties),
		cmocka_unit_test(test_control_name_known),
		cmocka_unit_test(test_control_name_unknown),
		cmocka_unit_test(test_control_name_bad_kind),
		cmocka_unit_test(test_control_names_well_formed),
		cmocka_unit_test(test_fix_cr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
