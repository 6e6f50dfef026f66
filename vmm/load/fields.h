/* SPDX-License-Identifier: MIT */
/*
 * What the image loaders (bzimage.c, multiboot.c) share: reading and
 * writing little-endian fields at any alignment (image headers are byte
 * arrays from a file), and the one way they refuse an image, a reason in
 * the caller's buffer and -1.
 */
#ifndef SHALE_VMM_LOAD_FIELDS_H
#define SHALE_VMM_LOAD_FIELDS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/printf.h"

static inline int __attribute__((format(printf, 3, 4)))
fail(char *why, size_t why_size, const char *fmt, ...)
{
	va_list ap;

	if (why && why_size) {
		va_start(ap, fmt);
		kvsnprintf(why, why_size, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static inline uint64_t get_le(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

static inline void put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

#define get16(p) ((uint16_t)get_le(p, 2))
#define get32(p) ((uint32_t)get_le(p, 4))
#define get64(p) get_le(p, 8)
#define put16(p, v) put_le(p, v, 2)
#define put32(p, v) put_le(p, v, 4)
#define put64(p, v) put_le(p, v, 8)

#endif
