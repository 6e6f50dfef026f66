/* SPDX-License-Identifier: MIT */
/*
 * What QEMU's debug devices mean for a Shale guest: isa-debug-exit ends
 * it as its own power-off would, with the exit status QEMU would give
 * ((V << 1) | 1, shown by the shell's `list`; `on_poweroff` applies);
 * debugcon's bytes join its console output; fw_cfg tells its RAM size and
 * vCPU count.
 */
#include "lib/log.h"
#include "vmm/config.h"
#include "vmm/console.h"
#include "vmm/debug_devices.h"
#include "vmm/vdev/debugport.h"
#include "vmm/vdev/fw_cfg.h"
#include "vmm/vm.h"
#include "vmm/vmm.h"

struct debug_devices {
	struct debug_exit exit;
	struct debugcon con;
	struct fw_cfg fw_cfg;
};

static struct debug_devices devices[CONFIG_MAX_GUESTS];

static void guest_exit(void *ctx, uint64_t status)
{
	struct vm *vm = ctx;

	if (vm->stop_reason != VM_STOP_NONE)
		return;
	vm_stop(vm, VM_STOP_EXIT, "exited through isa-debug-exit with status %llu",
		(unsigned long long)status);
	vm->exit_status = status;
}

static void guest_put(void *ctx, uint8_t byte)
{
	console_guest_write(ctx, (const char *)&byte, 1);
}

static int clash(struct vm *vm, const char *dev, unsigned port)
{
	log_err("vm", "guest \"%s\": %s at port 0x%x: the port is taken by another of its devices",
		vm->name, dev, port);
	return -1;
}

int debug_devices_attach(struct vm *vm)
{
	const struct guest_config *g = vm->cfg;
	struct debug_devices *d = &devices[vm->id];

	if (g->devices & GUEST_DEV_DEBUG_EXIT) {
		d->exit = (struct debug_exit){ guest_exit, vm };
		if (debug_exit_attach(&d->exit, &vm->io, g->debug_exit_port))
			return clash(vm, "isa-debug-exit", g->debug_exit_port);
	}
	if (g->devices & GUEST_DEV_DEBUGCON) {
		d->con = (struct debugcon){ guest_put, vm };
		if (debugcon_attach(&d->con, &vm->io))
			return clash(vm, "debugcon", DEBUGCON_PORT);
	}
	if (g->devices & GUEST_DEV_FW_CFG) {
		/* One vCPU: a guest's further vCPUs do not run yet. */
		fw_cfg_init(&d->fw_cfg, vm->ram.size, 1);
		if (fw_cfg_attach(&d->fw_cfg, &vm->io))
			return clash(vm, "fw_cfg", FW_CFG_PORT_SEL);
	}
	return 0;
}
