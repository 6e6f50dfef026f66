/* SPDX-License-Identifier: MIT */
/*
 * ACPI for a guest: the tables a Linux guest reads at boot (RSDP, XSDT,
 * RSDT, FADT, FACS, DSDT, MADT), built into guest memory, and the fixed
 * hardware the FADT points at: the PM1a event and control blocks, the PM
 * timer, and the three ways a PC resets itself (0xCF9, port 0x92, the
 * keyboard controller's 0xFE command).
 *
 * The guest is a full (not hardware-reduced) ACPI platform without SMM:
 * SCI_EN always reads 1, so the OS never needs an SMI_CMD handshake.
 */
#ifndef SHALE_VMM_VDEV_ACPI_H
#define SHALE_VMM_VDEV_ACPI_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/io.h"
#include "vmm/vdev/vdev.h"

#define ACPI_MAX_CPUS 255 /* xAPIC IDs 0..254; 0xFF is broadcast */

/*
 * Bytes acpi_build() needs at most, for ACPI_MAX_CPUS and a region at the
 * worst alignment: one page is always enough.
 */
#define ACPI_TABLES_MAX_SIZE 4096

/* The I/O APIC's default MMIO base and the local APIC's, as on a PC. */
#define ACPI_IOAPIC_ADDR 0xfec00000u
#define ACPI_LAPIC_ADDR 0xfee00000u

/* The default PM block base, and the register offsets inside it. */
#define ACPI_PM_BASE 0x600
#define ACPI_PM1_STS 0x0 /* PM1a_EVT_BLK: status, 16 bits */
#define ACPI_PM1_EN 0x2  /* PM1a_EVT_BLK: enable, 16 bits */
#define ACPI_PM1_CNT 0x4 /* PM1a_CNT_BLK, 16 bits */
#define ACPI_PM_TMR 0x8  /* PM_TMR_BLK, 32 bits, 24 of them counting */
#define ACPI_PM_BLK_LEN 12

/* The value the DSDT's \_S5 package gives SLP_TYP for soft-off. */
#define ACPI_SLP_TYP_S5 5

#define ACPI_PM_TMR_HZ 3579545u

/* Reset ports claimed next to the PM block. */
#define ACPI_PORT_RST_CNT 0xcf9  /* Reset Control Register */
#define ACPI_PORT_SYS_CTRL_A 0x92 /* System Control Port A */
#define ACPI_PORT_KBC_CMD 0x64    /* 8042 command/status */

/* The PCI root bridge's 32-bit memory window, for BARs: the MMIO hole up
 * to the test device's page (0xFEB00000), below the APICs. */
#define ACPI_PCI_MEM_BASE 0xc0000000u
#define ACPI_PCI_MEM_END 0xfeafffffu
/* Its I/O window: the virtio devices' notify ports (vmm/pc.h). */
#define ACPI_PCI_IO_BASE 0xc000u
#define ACPI_PCI_IO_END 0xc0ffu
#define ACPI_MAX_PCI 8

struct acpi_config {
	unsigned n_cpus;      /* Local APIC entries, APIC IDs 0..n-1; 1..255 */
	uint64_t ioapic_addr; /* ACPI_IOAPIC_ADDR; below 4 GiB */
	uint8_t ioapic_id;    /* e.g. n_cpus */
	uint16_t pm_base;     /* ACPI_PM_BASE */
	unsigned sci_gsi;     /* 9; an ISA IRQ (1..15, not 2) */
	/* PCI devices on bus 0 with INTA#: with any, the DSDT describes
	 * the root bridge (\_SB.PCI0: bus 0, the memory window above) and
	 * a _PRT routing each slot's INTA# to its GSI, which the OS then
	 * programs level-triggered, active low (ACPI 6.4, 6.2.13). Without
	 * any, no root bridge is described. */
	unsigned n_pci;
	struct {
		uint8_t slot; /* 1..31 */
		uint8_t gsi;
	} pci[ACPI_MAX_PCI];
};

/*
 * Build every table into `mem` (host pointer), which the guest sees at
 * guest-physical `gpa`, using at most `size` bytes. Returns the
 * guest-physical address of the RSDP (for boot_params.acpi_rsdp_addr, or
 * place the region in 0xE0000-0xFFFFF for a scan), or 0 when the region is
 * too small or the configuration is invalid; then `mem` is untouched.
 */
uint64_t acpi_build(const struct acpi_config *cfg, void *mem, uint64_t gpa,
		    uint64_t size);

struct acpi_pm_ops {
	/* SLP_EN written with SLP_TYP = slp_typ; ACPI_SLP_TYP_S5 is power
	 * off. If it returns, the guest has woken: WAK_STS is set. */
	void (*sleep)(void *ctx, unsigned slp_typ);
	/* The guest asked for a platform reset. */
	void (*reset)(void *ctx);
	void *ctx;
};

/* The model's state; fields are private to acpi_pm.c. */
struct acpi_pm {
	const struct vdev_platform *plat;
	struct acpi_pm_ops ops;
	uint16_t pm_base;
	unsigned sci_gsi;
	bool sci_level;      /* what was last driven on sci_gsi */
	uint16_t pm1_sts;    /* latched status bits; TMR_STS is derived */
	uint16_t pm1_en;
	uint16_t pm1_cnt;    /* BM_RLD and SLP_TYP as last written */
	uint64_t tmr_base;   /* platform time at which the PM timer read 0 */
	uint64_t tmr_period; /* PM timer ticks >> 23 when TMR_STS was cleared */
	struct vdev_timer tmr_timer; /* SCI at the next TMR_STS, when enabled */
	uint8_t rst_cnt;     /* 0xCF9 bits as stored */
	uint8_t sys_ctrl_a;  /* port 0x92 as stored */
	unsigned resets;     /* acpi_pm_reset() calls, seen across callbacks */
};

/*
 * Prepare the model in its power-on state. cfg->pm_base and cfg->sci_gsi
 * are taken from the same config given to acpi_build(); plat and ops must
 * outlive the model (ops is copied).
 */
void acpi_pm_init(struct acpi_pm *pm, const struct acpi_config *cfg,
		  const struct vdev_platform *plat,
		  const struct acpi_pm_ops *ops);

/* Back to the power-on state (a guest reset): registers, timer, SCI. */
void acpi_pm_reset(struct acpi_pm *pm);

/*
 * Claim the PM block (pm_base, 12 ports), 0xCF9, 0x92 and 0x64 on `bus`.
 * Returns 0, or -1 when a range is taken (the ones before it stay claimed).
 */
int acpi_pm_attach(struct acpi_pm *pm, struct io_bus *bus);

/* The io_handler_fn for every port above; opaque is the struct acpi_pm. */
void acpi_pm_io(void *opaque, uint16_t port, unsigned size, bool write,
		uint32_t *val);

/*
 * Press the fixed-feature power button: PWRBTN_STS, and an SCI if the
 * guest enabled it. A guest OS answers with an orderly shutdown to S5.
 */
void acpi_pm_power_button(struct acpi_pm *pm);

/* The PM timer's 24-bit value now, as a guest read returns it. */
uint32_t acpi_pm_timer(const struct acpi_pm *pm);

#endif
