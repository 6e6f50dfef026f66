/* SPDX-License-Identifier: MIT */
/* The host's local APIC and legacy PIC: quiet them, end interrupts. */
#ifndef SHALE_DRIVERS_LAPIC_H
#define SHALE_DRIVERS_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

/* Mask the 8259 PICs and the local APIC timer the firmware may have left
 * running: Shale owns no interrupting device. */
void host_apic_init(void);
void host_apic_eoi(void);

/* This CPU's APIC ID, as the MADT names it. */
uint32_t host_apic_id(void);
/* Whether the firmware left the local APIC in x2APIC mode (32-bit IDs). */
bool host_apic_x2apic(void);
/* On an AP: its local APIC in the BSP's mode, software-enabled (so that
 * it takes fixed IPIs), timer masked. */
void host_apic_ap_init(void);

/* The interrupt command register's low word (SDM Vol. 3A, 11.6.1):
 * vector, delivery mode, level "assert". */
#define ICR_FIXED 0x4000u
#define ICR_NMI 0x4400u
#define ICR_INIT 0x4500u
#define ICR_STARTUP 0x4600u
/* Send an IPI to one CPU. False if its ID cannot be addressed in this
 * mode (an ID above 255 in xAPIC mode) or there is no APIC. */
bool host_apic_send_ipi(uint32_t apic_id, uint32_t icr_low);

#endif
