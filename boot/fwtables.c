/* SPDX-License-Identifier: MIT */
/*
 * The firmware's ACPI tables that describe this machine's serial console
 * (SPCR) and PCIe configuration space (MCFG), read while the firmware's
 * identity map still covers them. The SPCR chooses the console where
 * shale.cfg has no `console =`; the MCFG is checked against the PCI
 * configuration ports and kept in boot_info for SMP and passthrough.
 */
#include "arch/x86/acpi_mcfg.h"
#include "arch/x86/acpi_spcr.h"
#include "arch/x86/include/cpu.h"
#include "arch/x86/madt.h"
#include "boot/boot.h"
#include "drivers/uart.h"
#include "drivers/uart_choice.h"
#include "lib/log.h"
#include "vmm/gdb/gdb.h"

#define SRC "acpi"

/* Configuration mechanism #1 (PCI Local Bus 3.0, 3.2.2.3.2): bus 0,
 * device 0, function 0, register 0 (vendor and device ID). */
static uint32_t pci_cf8_read_id(void)
{
	uint32_t v;

	asm volatile("outl %0, %1" ::"a"(0x80000000u), "Nd"((uint16_t)0xcf8));
	asm volatile("inl %1, %0" : "=a"(v) : "Nd"((uint16_t)0xcfc));
	return v;
}

/* A window the hardware does not answer at is worse than none: where
 * segment 0's window has bus 0 below 4 GiB, its first function must read
 * the same through ECAM as through the ports. */
static void check_mcfg(struct mcfg_info *m)
{
	for (unsigned i = 0; i < m->n; i++) {
		const struct mcfg_segment *s = &m->seg[i];
		uint64_t a = mcfg_ecam_addr(s, 0, 0, 0, 0);
		uint32_t ecam, ports;

		/* Below 4 GiB, which every firmware's identity map covers. */
		if (s->segment || s->bus_start || a >= (4ull << 30))
			continue;
		ecam = *(volatile uint32_t *)a;
		ports = pci_cf8_read_id();
		if (ecam != ports) {
			log_warn(SRC, "MCFG ignored: 00:00.0 reads 0x%08x through ECAM at 0x%lx but 0x%08x through port 0xcf8",
				 ecam, (unsigned long)a, ports);
			m->n = 0;
			return;
		}
		log_info(SRC, "MCFG checked: 00:00.0 reads %04x:%04x through ECAM and port 0xcf8 alike",
			 ecam & 0xffff, ecam >> 16);
	}
}

static void read_mcfg(struct boot_info *bi)
{
	uint32_t len;
	uint64_t t = acpi_find_table(bi->acpi_rsdp, "MCFG", &len);
	char why[200];

	if (!t)
		return;
	if (mcfg_parse((const void *)t, len, &bi->mcfg, why, sizeof(why))) {
		log_warn(SRC, "MCFG ignored: %s", why);
		return;
	}
	for (unsigned i = 0; i < bi->mcfg.n; i++) {
		const struct mcfg_segment *s = &bi->mcfg.seg[i];

		log_info(SRC, "MCFG: PCI segment %u, buses %u-%u, ECAM at 0x%lx-0x%lx",
			 s->segment, s->bus_start, s->bus_end,
			 (unsigned long)mcfg_window_start(s),
			 (unsigned long)(mcfg_window_end(s) - 1));
	}
	check_mcfg(&bi->mcfg);
}

static void read_spcr(struct boot_info *bi)
{
	uint32_t len;
	uint64_t t = acpi_find_table(bi->acpi_rsdp, "SPCR", &len);
	struct uart_choice c;
	char why[200];

	if (!t)
		return;
	if (spcr_parse((const void *)t, len, &bi->spcr, why, sizeof(why))) {
		log_warn(SRC, "SPCR ignored: %s", why);
		return;
	}
	bi->have_spcr = true;
	uart_choose_console(bi->config.console_line != 0,
			    bi->config.gdb_guest[0] ? GDB_PORT : 0, &bi->spcr, &c);
	log_info(SRC, "SPCR: %s", c.why);
	switch (c.pick) {
	case UART_PICK_CONFIG:
		break;
	case UART_PICK_SPCR_IO:
		/* vmm_main() programs the console from the config. */
		bi->config.console_port = (uint16_t)c.base;
		bi->config.console_baud = c.baud;
		uart_init((uint16_t)c.base, c.baud);
		break;
	case UART_PICK_SPCR_MMIO:
		/* Set up here, once; port 0 tells vmm_main() to keep it. */
		uart_init_mmio(c.base, c.width, c.baud, c.clock_hz);
		bi->config.console_port = 0;
		bi->config.console_baud = c.baud;
		break;
	}
}

void boot_read_fw_tables(struct boot_info *bi)
{
	if (!bi->acpi_rsdp)
		return;
	read_spcr(bi);
	read_mcfg(bi);
}
