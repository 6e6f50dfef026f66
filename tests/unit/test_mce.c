/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for arch/x86/mce_classify.c: what each class of
 * IA32_MCi_STATUS (Intel SDM Vol. 3B, "Machine-Check Architecture")
 * requires, in a guest and in Shale, with and without a restartable RIP.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/mce.h"

#define VAL_EN (MCI_STATUS_VAL | MCI_STATUS_EN)
#define RIP_OK (MCG_STATUS_RIPV | MCG_STATUS_EIPV | MCG_STATUS_MCIP)
#define RIP_LOST (MCG_STATUS_EIPV | MCG_STATUS_MCIP)
/* MCA error codes (Vol. 3B, "Interpreting the MCA Error Codes"). */
#define MEM_READ 0x0134    /* memory controller read error */
#define L2_DATA_RD 0x0112  /* cache hierarchy, L2, data read */

static void not_valid(void **state)
{
	(void)state;
	/* Bits in the register but VAL clear: nothing happened. */
	assert_int_equal(mce_classify(MCI_STATUS_UC | MCI_STATUS_PCC, RIP_OK, false), MCE_NONE);
	assert_int_equal(mce_classify(0, 0, true), MCE_NONE);
	assert_string_equal(mce_kind(MCI_STATUS_UC), "no error");
}

static void corrected(void **state)
{
	(void)state;
	uint64_t ce = VAL_EN | MCI_STATUS_ADDRV | L2_DATA_RD;

	assert_int_equal(mce_classify(ce, RIP_OK, false), MCE_LOG);
	assert_int_equal(mce_classify(ce, RIP_OK, true), MCE_LOG);
	/* A corrected error does not depend on the interrupted RIP. */
	assert_int_equal(mce_classify(ce, RIP_LOST, false), MCE_LOG);
	assert_string_equal(mce_kind(ce), "corrected");
}

static void context_corrupt(void **state)
{
	(void)state;
	uint64_t pcc = VAL_EN | MCI_STATUS_UC | MCI_STATUS_PCC | MEM_READ;

	/* Even in a guest: the CPU's own state is suspect. */
	assert_int_equal(mce_classify(pcc, RIP_OK, true), MCE_STOP_ALL);
	assert_int_equal(mce_classify(pcc, RIP_OK, false), MCE_STOP_ALL);
	assert_string_equal(mce_kind(pcc), "uncorrected, processor context corrupt");
}

static void no_action_required(void **state)
{
	(void)state;
	uint64_t ucna = VAL_EN | MCI_STATUS_UC | MCI_STATUS_ADDRV | MEM_READ;
	uint64_t srao = ucna | MCI_STATUS_S;

	assert_int_equal(mce_classify(ucna, RIP_OK, false), MCE_LOG);
	assert_int_equal(mce_classify(srao, RIP_OK, true), MCE_LOG);
	assert_string_equal(mce_kind(ucna), "uncorrected, no action required (UCNA)");
	assert_string_equal(mce_kind(srao), "uncorrected, action optional (SRAO)");
}

static void action_required(void **state)
{
	(void)state;
	uint64_t srar = VAL_EN | MCI_STATUS_UC | MCI_STATUS_S | MCI_STATUS_AR |
			MCI_STATUS_ADDRV | MCI_STATUS_MISCV | MEM_READ;

	/* Who consumed the data stops: a guest, or Shale itself. */
	assert_int_equal(mce_classify(srar, RIP_OK, true), MCE_STOP_GUEST);
	assert_int_equal(mce_classify(srar, RIP_OK, false), MCE_STOP_ALL);
	assert_string_equal(mce_kind(srar), "uncorrected, action required (SRAR)");
}

static void rip_not_restartable(void **state)
{
	(void)state;
	uint64_t srao = VAL_EN | MCI_STATUS_UC | MCI_STATUS_S | MEM_READ;

	/* RIPV = 0: whatever ran cannot go on, even for an optional one. */
	assert_int_equal(mce_classify(srao, RIP_LOST, true), MCE_STOP_GUEST);
	assert_int_equal(mce_classify(srao, RIP_LOST, false), MCE_STOP_ALL);
}

static void action_names(void **state)
{
	(void)state;
	assert_non_null(strstr(mce_action_name(MCE_STOP_GUEST), "other guests go on"));
	assert_string_equal(mce_action_name(MCE_STOP_ALL), "Shale stops");
	/* The order the handler relies on to keep the strongest. */
	assert_true(MCE_NONE < MCE_LOG && MCE_LOG < MCE_STOP_GUEST &&
		    MCE_STOP_GUEST < MCE_STOP_ALL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(not_valid),
		cmocka_unit_test(corrected),
		cmocka_unit_test(context_corrupt),
		cmocka_unit_test(no_action_required),
		cmocka_unit_test(action_required),
		cmocka_unit_test(rip_not_restartable),
		cmocka_unit_test(action_names),
	};

	return cmocka_run_group_tests_name("mce", tests, NULL, NULL);
}
