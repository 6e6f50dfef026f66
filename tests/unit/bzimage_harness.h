/* SPDX-License-Identifier: MIT */
/*
 * The harness of vmm/load/bzimage.c's unit tests (test_bzimage.c,
 * test_bzimage_load.c). Every image is synthetic: a setup header written
 * field by field at the offsets of Linux Documentation/arch/x86/boot.rst,
 * followed by a patterned fake kernel, so a test can tell exactly which
 * bytes landed where.
 */
#ifndef SHALE_TESTS_BZIMAGE_HARNESS_H
#define SHALE_TESTS_BZIMAGE_HARNESS_H

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

static inline void put(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static inline uint64_t get(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static inline uint8_t kernel_byte(size_t i)
{
	return (uint8_t)(i * 7 + 3);
}

/* A 64-bit, relocatable, protocol 2.15 bzImage like a distribution's, only
 * tiny: SETUP_SECTS setup sectors, KERNEL_BYTES of kernel, 64 bytes of
 * trailing "signature" that syssize does not count. */
static inline void make_image(void)
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

static inline void parse_ok(struct bzimage_info *info)
{
	assert_int_equal(bzimage_parse(image, image_size, info, why,
				       sizeof(why)), 0);
}

static inline void parse_fails(const char *reason)
{
	struct bzimage_info info;

	assert_int_equal(bzimage_parse(image, image_size, &info, why,
				       sizeof(why)), -1);
	assert_string_equal(why, reason);
}

static inline int setup(void **state)
{
	(void)state;
	make_image();
	memset(why, 0, sizeof(why));
	return 0;
}

static inline void plan_ok(const struct bzimage_info *info, uint64_t mem,
		    uint64_t initrd, uint64_t cmdline_len,
		    struct bzimage_layout *lay)
{
	int r = bzimage_plan(info, mem, initrd, cmdline_len, lay, why,
			     sizeof(why));

	if (r)
		fail_msg("plan failed: %s", why);
}

#endif
