/* SPDX-License-Identifier: MIT */
/*
 * The freestanding string and memory routines Shale uses. Same names and
 * contracts as ISO C, so the pure modules compile unchanged into host unit
 * tests (where libc provides them) and into the hypervisor (lib/string.c).
 */
#ifndef SHALE_LIB_STRING_H
#define SHALE_LIB_STRING_H

#include <stddef.h>

#ifdef SHALE_HYPERVISOR
/* gnu-efi's libefi, linked in for boot/, brings a memcpy and a memset that
 * move a byte at a time and cannot be replaced at link time (their object
 * defines symbols boot/ needs). Shale's own code calls these instead, by
 * the usual names. */
#define memcpy shale_memcpy
#define memset shale_memset
#endif

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

#endif
