/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for vmm/load/bzimage.c: the header check and the layout plan. The harness is in
 * bzimage_harness.h.
 */
#include "tests/unit/bzimage_harness.h"

static void test_parse_valid(void **state)
{
	struct bzimage_info info;

	(void)state;
	memset(&info, 0xa5, sizeof(info));
	parse_ok(&info);
	assert_int_equal(info.version, 0x020f);
	assert_int_equal(info.setup_size, SETUP_BYTES);
	assert_int_equal(info.kernel_offset, SETUP_BYTES);
	/* syssize, not the file: the trailing 64 bytes are not kernel */
	assert_int_equal(info.kernel_size, KERNEL_BYTES);
	assert_int_equal(info.init_size, INIT_SIZE);
	assert_int_equal(info.alignment, 2 * MIB);
	assert_int_equal(info.pref_address, 16 * MIB);
	assert_true(info.relocatable);
	assert_int_equal(info.initrd_addr_max, 0x7fffffff);
	assert_int_equal(info.cmdline_size, 2047);
}

static void test_parse_setup_sects_zero_means_4(void **state)
{
	struct bzimage_info info;

	(void)state;
	image[0x1f1] = 0;
	image_size = 5 * 512 + KERNEL_BYTES;
	parse_ok(&info);
	assert_int_equal(info.setup_size, 5 * 512);
	assert_int_equal(info.kernel_offset, 5 * 512);
}

static void test_parse_bad_boot_flag(void **state)
{
	(void)state;
	put(image + 0x1fe, 0x55aa, 2);
	parse_fails("not a Linux kernel: no boot_flag 0xAA55 at 0x1fe");
}

static void test_parse_no_hdrs(void **state)
{
	(void)state;
	memcpy(image + 0x202, "HdrT", 4);
	parse_fails("not a Linux kernel: no \"HdrS\" magic at 0x202");
}

static void test_parse_old_protocol(void **state)
{
	(void)state;
	put(image + 0x206, 0x020a, 2);
	parse_fails("boot protocol 2.10 is too old: the 64-bit entry needs 2.12 or later");
	put(image + 0x206, 0x0209, 2);
	parse_fails("boot protocol 2.09 is too old: the 64-bit entry needs 2.12 or later");
	put(image + 0x206, 0x020c, 2);
	parse_ok(&(struct bzimage_info){ 0 });
}

static void test_parse_not_64bit(void **state)
{
	(void)state;
	put(image + 0x236, 0x2, 2);
	parse_fails("not a 64-bit kernel (xloadflags has no XLF_KERNEL_64)");
}

static void test_parse_zimage(void **state)
{
	(void)state;
	image[0x211] = 0x80;
	parse_fails("not a bzImage (loadflags has no LOADED_HIGH): zImage kernels are not supported");
}

static void test_parse_truncated_kernel(void **state)
{
	(void)state;
	put(image + 0x1f4, 12345678 / 16, 4);
	image_size = SETUP_BYTES + 4096;
	parse_fails("truncated: the header says 12345664 bytes of kernel but the file has 4096");
	/* one paragraph short is already too short */
	put(image + 0x1f4, KERNEL_BYTES / 16 + 1, 4);
	image_size = SETUP_BYTES + KERNEL_BYTES;
	parse_fails("truncated: the header says 12304 bytes of kernel but the file has 12288");
}

static void test_parse_huge_setup_sects(void **state)
{
	(void)state;
	image[0x1f1] = 255;
	parse_fails("truncated: the header says 255 setup sectors (131072 bytes) but the file has 14400");
}

static void test_parse_tiny_file(void **state)
{
	(void)state;
	image_size = 0x263;
	parse_fails("truncated: 611 bytes is too small for a bzImage setup header (needs 0x264)");
	assert_int_equal(bzimage_parse(NULL, 0, &(struct bzimage_info){ 0 },
				       NULL, 0), -1);
}

static void test_parse_corrupt_fields(void **state)
{
	(void)state;
	image[0x201] = 0x40; /* header would end at 0x242 */
	parse_fails("corrupt header: the setup header ends at 0x242, before init_size at 0x260");
	make_image();
	put(image + 0x230, 0x300000, 4);
	parse_fails("corrupt header: kernel_alignment 0x300000 is not a power of two");
	make_image();
	put(image + 0x24c, 0x3000, 4); /* payload 0x300 + 0x3000 > 0x3000 */
	parse_fails("truncated: the compressed payload ends at 13056 but the kernel is 12288 bytes");
	make_image();
	put(image + 0x1f4, 0x20, 4); /* 512 bytes: no room past the entry */
	parse_fails("corrupt header: a kernel of 512 bytes (syssize) cannot hold the 64-bit entry at 0x200");
}

static void test_plan_default(void **state)
{
	struct bzimage_info info;
	struct bzimage_layout lay;

	(void)state;
	parse_ok(&info);
	plan_ok(&info, 256 * MIB, 10 * MIB + 123, 100, &lay);
	assert_int_equal(lay.kernel_addr, 16 * MIB);
	assert_int_equal(lay.entry, 16 * MIB + 0x200);
	assert_int_equal(lay.gdt, 0x1000);
	assert_int_equal(lay.boot_params, 0x2000);
	assert_int_equal(lay.pagetables, 0x3000);
	/* PML4 + PDPT + 4 PDs */
	assert_int_equal(lay.cmdline, 0x3000 + 6 * 0x1000);
	/* highest 4K-aligned spot that ends by 256M */
	assert_int_equal(lay.initrd_size, 10 * MIB + 123);
	assert_int_equal(lay.initrd_addr % 4096, 0);
	assert_true(lay.initrd_addr + lay.initrd_size <= 256 * MIB);
	assert_true(lay.initrd_addr + lay.initrd_size > 256 * MIB - 4096);
	assert_true(lay.initrd_addr >= lay.kernel_addr + INIT_SIZE);
}

static void test_plan_initrd_below_initrd_addr_max(void **state)
{
	struct bzimage_info info;
	struct bzimage_layout lay;

	(void)state;
	parse_ok(&info);
	plan_ok(&info, 8 * GIB, 5 * MIB, 0, &lay);
	assert_int_equal(lay.initrd_addr, 2 * GIB - 5 * MIB);
	/* page tables now cover all 8 GiB */
	assert_int_equal(bzimage_pd_count(8 * GIB), 8);
	assert_int_equal(lay.cmdline, 0x3000 + 10 * 0x1000);

	info.initrd_addr_max = 0x0fffffff; /* last byte at 256M - 1 */
	plan_ok(&info, 8 * GIB, 5 * MIB, 0, &lay);
	assert_int_equal(lay.initrd_addr, 256 * MIB - 5 * MIB);

	info.initrd_addr_max = 0xffffffff; /* 4 GiB caps it even so */
	plan_ok(&info, 8 * GIB, 4096, 0, &lay);
	assert_int_equal(lay.initrd_addr, 4 * GIB - 4096);
}

static void test_plan_kernel_alignment(void **state)
{
	struct bzimage_info info;
	struct bzimage_layout lay;

	(void)state;
	parse_ok(&info);
	info.pref_address = 17 * MIB; /* not 2M-aligned: rounded up */
	plan_ok(&info, 256 * MIB, 0, 0, &lay);
	assert_int_equal(lay.kernel_addr, 18 * MIB);
	assert_int_equal(lay.entry, 18 * MIB + 0x200);
	assert_int_equal(lay.initrd_addr, 0);
	assert_int_equal(lay.initrd_size, 0);

	/* no pref_address: the first aligned address at or above 1M */
	info.pref_address = 0;
	plan_ok(&info, 16 * MIB, 0, 0, &lay);
	assert_int_equal(lay.kernel_addr, 2 * MIB);
	info.alignment = 16 * MIB;
	plan_ok(&info, 32 * MIB, 0, 0, &lay);
	assert_int_equal(lay.kernel_addr, 16 * MIB);
	info.alignment = 1; /* below a page: page-aligned all the same */
	plan_ok(&info, 32 * MIB, 0, 0, &lay);
	assert_int_equal(lay.kernel_addr, 1 * MIB);
}

static void test_plan_initrd_below_kernel(void **state)
{
	struct bzimage_info info;
	struct bzimage_layout lay;

	(void)state;
	parse_ok(&info);
	/* the kernel takes 16M..24M: a 6M initrd only fits under it */
	plan_ok(&info, 24 * MIB, 6 * MIB, 0, &lay);
	assert_int_equal(lay.kernel_addr, 16 * MIB);
	assert_int_equal(lay.initrd_addr, 10 * MIB);
	/* exactly 1M..16M still fits, a byte more does not */
	plan_ok(&info, 24 * MIB, 15 * MIB, 0, &lay);
	assert_int_equal(lay.initrd_addr, 1 * MIB);
	assert_int_equal(bzimage_plan(&info, 24 * MIB, 15 * MIB + 1, 0, &lay,
				      why, sizeof(why)), -1);
}

static void test_plan_initrd_too_large(void **state)
{
	struct bzimage_info info;
	struct bzimage_layout lay;

	(void)state;
	parse_ok(&info);
	assert_int_equal(bzimage_plan(&info, 256 * MIB, 300 * MIB, 0, &lay,
				      why, sizeof(why)), -1);
	assert_string_equal(why, "initrd of 300M does not fit in 256M of guest memory with the kernel (which needs 8M from 0x1000000; the initrd must end below 0x10000000)");
	/* initrd_addr_max, not memory, is what it runs into */
	info.initrd_addr_max = 0x017fffff;
	plan_ok(&info, 256 * MIB, 15 * MIB, 0, &lay);
	assert_int_equal(lay.initrd_addr, 1 * MIB);
	assert_int_equal(bzimage_plan(&info, 256 * MIB, 15 * MIB + 1, 0, &lay,
				      why, sizeof(why)), -1);
	assert_string_equal(why, "initrd of 15.0M does not fit in 256M of guest memory with the kernel (which needs 8M from 0x1000000; the initrd must end below 0x1800000)");
}

static void test_plan_memory_too_small(void **state)
{
	struct bzimage_info info;
	struct bzimage_layout lay;

	(void)state;
	parse_ok(&info);
	/* a relocatable kernel still runs at pref_address or above */
	assert_int_equal(bzimage_plan(&info, 24 * MIB - 1, 0, 0, &lay, why,
				      sizeof(why)), -1);
	assert_string_equal(why, "the kernel needs 8M of memory (init_size) from 0x1000000, but the guest has 23.9M");
	plan_ok(&info, 24 * MIB, 0, 0, &lay);
	assert_int_equal(lay.kernel_addr, 16 * MIB);
	info.pref_address = 0;
	info.init_size = 0x55800;
	assert_int_equal(bzimage_plan(&info, 2 * MIB, 0, 0, &lay, why,
				      sizeof(why)), -1);
	/* rounded up to whole pages */
	assert_string_equal(why, "the kernel needs 344K of memory (init_size) from 0x200000, but the guest has 2M");
	/* init_size smaller than the file: the file counts */
	info.init_size = 0;
	plan_ok(&info, 2 * MIB + KERNEL_BYTES, 0, 0, &lay);
	assert_int_equal(lay.kernel_addr, 2 * MIB);
}

static void test_plan_not_relocatable(void **state)
{
	struct bzimage_info info;
	struct bzimage_layout lay;

	(void)state;
	image[0x234] = 0;
	parse_ok(&info);
	assert_false(info.relocatable);
	assert_int_equal(bzimage_plan(&info, 20 * MIB, 0, 0, &lay, why,
				      sizeof(why)), -1);
	assert_string_equal(why, "not relocatable, and it wants 0x1000000 which is outside guest memory (it needs 8M there, the guest has 20M)");
	plan_ok(&info, 24 * MIB, 0, 0, &lay);
	assert_int_equal(lay.kernel_addr, 16 * MIB);
	info.pref_address = 0x10000;
	assert_int_equal(bzimage_plan(&info, 24 * MIB, 0, 0, &lay, why,
				      sizeof(why)), -1);
	assert_string_equal(why, "not relocatable, and it wants 0x10000 which is in low memory (below 1M)");
}

static void test_plan_cmdline_and_page_tables(void **state)
{
	struct bzimage_info info;
	struct bzimage_layout lay;

	(void)state;
	parse_ok(&info);
	assert_int_equal(bzimage_plan(&info, 256 * MIB, 0, 2048, &lay, why,
				      sizeof(why)), -1);
	assert_string_equal(why, "command line of 2048 bytes is longer than the kernel's cmdline_size of 2047");
	plan_ok(&info, 256 * MIB, 0, 2047, &lay);

	/* 1 TiB needs more page-directory pages than low memory holds */
	assert_int_equal(bzimage_pd_count(1024 * GIB), 1024);
	assert_int_equal(bzimage_pd_count(4 * GIB + 1), 5);
	assert_int_equal(bzimage_pd_count(0), 4);
	assert_int_equal(bzimage_plan(&info, 1024 * GIB, 0, 0, &lay, why,
				      sizeof(why)), -1);
	assert_string_equal(why, "guest memory of 1T needs 1026 pages of identity page tables; with a command line of 0 bytes they do not fit below 0x9f000");
	/* no overflow with absurd sizes */
	assert_int_equal(bzimage_plan(&info, UINT64_MAX, UINT64_MAX,
				      0, &lay, why, sizeof(why)), -1);
	info.init_size = UINT64_MAX;
	assert_int_equal(bzimage_plan(&info, 256 * MIB, 0, 0, &lay, why,
				      sizeof(why)), -1);
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_parse_valid),
		T(test_parse_setup_sects_zero_means_4),
		T(test_parse_bad_boot_flag),
		T(test_parse_no_hdrs),
		T(test_parse_old_protocol),
		T(test_parse_not_64bit),
		T(test_parse_zimage),
		T(test_parse_truncated_kernel),
		T(test_parse_huge_setup_sects),
		T(test_parse_tiny_file),
		T(test_parse_corrupt_fields),
		T(test_plan_default),
		T(test_plan_initrd_below_initrd_addr_max),
		T(test_plan_kernel_alignment),
		T(test_plan_initrd_below_kernel),
		T(test_plan_initrd_too_large),
		T(test_plan_memory_too_small),
		T(test_plan_not_relocatable),
		T(test_plan_cmdline_and_page_tables),
	};

	return cmocka_run_group_tests_name("bzimage", tests, NULL, NULL);
}
