/* SPDX-License-Identifier: MIT */
/* Numbers as people type them, in shale.cfg and at the shell's prompt. */
#ifndef SHALE_LIB_PARSE_H
#define SHALE_LIB_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* All of s[0..n) as a decimal or 0x-hex number; false on an empty
 * string, junk or overflow. */
bool parse_u64(const char *s, size_t n, uint64_t *out);

/* The value of one hex digit, either case; -1 for any other character. */
int parse_hex_digit(char c);

#endif
