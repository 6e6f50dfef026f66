/* SPDX-License-Identifier: MIT */
/* Host NMIs: counted where they hit, reported later (host_nmi.c). */
#ifndef SHALE_ARCH_X86_HOST_NMI_H
#define SHALE_ARCH_X86_HOST_NMI_H

#include <stdint.h>

/* From the IDT's NMI gate: one NMI in root mode, at rip. */
void host_nmi_in_root(uint64_t rip);
/* From the NMI exit: one NMI while a guest ran; NMIs unblocked again. */
void host_nmi_in_guest(void);
/* IRET to the next instruction: ends the NMI blocking an NMI exit left. */
void host_nmi_unblock(void);
/* In normal context (the scheduler's pass): a log line for new NMIs on
 * this CPU, the first few and then at each power of two. */
void host_nmi_report(void);
/* Send an NMI to host CPU cpu (itself too). -1: no such CPU running. */
int host_nmi_send(unsigned cpu);

#endif
