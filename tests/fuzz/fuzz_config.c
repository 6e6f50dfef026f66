/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the shale.cfg parser (vmm/config.c). The parser runs
 * on whatever a config partition holds, before any guest exists, so it must
 * survive any bytes and must never keep a guest that breaks the rules in
 * docs/config.md. Any violation abort()s, which libFuzzer reports.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/config.h"
#include "vmm/guest_ram.h"
#include "tests/fuzz/fuzz_check.h"

#define MIB (1ull << 20)

struct reports {
	int n;
};

static void on_report(void *ctx, const char *msg)
{
	struct reports *r = ctx;
	size_t len = strlen(msg); /* ASan: must be a real string */

	CHECK(len > 0 && msg[len - 1] != '\n');
	r->n++;
}

/* Terminated within the array and made only of characters from `ok`. */
static bool field_ok(const char *s, size_t max, const char *ok, bool may_be_empty)
{
	size_t n = strnlen(s, max);

	if (n == max || (!may_be_empty && n == 0))
		return false;
	return !ok || strspn(s, ok) == n;
}

#define NAME_CHARS \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
#define PATH_CHARS NAME_CHARS "./"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct shale_config cfg; /* ~22 KB: keep it off the stack */
	struct reports rep = { 0 };
	char sz[24];
	int problems;

	/* A copy of exactly `size` bytes with no NUL after it, so ASan sees
	 * any read past len. */
	char *text = malloc(size ? size : 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	memset(&cfg, 0xa5, sizeof(cfg));
	problems = config_parse(text, size, "fuzz.cfg", &cfg, on_report, &rep);
	CHECK(problems >= 0);
	CHECK(problems == rep.n);
	CHECK(cfg.n_guests <= CONFIG_MAX_GUESTS);
	CHECK(config_log_level_name(cfg.log_level) != NULL);

	for (unsigned i = 0; i < cfg.n_guests; i++) {
		const struct guest_config *g = &cfg.guests[i];

		CHECK(field_ok(g->name, CONFIG_NAME_MAX, NAME_CHARS, false));
		CHECK(field_ok(g->kernel, CONFIG_PATH_MAX, PATH_CHARS, false));
		CHECK(field_ok(g->initrd, CONFIG_PATH_MAX, PATH_CHARS, true));
		CHECK(field_ok(g->cmdline, CONFIG_CMDLINE_MAX, NULL, true));
		CHECK(g->memory != 0 && g->memory % MIB == 0);
		CHECK(g->memory <= 512ull << 30);
		/* A flat image and its entry lie in RAM below the MMIO hole. */
		CHECK(g->load < g->memory && g->load < GUEST_LOW_RAM_TOP);
		CHECK(g->mode != GUEST_MODE_LONG ||
		      (g->entry < g->memory && g->entry < GUEST_LOW_RAM_TOP));
		CHECK(g->vcpus >= 1 && g->vcpus <= CONFIG_MAX_VCPUS);
		CHECK(g->line >= 1);
		for (unsigned j = 0; j < i; j++)
			CHECK(strcmp(g->name, cfg.guests[j].name) != 0);
		/* Exercise the formatter on values the parser accepted. */
		CHECK(config_format_size(g->memory, sz, sizeof(sz)) == sz);
		CHECK(strnlen(sz, sizeof(sz)) < sizeof(sz));
		config_format_size(g->memory, sz, 3);
		CHECK(strnlen(sz, 3) < 3);
	}

	/* Without a report callback the result must be the same. */
	{
		static struct shale_config quiet;

		memset(&quiet, 0xa5, sizeof(quiet));
		CHECK(config_parse(text, size, "fuzz.cfg", &quiet, NULL, NULL) ==
		      problems);
		CHECK(memcmp(&quiet, &cfg, sizeof(cfg)) == 0);
	}
	free(text);
	return 0;
}
