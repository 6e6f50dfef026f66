/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for `disk = FILE, ro|rw` (vmm/config_disk.c): the value,
 * several disks per guest, the PC it needs, and a rw image that belongs to
 * one guest: a later guest naming it is reported at its line and dropped,
 * the others go on.
 */
#include "tests/unit/config_harness.h"

#define LINUX(name) "[guest]\nname = " name "\nkernel = vmlinuz\nmemory = 64M\nmode = linux\n"

static void test_disks(void **state)
{
	(void)state;
	expect_clean(LINUX("a") "disk = root.img, rw\ndisk = data/ro.img,ro\n");
	assert_int_equal(cfg.n_guests, 1);
	assert_int_equal(cfg.guests[0].n_disks, 2);
	assert_string_equal(cfg.guests[0].disks[0].file, "root.img");
	assert_true(cfg.guests[0].disks[0].rw);
	assert_int_equal(cfg.guests[0].disks[0].line, 6);
	assert_string_equal(cfg.guests[0].disks[1].file, "data/ro.img");
	assert_false(cfg.guests[0].disks[1].rw);
	/* A flat guest with the PC devices may have one too. */
	expect_clean(GUEST_A "devices = pc\ndisk = d.img, ro\n");
	assert_int_equal(cfg.guests[0].n_disks, 1);
}

static void test_bad_values(void **state)
{
	(void)state;
	expect(LINUX("a") "disk = root.img\n",
	       "shale.cfg:6: guest \"a\": disk \"root.img\": expected FILE, ro or FILE, rw "
	       "(a rw disk's writes are kept in memory only)\n");
	expect(LINUX("a") "disk = root.img, rx\n",
	       "shale.cfg:6: guest \"a\": disk \"root.img, rx\": expected FILE, ro or FILE, rw "
	       "(a rw disk's writes are kept in memory only)\n");
	expect(LINUX("a") "disk = , rw\n",
	       "shale.cfg:6: guest \"a\": disk \", rw\": expected FILE, ro or FILE, rw "
	       "(a rw disk's writes are kept in memory only)\n");
	expect(LINUX("a") "disk = r*.img, rw\n",
	       "shale.cfg:6: guest \"a\": disk \"r*.img, rw\": '*' is not allowed in a file "
	       "name, use only letters, digits and . _ / -\n");
	expect(LINUX("a") "disk = a.img, ro\ndisk = a.img, rw\n",
	       "shale.cfg:7: guest \"a\": disk \"a.img, rw\": the guest already has this image "
	       "as a disk (line 6)\n");
	expect(LINUX("a") "disk = 1, ro\ndisk = 2, ro\ndisk = 3, ro\ndisk = 4, ro\ndisk = 5, ro\n",
	       "shale.cfg:10: guest \"a\": disk \"5, ro\": more than 4 disks\n");
	assert_int_equal(cfg.n_guests, 0);
	expect(GUEST_A "disk = d.img, ro\n",
	       "shale.cfg:5: guest \"a\": disk: a virtio-blk disk is a PCI device of the PC; "
	       "add devices = pc (a mode = linux guest has it)\n");
	assert_int_equal(cfg.n_guests, 0);
}

/* Two guests read one ro image; a rw image is one guest's alone. */
static void test_sharing(void **state)
{
	(void)state;
	expect_clean(LINUX("a") "disk = shared.img, ro\n" LINUX("b") "disk = shared.img, ro\n");
	assert_int_equal(cfg.n_guests, 2);

	expect(LINUX("a") "disk = root.img, rw\n" LINUX("b") "disk = root.img, rw\n"
	       LINUX("c") "disk = other.img, rw\n",
	       "shale.cfg:12: guest \"b\": disk \"root.img\": guest \"a\" has it as a rw disk "
	       "(line 6); a rw image belongs to one guest only; the guest is skipped\n");
	assert_int_equal(cfg.n_guests, 2);
	assert_string_equal(cfg.guests[0].name, "a");
	assert_string_equal(cfg.guests[1].name, "c");

	expect(LINUX("a") "disk = root.img, ro\n" LINUX("b") "disk = root.img, rw\n",
	       "shale.cfg:12: guest \"b\": disk \"root.img\": guest \"a\" has it as a disk "
	       "(line 6); a rw image belongs to one guest only; the guest is skipped\n");
	expect(LINUX("a") "disk = root.img, rw\n" LINUX("b") "disk = root.img, ro\n",
	       "shale.cfg:12: guest \"b\": disk \"root.img\": guest \"a\" has it as a rw disk "
	       "(line 6); a rw image belongs to one guest only; the guest is skipped\n");
	assert_int_equal(cfg.n_guests, 1);
}

/* A rw disk never writes under a kernel or initrd, its own guest's or
 * another's, whichever line comes second. */
static void test_rw_kernel(void **state)
{
	(void)state;
	expect(LINUX("a") "disk = vmlinuz, rw\n",
	       "shale.cfg:6: guest \"a\": disk \"vmlinuz\": guest \"a\" boots from it (line 3); "
	       "a rw disk cannot be a kernel or initrd; the guest is skipped\n");
	expect(LINUX("a") "disk = k.img, rw\n"
	       "[guest]\nname = b\nkernel = k.img\nmemory = 16M\n",
	       "shale.cfg:9: guest \"b\": \"k.img\": guest \"a\" has it as a rw disk (line 6); "
	       "a rw disk cannot be a kernel or initrd; the guest is skipped\n");
	expect_clean(LINUX("a") "disk = vmlinuz, ro\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disks),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_sharing),
		cmocka_unit_test(test_rw_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
