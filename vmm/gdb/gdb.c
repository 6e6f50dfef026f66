/* SPDX-License-Identifier: MIT */
/*
 * The GDB stub's target: one guest's vCPUs, and the UART that carries the
 * protocol. The stub itself runs on CPU 0 alone (gdb_poll); the vCPUs may
 * run on any CPU.
 *
 * Holding: each vCPU has a debug_held flag that its home CPU's scheduler
 * obeys (vmm/sched.c, pick). The stub sets it on every vCPU and kicks
 * their homes, whose running vCPU exits at the IPI and is not entered
 * again. Registers and debug state are reached through
 * vmcs_make_current(), which claims the VMCS from the home CPU: a vCPU is
 * never running while the stub reads or writes it.
 *
 * Stops come from the CPU that ran the vCPU (a #BP, #DB exit there): that
 * CPU holds its own vCPU at once and posts the stop here; CPU 0 hands it
 * to the stub at its next poll, so the stub and COM2 have one user. When
 * a stop is already posted, or GDB already has the guest stopped, a
 * second one is not reported: its vCPU stays held, and re-executes the
 * INT3 or the instruction breakpoint when released (a second watchpoint
 * hit in the same instant is lost).
 */
#include "arch/x86/include/cpu.h"
#include "arch/x86/vmx.h"
#include "drivers/uart.h"
#include "lib/log.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "vmm/gdb/gdb.h"
#include "vmm/guest_mem.h"
#include "vmm/vm.h"
#include "vmm/vmm.h"

#define SRC "gdb"

static struct gdbstub stub;
static struct vm *debugged;
static uint16_t line;
static uint64_t last_rx;   /* TSC of the last byte from the debugger */
static bool told_not_running;

/* The one stop posted by a CPU for gdb_poll: 0 empty, 1 being written,
 * 2 ready. */
static struct {
	uint32_t state;
	unsigned cpu;
	enum gdb_stop why;
	uint64_t addr;
} posted;

/* GDB's amd64 register order against the SDM's encoding (vcpu.h). */
static const uint8_t sdm_gpr[16] = { 0, 3, 1, 2, 6, 7, 5, 4,
				     8, 9, 10, 11, 12, 13, 14, 15 };
static const enum vcpu_reg seg_reg[6] = { VREG_CS_SEL, VREG_SS_SEL, VREG_DS_SEL,
					  VREG_ES_SEL, VREG_FS_SEL, VREG_GS_SEL };

static void put(void *ctx, const char *p, size_t len)
{
	(void)ctx;
	for (size_t i = 0; i < len; i++)
		uart_port_putc(line, p[i]);
}

static struct vcpu *vcpu_of(void *t, unsigned cpu)
{
	struct vm *vm = t;

	return &vm->vcpu[cpu < vm->n_vcpus ? cpu : 0];
}

static unsigned threads(void *t)
{
	return ((struct vm *)t)->n_vcpus;
}

static void describe(void *t, unsigned cpu, char *buf, size_t size)
{
	static const char *const state[] = {
		[VCPU_RUNNABLE] = "running", [VCPU_HALTED] = "halted",
		[VCPU_WAIT_SIPI] = "waiting for SIPI", [VCPU_STOPPED] = "stopped",
	};
	struct vcpu *v = vcpu_of(t, cpu);

	ksnprintf(buf, size, "vCPU %u, CPU %u, %s%s", cpu, (unsigned)v->cpu,
		  v->state <= VCPU_STOPPED ? state[v->state] : "?",
		  v->debug_held ? ", held" : "");
}

static void get_regs(void *t, unsigned cpu, struct gdb_regs *r)
{
	struct vcpu *v = vcpu_of(t, cpu);
	uint64_t prev = vmcs_make_current(v);

	for (unsigned i = 0; i < 16; i++)
		r->gpr[i] = v->regs.gpr[sdm_gpr[i]];
	r->gpr[7] = vcpu_get_state(v, VREG_RSP);
	r->rip = vcpu_get_state(v, VREG_RIP);
	r->eflags = (uint32_t)vcpu_get_state(v, VREG_RFLAGS);
	for (unsigned i = 0; i < 6; i++)
		r->seg[i] = (uint32_t)vcpu_get_state(v, seg_reg[i]);
	vmcs_restore(v, prev);
}

/* Segment registers stay as they are: a selector alone, without its
 * descriptor's base and rights, would make the VMCS inconsistent. */
static void set_regs(void *t, unsigned cpu, const struct gdb_regs *r)
{
	struct vcpu *v = vcpu_of(t, cpu);
	uint64_t prev = vmcs_make_current(v);
	/* Reserved RFLAGS bits as the architecture fixes them: 1 is set,
	 * 3, 5, 15 and 22-63 are clear; else the next entry would fail. */
	uint64_t rflags = (r->eflags & 0x3f7fd5u) | 2u;

	for (unsigned i = 0; i < 16; i++)
		if (i != 7)
			v->regs.gpr[sdm_gpr[i]] = r->gpr[i];
	vcpu_set_state(v, VREG_RSP, r->gpr[7]);
	vcpu_set_state(v, VREG_RIP, r->rip);
	vcpu_set_state(v, VREG_RFLAGS, rflags);
	vmcs_restore(v, prev);
}

/* Guest memory a page at most at a time: guest-physical, or guest-virtual
 * through the guest's page tables. Stops at the first byte it cannot
 * reach; returns how many it did. */
static size_t copy_mem(struct vcpu *v, uint64_t addr, void *buf, size_t len,
		       bool phys, bool write)
{
	uint64_t prev = vmcs_make_current(v);
	size_t done = 0;

	while (done < len) {
		uint64_t a = addr + done, gpa = a;
		size_t chunk = 4096 - (a & 0xfff);
		void *p;

		if (chunk > len - done)
			chunk = len - done;
		if (!phys && guest_linear_to_phys(v, a, &gpa))
			break;
		p = vm_gpa_to_hva(v->vm, gpa, chunk);
		if (!p)
			break;
		if (write)
			memcpy(p, (const char *)buf + done, chunk);
		else
			memcpy((char *)buf + done, p, chunk);
		done += chunk;
	}
	vmcs_restore(v, prev);
	return done;
}

static size_t read_mem(void *t, unsigned cpu, uint64_t addr, void *buf,
		       size_t len, bool phys)
{
	return copy_mem(vcpu_of(t, cpu), addr, buf, len, phys, false);
}

static size_t write_mem(void *t, unsigned cpu, uint64_t addr, const void *buf,
			size_t len, bool phys)
{
	return copy_mem(vcpu_of(t, cpu), addr, (void *)buf, len, phys, true);
}

/* DR7 for the stub's hardware breakpoints (SDM Vol. 3B, 17.2.4): Ln
 * enables slot n, R/Wn is 00 execute, 01 write, 11 read or write, LENn is
 * 00 one byte, 01 two, 11 four, 10 eight. */
static void set_debug(void *t, unsigned cpu, const struct gdb_debug_setup *s)
{
	static const uint8_t len_bits[9] = { [1] = 0, [2] = 1, [4] = 3, [8] = 2 };
	struct vcpu_debug d = { .trap_int3 = s->trap_int3, .step = s->step };

	for (unsigned i = 0; i < GDB_HW_SLOTS; i++) {
		const struct gdb_hw_bp *b = &s->hw[i];
		unsigned rw;

		if (!b->used)
			continue;
		rw = b->type == GDB_BP_HW ? 0 : b->type == GDB_WP_WRITE ? 1 : 3;
		d.dr[i] = b->addr;
		d.dr7 |= (1ull << (2 * i)) | ((uint64_t)rw << (16 + 4 * i)) |
			 ((uint64_t)len_bits[b->len] << (18 + 4 * i));
		d.owns_dr = true;
	}
	vcpu_set_debug(vcpu_of(t, cpu), &d);
}

/* Every vCPU held first, then their homes kicked: a vCPU that a kick
 * makes exit finds itself held at its home's next pick. */
static void stop(void *t, unsigned cpu)
{
	struct vm *vm = t;
	struct vcpu *v = vcpu_of(t, cpu);
	uint64_t prev;

	for (unsigned k = 0; k < vm->n_vcpus; k++)
		__atomic_store_n(&vm->vcpu[k].debug_held, true, __ATOMIC_RELEASE);
	for (unsigned k = 0; k < vm->n_vcpus; k++)
		sched_kick(vm->vcpu[k].cpu);
	prev = vmcs_make_current(v);
	log_info(SRC, "guest \"%s\" held by the debugger at RIP 0x%lx (vCPU %u of %u)",
		 vm->name, (unsigned long)vcpu_get_state(v, VREG_RIP), cpu, vm->n_vcpus);
	vmcs_restore(v, prev);
}

static void resume(void *t, unsigned cpu)
{
	struct vm *vm = t;

	for (unsigned k = 0; k < vm->n_vcpus; k++) {
		if (cpu != GDB_ALL && k != cpu)
			continue;
		__atomic_store_n(&vm->vcpu[k].debug_held, false, __ATOMIC_RELEASE);
		sched_kick(vm->vcpu[k].cpu); /* its home may sleep */
	}
}

static const struct gdb_target_ops vcpu_ops = {
	.threads = threads,
	.describe = describe,
	.get_regs = get_regs,
	.set_regs = set_regs,
	.read_mem = read_mem,
	.write_mem = write_mem,
	.set_debug = set_debug,
	.stop = stop,
	.resume = resume,
};

void gdb_init(struct vm *vm, uint16_t port)
{
	debugged = vm;
	line = port;
	uart_port_init(port, 115200);
	gdbstub_init(&stub, &vcpu_ops, vm, put, NULL);
	log_info(SRC, "guest \"%s\" can be debugged with GDB on COM2 (port 0x%x, 115200 baud): "
		 "target remote /dev/ttyS1, or the socket the emulator gives COM2",
		 vm->name, port);
}

/* From the CPU that ran v: v is held now; the stop goes to the stub at
 * CPU 0's next gdb_poll, unless another is already waiting. */
static void post_stop(struct vcpu *v, enum gdb_stop why, uint64_t addr)
{
	uint32_t empty = 0;

	__atomic_store_n(&v->debug_held, true, __ATOMIC_RELEASE);
	if (!__atomic_compare_exchange_n(&posted.state, &empty, 1, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	posted.cpu = v->id;
	posted.why = why;
	posted.addr = addr;
	__atomic_store_n(&posted.state, 2, __ATOMIC_RELEASE);
	sched_kick(0); /* CPU 0 may be waiting in HLT */
}

static void take_posted_stop(void)
{
	if (__atomic_load_n(&posted.state, __ATOMIC_ACQUIRE) != 2)
		return;
	/* Already stopped (a stop crossed another, or GDB's Ctrl-C): the
	 * vCPU stays held with the others and its trap comes again. */
	if (!stub.stopped && debugged->state == VM_RUNNING)
		gdbstub_target_stopped(&stub, posted.cpu, posted.why, posted.addr);
	__atomic_store_n(&posted.state, 0, __ATOMIC_RELEASE);
}

void gdb_poll(void)
{
	int c;

	if (!debugged)
		return;
	take_posted_stop();
	while ((c = uart_port_getc(line)) >= 0) {
		last_rx = rdtsc();
		/* The guest may have been restarted since: the stub follows
		 * its slot, whose vCPU is the same structure. A guest that is
		 * not running has no vCPU state to serve. */
		if (debugged->state != VM_RUNNING) {
			if (!told_not_running)
				log_warn(SRC, "guest \"%s\" is not running (%s): the debugger is not answered",
					 debugged->name, vm_state_name(debugged));
			told_not_running = true;
			continue;
		}
		told_not_running = false;
		gdbstub_input(&stub, (uint8_t)c);
	}
}

bool gdb_polls_often(uint64_t now, uint64_t hz)
{
	return debugged && (stub.attached || now - last_rx < hz);
}

bool gdb_breakpoint_hit(struct vcpu *v, uint64_t rip)
{
	if (v->vm != debugged || !gdbstub_is_sw_bp(&stub, rip))
		return false;
	post_stop(v, GDB_STOP_SW_BP, rip);
	return true;
}

void gdb_vcpu_stopped(struct vcpu *v, enum gdb_stop why, uint64_t addr)
{
	if (v->vm == debugged)
		post_stop(v, why, addr);
}

void gdb_vm_gone(struct vm *vm)
{
	if (vm != debugged)
		return;
	for (unsigned k = 0; k < vm->n_vcpus; k++) {
		vm->vcpu[k].debug_held = false;
		memset(&vm->vcpu[k].dbg, 0, sizeof(vm->vcpu[k].dbg));
	}
	__atomic_store_n(&posted.state, 0, __ATOMIC_RELEASE);
	gdbstub_target_gone(&stub, vm->stop_reason == VM_STOP_EXIT ?
				   (uint8_t)vm->exit_status : 0);
}
