/* SPDX-License-Identifier: MIT */
/*
 * The two debug ports of QEMU (and Bochs) that small kernels and test
 * suites use before they have drivers:
 *
 * - isa-debug-exit: a write of V to its ports ends the guest with exit
 *   status (V << 1) | 1, as QEMU's `-device isa-debug-exit` ends QEMU.
 *   Shale claims 4 ports from the base (QEMU's `iosize=4`, the common
 *   choice with `iobase=0xf4`); a write of any width to any of them
 *   counts, with the value as written. Reads give 0.
 * - debugcon: each byte written to port 0xE9 goes to the guest's console.
 *   A read gives 0xE9, which is how a kernel finds the port present.
 *
 * Pure device models over vmm/io.h: what an exit or a byte means for the
 * guest is the callback's business (vmm/vm.c).
 */
#ifndef SHALE_VMM_VDEV_DEBUGPORT_H
#define SHALE_VMM_VDEV_DEBUGPORT_H

#include <stdint.h>
#include "vmm/io.h"

#define DEBUG_EXIT_PORT_DEFAULT 0xf4
#define DEBUG_EXIT_PORTS 4
#define DEBUGCON_PORT 0xe9
#define DEBUGCON_READBACK 0xe9

struct debug_exit {
	void (*exit)(void *ctx, uint64_t status);
	void *ctx;
};

struct debugcon {
	void (*put)(void *ctx, uint8_t byte);
	void *ctx;
};

/* Each returns 0, or -1 when a port is taken already. */
int debug_exit_attach(struct debug_exit *d, struct io_bus *bus, uint16_t base);
int debugcon_attach(struct debugcon *d, struct io_bus *bus);

#endif
