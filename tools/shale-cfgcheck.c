/* SPDX-License-Identifier: MIT */
/*
 * shale-cfgcheck FILE [--dir DIR]: check a shale.cfg on the host with the
 * hypervisor's own parser, before it goes onto a config partition, and check
 * that each kernel/initrd/module/disk it names is in DIR (default: FILE's
 * directory), each disk in whole sectors.
 * Messages go to stderr, a summary of the valid guests to stdout. Exit 0 if
 * clean, 1 if any problem, 2 for usage or an unreadable FILE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vmm/config.h"

#define CFG_FILE_MAX (1 << 20) /* a config is a page or two; more is a mistake */

static void usage(FILE *f)
{
	fprintf(f, "usage: shale-cfgcheck FILE [--dir DIR]\n"
		   "  checks FILE (a shale.cfg) and that every kernel/initrd it names\n"
		   "  exists in DIR (default: the directory of FILE)\n");
}

static void print_problem(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s\n", msg);
}

/* Read all of path into a malloc'd buffer; NULL (reported) on failure. */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f) {
		fprintf(stderr, "shale-cfgcheck: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	buf = malloc(CFG_FILE_MAX + 1);
	if (!buf) {
		fprintf(stderr, "shale-cfgcheck: out of memory\n");
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, CFG_FILE_MAX + 1, f);
	if (ferror(f) || n > CFG_FILE_MAX) {
		fprintf(stderr, "shale-cfgcheck: %s: %s\n", path,
			ferror(f) ? strerror(errno) : "larger than 1 MiB, not a config file");
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* The directory part of path, as the default place for the images. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* 1 (reported) if DIR/name is not a regular file, else 0. */
static int check_image(const char *file, const struct guest_config *g,
		       const char *key, const char *name, unsigned line,
		       const char *dir)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		return 0;
	if (stat(path, &st) == 0)
		fprintf(stderr, "%s:%u: guest \"%s\": %s \"%s\": not a regular file in %s\n",
			file, line, g->name, key, name, dir);
	else
		fprintf(stderr, "%s:%u: guest \"%s\": %s \"%s\": no such file in %s\n",
			file, line, g->name, key, name, dir);
	return 1;
}

/* A disk image: there, and whole sectors (boot/guests.c refuses others). */
static int check_disk(const char *file, const struct guest_config *g,
		      const struct guest_disk *d, const char *dir)
{
	char path[4096];
	struct stat st;

	if (check_image(file, g, "disk", d->file, d->line, dir))
		return 1;
	snprintf(path, sizeof(path), "%s/%s", dir, d->file);
	if (stat(path, &st) == 0 && st.st_size > 0 && st.st_size % 512 == 0)
		return 0;
	fprintf(stderr, "%s:%u: guest \"%s\": disk \"%s\" is %lld bytes; a disk image must be "
		"a non-zero multiple of 512 bytes (whole sectors)\n", file, d->line, g->name,
		d->file, (long long)st.st_size);
	return 1;
}

int main(int argc, char **argv)
{
	const char *file = NULL, *dir_arg = NULL;
	struct shale_config *cfg;
	char *text, *dir, size[32];
	size_t len = 0;
	int problems, i;
	unsigned n;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--dir") && i + 1 < argc) {
			dir_arg = argv[++i];
		} else if (!strncmp(argv[i], "--dir=", 6)) {
			dir_arg = argv[i] + 6;
		} else if (argv[i][0] == '-' || file) {
			usage(stderr);
			return 2;
		} else {
			file = argv[i];
		}
	}
	if (!file) {
		usage(stderr);
		return 2;
	}
	text = read_file(file, &len);
	if (!text)
		return 2;
	cfg = malloc(sizeof(*cfg));
	dir = dir_arg ? strdup(dir_arg) : dir_of(file);
	if (!cfg || !dir) {
		fprintf(stderr, "shale-cfgcheck: out of memory\n");
		return 2;
	}

	problems = config_parse(text, len, file, cfg, print_problem, NULL);
	for (n = 0; n < cfg->n_guests; n++) {
		const struct guest_config *g = &cfg->guests[n];

		problems += check_image(file, g, "kernel", g->kernel, g->kernel_line, dir);
		if (g->initrd[0])
			problems += check_image(file, g, "initrd", g->initrd,
						g->initrd_line, dir);
		for (unsigned i = 0; g->mode == GUEST_MODE_MULTIBOOT && i < g->n_modules; i++) {
			char mod[CONFIG_PATH_MAX];

			config_module_file(config_module(g, i), mod);
			problems += check_image(file, g, "module", mod,
						g->modules_line, dir);
		}
		for (unsigned i = 0; i < g->n_disks; i++)
			problems += check_disk(file, g, &g->disks[i], dir);
	}
	for (n = 0; n < cfg->n_guests; n++) {
		const struct guest_config *g = &cfg->guests[n];

		printf("guest \"%s\": kernel %s, memory %s, vcpus %u, mode %s, load 0x%llx\n",
		       g->name, g->kernel, config_format_size(g->memory, size, sizeof(size)),
		       g->vcpus, config_mode_name(g->mode), (unsigned long long)g->load);
	}
	printf("%s: %u guest(s) valid, %d problem(s)\n", file, cfg->n_guests, problems);

	free(dir);
	free(cfg);
	free(text);
	return problems ? 1 : 0;
}
