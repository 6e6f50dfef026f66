/* SPDX-License-Identifier: MIT */
/*
 * The scheduler: one per host CPU, each over the vCPUs whose home it is,
 * time-sliced with the VMX-preemption timer, shares by weight (stride
 * scheduling: each vCPU's pass advances by the time it ran divided by its
 * weight, and the runnable vCPU with the smallest pass runs next). A vCPU
 * in HLT gives the CPU up until an interrupt is due; when no vCPU can run,
 * the CPU waits for the earliest timer of its guests.
 *
 * Across CPUs (docs/architecture.md, "Several CPUs"): a new vCPU gets the
 * allowed CPU with the least weight homed (vmm/placement.c); a CPU with two
 * runnable vCPUs more than another gives it one. Only a vCPU's home
 * changes its home, runs it, and holds its VMCS between runs; another CPU
 * that needs the VMCS claims it and kicks the home (arch/x86/vmcs_owner.c).
 * CPU 0 alone also polls the console, the shell and the GDB stub, and runs
 * the lifecycle of stopped guests: the APs run guests and nothing else.
 */
#include "arch/x86/exit.h"
#include "arch/x86/host_nmi.h"
#include "arch/x86/include/cpu.h"
#include "arch/x86/include/msr.h"
#include "arch/x86/percpu.h"
#include "arch/x86/smp.h"
#include "arch/x86/spec_ctrl.h"
#include "arch/x86/vmx.h"
#include "arch/x86/xstate.h"
#include "drivers/lapic.h"
#include "drivers/uart.h"
#include "lib/log.h"
#include "lib/string.h"
#include "vmm/gdb/gdb.h"
#include "vmm/irq.h"
#include "vmm/pc.h"
#include "vmm/placement.h"
#include "vmm/stride.h"
#include "vmm/vmm.h"

#define STRIDE_ONE (1ull << 16) /* pass per tick at weight 1, scaled */
/* A CPU looks at the others' load every few slices, not every pass. */
#define BALANCE_SLICES 4

static const struct shale_config *config;
static uint64_t slice_ticks;
static volatile bool started;    /* CPU 0 is ready: the APs may run guests */
static uint64_t switches;        /* guest switches, for the benchmarks */
static uint64_t switch_ticks;    /* time spent in measured switches */
static uint64_t switches_measured;

static const uint32_t swapped_msrs[6] = {
	MSR_IA32_KERNEL_GS_BASE, MSR_IA32_STAR, MSR_IA32_LSTAR,
	MSR_IA32_CSTAR, MSR_IA32_FMASK, MSR_IA32_TSC_AUX,
};

/* Every vCPU of every guest slot (empty and destroyed ones included:
 * callers look at the guest's state). */
#define for_each_vcpu(vm, v)                                        \
	for (vm = vmm_vm; vm < vmm_vm + vmm_n_vm; vm++)             \
		for (v = vm->vcpu; v < vm->vcpu + vm->n_vcpus; v++)

static uint32_t me(const struct percpu *c)
{
	return c->index;
}

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

/* This CPU stops holding v: its registers back in memory, its VMCS
 * cleared, so that another CPU may load both. */
static void put(struct percpu *c, struct vcpu *v)
{
	if (c->current == v) {
		save_guest_state(v);
		c->current = NULL;
	}
	vmcs_release(v);
}

static bool switch_to(struct percpu *c, struct vcpu *v)
{
	if (c->current == v)
		return true;
	if (c->current) {
		save_guest_state(c->current);
		c->current = NULL;
	}
	if (!vmcs_load(v))
		return false; /* another CPU took it a moment ago */
	/* Another guest gets the CPU, or a new one after the last was
	 * destroyed (current then NULL): it must not run on branch
	 * predictions the one before trained. */
	spec_ctrl_switch();
	load_guest_state(v);
	c->current = v;
	__atomic_fetch_add(&switches, 1, __ATOMIC_RELAXED);
	return true;
}

void sched_init(const struct shale_config *cfg, uint64_t tsc_hz)
{
	config = cfg;
	xstate_host_init();
	slice_ticks = tsc_hz / 1000000 * cfg->timeslice_us;
	if (!slice_ticks)
		slice_ticks = tsc_hz / 100;
}

void sched_kick(unsigned cpu)
{
	struct percpu *p;

	if (cpu >= smp_n_cpus || cpu == this_cpu()->index)
		return;
	p = smp_cpus[cpu];
	if (p->state != CPU_IDLE && p->state != CPU_RUNNING)
		return;
	p->resched = true;
	host_apic_send_ipi(p->apic_id, ICR_FIXED | SMP_WAKE_VECTOR);
}

bool sched_should_yield(void)
{
	struct percpu *c = this_cpu();

	if (!c->resched)
		return false;
	c->resched = false;
	return true;
}

static bool usable(const struct percpu *p)
{
	return p->state == CPU_IDLE || p->state == CPU_RUNNING;
}

/* The CPUs v may run on: its guest's cpus. The GDB stub's guest runs
 * anywhere too: the stub holds its vCPUs through their debug_held flags
 * and reaches them with vmcs_make_current() (vmm/gdb/gdb.c). */
static uint64_t allowed(const struct vcpu *v)
{
	return v->vm->cfg->cpus;
}

static void load_snapshot(struct cpu_load *load)
{
	for (unsigned c = 0; c < smp_n_cpus; c++) {
		load[c] = (struct cpu_load){ .usable = usable(smp_cpus[c]),
					     .runnable = smp_cpus[c]->nr_runnable };
	}
	struct vm *vm;
	struct vcpu *v;

	/* The vCPUs of a guest being created count as soon as they are
	 * placed, so that its vCPUs spread over the CPUs. */
	for_each_vcpu(vm, v)
		if ((vm->state == VM_RUNNING || v->placed) && v->cpu < smp_n_cpus)
			load[v->cpu].weight += vm->cfg->weight ? vm->cfg->weight : 256;
}

bool sched_add(struct vcpu *v)
{
	struct percpu *c = this_cpu();
	struct cpu_load load[SMP_MAX_CPUS];
	int home;

	load_snapshot(load);
	home = placement_home(load, smp_n_cpus, allowed(v));
	if (home < 0) {
		/* The config's CPUs were checked against these at start
		 * (sched_check_pinning); one may have stopped since. */
		log_err("sched", "guest \"%s\": none of its cpus runs guests", v->vm->name);
		return false;
	}
	v->xcr0 = 1; /* x87 only: the value at reset */
	v->state = VCPU_RUNNABLE;
	v->claimed = false;
	v->pass = smp_cpus[home]->vtime;
	if ((unsigned)home != me(c))
		vmcs_release(v); /* vmcs_create() left it active here */
	v->cpu = (uint32_t)home;
	v->placed = true;
	/* vmcs_create() made the new VMCS current: the vCPU this CPU had
	 * loaded gets its own back. */
	if (c->current)
		vmcs_load(c->current);
	return true;
}

void sched_start(struct vcpu *v)
{
	sched_kick(v->cpu);
}

void sched_take(struct vcpu *v)
{
	struct percpu *c = this_cpu();

	if (!v->vmcs_hpa)
		return;
	if (c->current == v)
		c->current = NULL; /* its registers are of no more use */
	vmcs_seize(v);
	v->placed = false;
}

struct vcpu *sched_current(void)
{
	return this_cpu()->current;
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

/* Live on this CPU, and not to run: claimed by another CPU, stopped,
 * destroyed. */
static bool must_let_go(const struct percpu *c, const struct vm *vm,
			const struct vcpu *v)
{
	return v->cpu != me(c) || v->claimed || vm->stop_reason != VM_STOP_NONE ||
	       vm->state != VM_RUNNING;
}

/* Give back every VMCS this CPU holds that it must not run: another CPU
 * waits for it (vmcs_make_current, sched_take), or CPU 0 for a stopped
 * guest (sched_loop). */
static void let_go(struct percpu *c)
{
	struct vm *vm;
	struct vcpu *v;

	for_each_vcpu(vm, v)
		if (v->vmcs_cpu == (int32_t)me(c) && !v->borrowed &&
		    must_let_go(c, vm, v))
			put(c, v);
}

static bool mine(const struct percpu *c, const struct vm *vm,
		 const struct vcpu *v)
{
	return vm->state == VM_RUNNING && v->cpu == me(c) &&
	       vm->stop_reason == VM_STOP_NONE;
}

/* Ready to run: runnable, or with an INIT or start-up IPI to act on
 * (vcpu_init_sipi, which needs its VMCS). An interrupt ends HLT. */
static bool ready(struct vcpu *v)
{
	if (v->init_sipi)
		return true;
	if (v->state == VCPU_HALTED) {
		vm_lock(v->vm);
		if (vcpu_irq_wakeup(v))
			v->state = VCPU_RUNNABLE;
		vm_unlock(v->vm);
	}
	return v->state == VCPU_RUNNABLE;
}

static struct vcpu *pick(struct percpu *c)
{
	struct vcpu *best = NULL;
	uint32_t runnable = 0;

	struct vm *vm;
	struct vcpu *v;

	for_each_vcpu(vm, v) {
		if (!mine(c, vm, v))
			continue;
		if (vm->paused || v->debug_held || v->claimed || !ready(v))
			continue;
		runnable++;
		/* A vCPU back from a long HLT gets at most one slice of
		 * credit, not all the time it slept. */
		v->pass = pass_catch_up(v->pass, c->vtime, slice_ticks * stride(v));
		if (!best || pass_before(v->pass, best->pass))
			best = v;
	}
	c->nr_runnable = runnable;
	if (best)
		c->vtime = best->pass;
	return best;
}

/* Give v to CPU t: cleared here, its pass set where t's scheduler is. */
static void migrate(struct percpu *c, struct vcpu *v, unsigned t)
{
	put(c, v);
	v->pass = smp_cpus[t]->vtime;
	v->migrations++;
	c->nr_runnable--;
	log_debug("sched", "guest \"%s\": vCPU %u moves from CPU %u to CPU %u",
		  v->vm->name, v->id, me(c), t);
	__atomic_store_n(&v->cpu, t, __ATOMIC_RELEASE);
	sched_kick(t);
}

/* Two or more vCPUs ready here and a CPU with at least two fewer: give
 * it one, preferably not the one whose state is loaded. */
static void balance(struct percpu *c, uint64_t now)
{
	struct cpu_load load[SMP_MAX_CPUS];

	if (smp_n_cpus < 2 || pass_before(now, c->next_balance))
		return;
	c->next_balance = now + BALANCE_SLICES * slice_ticks;
	if (c->nr_runnable < 2)
		return;
	load_snapshot(load);
	for (int round = 0; round < 2; round++) {
		struct vm *vm;
		struct vcpu *v;

		for_each_vcpu(vm, v) {
			int t;

			if (!mine(c, vm, v) || vm->paused ||
			    v->debug_held || v->claimed ||
			    v->state != VCPU_RUNNABLE ||
			    (round == 0 && v == c->current))
				continue;
			t = placement_balance(load, smp_n_cpus, me(c), allowed(v));
			if (t >= 0) {
				migrate(c, v, (unsigned)t);
				return;
			}
		}
	}
}

/* Nothing can run: wait for the next timer, a millisecond at most, so
 * that typed input and console output keep moving, or for a kick. */
static void idle(struct percpu *c, uint64_t now, uint64_t next, uint64_t hz)
{
	uint64_t until = now + hz / 1000;

	if (next < until)
		until = next;
	while (rdtsc() < until && !c->resched) {
		if (me(c) == 0)
			uart_tx_pump(); /* the serial line keeps busy while all sleep */
		cpu_relax();
	}
}

/* One round of this CPU's scheduler: timers and input of its guests,
 * then its next vCPU for a slice. False on an AP with no vCPU at all,
 * which may then sleep until a kick. */
static bool sched_pass(struct percpu *c, uint64_t hz)
{
	uint64_t now = rdtsc(), next = UINT64_MAX, ran;
	struct vcpu *v, *prev;

	c->resched = false;
	host_nmi_report();
	let_go(c);
	for (unsigned i = 0; i < vmm_n_vm; i++) {
		struct vm *vm = &vmm_vm[i];
		uint64_t t;

		bool here = false;

		/* The guest's timers run on every CPU that has one of its
		 * vCPUs (a vCPU halted until its local APIC timer needs its
		 * own CPU to wake); typed input and waiting frames on its
		 * vCPU 0's. */
		for (unsigned k = 0; k < vm->n_vcpus; k++)
			if (mine(c, vm, &vm->vcpu[k]))
				here = true;
		if (!here)
			continue;
		vm_lock(vm);
		if (mine(c, vm, &vm->vcpu[0]) &&
		    __atomic_load_n(&vm->in.head, __ATOMIC_ACQUIRE) != vm->in.tail)
			vm_console_input_ready(vm);
		if (mine(c, vm, &vm->vcpu[0]) &&
		    __atomic_load_n(&vm->net_waiting, __ATOMIC_RELAXED))
			pc_net_input(vm);
		t = platform_run_timers(&vm->plat, now);
		vm_unlock(vm);
		if (t < next)
			next = t;
	}
	balance(c, now);
	uint64_t t_pick = rdtsc();

	v = pick(c);
	if (!v) {
		/* An AP with no guest timers to run may sleep: whatever else
		 * makes one of its vCPUs ready comes with a kick. */
		if (me(c) != 0 && next == UINT64_MAX)
			return false;
		idle(c, now, next, hz);
		return true;
	}
	prev = c->current;
	if (!switch_to(c, v))
		return true;
	if (v->init_sipi) {
		vm_lock(v->vm);
		vcpu_init_sipi(v);
		vm_unlock(v->vm);
		if (v->state != VCPU_RUNNABLE)
			return true;
	}
	uint64_t slice = me(c) == 0 && gdb_polls_often(now, hz) &&
			 slice_ticks > hz / 1000 ? hz / 1000 : slice_ticks;

	/* Console output waiting: come back when the UART's FIFO has gone
	 * out, to refill it (drivers/uart_tx.c), rather than wait on the
	 * UART here. Only CPU 0 sends it. */
	if (me(c) == 0 && uart_tx_pending() && slice > uart_tx_fifo_ticks(hz))
		slice = uart_tx_fifo_ticks(hz);
	v->entry_work = 1;
	/* The cost of a switch: choosing the next vCPU and loading its VMCS
	 * and registers (console and timer work not included). */
	if (prev && prev != v) {
		__atomic_fetch_add(&switch_ticks, rdtsc() - t_pick, __ATOMIC_RELAXED);
		__atomic_fetch_add(&switches_measured, 1, __ATOMIC_RELAXED);
	}
	if (!v->launched && !v->run_ticks) /* for boot-time measurements (make bench) */
		log_info("vm", "guest \"%s\": first entry at TSC %lu",
			 v->vm->name, (unsigned long)rdtsc());
	/* The vCPU pays for its own time in the guest and in its exits, not
	 * for the console and timer work done above for everyone. */
	uint64_t t_run = rdtsc();

	/* From the entry, not from the top of this pass: a slice shorter
	 * than the work above would end before the guest ran an
	 * instruction. */
	v->slice_end = t_run + slice;
	vmx_run(v);
	ran = rdtsc() - t_run;
	v->run_ticks += ran;
	v->pass += ran * stride(v);
	return true;
}

bool sched_ap_pass(void)
{
	struct percpu *c = this_cpu();
	bool busy;

	if (!started)
		return false;
	if (!c->xstate_ready) {
		xstate_cpu_init(); /* CPU 0 set the policy in sched_init() */
		c->xstate_ready = true;
	}
	busy = sched_pass(c, vmx_cpu.tsc_hz);
	__atomic_store_n(&c->state, busy ? CPU_RUNNING : CPU_IDLE, __ATOMIC_RELEASE);
	return busy;
}

/* CPU 0's share of the guest lifecycle: a guest stopped on any CPU is
 * reported and restarted or destroyed here, once its home has let its
 * vCPU go. False when no guest is left running. */
static bool lifecycle(void)
{
	bool alive = false;

	for (unsigned i = 0; i < vmm_n_vm; i++) {
		struct vm *vm = &vmm_vm[i];

		bool released = true;

		if (vm->state != VM_RUNNING)
			continue;
		for (unsigned k = 0; k < vm->n_vcpus; k++)
			if (__atomic_load_n(&vm->vcpu[k].vmcs_cpu, __ATOMIC_ACQUIRE) != -1)
				released = false;
		if (vm->stop_reason != VM_STOP_NONE && released)
			vmm_guest_stopped(vm);
		if (vm->state == VM_RUNNING)
			alive = true;
	}
	return alive;
}

void sched_loop(uint64_t hz)
{
	struct percpu *c = this_cpu();

	__atomic_store_n(&started, true, __ATOMIC_RELEASE);
	for (unsigned i = 1; i < smp_n_cpus; i++)
		sched_kick(i);
	for (;;) {
		console_poll_input();
		gdb_poll();
		console_drain();
		if (!lifecycle())
			return;
		sched_pass(c, hz);
	}
}

void sched_report(void)
{
	log_info("sched", "%lu guest switches, %lu TSC ticks each on average to pick the next vCPU and load its state",
		 (unsigned long)switches,
		 (unsigned long)(switches_measured ? switch_ticks / switches_measured : 0));
}

uint64_t vm_exit_count(const struct vm *vm)
{
	uint64_t n = 0;

	for (unsigned k = 0; k < vm->n_vcpus; k++)
		n += vcpu_exit_count(&vm->vcpu[k]);
	return n;
}

void vm_report_stats(struct vm *vm)
{
	uint64_t ticks = 0, ms = vmx_cpu.tsc_hz / 1000 ? vmx_cpu.tsc_hz / 1000 : 1;

	for (unsigned k = 0; k < vm->n_vcpus; k++)
		ticks += vm->vcpu[k].run_ticks;
	log_rawf("[vm] guest \"%s\": %lu VM exits, ran %lu ms\n", vm->name,
		 (unsigned long)vm_exit_count(vm), (unsigned long)(ticks / ms));
	log_rawf("  %-34s %10s %14s %10s\n", "exit reason", "count", "cycles",
		 "avg");
	for (unsigned r = 0; r < EXIT_REASON_MAX; r++) {
		uint64_t count = 0, cycles = 0;

		for (unsigned k = 0; k < vm->n_vcpus; k++) {
			count += vm->vcpu[k].stats[r].count;
			cycles += vm->vcpu[k].stats[r].cycles;
		}
		if (!count)
			continue;
		log_rawf("  %-34.34s %10lu %14lu %10lu\n", exit_reason_name(r),
			 (unsigned long)count, (unsigned long)cycles,
			 (unsigned long)(cycles / count));
	}
	for (unsigned k = 0; smp_n_cpus > 1 && k < vm->n_vcpus; k++) {
		const struct vcpu *v = &vm->vcpu[k];

		if (vm->n_vcpus == 1)
			log_rawf("  on CPU %u, moved between CPUs %lu times\n", v->cpu,
				 (unsigned long)v->migrations);
		else
			log_rawf("  vCPU %u: on CPU %u, moved between CPUs %lu times, %lu exits, ran %lu ms\n",
				 k, v->cpu, (unsigned long)v->migrations,
				 (unsigned long)vcpu_exit_count(v),
				 (unsigned long)(v->run_ticks / ms));
	}
	uint64_t nmis = 0;

	for (unsigned k = 0; k < vm->n_vcpus; k++)
		nmis += vm->vcpu[k].host_nmis;
	if (nmis)
		log_rawf("  host NMIs while it ran: %lu (exits above; the host's, not given to the guest)\n",
			 (unsigned long)nmis);
	if (vm->io.unclaimed)
		log_rawf("  unclaimed I/O port accesses: %lu\n",
			 (unsigned long)vm->io.unclaimed);
}
