/* SPDX-License-Identifier: MIT */
/*
 * The shale.cfg parser (format: docs/config.md). One pass over the lines;
 * each key has a setter (config_values.c) that checks its value where it
 * enters, and the checks that need several keys (load against memory and
 * mode) run when a guest section ends. A guest is written straight into the
 * next free slot of out->guests[] and only counted if its section reported
 * nothing.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/printf.h"
#include "lib/string.h"
#include "vmm/config.h"
#include "vmm/config_internal.h"
#include "vmm/guest_ram.h"

#define LONG_LOAD_MIN 0x10000ULL    /* below: Shale's GDT and page tables */
#define REAL_LOAD_LIMIT 0x100000ULL /* CS = load >> 4 must fit 16 bits */

/* ------------------------------------------------------------ messages */

static void msg_vadd(struct config_msg *m, const char *fmt, va_list ap)
{
	int n = kvsnprintf(m->buf + m->len, sizeof(m->buf) - m->len, fmt, ap);

	if (n > 0)
		m->len += (size_t)n;
	if (m->len >= sizeof(m->buf))
		m->len = sizeof(m->buf) - 1;
}

void config_msg_add(struct config_msg *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_vadd(m, fmt, ap);
	va_end(ap);
}

/* Quote a value as written, cut to CONFIG_SHOW_MAX, control characters as '?'. */
void config_msg_add_value(struct config_msg *m, struct span v)
{
	char shown[CONFIG_SHOW_MAX + 1];
	size_t i, k = v.n > CONFIG_SHOW_MAX ? CONFIG_SHOW_MAX - 3 : v.n;

	for (i = 0; i < k; i++) {
		unsigned char c = (unsigned char)v.s[i];

		shown[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	if (k < v.n) {
		memcpy(shown + k, "...", 3);
		k += 3;
	}
	shown[k] = '\0';
	config_msg_add(m, "\"%s\"", shown);
}

/* "FILE:LINE: " and, inside a guest section, which guest. */
void config_msg_start(struct config_parser *p, struct config_msg *m, unsigned line)
{
	m->len = 0;
	m->buf[0] = '\0';
	config_msg_add(m, "%s:%u: ", p->file, line);
	if (p->sec != SEC_GUEST)
		return;
	if (p->g->name[0])
		config_msg_add(m, "guest \"%s\": ", p->g->name);
	else
		config_msg_add(m, "guest #%u: ", p->guest_index);
}

void config_emit(struct config_parser *p, struct config_msg *m)
{
	p->problems++;
	if (p->sec == SEC_GUEST)
		p->guest_bad = true;
	if (p->report)
		p->report(p->ctx, m->buf);
}

void config_problem(struct config_parser *p, unsigned line, const char *fmt, ...)
{
	struct config_msg m;
	va_list ap;

	config_msg_start(p, &m, line);
	va_start(ap, fmt);
	msg_vadd(&m, fmt, ap);
	va_end(ap);
	config_emit(p, &m);
}

/* Start a message about the current value: '... KEY "VALUE": '. */
void config_value_start(struct config_parser *p, struct config_msg *m)
{
	config_msg_start(p, m, p->line);
	config_msg_add(m, "%s ", config_keys[p->key].name);
	config_msg_add_value(m, p->val);
	config_msg_add(m, ": ");
}

/* Report what is wrong with the current value; returns false for the setter. */
bool config_bad_value(struct config_parser *p, const char *fmt, ...)
{
	struct config_msg m;
	va_list ap;

	config_value_start(p, &m);
	va_start(ap, fmt);
	msg_vadd(&m, fmt, ap);
	va_end(ap);
	config_emit(p, &m);
	return false;
}

/* Levenshtein distance, for "did you mean"; long words are never close. */
static unsigned edit_distance(struct span a, const char *b)
{
	unsigned row[24], i, j, prev, cur;
	size_t bn = strlen(b);

	if (a.n > 16 || bn >= ARRAY_SIZE(row))
		return 99;
	for (j = 0; j <= bn; j++)
		row[j] = j;
	for (i = 1; i <= a.n; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= bn; j++) {
			unsigned best = prev + (a.s[i - 1] != b[j - 1]);

			cur = row[j];
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[bn];
}

/* ------------------------------------------------------------ sections */

/* A load/entry problem found at the end of a section, at the key's line. */
__attribute__((format(printf, 4, 5)))
static void layout_problem(struct config_parser *p, enum config_key k, uint64_t v,
			   const char *fmt, ...)
{
	struct guest_config *g = p->g;
	struct config_msg m;
	va_list ap;

	config_msg_start(p, &m, p->key_line[k] ? p->key_line[k] : g->line);
	config_msg_add(&m, "%s 0x%llx", config_keys[k].name, (unsigned long long)v);
	if (!p->key_line[k])
		config_msg_add(&m, " (the default for mode %s)", config_mode_name(g->mode));
	config_msg_add(&m, ": ");
	va_start(ap, fmt);
	msg_vadd(&m, fmt, ap);
	va_end(ap);
	config_emit(p, &m);
}

/*
 * The checks that need several keys; needs a valid memory size. A load,
 * entry or mode already reported as bad is not judged again: the default
 * standing in for it would only add noise.
 */
static void check_layout(struct config_parser *p)
{
	struct guest_config *g = p->g;
	struct guest_ram ram;
	bool load_ok = !(p->key_bad & (1u << K_LOAD));
	char size[24], low_size[24], high_size[24], where[96];
	uint64_t low;

	if (p->key_bad & (1u << K_MODE))
		return;
	if (g->mode == GUEST_MODE_LINUX) {
		/* The kernel's own header says where it goes and starts. */
		if (p->key_line[K_LOAD] && load_ok)
			layout_problem(p, K_LOAD, g->load, "not used with mode = linux "
				       "(the bzImage header says where the kernel goes)");
		if (p->key_line[K_ENTRY] && !(p->key_bad & (1u << K_ENTRY)))
			layout_problem(p, K_ENTRY, g->entry, "not used with mode = linux "
				       "(the kernel starts at its 64-bit entry point)");
		return;
	}
	if (g->mode == GUEST_MODE_MULTIBOOT) {
		/* The ELF program headers, or the Multiboot header's address
		 * fields, say where the kernel goes and starts. */
		if (p->key_line[K_LOAD] && load_ok)
			layout_problem(p, K_LOAD, g->load, "not used with mode = multiboot "
				       "(the kernel's ELF program headers or Multiboot header say where it goes)");
		if (p->key_line[K_ENTRY] && !(p->key_bad & (1u << K_ENTRY)))
			layout_problem(p, K_ENTRY, g->entry, "not used with mode = multiboot "
				       "(the kernel starts at its ELF or Multiboot header entry point)");
		return;
	}
	/* A flat image and its entry go in the RAM below the MMIO hole: the
	 * start-up page tables map the first 4 GiB (vmm/guest_ram.h). */
	guest_ram_layout(g->memory, &ram);
	low = guest_ram_low_size(&ram);
	config_format_size(g->memory, size, sizeof(size));
	if (ram.n == 1) {
		ksnprintf(where, sizeof(where), "outside guest memory 0x0-0x%llx (memory = %s)",
			  (unsigned long long)(low - 1), size);
	} else {
		config_format_size(low, low_size, sizeof(low_size));
		config_format_size(ram.r[1].size, high_size, sizeof(high_size));
		ksnprintf(where, sizeof(where),
			  "outside guest RAM below 4 GiB 0x0-0x%llx (memory = %s: %s there, %s from 0x%llx)",
			  (unsigned long long)(low - 1), size, low_size, high_size,
			  (unsigned long long)ram.r[1].gpa);
	}
	if (load_ok && g->mode == GUEST_MODE_LONG && g->load < LONG_LOAD_MIN)
		layout_problem(p, K_LOAD, g->load, "a long-mode image must load at 0x10000 "
			       "or above (Shale's GDT and page tables use 0x1000-0x7fff)");
	else if (load_ok && g->mode == GUEST_MODE_REAL && g->load >= REAL_LOAD_LIMIT)
		layout_problem(p, K_LOAD, g->load,
			       "a real-mode image must load below 0x100000 (1M)");
	else if (load_ok && g->load >= low && ram.n == 1)
		layout_problem(p, K_LOAD, g->load, "%s; load lower or give the guest more memory",
			       where);
	else if (load_ok && g->load >= low)
		layout_problem(p, K_LOAD, g->load, "%s; a flat image loads there", where);
	else if (load_ok && (g->devices & GUEST_DEV_PC) &&
		 g->load >= CONFIG_PC_TABLES_GPA &&
		 g->load < CONFIG_PC_TABLES_GPA + CONFIG_PC_TABLES_SIZE)
		layout_problem(p, K_LOAD, g->load, "the PC's ACPI tables are at 0x%llx-0x%llx "
			       "(devices = pc); load the image elsewhere",
			       CONFIG_PC_TABLES_GPA,
			       CONFIG_PC_TABLES_GPA + CONFIG_PC_TABLES_SIZE - 1);
	if (!p->key_line[K_ENTRY] || (p->key_bad & (1u << K_ENTRY)))
		return;
	if (g->mode != GUEST_MODE_LONG)
		layout_problem(p, K_ENTRY, g->entry, "only used with mode = long "
			       "(a real-mode guest starts at its load address)");
	else if (g->entry >= low)
		layout_problem(p, K_ENTRY, g->entry, "%s", where);
}

/* The devices that sit on the PC's PCI bus. */
static const struct {
	uint32_t bit;
	const char *name;
} pci_devs[] = {
	{ GUEST_DEV_VIRTIO_RNG, "virtio-rng" },
	{ GUEST_DEV_VIRTIO_CONSOLE, "virtio-console" },
};

static void finish_guest(struct config_parser *p)
{
	static const enum config_key required[] = { K_NAME, K_KERNEL, K_MEMORY };
	struct guest_config *g = p->g;
	unsigned i = 0;

	for (i = 0; i < ARRAY_SIZE(required); i++)
		if (!p->key_line[required[i]])
			config_problem(p, g->line, "missing \"%s\"", config_keys[required[i]].name);
	if (!p->key_line[K_LOAD])
		g->load = g->mode == GUEST_MODE_LONG ? 0x100000 :
			  g->mode == GUEST_MODE_REAL ? 0x10000 : 0;
	if (!p->key_line[K_ENTRY])
		g->entry = g->load;
	if (g->memory)
		check_layout(p);
	/* A PCI device needs the PCI host and the I/O APIC. */
	for (size_t i = 0; i < ARRAY_SIZE(pci_devs); i++) {
		struct config_msg m;

		if (!(g->devices & pci_devs[i].bit) || g->mode == GUEST_MODE_LINUX ||
		    (g->devices & GUEST_DEV_PC))
			continue;
		config_msg_start(p, &m, p->key_line[K_DEVICES]);
		config_msg_add(&m, "devices: \"%s\" is a PCI device of the PC; "
			       "add \"pc\" (a mode = linux guest has it)", pci_devs[i].name);
		config_emit(p, &m);
		break;
	}
	config_disk_finish_guest(p);
	config_net_finish_guest(p);
	if (p->key_line[K_DEBUG_EXIT_PORT] && !(g->devices & GUEST_DEV_DEBUG_EXIT))
		layout_problem(p, K_DEBUG_EXIT_PORT, g->debug_exit_port,
			       "only used with isa-debug-exit in devices");
	if (p->guest_bad)
		memset(g, 0, sizeof(*g)); /* nothing half-checked is left behind */
	else
		p->out->n_guests++;
}

static void finish_section(struct config_parser *p)
{
	if (p->sec == SEC_GUEST)
		finish_guest(p);
	p->sec = SEC_NONE;
}

static void start_guest(struct config_parser *p)
{
	struct guest_config *g;
	unsigned k;

	p->guest_index++;
	if (p->out->n_guests == CONFIG_MAX_GUESTS) {
		config_problem(p, p->line, "guest #%u: too many guests, the limit is %d",
			p->guest_index, CONFIG_MAX_GUESTS);
		p->sec = SEC_SKIP;
		return;
	}
	g = p->g = &p->out->guests[p->out->n_guests];
	memset(g, 0, sizeof(*g));
	g->vcpus = 1;
	g->cpus = ~0ULL;
	g->mode = GUEST_MODE_LONG;
	g->on_poweroff = ACTION_DESTROY;
	g->on_reboot = ACTION_RESTART;
	g->on_crash = ACTION_DESTROY;
	g->autostart = true;
	g->apicv = true;
	g->weight = 256;
	g->debug_exit_port = 0xf4; /* where test suites put it */
	g->line = p->line;
	for (k = 0; k < K_COUNT; k++)
		if (config_keys[k].guest)
			p->key_line[k] = 0;
	p->key_bad = 0;
	p->guest_bad = false;
	p->sec = SEC_GUEST;
}

static void parse_header(struct config_parser *p, struct span l)
{
	size_t close = span_find(l, ']');
	struct span name, after;

	finish_section(p);
	if (close == l.n) {
		config_problem(p, p->line, "section header has no closing \"]\"");
		p->sec = SEC_SKIP;
		return;
	}
	name = span_trim((struct span){ l.s + 1, close - 1 });
	after = span_trim((struct span){ l.s + close + 1, l.n - close - 1 });
	if (after.n && after.s[0] != '#') {
		config_problem(p, p->line, "unexpected text after \"]\"");
		p->sec = SEC_SKIP;
	} else if (span_is(name, "hypervisor")) {
		p->sec = SEC_HYPERVISOR;
	} else if (span_is(name, "guest")) {
		start_guest(p);
	} else {
		struct config_msg m;

		config_msg_start(p, &m, p->line);
		config_msg_add(&m, "unknown section \"[%.*s]\", expected [hypervisor] or [guest]",
			name.n > CONFIG_SHOW_MAX ? CONFIG_SHOW_MAX : (int)name.n, name.s);
		config_emit(p, &m);
		p->sec = SEC_SKIP;
	}
}

/* Which known key is `key` in this section, or report why none is. */
static int lookup_key(struct config_parser *p, struct span key)
{
	bool in_guest = p->sec == SEC_GUEST;
	unsigned k, best = K_COUNT, best_d = 3;
	struct config_msg m;

	for (k = 0; k < K_COUNT; k++)
		if (span_is(key, config_keys[k].name) && config_keys[k].guest == in_guest)
			return (int)k;
	config_msg_start(p, &m, p->line);
	config_msg_add(&m, "unknown key ");
	config_msg_add_value(&m, key);
	if (!in_guest)
		config_msg_add(&m, " in [hypervisor]");
	for (k = 0; k < K_COUNT; k++) {
		unsigned d = edit_distance(key, config_keys[k].name);

		if (span_is(key, config_keys[k].name)) {
			config_msg_add(&m, " (it belongs in [%s])", in_guest ? "hypervisor" : "guest");
			best = K_COUNT;
			break;
		}
		if (config_keys[k].guest == in_guest && d < best_d && d < key.n) {
			best = k;
			best_d = d;
		}
	}
	if (best < K_COUNT)
		config_msg_add(&m, " (did you mean \"%s\"?)", config_keys[best].name);
	config_emit(p, &m);
	return -1;
}

/*
 * Find the value in `rest` (what follows the "=") into p->val: quoted, up to
 * the closing quote, or bare, up to a '#' or the end. False once reported.
 */
static bool read_value(struct config_parser *p, struct span rest)
{
	const char *name = config_keys[p->key].name;
	size_t q;

	if (rest.n && rest.s[0] == '"') {
		rest.s++;
		rest.n--;
		q = span_find(rest, '"');
		if (q == rest.n) {
			config_problem(p, p->line, "%s: unterminated quote, add a closing \" "
				       "at the end of the value", name);
			return false;
		}
		p->val = (struct span){ rest.s, q };
		rest = span_trim((struct span){ rest.s + q + 1, rest.n - q - 1 });
		if (rest.n && rest.s[0] != '#')
			return config_bad_value(p, "unexpected text after the closing quote");
		return true;
	}
	p->val = span_trim((struct span){ rest.s, span_find(rest, '#') });
	if (!p->val.n) {
		config_problem(p, p->line, "%s: no value after \"=\"", name);
		return false;
	}
	return true;
}

static void parse_line(struct config_parser *p, struct span l)
{
	struct span key, rest;
	size_t k = 0;
	int id;

	l = span_trim(l);
	if (!l.n || l.s[0] == '#')
		return;
	if (l.s[0] == '[') {
		parse_header(p, l);
		return;
	}
	while (k < l.n && l.s[k] != '=' && !span_space(l.s[k]))
		k++;
	key = (struct span){ l.s, k };
	rest = span_trim((struct span){ l.s + k, l.n - k });
	if (!k || !rest.n || rest.s[0] != '=') {
		if (p->sec != SEC_SKIP)
			config_problem(p, p->line, "line is not \"key = value\" or \"[section]\"");
		return;
	}
	if (p->sec == SEC_SKIP)
		return;
	if (p->sec == SEC_NONE) {
		struct config_msg m;

		config_msg_start(p, &m, p->line);
		config_msg_add(&m, "key ");
		config_msg_add_value(&m, key);
		config_msg_add(&m, " is outside any section; put it under [hypervisor] or [guest]");
		config_emit(p, &m);
		return;
	}
	id = lookup_key(p, key);
	if (id < 0)
		return;
	p->key = (enum config_key)id;
	if (p->key_line[id] && id != K_DISK && id != K_NET) { /* one line per device */
		config_problem(p, p->line, "duplicate key \"%s\" (first set at line %u)",
			       config_keys[id].name, p->key_line[id]);
		return;
	}
	/* Seen from here on, even if bad: it is not also "missing". */
	p->key_line[id] = p->line;
	if (!read_value(p, span_trim((struct span){ rest.s + 1, rest.n - 1 })) ||
	    !config_keys[id].set(p))
		p->key_bad |= 1u << id;
}

/* gdb = NAME must name a guest that will run; a guest skipped for its
 * own errors has been reported already, this says what it means here. */
static void check_gdb_guest(struct config_parser *p)
{
	struct shale_config *out = p->out;

	if (!out->gdb_guest[0])
		return;
	if (out->console_port == 0x2f8) {
		config_problem(p, out->gdb_line, "gdb \"%s\": the GDB stub uses COM2 (0x2f8), "
			       "which is the console here; move the console (console = 0x3f8)",
			       out->gdb_guest);
		out->gdb_guest[0] = '\0';
		return;
	}
	for (unsigned i = 0; i < out->n_guests; i++)
		if (!strcmp(out->guests[i].name, out->gdb_guest))
			return;
	config_problem(p, out->gdb_line, "gdb \"%s\": there is no valid guest of that name "
		       "(gdb names the [guest] to debug on COM2)", out->gdb_guest);
	out->gdb_guest[0] = '\0';
}

/* ------------------------------------------------------------ entry points */

int config_parse(const char *text, size_t len, const char *filename,
		 struct shale_config *out, config_report_fn report, void *ctx)
{
	struct config_parser p;
	size_t pos = 0, end, n;

	memset(&p, 0, sizeof(p));
	p.file = filename ? filename : "shale.cfg";
	p.report = report;
	p.ctx = ctx;
	p.out = out;
	memset(out, 0, sizeof(*out));
	out->log_level = LOG_INFO;
	out->console_port = 0x3f8;
	out->console_baud = CONFIG_UART_BASE_BAUD;
	out->timeslice_us = 10000;
	out->host_cpus = ~0ULL;
	if (!text)
		len = 0;
	/* Editors on Windows like to start a UTF-8 file with a byte order mark. */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		pos = 3;
	while (pos < len) {
		for (end = pos; end < len && text[end] != '\n'; end++)
			;
		n = end - pos;
		if (n && text[pos + n - 1] == '\r')
			n--;
		p.line++;
		parse_line(&p, (struct span){ text + pos, n });
		pos = end + 1;
	}
	finish_section(&p);
	config_disk_check_sharing(&p);
	config_net_check(&p);
	check_gdb_guest(&p);
	if (!p.guest_index) {
		struct config_msg m = { .len = 0 };

		config_msg_add(&m, "%s: no [guest] section, so there is nothing to run", p.file);
		config_emit(&p, &m);
	}
	return p.problems;
}
