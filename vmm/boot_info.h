/* SPDX-License-Identifier: MIT */
/*
 * What boot/ hands to vmm_main() after ExitBootServices: the parsed
 * configuration, the guest images already in memory, and the host memory
 * map. Plain data, no firmware types: from here on the firmware is gone.
 */
#ifndef SHALE_VMM_BOOT_INFO_H
#define SHALE_VMM_BOOT_INFO_H

#include <stdint.h>

#include "arch/x86/acpi_mcfg.h"
#include "arch/x86/acpi_spcr.h"
#include "arch/x86/madt.h"
#include "arch/x86/vmx_caps.h"
#include "drivers/fb.h"
#include "vmm/config.h"

/* Files read for the guests: kernel, initrd, Multiboot modules or disk
 * images. */
#define BOOT_MAX_MODULES (8 * CONFIG_MAX_GUESTS)
#define BOOT_MAX_MEM 512

struct boot_module {
	char name[CONFIG_PATH_MAX]; /* file name on the config partition */
	uint64_t addr;              /* host-physical, page aligned */
	uint64_t size;              /* bytes */
};

enum boot_mem_type {
	BOOT_MEM_FREE,          /* usable RAM */
	BOOT_MEM_FREE_LATER,    /* firmware boot-time memory: usable once Shale runs on its own page tables */
	BOOT_MEM_SHALE,         /* Shale's image, stack, boot data and guest images */
	BOOT_MEM_FIRMWARE,      /* runtime services: never touched */
	BOOT_MEM_ACPI,          /* ACPI tables and NVS */
	BOOT_MEM_RESERVED,      /* anything else, MMIO included */
};

struct boot_mem_region {
	uint64_t base;
	uint64_t size;
	uint32_t type; /* enum boot_mem_type */
};

struct boot_info {
	struct shale_config config;
	struct vmx_caps vmx;
	unsigned n_modules;
	struct boot_module modules[BOOT_MAX_MODULES];
	unsigned n_mem;
	struct boot_mem_region mem[BOOT_MAX_MEM];
	uint64_t acpi_rsdp;   /* host-physical, 0 if none */
	uint64_t image_base;  /* where the firmware loaded shale.efi */
	uint64_t image_size;
	uint64_t stack_base;  /* the stack vmm_main() runs on */
	uint64_t stack_size;
	/* The CPUs as UEFI's MP Services protocol lists them, for a machine
	 * whose ACPI tables have no MADT (boot/cpus.c); n_cpus 0 if none. */
	struct madt_info fw_cpus;
	/* The firmware's SPCR (have_spcr) and MCFG (mcfg.n 0 if none or
	 * refused), read in boot/fwtables.c. The MCFG's ECAM windows are for
	 * the PCI work of SMP and passthrough. */
	bool have_spcr;
	struct spcr_uart spcr;
	struct mcfg_info mcfg;
	/* AP_TRAMPOLINE_PAGES pages below 1 MiB for the APs' start-up code
	 * (arch/x86/ap_trampoline.h), 0 if the firmware had none. */
	uint64_t ap_trampoline;
	/* The TSC when efi_main() began, and before and after reading the
	 * config partition and the guest images, for the start-up cost that
	 * vmm_main() logs. */
	uint64_t tsc_at_entry, tsc_load_start, tsc_loaded;
	/* The screen the Graphics Output Protocol left (boot/gop.c), base 0
	 * if none, and pages for the screen console's text grid. */
	struct fb_info fb;
	uint64_t fb_cells;
	/* UART_TXQ_SIZE bytes for the console's transmit queue, taken from
	 * the firmware so that vmm_main() queues its first lines instead of
	 * waiting for the UART (docs/benchmarks.md, start-up); 0 if none. */
	uint64_t uart_txq;
};

/* The hypervisor proper; does not return. */
__attribute__((noreturn)) void vmm_main(struct boot_info *bi);

#endif
