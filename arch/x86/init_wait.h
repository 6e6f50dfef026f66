/* SPDX-License-Identifier: MIT */
/*
 * How long CPU 0 waits between the INIT IPI that resets an AP and its
 * first start-up IPI (arch/x86/smp.c). Pure logic, unit-tested.
 */
#ifndef SHALE_ARCH_X86_INIT_WAIT_H
#define SHALE_ARCH_X86_INIT_WAIT_H

#include <stdbool.h>
#include <stdint.h>

#define INIT_WAIT_US 10000

/*
 * intel: CPUID.0 says "GenuineIntel"; signature: CPUID.1:EAX.
 * Returns INIT_WAIT_US, or 0 where the wait is not needed.
 */
uint32_t init_wait_us(bool intel, uint32_t signature);

#endif
