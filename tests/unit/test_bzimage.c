/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for vmm/load/bzimage.c. Every image here is synthetic: a
 * setup header written field by field at the offsets of Linux
 * Documentation/arch/x86/boot.rst, followed by a patterned fake kernel, so
 * a test can tell exactly which bytes landed where.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/load/bzimage.h"

#define KIB 1024ULL
#define MIB (1024 * KIB)
#define GIB (1024 * MIB)

#define SETUP_SECTS 3
#define SETUP_BYTES ((SETUP_SECTS + 1) * 512)
#define KERNEL_BYTES 0x3000
#define IMAGE_MAX (64 * KIB)
#define INIT_SIZE (8 * MIB)
#define GUEST_MEM (64 * MIB)

static uint8_t image[IMAGE_MAX];
static size_t image_size;
static char why[256];

static void put(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static uint8_t kernel_byte(size_t i)
{
	return (uint8_t)(i * 7 + 3);
}

/* A 64-bit, relocatable, protocol 2.15 bzImage like a distribution's, only
 * tiny: SETUP_SECTS setup sectors, KERNEL_BYTES of kernel, 64 bytes of
 * trailing "signature" that syssize does not count. */
static void make_image(void)
{
	memset(image, 0, sizeof(image));
	for (size_t i = 0; i < 0x1f1; i++)
		image[i] = 0xcc; /* boot sector junk */
	image[0x1f1] = SETUP_SECTS;
	put(image + 0x1f4, KERNEL_BYTES / 16, 4);
	put(image + 0x1fa, 0xffff, 2);                /* vid_mode */
	put(image + 0x1fe, 0xaa55, 2);
	image[0x200] = 0xeb;
	image[0x201] = 0x6a;                          /* header ends at 0x26c */
	memcpy(image + 0x202, "HdrS", 4);
	put(image + 0x206, 0x020f, 2);
	image[0x211] = 0x01;                          /* LOADED_HIGH */
	put(image + 0x214, 0x100000, 4);              /* code32_start */
	put(image + 0x22c, 0x7fffffff, 4);            /* initrd_addr_max */
	put(image + 0x230, 2 * MIB, 4);               /* kernel_alignment */
	image[0x234] = 1;                             /* relocatable_kernel */
	image[0x235] = 21;                            /* min_alignment */
	put(image + 0x236, 0x3, 2);                   /* KERNEL_64 | ABOVE_4G */
	put(image + 0x238, 2047, 4);                  /* cmdline_size */
	put(image + 0x248, 0x300, 4);                 /* payload_offset */
	put(image + 0x24c, 0x2000, 4);                /* payload_length */
	put(image + 0x258, 16 * MIB, 8);              /* pref_address */
	put(image + 0x260, INIT_SIZE, 4);             /* init_size */
	put(image + 0x264, 0x190, 4);                 /* handover_offset */
	put(image + 0x268, 0x1234, 4);                /* kernel_info_offset */
	for (size_t i = 0x26c; i < SETUP_BYTES; i++)
		image[i] = 0xdd; /* setup code */
	for (size_t i = 0; i < KERNEL_BYTES; i++)
		image[SETUP_BYTES + i] = kernel_byte(i);
	memset(image + SETUP_BYTES + KERNEL_BYTES, 0x5a, 64);
	image_size = SETUP_BYTES + KERNEL_BYTES + 64;
}

static void parse_ok(struct bzimage_info *info)
{
	assert_int_equal(bzimage_parse(image, image_size, info, why,
				       sizeof(why)), 0);
}

static void parse_fails(const char *reason)
{
	struct bzimage_info info;

	assert_int_equal(bzimage_parse(image, image_size, &info, why,
				       sizeof(why)), -1);
	assert_string_equal(why, reason);
}

static int setup(void **state)
{
	(void)state;
	make_image();
	memset(why, 0, sizeof(why));
	return 0;
}

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

static void plan_ok(const struct bzimage_info *info, uint64_t mem,
		    uint64_t initrd, uint64_t cmdline_len,
		    struct bzimage_layout *lay)
{
	int r = bzimage_plan(info, mem, initrd, cmdline_len, lay, why,
			     sizeof(why));

	if (r)
		fail_msg("plan failed: %s", why);
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

/* ---- load ---- */

struct guest {
	struct bzimage_info info;
	struct bzimage_layout lay;
	uint8_t *mem;
	struct e820_entry e820[3];
	unsigned n_e820;
	uint8_t initrd[8192];
};

static struct guest *guest_new(uint64_t initrd_size, uint64_t cmdline_len)
{
	struct guest *g = calloc(1, sizeof(*g));

	assert_non_null(g);
	g->mem = calloc(1, GUEST_MEM);
	assert_non_null(g->mem);
	parse_ok(&g->info);
	plan_ok(&g->info, GUEST_MEM, initrd_size, cmdline_len, &g->lay);
	g->n_e820 = bzimage_e820_default(GUEST_MEM, g->e820);
	for (size_t i = 0; i < sizeof(g->initrd); i++)
		g->initrd[i] = (uint8_t)(i ^ 0x3c);
	return g;
}

static void guest_free(struct guest *g)
{
	free(g->mem);
	free(g);
}

static int load(struct guest *g, uint64_t initrd_size, const char *cmdline)
{
	return bzimage_load(image, image_size, &g->info, &g->lay, g->mem,
			    GUEST_MEM, g->initrd, initrd_size, cmdline,
			    g->e820, g->n_e820, 0xf5a30, why, sizeof(why));
}

static bool mem_is_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void test_load_kernel_and_initrd(void **state)
{
	struct guest *g = guest_new(5000, 20);
	const uint8_t *k;

	(void)state;
	assert_int_equal(load(g, 5000, "console=ttyS0 quiet"), 0);
	k = g->mem + g->lay.kernel_addr;
	for (size_t i = 0; i < KERNEL_BYTES; i++)
		assert_int_equal(k[i], kernel_byte(i));
	/* the signature after syssize stays behind */
	assert_true(mem_is_zero(k + KERNEL_BYTES, 64));
	assert_memory_equal(g->mem + g->lay.initrd_addr, g->initrd, 5000);
	assert_string_equal((char *)g->mem + g->lay.cmdline,
			    "console=ttyS0 quiet");
	guest_free(g);
}

static void test_load_boot_params(void **state)
{
	struct guest *g = guest_new(5000, 20);
	const uint8_t *bp;

	(void)state;
	put(image + 0x250, 0xdeadbeef, 8); /* setup_data: the loader drops it */
	assert_int_equal(load(g, 5000, "console=ttyS0"), 0);
	bp = g->mem + g->lay.boot_params;
	/* zeroed outside the header; the sentinel at 0x1ef too */
	assert_true(mem_is_zero(bp, 0x70));
	assert_true(mem_is_zero(bp + 0x78, 0x1e8 - 0x78));
	assert_int_equal(bp[0x1ef], 0);
	assert_true(mem_is_zero(bp + 0x26c, 0x2d0 - 0x26c));
	/* the header is the image's, with the loader's fields on top */
	assert_int_equal(bp[0x1f1], SETUP_SECTS);
	assert_int_equal(get(bp + 0x1fe, 2), 0xaa55);
	assert_memory_equal(bp + 0x202, "HdrS", 4);
	assert_int_equal(get(bp + 0x206, 2), 0x020f);
	assert_int_equal(get(bp + 0x236, 2), 0x3);
	assert_int_equal(get(bp + 0x260, 4), INIT_SIZE);
	assert_int_equal(get(bp + 0x268, 4), 0x1234);
	assert_int_equal(bp[0x210], 0xff);              /* type_of_loader */
	assert_int_equal(bp[0x211], 0x81);              /* + CAN_USE_HEAP */
	assert_int_equal(get(bp + 0x224, 2), 0xde00);   /* heap_end_ptr */
	assert_int_equal(get(bp + 0x214, 4), 16 * MIB); /* code32_start */
	assert_int_equal(get(bp + 0x218, 4), g->lay.initrd_addr);
	assert_int_equal(get(bp + 0x21c, 4), 5000);
	assert_int_equal(get(bp + 0x228, 4), g->lay.cmdline);
	assert_int_equal(get(bp + 0x250, 8), 0);        /* setup_data */
	/* below 4 GiB the high halves are zero */
	assert_int_equal(get(bp + 0x0c0, 4), 0);
	assert_int_equal(get(bp + 0x0c4, 4), 0);
	assert_int_equal(get(bp + 0x0c8, 4), 0);
	assert_int_equal(get(bp + 0x070, 8), 0xf5a30);  /* acpi_rsdp_addr */
	guest_free(g);
}

static void test_load_no_initrd_no_rsdp(void **state)
{
	struct guest *g = guest_new(0, 0);
	const uint8_t *bp;

	(void)state;
	g->lay.initrd_addr = 0x12345000; /* ignored: size 0 */
	assert_int_equal(bzimage_load(image, image_size, &g->info, &g->lay,
				      g->mem, GUEST_MEM, NULL, 0, NULL,
				      g->e820, g->n_e820, 0, why,
				      sizeof(why)), 0);
	bp = g->mem + g->lay.boot_params;
	assert_int_equal(get(bp + 0x218, 4), 0);
	assert_int_equal(get(bp + 0x21c, 4), 0);
	assert_int_equal(get(bp + 0x070, 8), 0);
	assert_int_equal(g->mem[g->lay.cmdline], 0);
	guest_free(g);
}

static void test_load_e820(void **state)
{
	struct guest *g = guest_new(0, 0);
	struct e820_entry many[BZIMAGE_E820_MAX + 1];
	const uint8_t *bp = g->mem + g->lay.boot_params;

	(void)state;
	assert_int_equal(g->n_e820, 3);
	assert_int_equal(load(g, 0, ""), 0);
	assert_int_equal(bp[0x1e8], 3);
	assert_memory_equal(bp + 0x2d0, g->e820, 3 * 20);
	/* the exact wire format: addr, size, type, packed */
	assert_int_equal(get(bp + 0x2d0 + 20 * 2, 8), 1 * MIB);
	assert_int_equal(get(bp + 0x2d0 + 20 * 2 + 8, 8), GUEST_MEM - 1 * MIB);
	assert_int_equal(get(bp + 0x2d0 + 20 * 2 + 16, 4), E820_RAM);
	assert_int_equal(get(bp + 0x2d0 + 20 * 1 + 16, 4), E820_RESERVED);
	assert_true(mem_is_zero(bp + 0x2d0 + 3 * 20, 20));

	for (unsigned i = 0; i < BZIMAGE_E820_MAX + 1; i++)
		many[i] = (struct e820_entry){ i * 4096, 4096, E820_RESERVED };
	many[BZIMAGE_E820_MAX - 1] =
		(struct e820_entry){ 1 * MIB, GUEST_MEM - MIB, E820_RAM };
	assert_int_equal(bzimage_load(image, image_size, &g->info, &g->lay,
				      g->mem, GUEST_MEM, NULL, 0, "",
				      many, BZIMAGE_E820_MAX, 0, why,
				      sizeof(why)), 0);
	assert_int_equal(bp[0x1e8], 128);
	assert_int_equal(get(bp + 0x2d0 + 127 * 20, 8), 1 * MIB);
	assert_int_equal(bzimage_load(image, image_size, &g->info, &g->lay,
				      g->mem, GUEST_MEM, NULL, 0, "", many,
				      BZIMAGE_E820_MAX + 1, 0, why,
				      sizeof(why)), -1);
	assert_string_equal(why, "e820 map of 129 entries: the zero page takes 1 to 128");
	assert_int_equal(bzimage_load(image, image_size, &g->info, &g->lay,
				      g->mem, GUEST_MEM, NULL, 0, "", many, 0,
				      0, why, sizeof(why)), -1);
	guest_free(g);
}

static void test_load_e820_must_cover(void **state)
{
	struct guest *g = guest_new(5000, 0);

	(void)state;
	/* RAM ends before the initrd: refused, nothing written */
	g->e820[2].size = g->lay.initrd_addr - 1 * MIB;
	assert_int_equal(load(g, 5000, ""), -1);
	assert_non_null(strstr(why, "initrd at 0x"));
	assert_non_null(strstr(why, "is not RAM in the e820 map"));
	g->e820[2].size = 8 * MIB;
	assert_int_equal(load(g, 5000, ""), -1);
	assert_string_equal(why, "kernel at 0x1000000 (8388608 bytes) is not RAM in the e820 map");
	assert_true(mem_is_zero(g->mem, GUEST_MEM));
	guest_free(g);
}

static void test_load_cmdline_limit(void **state)
{
	struct guest *g = guest_new(0, 2047);
	char line[2049];

	(void)state;
	memset(line, 'x', 2048);
	line[2048] = 0;
	assert_int_equal(load(g, 0, line), -1);
	assert_string_equal(why, "command line of 2048 bytes is longer than the kernel's cmdline_size of 2047");
	assert_true(mem_is_zero(g->mem, GUEST_MEM));
	line[2047] = 0;
	assert_int_equal(load(g, 0, line), 0);
	assert_int_equal(strlen((char *)g->mem + g->lay.cmdline), 2047);
	guest_free(g);
}

/* Walk the 4-level tables as the CPU would; returns the physical address,
 * or ~0 if not mapped. */
static uint64_t walk(const uint8_t *mem, uint64_t cr3, uint64_t va)
{
	uint64_t e = get(mem + cr3 + ((va >> 39) & 511) * 8, 8);

	if (!(e & 1))
		return ~0ull;
	e = get(mem + (e & 0xffffffffff000ull) + ((va >> 30) & 511) * 8, 8);
	if (!(e & 1))
		return ~0ull;
	e = get(mem + (e & 0xffffffffff000ull) + ((va >> 21) & 511) * 8, 8);
	if (!(e & 1) || !(e & 2) || !(e & 0x80))
		return ~0ull;
	return (e & 0xfffffffe00000ull) | (va & 0x1fffff);
}

static void test_load_identity_map(void **state)
{
	struct guest *g = guest_new(5000, 10);
	const uint64_t probes[] = { 0, 0x2000, 16 * MIB + 0x200, GUEST_MEM - 1,
				    3 * GIB + 12345, 4 * GIB - 1 };

	(void)state;
	assert_int_equal(load(g, 5000, "root=/dev/x"), 0);
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		assert_int_equal(walk(g->mem, g->lay.pagetables, probes[i]),
				 probes[i]);
	/* 4 GiB and up is not mapped for a 64 MiB guest */
	assert_int_equal(walk(g->mem, g->lay.pagetables, 4 * GIB), ~0ull);
	/* PML4 has exactly one entry: the PDPT right after it */
	assert_int_equal(get(g->mem + g->lay.pagetables, 8),
			 (g->lay.pagetables + 0x1000) | 3);
	assert_true(mem_is_zero(g->mem + g->lay.pagetables + 8, 4096 - 8));
	guest_free(g);
}

static void test_load_gdt(void **state)
{
	struct guest *g = guest_new(0, 0);
	uint64_t code, data;

	(void)state;
	assert_int_equal(load(g, 0, ""), 0);
	assert_int_equal(get(g->mem + g->lay.gdt, 8), 0);
	assert_int_equal(get(g->mem + g->lay.gdt + 8, 8), 0);
	code = get(g->mem + g->lay.gdt + BZIMAGE_BOOT_CS, 8);
	data = get(g->mem + g->lay.gdt + BZIMAGE_BOOT_DS, 8);
	/* code: present, DPL 0, S, execute/read, L=1, D=0 */
	assert_int_equal((code >> 47) & 1, 1);
	assert_int_equal((code >> 45) & 3, 0);
	assert_int_equal((code >> 44) & 1, 1);
	assert_int_equal((code >> 40) & 0xe, 0xa);
	assert_int_equal((code >> 53) & 1, 1);
	assert_int_equal((code >> 54) & 1, 0);
	/* data: present, writable, 4 GiB flat */
	assert_int_equal((data >> 47) & 1, 1);
	assert_int_equal((data >> 40) & 0xe, 0x2);
	assert_int_equal(data & 0xffff, 0xffff);
	assert_int_equal((data >> 55) & 1, 1);
	assert_int_equal(BZIMAGE_GDT_LIMIT, 31);
	guest_free(g);
}

static void test_load_rejects_bad_layout(void **state)
{
	struct guest *g = guest_new(5000, 0);
	struct bzimage_layout good = g->lay;

	(void)state;
	g->lay.initrd_addr = good.kernel_addr + 4096;
	assert_int_equal(load(g, 5000, ""), -1);
	assert_string_equal(why, "initrd at 0x1001000 overlaps kernel at 0x1000000");
	g->lay = good;
	g->lay.cmdline = GUEST_MEM - 1;
	assert_int_equal(load(g, 5000, "ab"), -1);
	assert_string_equal(why, "command line at 0x3ffffff (3 bytes) is outside guest memory of 64M");
	g->lay = good;
	g->lay.kernel_addr += 4096;
	g->lay.entry += 4096;
	assert_int_equal(load(g, 5000, ""), -1);
	assert_string_equal(why, "kernel at 0x1001000 is not aligned to kernel_alignment 0x200000");
	g->lay = good;
	g->lay.kernel_addr -= 2 * MIB; /* it would run at 16M regardless */
	g->lay.entry -= 2 * MIB;
	assert_int_equal(load(g, 5000, ""), -1);
	assert_string_equal(why, "kernel at 0xe00000 is below its pref_address 0x1000000");
	g->lay = good;
	g->lay.entry = good.kernel_addr;
	assert_int_equal(load(g, 5000, ""), -1);
	g->lay = good;
	g->lay.pagetables = 0x3800;
	assert_int_equal(load(g, 5000, ""), -1);
	g->lay = good;
	g->lay.boot_params = UINT64_MAX - 100;
	assert_int_equal(load(g, 5000, ""), -1);
	g->lay = good;
	assert_int_equal(load(g, 4999, ""), -1);
	assert_string_equal(why, "initrd of 4999 bytes, but the layout was planned for 5000");
	/* an info that does not belong to this image */
	g->info.kernel_size = image_size;
	assert_int_equal(load(g, 5000, ""), -1);
	assert_true(mem_is_zero(g->mem, GUEST_MEM));
	guest_free(g);
}

static void test_load_header_copy_capped(void **state)
{
	struct guest *g = guest_new(0, 0);
	const uint8_t *bp = g->mem + g->lay.boot_params;

	(void)state;
	image[0x201] = 0xff; /* claims a header up to 0x301 */
	for (size_t i = 0x26c; i < 0x400; i++)
		image[i] = 0xee;
	assert_int_equal(load(g, 0, ""), 0);
	assert_int_equal(bp[0x28f], 0xee);
	/* edd_mbr_sig_buffer and the e820 table stay the loader's */
	assert_true(mem_is_zero(bp + 0x290, 0x2d0 - 0x290));
	assert_int_equal(bp[0x1e8], 3);
	guest_free(g);
}

static void test_e820_default(void **state)
{
	struct e820_entry e[3];

	(void)state;
	assert_int_equal(bzimage_e820_default(256 * MIB, e), 3);
	assert_int_equal(e[0].addr, 0);
	assert_int_equal(e[0].size, 0x9fc00);
	assert_int_equal(e[0].type, E820_RAM);
	assert_int_equal(e[1].addr, 0x9fc00);
	assert_int_equal(e[1].addr + e[1].size, 1 * MIB);
	assert_int_equal(e[1].type, E820_RESERVED);
	assert_int_equal(e[2].addr, 1 * MIB);
	assert_int_equal(e[2].size, 255 * MIB);
	assert_int_equal(bzimage_e820_default(512 * KIB, e), 1);
	assert_int_equal(e[0].size, 512 * KIB);
	assert_int_equal(bzimage_e820_default(1 * MIB, e), 2);
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
		T(test_load_kernel_and_initrd),
		T(test_load_boot_params),
		T(test_load_no_initrd_no_rsdp),
		T(test_load_e820),
		T(test_load_e820_must_cover),
		T(test_load_cmdline_limit),
		T(test_load_identity_map),
		T(test_load_gdt),
		T(test_load_rejects_bad_layout),
		T(test_load_header_copy_capped),
		T(test_e820_default),
	};

	return cmocka_run_group_tests_name("bzimage", tests, NULL, NULL);
}
