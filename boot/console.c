/* SPDX-License-Identifier: MIT */
/* The firmware's text console, for the person watching a screen. */
#include "boot/boot.h"

void boot_console_write(const char *s, size_t len)
{
	CHAR16 buf[130];
	size_t n = 0;

	/* ConOut takes UCS-2 and wants CR LF. Flush in small chunks. */
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			buf[n++] = L'\r';
		buf[n++] = (unsigned char)s[i];
		if (n >= 128 || i + 1 == len) {
			buf[n] = 0;
			uefi_call_wrapper(ST->ConOut->OutputString, 2, ST->ConOut,
					  buf);
			n = 0;
		}
	}
}
