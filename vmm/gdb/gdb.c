/* SPDX-License-Identifier: MIT */
/*
 * The GDB stub's target: one guest's vCPU, reached between its runs (the
 * stub only works when the scheduler has the CPU, so the vCPU is never
 * running while its registers are read or written), and the UART that
 * carries the protocol.
 */
#include "arch/x86/include/cpu.h"
#include "arch/x86/vmx.h"
#include "drivers/uart.h"
#include "lib/log.h"
#include "lib/string.h"
#include "vmm/gdb/gdb.h"
#include "vmm/guest_mem.h"
#include "vmm/vm.h"

#define SRC "gdb"

static struct gdbstub stub;
static struct vm *debugged;
static uint16_t line;
static uint64_t last_rx;   /* TSC of the last byte from the debugger */
static bool told_not_running;

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

static void get_regs(void *t, struct gdb_regs *r)
{
	struct vcpu *v = t;
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
static void set_regs(void *t, const struct gdb_regs *r)
{
	struct vcpu *v = t;
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

static size_t read_mem(void *t, uint64_t addr, void *buf, size_t len, bool phys)
{
	return copy_mem(t, addr, buf, len, phys, false);
}

static size_t write_mem(void *t, uint64_t addr, const void *buf, size_t len,
			bool phys)
{
	return copy_mem(t, addr, (void *)buf, len, phys, true);
}

/* DR7 for the stub's hardware breakpoints (SDM Vol. 3B, 17.2.4): Ln
 * enables slot n, R/Wn is 00 execute, 01 write, 11 read or write, LENn is
 * 00 one byte, 01 two, 11 four, 10 eight. */
static void set_debug(void *t, const struct gdb_debug_setup *s)
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
	vcpu_set_debug(t, &d);
}

static void stop(void *t)
{
	struct vcpu *v = t;
	uint64_t prev = vmcs_make_current(v);

	v->vm->debug_held = true;
	log_info(SRC, "guest \"%s\" held by the debugger at RIP 0x%lx", v->vm->name,
		 (unsigned long)vcpu_get_state(v, VREG_RIP));
	vmcs_restore(v, prev);
}

static void resume(void *t)
{
	struct vcpu *v = t;

	v->vm->debug_held = false;
}

static const struct gdb_target_ops vcpu_ops = {
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
	gdbstub_init(&stub, &vcpu_ops, &vm->vcpu[0], put, NULL);
	log_info(SRC, "guest \"%s\" can be debugged with GDB on COM2 (port 0x%x, 115200 baud): "
		 "target remote /dev/ttyS1, or the socket the emulator gives COM2",
		 vm->name, port);
}

void gdb_poll(void)
{
	int c;

	if (!debugged)
		return;
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
	gdbstub_target_stopped(&stub, GDB_STOP_SW_BP, rip);
	return true;
}

void gdb_vcpu_stopped(struct vcpu *v, enum gdb_stop why, uint64_t addr)
{
	if (v->vm == debugged)
		gdbstub_target_stopped(&stub, why, addr);
}

void gdb_vm_gone(struct vm *vm)
{
	if (vm != debugged)
		return;
	vm->debug_held = false;
	memset(&vm->vcpu[0].dbg, 0, sizeof(vm->vcpu[0].dbg));
	gdbstub_target_gone(&stub, vm->stop_reason == VM_STOP_EXIT ?
				   (uint8_t)vm->exit_status : 0);
}
