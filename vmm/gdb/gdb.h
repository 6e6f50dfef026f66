/* SPDX-License-Identifier: MIT */
/*
 * The GDB stub of one guest, on its own serial port (COM2): the guest
 * named by "gdb = NAME" in shale.cfg's [hypervisor] section. How to use it:
 * docs/debugging.md. The protocol is in gdbstub.c, the VMX traps in
 * arch/x86/debug.c; this is what joins them to a vCPU and a UART.
 */
#ifndef SHALE_VMM_GDB_GDB_H
#define SHALE_VMM_GDB_GDB_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/gdb/gdbstub.h"

#define GDB_PORT 0x2f8 /* COM2 */

struct vm;
struct vcpu;

void gdb_init(struct vm *vm, uint16_t port);
/* Bytes from the debugger, between guest runs. */
void gdb_poll(void);
/* While a debugger talks (attached, or a byte within the last second of
 * hz ticks), the scheduler comes back every millisecond: at 115200 baud a
 * 16-byte receive FIFO fills in 1.4 ms, and a 10 ms slice would lose bytes. */
bool gdb_polls_often(uint64_t now, uint64_t hz);
/* A #BP exit of the debugged guest at rip: true when it is one of the
 * debugger's breakpoints (the guest is held now), false when it is the
 * guest's own INT3. */
bool gdb_breakpoint_hit(struct vcpu *v, uint64_t rip);
/* The debugged guest stopped at a hardware breakpoint, a watchpoint or
 * after a single step: held, and the debugger is told. */
void gdb_vcpu_stopped(struct vcpu *v, enum gdb_stop why, uint64_t addr);
/* The guest stopped running (powered off, crashed, destroyed, restarted). */
void gdb_vm_gone(struct vm *vm);

#endif
