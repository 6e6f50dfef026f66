/* SPDX-License-Identifier: MIT */
/* The host's local APIC and legacy PIC: quiet them, end interrupts. */
#ifndef SHALE_DRIVERS_LAPIC_H
#define SHALE_DRIVERS_LAPIC_H

/* Mask the 8259 PICs and the local APIC timer the firmware may have left
 * running: Shale owns no interrupting device. */
void host_apic_init(void);
void host_apic_eoi(void);

#endif
