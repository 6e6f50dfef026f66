/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the shale.cfg parser (vmm/config.c, vmm/config_values.c):
 * what a good file gives: values, defaults, the syntax. The harness is in config_harness.h.
 */
#include "tests/unit/config_harness.h"

static void test_full_config(void **state)
{
	static const char text[] =
		"# Shale test config\n"
		"[hypervisor]\n"
		"log = debug\n"
		"console = 0x2f8, 57600\n"
		"timeslice = 500us\n"
		"\n"
		"[guest]\n"
		"name = linux-1\n"
		"kernel = images/bzImage\n"
		"initrd = images/initrd.gz\n"
		"cmdline = \"console=ttyS0 quiet\"\n"
		"memory = 2G\n"
		"vcpus = 4\n"
		"cpus = 0,2-3\n"
		"mode = long\n"
		"load = 0x200000\n"
		"entry = 0x200400\n"
		"devices = testdev, uart\n"
		"on_poweroff = preserve\n"
		"on_reboot = destroy\n"
		"on_crash = restart\n"
		"autostart = no\n"
		"weight = 1024\n"
		"\n"
		"[guest]\n"
		"name = boot_16\n"
		"kernel = boot.bin\n"
		"initrd = \"\"\n"
		"cmdline = quiet\n"
		"memory = 0x100000\n"
		"vcpus = 1\n"
		"cpus = all\n"
		"mode = real\n"
		"load = 0x7c00\n"
		"devices = none\n"
		"on_poweroff = restart\n"
		"on_reboot = preserve\n"
		"on_crash = preserve\n"
		"autostart = true\n"
		"weight = 1\n";
	const struct guest_config *g;

	(void)state;
	expect_clean(text);
	assert_int_equal(cfg.log_level, LOG_DEBUG);
	assert_int_equal(cfg.console_port, 0x2f8);
	assert_int_equal(cfg.console_baud, 57600);
	assert_int_equal(cfg.timeslice_us, 500);
	assert_int_equal(cfg.n_guests, 2);

	g = &cfg.guests[0];
	assert_string_equal(g->name, "linux-1");
	assert_string_equal(g->kernel, "images/bzImage");
	assert_string_equal(g->initrd, "images/initrd.gz");
	assert_string_equal(g->cmdline, "console=ttyS0 quiet");
	assert_int_equal(g->memory, 2 * GIB);
	assert_int_equal(g->vcpus, 4);
	assert_int_equal(g->cpus, 0xd);
	assert_int_equal(g->mode, GUEST_MODE_LONG);
	assert_int_equal(g->load, 0x200000);
	assert_int_equal(g->entry, 0x200400);
	assert_int_equal(g->devices, GUEST_DEV_TESTDEV | GUEST_DEV_UART);
	assert_int_equal(g->on_poweroff, ACTION_PRESERVE);
	assert_int_equal(g->on_reboot, ACTION_DESTROY);
	assert_int_equal(g->on_crash, ACTION_RESTART);
	assert_false(g->autostart);
	assert_int_equal(g->weight, 1024);
	assert_int_equal(g->line, 7);
	assert_int_equal(g->kernel_line, 9);
	assert_int_equal(g->initrd_line, 10);

	g = &cfg.guests[1];
	assert_string_equal(g->name, "boot_16");
	assert_string_equal(g->kernel, "boot.bin");
	assert_string_equal(g->initrd, "");
	assert_string_equal(g->cmdline, "quiet");
	assert_int_equal(g->memory, MIB);
	assert_int_equal(g->vcpus, 1);
	assert_int_equal(g->cpus, ~0ULL);
	assert_int_equal(g->mode, GUEST_MODE_REAL);
	assert_int_equal(g->load, 0x7c00);
	assert_int_equal(g->entry, 0x7c00);
	assert_int_equal(g->devices, 0);
	assert_int_equal(g->on_poweroff, ACTION_RESTART);
	assert_int_equal(g->on_reboot, ACTION_PRESERVE);
	assert_int_equal(g->on_crash, ACTION_PRESERVE);
	assert_true(g->autostart);
	assert_int_equal(g->weight, 1);
	assert_int_equal(g->line, 25);
	assert_int_equal(g->initrd_line, 0);
}

static void test_linux_mode(void **state)
{
	(void)state;
	expect_clean("[guest]\nname = l\nkernel = bzImage\nmemory = 256M\n"
		     "mode = linux\ncmdline = \"console=ttyS0 quiet\"\n");
	assert_int_equal(cfg.n_guests, 1);
	assert_int_equal(cfg.guests[0].mode, GUEST_MODE_LINUX);
	assert_string_equal(cfg.guests[0].cmdline, "console=ttyS0 quiet");
	expect("[guest]\nname = l\nkernel = bzImage\nmemory = 256M\nmode = linux\n"
	       "load = 0x100000\n",
	       "shale.cfg:6: guest \"l\": load 0x100000: not used with mode = linux "
	       "(the bzImage header says where the kernel goes)\n");
	assert_int_equal(cfg.n_guests, 0);
}

static void test_multiboot_mode(void **state)
{
	const struct guest_config *g = &cfg.guests[0];
	char file[CONFIG_PATH_MAX];

	(void)state;
	expect_clean("[guest]\nname = m\nkernel = mb.elf\nmemory = 16M\n"
		     "mode = multiboot\ncmdline = \"a=1 b\"\n"
		     "modules = one.bin  x=1  y , two.bin\n");
	assert_int_equal(cfg.n_guests, 1);
	assert_int_equal(g->mode, GUEST_MODE_MULTIBOOT);
	assert_string_equal(g->cmdline, "a=1 b");
	assert_int_equal(g->n_modules, 2);
	assert_int_equal(g->modules_line, 7);
	assert_string_equal(config_module(g, 0), "one.bin  x=1  y");
	assert_string_equal(config_module(g, 1), "two.bin");
	assert_string_equal(config_module(g, 2), "");
	config_module_file(config_module(g, 0), file);
	assert_string_equal(file, "one.bin");
	config_module_file(config_module(g, 1), file);
	assert_string_equal(file, "two.bin");
	assert_string_equal(config_mode_name(GUEST_MODE_MULTIBOOT), "multiboot");

	expect("[guest]\nname = m\nkernel = mb.elf\nmemory = 16M\nmode = multiboot\n"
	       "entry = 0x100000\n",
	       "shale.cfg:6: guest \"m\": entry 0x100000: not used with mode = multiboot "
	       "(the kernel starts at its ELF or Multiboot header entry point)\n");
	assert_int_equal(cfg.n_guests, 0);
	expect("[guest]\nname = m\nkernel = mb.elf\nmemory = 16M\nmode = multiboot\n"
	       "modules = a.bin, , b.bin\n",
	       "shale.cfg:6: guest \"m\": modules \"a.bin, , b.bin\": module #2 is empty "
	       "(expected FILE [ARGS], FILE [ARGS])\n");
	expect("[guest]\nname = m\nkernel = mb.elf\nmemory = 16M\nmode = multiboot\n"
	       "modules = a*b x\n",
	       "shale.cfg:6: guest \"m\": modules \"a*b x\": module #1: '*' is not "
	       "allowed in a file name, use only letters, digits and . _ / -\n");
	expect("[guest]\nname = m\nkernel = mb.elf\nmemory = 16M\nmode = multiboot\n"
	       "modules = 1,2,3,4,5,6,7,8,9\n",
	       "shale.cfg:6: guest \"m\": modules \"1,2,3,4,5,6,7,8,9\": more than 8 modules\n");
}

static void test_defaults(void **state)
{
	const struct guest_config *g = &cfg.guests[0];

	(void)state;
	expect_clean(GUEST_A);
	assert_int_equal(cfg.log_level, LOG_INFO);
	assert_int_equal(cfg.console_port, 0x3f8);
	assert_int_equal(cfg.console_baud, 115200);
	assert_int_equal(cfg.output, OUTPUT_BOTH);
	assert_int_equal(cfg.timeslice_us, 10000);
	assert_int_equal(cfg.n_guests, 1);
	assert_string_equal(g->initrd, "");
	assert_string_equal(g->cmdline, "");
	assert_int_equal(g->vcpus, 1);
	assert_int_equal(g->cpus, ~0ULL);
	assert_int_equal(g->mode, GUEST_MODE_LONG);
	assert_int_equal(g->load, 0x100000);
	assert_int_equal(g->entry, 0x100000);
	assert_int_equal(g->devices, 0);
	assert_int_equal(g->on_poweroff, ACTION_DESTROY);
	assert_int_equal(g->on_reboot, ACTION_RESTART);
	assert_int_equal(g->on_crash, ACTION_DESTROY);
	assert_true(g->autostart);
	assert_int_equal(g->weight, 256);
	assert_int_equal(g->line, 1);
}

static void test_real_mode_defaults(void **state)
{
	(void)state;
	expect_clean(GUEST_A "mode = real\n");
	assert_int_equal(cfg.guests[0].load, 0x10000);
	assert_int_equal(cfg.guests[0].entry, 0x10000);
	/* entry defaults to an explicit load too */
	expect_clean(GUEST_A "load = 0x300000\n");
	assert_int_equal(cfg.guests[0].entry, 0x300000);
}

static void test_comments_blank_lines_crlf(void **state)
{
	static const char text[] =
		"\xef\xbb\xbf# written on Windows\r\n"
		"\r\n"
		"   # indented comment\r\n"
		"[hypervisor]   # trailing comment\r\n"
		"\tlog=warn\r\n"
		"[ guest ]\r\n"
		"name\t=\ta   # the name\r\n"
		"kernel = a.bin#no space needed\r\n"
		"memory   =   16M  # comment\r\n"
		"cmdline = \"root=/dev/vda # not a comment\"  # a comment\r\n"
		"\r\n"
		"memroy = 1\r\n"; /* line 12: line numbers survive CRLF */

	(void)state;
	expect(text, "shale.cfg:12: guest \"a\": unknown key \"memroy\" "
		     "(did you mean \"memory\"?)\n");
	expect_clean("[hypervisor]\r\nlog=warn\r\n" GUEST_A "cmdline = \"a # b\"  # c\r\n");
	assert_int_equal(cfg.log_level, LOG_WARN);
	assert_string_equal(cfg.guests[0].cmdline, "a # b");
	assert_string_equal(cfg.guests[0].name, "a");
}

static void test_bare_cmdline(void **state)
{
	(void)state;
	expect_clean(GUEST_A "cmdline = console=ttyS0  init=/bin/sh   # why\n");
	assert_string_equal(cfg.guests[0].cmdline, "console=ttyS0  init=/bin/sh");
	/* quotes inside a bare value are kept */
	expect_clean(GUEST_A "cmdline = a=\"b c\"\n");
	assert_string_equal(cfg.guests[0].cmdline, "a=\"b c\"");
}

static void test_not_nul_terminated(void **state)
{
	static const char text[] = GUEST_A "vcpus = 2";
	char buf[sizeof(text) + 8];
	int n;

	(void)state;
	memcpy(buf, text, sizeof(text) - 1);
	memcpy(buf + sizeof(text) - 1, "9999\n[x", 8); /* must never be read */
	memset(&got, 0, sizeof(got));
	n = config_parse(buf, sizeof(text) - 1, "shale.cfg", &cfg, collect, &got);
	assert_int_equal(n, 0);
	assert_int_equal(cfg.guests[0].vcpus, 2);
}

static void test_memory_sizes(void **state)
{
	static const struct {
		const char *text;
		uint64_t bytes;
	} ok[] = {
		{ "1M", MIB }, { "512G", 512 * GIB }, { "1g", GIB }, { "2048K", 2 * MIB },
		{ "1048576", MIB }, { "0x200000", 2 * MIB }, { "0x10M", 16 * MIB },
		/* Past the old 4075M limit: RAM goes on above 4 GiB. */
		{ "4076M", 4076 * MIB }, { "4G", 4 * GIB }, { "6G", 6 * GIB },
	};
	char text[128];
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text), "[guest]\nname=a\nkernel=a\nload=0x10000\nmemory=%s\n",
			 ok[i].text);
		expect_clean(text);
		assert_int_equal(cfg.guests[0].memory, ok[i].bytes);
	}
}

/* gdb = NAME names a valid guest; COM2 must not be the console. */
static void test_gdb_guest(void **state)
{
	(void)state;
	expect_clean("[hypervisor]\ngdb = a\n\n" GUEST_A);
	assert_string_equal(cfg.gdb_guest, "a");
	expect("[hypervisor]\ngdb = b\n\n" GUEST_A,
	       "shale.cfg:2: gdb \"b\": there is no valid guest of that name "
	       "(gdb names the [guest] to debug on COM2)\n");
	assert_string_equal(cfg.gdb_guest, "");
	assert_int_equal(cfg.n_guests, 1); /* the guests still run */
	expect("[hypervisor]\nconsole = 0x2f8\ngdb = a\n\n" GUEST_A,
	       "shale.cfg:3: gdb \"a\": the GDB stub uses COM2 (0x2f8), which is the "
	       "console here; move the console (console = 0x3f8)\n");
	parse("[hypervisor]\ngdb = a b\n\n" GUEST_A);
	assert_int_equal(got.count, 1);
	assert_non_null(strstr(got.text, "shale.cfg:2: "));
	assert_string_equal(cfg.gdb_guest, "");
	parse(GUEST_A "gdb = a\n");
	assert_int_equal(got.count, 1); /* a [hypervisor] key */
}

/* selftest = on|off, [hypervisor] only, off unless asked for. */
static void test_selftest(void **state)
{
	(void)state;
	expect_clean(GUEST_A);
	assert_false(cfg.selftest);
	expect_clean("[hypervisor]\nselftest = on\n\n" GUEST_A);
	assert_true(cfg.selftest);
	expect_clean("[hypervisor]\nselftest = off\n\n" GUEST_A);
	assert_false(cfg.selftest);
	parse("[hypervisor]\nselftest = yes\n\n" GUEST_A);
	assert_int_equal(got.count, 1);
	assert_non_null(strstr(got.text, "shale.cfg:2: "));
	assert_false(cfg.selftest);
	parse(GUEST_A "selftest = on\n");
	assert_int_equal(got.count, 1); /* a [hypervisor] key */
	assert_false(cfg.selftest);
}

/* [hypervisor] cpus: the host CPUs Shale takes; CPU 0 always. */
static void test_host_cpus(void **state)
{
	(void)state;
	expect_clean(GUEST_A);
	assert_int_equal(cfg.host_cpus, ~0ULL);
	expect_clean("[hypervisor]\ncpus = 0-1,3\n\n" GUEST_A);
	assert_int_equal(cfg.host_cpus, 0xb);
	assert_int_equal(cfg.host_cpus_line, 2);
	expect_clean("[hypervisor]\ncpus = 0\n\n" GUEST_A);
	assert_int_equal(cfg.host_cpus, 1);
	expect_clean("[hypervisor]\ncpus = all\n\n" GUEST_A);
	assert_int_equal(cfg.host_cpus, ~0ULL);
	expect("[hypervisor]\ncpus = 1-3\n\n" GUEST_A,
	       "shale.cfg:2: cpus \"1-3\": CPU 0, the boot CPU, always runs Shale; "
	       "the list must include it\n");
	assert_int_equal(cfg.host_cpus, ~0ULL);
	expect("[hypervisor]\ncpus = 0,64\n\n" GUEST_A,
	       "shale.cfg:2: cpus \"0,64\": CPU 64 is out of range, allowed 0..63\n");
	expect("[hypervisor]\ncpus = 0,x\n\n" GUEST_A,
	       "shale.cfg:2: cpus \"0,x\": expected \"all\" or a list like 0,2-3\n");
	/* once only, like every [hypervisor] key */
	parse("[hypervisor]\ncpus = 0\ncpus = 0-1\n\n" GUEST_A);
	assert_int_equal(got.count, 1);
	assert_non_null(strstr(got.text, "shale.cfg:3: "));
	/* the guest's own cpus is still its pinning, not Shale's */
	expect_clean(GUEST_A "cpus = 1\n");
	assert_int_equal(cfg.host_cpus, ~0ULL);
	assert_int_equal(cfg.guests[0].cpus, 2);
}

static void test_quotes(void **state)
{
	(void)state;
	expect(GUEST_A "cmdline = \"console=ttyS0\n",
	       "shale.cfg:5: guest \"a\": cmdline: unterminated quote, add a closing \" "
	       "at the end of the value\n");
	expect(GUEST_A "cmdline = \"a\" b\n",
	       "shale.cfg:5: guest \"a\": cmdline \"a\": unexpected text after the "
	       "closing quote\n");
	expect_clean("[guest]\nname = \"q\"\nkernel = \"a.bin\"\nmemory = \"16M\"\n");
	assert_string_equal(cfg.guests[0].name, "q");
}

static void test_numbers(void **state)
{
	(void)state;
	expect_clean(GUEST_A "vcpus = 64\nweight = 0xffff\n");
	assert_int_equal(cfg.guests[0].vcpus, 64);
	assert_int_equal(cfg.guests[0].weight, 65535);
	expect(GUEST_A "vcpus = 65\n",
	       "shale.cfg:5: guest \"a\": vcpus \"65\": out of range, allowed 1..64\n");
	expect(GUEST_A "vcpus = -1\n",
	       "shale.cfg:5: guest \"a\": vcpus \"-1\": expected a number from 1 to 64\n");
	expect(GUEST_A "weight = 0x\n",
	       "shale.cfg:5: guest \"a\": weight \"0x\": expected a number from 1 to 65535\n");
	expect(GUEST_A "weight = 65536\n",
	       "shale.cfg:5: guest \"a\": weight \"65536\": out of range, allowed 1..65535\n");
	expect(GUEST_A "weight = 18446744073709551616\n",
	       "shale.cfg:5: guest \"a\": weight \"18446744073709551616\": expected a number "
	       "from 1 to 65535\n");
}

static void test_cpus(void **state)
{
	(void)state;
	expect_clean(GUEST_A "cpus = 0, 1\n");
	assert_int_equal(cfg.guests[0].cpus, 0x3);
	expect_clean(GUEST_A "cpus = 0-3\n");
	assert_int_equal(cfg.guests[0].cpus, 0xf);
	expect_clean(GUEST_A "cpus = 63,0x2,4-4\n");
	assert_int_equal(cfg.guests[0].cpus, (1ULL << 63) | 0x14);
	expect_clean(GUEST_A "cpus = 0-63\n");
	assert_int_equal(cfg.guests[0].cpus, ~0ULL);
	expect(GUEST_A "cpus = 0-64\n",
	       "shale.cfg:5: guest \"a\": cpus \"0-64\": CPU 64 is out of range, allowed 0..63\n");
	expect(GUEST_A "cpus = 3-1\n",
	       "shale.cfg:5: guest \"a\": cpus \"3-1\": range 3-1 is backwards\n");
	expect(GUEST_A "cpus = 0,\n",
	       "shale.cfg:5: guest \"a\": cpus \"0,\": expected \"all\" or a list like 0,2-3\n");
	expect(GUEST_A "cpus = any\n",
	       "shale.cfg:5: guest \"a\": cpus \"any\": expected \"all\" or a list like 0,2-3\n");
}

/* QEMU's debug devices, for any guest; isa-debug-exit's port. */
static void test_debug_devices(void **state)
{
	(void)state;
	expect_clean(GUEST_A "devices = isa-debug-exit, debugcon, fw_cfg\n");
	assert_int_equal(cfg.guests[0].devices, GUEST_DEV_DEBUG_EXIT |
			 GUEST_DEV_DEBUGCON | GUEST_DEV_FW_CFG);
	assert_int_equal(cfg.guests[0].debug_exit_port, 0xf4);
	expect_clean(GUEST_A "devices = pc, isa-debug-exit\ndebug_exit_port = 0x501\n");
	assert_int_equal(cfg.guests[0].debug_exit_port, 0x501);
	expect_clean("[guest]\nname = a\nkernel = a.bin\nmemory = 128M\nmode = linux\n"
		     "devices = debugcon\n");
	assert_int_equal(cfg.guests[0].devices, GUEST_DEV_DEBUGCON);
	expect(GUEST_A "devices = isa-debug-exit\ndebug_exit_port = 0xfffd\n",
	       "shale.cfg:6: guest \"a\": debug_exit_port \"0xfffd\": expected an I/O port "
	       "from 0x0 to 0xfffc, like 0xf4 (it takes 4 ports)\n");
	expect(GUEST_A "devices = isa-debug-exit\ndebug_exit_port = port\n",
	       "shale.cfg:6: guest \"a\": debug_exit_port \"port\": expected an I/O port "
	       "from 0x0 to 0xfffc, like 0xf4 (it takes 4 ports)\n");
	expect(GUEST_A "devices = testdev\ndebug_exit_port = 0xf4\n",
	       "shale.cfg:6: guest \"a\": debug_exit_port 0xf4: only used with "
	       "isa-debug-exit in devices\n");
	expect(GUEST_A "devices = fw_cfg, fw_cfg\n",
	       "shale.cfg:5: guest \"a\": devices \"fw_cfg, fw_cfg\": \"fw_cfg\" is listed twice\n");
}

static void test_devices(void **state)
{
	(void)state;
	expect_clean(GUEST_A "devices = uart\n");
	assert_int_equal(cfg.guests[0].devices, GUEST_DEV_UART);
	expect_clean(GUEST_A "devices = testdev,uart\n");
	assert_int_equal(cfg.guests[0].devices, GUEST_DEV_TESTDEV | GUEST_DEV_UART);
	expect_clean(GUEST_A "devices = none\n");
	assert_int_equal(cfg.guests[0].devices, 0);
	expect_clean(GUEST_A "devices = pc\n");
	assert_int_equal(cfg.guests[0].devices, GUEST_DEV_PC);
	expect_clean(GUEST_A "devices = pc, testdev\n");
	assert_int_equal(cfg.guests[0].devices, GUEST_DEV_PC | GUEST_DEV_TESTDEV);
	/* a real-mode guest may have the PC too; so may a Linux one, which
	 * has it anyway */
	expect_clean(GUEST_A "mode = real\ndevices = pc\n");
	assert_int_equal(cfg.guests[0].devices, GUEST_DEV_PC);
	expect_clean("[guest]\nname = a\nkernel = a.bin\nmemory = 128M\nmode = linux\n"
		     "devices = pc\n");
	assert_int_equal(cfg.guests[0].devices, GUEST_DEV_PC);
	expect(GUEST_A "devices = testdev, usb\n",
	       "shale.cfg:5: guest \"a\": devices \"testdev, usb\": unknown device \"usb\", "
	       "expected testdev, uart, pc, isa-debug-exit, debugcon, fw_cfg, virtio-rng, "
	       "virtio-console or none\n");
	expect(GUEST_A "devices = pc, uart\n",
	       "shale.cfg:5: guest \"a\": devices \"pc, uart\": \"uart\" is part of \"pc\" "
	       "(its COM1); list only \"pc\"\n");
	expect(GUEST_A "devices = uart,testdev,pc\n",
	       "shale.cfg:5: guest \"a\": devices \"uart,testdev,pc\": \"uart\" is part of "
	       "\"pc\" (its COM1); list only \"pc\"\n");
	expect(GUEST_A "devices = pc, pc\n",
	       "shale.cfg:5: guest \"a\": devices \"pc, pc\": \"pc\" is listed twice\n");
	expect(GUEST_A "devices = uart, uart\n",
	       "shale.cfg:5: guest \"a\": devices \"uart, uart\": \"uart\" is listed twice\n");
	expect(GUEST_A "devices = none, uart\n",
	       "shale.cfg:5: guest \"a\": devices \"none, uart\": \"none\" cannot be "
	       "combined with other devices\n");
}

/* virtio-rng sits on the PC's PCI bus: with pc, or on a Linux guest. */
static void test_virtio_rng(void **state)
{
	(void)state;
	expect_clean(GUEST_A "devices = pc, virtio-rng\n");
	assert_int_equal(cfg.guests[0].devices, GUEST_DEV_PC | GUEST_DEV_VIRTIO_RNG);
	expect_clean("[guest]\nname = a\nkernel = a.bin\nmemory = 128M\nmode = linux\n"
		     "devices = virtio-rng\n");
	assert_int_equal(cfg.guests[0].devices, GUEST_DEV_VIRTIO_RNG);
	expect(GUEST_A "devices = virtio-rng\n",
	       "shale.cfg:5: guest \"a\": devices: \"virtio-rng\" is a PCI device of the PC; "
	       "add \"pc\" (a mode = linux guest has it)\n");
}

/* So does virtio-console, beside virtio-rng or alone. */
static void test_virtio_console(void **state)
{
	(void)state;
	expect_clean(GUEST_A "devices = pc, virtio-console\n");
	assert_int_equal(cfg.guests[0].devices, GUEST_DEV_PC | GUEST_DEV_VIRTIO_CONSOLE);
	expect_clean("[guest]\nname = a\nkernel = a.bin\nmemory = 128M\nmode = linux\n"
		     "devices = virtio-rng, virtio-console\n");
	assert_int_equal(cfg.guests[0].devices,
			 GUEST_DEV_VIRTIO_RNG | GUEST_DEV_VIRTIO_CONSOLE);
	expect(GUEST_A "devices = virtio-console\n",
	       "shale.cfg:5: guest \"a\": devices: \"virtio-console\" is a PCI device of the PC; "
	       "add \"pc\" (a mode = linux guest has it)\n");
}

static void test_words(void **state)
{
	static const char *const truths[] = { "yes", "true", "1" }, *const lies[] = { "no", "false", "0" };
	char text[128];
	unsigned i;

	(void)state;
	for (i = 0; i < 3; i++) {
		snprintf(text, sizeof(text), GUEST_A "autostart = %s\n", truths[i]);
		expect_clean(text);
		assert_true(cfg.guests[0].autostart);
		snprintf(text, sizeof(text), GUEST_A "autostart = %s\n", lies[i]);
		expect_clean(text);
		assert_false(cfg.guests[0].autostart);
	}
	expect_clean(GUEST_A);
	assert_true(cfg.guests[0].apicv);
	expect_clean(GUEST_A "apicv = off\n");
	assert_false(cfg.guests[0].apicv);
	expect_clean(GUEST_A "apicv = on\n");
	assert_true(cfg.guests[0].apicv);
	expect(GUEST_A "apicv = no\n",
	       "shale.cfg:5: guest \"a\": apicv \"no\": expected off or on\n");
	expect(GUEST_A "autostart = maybe\n",
	       "shale.cfg:5: guest \"a\": autostart \"maybe\": expected no, yes, false, true, "
	       "0 or 1\n");
	expect(GUEST_A "on_crash = reboot\n",
	       "shale.cfg:5: guest \"a\": on_crash \"reboot\": expected destroy, restart or "
	       "preserve\n");
	expect(GUEST_A "mode = protected\n",
	       "shale.cfg:5: guest \"a\": mode \"protected\": expected long, real, linux or multiboot\n");
	expect(GUEST_A "mode = Long\n",
	       "shale.cfg:5: guest \"a\": mode \"Long\": expected long, real, linux or multiboot\n");
}

static void test_hypervisor_values(void **state)
{
	(void)state;
	expect_clean("[hypervisor]\nlog = error\nconsole = 0x2f8\ntimeslice = 1s\n" GUEST_A);
	assert_int_equal(cfg.log_level, LOG_ERROR);
	assert_int_equal(cfg.console_port, 0x2f8);
	assert_int_equal(cfg.console_baud, 115200);
	assert_int_equal(cfg.timeslice_us, 1000000);
	expect_clean("[hypervisor]\nconsole = 1016,9600\ntimeslice = 100us\n" GUEST_A);
	assert_int_equal(cfg.console_port, 0x3f8);
	assert_int_equal(cfg.console_baud, 9600);
	assert_int_equal(cfg.timeslice_us, 100);
	expect_clean("[hypervisor]\ntimeslice = 20 ms\n" GUEST_A);
	assert_int_equal(cfg.timeslice_us, 20000);
	expect_clean("[hypervisor]\noutput = screen\n" GUEST_A);
	assert_int_equal(cfg.output, OUTPUT_SCREEN);
	expect_clean("[hypervisor]\noutput = serial\n" GUEST_A);
	assert_int_equal(cfg.output, OUTPUT_SERIAL);
	expect_clean("[hypervisor]\noutput = both\n" GUEST_A);
	assert_int_equal(cfg.output, OUTPUT_BOTH);

	expect("[hypervisor]\nlog = verbose\n" GUEST_A,
	       "shale.cfg:2: log \"verbose\": expected error, warn, info or debug\n");
	expect("[hypervisor]\nconsole = com1\n" GUEST_A,
	       "shale.cfg:2: console \"com1\": expected \"PORT, BAUD\" like 0x3f8, 115200\n");
	expect("[hypervisor]\nconsole = 0x3f8, 9600, 8n1\n" GUEST_A,
	       "shale.cfg:2: console \"0x3f8, 9600, 8n1\": expected \"PORT, BAUD\" like "
	       "0x3f8, 115200\n");
	expect("[hypervisor]\nconsole = 0x10000\n" GUEST_A,
	       "shale.cfg:2: console \"0x10000\": I/O port 0x10000 is out of range, allowed "
	       "0x1..0xffff\n");
	expect("[hypervisor]\nconsole = 0x3f8, 100000\n" GUEST_A,
	       "shale.cfg:2: console \"0x3f8, 100000\": baud rate 100000 is not 115200 divided "
	       "by a whole number (try 115200, 57600, 38400, 19200 or 9600)\n");
	expect("[hypervisor]\noutput = vga\n" GUEST_A,
	       "shale.cfg:2: output \"vga\": expected both, serial or screen\n");
	expect("[guest]\nname = a\nkernel = a.bin\nmemory = 16M\noutput = screen\n",
	       "shale.cfg:5: guest \"a\": unknown key \"output\" (it belongs in [hypervisor])\n");
	expect("[hypervisor]\ntimeslice = 10\n" GUEST_A,
	       "shale.cfg:2: timeslice \"10\": expected a time like 10ms or 500us\n");
	expect("[hypervisor]\ntimeslice = 50us\n" GUEST_A,
	       "shale.cfg:2: timeslice \"50us\": out of range, allowed 100us..1s\n");
	expect("[hypervisor]\ntimeslice = 2s\n" GUEST_A,
	       "shale.cfg:2: timeslice \"2s\": out of range, allowed 100us..1s\n");
	/* a bad value leaves the default in place */
	assert_int_equal(cfg.timeslice_us, 10000);
}

static void test_names_and_sizes(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(config_action_name(ACTION_DESTROY), "destroy");
	assert_string_equal(config_action_name(ACTION_RESTART), "restart");
	assert_string_equal(config_action_name(ACTION_PRESERVE), "preserve");
	assert_string_equal(config_action_name((enum lifecycle_action)7), "?");
	assert_string_equal(config_log_level_name(LOG_ERROR), "error");
	assert_string_equal(config_log_level_name(LOG_DEBUG), "debug");
	assert_string_equal(config_log_level_name((enum log_level)-1), "?");
	assert_string_equal(config_mode_name(GUEST_MODE_LONG), "long");
	assert_string_equal(config_mode_name(GUEST_MODE_REAL), "real");
	assert_string_equal(config_format_size(16 * MIB, buf, sizeof(buf)), "16M");
	assert_string_equal(config_format_size(2 * GIB, buf, sizeof(buf)), "2G");
	assert_string_equal(config_format_size(1536 * MIB, buf, sizeof(buf)), "1536M");
	assert_string_equal(config_format_size(640 * 1024, buf, sizeof(buf)), "640K");
	assert_string_equal(config_format_size(1000, buf, sizeof(buf)), "1000");
	assert_string_equal(config_format_size(0, buf, sizeof(buf)), "0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_config),
		cmocka_unit_test(test_linux_mode),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_real_mode_defaults),
		cmocka_unit_test(test_multiboot_mode),
		cmocka_unit_test(test_comments_blank_lines_crlf),
		cmocka_unit_test(test_bare_cmdline),
		cmocka_unit_test(test_not_nul_terminated),
		cmocka_unit_test(test_memory_sizes),
		cmocka_unit_test(test_gdb_guest),
		cmocka_unit_test(test_selftest),
		cmocka_unit_test(test_host_cpus),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_virtio_rng),
		cmocka_unit_test(test_virtio_console),
		cmocka_unit_test(test_debug_devices),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_hypervisor_values),
		cmocka_unit_test(test_names_and_sizes),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
