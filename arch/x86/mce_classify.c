/* SPDX-License-Identifier: MIT */
/*
 * The error classes of IA32_MCi_STATUS (Intel SDM Vol. 3B, "Machine-Check
 * Architecture", the UC, PCC, S and AR bits and "Interpreting the MCA
 * Error Codes"), and what each requires of a hypervisor:
 *
 *   UC = 0                 corrected (CE): log it
 *   UC = 1, PCC = 1        processor context corrupt: nothing on this CPU
 *                          can be trusted, Shale stops
 *   UC = 1, S = 0          uncorrected, no action (UCNA): log it
 *   UC = 1, S = 1, AR = 0  action optional (SRAO): log it
 *   UC = 1, S = 1, AR = 1  action required (SRAR): the code that consumed
 *                          the data cannot go on; in a guest, that guest
 *                          stops, in Shale, Shale does
 *
 * and IA32_MCG_STATUS.RIPV = 0 says the interrupted context cannot be
 * restarted at all: the same as action required, for whoever it was.
 * Pure C: unit-tested (tests/unit/test_mce.c).
 */
#include "arch/x86/mce.h"

enum mce_action mce_classify(uint64_t status, uint64_t mcg_status, bool in_guest)
{
	enum mce_action stop = in_guest ? MCE_STOP_GUEST : MCE_STOP_ALL;

	if (!(status & MCI_STATUS_VAL))
		return MCE_NONE;
	if (!(status & MCI_STATUS_UC))
		return MCE_LOG;
	if (status & MCI_STATUS_PCC)
		return MCE_STOP_ALL;
	if (!(mcg_status & MCG_STATUS_RIPV))
		return stop;
	if ((status & MCI_STATUS_S) && (status & MCI_STATUS_AR))
		return stop;
	return MCE_LOG;
}

const char *mce_kind(uint64_t status)
{
	if (!(status & MCI_STATUS_VAL))
		return "no error";
	if (!(status & MCI_STATUS_UC))
		return "corrected";
	if (status & MCI_STATUS_PCC)
		return "uncorrected, processor context corrupt";
	if (!(status & MCI_STATUS_S))
		return "uncorrected, no action required (UCNA)";
	if (!(status & MCI_STATUS_AR))
		return "uncorrected, action optional (SRAO)";
	return "uncorrected, action required (SRAR)";
}

const char *mce_action_name(enum mce_action a)
{
	switch (a) {
	case MCE_NONE:
		return "nothing to do";
	case MCE_LOG:
		return "logged; everything goes on";
	case MCE_STOP_GUEST:
		return "the guest that ran stops; Shale and the other guests go on";
	case MCE_STOP_ALL:
		return "Shale stops";
	}
	return "?";
}
