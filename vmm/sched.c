/* SPDX-License-Identifier: MIT */
/*
 * The scheduler: every vCPU of every guest on this one CPU, time-sliced
 * with the VMX-preemption timer, shares by weight (stride scheduling: each
 * vCPU's pass advances by the time it ran divided by its weight, and the
 * runnable vCPU with the smallest pass runs next). A vCPU in HLT gives the
 * CPU up until an interrupt is due; when no vCPU can run, the CPU waits
 * for the earliest timer of any guest, keeping the console alive.
 */
#include "arch/x86/exit.h"
#include "arch/x86/include/cpu.h"
#include "arch/x86/include/msr.h"
#include "arch/x86/spec_ctrl.h"
#include "arch/x86/vmx.h"
#include "arch/x86/xstate.h"
#include "drivers/uart.h"
#include "lib/log.h"
#include "vmm/gdb/gdb.h"
#include "vmm/irq.h"
#include "vmm/stride.h"
#include "vmm/vmm.h"

#define STRIDE_ONE (1ull << 16) /* pass per tick at weight 1, scaled */

static struct vcpu *current;     /* whose VMCS and registers are loaded */
static uint64_t slice_ticks;
static uint64_t vtime;           /* pass of the vCPU picked last */
static uint64_t switches;        /* guest switches, for the benchmarks */
static uint64_t switch_ticks;    /* time spent in measured switches */
static uint64_t switches_measured;

static const uint32_t swapped_msrs[6] = {
	MSR_IA32_KERNEL_GS_BASE, MSR_IA32_STAR, MSR_IA32_LSTAR,
	MSR_IA32_CSTAR, MSR_IA32_FMASK, MSR_IA32_TSC_AUX,
};

/* State the VMCS does not switch: the MSRs the guest owns outright, CR2,
 * the debug registers, and the x87/SSE/AVX/... registers with XCR0
 * (arch/x86/xstate.c). */
static void save_guest_state(struct vcpu *v)
{
	for (int i = 0; i < 6; i++)
		v->msr_saved[i] = rdmsr(swapped_msrs[i]);
	v->cr2 = read_cr2();
	for (unsigned i = 0; i < 4; i++)
		v->dr[i] = read_dr(i);
	v->dr6 = read_dr(6);
	xstate_save(v);
}

static void load_guest_state(struct vcpu *v)
{
	for (int i = 0; i < 6; i++)
		wrmsr(swapped_msrs[i], v->msr_saved[i]);
	write_cr2(v->cr2);
	for (unsigned i = 0; i < 4; i++)
		write_dr(i, v->dr[i]);
	write_dr(6, v->dr6 | DR6_FIXED);
	xstate_load(v); /* and XCR0 */
}

static void switch_to(struct vcpu *v)
{
	if (current == v)
		return;
	if (current)
		save_guest_state(current);
	/* Another guest gets the CPU, or a new one after the last was
	 * destroyed (current then NULL): it must not run on branch
	 * predictions the one before trained. */
	spec_ctrl_switch();
	vmcs_load(v);
	load_guest_state(v);
	current = v;
	switches++;
}

void sched_init(const struct shale_config *cfg, uint64_t tsc_hz)
{
	xstate_host_init();
	slice_ticks = tsc_hz / 1000000 * cfg->timeslice_us;
	if (!slice_ticks)
		slice_ticks = tsc_hz / 100;
}

void sched_add(struct vcpu *v)
{
	v->xcr0 = 1; /* x87 only: the value at reset */
	v->pass = vtime;
	v->state = VCPU_RUNNABLE;
}

void sched_forget(struct vcpu *v)
{
	if (current == v)
		current = NULL;
}

struct vcpu *sched_current(void)
{
	return current;
}

uint64_t sched_switches(void)
{
	return switches;
}

static uint64_t stride(const struct vcpu *v)
{
	uint32_t w = v->vm->cfg->weight ? v->vm->cfg->weight : 256;

	return STRIDE_ONE / w;
}

static struct vcpu *pick(void)
{
	struct vcpu *best = NULL;

	for (unsigned i = 0; i < vmm_n_vm; i++) {
		struct vcpu *v = &vmm_vm[i].vcpu;

		if (vmm_vm[i].state != VM_RUNNING || vmm_vm[i].paused ||
		    vmm_vm[i].debug_held)
			continue;
		if (v->state == VCPU_HALTED && vcpu_irq_wakeup(v))
			v->state = VCPU_RUNNABLE; /* an interrupt ends HLT */
		if (v->state != VCPU_RUNNABLE)
			continue;
		/* A vCPU back from a long HLT gets at most one slice of
		 * credit, not all the time it slept. */
		v->pass = pass_catch_up(v->pass, vtime, slice_ticks * stride(v));
		if (!best || pass_before(v->pass, best->pass))
			best = v;
	}
	if (best)
		vtime = best->pass;
	return best;
}

/* Nothing can run: wait for the next timer, a millisecond at most, so
 * that typed input and console output keep moving. */
static void idle(uint64_t now, uint64_t next, uint64_t hz)
{
	uint64_t until = now + hz / 1000;

	if (next < until)
		until = next;
	while (rdtsc() < until) {
		uart_tx_pump(); /* the serial line keeps busy while all sleep */
		cpu_relax();
	}
}

void sched_loop(uint64_t hz)
{
	for (;;) {
		uint64_t now = rdtsc(), next = UINT64_MAX, ran;
		bool alive = false;
		struct vcpu *v;

		console_poll_input();
		gdb_poll();
		console_drain();
		for (unsigned i = 0; i < vmm_n_vm; i++) {
			struct vm *vm = &vmm_vm[i];
			uint64_t t;

			if (vm->state != VM_RUNNING)
				continue;
			alive = true;
			if (vm->in.head != vm->in.tail)
				vm_console_input_ready(vm);
			t = platform_run_timers(&vm->plat, now);
			if (t < next)
				next = t;
		}
		if (!alive)
			return;
		uint64_t t_pick = rdtsc();

		v = pick();
		if (!v) {
			idle(now, next, hz);
			continue;
		}
		struct vcpu *prev = current;

		switch_to(v);
		uint64_t slice = gdb_polls_often(now, hz) && slice_ticks > hz / 1000 ?
				 hz / 1000 : slice_ticks;

		/* Console output waiting: come back when the UART's FIFO has
		 * gone out, to refill it (drivers/uart_tx.c), rather than
		 * wait on the UART here. */
		if (uart_tx_pending() && slice > uart_tx_fifo_ticks(hz))
			slice = uart_tx_fifo_ticks(hz);
		v->entry_work = 1;
		/* The cost of a switch: choosing the next vCPU and loading its
		 * VMCS and registers (console and timer work not included). */
		if (prev && prev != v) {
			switch_ticks += rdtsc() - t_pick;
			switches_measured++;
		}
		if (!v->launched) /* for boot-time measurements (make bench) */
			log_info("vm", "guest \"%s\": first entry at TSC %lu",
				 v->vm->name, (unsigned long)rdtsc());
		/* The vCPU pays for its own time in the guest and in its
		 * exits, not for the console and timer work done above for
		 * everyone. */
		uint64_t t_run = rdtsc();

		/* From the entry, not from the top of this pass: a slice
		 * shorter than the work above would end before the guest ran
		 * an instruction. */
		v->slice_end = t_run + slice;
		vmx_run(v);
		ran = rdtsc() - t_run;
		v->run_ticks += ran;
		v->pass += ran * stride(v);
		if (v->vm->stop_reason != VM_STOP_NONE)
			vmm_guest_stopped(v->vm);
	}
}

void sched_report(void)
{
	log_info("sched", "%lu guest switches, %lu TSC ticks each on average to pick the next vCPU and load its state",
		 (unsigned long)switches,
		 (unsigned long)(switches_measured ? switch_ticks / switches_measured : 0));
}

void vm_report_stats(struct vm *vm)
{
	struct vcpu *v = &vm->vcpu;

	log_rawf("[vm] guest \"%s\": %lu VM exits, ran %lu ms\n", vm->name,
		 (unsigned long)vcpu_exit_count(v),
		 (unsigned long)(v->run_ticks / (vmx_cpu.tsc_hz / 1000 ? vmx_cpu.tsc_hz / 1000 : 1)));
	log_rawf("  %-34s %10s %14s %10s\n", "exit reason", "count", "cycles",
		 "avg");
	for (unsigned r = 0; r < EXIT_REASON_MAX; r++) {
		const struct exit_stat *s = &v->stats[r];

		if (!s->count)
			continue;
		log_rawf("  %-34.34s %10lu %14lu %10lu\n", exit_reason_name(r),
			 (unsigned long)s->count, (unsigned long)s->cycles,
			 (unsigned long)(s->cycles / s->count));
	}
	if (vm->io.unclaimed)
		log_rawf("  unclaimed I/O port accesses: %lu\n",
			 (unsigned long)vm->io.unclaimed);
}
