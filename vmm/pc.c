/* SPDX-License-Identifier: MIT */
/*
 * Wiring the PC together. Interrupt lines: an ISA IRQ n goes to the 8259
 * and to I/O APIC pin n, except IRQ 0, which the MADT overrides to pin 2
 * as on real boards. The I/O APIC sends its messages to the one local
 * APIC; the 8259's output reaches the CPU through LINT0 while the local
 * APIC is off or has LINT0 in ExtINT mode (the "virtual wire" a kernel
 * finds before it switches to the I/O APIC).
 */
#include "drivers/cmos.h"
#include "lib/log.h"
#include "lib/string.h"
#include "vmm/console.h"
#include "vmm/entropy.h"
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

static struct pc pcs[CONFIG_MAX_GUESTS];

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

static void ioapic_deliver(void *ctx, uint8_t vector, uint8_t dest,
			   bool logical, uint8_t mode, bool level)
{
	struct pc *pc = ctx;

	(void)dest;
	(void)logical;
	/* One vCPU: every message is for it. The delivery modes are the
	 * ICR's. SMI, INIT and ExtINT messages are not modelled. */
	if (mode == LAPIC_DM_FIXED || mode == LAPIC_DM_LOWEST)
		lapic_accept(&pc->lapic, vector, level);
	else if (mode == LAPIC_DM_NMI)
		lapic_nmi(&pc->lapic);
	pc->vm->vcpu.entry_work = 1;
}

/* The local APIC has something deliverable that no exit handler knows of
 * (a self-IPI, a past TSC deadline, an EOI that unblocked a vector): the
 * next entry must deliver it, not the next preemption-timer exit. */
static void lapic_has_work(void *ctx)
{
	struct pc *pc = ctx;

	pc->vm->vcpu.entry_work = 1;
}

static void lapic_eoi(void *ctx, uint8_t vector)
{
	struct pc *pc = ctx;

	ioapic_eoi(&pc->ioapic, vector);
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
	pc->vm->vcpu.entry_work = 1;
}

static bool pic_routed(const struct pc *pc)
{
	return !lapic_enabled(&pc->lapic) || lapic_lint0_is_extint(&pc->lapic);
}

/* Under VMX APIC virtualization the local APIC's vectors are not for
 * injection: the CPU delivers them from the register page itself. */
static int lapic_to_inject(struct pc *pc)
{
	return pc->vm->vcpu.apicv ? -1 : lapic_pending_vector(&pc->lapic);
}

bool pc_irq_pending(struct pc *pc)
{
	return lapic_to_inject(pc) >= 0 ||
	       (pic_routed(pc) && pic_has_interrupt(&pc->pic));
}

int pc_irq_take(struct pc *pc)
{
	int v = lapic_to_inject(pc);

	if (v >= 0) {
		lapic_acknowledge(&pc->lapic, v);
		return v;
	}
	if (pic_routed(pc) && pic_has_interrupt(&pc->pic))
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
	pc->vm->vcpu.entry_work = 1;
}

static void rng_intx(void *ctx, bool asserted)
{
	pci_intx(ctx, PC_VIRTIO_RNG_IRQ, asserted);
}

static void rng_note(void *ctx, const char *what, const char *why)
{
	struct pc *pc = ctx;

	log_warn("vm", "guest \"%s\": virtio-rng: %s: %s", pc->vm->name, what, why);
}

#define RNG_PAGES ((sizeof(struct virtio_rng) + 4095) / 4096)

/* devices = virtio-rng: the entropy device, and what feeds it. */
static int rng_create(struct pc *pc)
{
	struct vm *vm = pc->vm;
	enum entropy_source src = entropy_source();
	struct virtio_pci_config cfg = {
		.ram = &vm->ram,
		.bar_base = PC_VIRTIO_RNG_BAR,
		.intx_line = PC_VIRTIO_RNG_IRQ,
		.set_intx = rng_intx,
		.note = rng_note,
		.ctx = pc,
	};

	/* Allocated only when configured: a queue's chain buffer alone is
	 * 4 KiB, which every guest slot would carry otherwise. */
	pc->rng = (struct virtio_rng *)(uintptr_t)page_alloc_contig(&vmm_pages,
								    RNG_PAGES, 1);
	if (!pc->rng) {
		log_err("vm", "guest \"%s\": out of memory for its virtio-rng", vm->name);
		return -1;
	}
	virtio_rng_init(pc->rng, &cfg, src == ENTROPY_NONE ? NULL : entropy_get64, NULL);
	ioapic_set_irq(&pc->ioapic, PC_VIRTIO_RNG_IRQ, true); /* idle high */
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
	struct pc *pc = &pcs[vm->id % CONFIG_MAX_GUESTS];
	const struct vdev_platform *plat = &vm->plat.ops;
	struct acpi_config acfg = {
		.n_cpus = 1,
		.ioapic_addr = ACPI_IOAPIC_ADDR,
		.ioapic_id = 1,
		.pm_base = ACPI_PM_BASE,
		.sci_gsi = 9,
	};
	struct uart16550_config ucfg = {
		.base = 0x3f8, .gsi = 4, .tx = com1_tx, .tx_ctx = vm, .plat = plat,
	};
	struct lapic_ops lops = { .ctx = pc, .eoi = lapic_eoi, .kick = lapic_has_work };
	struct ioapic_ops iops = { .ctx = pc, .deliver = ioapic_deliver };
	struct acpi_pm_ops pops = { .ctx = pc, .sleep = pm_sleep, .reset = pm_reset };
	struct rtc_time now;
	void *tables = vm_gpa_to_hva(vm, PC_ACPI_GPA, ACPI_TABLES_MAX_SIZE);

	/* The PCI devices' INTA# routing goes into the DSDT. */
	if (vm->cfg && (vm->cfg->devices & GUEST_DEV_VIRTIO_RNG)) {
		acfg.pci[acfg.n_pci].slot = PC_VIRTIO_RNG_SLOT;
		acfg.pci[acfg.n_pci++].gsi = PC_VIRTIO_RNG_IRQ;
	}
	memset(pc, 0, sizeof(*pc));
	pc->vm = vm;
	vm->pc = pc;
	/* The local APIC's registers get a page of their own: under VMX APIC
	 * virtualization it is the virtual-APIC page (arch/x86/apicv.c). */
	pc->lapic_page = page_alloc_page(&vmm_pages);
	if (!pc->lapic_page) {
		log_err("vm", "guest \"%s\": out of memory for its local APIC", vm->name);
		return -1;
	}
	vm->input_ready = com1_input;
	rtc_now(&now);
	uart16550_init(&pc->com1, &ucfg);
	pic_init(&pc->pic);
	pit_init(&pc->pit, plat);
	rtc_init(&pc->rtc, plat, &now);
	/* CMOS 0x34/0x35 and 0x5b-0x5d: RAM below the hole, and from 4 GiB. */
	rtc_set_memory_size(&pc->rtc, guest_ram_low_size(&vm->ram),
			    vm->ram.size - guest_ram_low_size(&vm->ram));
	ioapic_init(&pc->ioapic, acfg.ioapic_id, &iops);
	lapic_init(&pc->lapic, 0, (void *)pc->lapic_page, plat, &lops);
	lapic_virtual_wire(&pc->lapic);
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
	    lapic_attach(&pc->lapic, &vm->mmio) ||
	    (vm->cfg && (vm->cfg->devices & GUEST_DEV_VIRTIO_RNG) && rng_create(pc))) {
		log_err("vm", "guest \"%s\": cannot attach its devices", vm->name);
		return -1;
	}
	return 0;
}

void pc_destroy(struct pc *pc)
{
	if (pc->lapic_page)
		page_free_contig(&vmm_pages, pc->lapic_page, 1);
	pc->lapic_page = 0;
	if (pc->rng)
		page_free_contig(&vmm_pages, (uint64_t)(uintptr_t)pc->rng, RNG_PAGES);
	pc->rng = NULL;
	pc->vm->pc = NULL;
}
