/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the shale.cfg parser (vmm/config.c, vmm/config_values.c):
 * what a bad file gives: one clear message a problem, the good guests kept. The harness is in config_harness.h.
 */
#include "tests/unit/config_harness.h"

static void test_memory_errors(void **state)
{
	(void)state;
	expect("[guest]\nname = web\nkernel = w\n\n\n\n\n\n\n\n\nmemory = 12Q\n",
	       "shale.cfg:12: guest \"web\": memory \"12Q\": expected a size like 256M\n");
	expect("[guest]\nname=a\nkernel=a\nmemory = 1536K\n",
	       "shale.cfg:4: guest \"a\": memory \"1536K\": not a multiple of 1M "
	       "(it lies between 1M and 2M)\n");
	expect("[guest]\nname=a\nkernel=a\nmemory = 512K\n",
	       "shale.cfg:4: guest \"a\": memory \"512K\": out of range, allowed 1M..512G\n");
	expect("[guest]\nname=a\nkernel=a\nmemory = 513G\n",
	       "shale.cfg:4: guest \"a\": memory \"513G\": out of range, allowed 1M..512G\n");
	expect("[guest]\nname=a\nkernel=a\nmemory = 99999999999999999999G\n",
	       "shale.cfg:4: guest \"a\": memory \"99999999999999999999G\": "
	       "expected a size like 256M\n");
	expect("[guest]\nname=a\nkernel=a\nmemory = M\n",
	       "shale.cfg:4: guest \"a\": memory \"M\": expected a size like 256M\n");
	assert_int_equal(cfg.n_guests, 0);
}

static void test_unknown_key_hypervisor(void **state)
{
	(void)state;
	expect("[hypervisor]\nlog = info\ncolour = red\n" GUEST_A,
	       "shale.cfg:3: unknown key \"colour\" in [hypervisor]\n");
	expect("[hypervisor]\nlgo = info\n" GUEST_A,
	       "shale.cfg:2: unknown key \"lgo\" in [hypervisor] (did you mean \"log\"?)\n");
	expect("[hypervisor]\nmemory = 1M\n" GUEST_A,
	       "shale.cfg:2: unknown key \"memory\" in [hypervisor] (it belongs in [guest])\n");
	/* hypervisor problems do not cost the guests anything */
	assert_int_equal(cfg.n_guests, 1);
}

static void test_unknown_key_guest(void **state)
{
	(void)state;
	expect("[guest]\nname = a\nkernel = a.bin\nmemory = 16M\n\n\n\n\nmemroy = 16M\n",
	       "shale.cfg:9: guest \"a\": unknown key \"memroy\" (did you mean \"memory\"?)\n");
	expect(GUEST_A "Memory = 16M\n",
	       "shale.cfg:5: guest \"a\": unknown key \"Memory\" (did you mean \"memory\"?)\n");
	expect(GUEST_A "colour = red\n", "shale.cfg:5: guest \"a\": unknown key \"colour\"\n");
	expect(GUEST_A "log = debug\n",
	       "shale.cfg:5: guest \"a\": unknown key \"log\" (it belongs in [hypervisor])\n");
	assert_int_equal(cfg.n_guests, 0);
}

static void test_guest_without_name_yet(void **state)
{
	(void)state;
	/* numbered until the name is seen, named after */
	expect(GUEST_A "[guest]\nvcpus = 0\nname = b\nweight = 0\nkernel=b\nmemory=16M\n",
	       "shale.cfg:6: guest #2: vcpus \"0\": out of range, allowed 1..64\n"
	       "shale.cfg:8: guest \"b\": weight \"0\": out of range, allowed 1..65535\n");
	assert_int_equal(cfg.n_guests, 1);
}

static void test_missing_required(void **state)
{
	(void)state;
	expect(GUEST_A "\n[guest]\nkernel = b.bin\nmemory = 16M\n",
	       "shale.cfg:6: guest #2: missing \"name\"\n");
	expect("# c\n[guest]\nname = b\n",
	       "shale.cfg:2: guest \"b\": missing \"kernel\"\n"
	       "shale.cfg:2: guest \"b\": missing \"memory\"\n");
	expect("[guest]\n",
	       "shale.cfg:1: guest #1: missing \"name\"\n"
	       "shale.cfg:1: guest #1: missing \"kernel\"\n"
	       "shale.cfg:1: guest #1: missing \"memory\"\n");
	/* a key given with a bad value is reported once, not also as missing */
	expect("[guest]\nname = b\nkernel = a b\nmemory = 16M\n",
	       "shale.cfg:3: guest \"b\": kernel \"a b\": ' ' is not allowed, use only "
	       "letters, digits and . _ / - in file names\n");
}

static void test_duplicate_name(void **state)
{
	(void)state;
	expect("\n\n\n\n[guest]\nname = a\nkernel = a.bin\nmemory = 16M\n"
	       "\n\n\n\n\n\n\n\n\n\n[guest]\nname = a\nkernel = b.bin\nmemory = 16M\n",
	       "shale.cfg:20: guest \"a\": name \"a\" is already used by the guest at line 5\n");
	assert_int_equal(cfg.n_guests, 1);
	assert_string_equal(cfg.guests[0].kernel, "a.bin");
}

static void test_bad_guest_name_is_free(void **state)
{
	(void)state;
	/* a skipped guest does not keep its name: the next one may use it */
	expect("[guest]\nname = a\nkernel = a\nmemory = 1Q\n" GUEST_A,
	       "shale.cfg:4: guest \"a\": memory \"1Q\": expected a size like 256M\n");
	assert_int_equal(cfg.n_guests, 1);
	assert_int_equal(cfg.guests[0].line, 5);
}

static void test_bad_guest_skipped_good_kept(void **state)
{
	(void)state;
	parse("[guest]\nname = one\nkernel = 1.bin\nmemory = 1M\nload = 0x10000\n"
	      "[guest]\nname = two\nkernel = 2.bin\nmemory = 16M\nvcpus = lots\n"
	      "[guest]\nname = three\nkernel = 3.bin\nmemory = 32M\n");
	assert_string_equal(got.text, "shale.cfg:10: guest \"two\": vcpus \"lots\": "
				      "expected a number from 1 to 64\n");
	assert_int_equal(cfg.n_guests, 2);
	assert_string_equal(cfg.guests[0].name, "one");
	assert_string_equal(cfg.guests[1].name, "three");
	assert_int_equal(cfg.guests[1].memory, 32 * MIB);
	assert_int_equal(cfg.guests[1].line, 11);
	/* nothing of the bad guest lingers past the valid ones */
	assert_string_equal(cfg.guests[2].name, "");
}

static void test_not_key_value(void **state)
{
	(void)state;
	expect("[hypervisor]\n\n\nlog info\n" GUEST_A,
	       "shale.cfg:4: line is not \"key = value\" or \"[section]\"\n");
	expect(GUEST_A "= 5\nmemory: 16M\n",
	       "shale.cfg:5: guest \"a\": line is not \"key = value\" or \"[section]\"\n"
	       "shale.cfg:6: guest \"a\": line is not \"key = value\" or \"[section]\"\n");
	assert_int_equal(cfg.n_guests, 0);
}

static void test_empty_value(void **state)
{
	(void)state;
	expect(GUEST_A "vcpus =\nweight =   # nothing\ncmdline = \"\"\n",
	       "shale.cfg:5: guest \"a\": vcpus: no value after \"=\"\n"
	       "shale.cfg:6: guest \"a\": weight: no value after \"=\"\n");
	expect("[guest]\nname = \"\"\nkernel = a\nmemory = 16M\n",
	       "shale.cfg:2: guest #1: name \"\": must not be empty\n");
}

static void test_too_long(void **state)
{
	char text[4096], longname[64], longpath[200], longcmd[1100];

	(void)state;
	memset(longname, 'n', 32);
	longname[32] = '\0';
	snprintf(text, sizeof(text), "[guest]\nname = %s\nkernel = a\nmemory = 16M\n", longname);
	expect(text, "shale.cfg:2: guest #1: name \"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\": "
		     "32 characters, the limit is 31\n");
	longname[31] = '\0';
	snprintf(text, sizeof(text), "[guest]\nname = %s\nkernel = a\nmemory = 16M\n", longname);
	expect_clean(text);

	memset(longpath, 'p', 128);
	longpath[128] = '\0';
	snprintf(text, sizeof(text), GUEST_A "initrd = %s\n", longpath);
	expect(text, "shale.cfg:5: guest \"a\": initrd \"ppppppppppppppppppppppppppppppppppppp...\": "
		     "128 characters, the limit is 127\n");
	longpath[127] = '\0';
	snprintf(text, sizeof(text), GUEST_A "initrd = %s\n", longpath);
	expect_clean(text);
	assert_int_equal(strlen(cfg.guests[0].initrd), 127);

	memset(longcmd, 'c', 1024);
	longcmd[1024] = '\0';
	snprintf(text, sizeof(text), GUEST_A "cmdline = \"%s\"\n", longcmd);
	expect(text, "shale.cfg:5: guest \"a\": cmdline \"ccccccccccccccccccccccccccccccccccccc...\": "
		     "1024 characters, the limit is 1023\n");
	longcmd[1023] = '\0';
	snprintf(text, sizeof(text), GUEST_A "cmdline = \"%s\"\n", longcmd);
	expect_clean(text);
	assert_int_equal(strlen(cfg.guests[0].cmdline), 1023);
}

static void test_bad_characters(void **state)
{
	(void)state;
	expect("[guest]\nname = my guest\nkernel = a\nmemory = 16M\n",
	       "shale.cfg:2: guest #1: name \"my guest\": ' ' is not allowed, use only "
	       "letters, digits, '_' and '-'\n");
	expect(GUEST_A "initrd = a\\b\n",
	       "shale.cfg:5: guest \"a\": initrd \"a\\b\": '\\' is not allowed, use only "
	       "letters, digits and . _ / - in file names\n");
	expect(GUEST_A "cmdline = \"a\x01\"\n",
	       "shale.cfg:5: guest \"a\": cmdline \"a?\": control character 0x01 is not allowed\n");
}

static void test_too_many_guests(void **state)
{
	char text[8192];
	size_t len = 0;
	int i;

	(void)state;
	for (i = 0; i < CONFIG_MAX_GUESTS + 2; i++)
		len += snprintf(text + len, sizeof(text) - len,
				"[guest]\nname = g%d\nkernel = k\nmemory = 1M\nload = 0x10000\n", i);
	/* headers are at lines 1, 6, 11, ...: guest #17 at line 81 */
	expect(text, "shale.cfg:81: guest #17: too many guests, the limit is 16\n"
		     "shale.cfg:86: guest #18: too many guests, the limit is 16\n");
	assert_int_equal(cfg.n_guests, CONFIG_MAX_GUESTS);
	assert_string_equal(cfg.guests[15].name, "g15");

	/* the limit counts valid guests: a bad one leaves room for another */
	len = snprintf(text, sizeof(text), "[guest]\nname = bad\n");
	for (i = 0; i < CONFIG_MAX_GUESTS; i++)
		len += snprintf(text + len, sizeof(text) - len,
				"[guest]\nname = g%d\nkernel = k\nmemory = 1M\nload = 0x10000\n", i);
	parse(text);
	assert_int_equal(got.count, 2); /* missing kernel, missing memory */
	assert_int_equal(cfg.n_guests, CONFIG_MAX_GUESTS);
}

/* A guest above 3 GiB has its RAM on both sides of the MMIO hole
 * (vmm/guest_ram.h); a flat image and its entry must be in the RAM below
 * it, and the message says where that is and where the rest went. */
static void test_load_in_the_hole(void **state)
{
	(void)state;
	expect("[guest]\nname=a\nkernel=a\nmemory = 4200M\nload = 0xc0000000\n",
	       "shale.cfg:5: guest \"a\": load 0xc0000000: outside guest RAM below 4 GiB "
	       "0x0-0xbfffffff (memory = 4200M: 3G there, 1128M from 0x100000000); "
	       "a flat image loads there\n");
	/* In high RAM is no better: the start-up page tables stop at 4 GiB. */
	expect("[guest]\nname=a\nkernel=a\nmemory = 6G\nload = 0x100000000\n",
	       "shale.cfg:5: guest \"a\": load 0x100000000: outside guest RAM below 4 GiB "
	       "0x0-0xbfffffff (memory = 6G: 3G there, 3G from 0x100000000); "
	       "a flat image loads there\n");
	expect("[guest]\nname=a\nkernel=a\nmemory = 4G\nentry = 0xfeb00000\n",
	       "shale.cfg:5: guest \"a\": entry 0xfeb00000: outside guest RAM below 4 GiB "
	       "0x0-0xbfffffff (memory = 4G: 3G there, 1G from 0x100000000)\n");
	/* Exactly 3 GiB has one range, and the old message. */
	expect("[guest]\nname=a\nkernel=a\nmemory = 3G\nload = 0xc0000000\n",
	       "shale.cfg:5: guest \"a\": load 0xc0000000: outside guest memory "
	       "0x0-0xbfffffff (memory = 3G); load lower or give the guest more memory\n");
	/* The last page below the hole is fine, with any size above it. */
	expect_clean("[guest]\nname=a\nkernel=a\nmemory = 3073M\nload = 0xbffff000\n"
		     "entry = 0xbffffff0\n");
	assert_int_equal(cfg.guests[0].memory, 3073ull << 20);
	assert_int_equal(cfg.guests[0].load, 0xbffff000);
}

static void test_load_outside_memory(void **state)
{
	(void)state;
	expect("[guest]\nname=a\nkernel=a\nmemory = 16M\nload = 0x1000000\n",
	       "shale.cfg:5: guest \"a\": load 0x1000000: outside guest memory 0x0-0xffffff "
	       "(memory = 16M); load lower or give the guest more memory\n");
	expect("[guest]\nname=a\nkernel=a\nmemory = 1M\n",
	       "shale.cfg:1: guest \"a\": load 0x100000 (the default for mode long): outside "
	       "guest memory 0x0-0xfffff (memory = 1M); load lower or give the guest more "
	       "memory\n");
	expect_clean("[guest]\nname=a\nkernel=a\nmemory = 16M\nload = 0xfff000\n");
}

static void test_load_and_entry_rules(void **state)
{
	(void)state;
	expect(GUEST_A "load = 0x8000\n",
	       "shale.cfg:5: guest \"a\": load 0x8000: a long-mode image must load at 0x10000 "
	       "or above (Shale's GDT and page tables use 0x1000-0x7fff)\n");
	expect(GUEST_A "mode = real\nload = 0x100000\n",
	       "shale.cfg:6: guest \"a\": load 0x100000: a real-mode image must load below "
	       "0x100000 (1M)\n");
	/* the PC's ACPI tables take 0xe0000-0xe0fff of a guest with devices = pc */
	expect(GUEST_A "mode = real\ndevices = pc\nload = 0xe0000\n",
	       "shale.cfg:7: guest \"a\": load 0xe0000: the PC's ACPI tables are at "
	       "0xe0000-0xe0fff (devices = pc); load the image elsewhere\n");
	expect(GUEST_A "load = 0xe0ff0\ndevices = testdev, pc\n",
	       "shale.cfg:5: guest \"a\": load 0xe0ff0: the PC's ACPI tables are at "
	       "0xe0000-0xe0fff (devices = pc); load the image elsewhere\n");
	expect_clean(GUEST_A "mode = real\ndevices = pc\nload = 0xe1000\n");
	expect_clean(GUEST_A "mode = real\nload = 0xe0000\n");
	expect(GUEST_A "entry = 0x100000\nmode = real\n",
	       "shale.cfg:5: guest \"a\": entry 0x100000: only used with mode = long "
	       "(a real-mode guest starts at its load address)\n");
	expect(GUEST_A "entry = 0x1000000\n",
	       "shale.cfg:5: guest \"a\": entry 0x1000000: outside guest memory 0x0-0xffffff "
	       "(memory = 16M)\n");
	expect(GUEST_A "load = 1M\n",
	       "shale.cfg:5: guest \"a\": load \"1M\": expected an address like 0x100000\n");
	/* a bad mode is reported once, not again through the load rules */
	expect(GUEST_A "mode = x\nload = 0x8000\n",
	       "shale.cfg:5: guest \"a\": mode \"x\": expected long, real, linux or multiboot\n");
	expect_clean(GUEST_A "load = 1048576\nentry = 0xFFFFFF\n");
	assert_int_equal(cfg.guests[0].entry, 0xffffff);
}

static void test_duplicate_key(void **state)
{
	(void)state;
	expect(GUEST_A "memory = 32M\n",
	       "shale.cfg:5: guest \"a\": duplicate key \"memory\" (first set at line 4)\n");
	assert_int_equal(cfg.n_guests, 0);
	expect("[hypervisor]\nlog = info\n[hypervisor]\nlog = debug\n" GUEST_A,
	       "shale.cfg:4: duplicate key \"log\" (first set at line 2)\n");
	assert_int_equal(cfg.log_level, LOG_INFO);
	/* the same key in two guests is no duplicate */
	expect_clean(GUEST_A "[guest]\nname = b\nkernel = a.bin\nmemory = 16M\n");
}

static void test_key_outside_section(void **state)
{
	(void)state;
	expect("# top\nlog = debug\n" GUEST_A,
	       "shale.cfg:2: key \"log\" is outside any section; put it under [hypervisor] "
	       "or [guest]\n");
	assert_int_equal(cfg.log_level, LOG_INFO);
}

static void test_bad_sections(void **state)
{
	(void)state;
	expect("[guests]\nname = a\n" GUEST_A,
	       "shale.cfg:1: unknown section \"[guests]\", expected [hypervisor] or [guest]\n");
	assert_int_equal(cfg.n_guests, 1);
	expect(GUEST_A "[guest\nname = b\n",
	       "shale.cfg:5: section header has no closing \"]\"\n");
	assert_int_equal(cfg.n_guests, 1);
	expect(GUEST_A "[guest] x\n", "shale.cfg:5: unexpected text after \"]\"\n");
	expect("[Guest]\n" GUEST_A,
	       "shale.cfg:1: unknown section \"[Guest]\", expected [hypervisor] or [guest]\n");
}

static void test_no_guests(void **state)
{
	(void)state;
	expect("", "shale.cfg: no [guest] section, so there is nothing to run\n");
	expect("[hypervisor]\nlog = warn\n",
	       "shale.cfg: no [guest] section, so there is nothing to run\n");
	assert_int_equal(cfg.log_level, LOG_WARN);
	assert_int_equal(cfg.n_guests, 0);
}

static void test_many_problems_counted(void **state)
{
	(void)state;
	assert_int_equal(parse("[guest]\nname = a b\nkernel = \nmemory = 0\nvcpus = 0\n"
			       "cpus = x\nmode = x\nfoo = 1\n"), 7);
	/* name and kernel were given (badly), so only those lines are reported */
	assert_string_equal(got.text,
		"shale.cfg:2: guest #1: name \"a b\": ' ' is not allowed, use only letters, "
		"digits, '_' and '-'\n"
		"shale.cfg:3: guest #1: kernel: no value after \"=\"\n"
		"shale.cfg:4: guest #1: memory \"0\": out of range, allowed 1M..512G\n"
		"shale.cfg:5: guest #1: vcpus \"0\": out of range, allowed 1..64\n"
		"shale.cfg:6: guest #1: cpus \"x\": expected \"all\" or a list like 0,2-3\n"
		"shale.cfg:7: guest #1: mode \"x\": expected long, real, linux or multiboot\n"
		"shale.cfg:8: guest #1: unknown key \"foo\"\n");
}

static void test_null_report_and_filename(void **state)
{
	static const char text[] = "[guest]\nname = a\n";

	(void)state;
	assert_int_equal(config_parse(text, strlen(text), "x.cfg", &cfg, NULL, NULL), 2);
	memset(&got, 0, sizeof(got));
	assert_int_equal(config_parse(text, strlen(text), "/boot/shale.cfg", &cfg, collect, &got), 2);
	assert_string_equal(got.text, "/boot/shale.cfg:1: guest \"a\": missing \"kernel\"\n"
				      "/boot/shale.cfg:1: guest \"a\": missing \"memory\"\n");
}

static void test_control_characters_in_messages(void **state)
{
	static const char text[] = GUEST_A "vcpus = 1\x1b[2J\n";

	(void)state;
	expect(text, "shale.cfg:5: guest \"a\": vcpus \"1?[2J\": expected a number from 1 to 64\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_errors),
		cmocka_unit_test(test_unknown_key_hypervisor),
		cmocka_unit_test(test_unknown_key_guest),
		cmocka_unit_test(test_guest_without_name_yet),
		cmocka_unit_test(test_missing_required),
		cmocka_unit_test(test_duplicate_name),
		cmocka_unit_test(test_bad_guest_name_is_free),
		cmocka_unit_test(test_bad_guest_skipped_good_kept),
		cmocka_unit_test(test_not_key_value),
		cmocka_unit_test(test_empty_value),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_bad_characters),
		cmocka_unit_test(test_too_many_guests),
		cmocka_unit_test(test_load_outside_memory),
		cmocka_unit_test(test_load_in_the_hole),
		cmocka_unit_test(test_load_and_entry_rules),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_key_outside_section),
		cmocka_unit_test(test_bad_sections),
		cmocka_unit_test(test_no_guests),
		cmocka_unit_test(test_many_problems_counted),
		cmocka_unit_test(test_null_report_and_filename),
		cmocka_unit_test(test_control_characters_in_messages),
	};

	return cmocka_run_group_tests_name("config_errors", tests, NULL, NULL);
}
