/* SPDX-License-Identifier: MIT */
/*
 * The Serial Port Console Redirection table (SPCR, Microsoft's
 * specification, revisions 1 to 4): the serial port the firmware
 * redirected its console to, which Shale takes as its console where
 * shale.cfg has no `console =` line.
 *
 * Layout (offsets in bytes): 36 interface type (the DBG2 serial subtypes:
 * 0x00 full 16550, 0x01 16550 subset, 0x12 16550 described by the generic
 * address), 40 the generic address structure (space: 0 memory, 1 I/O; bit
 * width; bit offset; access size 1..4 = byte..qword; 64-bit address), 52
 * interrupt type, 53 PC-AT IRQ, 54 GSI, 58 baud code (0 as is, 3 9600,
 * 4 19200, 6 57600, 7 115200), 76 UART clock (revision 3), 80 precise baud
 * (revision 4). Revisions 1-3 are 80 bytes; 4 adds 8 and a name string.
 */
#ifndef SHALE_ARCH_X86_ACPI_SPCR_H
#define SHALE_ARCH_X86_ACPI_SPCR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPCR_MIN_LEN 80

#define SPCR_IF_16550 0x00
#define SPCR_IF_16550_SUBSET 0x01
#define SPCR_IF_16550_GAS 0x12

#define ACPI_GAS_MEMORY 0
#define ACPI_GAS_IO 1

struct spcr_uart {
	uint8_t revision;
	uint8_t interface_type;
	bool mmio;          /* else port I/O */
	uint64_t base;      /* port, or physical address */
	unsigned reg_width; /* bytes per register access: 1, 2 or 4 */
	unsigned stride;    /* bytes between registers: reg_width */
	uint32_t baud;      /* 0: keep what the firmware programmed */
	uint8_t irq;        /* PC-AT IRQ, if interrupt type bit 0 */
	uint32_t gsi;       /* if interrupt type bit 1 or above */
	uint32_t uart_clock; /* Hz; 0 unless revision 3+ gives it */
};

/*
 * Parse the SPCR at table (avail bytes may be read). Returns 0 with *out
 * filled, or -1 with a one-line reason in why: not an SPCR, cut short, a
 * wrong checksum, a UART that is not a 16550, an address space or access
 * size Shale cannot drive, an unknown baud code.
 */
int spcr_parse(const void *table, size_t avail, struct spcr_uart *out,
	       char *why, size_t size);

/* The register address of 16550 register reg (0..7): base + reg * stride. */
uint64_t spcr_reg_addr(const struct spcr_uart *u, unsigned reg);

/* "I/O port 0x3f8, 115200 baud" / "MMIO 0xfe032000 (32-bit registers,
 * stride 4), baud as the firmware set it", for the boot log. */
void spcr_describe(const struct spcr_uart *u, char *buf, size_t size);

#endif
