/* SPDX-License-Identifier: MIT */
/*
 * The shell: a line editor (backspace, Ctrl-U, history with the arrow keys
 * or Ctrl-P/Ctrl-N) and a table of commands. Every address a command takes
 * is guest-physical and checked against that guest's RAM, so no command
 * can show the hypervisor's own memory.
 */
#include "arch/x86/exit.h"
#include "arch/x86/host_nmi.h"
#include "arch/x86/include/cpu.h"
#include "arch/x86/smp.h"
#include "arch/x86/vmx.h"
#include "lib/printf.h"
#include "lib/log.h"
#include "lib/parse.h"
#include "lib/string.h"
#include "vmm/shell.h"
#include "vmm/version.h"
#include "vmm/vmm.h"

#define LINE_MAX 128
#define HISTORY 8
#define MEM_MAX 4096

static const struct boot_info *boot;
static bool open_;
static char line[LINE_MAX];
static unsigned len;
static char history[HISTORY][LINE_MAX];
static unsigned hist_n, hist_pos;
static int esc; /* 0, or how far into an ESC [ x sequence */

void shell_init(const struct boot_info *bi)
{
	boot = bi;
}

bool shell_is_open(void)
{
	return open_;
}

static void prompt(void)
{
	log_rawf("shale> %.*s", (int)len, line);
}

void shell_open(void)
{
	open_ = true;
	len = 0;
	log_rawf("\n[shale] shell: type help for the commands, exit to leave; the guests keep running\n");
	prompt();
}

/* ------------------------------------------------------------ helpers */

static struct vm *find_guest(const char *name)
{
	for (unsigned i = 0; i < vmm_n_vm; i++)
		if (!strcmp(vmm_vm[i].name ? vmm_vm[i].name : "", name) ||
		    (name[0] >= '1' && name[0] <= '9' && !name[1] && i == (unsigned)(name[0] - '1')))
			return &vmm_vm[i];
	log_rawf("no guest \"%s\"; list shows them\n", name);
	return NULL;
}

static bool parse_number(const char *s, uint64_t *out)
{
	return parse_u64(s, strlen(s), out);
}

/* ------------------------------------------------------------ commands */

static void cmd_help(int argc, char **argv);

static void cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	log_rawf("Shale %s\n", SHALE_VERSION_STRING);
}

static void cmd_list(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	log_rawf("  #  %-16s %-10s %5s %8s %12s  %s\n", "guest", "state", "vcpus", "memory",
		 "exits", "exit status");
	for (unsigned i = 0; i < vmm_n_vm; i++) {
		struct vm *vm = &vmm_vm[i];
		const struct guest_config *g = &boot->config.guests[i];

		char status[24] = "-";

		/* What the guest ended with, by SHALE_HC_EXIT or isa-debug-exit. */
		if (vm->stop_reason == VM_STOP_EXIT)
			ksnprintf(status, sizeof(status), "%lu", (unsigned long)vm->exit_status);
		log_rawf("  %u  %-16s %-10s %5u %7luM %12lu  %s\n", i + 1, g->name,
			 vm->paused ? "paused" : vm_state_name(vm), g->vcpus ? g->vcpus : 1,
			 (unsigned long)(g->memory >> 20),
			 (unsigned long)(vm->state == VM_EMPTY ? 0 : vm_exit_count(vm)),
			 status);
	}
}

/* Each range of guest RAM and the host memory behind it. */
static void print_ram(const struct vm *vm)
{
	for (unsigned i = 0; i < vm->ram.n; i++) {
		const struct guest_ram_range *r = &vm->ram.r[i];

		log_rawf("  RAM %016lx-%016lx %7luM at host 0x%lx\n",
			 (unsigned long)r->gpa, (unsigned long)(r->gpa + r->size - 1),
			 (unsigned long)(r->size >> 20), (unsigned long)r->hpa);
	}
}

static void cmd_info(int argc, char **argv)
{
	struct vm *vm = find_guest(argv[1]);
	const struct guest_config *g;

	(void)argc;
	if (!vm)
		return;
	g = &boot->config.guests[vm - vmm_vm];
	log_rawf("guest \"%s\": %s%s, mode %s, kernel %s%s%s\n", g->name,
		 vm_state_name(vm), vm->paused ? " (paused)" : "",
		 config_mode_name(g->mode), g->kernel, g->initrd[0] ? ", initrd " : "",
		 g->initrd);
	log_rawf("  memory %luM at host 0x%lx, weight %u, restarts %u, ran %lu ms\n",
		 (unsigned long)(g->memory >> 20), (unsigned long)vm->ram.r[0].hpa,
		 g->weight, vm->restarts,
		 (unsigned long)(vm->vcpu[0].run_ticks / (vmx_cpu.tsc_hz / 1000 ? vmx_cpu.tsc_hz / 1000 : 1)));
	log_rawf("  on_poweroff %s, on_reboot %s, on_crash %s\n",
		 config_action_name(g->on_poweroff), config_action_name(g->on_reboot),
		 config_action_name(g->on_crash));
	if (vm->stop_reason != VM_STOP_NONE)
		log_rawf("  stopped: %s\n", vm->stop_detail);
	if (g->cmdline[0])
		log_rawf("  cmdline %s\n", g->cmdline);
	print_ram(vm);
}

static bool has_state(struct vm *vm)
{
	if (vm->state == VM_RUNNING || vm->state == VM_PRESERVED)
		return true;
	log_rawf("guest \"%s\" is %s: it has no registers to show\n", vm->name,
		 vm_state_name(vm));
	return false;
}

/* regs NAME/K, or regs NAME K: vCPU K of a guest (0 without K). */
static void cmd_regs(int argc, char **argv)
{
	char name[CONFIG_NAME_MAX + 1];
	const char *slash = strchr(argv[1], '/'), *k = argc > 2 ? argv[2] : NULL;
	uint64_t id = 0;
	struct vm *vm;

	if (slash && (size_t)(slash - argv[1]) < sizeof(name)) {
		memcpy(name, argv[1], slash - argv[1]);
		name[slash - argv[1]] = 0;
		k = slash + 1;
	} else {
		ksnprintf(name, sizeof(name), "%s", argv[1]);
	}
	vm = find_guest(name);
	if (!vm || !has_state(vm))
		return;
	if (k && (!parse_number(k, &id) || id >= vm->n_vcpus)) {
		log_rawf("guest \"%s\" has vCPUs 0-%u\n", vm->name, vm->n_vcpus - 1);
		return;
	}
	if (vm->n_vcpus > 1)
		log_rawf("%s/%u:\n", vm->name, (unsigned)id);
	vmx_dump_registers(&vm->vcpu[id]);
}

static void cmd_exits(int argc, char **argv)
{
	struct vm *vm = find_guest(argv[1]);

	(void)argc;
	if (vm && has_state(vm))
		vm_report_stats(vm);
}

static void cmd_trace(int argc, char **argv)
{
	struct vm *vm = find_guest(argv[1]);
	uint64_t n = 16;

	if (!vm || !has_state(vm))
		return;
	if (argc > 2 && !strcmp(argv[2], "on")) {
		vm->vcpu[0].trace_on = true;
		log_rawf("tracing guest \"%s\"'s exits with RIP and qualification (two VMREADs more per exit)\n",
			 vm->name);
		return;
	}
	if (argc > 2 && !strcmp(argv[2], "off")) {
		vm->vcpu[0].trace_on = false;
		log_rawf("tracing of guest \"%s\" off: its exits keep only TSC and reason\n",
			 vm->name);
		return;
	}
	if (argc > 2 && (!parse_number(argv[2], &n) || !n)) {
		log_rawf("trace GUEST [N | on | off]: N is a number of exits, 1..%u\n",
			 EXIT_TRACE_LEN);
		return;
	}
	if (!vm->vcpu[0].trace_head) {
		log_rawf("guest \"%s\" has made no VM exit yet\n", vm->name);
		return;
	}
	exit_print_trace(&vm->vcpu[0], n);
}

static void cmd_mem(int argc, char **argv)
{
	struct vm *vm = find_guest(argv[1]);
	uint64_t addr, n;
	const uint8_t *p;

	(void)argc;
	if (!vm || !has_state(vm))
		return;
	if (!parse_number(argv[2], &addr) || !parse_number(argv[3], &n) || !n) {
		log_rawf("mem GUEST ADDR LEN: ADDR and LEN are numbers (0x for hex)\n");
		return;
	}
	if (n > MEM_MAX) {
		log_rawf("at most %u bytes at a time\n", MEM_MAX);
		return;
	}
	p = vm_gpa_to_hva(vm, addr, n);
	if (!p) {
		log_rawf("0x%lx+0x%lx is not inside guest \"%s\"'s memory (%s)\n",
			 (unsigned long)addr, (unsigned long)n, vm->name,
			 vm->ram_desc);
		return;
	}
	for (uint64_t off = 0; off < n; off += 16) {
		char hex[16 * 3 + 1], asc[17];
		unsigned k;

		for (k = 0; k < 16 && off + k < n; k++) {
			static const char digits[] = "0123456789abcdef";
			uint8_t b = p[off + k];

			hex[k * 3] = digits[b >> 4];
			hex[k * 3 + 1] = digits[b & 15];
			hex[k * 3 + 2] = ' ';
			asc[k] = b >= 0x20 && b < 0x7f ? b : '.';
		}
		hex[k * 3] = 0;
		asc[k] = 0;
		log_rawf("%016lx  %-48s %s\n", (unsigned long)(addr + off), hex, asc);
	}
}

static void cmd_stop(int argc, char **argv)
{
	struct vm *vm = find_guest(argv[1]);

	(void)argc;
	if (!vm)
		return;
	if (vm->state != VM_RUNNING || vm->paused) {
		log_rawf("guest \"%s\" is not running\n", vm->name);
		return;
	}
	vm->paused = true;
	for (unsigned k = 0; k < vm->n_vcpus; k++)
		sched_kick(vm->vcpu[k].cpu); /* out of the guest now, not at its slice's end */
	log_rawf("guest \"%s\" paused; start resumes it\n", vm->name);
}

static void cmd_start(int argc, char **argv)
{
	struct vm *vm = find_guest(argv[1]);

	(void)argc;
	if (!vm)
		return;
	if (vm->state == VM_RUNNING && vm->paused) {
		vm->paused = false;
		for (unsigned k = 0; k < vm->n_vcpus; k++)
			sched_kick(vm->vcpu[k].cpu); /* it may sleep in HLT */
		log_rawf("guest \"%s\" resumed\n", vm->name);
	} else if (vm->state == VM_RUNNING) {
		log_rawf("guest \"%s\" is already running\n", vm->name);
	} else {
		if (vm->state == VM_PRESERVED)
			vm_destroy(vm);
		vmm_start_guest(vm - vmm_vm);
	}
}

static void cmd_reboot(int argc, char **argv)
{
	struct vm *vm = find_guest(argv[1]);

	(void)argc;
	if (!vm)
		return;
	if (vm->state != VM_RUNNING) {
		log_rawf("guest \"%s\" is not running; start starts it\n", vm->name);
		return;
	}
	vm->paused = false;
	vm_stop(vm, VM_STOP_REBOOT, "rebooted from the shell");
	for (unsigned k = 0; k < vm->n_vcpus; k++)
		sched_take(&vm->vcpu[k]); /* out of its CPUs before the report */
	vmm_guest_stopped(vm);
}

static void cmd_destroy(int argc, char **argv)
{
	struct vm *vm = find_guest(argv[1]);

	(void)argc;
	if (!vm)
		return;
	if (vm->state != VM_RUNNING && vm->state != VM_PRESERVED) {
		log_rawf("guest \"%s\" is %s already\n", vm->name, vm_state_name(vm));
		return;
	}
	vm->paused = false;
	vm_destroy(vm);
	console_guest_gone(vm);
	log_rawf("guest \"%s\" destroyed\n", vm->name);
}

static void cmd_log(int argc, char **argv)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };

	(void)argc;
	for (unsigned i = 0; i < 4; i++) {
		if (!strcmp(argv[1], names[i])) {
			log_set_level((enum log_lvl)i);
			log_rawf("log level %s\n", names[i]);
			return;
		}
	}
	log_rawf("log LEVEL: LEVEL is error, warn, info or debug\n");
}

/* A host NMI on purpose, to see on a machine that Shale and its guests
 * take one (what a watchdog or the BMC may send): the CPU's scheduler
 * logs it, and `exits` counts one that came while a guest ran. */
static void cmd_nmi(int argc, char **argv)
{
	uint64_t cpu;

	(void)argc;
	if (!parse_number(argv[1], &cpu) || cpu >= smp_n_cpus) {
		log_rawf("no CPU \"%s\": CPUs are 0 to %u (see cpus)\n", argv[1],
			 smp_n_cpus - 1);
		return;
	}
	if (host_nmi_send((unsigned)cpu))
		log_rawf("CPU %lu does not run Shale: no NMI sent\n", (unsigned long)cpu);
	else
		log_rawf("NMI sent to CPU %lu\n", (unsigned long)cpu);
}

static void cmd_cpus(int argc, char **argv)
{
	struct cpuid_regs r;
	char vendor[13];

	(void)argc;
	(void)argv;
	cpuid_count(0, 0, &r);
	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = 0;
	cpuid_count(1, 0, &r);
	log_rawf("cpu0: %s family %u model %u stepping %u, TSC %lu kHz\n",
		 vendor, ((r.eax >> 8) & 0xf) + ((r.eax >> 20) & 0xff),
		 ((r.eax >> 4) & 0xf) | ((r.eax >> 12) & 0xf0), r.eax & 0xf,
		 (unsigned long)(vmx_cpu.tsc_hz / 1000));
	log_rawf("  VMX: EPT%s%s, unrestricted guest, VPID %s, preemption timer rate TSC/%u\n",
		 vmx_cpu.caps.ept_vpid & VMX_EPT_1GB_PAGE ? " 1G" : "",
		 vmx_cpu.caps.ept_vpid & VMX_EPT_2MB_PAGE ? " 2M" : "",
		 (vmx_cpu.caps.procbased2 >> 32) & SECONDARY_EXEC_ENABLE_VPID ? "yes" : "no",
		 1u << vmx_cpu.preempt_shift);
	/* Every CPU Shale knows, and the vCPUs whose home it is, as NAME/K. */
	log_rawf("  cpu  APIC ID  state\n");
	for (unsigned i = 0; i < smp_n_cpus; i++) {
		const struct percpu *p = smp_cpus[i];
		char vcpus[160];
		int n = 0;

		vcpus[0] = 0;
		for (unsigned g = 0; g < vmm_n_vm; g++)
			for (unsigned k = 0; k < vmm_vm[g].n_vcpus; k++)
				if (vmm_vm[g].state == VM_RUNNING && vmm_vm[g].vcpu[k].cpu == i &&
				    n < (int)sizeof(vcpus) - 40)
					n += ksnprintf(vcpus + n, sizeof(vcpus) - n, "%s%s/%u",
						       n ? ", " : "", vmm_vm[g].name, k);
		if (p->why)
			log_rawf("  %-4u %-8u %s: %s\n", i, p->apic_id,
				 smp_state_name(p), p->why);
		else if (p->state == CPU_IDLE && !n)
			log_rawf("  %-4u %-8u idle; %s\n", i, p->apic_id,
				 smp_ping(i) ? "answers a wake-up IPI" : "did NOT answer a wake-up IPI");
		else
			log_rawf("  %-4u %-8u %s; vCPUs: %s\n", i, p->apic_id,
				 n ? smp_state_name(p) : "idle", n ? vcpus : "none");
	}
}

static void cmd_memmap(int argc, char **argv)
{
	static const char *const types[] = { "free", "free (was firmware boot data)",
					     "Shale and guest images", "firmware runtime",
					     "ACPI", "reserved" };

	(void)argc;
	(void)argv;
	for (unsigned i = 0; i < boot->n_mem; i++) {
		const struct boot_mem_region *m = &boot->mem[i];

		log_rawf("  %016lx-%016lx %8lu KiB  %s\n", (unsigned long)m->base,
			 (unsigned long)(m->base + m->size - 1),
			 (unsigned long)(m->size >> 10),
			 m->type < 6 ? types[m->type] : "?");
	}
	log_rawf("  now free: %lu MiB; guests:\n",
		 (unsigned long)(vmm_pages.free_pages * PAGE_SIZE >> 20));
	for (unsigned i = 0; i < vmm_n_vm; i++)
		for (unsigned k = 0; k < vmm_vm[i].ram.n; k++) {
			const struct guest_ram_range *r = &vmm_vm[i].ram.r[k];

			if (r->hpa)
				log_rawf("  %016lx-%016lx guest \"%s\" (its 0x%lx-0x%lx)\n",
					 (unsigned long)r->hpa,
					 (unsigned long)(r->hpa + r->size - 1),
					 vmm_vm[i].name, (unsigned long)r->gpa,
					 (unsigned long)(r->gpa + r->size - 1));
		}
}

struct command {
	const char *name;
	int args;        /* required arguments */
	int max_args;
	const char *usage;
	void (*fn)(int argc, char **argv);
};

static const struct command commands[] = {
	{ "help", 0, 0, "help                 this list", cmd_help },
	{ "list", 0, 0, "list                 the guests: state, vCPUs, memory, exits", cmd_list },
	{ "info", 1, 1, "info GUEST           a guest's configuration and state", cmd_info },
	{ "regs", 1, 2, "regs GUEST [VCPU]    registers and control state", cmd_regs },
	{ "exits", 1, 1, "exits GUEST          VM exits by reason: count, cycles", cmd_exits },
	{ "trace", 1, 2, "trace GUEST [N|on|off] the last N exits (TSC, reason; RIP, qualification while on)", cmd_trace },
	{ "mem", 3, 3, "mem GUEST ADDR LEN   hex dump of guest-physical memory", cmd_mem },
	{ "stop", 1, 1, "stop GUEST           pause a guest", cmd_stop },
	{ "start", 1, 1, "start GUEST          resume, or start a stopped guest", cmd_start },
	{ "reboot", 1, 1, "reboot GUEST         reset a guest (its on_reboot applies)", cmd_reboot },
	{ "destroy", 1, 1, "destroy GUEST        stop a guest and free its memory", cmd_destroy },
	{ "log", 1, 1, "log LEVEL            error | warn | info | debug", cmd_log },
	{ "cpus", 0, 0, "cpus                 the host CPUs, their state and vCPUs; VMX features", cmd_cpus },
	{ "nmi", 1, 1, "nmi CPU              send a host NMI to a CPU (Shale logs it and goes on)", cmd_nmi },
	{ "net", 0, 0, "net                  the switches: ports, addresses, frames sent and lost", shell_cmd_net },
	{ "memmap", 0, 0, "memmap               host memory map and guest memory", cmd_memmap },
	{ "version", 0, 0, "version              Shale's version", cmd_version },
	{ "exit", 0, 0, "exit                 leave the shell (or Ctrl-D)", NULL },
};

static void cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (unsigned i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		log_rawf("  %s\n", commands[i].usage);
	log_rawf("  GUEST is a name or a number from list\n");
}

void shell_run(char *s)
{
	char *argv[8];
	int argc = 0;

	while (*s && argc < 8) {
		while (*s == ' ' || *s == '\t')
			*s++ = 0;
		if (!*s)
			break;
		argv[argc++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
	if (!argc)
		return;
	for (unsigned i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *c = &commands[i];

		if (strcmp(argv[0], c->name))
			continue;
		if (argc - 1 < c->args || argc - 1 > c->max_args) {
			log_rawf("usage: %s\n", c->usage);
			return;
		}
		if (!c->fn) {
			open_ = false;
			log_rawf("[shale] shell closed\n");
			return;
		}
		c->fn(argc, argv);
		return;
	}
	log_rawf("unknown command \"%s\"; help lists them\n", argv[0]);
}

static void recall(int dir)
{
	if (!hist_n)
		return;
	if (dir < 0 && hist_pos > 0)
		hist_pos--;
	else if (dir > 0 && hist_pos < hist_n)
		hist_pos++;
	/* Erase the line on the terminal, then show the recalled one. */
	log_rawf("\r\x1b[K");
	if (hist_pos == hist_n)
		len = 0;
	else {
		len = strlen(history[hist_pos % HISTORY]);
		memcpy(line, history[hist_pos % HISTORY], len);
	}
	prompt();
}

void shell_key(uint8_t c)
{
	if (esc == 1) {
		esc = c == '[' ? 2 : 0;
		return;
	}
	if (esc == 2) {
		esc = 0;
		if (c == 'A')
			recall(-1);
		else if (c == 'B')
			recall(1);
		return;
	}
	switch (c) {
	case 0x1b:
		esc = 1;
		return;
	case '\r':
	case '\n':
		log_raw("\n", 1);
		line[len] = 0;
		if (len) {
			memcpy(history[hist_n % HISTORY], line, len + 1);
			hist_n++;
		}
		hist_pos = hist_n;
		shell_run(line);
		len = 0;
		if (open_)
			prompt();
		return;
	case 0x7f:
	case '\b':
		if (len) {
			len--;
			log_raw("\b \b", 3);
		}
		return;
	case 0x15: /* Ctrl-U: the whole line */
		while (len) {
			len--;
			log_raw("\b \b", 3);
		}
		return;
	case 0x10: /* Ctrl-P */
		recall(-1);
		return;
	case 0x0e: /* Ctrl-N */
		recall(1);
		return;
	case 0x04: /* Ctrl-D */
		if (!len) {
			open_ = false;
			log_rawf("\n[shale] shell closed\n");
		}
		return;
	}
	if (c >= 0x20 && c < 0x7f && len < LINE_MAX - 1) {
		line[len++] = c;
		log_raw((const char *)&c, 1);
	}
}
