/* SPDX-License-Identifier: MIT */
/*
 * The SDM's sequence (Vol. 3A, 9.4.4.1 "Typical BSP Initialization
 * Sequence") waits 10 ms after INIT, then sends a start-up IPI, waits
 * 200 us, and sends a second one. Those delays were written for the
 * discrete 82489DX local APIC and the first P6 systems, where the INIT
 * reset of a processor took that long; on the processors of Intel family
 * 6 and later, whose local APIC is part of the core, the AP is ready for
 * the start-up IPI as soon as the INIT IPI is delivered, and a start-up
 * IPI that comes while it is still resetting is simply not acted on,
 * which the second start-up IPI and the answer timeout in smp.c cover.
 * Linux dropped the 10 ms for these CPUs in 2015 (smp_quirk_init_udelay)
 * and has booted every machine since without it.
 *
 * Shale runs only on Intel CPUs with VT-x, all of family 6 or later; the
 * wait stays for anything else that might claim to be one (an emulator
 * with an older or foreign signature).
 */
#include "arch/x86/init_wait.h"

uint32_t init_wait_us(bool intel, uint32_t signature)
{
	uint32_t family = (signature >> 8) & 0xf;

	if (family == 0xf)
		family += (signature >> 20) & 0xff;
	return intel && family >= 6 ? 0 : INIT_WAIT_US;
}
