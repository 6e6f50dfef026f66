/* SPDX-License-Identifier: MIT */
/*
 * shale.cfg: the configuration the hypervisor reads from its config
 * partition at boot (format and every message: docs/config.md).
 *
 * The parser is pure and freestanding so that the hypervisor, the host
 * checker (tools/shale-cfgcheck) and the unit tests share one definition of
 * "valid". It never stops at the first problem: it reports each one through
 * a callback and keeps every guest section that had none.
 */
#ifndef SHALE_VMM_CONFIG_H
#define SHALE_VMM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_MAX_GUESTS 16
#define CONFIG_NAME_MAX 32 /* including NUL */
#define CONFIG_PATH_MAX 128
#define CONFIG_CMDLINE_MAX 1024
#define CONFIG_MAX_VCPUS 64
#define CONFIG_MAX_HOST_CPUS 64 /* bits in guest_config.cpus */
#define CONFIG_MAX_MODULES 8 /* Multiboot modules of one guest */
#define CONFIG_MAX_DISKS 4 /* virtio-blk disks of one guest (vmm/config_disk.c) */
#define CONFIG_MAX_NICS 2 /* virtio-net devices of one guest (vmm/config_net.c) */
#define CONFIG_SWITCH_NAME_MAX 16 /* including NUL */
#define CONFIG_SWITCH_MAX_PORTS 16 /* guests' devices on one switch */

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };
/* output = both | serial | screen; both (0) is the default, and means the
 * serial port alone where there is no screen. */
enum console_output { OUTPUT_BOTH, OUTPUT_SERIAL, OUTPUT_SCREEN };
enum guest_mode { GUEST_MODE_LONG, GUEST_MODE_REAL, GUEST_MODE_LINUX, GUEST_MODE_MULTIBOOT };
enum lifecycle_action { ACTION_DESTROY, ACTION_RESTART, ACTION_PRESERVE };

#define GUEST_DEV_TESTDEV (1u << 0)
#define GUEST_DEV_UART (1u << 1)
/* The PC of a mode = linux guest (docs/devices.md) for any guest. */
#define GUEST_DEV_PC (1u << 2)
/* QEMU's debug devices (vmm/vdev/debugport.h, vmm/vdev/fw_cfg.h). */
#define GUEST_DEV_DEBUG_EXIT (1u << 3)
#define GUEST_DEV_DEBUGCON (1u << 4)
#define GUEST_DEV_FW_CFG (1u << 5)
/* A virtio entropy source on the PC's PCI bus (vmm/vdev/virtio_rng.h). */
#define GUEST_DEV_VIRTIO_RNG (1u << 6)
/* The guest's hvc0 on the console (vmm/vdev/virtio_console.h). */
#define GUEST_DEV_VIRTIO_CONSOLE (1u << 8)

/* Where the PC's ACPI tables go (one page; vmm/pc.h): an image with the
 * PC devices must leave it alone. */
#define CONFIG_PC_TABLES_GPA 0xe0000ULL
#define CONFIG_PC_TABLES_SIZE 0x1000ULL

/* disk = FILE, ro|rw: an image on the config partition, read into memory
 * at boot; a rw disk's writes stay there until the machine stops. */
struct guest_disk {
	char file[CONFIG_PATH_MAX];
	bool rw;
	unsigned line;
};

/* net = SWITCH [, mac=XX:XX:XX:XX:XX:XX]: a virtio-net device, a port of
 * the switch of that name inside Shale. Without mac=, the address is made
 * from the guest's name (config_net.c); every address on a switch is
 * its own. */
struct guest_nic {
	char sw[CONFIG_SWITCH_NAME_MAX];
	uint8_t mac[6];
	bool mac_given;
	unsigned line;
};

struct guest_config {
	char name[CONFIG_NAME_MAX];
	char kernel[CONFIG_PATH_MAX];
	char initrd[CONFIG_PATH_MAX]; /* "" if none */
	char cmdline[CONFIG_CMDLINE_MAX];
	/* mode = multiboot: "FILE ARGS" of each module, one after another,
	 * each NUL-terminated (config_module()). */
	char modules[CONFIG_CMDLINE_MAX];
	unsigned n_modules;
	uint64_t memory; /* bytes */
	uint32_t vcpus;
	uint64_t cpus; /* pinning bitmask */
	unsigned cpus_line; /* where cpus was set, 0 for the default */
	enum guest_mode mode;
	uint64_t load;
	uint64_t entry;
	uint32_t devices; /* GUEST_DEV_* */
	uint16_t debug_exit_port; /* isa-debug-exit's first port (of 4) */
	enum lifecycle_action on_poweroff, on_reboot, on_crash;
	bool autostart;
	bool apicv; /* VMX APIC virtualization where the CPU has it */
	uint32_t weight;
	unsigned line; /* line of its [guest] header */
	/* Lines of the kernel/initrd keys (0 if absent), so that whoever opens
	 * the files can point at the line to fix when one is missing. */
	unsigned kernel_line, initrd_line, modules_line;
	/* Its disks, vda first, in the order of their `disk` lines. */
	unsigned n_disks;
	struct guest_disk disks[CONFIG_MAX_DISKS];
	/* Its network devices, eth0 first, in the order of their `net` lines. */
	unsigned n_nics;
	struct guest_nic nics[CONFIG_MAX_NICS];
};

struct shale_config {
	enum log_level log_level;
	uint16_t console_port;
	uint32_t console_baud;
	unsigned console_line; /* line of `console =`, 0 if absent: then the SPCR may choose */
	enum console_output output; /* where the log goes after ExitBootServices */
	uint32_t timeslice_us;
	char gdb_guest[CONFIG_NAME_MAX]; /* "" = no GDB stub */
	unsigned gdb_line;
	/* The test device may break Shale on a guest's request
	 * (arch/x86/selftest.c): for Shale's own tests only. */
	bool selftest;
	/* The host CPUs Shale takes, by number (0 = the boot CPU, always in;
	 * the others in the MADT's order, arch/x86/smp.c). CPUs the machine
	 * turns out not to have are named in a warning at boot. */
	uint64_t host_cpus;
	unsigned host_cpus_line;
	unsigned n_guests; /* valid guests only */
	struct guest_config guests[CONFIG_MAX_GUESTS];
};

/* Called once per problem, with a complete message (no trailing newline). */
typedef void (*config_report_fn)(void *ctx, const char *msg);

/*
 * Parse text[0..len) (need not be NUL-terminated; may contain \r\n line
 * ends) named `filename` in messages. Fills *out with defaults then the valid
 * sections. A guest section with any error is skipped entirely (reported),
 * the others are kept. `report` may be NULL. Returns the number of problems
 * reported (0 = clean).
 */
int config_parse(const char *text, size_t len, const char *filename,
		 struct shale_config *out, config_report_fn report, void *ctx);

/* Module i of g as "FILE ARGS" (i < g->n_modules), and its file name alone
 * copied into file[CONFIG_PATH_MAX]. */
const char *config_module(const struct guest_config *g, unsigned i);
void config_module_file(const char *module, char file[CONFIG_PATH_MAX]);

/* The config-file spelling of each value; "?" for one out of range. */
const char *config_action_name(enum lifecycle_action a);
const char *config_log_level_name(enum log_level l);
const char *config_mode_name(enum guest_mode m);

/*
 * Write `bytes` the way the config file would: "16M", "2G", "640K", or a
 * plain byte count when no suffix divides it. Returns buf.
 */
char *config_format_size(uint64_t bytes, char *buf, size_t size);

#endif
