/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for lib/printf.c. The host libc's snprintf is the oracle:
 * every case is formatted by both, at full size and at every smaller buffer
 * size (0 .. length + 1), and the whole buffer is compared, canary bytes
 * past `size` included, so truncation, NUL placement and the return value
 * (always the full length) are checked at every cut.
 *
 * Where Shale deliberately differs from glibc (%p of NULL, unknown
 * conversions, a lone trailing '%') the expected text is spelled out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "lib/printf.h"

#define BUF 256
#define CANARY 0x5a

/* Compare one format at full size, then at every size up to len + 1. */
#define CHECK(...)                                                           \
	do {                                                                 \
		char want_[BUF], got_[BUF];                                  \
		int wn_ = snprintf(want_, BUF, __VA_ARGS__);                 \
		int gn_ = ksnprintf(got_, BUF, __VA_ARGS__);                 \
		assert_true(wn_ >= 0 && wn_ < BUF);                          \
		if (gn_ != wn_ || strcmp(want_, got_))                       \
			fail_msg("%s: libc \"%s\" (%d), shale \"%s\" (%d)",  \
				 #__VA_ARGS__, want_, wn_, got_, gn_);       \
		for (size_t sz_ = 0; sz_ <= (size_t)wn_ + 1; sz_++) {        \
			memset(want_, CANARY, BUF);                          \
			memset(got_, CANARY, BUF);                           \
			snprintf(want_, sz_, __VA_ARGS__);                   \
			gn_ = ksnprintf(got_, sz_, __VA_ARGS__);             \
			assert_int_equal(gn_, wn_);                          \
			if (memcmp(want_, got_, BUF))                        \
				fail_msg("%s: differs at size %zu: \"%.*s\"", \
					 #__VA_ARGS__, sz_, (int)sz_, got_);  \
		}                                                            \
	} while (0)

/* For the cases where libc is not the reference. */
#define EXPECT(want, ...)                                                    \
	do {                                                                 \
		char got_[BUF];                                              \
		int gn_ = ksnprintf(got_, BUF, __VA_ARGS__);                 \
		assert_string_equal(got_, want);                             \
		assert_int_equal(gn_, (int)strlen(want));                    \
	} while (0)

static void test_decimal(void **state)
{
	(void)state;
	CHECK("%d", 0);
	CHECK("%d", 42);
	CHECK("%d", -42);
	CHECK("%i", 123456789);
	CHECK("%i", -1);
	CHECK("%d", INT_MAX);
	CHECK("%d", INT_MIN);
	CHECK("%u", 0u);
	CHECK("%u", 3000000000u);
	CHECK("%u", UINT_MAX);
	CHECK("[%5d]", 42);
	CHECK("[%5d]", -42);
	CHECK("[%-5d]", 42);
	CHECK("[%-5d]", -42);
	CHECK("[%05d]", 42);
	CHECK("[%05d]", -42);
	CHECK("[%02d]", -42);  /* width smaller than the number */
	CHECK("[%1d]", 12345);
	CHECK("[%010u]", 4000000000u);
	CHECK("[%-10u]", 7u);
	CHECK("%d %d %d", 1, -2, 3);
}

static void test_hex(void **state)
{
	(void)state;
	CHECK("%x", 0u);
	CHECK("%x", 0xdeadbeefu);
	CHECK("%X", 0xdeadbeefu);
	CHECK("%x", UINT_MAX);
	CHECK("[%8x]", 0x3f8u);
	CHECK("[%08x]", 0x3f8u);
	CHECK("[%08X]", 0xabcu);
	CHECK("[%-8x]", 0x3f8u);
	CHECK("[%02x]", 0u);
	CHECK("0x%016lx", 0xfff9fffe0401e172ul);
	CHECK("%lX", 0xffffffffffffffffUL);
}

static void test_pointer(void **state)
{
	(void)state;
	/* The "0x" is part of the field: widths count it. */
	CHECK("%p", (void *)0x1234);
	CHECK("%p", (void *)0xffff800000001000ul);
	CHECK("[%20p]", (void *)0x1234);
	CHECK("[%-20p]", (void *)0x1234);
	CHECK("[%3p]", (void *)0x1234);
	/* glibc prints "(nil)"; Shale prints the number like any other. */
	EXPECT("0x0", "%p", (void *)0);
	EXPECT("[       0x0]", "[%10p]", (void *)0);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
	/* '0' with %p is undefined in C; Shale pads after "0x" as glibc. */
	CHECK("[%020p]", (void *)0x1234);
#pragma GCC diagnostic pop
}

static void test_strings(void **state)
{
	(void)state;
	CHECK("%s", "");
	CHECK("%s", "hello");
	CHECK("[%10s]", "hello");
	CHECK("[%-10s]", "hello");
	CHECK("[%3s]", "hello");
	CHECK("[%.3s]", "hello");
	CHECK("[%.0s]", "hello");
	CHECK("[%.s]", "hello");
	CHECK("[%.10s]", "hello");
	CHECK("[%8.3s]", "hello");
	CHECK("[%-8.3s]", "hello");
	CHECK("%s", "tab\tnewline\n");
	/* Precision lets a string without a NUL be printed. */
	{
		static const char raw[4] = { 'a', 'b', 'c', 'd' };

		CHECK("[%.4s]", raw);
	}
	{
		/* volatile: keeps gcc from proving the argument is NULL. */
		const char *volatile null = NULL;

		EXPECT("(null)", "%s", null);
		EXPECT("[  (null)]", "[%8s]", null);
	}
}

static void test_chars(void **state)
{
	(void)state;
	CHECK("%c", 'x');
	CHECK("[%3c]", 'x');
	CHECK("[%-3c]", 'x');
	CHECK("%c%c%c", 'a', 'b', 'c');
	CHECK("%c", 0xe9); /* a byte above 0x7f */
	CHECK("[%c]", '\0');   /* embedded NUL: memcmp sees past it */
}

static void test_percent_and_literals(void **state)
{
	(void)state;
	CHECK("%%");
	CHECK("100%%");
	CHECK("%%d");
	CHECK("a%%b%%c");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-zero-length"
	CHECK("");
#pragma GCC diagnostic pop
	CHECK("no conversions at all");
	CHECK("%d%%", 50);
}

static void test_length_modifiers(void **state)
{
	(void)state;
	CHECK("%ld", 0L);
	CHECK("%ld", LONG_MAX);
	CHECK("%ld", (long)INT64_MIN);
	CHECK("%lld", (long long)INT64_MIN);
	CHECK("%lli", (long long)INT64_MAX);
	CHECK("%lu", ULONG_MAX);
	CHECK("%llu", (unsigned long long)UINT64_MAX);
	CHECK("%llx", 0x0123456789abcdefull);
	CHECK("%zu", (size_t)0);
	CHECK("%zu", SIZE_MAX);
	CHECK("%zx", (size_t)0x1000);
	CHECK("[%24ld]", (long)INT64_MIN);
	CHECK("[%024ld]", (long)INT64_MIN);
	CHECK("[%-24ld]", (long)INT64_MIN);
	CHECK("[%021ld]", (long)INT64_MIN);
	CHECK("[%020lu]", 1ul);
	CHECK("%ld %d %lu", -1L, -2, 3UL); /* mixed widths in one va_list */
}

static void test_short_modifiers(void **state)
{
	(void)state;
	/* The argument is promoted to int; h/hh convert it back. */
	CHECK("%hd", (short)-1234);
	CHECK("%hd", 70000);
	CHECK("%hu", 70000);
	CHECK("%hx", 0x12345);
	CHECK("%hX", 0xfffff);
	CHECK("%hhd", 300);
	CHECK("%hhd", -129);
	CHECK("%hhd", (signed char)-128);
	CHECK("%hhu", -1);
	CHECK("%hhx", 0x1ff);
	CHECK("[%04hhx]", 0xabcd);
	CHECK("[%-6hd]", -32768);
}

static void test_star(void **state)
{
	(void)state;
	CHECK("[%*d]", 6, 42);
	CHECK("[%-*d]", 6, 42);
	CHECK("[%0*x]", 8, 0xbeefu);
	CHECK("[%*s]", 6, "ab");
	CHECK("[%.*s]", 2, "abcdef");
	CHECK("[%*.*s]", 6, 2, "abcdef");
	/* A negative width means '-'; a negative precision means none. */
	CHECK("[%*d]", -6, 42);
	CHECK("[%*s]", -6, "ab");
	CHECK("[%.*s]", -1, "abcdef");
	CHECK("[%*d]", 0, 42);
}

static void test_truncation(void **state)
{
	char buf[16];
	int n;

	(void)state;
	/* Beyond what CHECK sweeps: the exact bytes at the cut, spelled out. */
	memset(buf, CANARY, sizeof(buf));
	n = ksnprintf(buf, 0, "hello");
	assert_int_equal(n, 5);
	assert_int_equal((unsigned char)buf[0], CANARY);

	n = ksnprintf(buf, 1, "hello");
	assert_int_equal(n, 5);
	assert_int_equal(buf[0], '\0');
	assert_int_equal((unsigned char)buf[1], CANARY);

	memset(buf, CANARY, sizeof(buf));
	n = ksnprintf(buf, 4, "%d", -123456);
	assert_int_equal(n, 7);
	assert_string_equal(buf, "-12");
	assert_int_equal((unsigned char)buf[4], CANARY);

	memset(buf, CANARY, sizeof(buf));
	n = ksnprintf(buf, 6, "[%-8s]", "ab");
	assert_int_equal(n, 10);
	assert_string_equal(buf, "[ab  ");

	memset(buf, CANARY, sizeof(buf));
	n = ksnprintf(buf, 5, "%p", (void *)0xabcdef);
	assert_int_equal(n, 8);
	assert_string_equal(buf, "0xab");

	/* The full sweep over a format that mixes every conversion. */
	CHECK("%s=%d (%x) %c %5.2s|%-4u|%08lx|%%|%p", "key", -7, 255u, 'z',
	      "abc", 9u, 0xfeedul, (void *)0x10);
}

static void test_null_buffer(void **state)
{
	(void)state;
	/* size 0: nothing is written, so the buffer may be NULL (used to
	 * measure a message before allocating it). */
	assert_int_equal(ksnprintf(NULL, 0, "%s-%d", "abc", 12345), 9);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-zero-length"
	assert_int_equal(ksnprintf(NULL, 0, ""), 0);
#pragma GCC diagnostic pop
	assert_int_equal(ksnprintf(NULL, 0, "%ld", (long)INT64_MIN), 20);
}

static int wrap(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int wrap(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void test_kvsnprintf(void **state)
{
	char buf[32];

	(void)state;
	/* What the logger does: pass a va_list through. */
	assert_int_equal(wrap(buf, sizeof(buf), "[%s] %d/%u %lx", "vmx", -1, 2u,
			      0x1ul),
			 12);
	assert_string_equal(buf, "[vmx] -1/2 1");
	assert_int_equal(wrap(buf, 3, "%s", "abcdef"), 6);
	assert_string_equal(buf, "ab");
}

/* These formats are wrong on purpose. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
static void test_shale_extensions(void **state)
{
	(void)state;
	/* Unknown conversions are printed as written so a typo in a log
	 * format shows up in the log rather than eating an argument. */
	EXPECT("%q", "%q");
	EXPECT("a%yb", "a%yb");
	/* A lone '%' at the end is dropped, not read past. */
	EXPECT("abc", "abc%");
	EXPECT("abc", "abc%-5");
}
#pragma GCC diagnostic pop

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decimal),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_chars),
		cmocka_unit_test(test_percent_and_literals),
		cmocka_unit_test(test_length_modifiers),
		cmocka_unit_test(test_short_modifiers),
		cmocka_unit_test(test_star),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_null_buffer),
		cmocka_unit_test(test_kvsnprintf),
		cmocka_unit_test(test_shale_extensions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
