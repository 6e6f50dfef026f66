/* SPDX-License-Identifier: MIT */
/*
 * Wiring the PC together. Interrupt lines: an ISA IRQ n goes to the 8259
 * and to I/O APIC pin n, except IRQ 0, which the MADT overrides to pin 2
 * as on real boards. The I/O APIC sends its messages to the local APICs
 * its destination names, one per vCPU; the 8259's output reaches vCPU 0
 * through LINT0 while its local APIC is off or has LINT0 in ExtINT mode
 * (the "virtual wire" a kernel finds before it switches to the I/O APIC).
 * IPIs go from one vCPU's local APIC to the others' (SDM Vol. 3A, 11.6).
 *
 * With several vCPUs, on several CPUs, all of this is under the VM's lock
 * (vm_lock): the exit that writes an ICR changes another vCPU's APIC, and
 * the kick (sched_kick) makes that vCPU's CPU look at it.
 */
#include "drivers/cmos.h"
#include "lib/log.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "vmm/console.h"
#include "vmm/entropy.h"
#include "vmm/irq.h"
#include "vmm/pc.h"
#include "vmm/vm.h"
#include "vmm/vmm.h"

/* The config parser keeps flat images off the tables (vmm/config.c). */
_Static_assert(PC_ACPI_GPA == CONFIG_PC_TABLES_GPA &&
	       ACPI_TABLES_MAX_SIZE == CONFIG_PC_TABLES_SIZE,
	       "vmm/config.h and vmm/pc.h disagree on where the ACPI tables are");
/* The device pages sit in the guest's MMIO hole, where no RAM hides them
 * (vmm/guest_ram.h). */
_Static_assert(IOAPIC_BASE >= GUEST_LOW_RAM_TOP && IOAPIC_BASE < GUEST_HIGH_RAM_BASE,
	       "the I/O APIC page must be in the MMIO hole");
_Static_assert(LAPIC_BASE >= GUEST_LOW_RAM_TOP && LAPIC_BASE < GUEST_HIGH_RAM_BASE,
	       "the local APIC page must be in the MMIO hole");
_Static_assert(PC_VIRTIO_RNG_BAR >= GUEST_LOW_RAM_TOP &&
	       PC_VIRTIO_RNG_BAR + VIRTIO_PCI_BAR_SIZE <= IOAPIC_BASE,
	       "virtio-rng's BAR must be in the MMIO hole, below the APICs");
_Static_assert(PC_VIRTIO_CONSOLE_BAR >= GUEST_LOW_RAM_TOP &&
	       PC_VIRTIO_CONSOLE_BAR + VIRTIO_PCI_BAR_SIZE <= IOAPIC_BASE,
	       "virtio-console's BAR must be in the MMIO hole, below the APICs");

/* A PC is large (a local APIC for each of up to CONFIG_MAX_VCPUS vCPUs):
 * its pages come from the allocator when its guest starts, rather than
 * sitting in Shale's image for every guest there could be. */
#define PC_PAGES ((sizeof(struct pc) + 4095) / 4096)

static void com1_tx(void *ctx, uint8_t byte)
{
	struct vm *vm = ctx;

	console_guest_write(vm, (const char *)&byte, 1);
}

/* Typed bytes wait in the VM's input ring until the UART has room. */
static void com1_input(struct vm *vm)
{
	struct pc *pc = vm->pc;
	uint8_t buf[16];
	unsigned n = uart16550_rx_space(&pc->com1);

	if (n > sizeof(buf))
		n = sizeof(buf);
	n = console_guest_read(vm, buf, n);
	if (n)
		uart16550_receive(&pc->com1, buf, n);
}

/* vCPU id has an interrupt or IPI to look at: its next entry delivers
 * it, and its CPU, if another, is kicked out of the guest or its sleep. */
static void wake_vcpu(struct pc *pc, unsigned id)
{
	struct vcpu *v = &pc->vm->vcpu[id];

	v->entry_work = 1;
	sched_kick(v->cpu);
}

/* One message for local APIC id: a fixed, lowest-priority or NMI one
 * from the I/O APIC, or any IPI from another local APIC. */
static void deliver(struct pc *pc, unsigned id, unsigned mode, uint8_t vector,
		    bool level, uint32_t icr_lo)
{
	struct vcpu *v = &pc->vm->vcpu[id];

	switch (mode) {
	case LAPIC_DM_FIXED:
	case LAPIC_DM_LOWEST:
		/* Straight into the APIC only for this CPU's own vCPU, which
		 * cannot be running now; any other may be, on its CPU. */
		if (v == sched_current())
			lapic_accept(&pc->lapic[id], vector, level);
		else
			vcpu_post_irq(v, vector, level);
		break;
	case LAPIC_DM_NMI:
		lapic_nmi(&pc->lapic[id]);
		break;
	case LAPIC_DM_INIT:
		/* INIT level de-assert (trigger level, level 0) is for old
		 * CPUs and does nothing (SDM Vol. 3A, 11.6.1). */
		if ((icr_lo & LAPIC_ICR_LEVEL_TRIGGER) && !(icr_lo & LAPIC_ICR_ASSERT))
			return;
		/* Its home resets its local APIC (vcpu_init_sipi). */
		__atomic_fetch_or(&v->init_sipi, VCPU_INIT, __ATOMIC_RELEASE);
		break;
	case LAPIC_DM_STARTUP:
		v->sipi_vector = vector;
		__atomic_fetch_or(&v->init_sipi, VCPU_SIPI, __ATOMIC_RELEASE);
		break;
	default:
		return; /* SMI, ExtINT: not modelled */
	}
	wake_vcpu(pc, id);
}

/* A local APIC timer fired. Guest timers run on whichever CPU has one of
 * the guest's vCPUs (vmm/sched.c), so this may be another CPU than the one
 * that runs the timer's vCPU: as a fixed IPI, the vector is posted. */
static void lapic_timer_fired(void *ctx, uint8_t vector)
{
	struct pc_cpu *cpu = ctx;

	deliver(cpu->pc, cpu->id, LAPIC_DM_FIXED, vector, false, 0);
}

static void ioapic_deliver(void *ctx, uint8_t vector, uint8_t dest,
			   bool logical, uint8_t mode, bool level)
{
	struct pc *pc = ctx;

	/* Every local APIC the destination names; lowest priority goes to
	 * the first of them (SDM Vol. 3A, 11.6.2.4 lets the chipset choose). */
	for (unsigned id = 0; id < pc->vm->n_vcpus; id++) {
		if (!lapic_is_destination(&pc->lapic[id], dest, logical, false))
			continue;
		deliver(pc, id, mode, vector, level, 0);
		if (mode == LAPIC_DM_LOWEST)
			break;
	}
}

/* A PCI function's MSI or MSI-X message (msi_decode()), to the guest's
 * own local APICs. Edge-triggered whatever data bit 15 says, as no I/O
 * APIC pin waits for its EOI. A message elsewhere would be a write to
 * memory, which a guest cannot make a device do through Shale: it is
 * dropped. */
void pc_msi(void *ctx, uint64_t addr, uint32_t data)
{
	struct pc *pc = ctx;
	struct msi_msg m;

	if (!msi_decode(addr, data, &m)) {
		log_debug("vm", "guest \"%s\": MSI to 0x%lx, not a local APIC: dropped",
			  pc->vm->name, (unsigned long)addr);
		return;
	}
	ioapic_deliver(pc, m.vector, m.dest, m.logical, m.mode, false);
}

/* An IPI from vCPU from's local APIC to the others (the share for itself
 * of a fixed IPI is accepted already; INIT and start-up IPIs to itself
 * are ignored). */
static void lapic_ipi(void *ctx, uint32_t lo, uint32_t hi)
{
	struct pc_cpu *from = ctx;
	struct pc *pc = from->pc;
	/* The sender's mode says how to read the destination: 32 bits in
	 * x2APIC mode (SDM Vol. 3A, 11.12.9), 8 in xAPIC mode. */
	bool x2apic = lapic_x2apic_mode(&pc->lapic[from->id]);
	uint32_t dest = x2apic ? hi : hi >> 24;
	unsigned shorthand = (lo >> 18) & 3, mode = LAPIC_LVT_DELIVERY(lo);

	for (unsigned id = 0; id < pc->vm->n_vcpus; id++) {
		if (id == from->id)
			continue;
		if (shorthand == 0 &&
		    !lapic_is_destination(&pc->lapic[id], dest, lo & LAPIC_ICR_LOGICAL, x2apic))
			continue;
		if (shorthand == 1) /* self */
			break;
		deliver(pc, id, mode, lo & LAPIC_LVT_VECTOR, false, lo);
		if (mode == LAPIC_DM_LOWEST && shorthand == 0)
			break;
	}
}

/* The local APIC has something deliverable that no exit handler knows of
 * (a self-IPI, a past TSC deadline, an EOI that unblocked a vector): the
 * next entry must deliver it, not the next preemption-timer exit. */
static void lapic_has_work(void *ctx)
{
	struct pc_cpu *cpu = ctx;

	wake_vcpu(cpu->pc, cpu->id);
}

static void lapic_eoi(void *ctx, uint8_t vector)
{
	struct pc_cpu *cpu = ctx;

	ioapic_eoi(&cpu->pc->ioapic, vector);
}

/* The xAPIC page at 0xFEE00000 is each vCPU's own local APIC: the one of
 * the vCPU whose exit this is. */
static void lapic_page_mmio(void *opaque, uint64_t offset, unsigned size,
			    bool write, uint64_t *val)
{
	struct pc *pc = opaque;
	struct vcpu *v = sched_current();
	unsigned id = v && v->vm == pc->vm ? v->id : 0;

	lapic_mmio(&pc->lapic[id], offset, size, write, val);
}

static void pm_sleep(void *ctx, unsigned slp_typ)
{
	struct pc *pc = ctx;

	if (slp_typ == ACPI_SLP_TYP_S5)
		vm_stop(pc->vm, VM_STOP_POWEROFF, "powered off (ACPI S5)");
}

static void pm_reset(void *ctx)
{
	struct pc *pc = ctx;

	vm_stop(pc->vm, VM_STOP_REBOOT, "reset itself (reboot)");
}

void pc_set_line(struct pc *pc, unsigned gsi, bool level)
{
	if (gsi < 16)
		pic_set_irq(&pc->pic, gsi, level);
	ioapic_set_irq(&pc->ioapic, gsi == 0 ? 2 : gsi, level);
	wake_vcpu(pc, 0); /* the 8259's vCPU; the I/O APIC kicks its own */
}

static bool pic_routed(const struct pc *pc, unsigned id)
{
	return id == 0 &&
	       (!lapic_enabled(&pc->lapic[0]) || lapic_lint0_is_extint(&pc->lapic[0]));
}

/* Under VMX APIC virtualization the local APIC's vectors are not for
 * injection: the CPU delivers them from the register page itself. */
static int lapic_to_inject(struct pc *pc, unsigned id)
{
	return pc->vm->vcpu[id].apicv ? -1 : lapic_pending_vector(&pc->lapic[id]);
}

bool pc_irq_pending(struct pc *pc, unsigned id)
{
	return lapic_to_inject(pc, id) >= 0 ||
	       (pic_routed(pc, id) && pic_has_interrupt(&pc->pic));
}

int pc_irq_take(struct pc *pc, unsigned id)
{
	int v = lapic_to_inject(pc, id);

	if (v >= 0) {
		lapic_acknowledge(&pc->lapic[id], v);
		return v;
	}
	if (pic_routed(pc, id) && pic_has_interrupt(&pc->pic))
		return pic_acknowledge(&pc->pic);
	return -1;
}

/* A PCI INTx line (PCI Local Bus Specification 3.0, 2.2.6) is active
 * low and level-triggered: the I/O APIC pin sees it low while asserted
 * (the kernel programs the pin so), the 8259 sees it as a request, as
 * behind a PIIX's PIRQ router. Idle, it is high. */
static void pci_intx(struct pc *pc, unsigned irq, bool asserted)
{
	pic_set_irq(&pc->pic, irq, asserted);
	ioapic_set_irq(&pc->ioapic, irq, !asserted);
	wake_vcpu(pc, 0); /* as pc_set_line(): the I/O APIC kicks its own */
}

static void virtio_intx(void *ctx, bool asserted)
{
	struct pc_virtio *d = ctx;

	pci_intx(d->pc, d->irq, asserted);
}

static void virtio_note(void *ctx, const char *what, const char *why)
{
	struct pc_virtio *d = ctx;

	log_warn("vm", "guest \"%s\": %s: %s: %s", d->pc->vm->name, d->name, what, why);
}

struct virtio_pci_config pc_virtio_config(struct pc *pc, unsigned slot, uint32_t bar,
					  unsigned irq, const char *name)
{
	struct pc_virtio *d = &pc->virtio[slot];

	d->pc = pc;
	d->irq = (uint8_t)irq;
	ksnprintf(d->name, sizeof(d->name), "%s", name);
	ioapic_set_irq(&pc->ioapic, irq, true); /* idle high */
	return (struct virtio_pci_config){
		.ram = &pc->vm->ram,
		.bar_base = bar,
		.intx_line = (uint8_t)irq,
		.notify_port = PC_VIRTIO_NOTIFY_PORT(slot),
		.io = &pc->vm->io,
		.set_intx = virtio_intx,
		.note = virtio_note,
		.ctx = d,
		.msi = pc_msi,
		.msi_ctx = pc,
	};
}

#define RNG_PAGES ((sizeof(struct virtio_rng) + 4095) / 4096)

/* devices = virtio-rng: the entropy device, and what feeds it. */
static int rng_create(struct pc *pc)
{
	struct vm *vm = pc->vm;
	enum entropy_source src = entropy_source();
	struct virtio_pci_config cfg = pc_virtio_config(pc, PC_VIRTIO_RNG_SLOT, PC_VIRTIO_RNG_BAR,
							PC_VIRTIO_RNG_IRQ, "virtio-rng");

	/* Allocated only when configured: a queue's chain buffer alone is
	 * 4 KiB, which every guest slot would carry otherwise. */
	pc->rng = (struct virtio_rng *)(uintptr_t)page_alloc_contig(&vmm_pages,
								    RNG_PAGES, 1);
	if (!pc->rng) {
		log_err("vm", "guest \"%s\": out of memory for its virtio-rng", vm->name);
		return -1;
	}
	virtio_rng_init(pc->rng, &cfg, src == ENTROPY_NONE ? NULL : entropy_get64, NULL);
	if (virtio_pci_attach(&pc->rng->vp, &pc->pci, PC_VIRTIO_RNG_SLOT, &vm->mmio))
		return -1;
	if (src == ENTROPY_NONE)
		log_warn("vm", "guest \"%s\": virtio-rng: no entropy source (the CPU has "
			 "neither RDRAND nor RDSEED): requests complete with 0 bytes", vm->name);
	else
		log_info("vm", "guest \"%s\": virtio-rng at PCI 00:%02x.0, BAR0 0x%x, "
			 "IRQ %u, entropy from %s", vm->name, PC_VIRTIO_RNG_SLOT,
			 PC_VIRTIO_RNG_BAR, PC_VIRTIO_RNG_IRQ, entropy_source_name(src));
	return 0;
}

/* devices = virtio-console: the guest's hvc0, on the console
 * multiplexer beside its COM1. */
static void cons_out(void *ctx, const uint8_t *p, uint32_t n, uint32_t lost)
{
	console_guest_write(ctx, (const char *)p, n);
	if (lost)
		console_guest_lost(ctx, lost);
}

static unsigned cons_in(void *ctx, uint8_t *buf, unsigned max)
{
	return console_guest_read(ctx, buf, max);
}

static bool cons_in_pending(void *ctx)
{
	return console_guest_has_input(ctx);
}

#define CONS_PAGES ((sizeof(struct virtio_console) + 4095) / 4096)

static int cons_create(struct pc *pc)
{
	struct vm *vm = pc->vm;
	struct virtio_pci_config cfg = pc_virtio_config(pc, PC_VIRTIO_CONSOLE_SLOT,
							PC_VIRTIO_CONSOLE_BAR,
							PC_VIRTIO_CONSOLE_IRQ, "virtio-console");
	struct virtio_console_io io = {
		.out = cons_out, .in = cons_in, .in_pending = cons_in_pending, .ctx = vm,
	};

	pc->cons = (struct virtio_console *)(uintptr_t)page_alloc_contig(&vmm_pages,
									 CONS_PAGES, 1);
	if (!pc->cons) {
		log_err("vm", "guest \"%s\": out of memory for its virtio-console", vm->name);
		return -1;
	}
	virtio_console_init(pc->cons, &cfg, &io);
	if (virtio_pci_attach(&pc->cons->vp, &pc->pci, PC_VIRTIO_CONSOLE_SLOT, &vm->mmio))
		return -1;
	log_info("vm", "guest \"%s\": virtio-console at PCI 00:%02x.0, BAR0 0x%x, IRQ %u",
		 vm->name, PC_VIRTIO_CONSOLE_SLOT, PC_VIRTIO_CONSOLE_BAR,
		 PC_VIRTIO_CONSOLE_IRQ);
	return 0;
}

/* Typed bytes go to hvc0 while the guest's virtio-console driver takes
 * them, and to COM1 otherwise (docs/console.md). */
static void console_input(struct vm *vm)
{
	struct pc *pc = vm->pc;

	if (pc->cons && virtio_console_takes_input(pc->cons))
		virtio_console_input(pc->cons);
	else
		com1_input(vm);
}

static void rtc_now(struct rtc_time *t)
{
	struct host_time h;

	if (host_rtc_read(&h)) {
		*t = (struct rtc_time){ 2026, 1, 1, 0, 0, 0 };
		return;
	}
	*t = (struct rtc_time){ h.year, h.month, h.day, h.hour, h.minute, h.second };
}

int pc_create(struct vm *vm)
{
	struct pc *pc = (struct pc *)(uintptr_t)page_alloc_contig(&vmm_pages, PC_PAGES, 1);
	const struct vdev_platform *plat = &vm->plat.ops;
	struct acpi_config acfg = {
		.n_cpus = vm->n_vcpus,
		.ioapic_addr = ACPI_IOAPIC_ADDR,
		.ioapic_id = (uint8_t)vm->n_vcpus, /* after the local APICs' IDs */
		.pm_base = ACPI_PM_BASE,
		.sci_gsi = 9,
	};
	struct uart16550_config ucfg = {
		.base = 0x3f8, .gsi = 4, .tx = com1_tx, .tx_ctx = vm, .plat = plat,
	};
	struct ioapic_ops iops = { .ctx = pc, .deliver = ioapic_deliver };
	struct acpi_pm_ops pops = { .ctx = pc, .sleep = pm_sleep, .reset = pm_reset };
	struct rtc_time now;
	void *tables = vm_gpa_to_hva(vm, PC_ACPI_GPA, ACPI_TABLES_MAX_SIZE);

	/* The PCI devices' INTA# routing goes into the DSDT. */
	if (vm->cfg && (vm->cfg->devices & GUEST_DEV_VIRTIO_RNG)) {
		acfg.pci[acfg.n_pci].slot = PC_VIRTIO_RNG_SLOT;
		acfg.pci[acfg.n_pci++].gsi = PC_VIRTIO_RNG_IRQ;
	}
	if (vm->cfg && (vm->cfg->devices & GUEST_DEV_VIRTIO_CONSOLE)) {
		acfg.pci[acfg.n_pci].slot = PC_VIRTIO_CONSOLE_SLOT;
		acfg.pci[acfg.n_pci++].gsi = PC_VIRTIO_CONSOLE_IRQ;
	}
	pc_blk_routes(vm, &acfg);
	pc_net_routes(vm, &acfg);
	if (!pc) {
		log_err("vm", "guest \"%s\": out of memory for its PC devices", vm->name);
		return -1;
	}
	memset(pc, 0, sizeof(*pc));
	pc->vm = vm;
	vm->pc = pc;
	/* Each local APIC's registers get a page of their own: under VMX
	 * APIC virtualization it is its vCPU's virtual-APIC page
	 * (arch/x86/apicv.c). */
	for (unsigned id = 0; id < vm->n_vcpus; id++) {
		pc->lapic_page[id] = page_alloc_page(&vmm_pages);
		if (!pc->lapic_page[id]) {
			log_err("vm", "guest \"%s\": out of memory for its local APICs", vm->name);
			return -1;
		}
	}
	vm->input_ready = console_input;
	rtc_now(&now);
	uart16550_init(&pc->com1, &ucfg);
	pic_init(&pc->pic);
	pit_init(&pc->pit, plat);
	rtc_init(&pc->rtc, plat, &now);
	/* CMOS 0x34/0x35 and 0x5b-0x5d: RAM below the hole, and from 4 GiB. */
	rtc_set_memory_size(&pc->rtc, guest_ram_low_size(&vm->ram),
			    vm->ram.size - guest_ram_low_size(&vm->ram));
	ioapic_init(&pc->ioapic, acfg.ioapic_id, &iops);
	for (unsigned id = 0; id < vm->n_vcpus; id++) {
		struct lapic_ops lops = { .ctx = &pc->cpu[id], .eoi = lapic_eoi,
					  .kick = lapic_has_work, .ipi = lapic_ipi,
					  .timer = lapic_timer_fired };

		pc->cpu[id] = (struct pc_cpu){ pc, id };
		lapic_init(&pc->lapic[id], id, (void *)pc->lapic_page[id], plat, &lops);
	}
	/* As a BIOS leaves the boot CPU; the others wait for INIT. */
	lapic_virtual_wire(&pc->lapic[0]);
	acpi_pm_init(&pc->pm, &acfg, plat, &pops);
	pci_host_init(&pc->pci);
	if (!tables)
		return -1;
	pc->rsdp = acpi_build(&acfg, tables, PC_ACPI_GPA, ACPI_TABLES_MAX_SIZE);
	if (!pc->rsdp ||
	    uart16550_attach(&pc->com1, &vm->io) || pic_attach(&pc->pic, &vm->io) ||
	    pit_attach(&pc->pit, &vm->io) || rtc_attach(&pc->rtc, &vm->io) ||
	    acpi_pm_attach(&pc->pm, &vm->io) || pci_host_attach(&pc->pci, &vm->io) ||
	    ioapic_attach(&pc->ioapic, &vm->mmio) ||
	    mmio_register(&vm->mmio, LAPIC_BASE, LAPIC_SIZE, lapic_page_mmio, pc, "lapic") ||
	    (vm->cfg && (vm->cfg->devices & GUEST_DEV_VIRTIO_RNG) && rng_create(pc)) ||
	    (vm->cfg && (vm->cfg->devices & GUEST_DEV_VIRTIO_CONSOLE) && cons_create(pc)) ||
	    pc_blk_create(pc) || pc_net_create(pc)) {
		log_err("vm", "guest \"%s\": cannot attach its devices", vm->name);
		return -1;
	}
	return 0;
}

void pc_destroy(struct pc *pc)
{
	for (unsigned id = 0; id < CONFIG_MAX_VCPUS; id++) {
		if (pc->lapic_page[id])
			page_free_contig(&vmm_pages, pc->lapic_page[id], 1);
		pc->lapic_page[id] = 0;
	}
	if (pc->rng)
		page_free_contig(&vmm_pages, (uint64_t)(uintptr_t)pc->rng, RNG_PAGES);
	pc->rng = NULL;
	if (pc->cons)
		page_free_contig(&vmm_pages, (uint64_t)(uintptr_t)pc->cons, CONS_PAGES);
	pc->cons = NULL;
	pc_blk_destroy(pc);
	pc_net_destroy(pc);
	pc->vm->pc = NULL;
	page_free_contig(&vmm_pages, (uint64_t)(uintptr_t)pc, PC_PAGES);
}
