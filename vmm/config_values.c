/* SPDX-License-Identifier: MIT */
/*
 * The values of shale.cfg: one setter per key, which checks the value where
 * it enters and stores it in the guest (or hypervisor) being parsed. Only
 * load and entry are checked later, in config.c, since they depend on memory
 * and mode. The line and section handling is in config.c.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "vmm/config.h"
#include "vmm/config_internal.h"

#define KIB (1ULL << 10)
#define MIB (1ULL << 20)
#define GIB (1ULL << 30)
#define MEMORY_MAX (512 * GIB)

/* The config-file spelling of each enum, in enum order. */
static const char *const log_names[] = { "error", "warn", "info", "debug" };
/* In enum console_output's order. */
static const char *const output_names[] = { "both", "serial", "screen" };
static const char *const mode_names[] = { "long", "real", "linux", "multiboot" };
static const char *const action_names[] = { "destroy", "restart", "preserve" };
/* Index & 1 is the truth value. */
static const char *const bool_names[] = { "no", "yes", "false", "true", "0", "1" };
static const char *const switch_names[] = { "off", "on" };

static bool set_log(struct config_parser *p);
static bool set_console(struct config_parser *p);
static bool set_output(struct config_parser *p);
static bool set_timeslice(struct config_parser *p);
static bool set_gdb(struct config_parser *p);
static bool set_selftest(struct config_parser *p);
static bool set_name(struct config_parser *p);
static bool set_path(struct config_parser *p);
static bool set_cmdline(struct config_parser *p);
static bool set_memory(struct config_parser *p);
static bool set_number(struct config_parser *p);
static bool set_cpus(struct config_parser *p);
static bool set_word(struct config_parser *p);
static bool set_address(struct config_parser *p);
static bool set_devices(struct config_parser *p);
static bool set_modules(struct config_parser *p);
static bool set_port(struct config_parser *p);

/* Every key, the section it belongs in, and its setter. */
const struct config_key_def config_keys[K_COUNT] = {
	[K_LOG] = { "log", false, set_log },
	[K_CONSOLE] = { "console", false, set_console },
	[K_TIMESLICE] = { "timeslice", false, set_timeslice },
	[K_GDB] = { "gdb", false, set_gdb },
	[K_SELFTEST] = { "selftest", false, set_selftest },
	[K_HV_CPUS] = { "cpus", false, set_cpus },
	[K_OUTPUT] = { "output", false, set_output },
	[K_NAME] = { "name", true, set_name },
	[K_KERNEL] = { "kernel", true, set_path },
	[K_INITRD] = { "initrd", true, set_path },
	[K_CMDLINE] = { "cmdline", true, set_cmdline },
	[K_MEMORY] = { "memory", true, set_memory },
	[K_VCPUS] = { "vcpus", true, set_number },
	[K_CPUS] = { "cpus", true, set_cpus },
	[K_MODE] = { "mode", true, set_word },
	[K_LOAD] = { "load", true, set_address },
	[K_ENTRY] = { "entry", true, set_address },
	[K_DEVICES] = { "devices", true, set_devices },
	[K_ON_POWEROFF] = { "on_poweroff", true, set_word },
	[K_ON_REBOOT] = { "on_reboot", true, set_word },
	[K_ON_CRASH] = { "on_crash", true, set_word },
	[K_AUTOSTART] = { "autostart", true, set_word },
	[K_WEIGHT] = { "weight", true, set_number },
	[K_APICV] = { "apicv", true, set_word },
	[K_MODULES] = { "modules", true, set_modules },
	[K_DEBUG_EXIT_PORT] = { "debug_exit_port", true, set_port },
	[K_DISK] = { "disk", true, config_set_disk },
	[K_NET] = { "net", true, config_set_net },
};

/*
 * Take the next `sep`-separated item (trimmed) off the front of *rest. Returns
 * false once the last item has been taken, so "a," yields "a" and "" -- an
 * empty item is a mistake the caller must see.
 */
static bool split_next(struct span *rest, char sep, struct span *item)
{
	size_t i;

	if (!rest->s)
		return false;
	i = span_find(*rest, sep);
	*item = span_trim((struct span){ rest->s, i });
	if (i < rest->n) {
		rest->s += i + 1;
		rest->n -= i + 1;
	} else {
		rest->s = NULL;
	}
	return true;
}

/* All of sp as a decimal or 0x-hex number; false on junk or overflow. */
static bool span_u64(struct span sp, uint64_t *out)
{
	return parse_u64(sp.s, sp.n, out);
}

/* A number with an optional K/M/G suffix (powers of 1024). */
static bool parse_size(struct span sp, uint64_t *out)
{
	uint64_t mul = 1, v;

	if (sp.n) {
		switch (sp.s[sp.n - 1]) {
		case 'K': case 'k': mul = KIB; break;
		case 'M': case 'm': mul = MIB; break;
		case 'G': case 'g': mul = GIB; break;
		}
	}
	if (mul != 1)
		sp.n--;
	if (!span_u64(sp, &v) || v > UINT64_MAX / mul)
		return false;
	*out = v * mul;
	return true;
}

char *config_format_size(uint64_t bytes, char *buf, size_t size)
{
	static const char suffix[] = "GMK";
	static const uint64_t unit[] = { GIB, MIB, KIB };
	unsigned i = 0;

	for (i = 0; i < 3; i++) {
		if (bytes && bytes % unit[i] == 0) {
			ksnprintf(buf, size, "%llu%c",
				  (unsigned long long)(bytes / unit[i]), suffix[i]);
			return buf;
		}
	}
	ksnprintf(buf, size, "%llu", (unsigned long long)bytes);
	return buf;
}

/* ------------------------------------------------------------ value setters */

/* One of `words`; on a mismatch the message lists them all. */
static bool value_word(struct config_parser *p, const char *const *words, unsigned n,
		       unsigned *out)
{
	struct config_msg m;
	unsigned i = 0;

	for (i = 0; i < n; i++) {
		if (span_is(p->val, words[i])) {
			*out = i;
			return true;
		}
	}
	config_value_start(p, &m);
	config_msg_add(&m, "expected ");
	for (i = 0; i < n; i++)
		config_msg_add(&m, "%s%s", i == 0 ? "" : i + 1 < n ? ", " : " or ", words[i]);
	config_emit(p, &m);
	return false;
}

static bool value_number(struct config_parser *p, uint64_t lo, uint64_t hi, uint64_t *out)
{
	uint64_t v = 0;

	if (!span_u64(p->val, &v))
		return config_bad_value(p, "expected a number from %llu to %llu",
				 (unsigned long long)lo, (unsigned long long)hi);
	if (v < lo || v > hi)
		return config_bad_value(p, "out of range, allowed %llu..%llu",
				 (unsigned long long)lo, (unsigned long long)hi);
	*out = v;
	return true;
}

/* 1..max characters, each accepted by ok(); `allowed` says which in words. */
static bool value_chars(struct config_parser *p, size_t max, bool (*ok)(char),
			const char *allowed)
{
	size_t i;

	if (!p->val.n)
		return config_bad_value(p, "must not be empty");
	if (p->val.n > max)
		return config_bad_value(p, "%zu characters, the limit is %zu", p->val.n, max);
	for (i = 0; i < p->val.n; i++) {
		unsigned char c = (unsigned char)p->val.s[i];

		if (ok((char)c))
			continue;
		if (c < 0x20 || c >= 0x7f)
			return config_bad_value(p, "character 0x%02x is not allowed, use only %s",
					 c, allowed);
		return config_bad_value(p, "'%c' is not allowed, use only %s", c, allowed);
	}
	return true;
}

static void copy_value(struct config_parser *p, char *dst)
{
	memcpy(dst, p->val.s, p->val.n);
	dst[p->val.n] = '\0';
}

static bool set_log(struct config_parser *p)
{
	unsigned i = 0;

	if (!value_word(p, log_names, ARRAY_SIZE(log_names), &i))
		return false;
	p->out->log_level = (enum log_level)i;
	return true;
}

static bool set_console(struct config_parser *p)
{
	struct span rest = p->val, port_s, baud_s;
	uint64_t port, baud = CONFIG_UART_BASE_BAUD;

	split_next(&rest, ',', &port_s);
	if (!span_u64(port_s, &port) ||
	    (split_next(&rest, ',', &baud_s) && !span_u64(baud_s, &baud)) || rest.s)
		return config_bad_value(p, "expected \"PORT, BAUD\" like 0x3f8, 115200");
	if (port < 1 || port > 0xffff)
		return config_bad_value(p, "I/O port 0x%llx is out of range, allowed 0x1..0xffff",
				 (unsigned long long)port);
	if (baud < 1 || baud > CONFIG_UART_BASE_BAUD || CONFIG_UART_BASE_BAUD % baud)
		return config_bad_value(p, "baud rate %llu is not 115200 divided by a whole number "
				 "(try 115200, 57600, 38400, 19200 or 9600)",
				 (unsigned long long)baud);
	p->out->console_port = (uint16_t)port;
	p->out->console_baud = (uint32_t)baud;
	p->out->console_line = p->line;
	return true;
}

static bool set_output(struct config_parser *p)
{
	unsigned i = 0;

	if (!value_word(p, output_names, ARRAY_SIZE(output_names), &i))
		return false;
	p->out->output = (enum console_output)i;
	return true;
}

static bool set_timeslice(struct config_parser *p)
{
	struct span num = p->val;
	uint64_t v, mul;

	if (num.n > 2 && span_is((struct span){ num.s + num.n - 2, 2 }, "us")) {
		mul = 1;
		num.n -= 2;
	} else if (num.n > 2 && span_is((struct span){ num.s + num.n - 2, 2 }, "ms")) {
		mul = 1000;
		num.n -= 2;
	} else if (num.n > 1 && num.s[num.n - 1] == 's') {
		mul = 1000000;
		num.n -= 1;
	} else {
		return config_bad_value(p, "expected a time like 10ms or 500us");
	}
	if (!span_u64(span_trim(num), &v))
		return config_bad_value(p, "expected a time like 10ms or 500us");
	if (v > 1000000 || v * mul < 100 || v * mul > 1000000)
		return config_bad_value(p, "out of range, allowed 100us..1s");
	p->out->timeslice_us = (uint32_t)(v * mul);
	return true;
}

bool config_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool config_path_char(char c)
{
	return config_name_char(c) || c == '.' || c == '/';
}

/* The guest that GDB debugs through COM2. Whether a guest of that name
 * exists is known only at the end of the file (config.c checks it). */
static bool set_gdb(struct config_parser *p)
{
	if (!value_chars(p, CONFIG_NAME_MAX - 1, config_name_char,
			 "letters, digits, '_' and '-' (a guest's name)"))
		return false;
	copy_value(p, p->out->gdb_guest);
	p->out->gdb_line = p->line;
	return true;
}

/* Whether the test device's fault-injection port works: off unless asked
 * for, since with it any guest with the test device can halt Shale. */
static bool set_selftest(struct config_parser *p)
{
	unsigned i = 0;

	if (!value_word(p, switch_names, ARRAY_SIZE(switch_names), &i))
		return false;
	p->out->selftest = i;
	return true;
}

static bool set_name(struct config_parser *p)
{
	struct shale_config *out = p->out;
	unsigned i = 0;

	if (!value_chars(p, CONFIG_NAME_MAX - 1, config_name_char,
			 "letters, digits, '_' and '-'"))
		return false;
	/* Named from here on, even if the name clashes: the clash message
	 * reads best with the name in front. */
	copy_value(p, p->g->name);
	for (i = 0; i < out->n_guests; i++) {
		if (!strcmp(out->guests[i].name, p->g->name)) {
			config_problem(p, p->line, "name \"%s\" is already used by the guest at line %u",
				p->g->name, out->guests[i].line);
			return false;
		}
	}
	return true;
}

/* kernel and initrd: a file name on the config partition. */
static bool set_path(struct config_parser *p)
{
	struct guest_config *g = p->g;

	if (p->key == K_INITRD && !p->val.n) /* initrd = "" says "none" */
		return true;
	if (!value_chars(p, CONFIG_PATH_MAX - 1, config_path_char,
			 "letters, digits and . _ / - in file names"))
		return false;
	if (p->key == K_KERNEL) {
		copy_value(p, g->kernel);
		g->kernel_line = p->line;
	} else {
		copy_value(p, g->initrd);
		g->initrd_line = p->line;
	}
	return true;
}

/* modules = FILE [ARGS], FILE [ARGS]: Multiboot modules, each kept as its
 * trimmed "FILE ARGS" text, which is also the module's string for the
 * kernel. */
static bool set_modules(struct config_parser *p)
{
	struct guest_config *g = p->g;
	struct span rest = p->val, item;
	size_t used = 0, f;
	unsigned n = 0;

	if (!p->val.n) /* modules = "" says "none" */
		rest.s = NULL;
	while (split_next(&rest, ',', &item)) {
		if (!item.n)
			return config_bad_value(p, "module #%u is empty (expected FILE [ARGS], FILE [ARGS])",
						n + 1);
		if (n == CONFIG_MAX_MODULES)
			return config_bad_value(p, "more than %d modules", CONFIG_MAX_MODULES);
		for (f = 0; f < item.n && item.s[f] != ' ' && item.s[f] != '\t'; f++)
			if (!config_path_char(item.s[f]))
				return config_bad_value(p, "module #%u: '%c' is not allowed in a file name, use only letters, digits and . _ / -",
							n + 1, item.s[f]);
		if (f > CONFIG_PATH_MAX - 1)
			return config_bad_value(p, "module #%u: a file name of %zu characters, the limit is %d",
						n + 1, f, CONFIG_PATH_MAX - 1);
		for (size_t i = f; i < item.n; i++) {
			unsigned char c = (unsigned char)item.s[i];

			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return config_bad_value(p, "control character 0x%02x is not allowed", c);
		}
		if (used + item.n + 1 > sizeof(g->modules))
			return config_bad_value(p, "longer than %zu characters", sizeof(g->modules) - 1);
		memcpy(g->modules + used, item.s, item.n);
		g->modules[used + item.n] = '\0';
		used += item.n + 1;
		n++;
	}
	g->n_modules = n;
	g->modules_line = p->line;
	return true;
}

const char *config_module(const struct guest_config *g, unsigned i)
{
	const char *s = g->modules;

	if (i >= g->n_modules)
		return "";
	while (i--)
		s += strlen(s) + 1;
	return s;
}

void config_module_file(const char *module, char file[CONFIG_PATH_MAX])
{
	size_t n = 0;

	while (module[n] && module[n] != ' ' && module[n] != '\t' &&
	       n < CONFIG_PATH_MAX - 1)
		n++;
	memcpy(file, module, n);
	file[n] = '\0';
}

static bool set_cmdline(struct config_parser *p)
{
	size_t i;

	if (p->val.n > CONFIG_CMDLINE_MAX - 1)
		return config_bad_value(p, "%zu characters, the limit is %d", p->val.n,
				 CONFIG_CMDLINE_MAX - 1);
	for (i = 0; i < p->val.n; i++) {
		unsigned char c = (unsigned char)p->val.s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return config_bad_value(p, "control character 0x%02x is not allowed", c);
	}
	copy_value(p, p->g->cmdline);
	return true;
}

static bool set_memory(struct config_parser *p)
{
	uint64_t v = 0;

	if (!parse_size(p->val, &v))
		return config_bad_value(p, "expected a size like 256M");
	if (v < MIB || v > MEMORY_MAX)
		return config_bad_value(p, "out of range, allowed 1M..512G");
	if (v % MIB)
		return config_bad_value(p, "not a multiple of 1M (it lies between %lluM and %lluM)",
				 (unsigned long long)(v / MIB),
				 (unsigned long long)(v / MIB + 1));
	p->g->memory = v;
	return true;
}

/* vcpus and weight. */
static bool set_number(struct config_parser *p)
{
	uint64_t v = 0;

	if (p->key == K_VCPUS) {
		if (!value_number(p, 1, CONFIG_MAX_VCPUS, &v))
			return false;
		p->g->vcpus = (uint32_t)v;
	} else {
		if (!value_number(p, 1, 65535, &v))
			return false;
		p->g->weight = (uint32_t)v;
	}
	return true;
}

/* A guest's cpus (its pinning) and the hypervisor's (the host CPUs Shale
 * takes): "all" or a list of numbers and ranges. */
static bool set_cpus(struct config_parser *p)
{
	struct span rest = p->val, item;
	uint64_t mask = 0, lo, hi, c;

	if (span_is(p->val, "all")) {
		mask = ~0ULL;
		goto store;
	}
	while (split_next(&rest, ',', &item)) {
		size_t dash = span_find(item, '-');

		if (!span_u64((struct span){ item.s, dash }, &lo))
			return config_bad_value(p, "expected \"all\" or a list like 0,2-3");
		hi = lo;
		if (dash < item.n &&
		    !span_u64((struct span){ item.s + dash + 1, item.n - dash - 1 }, &hi))
			return config_bad_value(p, "expected \"all\" or a list like 0,2-3");
		if (hi >= CONFIG_MAX_HOST_CPUS)
			return config_bad_value(p, "CPU %llu is out of range, allowed 0..%d",
					 (unsigned long long)hi, CONFIG_MAX_HOST_CPUS - 1);
		if (lo > hi)
			return config_bad_value(p, "range %llu-%llu is backwards",
					 (unsigned long long)lo, (unsigned long long)hi);
		for (c = lo; c <= hi; c++)
			mask |= 1ULL << c;
	}
store:
	if (p->key == K_CPUS) {
		p->g->cpus = mask;
		p->g->cpus_line = p->line;
		return true;
	}
	/* CPU 0 is the one the firmware started Shale on: it cannot be
	 * given away. */
	if (!(mask & 1))
		return config_bad_value(p, "CPU 0, the boot CPU, always runs Shale; the list must include it");
	p->out->host_cpus = mask;
	p->out->host_cpus_line = p->line;
	return true;
}

/* mode, on_*, autostart, apicv: a fixed set of words. */
static bool set_word(struct config_parser *p)
{
	struct guest_config *g = p->g;
	unsigned i = 0;

	switch (p->key) {
	case K_MODE:
		if (!value_word(p, mode_names, ARRAY_SIZE(mode_names), &i))
			return false;
		g->mode = (enum guest_mode)i;
		return true;
	case K_AUTOSTART:
		if (!value_word(p, bool_names, ARRAY_SIZE(bool_names), &i))
			return false;
		g->autostart = i & 1;
		return true;
	case K_APICV:
		if (!value_word(p, switch_names, ARRAY_SIZE(switch_names), &i))
			return false;
		g->apicv = i;
		return true;
	default:
		if (!value_word(p, action_names, ARRAY_SIZE(action_names), &i))
			return false;
		if (p->key == K_ON_POWEROFF)
			g->on_poweroff = (enum lifecycle_action)i;
		else if (p->key == K_ON_REBOOT)
			g->on_reboot = (enum lifecycle_action)i;
		else
			g->on_crash = (enum lifecycle_action)i;
		return true;
	}
}

/* load and entry: checked against memory and mode when the section ends. */
static bool set_address(struct config_parser *p)
{
	uint64_t v = 0;

	if (!span_u64(p->val, &v))
		return config_bad_value(p, "expected an address like 0x100000");
	if (p->key == K_LOAD)
		p->g->load = v;
	else
		p->g->entry = v;
	return true;
}

/* The names `devices` takes; "none" stands alone. */
static const struct {
	const char *name;
	uint32_t bit;
} device_names[] = {
	{ "none", 0 },
	{ "testdev", GUEST_DEV_TESTDEV },
	{ "uart", GUEST_DEV_UART },
	{ "pc", GUEST_DEV_PC },
	{ "isa-debug-exit", GUEST_DEV_DEBUG_EXIT },
	{ "debugcon", GUEST_DEV_DEBUGCON },
	{ "fw_cfg", GUEST_DEV_FW_CFG },
	{ "virtio-rng", GUEST_DEV_VIRTIO_RNG },
	{ "virtio-console", GUEST_DEV_VIRTIO_CONSOLE },
};

static bool device_bit(struct span item, uint32_t *bit)
{
	for (size_t i = 0; i < ARRAY_SIZE(device_names); i++) {
		if (span_is(item, device_names[i].name)) {
			*bit = device_names[i].bit;
			return true;
		}
	}
	return false;
}

static bool set_devices(struct config_parser *p)
{
	struct span rest = p->val, item;
	uint32_t devs = 0, bit;

	while (split_next(&rest, ',', &item)) {
		if (!device_bit(item, &bit)) {
			struct config_msg m;

			config_value_start(p, &m);
			config_msg_add(&m, "unknown device ");
			config_msg_add_value(&m, item);
			config_msg_add(&m, ", expected testdev, uart, pc, isa-debug-exit, "
					   "debugcon, fw_cfg, virtio-rng, virtio-console or none");
			config_emit(p, &m);
			return false;
		}
		if (devs & bit)
			return config_bad_value(p, "\"%.*s\" is listed twice", (int)item.n, item.s);
		if (!bit && p->val.n != item.n)
			return config_bad_value(p, "\"none\" cannot be combined with other devices");
		devs |= bit;
	}
	/* COM1 is one of the PC's devices: one UART, not two claims on 0x3f8. */
	if ((devs & GUEST_DEV_PC) && (devs & GUEST_DEV_UART))
		return config_bad_value(p, "\"uart\" is part of \"pc\" (its COM1); list only \"pc\"");
	p->g->devices = devs;
	return true;
}

/* isa-debug-exit takes 4 ports from here, as QEMU's iosize=4. */
static bool set_port(struct config_parser *p)
{
	uint64_t v = 0;

	if (!span_u64(p->val, &v) || v > 0xfffc)
		return config_bad_value(p, "expected an I/O port from 0x0 to 0xfffc, like 0xf4 "
					   "(it takes 4 ports)");
	p->g->debug_exit_port = (uint16_t)v;
	return true;
}

static const char *name_of(const char *const *names, size_t n, unsigned i)
{
	return i < n ? names[i] : "?";
}

const char *config_action_name(enum lifecycle_action a)
{
	return name_of(action_names, ARRAY_SIZE(action_names), a);
}

const char *config_log_level_name(enum log_level l)
{
	return name_of(log_names, ARRAY_SIZE(log_names), l);
}

const char *config_mode_name(enum guest_mode m)
{
	return name_of(mode_names, ARRAY_SIZE(mode_names), m);
}
