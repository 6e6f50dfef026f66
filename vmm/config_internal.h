/* SPDX-License-Identifier: MIT */
/*
 * Shared between the two halves of the shale.cfg parser, and nothing else:
 * vmm/config.c reads lines and sections and words the messages,
 * vmm/config_values.c checks and stores each key's value.
 */
#ifndef SHALE_VMM_CONFIG_INTERNAL_H
#define SHALE_VMM_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/string.h"
#include "vmm/config.h"

#define CONFIG_MSG_MAX 512
#define CONFIG_SHOW_MAX 40 /* characters of a value quoted in a message */
#define CONFIG_UART_BASE_BAUD 115200 /* 1.8432 MHz / 16: baud = this / divisor */

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

enum config_section { SEC_NONE, SEC_HYPERVISOR, SEC_GUEST, SEC_SKIP };

enum config_key {
	K_LOG, K_CONSOLE, K_TIMESLICE, K_GDB, K_SELFTEST, K_HV_CPUS, K_OUTPUT,
	K_NAME, K_KERNEL, K_INITRD, K_CMDLINE, K_MEMORY, K_VCPUS, K_CPUS,
	K_MODE, K_LOAD, K_ENTRY, K_DEVICES, K_ON_POWEROFF, K_ON_REBOOT,
	K_ON_CRASH, K_AUTOSTART, K_WEIGHT, K_APICV, K_MODULES, K_DEBUG_EXIT_PORT, K_DISK,
	K_NET,
	K_COUNT
};

/* A piece of the config text: values are never copied until they are valid. */
struct span {
	const char *s;
	size_t n;
};

struct config_parser {
	const char *file;
	config_report_fn report;
	void *ctx;
	int problems;
	struct shale_config *out;
	struct guest_config *g; /* the guest being parsed: out->guests[n_guests] */
	enum config_section sec;
	unsigned line;
	unsigned guest_index; /* [guest] headers seen, for "guest #N" */
	bool guest_bad;
	unsigned key_line[K_COUNT]; /* where each key was set; 0 = not yet */
	uint32_t key_bad;	    /* bit per key whose value was reported */
	enum config_key key;	    /* the key whose value is being checked */
	struct span val;
};

struct config_msg {
	char buf[CONFIG_MSG_MAX];
	size_t len;
};

/* Checks p->val for key p->key and stores it; false once it has reported. */
typedef bool (*config_setter_fn)(struct config_parser *p);

struct config_key_def {
	const char *name;
	bool guest; /* belongs in [guest], else in [hypervisor] */
	config_setter_fn set;
};

extern const struct config_key_def config_keys[K_COUNT];

/* disk = FILE, ro|rw (config_disk.c): the key may repeat, up to
 * CONFIG_MAX_DISKS times. */
/* The characters of a name (a guest's, a switch's): letters, digits, '_'
 * and '-'; of a file name, those and '.' and '/'. */
bool config_name_char(char c);
bool config_path_char(char c);

bool config_set_disk(struct config_parser *p);
/* At the end of a guest section: disks need the PC's PCI bus. */
void config_disk_finish_guest(struct config_parser *p);
/* After the whole file: a rw image belongs to one guest; a later guest
 * that names it too is reported and dropped. */
void config_disk_check_sharing(struct config_parser *p);

/* net = SWITCH [, mac=...] (config_net.c): the key may repeat, up to
 * CONFIG_MAX_NICS times. */
bool config_set_net(struct config_parser *p);
/* At the end of a guest section: network devices need the PC's PCI bus. */
void config_net_finish_guest(struct config_parser *p);
/* After the whole file: every address on a switch is its own; a later
 * guest that gives one already given is reported and dropped. Then the
 * addresses not given are made. */
void config_net_check(struct config_parser *p);

/* Messages (config.c). A message starts "FILE:LINE: " plus, inside a guest
 * section, the guest; config_emit counts it and marks that guest bad. */
void config_msg_start(struct config_parser *p, struct config_msg *m, unsigned line);
void config_msg_add(struct config_msg *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void config_msg_add_value(struct config_msg *m, struct span v);
void config_emit(struct config_parser *p, struct config_msg *m);
void config_problem(struct config_parser *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* '... KEY "VALUE": ' for the value being checked. */
void config_value_start(struct config_parser *p, struct config_msg *m);
/* Reports what is wrong with the current value; returns false for setters. */
bool config_bad_value(struct config_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline bool span_space(char c)
{
	return c == ' ' || c == '\t';
}

static inline struct span span_trim(struct span sp)
{
	while (sp.n && span_space(sp.s[0])) {
		sp.s++;
		sp.n--;
	}
	while (sp.n && span_space(sp.s[sp.n - 1]))
		sp.n--;
	return sp;
}

/* Offset of the first c in sp, or sp.n. */
static inline size_t span_find(struct span sp, char c)
{
	size_t i = 0;

	while (i < sp.n && sp.s[i] != c)
		i++;
	return i;
}

static inline bool span_is(struct span sp, const char *word)
{
	return strlen(word) == sp.n && !memcmp(sp.s, word, sp.n);
}

#endif
