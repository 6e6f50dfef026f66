/* SPDX-License-Identifier: MIT */
/* Reading the SPCR (acpi_spcr.h): which 16550 the firmware's console uses. */
#include "arch/x86/acpi_spcr.h"
#include "arch/x86/acpi_table.h"
#include "lib/printf.h"
#include "lib/string.h"

/* The DBG2 serial subtypes that are not 16550s, named for the message. */
static const char *interface_name(uint8_t type)
{
	switch (type) {
	case 0x02: return "MAX311xE SPI UART";
	case 0x03: return "ARM PL011";
	case 0x05: return "NVIDIA 16550";
	case 0x0d: return "ARM SBSA 32-bit";
	case 0x0e: return "ARM SBSA generic";
	case 0x0f: return "ARM DCC";
	case 0x10: return "BCM2835";
	case 0x11:
	case 0x13: return "Qualcomm SDM845";
	case 0x14: return "Intel LPSS";
	case 0x15: return "RISC-V SBI console";
	}
	return "unknown";
}

static uint32_t baud_from_code(uint8_t code, bool *known)
{
	*known = true;
	switch (code) {
	case 0: return 0;
	case 3: return 9600;
	case 4: return 19200;
	case 6: return 57600;
	case 7: return 115200;
	}
	*known = false;
	return 0;
}

int spcr_parse(const void *table, size_t avail, struct spcr_uart *out,
	       char *why, size_t size)
{
	const uint8_t *t = table;
	const uint8_t *gas = t + 40;
	uint32_t len;
	uint8_t access, width;
	bool known;

	memset(out, 0, sizeof(*out));
	len = acpi_check_table(t, avail, "SPCR", SPCR_MIN_LEN, why, size);
	if (!len)
		return -1;
	out->revision = t[ACPI_SDT_REVISION];
	out->interface_type = t[36];
	if (out->interface_type != SPCR_IF_16550 &&
	    out->interface_type != SPCR_IF_16550_SUBSET &&
	    out->interface_type != SPCR_IF_16550_GAS) {
		ksnprintf(why, size, "the SPCR's UART is interface type 0x%02x (%s), not a 16550",
			  out->interface_type, interface_name(out->interface_type));
		return -1;
	}
	out->base = acpi_get64(gas + 4);
	width = gas[1];
	access = gas[3];
	if (gas[0] != ACPI_GAS_MEMORY && gas[0] != ACPI_GAS_IO) {
		ksnprintf(why, size, "the SPCR's UART is in address space %u, neither memory (0) nor I/O (1)",
			  gas[0]);
		return -1;
	}
	out->mmio = gas[0] == ACPI_GAS_MEMORY;
	if (!out->base) {
		ksnprintf(why, size, "the SPCR's UART has address 0 (the firmware names no port)");
		return -1;
	}
	if (gas[2]) {
		ksnprintf(why, size, "the SPCR's UART registers start at bit %u of their address; Shale needs 0",
			  gas[2]);
		return -1;
	}
	if (!out->mmio) {
		/* Port I/O: byte registers at consecutive ports. */
		if (out->base > 0xfff8) {
			ksnprintf(why, size, "the SPCR's UART port 0x%lx leaves no room for its 8 registers",
				  (unsigned long)out->base);
			return -1;
		}
		out->reg_width = out->stride = 1;
	} else {
		/* ACPI 6.5, 5.2.3.2: access size 1..4 = 8..64 bits; 0 is
		 * "undefined (legacy)", where the bit width tells. */
		if (access >= 1 && access <= 3)
			out->reg_width = 1u << (access - 1);
		else if (access == 0 && (width == 8 || width == 16 || width == 32))
			out->reg_width = width / 8;
		else if (access == 0)
			out->reg_width = 1;
		else {
			ksnprintf(why, size, "the SPCR's UART wants %s accesses; a 16550 takes 8, 16 or 32 bits",
				  access == 4 ? "64-bit" : "unknown-size");
			return -1;
		}
		out->stride = out->reg_width;
		if (out->base & (out->reg_width - 1)) {
			ksnprintf(why, size, "the SPCR's UART at 0x%lx is not aligned to its %u-byte registers",
				  (unsigned long)out->base, out->reg_width);
			return -1;
		}
	}
	out->baud = baud_from_code(t[58], &known);
	if (!known) {
		ksnprintf(why, size, "the SPCR's baud rate code %u is none of 0, 3, 4, 6, 7", t[58]);
		return -1;
	}
	if (t[52] & 1)
		out->irq = t[53];
	if (t[52] & ~1u)
		out->gsi = acpi_get32(t + 54);
	if (out->revision >= 3)
		out->uart_clock = acpi_get32(t + 76);
	/* Revision 4: a precise rate, where the codes do not reach. */
	if (out->revision >= 4 && len >= 84 && acpi_get32(t + 80))
		out->baud = acpi_get32(t + 80);
	return 0;
}

uint64_t spcr_reg_addr(const struct spcr_uart *u, unsigned reg)
{
	return u->base + (uint64_t)reg * u->stride;
}

void spcr_describe(const struct spcr_uart *u, char *buf, size_t size)
{
	char baud[40];

	if (u->baud)
		ksnprintf(baud, sizeof(baud), "%u baud", u->baud);
	else
		ksnprintf(baud, sizeof(baud), "baud as the firmware set it");
	if (u->mmio)
		ksnprintf(buf, size, "MMIO 0x%lx (%u-bit registers, stride %u), %s",
			  (unsigned long)u->base, u->reg_width * 8, u->stride, baud);
	else
		ksnprintf(buf, size, "I/O port 0x%lx, %s", (unsigned long)u->base, baud);
}
