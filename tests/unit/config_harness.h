/* SPDX-License-Identifier: MIT */
/*
 * The harness of the shale.cfg parser's unit tests (test_config.c,
 * test_config_errors.c): parse a text, collect every message. Messages are
 * asserted word for word: they are the user interface of the format, and
 * docs/config.md quotes them.
 */
#ifndef SHALE_TESTS_CONFIG_HARNESS_H
#define SHALE_TESTS_CONFIG_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "vmm/config.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

/* The smallest valid guest section. */
#define GUEST_A "[guest]\nname = a\nkernel = a.bin\nmemory = 16M\n"

/* Every message, one per line, in the order reported. */
struct collected {
	char text[16384];
	size_t len;
	int count;
};

static struct shale_config cfg;
static struct collected got;

static inline void collect(void *ctx, const char *msg)
{
	struct collected *c = ctx;

	assert_null(strchr(msg, '\n'));
	c->len += snprintf(c->text + c->len, sizeof(c->text) - c->len, "%s\n", msg);
	assert_true(c->len < sizeof(c->text));
	c->count++;
}

/* Parse text; every problem lands in `got`, and the count must agree. */
static inline int parse(const char *text)
{
	int n;

	memset(&got, 0, sizeof(got));
	n = config_parse(text, strlen(text), "shale.cfg", &cfg, collect, &got);
	assert_int_equal(n, got.count);
	return n;
}

/* Parse text, which must report exactly `messages` (newline-terminated). */
static inline void expect(const char *text, const char *messages)
{
	parse(text);
	assert_string_equal(got.text, messages);
}

static inline void expect_clean(const char *text)
{
	expect(text, "");
}

#endif
