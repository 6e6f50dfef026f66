/* SPDX-License-Identifier: MIT */
/*
 * Every host CPU in VMX root operation. CPU 0 (the one the firmware ran
 * Shale on) reads the others from the MADT, gives each its per-CPU data,
 * and wakes them one at a time with INIT-SIPI-SIPI (Intel SDM Vol. 3A,
 * 9.4.4.1 "Typical BSP Initialization Sequence" and its delays). Each AP
 * loads its own GDT and TSS, the shared IDT, checks that its VMX is CPU 0's,
 * enters VMX root operation in its own VMXON region, says so in its
 * state, and then idles: HLT with interrupts on, woken by an IPI.
 *
 * A CPU that does not answer, or cannot run guests, is named in one
 * sentence and left out; the others go on.
 */
#include "arch/x86/ap_trampoline.h"
#include "arch/x86/host.h"
#include "arch/x86/include/cpu.h"
#include "arch/x86/include/msr.h"
#include "arch/x86/init_wait.h"
#include "arch/x86/madt.h"
#include "arch/x86/percpu.h"
#include "arch/x86/smp.h"
#include "arch/x86/spec_ctrl.h"
#include "arch/x86/vmx.h"
#include "drivers/lapic.h"
#include "lib/log.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "vmm/vmm.h"

#define SRC "smp"
#define AP_STACK_SIZE (64 * 1024)
#define AP_IST_SIZE (16 * 1024)
/* How long an AP has to take its parameters after the second start-up
 * IPI, and then to reach VMX root operation: far more than either needs
 * (a few hundred microseconds), and short enough not to hold up a boot. */
#define AP_ANSWER_US 100000
#define AP_READY_US 1000000

struct percpu *smp_cpus[SMP_MAX_CPUS];
unsigned smp_n_cpus = 1;

static uint64_t tsc_hz;
static volatile uint32_t panic_owner; /* token of the CPU reporting a panic */

static uint32_t self_token(void)
{
	return this_cpu()->index + 1;
}

static void delay_us(uint64_t us)
{
	uint64_t end = rdtsc() + tsc_hz / 1000000 * us;

	while ((int64_t)(rdtsc() - end) < 0)
		cpu_relax();
}

/* Wait until *word is no longer `from`, for at most us microseconds. */
static bool wait_change(volatile uint32_t *word, uint32_t from, uint64_t us)
{
	uint64_t end = rdtsc() + tsc_hz / 1000000 * us;

	while (*word == from) {
		if ((int64_t)(rdtsc() - end) >= 0)
			return false;
		cpu_relax();
	}
	return true;
}

static void report_madt(void *ctx, const char *msg)
{
	(void)ctx;
	log_warn(SRC, "%s", msg);
}

/* ------------------------------------------------------------ the AP side */

void smp_wake_interrupt(void);
void smp_wake_interrupt(void)
{
	this_cpu()->wakeups++;
	host_apic_eoi();
}

static __attribute__((noreturn)) void ap_fail(struct percpu *p, const char *why)
{
	p->why = why;
	__atomic_store_n(&p->state, CPU_FAILED, __ATOMIC_RELEASE);
	cpu_halt_forever();
}

/* Where the trampoline calls, on the AP's own stack, in long mode on
 * Shale's page tables. Nothing here allocates or logs: CPU 0 waits for
 * the state and says what became of this CPU. */
void smp_ap_main(struct percpu *p);
void smp_ap_main(struct percpu *p)
{
	const char *why;

	host_gdt_load(&p->gdt, p->ist_top);
	wrmsr(MSR_IA32_GS_BASE, (uint64_t)p);
	host_idt_load();
	host_apic_ap_init();
	why = vmx_cpu_enable_ap(p->vmxon_region);
	if (why)
		ap_fail(p, why);
	/* Shale's own IA32_SPEC_CTRL (IBRS where the CPU has it), as on
	 * CPU 0, before this CPU ever runs a guest. */
	spec_ctrl_cpu_init();
	__atomic_store_n(&p->state, CPU_IDLE, __ATOMIC_RELEASE);
	/* Idle until there is work. Interrupts are on only inside the
	 * STI; HLT pair (STI's one-instruction shadow keeps a wake-up
	 * between the two from being lost). */
	for (;;) {
		if (p->selftest_fault) /* only with selftest = on */
			asm volatile("ud2");
		if (sched_ap_pass()) /* its guests (vmm/sched.c) */
			continue;
		asm volatile("sti; hlt; cli" ::: "memory");
	}
}

/* ------------------------------------------------------------ CPU 0's side */

static struct ap_boot_params *params;

/* params->apic_id, which CPU 0 and the AP both change atomically (at
 * offset 0x50 of a page: aligned, though the struct is packed). */
static volatile uint32_t *claim_word(void)
{
	return (volatile uint32_t *)((char *)params +
				     __builtin_offsetof(struct ap_boot_params, apic_id));
}

/* Copy the code below 1 MiB and fill what does not change between APs. */
static void trampoline_setup(uint64_t base)
{
	uint64_t *pml4 = (uint64_t *)(base + 0x1000);
	uint64_t *pdpt = (uint64_t *)(base + 0x2000);
	uint64_t *pd = (uint64_t *)(base + 0x3000);
	size_t size = ap_trampoline_end - ap_trampoline_start;

	memset((void *)base, 0, AP_TRAMPOLINE_PAGES * PAGE_SIZE);
	memcpy((void *)base, ap_trampoline_start, size);
	/* Present, writable; 2 MiB pages (PS) for the first 1 GiB. */
	pml4[0] = (base + 0x2000) | 3;
	pdpt[0] = (base + 0x3000) | 3;
	for (unsigned i = 0; i < 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;

	params = (struct ap_boot_params *)(base + AP_PARAMS_OFFSET);
	params->gdt[0] = 0;
	params->gdt[1] = 0x00cf9a000000ffffull; /* 0x08 code, 32-bit, flat */
	params->gdt[2] = 0x00cf92000000ffffull; /* 0x10 data, flat */
	params->gdt[3] = 0x00af9a000000ffffull; /* 0x18 code, 64-bit */
	params->gdt_limit = sizeof(params->gdt) - 1;
	params->gdt_base = (uint32_t)(uint64_t)params->gdt;
	params->far32_off = base + (ap_trampoline_pm32 - ap_trampoline_start);
	params->far32_sel = 0x08;
	params->far64_off = base + (ap_trampoline_lm64 - ap_trampoline_start);
	params->far64_sel = 0x18;
	params->tmp_cr3 = base + 0x1000;
	/* LME, and NXE/SCE as CPU 0 has them; LMA is the CPU's to set. */
	params->efer = (rdmsr(MSR_IA32_EFER) & ~(1ull << 10)) | (1u << 8);
	params->host_cr3 = read_cr3();
	params->host_cr4 = read_cr4() & ~CR4_VMXE; /* set by its own VMXON */
	params->host_cr0 = read_cr0();
	params->entry = (uint64_t)smp_ap_main;
	*claim_word() = AP_NOBODY;
}

/* The second half of the sequence of SDM Vol. 3A, 9.4.4.1, once the AP
 * had its INIT and the 10 ms after it: start-up IPI, 200 us, and a second
 * start-up IPI if the first did not start it. */
static void start_ap(struct percpu *p, uint64_t trampoline)
{
	uint32_t vector = trampoline >> 12;

	params->stack_top = p->stack_top;
	params->percpu = (uint64_t)p;
	__atomic_store_n(claim_word(), p->apic_id, __ATOMIC_RELEASE);
	p->state = CPU_STARTING;

	/* The SDM's 200 us after each start-up IPI are an upper bound: the
	 * AP that takes its parameters has started, and the wait ends
	 * there (about 40 K ticks an AP in Bochs). */
	host_apic_send_ipi(p->apic_id, ICR_STARTUP | vector);
	if (!wait_change(claim_word(), p->apic_id, 200)) {
		host_apic_send_ipi(p->apic_id, ICR_STARTUP | vector);
		wait_change(claim_word(), p->apic_id, 200);
	}
	if (!wait_change(claim_word(), p->apic_id, AP_ANSWER_US)) {
		uint32_t expect = p->apic_id;

		/* Take the parameters back, unless it took them just now. */
		if (__atomic_compare_exchange_n(claim_word(), &expect, AP_NOBODY,
						false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			p->state = CPU_SILENT;
			p->why = "did not answer INIT-SIPI-SIPI";
			goto done;
		}
	}
	if (!wait_change(&p->state, CPU_STARTING, AP_READY_US)) {
		/* It has its stack; it stays ours, never given to another. */
		p->state = CPU_SILENT;
		p->why = "started, but did not reach VMX root operation in time";
	}
done:
	__atomic_store_n(claim_word(), AP_NOBODY, __ATOMIC_RELEASE);
}

static uint64_t alloc_zeroed(struct page_allocator *pa, uint64_t bytes)
{
	uint64_t pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t a = page_alloc_contig(pa, pages, PAGE_SIZE);

	if (a)
		memset((void *)a, 0, pages * PAGE_SIZE);
	return a;
}

/* Per-CPU data, stacks and VMXON region for an AP, all from CPU 0's
 * allocator before it runs. NULL when memory ran out. */
static struct percpu *new_ap(struct page_allocator *pa, unsigned index,
			     uint32_t apic_id)
{
	struct percpu *p = (struct percpu *)alloc_zeroed(pa, sizeof(*p));
	uint64_t stack, ist, vmxon;

	if (!p)
		return NULL;
	p->self = p;
	p->index = index;
	p->apic_id = apic_id;
	p->state = CPU_LEFT_OUT;
	stack = alloc_zeroed(pa, AP_STACK_SIZE);
	ist = alloc_zeroed(pa, AP_IST_SIZE);
	vmxon = alloc_zeroed(pa, PAGE_SIZE);
	if (!stack || !ist || !vmxon) {
		p->why = "out of memory for its stacks";
		return p;
	}
	p->stack_top = stack + AP_STACK_SIZE;
	p->ist_top = ist + AP_IST_SIZE;
	p->vmxon_region = vmxon;
	return p;
}

static void list_missing(const struct shale_config *cfg)
{
	char names[160];
	int n = 0;

	if (cfg->host_cpus == ~0ull)
		return;
	names[0] = 0;
	for (unsigned c = smp_n_cpus; c < SMP_MAX_CPUS; c++)
		if ((cfg->host_cpus >> c) & 1 && n < (int)sizeof(names) - 8)
			n += ksnprintf(names + n, sizeof(names) - n, "%s%u",
				       n ? ", " : "", c);
	if (n)
		log_warn(SRC, "shale.cfg:%u: cpus names CPU %s, which this machine does not have; going on with the others",
			 cfg->host_cpus_line, names);
}

void smp_init(const struct boot_info *bi, struct page_allocator *pa)
{
	struct madt_info *m;
	uint64_t madt;
	uint32_t len, me = host_apic_id();
	const char *source;
	uint64_t t0;
	unsigned inits = 0;
	unsigned up = 1;
	struct cpuid_regs r;
	bool intel;

	tsc_hz = vmx_cpu.tsc_hz;
	smp_cpus[0]->apic_id = me;
	spin_self = self_token;

	m = (struct madt_info *)alloc_zeroed(pa, sizeof(*m));
	if (!m) {
		log_warn(SRC, "out of memory for the CPU list: Shale runs on CPU 0 alone");
		return;
	}
	madt = acpi_find_table(bi->acpi_rsdp, "APIC", &len);
	if (madt) {
		source = "the MADT";
		madt_parse((const void *)madt, len, m, report_madt, NULL);
	} else if (bi->fw_cpus.n_cpus) {
		/* No ACPI tables (OVMF under Bochs): the list the firmware's
		 * MP Services gave before ExitBootServices (boot/cpus.c). */
		source = "UEFI MP Services (no MADT)";
		*m = bi->fw_cpus;
	} else {
		log_warn(SRC, "neither a MADT nor UEFI MP Services name the CPUs: Shale runs on CPU 0 alone");
		return;
	}
	if (m->n_over_max)
		log_warn(SRC, "%s lists %u more CPUs than Shale's maximum of %d, from APIC ID %u on; they are left out",
			 source, m->n_over_max, SMP_MAX_CPUS, m->first_over_max);

	/* CPU 0 first, the others in the MADT's order. */
	for (unsigned i = 0; i < m->n_cpus && smp_n_cpus < SMP_MAX_CPUS; i++) {
		struct percpu *p;

		if (m->cpus[i].apic_id == me)
			continue;
		p = new_ap(pa, smp_n_cpus, m->cpus[i].apic_id);
		if (!p) {
			log_warn(SRC, "out of memory for CPU %u's data; it and the rest are left out",
				 smp_n_cpus);
			break;
		}
		smp_cpus[smp_n_cpus++] = p;
		if (!((bi->config.host_cpus >> p->index) & 1))
			p->why = "not in [hypervisor] cpus";
	}
	list_missing(&bi->config);

	if (smp_n_cpus > 1 && !bi->ap_trampoline) {
		log_warn(SRC, "the firmware had no memory below 1 MiB for the start-up code: Shale runs on CPU 0 alone");
		for (unsigned i = 1; i < smp_n_cpus; i++)
			smp_cpus[i]->why = "no start-up code below 1 MiB";
	} else if (smp_n_cpus > 1) {
		trampoline_setup(bi->ap_trampoline);
	}

	cpuid_count(0, 0, &r); /* "GenuineIntel" in EBX, EDX, ECX */
	intel = r.ebx == 0x756e6547 && r.edx == 0x49656e69 && r.ecx == 0x6c65746e;
	cpuid_count(1, 0, &r); /* the signature, in EAX */
	log_info(SRC, "CPU 0 (APIC ID %u) boots; %s names %u CPU%s", me, source,
		 m->n_cpus, m->n_cpus == 1 ? "" : "s");
	/* INIT to every AP Shale takes, then the 10 ms the SDM asks for
	 * after it, once for all of them, where the CPU needs them
	 * (arch/x86/init_wait.c); the start-up IPIs go one AP at a time, as
	 * they share the parameters. */
	for (unsigned i = 1; i < smp_n_cpus; i++) {
		struct percpu *p = smp_cpus[i];

		if (!p->why && !host_apic_send_ipi(p->apic_id, ICR_INIT))
			p->why = "its APIC ID needs x2APIC mode, which the firmware left off";
		if (!p->why)
			inits++;
	}
	if (inits)
		delay_us(init_wait_us(intel, r.eax));
	for (unsigned i = 1; i < smp_n_cpus; i++) {
		struct percpu *p = smp_cpus[i];

		if (p->why) {
			log_info(SRC, "CPU %u (APIC ID %u) left out: %s", i, p->apic_id, p->why);
			continue;
		}
		t0 = rdtsc();
		start_ap(p, bi->ap_trampoline);
		switch (p->state) {
		case CPU_IDLE:
			up++;
			log_info(SRC, "CPU %u (APIC ID %u) is in VMX root operation, idle (%lu us after its start-up IPI)",
				 i, p->apic_id,
				 (unsigned long)((rdtsc() - t0) / (tsc_hz / 1000000 ? tsc_hz / 1000000 : 1)));
			break;
		case CPU_SILENT:
			log_warn(SRC, "CPU %u (APIC ID %u) %s; going on without it",
				 i, p->apic_id, p->why);
			break;
		default:
			log_warn(SRC, "CPU %u (APIC ID %u) cannot run guests: %s; going on without it",
				 i, p->apic_id, p->why);
			break;
		}
	}
	log_info(SRC, "%u of %u CPU%s in VMX root operation", up, smp_n_cpus,
		 smp_n_cpus == 1 ? "" : "s");
}

const char *smp_state_name(const struct percpu *p)
{
	switch (p->state) {
	case CPU_LEFT_OUT: return "left out";
	case CPU_STARTING: return "starting";
	case CPU_FAILED: return "left out";
	case CPU_SILENT: return "left out";
	case CPU_IDLE: return "idle";
	case CPU_RUNNING: return "running guests";
	case CPU_STOPPED: return "stopped";
	}
	return "?";
}

bool smp_wake(unsigned cpu)
{
	if (cpu >= smp_n_cpus || smp_cpus[cpu]->state != CPU_IDLE)
		return false;
	return host_apic_send_ipi(smp_cpus[cpu]->apic_id, ICR_FIXED | SMP_WAKE_VECTOR);
}

bool smp_ping(unsigned cpu)
{
	uint64_t before;

	if (cpu >= smp_n_cpus)
		return false;
	before = smp_cpus[cpu]->wakeups;
	if (!smp_wake(cpu))
		return false;
	for (unsigned long spin = 0; spin < 10000000ul; spin++) {
		if (smp_cpus[cpu]->wakeups != before)
			return true;
		cpu_relax();
	}
	return false;
}

/* ------------------------------------------------------------ stopping */

bool smp_stop_requested(void)
{
	return panic_owner != 0 && smp_cpus[0] && panic_owner != self_token();
}

void smp_stop_self(uint64_t rip, bool in_guest)
{
	struct percpu *p = this_cpu();

	p->stop_rip = rip;
	p->stop_in_guest = in_guest;
	__atomic_store_n(&p->state, CPU_STOPPED, __ATOMIC_RELEASE);
	cpu_halt_forever(); /* NMIs stay blocked: this NMI never returns */
}

/* Was this CPU running when the panic came, so that an NMI reaches it? */
static bool answers_nmi(const struct percpu *p)
{
	return p->state == CPU_IDLE || p->state == CPU_RUNNING ||
	       p->state == CPU_STARTING || p->state == CPU_FAILED;
}

void smp_panic_begin(void)
{
	uint32_t me, free = 0;

	if (!smp_cpus[0])
		return; /* before Shale's own tables: one CPU, no per-CPU data */
	me = self_token();
	if (!__atomic_compare_exchange_n(&panic_owner, &free, me, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		if (panic_owner == me)
			return; /* a fault inside the report: go on with it */
		/* Another CPU reports its own panic: be one it stopped. */
		smp_stop_self((uint64_t)__builtin_return_address(0), false);
	}
	for (unsigned i = 0; i < smp_n_cpus; i++)
		if (i + 1 != me && answers_nmi(smp_cpus[i]))
			host_apic_send_ipi(smp_cpus[i]->apic_id, ICR_NMI);
	/* Bounded: a CPU that does not stop is named as such. The TSC may
	 * not be measured yet, so count spins. */
	for (unsigned long spin = 0; spin < 50000000ul; spin++) {
		bool all = true;

		for (unsigned i = 0; i < smp_n_cpus; i++)
			if (i + 1 != me && answers_nmi(smp_cpus[i]))
				all = false;
		if (all)
			break;
		cpu_relax();
	}
	log_take_over();
}

void smp_panic_report(void)
{
	struct percpu *self;

	if (!smp_cpus[0])
		return;
	self = this_cpu();
	log_rawf("[panic] on CPU %u (APIC ID %u)%s\n", self->index, self->apic_id,
		 smp_n_cpus > 1 ? "; the other CPUs:" : "");
	for (unsigned i = 0; i < smp_n_cpus; i++) {
		const struct percpu *p = smp_cpus[i];
		char where[80];

		if (p == self)
			continue;
		if (p->state == CPU_STOPPED && p->stop_in_guest)
			log_rawf("  CPU %u (APIC ID %u): stopped in a guest at RIP 0x%lx\n",
				 i, p->apic_id, (unsigned long)p->stop_rip);
		else if (p->state == CPU_STOPPED)
			log_rawf("  CPU %u (APIC ID %u): stopped at RIP 0x%lx %s\n", i,
				 p->apic_id, (unsigned long)p->stop_rip,
				 host_addr_name(where, sizeof(where), p->stop_rip,
						HOST_ADDR_PC));
		else if (answers_nmi(p))
			log_rawf("  CPU %u (APIC ID %u): did not stop (%s)\n", i,
				 p->apic_id, smp_state_name(p));
		else
			log_rawf("  CPU %u (APIC ID %u): %s\n", i, p->apic_id,
				 smp_state_name(p));
	}
}
