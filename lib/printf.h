/* SPDX-License-Identifier: MIT */
/*
 * Formatting into a buffer: %d %i %u %x %X %p %s %c %%, with flags '-', '0',
 * a width, a precision for %s, and the length modifiers l, ll, z, h, hh.
 * Named k* so host unit tests can link it beside libc's printf family.
 */
#ifndef SHALE_LIB_PRINTF_H
#define SHALE_LIB_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
