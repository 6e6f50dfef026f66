/* SPDX-License-Identifier: MIT */
/* The ACPI table header, checked once for every parser (acpi_table.h). */
#include "arch/x86/acpi_table.h"
#include "lib/printf.h"
#include "lib/string.h"

uint8_t acpi_sum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (n--)
		sum += *b++;
	return sum;
}

uint32_t acpi_check_table(const void *table, size_t avail, const char sig[4],
			  uint32_t min_len, char *why, size_t size)
{
	const uint8_t *t = table;
	uint32_t len;
	uint8_t sum;

	if (avail < 8 || memcmp(t, sig, 4)) {
		ksnprintf(why, size, "the table has no \"%.4s\" signature", sig);
		return 0;
	}
	len = acpi_get32(t + 4);
	if (len < min_len) {
		ksnprintf(why, size, "the %.4s's length %u is shorter than its layout (%u bytes)",
			  sig, len, min_len);
		return 0;
	}
	if (len > avail) {
		ksnprintf(why, size, "the %.4s's length %u runs past the %zu bytes there are",
			  sig, len, avail);
		return 0;
	}
	sum = acpi_sum(t, len);
	if (sum) {
		ksnprintf(why, size, "the %.4s's checksum is wrong (its %u bytes sum to 0x%02x, not 0)",
			  sig, len, sum);
		return 0;
	}
	return len;
}
