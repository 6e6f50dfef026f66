/* SPDX-License-Identifier: MIT */
/*
 * QEMU's debug devices for a guest that asks for them in `devices`:
 * isa-debug-exit, debugcon and fw_cfg (vmm/vdev/debugport.h, fw_cfg.h).
 */
#ifndef SHALE_VMM_DEBUG_DEVICES_H
#define SHALE_VMM_DEBUG_DEVICES_H

struct vm;

/* Attach the ones vm's config names, after its other devices, so that a
 * port clash is named here. Returns 0, or -1 after saying why. */
int debug_devices_attach(struct vm *vm);

#endif
