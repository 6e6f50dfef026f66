/* SPDX-License-Identifier: MIT */
/*
 * Creating and destroying guests: memory (zeroed before loading and after
 * use), the EPT that maps it, devices, the image, the vCPU.
 */
#include <stdarg.h>

#include <stddef.h>

#include "arch/x86/include/cpu.h"
#include "arch/x86/vmx.h"
#include "lib/log.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "vmm/debug_devices.h"
#include "vmm/gdb/gdb.h"
#include "vmm/load/flat.h"
#include "vmm/load/linux.h"
#include "vmm/load/mb_vm.h"
#include "vmm/pc.h"
#include "vmm/vdev/testdev.h"
#include "vmm/vm.h"
#include "vmm/vmm.h"

#define SRC "vm"
#define GUEST_ALIGN (2ull << 20) /* lets EPT map guest RAM with large pages */

void *vm_gpa_to_hva_any(struct vm *vm, uint64_t gpa, uint64_t len)
{
	uint64_t hpa;

	if (!guest_ram_to_host(&vm->ram, gpa, len, &hpa))
		return NULL;
	return (void *)hpa; /* Shale's identity map */
}

void vm_stop(struct vm *vm, enum vm_stop_reason why, const char *fmt, ...)
{
	va_list ap;

	enum vm_stop_reason none = VM_STOP_NONE;

	/* The first of several vCPUs to stop the guest gives the reason. */
	if (!__atomic_compare_exchange_n(&vm->stop_reason, &none, why, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return;
	va_start(ap, fmt);
	kvsnprintf(vm->stop_detail, sizeof(vm->stop_detail), fmt, ap);
	va_end(ap);
	for (unsigned k = 0; k < vm->n_vcpus; k++) {
		vm->vcpu[k].state = VCPU_STOPPED;
		vm->vcpu[k].entry_work = 1; /* leave before the next entry */
		sched_kick(vm->vcpu[k].cpu); /* the others, out of the guest */
	}
}

void vm_console_write(struct vm *vm, const char *s, uint64_t len)
{
	console_guest_write(vm, s, len);
}

void vm_console_input_ready(struct vm *vm)
{
	if (vm->input_ready)
		vm->input_ready(vm);
}

const char *vm_state_name(const struct vm *vm)
{
	static const char *const names[] = {
		[VM_EMPTY] = "empty",
		[VM_RUNNING] = "running",
		[VM_PRESERVED] = "preserved",
		[VM_DESTROYED] = "destroyed",
	};

	return names[vm->state];
}

static uint64_t ept_alloc(void *ctx)
{
	uint64_t p = page_alloc_page(ctx);

	if (p)
		memset((void *)p, 0, PAGE_SIZE);
	return p;
}

static void ept_free(void *ctx, uint64_t hpa)
{
	page_free_contig(ctx, hpa, 1);
}

static void *ept_p2v(void *ctx, uint64_t hpa)
{
	(void)ctx;
	return (void *)hpa; /* Shale's identity map */
}

static struct ept_mem_ops ept_ops = {
	.alloc_table = ept_alloc,
	.free_table = ept_free,
	.phys_to_virt = ept_p2v,
};

/* Host memory behind each range of guest RAM, zeroed: a run of its own
 * per range, so that a guest of more than 3 GiB needs no single run of
 * its whole size (a host has holes of its own). */
static int alloc_ram(struct vm *vm, struct page_allocator *pa)
{
	for (unsigned i = 0; i < vm->ram.n; i++) {
		struct guest_ram_range *r = &vm->ram.r[i];

		r->hpa = page_alloc_contig(pa, r->size / PAGE_SIZE, GUEST_ALIGN);
		if (!r->hpa) {
			log_err(SRC, "guest \"%s\": no %lu MiB run of free memory for its RAM at guest-physical 0x%lx (largest is %lu MiB)",
				vm->name, (unsigned long)(r->size >> 20),
				(unsigned long)r->gpa,
				(unsigned long)(page_alloc_largest(pa, GUEST_ALIGN) *
						PAGE_SIZE >> 20));
			return -1;
		}
		memset((void *)r->hpa, 0, r->size);
	}
	return 0;
}

static int map_ram(struct vm *vm)
{
	for (unsigned i = 0; i < vm->ram.n; i++) {
		const struct guest_ram_range *r = &vm->ram.r[i];

		if (ept_map(&vm->ept, r->gpa, r->hpa, r->size, EPT_RWX, EPT_MT_WB))
			return -1;
	}
	return 0;
}

/* Nothing of this guest may reach the next one. */
static void free_ram(struct vm *vm, struct page_allocator *pa)
{
	for (unsigned i = 0; i < vm->ram.n; i++) {
		struct guest_ram_range *r = &vm->ram.r[i];

		if (!r->hpa)
			continue;
		memset((void *)r->hpa, 0, r->size);
		page_free_contig(pa, r->hpa, r->size / PAGE_SIZE);
		r->hpa = 0;
	}
}

int vm_create(struct vm *vm, const struct guest_config *g, unsigned id,
	      const struct boot_module *kernel, const struct boot_module *initrd)
{
	struct page_allocator *pa = &vmm_pages;
	const struct vmx_caps *c = &vmx_cpu.caps;

	unsigned restarts = vm->restarts;

	/* All but the console output ring: what a guest's last life wrote
	 * and the serial line has not carried yet still goes out. */
	memset(vm, 0, offsetof(struct vm, out));
	memset((char *)(&vm->out + 1), 0,
	       sizeof(*vm) - offsetof(struct vm, out) - sizeof(vm->out));
	vm->cfg = g;
	vm->name = g->name;
	vm->id = id;
	vm->restarts = restarts;
	vm->n_vcpus = g->vcpus ? g->vcpus : 1;
	for (unsigned k = 0; k < vm->n_vcpus; k++) {
		vm->vcpu[k].vm = vm;
		vm->vcpu[k].id = k;
		vm->vcpu[k].vmcs_cpu = -1;
	}
	platform_init(&vm->plat, vm, vmx_cpu.tsc_hz);
	guest_ram_layout(g->memory, &vm->ram);
	guest_ram_describe(&vm->ram, vm->ram_desc, sizeof(vm->ram_desc));
	if (alloc_ram(vm, pa))
		goto fail;

	ept_ops.ctx = pa;
	if (ept_init(&vm->ept, &ept_ops, c->ept_vpid & VMX_EPT_2MB_PAGE,
		     c->ept_vpid & VMX_EPT_1GB_PAGE) || map_ram(vm)) {
		log_err(SRC, "guest \"%s\": out of memory for its EPT", g->name);
		goto fail;
	}
	vm->eptp = ept_pointer(&vm->ept, c->ept_vpid & VMX_EPT_AD);

	if ((g->devices & GUEST_DEV_TESTDEV) && testdev_attach(vm)) {
		log_err(SRC, "guest \"%s\": cannot attach the test device", g->name);
		goto fail;
	}
	if (g->mode == GUEST_MODE_LINUX) {
		if (linux_load(vm, kernel, initrd)) /* builds the PC itself */
			goto fail;
	} else if ((g->devices & GUEST_DEV_PC) && pc_create(vm)) {
		goto fail;
	} else if (g->mode == GUEST_MODE_MULTIBOOT) {
		if (mb_vm_load(vm, kernel, vmm_find_module))
			goto fail;
	} else if (flat_load(vm, (const void *)kernel->addr, kernel->size)) {
		goto fail;
	}
	if (debug_devices_attach(vm))
		goto fail;
	/* The others start as after INIT, waiting for a start-up IPI from
	 * the guest: real mode, at the address the SIPI's vector gives. */
	for (unsigned k = 1; k < vm->n_vcpus; k++)
		vm->vcpu[k].boot = (struct vcpu_boot){ .mode = VCPU_BOOT_REAL };
	for (unsigned k = 0; k < vm->n_vcpus; k++)
		if (vmcs_create(&vm->vcpu[k], pa) || !sched_add(&vm->vcpu[k]))
			goto fail;
	for (unsigned k = 1; k < vm->n_vcpus; k++)
		vm->vcpu[k].state = VCPU_WAIT_SIPI;
	vm->started_tsc = rdtsc();
	__atomic_store_n(&vm->state, VM_RUNNING, __ATOMIC_RELEASE);
	for (unsigned k = 0; k < vm->n_vcpus; k++)
		sched_start(&vm->vcpu[k]); /* its CPU may be asleep */
	log_info(SRC, "guest \"%s\": %lu MiB at host 0x%lx, EPT in %lu tables, %s mode, entry 0x%lx",
		 g->name, (unsigned long)(g->memory >> 20),
		 (unsigned long)vm->ram.r[0].hpa, (unsigned long)vm->ept.tables,
		 config_mode_name(g->mode), (unsigned long)vm->vcpu[0].boot.rip);
	if (vm->ram.n > 1)
		log_info(SRC, "guest \"%s\": RAM at guest-physical %s; %lu MiB of it from 0x%lx at host 0x%lx",
			 g->name, vm->ram_desc, (unsigned long)(vm->ram.r[1].size >> 20),
			 (unsigned long)vm->ram.r[1].gpa, (unsigned long)vm->ram.r[1].hpa);
	return 0;
fail:
	vm_destroy(vm);
	return -1;
}

void vm_destroy(struct vm *vm)
{
	struct page_allocator *pa = &vmm_pages;

	gdb_vm_gone(vm);
	for (unsigned k = 0; k < vm->n_vcpus; k++)
		sched_take(&vm->vcpu[k]); /* not running anywhere from here on */
	vm->plat.timers = NULL;
	for (unsigned k = 0; k < vm->n_vcpus; k++)
		vmcs_destroy(&vm->vcpu[k], pa);
	if (vm->pc)
		pc_destroy(vm->pc);
	if (vm->ept.pml4)
		ept_destroy(&vm->ept);
	free_ram(vm, pa);
	vm->state = VM_DESTROYED;
}
