/* SPDX-License-Identifier: MIT */
/*
 * vmm_main(): Shale after ExitBootServices. The machine is ours; these are
 * the steps, in order.
 */
#include "arch/x86/host.h"
#include "arch/x86/percpu.h"
#include "arch/x86/include/cpu.h"
#include "arch/x86/smp.h"
#include "arch/x86/vmx.h"
#include "drivers/lapic.h"
#include "drivers/fbcon.h"
#include "drivers/uart.h"
#include "arch/x86/spec_ctrl.h"
#include "lib/log.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "vmm/console.h"
#include "vmm/gdb/gdb.h"
#include "vmm/pc.h"
#include "vmm/shell.h"
#include "vmm/vdev/testdev.h"
#include "vmm/vmm.h"

#define SRC "shale"

struct page_allocator vmm_pages;
/* From the page allocator, not the image: the table is ~350 KiB of
 * zeros that shale.efi would otherwise carry. */
struct vm *vmm_vm;
unsigned vmm_n_vm;
static struct boot_info *boot;

/* A guest restarted this many times by its policy is left destroyed: a
 * guest that crashes at every start would otherwise loop forever. */
#define RESTART_LIMIT 5

static const char *const stop_names[] = {
	[VM_STOP_NONE] = "running",
	[VM_STOP_EXIT] = "exited",
	[VM_STOP_CRASH] = "crashed",
	[VM_STOP_HALTED] = "halted",
	[VM_STOP_POWEROFF] = "powered off",
	[VM_STOP_REBOOT] = "rebooted",
};

static uint64_t memory_top(const struct boot_info *bi)
{
	uint64_t top = 4ull << 30; /* the MMIO below 4 GiB is always mapped */

	for (unsigned i = 0; i < bi->n_mem; i++)
		if (bi->mem[i].base + bi->mem[i].size > top)
			top = bi->mem[i].base + bi->mem[i].size;
	return top;
}

static void add_memory(const struct boot_info *bi, enum boot_mem_type type)
{
	for (unsigned i = 0; i < bi->n_mem; i++)
		if (bi->mem[i].type == type &&
		    page_alloc_add(&vmm_pages, bi->mem[i].base, bi->mem[i].size))
			log_warn("mem", "too many free memory ranges; 0x%lx+0x%lx unused",
				 (unsigned long)bi->mem[i].base,
				 (unsigned long)bi->mem[i].size);
}

static const struct boot_module *find_module(const struct boot_info *bi,
					     const char *name)
{
	for (unsigned i = 0; i < bi->n_modules; i++)
		if (!strcmp(bi->modules[i].name, name))
			return &bi->modules[i];
	return NULL;
}

const struct boot_module *vmm_find_module(const char *name)
{
	return find_module(boot, name);
}

/* Keys the parser accepts but this version does not act on yet: say so,
 * once per guest, rather than let a setting pass for working. */
static void warn_not_yet(const struct guest_config *g)
{
	if (g->mode != GUEST_MODE_LINUX && g->initrd[0])
		log_warn("config", "guest \"%s\": initrd: only a mode = linux guest gets one; it is ignored", g->name);
	if (g->mode != GUEST_MODE_LINUX && g->mode != GUEST_MODE_MULTIBOOT && g->cmdline[0])
		log_warn("config", "guest \"%s\": cmdline: only a mode = linux or multiboot guest has one; it is ignored", g->name);
	if (g->mode != GUEST_MODE_MULTIBOOT && g->n_modules)
		log_warn("config", "guest \"%s\": modules: only a mode = multiboot guest gets them; they are ignored", g->name);
	if (g->mode != GUEST_MODE_LINUX && (g->devices & GUEST_DEV_UART))
		log_warn("config", "guest \"%s\": devices = uart: COM1 comes with the PC devices (devices = pc, or mode = linux); it is ignored", g->name);
}

static int create_guest(unsigned i);

/* The CPUs a guest's cpus names against those that run guests: none of
 * them is an error, some missing a warning (they are read before the CPUs
 * are known, as [hypervisor] cpus is). */
static bool pinning_ok(const struct guest_config *g)
{
	uint64_t have = 0, missing;
	char names[160];
	int n = 0;

	for (unsigned c = 0; c < smp_n_cpus; c++)
		if (smp_cpus[c]->state == CPU_IDLE || smp_cpus[c]->state == CPU_RUNNING)
			have |= 1ull << c;
	if (!(g->cpus & have)) {
		log_err("config", "shale.cfg:%u: guest \"%s\": cpus names no CPU that runs guests (CPUs 0-%u here, see `cpus` in the shell); the guest is not started",
			g->cpus_line, g->name, smp_n_cpus - 1);
		return false;
	}
	missing = g->cpus_line ? g->cpus & ~have : 0;
	names[0] = 0;
	for (unsigned c = 0; c < 64 && n < (int)sizeof(names) - 8; c++)
		if ((missing >> c) & 1)
			n += ksnprintf(names + n, sizeof(names) - n, "%s%u", n ? ", " : "", c);
	if (n)
		log_warn("config", "shale.cfg:%u: guest \"%s\": cpus names CPU %s, which Shale does not run guests on; going on with the others",
			 g->cpus_line, g->name, names);
	return true;
}

int vmm_start_guest(unsigned i)
{
	return create_guest(i);
}

static int create_guest(unsigned i)
{
	const struct guest_config *g = &boot->config.guests[i];
	const struct boot_module *k = find_module(boot, g->kernel);
	const struct boot_module *r = g->initrd[0] ? find_module(boot, g->initrd) : NULL;

	if (g->vcpus > 1 && g->mode != GUEST_MODE_LINUX && !(g->devices & GUEST_DEV_PC)) {
		/* Its other vCPUs wait for a start-up IPI, which only a local
		 * APIC sends. */
		log_err("config", "guest \"%s\": vcpus = %u needs local APICs to start the others: mode = linux, or devices = pc",
			g->name, g->vcpus);
		k = NULL;
	}
	if (!k || !pinning_ok(g) || vm_create(&vmm_vm[i], g, i, k, r)) {
		log_err(SRC, "guest \"%s\" could not be created; going on with the others",
			g->name);
		vmm_vm[i].state = VM_DESTROYED;
		return -1;
	}
	log_info(SRC, "guest \"%s\" started", g->name);
	return 0;
}

static enum lifecycle_action policy(const struct vm *vm)
{
	switch (vm->stop_reason) {
	case VM_STOP_CRASH:
		return vm->cfg->on_crash;
	case VM_STOP_REBOOT:
		return vm->cfg->on_reboot;
	default:
		return vm->cfg->on_poweroff;
	}
}

void vmm_guest_stopped(struct vm *vm)
{
	enum lifecycle_action action = policy(vm);
	unsigned i = vm - vmm_vm;

	console_flush(vm);
	gdb_vm_gone(vm);
	if (vm->stop_reason == VM_STOP_EXIT ||
	    vm->stop_reason == VM_STOP_POWEROFF ||
	    vm->stop_reason == VM_STOP_REBOOT)
		log_info("vm", "guest \"%s\" %s", vm->name, vm->stop_detail);
	else
		log_err("vm", "guest \"%s\" %s: %s", vm->name,
			stop_names[vm->stop_reason], vm->stop_detail);
	vm_report_stats(vm);

	if (action == ACTION_RESTART && vm->restarts >= RESTART_LIMIT) {
		log_err("vm", "guest \"%s\": restarted %u times already; destroying it instead",
			vm->name, vm->restarts);
		action = ACTION_DESTROY;
	}
	switch (action) {
	case ACTION_PRESERVE:
		vm->state = VM_PRESERVED;
		for (unsigned k = 0; k < vm->n_vcpus; k++) {
			vm->vcpu[k].state = VCPU_STOPPED;
			sched_take(&vm->vcpu[k]);
		}
		log_info("vm", "guest \"%s\" preserved: its memory and registers stay for inspection",
			 vm->name);
		break;
	case ACTION_RESTART:
		vm_destroy(vm);
		vm->restarts++;
		log_info("vm", "guest \"%s\": restarting (%s = restart, restart %u of at most %u)",
			 vm->name,
			 vm->stop_reason == VM_STOP_CRASH ? "on_crash" :
			 vm->stop_reason == VM_STOP_REBOOT ? "on_reboot" : "on_poweroff",
			 vm->restarts, RESTART_LIMIT);
		create_guest(i);
		break;
	case ACTION_DESTROY:
		vm_destroy(vm);
		log_info(SRC, "guest \"%s\" destroyed; the hypervisor goes on", vm->name);
		break;
	}
	console_guest_gone(vm);
}

/* Whatever is still queued for the console goes out before the CPU stops. */
static __attribute__((noreturn)) void halt(void)
{
	uart_tx_flush();
	cpu_halt_forever();
}

void vmm_main(struct boot_info *bi)
{
	uint64_t t_main = rdtsc(), smp_ticks;

	/* 1. The serial console the config asks for; the firmware is gone. */
	if (bi->config.console_port)
		uart_init(bi->config.console_port, bi->config.console_baud);
	log_set_level((enum log_lvl)bi->config.log_level);
	/* From here console output is queued, not waited for. */
	if (bi->uart_txq)
		uart_tx_queue_start(bi->config.console_baud, (void *)bi->uart_txq);
	log_defer_end(); /* the lines since efi_main (boot/efi_main.c) */
	log_info(SRC, "firmware exited; Shale owns the machine");
	if (bi->config.selftest)
		selftest_enable();
	/* Addresses in crash reports are relative to this base; add it to
	 * the symbol values of build/shale.so to find them. */
	log_info(SRC, "image at 0x%lx (%lu KiB)", (unsigned long)bi->image_base,
		 (unsigned long)(bi->image_size >> 10));
	host_image_base = bi->image_base;
	host_image_size = bi->image_size;

	/* 2. Own descriptor tables: exceptions in Shale are reported from now on. */
	host_gdt_init();
	host_idt_init();

	/* 3. Free RAM from the memory map, then Shale's own page tables, then
	 *    the firmware's boot-time memory, which those tables replace. */
	page_alloc_init(&vmm_pages);
	add_memory(bi, BOOT_MEM_FREE);
	if (host_paging_init(&vmm_pages, memory_top(bi))) {
		log_err(SRC, "out of memory for page tables");
		halt();
	}
	add_memory(bi, BOOT_MEM_FREE_LATER);
	{
		uint64_t bytes = sizeof(struct vm) * CONFIG_MAX_GUESTS;
		uint64_t base = page_alloc_contig(&vmm_pages,
						  (bytes + PAGE_SIZE - 1) / PAGE_SIZE, PAGE_SIZE);

		if (!base) {
			log_err(SRC, "out of memory for the guest table");
			halt();
		}
		vmm_vm = (struct vm *)base;
		memset(vmm_vm, 0, bytes);
	}
	log_info("mem", "%lu MiB free for guests and Shale",
		 (unsigned long)(vmm_pages.free_pages * PAGE_SIZE >> 20));

	/* 4. Quiet the host interrupt sources, enable XSAVE for guests. */
	host_apic_init();
	{
		struct cpuid_regs r;

		cpuid_count(1, 0, &r);
		if (r.ecx & CPUID_1_ECX_XSAVE)
			write_cr4(read_cr4() | CR4_OSXSAVE);
	}

	/* 5. VMX root operation; the TSC's rate is measured on the way. */
	int vmx_failed = vmx_cpu_enable(&vmm_pages, &bi->vmx);

	uart_tx_set_tsc_hz(vmx_cpu.tsc_hz); /* 0 if not measured: polls bound the waits */
	if (vmx_failed) {
		log_err(SRC, "cannot enter VMX operation; halting");
		halt();
	}

	/* The speculation policy, and IBRS on this CPU: before any other
	 * CPU starts, since each sets its own from it. */
	spec_ctrl_init();

	/* 6. The other CPUs, each in VMX root operation, idle. */
	smp_ticks = rdtsc();
	smp_init(bi, &vmm_pages);
	smp_ticks = rdtsc() - smp_ticks;

	/* 7. Every guest at once, in config order, then the scheduler. */
	boot = bi;
	shell_init(bi);
	vmm_n_vm = bi->config.n_guests;
	sched_init(&bi->config, vmx_cpu.tsc_hz);
	if (pc_net_setup(&bi->config))
		log_err(SRC, "the guests' switches are incomplete; a guest on one will not start");
	for (unsigned i = 0; i < bi->config.n_guests; i++) {
		warn_not_yet(&bi->config.guests[i]);
		if (bi->config.guests[i].autostart)
			create_guest(i);
		else
			vmm_vm[i].state = VM_DESTROYED;
		if (!strcmp(bi->config.guests[i].name, bi->config.gdb_guest))
			gdb_init(&vmm_vm[i], GDB_PORT);
	}
	{
		/* The start-up cost (docs/benchmarks.md): from efi_main() to
		 * the scheduler's first VM entry, and the same without the
		 * time the firmware spent reading the guest images. */
		uint64_t now = rdtsc();

		log_info(SRC, "start-up: %lu ticks from efi_main, %lu without loading images, %lu of them before vmm_main, %lu starting the other CPUs",
			 (unsigned long)(now - bi->tsc_at_entry),
			 (unsigned long)(now - bi->tsc_at_entry -
					 (bi->tsc_loaded - bi->tsc_load_start)),
			 (unsigned long)(t_main - bi->tsc_at_entry -
					 (bi->tsc_loaded - bi->tsc_load_start)),
			 (unsigned long)smp_ticks);
	}
	sched_loop(vmx_cpu.tsc_hz);
	console_drain_all();
	sched_report();
	screen_report();

	log_info(SRC, "all guests have stopped; Shale halts");
	halt();
}
