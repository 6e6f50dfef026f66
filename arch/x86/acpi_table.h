/* SPDX-License-Identifier: MIT */
/*
 * What every ACPI system description table shares (ACPI 6.5, 5.2.6): the
 * 36-byte header with its signature, length and checksum, and the
 * little-endian fields at any alignment that the parsers read.
 */
#ifndef SHALE_ARCH_X86_ACPI_TABLE_H
#define SHALE_ARCH_X86_ACPI_TABLE_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_SDT_HEADER_LEN 36
#define ACPI_SDT_REVISION 8

static inline uint16_t acpi_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t acpi_get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t acpi_get64(const uint8_t *p)
{
	return acpi_get32(p) | (uint64_t)acpi_get32(p + 4) << 32;
}

/* The byte sum of n bytes: 0 for a table whose checksum is right. */
uint8_t acpi_sum(const void *p, size_t n);

/*
 * Check the header of a table that must be `sig`, at least min_len bytes
 * long, within the avail bytes that may be read, with a right checksum.
 * Returns its length, or 0 with the reason in why ("the SPCR's checksum is
 * wrong (bytes sum to 0x12)").
 */
uint32_t acpi_check_table(const void *table, size_t avail, const char sig[4],
			  uint32_t min_len, char *why, size_t size);

#endif
