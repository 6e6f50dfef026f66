/* SPDX-License-Identifier: MIT */
/*
 * disk = FILE, ro|rw: a guest's virtio-blk disks (docs/config.md). The
 * image is a file on the config partition that boot/ reads into memory;
 * its size is checked there. What can be checked from the text alone is
 * checked here: the file name and mode, the number of disks, that the
 * guest has the PC's PCI bus, and that a rw image belongs to one guest.
 */
#include <stdbool.h>
#include <stddef.h>

#include "lib/printf.h"
#include "lib/string.h"
#include "vmm/config.h"
#include "vmm/config_internal.h"

bool config_set_disk(struct config_parser *p)
{
	struct guest_config *g = p->g;
	size_t comma = span_find(p->val, ',');
	struct span file = span_trim((struct span){ p->val.s, comma });
	struct span mode = { "", 0 };
	struct guest_disk *d;

	if (comma < p->val.n)
		mode = span_trim((struct span){ p->val.s + comma + 1, p->val.n - comma - 1 });
	if (!file.n || !(span_is(mode, "ro") || span_is(mode, "rw")))
		return config_bad_value(p, "expected FILE, ro or FILE, rw (a rw disk's writes "
					   "are kept in memory only)");
	if (file.n >= CONFIG_PATH_MAX)
		return config_bad_value(p, "the file name is longer than %d characters",
					CONFIG_PATH_MAX - 1);
	for (size_t i = 0; i < file.n; i++)
		if (!config_path_char(file.s[i]))
			return config_bad_value(p, "'%c' is not allowed in a file name, use only "
						   "letters, digits and . _ / -", file.s[i]);
	if (g->n_disks == CONFIG_MAX_DISKS)
		return config_bad_value(p, "more than %d disks", CONFIG_MAX_DISKS);
	for (unsigned i = 0; i < g->n_disks; i++)
		if (span_is(file, g->disks[i].file))
			return config_bad_value(p, "the guest already has this image as a disk "
						   "(line %u)", g->disks[i].line);
	d = &g->disks[g->n_disks++];
	memcpy(d->file, file.s, file.n);
	d->file[file.n] = '\0';
	d->rw = span_is(mode, "rw");
	d->line = p->line;
	return true;
}

void config_disk_finish_guest(struct config_parser *p)
{
	struct guest_config *g = p->g;

	/* A PCI device needs the PCI host and the I/O APIC. */
	if (g->n_disks && g->mode != GUEST_MODE_LINUX && !(g->devices & GUEST_DEV_PC))
		config_problem(p, g->disks[0].line, "disk: a virtio-blk disk is a PCI device "
			       "of the PC; add devices = pc (a mode = linux guest has it)");
}

/* Which guest of guests[0..upto), d's own last, names d's file in a way
 * d cannot share: returns it, the line, and why. (A guest's own disks
 * never repeat a file: config_set_disk() refuses that.) */
static const struct guest_config *conflict(const struct shale_config *out, unsigned upto,
					   const struct guest_disk *d, unsigned *line,
					   const char **what, const char **rule)
{
	for (unsigned i = 0; i < upto; i++) {
		const struct guest_config *o = &out->guests[i];

		for (unsigned k = 0; k < o->n_disks; k++) {
			if (&o->disks[k] == d || strcmp(o->disks[k].file, d->file) ||
			    (!d->rw && !o->disks[k].rw))
				continue;
			*line = o->disks[k].line;
			*what = o->disks[k].rw ? "has it as a rw disk" : "has it as a disk";
			*rule = "a rw image belongs to one guest only";
			return o;
		}
		/* A rw disk must not write under another guest's kernel. */
		if (d->rw && (!strcmp(o->kernel, d->file) || !strcmp(o->initrd, d->file))) {
			*line = !strcmp(o->kernel, d->file) ? o->kernel_line : o->initrd_line;
			*what = !strcmp(o->kernel, d->file) ? "boots from it" : "has it as its initrd";
			*rule = "a rw disk cannot be a kernel or initrd";
			return o;
		}
	}
	return NULL;
}

/* An earlier guest's rw disk that g boots from (kernel or initrd). */
static const struct guest_config *boots_from_rw(const struct shale_config *out, unsigned upto,
						const struct guest_config *g,
						const struct guest_disk **d)
{
	for (unsigned i = 0; i < upto; i++)
		for (unsigned k = 0; k < out->guests[i].n_disks; k++) {
			*d = &out->guests[i].disks[k];
			if ((*d)->rw && (!strcmp(g->kernel, (*d)->file) ||
					 !strcmp(g->initrd, (*d)->file)))
				return &out->guests[i];
		}
	return NULL;
}

void config_disk_check_sharing(struct config_parser *p)
{
	struct shale_config *out = p->out;

	for (unsigned i = 0; i < out->n_guests;) {
		struct guest_config *g = &out->guests[i];
		const struct guest_config *o = NULL;
		const struct guest_disk *d = NULL;
		const char *what = "", *rule = "";
		unsigned line = 0;

		for (unsigned k = 0; k < g->n_disks && !o; k++) {
			d = &g->disks[k];
			o = conflict(out, i + 1, d, &line, &what, &rule);
		}
		if (!o && (o = boots_from_rw(out, i, g, &d))) {
			config_problem(p, !strcmp(g->kernel, d->file) ? g->kernel_line : g->initrd_line,
				       "guest \"%s\": \"%s\": guest \"%s\" has it as a rw disk "
				       "(line %u); a rw disk cannot be a kernel or initrd; the guest "
				       "is skipped", g->name, d->file, o->name, d->line);
		} else if (o) {
			config_problem(p, d->line, "guest \"%s\": disk \"%s\": guest \"%s\" %s "
				       "(line %u); %s; the guest is skipped", g->name, d->file,
				       o->name, what, line, rule);
		} else {
			i++;
			continue;
		}
		memmove(g, g + 1, (out->n_guests - i - 1) * sizeof(*g));
		out->n_guests--;
		memset(&out->guests[out->n_guests], 0, sizeof(*g));
	}
}
