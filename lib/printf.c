/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <stdint.h>

#include "lib/printf.h"

struct out {
	char *buf;
	size_t size;
	size_t len; /* characters produced, even past size */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padded(struct out *o, const char *s, size_t n, int width,
		       bool left, char pad)
{
	int fill = width > (int)n ? width - (int)n : 0;

	if (!left)
		while (fill--)
			put(o, pad);
	while (n--)
		put(o, *s++);
	if (left)
		while (fill-- > 0)
			put(o, ' ');
}

/* prefix ("-" or "0x") counts toward the width; zero padding goes between
 * it and the digits, space padding before it. */
static void put_number(struct out *o, uint64_t v, const char *prefix,
		       unsigned base, bool upper, int width, bool left, char pad)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int i = sizeof(tmp), plen = 0;

	do {
		tmp[--i] = digits[v % base];
		v /= base;
	} while (v);
	while (prefix[plen])
		plen++;
	if (pad == '0') {
		for (int j = 0; j < plen; j++)
			put(o, prefix[j]);
		width = width > plen ? width - plen : 0;
	} else {
		while (plen--)
			tmp[--i] = prefix[plen];
	}
	put_padded(o, tmp + i, sizeof(tmp) - i, width, left, pad);
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		bool left = false;
		char pad = ' ';
		int width = 0, prec = -1, lng = 0, half = 0;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				pad = '0';
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
			/* C11 7.21.6.1p5: a negative width is '-' and its
			 * magnitude (unsigned negation: no overflow at INT_MIN). */
			if (width < 0) {
				left = true;
				width = (int)(0u - (unsigned)width);
			}
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			prec = 0;
			fmt++;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				prec = prec * 10 + (*fmt++ - '0');
		}
		for (;; fmt++) {
			if (*fmt == 'l' || *fmt == 'z')
				lng = 1;
			else if (*fmt == 'h')
				half++;
			else
				break;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = lng ? va_arg(ap, long) : va_arg(ap, int);
			uint64_t mag;

			/* h/hh: the argument was promoted to int; print it
			 * converted back to short/char as C requires. */
			if (!lng && half == 1)
				v = (short)v;
			else if (!lng && half > 1)
				v = (signed char)v;
			mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
			put_number(&o, mag, v < 0 ? "-" : "", 10, false, width,
				   left, pad);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = lng ? va_arg(ap, unsigned long)
					 : va_arg(ap, unsigned int);

			if (!lng && half == 1)
				v = (unsigned short)v;
			else if (!lng && half > 1)
				v = (unsigned char)v;
			put_number(&o, v, "", *fmt == 'u' ? 10 : 16,
				   *fmt == 'X', width, left, pad);
			break;
		}
		case 'p':
			put_number(&o, (uintptr_t)va_arg(ap, void *), "0x", 16,
				   false, width, left, pad);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t n = 0;

			if (!s)
				s = "(null)";
			while (s[n] && (prec < 0 || (int)n < prec))
				n++;
			put_padded(&o, s, n, width, left, ' ');
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);

			put_padded(&o, &c, 1, width, left, ' ');
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
