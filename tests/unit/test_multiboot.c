/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for vmm/load/multiboot.c. Images are built here: an ELF32 and
 * an ELF64 file with a Multiboot header in their first segment, and a raw
 * image described by the header's address fields (flag 16).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/guest_ram.h"
#include "vmm/load/bzimage.h"
#include "vmm/load/multiboot.h"

#define MIB (1ull << 20)
#define MEM (16 * MIB)

static uint8_t image[16384];
static uint64_t image_size;
static uint8_t *mem;
static char why[256];

static void put(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A Multiboot header with a correct checksum at off. */
static void mb_header(uint64_t off, uint32_t flags)
{
	put(image + off, MB_HEADER_MAGIC, 4);
	put(image + off + 4, flags, 4);
	put(image + off + 8, -(MB_HEADER_MAGIC + flags), 4);
}

/* ELF32: two PT_LOAD segments, text (file 0x1000..0x1800 at 1M) and data
 * with BSS (file 0x2000..0x2100 at 1M + 0x2000, 0x1000 in memory). */
static void build_elf32(void)
{
	memset(image, 0, sizeof(image));
	memcpy(image, "\177ELF", 4);
	image[4] = 1, image[5] = 1, image[6] = 1;
	put(image + 16, 2, 2);        /* ET_EXEC */
	put(image + 18, 3, 2);        /* EM_386 */
	put(image + 24, MIB + 0x10, 4); /* e_entry */
	put(image + 28, 52, 4);       /* e_phoff */
	put(image + 42, 32, 2);
	put(image + 44, 2, 2);
	uint8_t *ph = image + 52;
	put(ph, 1, 4), put(ph + 4, 0x1000, 4), put(ph + 8, MIB, 4);
	put(ph + 12, MIB, 4), put(ph + 16, 0x800, 4), put(ph + 20, 0x800, 4);
	ph += 32;
	put(ph, 1, 4), put(ph + 4, 0x2000, 4), put(ph + 8, MIB + 0x2000, 4);
	put(ph + 12, MIB + 0x2000, 4), put(ph + 16, 0x100, 4);
	put(ph + 20, 0x1000, 4);
	mb_header(0x1000, MB_HF_PAGE_ALIGN | MB_HF_MEMORY_INFO);
	memset(image + 0x1010, 0xc3, 0x7f0);
	memset(image + 0x2000, 0xdd, 0x100);
	image_size = 0x2100;
}

/* ELF64, one segment at 2M from file 0x1000, entry 2M + 0x20. */
static void build_elf64(void)
{
	memset(image, 0, sizeof(image));
	memcpy(image, "\177ELF", 4);
	image[4] = 2, image[5] = 1, image[6] = 1;
	put(image + 16, 2, 2);
	put(image + 18, 62, 2);
	put(image + 24, 2 * MIB + 0x20, 8);
	put(image + 32, 64, 8);
	put(image + 54, 56, 2);
	put(image + 56, 1, 2);
	uint8_t *ph = image + 64;
	put(ph, 1, 4), put(ph + 8, 0x1000, 8), put(ph + 16, 2 * MIB, 8);
	put(ph + 24, 2 * MIB, 8), put(ph + 32, 0x400, 8), put(ph + 40, 0x3000, 8);
	mb_header(0x1000, 0);
	image_size = 0x1400;
}

/* Raw image: the file from 0 loads at 0x200000, header at file 0x40, 0x800
 * bytes loaded, BSS to 0x202000, entry 0x200100. */
static void build_raw(void)
{
	memset(image, 0x90, sizeof(image));
	mb_header(0x40, MB_HF_AOUT_KLUDGE);
	put(image + 0x40 + 12, 0x200040, 4);
	put(image + 0x40 + 16, 0x200000, 4);
	put(image + 0x40 + 20, 0x200800, 4);
	put(image + 0x40 + 24, 0x202000, 4);
	put(image + 0x40 + 28, 0x200100, 4);
	image_size = 0x1000;
}

static int setup(void **state)
{
	(void)state;
	mem = calloc(1, MEM);
	memset(mem, 0xee, MEM);
	why[0] = 0;
	return mem ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(mem);
	return 0;
}

static void parse_fails(const char *reason)
{
	struct mb_image img;

	assert_int_equal(mb_parse(image, image_size, MEM, &img, why, sizeof(why)), -1);
	assert_string_equal(why, reason);
}

static void test_elf32_segments(void **state)
{
	struct mb_image img;

	(void)state;
	build_elf32();
	assert_int_equal(mb_parse(image, image_size, MEM, &img, why, sizeof(why)), 0);
	assert_int_equal(img.format, MB_FORMAT_ELF32);
	assert_int_equal(img.header_offset, 0x1000);
	assert_int_equal(img.n_segments, 2);
	assert_int_equal(img.segments[1].addr, MIB + 0x2000);
	assert_int_equal(img.segments[1].file_size, 0x100);
	assert_int_equal(img.segments[1].mem_size, 0x1000);
	assert_int_equal(img.entry, MIB + 0x10);
	assert_int_equal(img.kernel_end, MIB + 0x3000);
}

static void test_elf64_and_virtual_entry(void **state)
{
	struct mb_image img;

	(void)state;
	build_elf64();
	assert_int_equal(mb_parse(image, image_size, MEM, &img, why, sizeof(why)), 0);
	assert_int_equal(img.format, MB_FORMAT_ELF64);
	assert_int_equal(img.entry, 2 * MIB + 0x20);
	/* Linked high (vaddr 0xC0200000), loaded at 2M: e_entry is virtual. */
	put(image + 64 + 16, 0xC0200000ull, 8);
	put(image + 24, 0xC0200020ull, 8);
	assert_int_equal(mb_parse(image, image_size, MEM, &img, why, sizeof(why)), 0);
	assert_int_equal(img.entry, 2 * MIB + 0x20);
}

static void test_raw_image(void **state)
{
	struct mb_image img;

	(void)state;
	build_raw();
	assert_int_equal(mb_parse(image, image_size, MEM, &img, why, sizeof(why)), 0);
	assert_int_equal(img.format, MB_FORMAT_AOUT_KLUDGE);
	assert_int_equal(img.n_segments, 1);
	assert_int_equal(img.segments[0].file_offset, 0);
	assert_int_equal(img.segments[0].file_size, 0x800);
	assert_int_equal(img.segments[0].mem_size, 0x2000);
	assert_int_equal(img.entry, 0x200100);
}

/* Flag 16 wins over the ELF program headers, as in GRUB and QEMU. */
static void test_flag16_beats_elf(void **state)
{
	struct mb_image img;
	uint8_t *h = image + 0x1000;

	(void)state;
	build_elf32();
	mb_header(0x1000, MB_HF_AOUT_KLUDGE);
	put(h + 12, 0x300000, 4);
	put(h + 16, 0x2ff000, 4); /* file 0 at 0x2ff000 */
	put(h + 20, 0, 4);        /* to the end of the file */
	put(h + 24, 0, 4);
	put(h + 28, 0x300010, 4);
	assert_int_equal(mb_parse(image, image_size, MEM, &img, why, sizeof(why)), 0);
	assert_int_equal(img.format, MB_FORMAT_AOUT_KLUDGE);
	assert_int_equal(img.segments[0].addr, 0x2ff000);
	assert_int_equal(img.segments[0].file_size, image_size);
	assert_int_equal(img.entry, 0x300010);
}

static void test_bad_images(void **state)
{
	(void)state;
	build_elf32();
	memset(image + 0x1000, 0, 12);
	parse_fails("not a Multiboot kernel: no header (magic 0x1BADB002) in the first 8K");
	/* A header past 8K does not count. */
	build_elf32();
	memset(image + 0x1000, 0, 12);
	memcpy(image + 0x2000, "\x02\xb0\xad\x1b", 4);
	parse_fails("not a Multiboot kernel: no header (magic 0x1BADB002) in the first 8K");
	build_elf32();
	image[0x1008] ^= 1;
	parse_fails("Multiboot header at 0x1000 has a bad checksum (magic + flags + checksum must be 0)");
	build_elf32();
	mb_header(0x1000, 1u << 5);
	parse_fails("the header requires features this loader does not know (flags 0x20)");
	build_elf32();
	image_size = 0x2080; /* the data segment's file bytes end at 0x2100 */
	parse_fails("truncated: the segment for 0x102000 needs file bytes 0x2000-0x2100 but the file has 8320");
	build_elf32();
	put(image + 52 + 32 + 12, MEM - 0x800, 4);
	parse_fails("segment at 0xfff800 (4096 bytes) is outside guest memory (0-0xffffff)");
	build_elf32();
	put(image + 52 + 12, 0xa0000, 4);
	parse_fails("segment at 0xa0000 (2048 bytes) is in the PC's reserved hole 0x9fc00-0xfffff (EBDA, VGA, BIOS): load it below or at 1M");
	build_elf32();
	put(image + 52 + 32 + 12, MIB + 0x400, 4);
	parse_fails("segment at 0x100400 (4096 bytes) overlaps the segment at 0x100000 (2048 bytes)");
	build_elf32();
	put(image + 24, 0x500000, 4);
	parse_fails("entry point 0x500000 is outside every loaded segment");
	build_elf32();
	put(image + 18, 62, 2);
	parse_fails("ELF32 for machine 62, not i386 (3)");
	build_elf32();
	image[4] = 3;
	parse_fails("not a little-endian ELF32 or ELF64 file (class 3, data 1)");
	build_elf32();
	image[0] = 0;
	parse_fails("neither an ELF file nor a Multiboot header with flag 16 (address fields)");
	build_raw();
	put(image + 0x40 + 28, 0x203000, 4);
	parse_fails("entry point 0x203000 is outside every loaded segment");
	build_raw();
	put(image + 0x40 + 20, 0x201800, 4); /* 0x1800 bytes from a 0x1000 file */
	put(image + 0x40 + 24, 0, 4);
	parse_fails("truncated: the segment for 0x200000 needs file bytes 0x0-0x1800 but the file has 4096");
	build_raw();
	put(image + 0x40 + 12, 0x300000, 4);
	parse_fails("corrupt header: header_addr 0x300000 and load_addr 0x200000 put the load start outside the file");
}

static const uint8_t mod1[] = "first module";
static const uint8_t mod2[5000] = { 1, 2, 3 };

static void test_plan_and_load(void **state)
{
	struct mb_image img;
	struct mb_layout lay;
	struct mb_module mods[2] = {
		{ mod1, sizeof(mod1), "one.bin  x=1" },
		{ mod2, sizeof(mod2), "two.bin" },
	};
	struct e820_entry e820[BZIMAGE_E820_DEFAULT_MAX];
	struct guest_ram ram;
	unsigned n;
	uint8_t *info, *mm, *md;

	(void)state;
	guest_ram_layout(MEM, &ram);
	n = bzimage_e820_default(&ram, e820);
	build_elf32();
	assert_int_equal(mb_parse(image, image_size, MEM, &img, why, sizeof(why)), 0);
	assert_int_equal(mb_plan(&img, MEM, "mb.elf", "a=1 b", "Shale 0.1", mods, 2,
				 &lay, why, sizeof(why)), 0);
	assert_true(lay.area >= img.kernel_end);
	assert_int_equal(lay.area % 4096, 0);
	assert_int_equal(lay.mod_start[0] % 4096, 0);
	assert_int_equal(lay.mod_start[1] % 4096, 0);
	assert_true(lay.mod_start[0] >= lay.stack_top);
	assert_true(lay.mod_start[1] >= lay.mod_start[0] + sizeof(mod1));
	assert_int_equal(mb_load(image, image_size, &img, &lay, mem, MEM, "mb.elf",
				 "a=1 b", "Shale 0.1", mods, 2, why, sizeof(why)), 0);

	/* Segments, with BSS zeroed over the 0xee filler. */
	assert_memory_equal(mem + MIB, image + 0x1000, 0x800);
	assert_int_equal(mem[MIB + 0x2000 + 0xff], 0xdd);
	assert_int_equal(mem[MIB + 0x2000 + 0x100], 0);
	assert_int_equal(mem[MIB + 0x2fff], 0);

	info = mem + lay.info;
	assert_int_equal(get32(info), MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MODS |
				      MB_INFO_MEM_MAP | MB_INFO_BOOT_LOADER_NAME);
	assert_int_equal(get32(info + 4), 639);
	assert_int_equal(get32(info + 8), (MEM - MIB) / 1024);
	assert_string_equal((char *)mem + get32(info + 16), "mb.elf a=1 b");
	assert_string_equal((char *)mem + get32(info + 64), "Shale 0.1");
	assert_int_equal(get32(info + 20), 2);
	md = mem + get32(info + 24);
	assert_int_equal(get32(md), lay.mod_start[0]);
	assert_int_equal(get32(md + 4), lay.mod_start[0] + sizeof(mod1));
	assert_string_equal((char *)mem + get32(md + 8), "one.bin  x=1");
	assert_memory_equal(mem + get32(md), mod1, sizeof(mod1));
	assert_int_equal(get32(md + 16 + 4) - get32(md + 16), sizeof(mod2));
	assert_memory_equal(mem + get32(md + 16), mod2, sizeof(mod2));
	assert_string_equal((char *)mem + get32(md + 16 + 8), "two.bin");

	/* The memory map is the e820 map a Linux guest of this size gets. */
	assert_int_equal(get32(info + 44), n * 24);
	mm = mem + get32(info + 48);
	for (unsigned i = 0; i < n; i++, mm += 24) {
		assert_int_equal(get32(mm), 20);
		assert_int_equal(get32(mm + 4) | (uint64_t)get32(mm + 8) << 32, e820[i].addr);
		assert_int_equal(get32(mm + 12) | (uint64_t)get32(mm + 16) << 32, e820[i].size);
		assert_int_equal(get32(mm + 20), e820[i].type);
	}
	/* GDT: null, flat 32-bit code at 0x08, flat data at 0x10. */
	assert_int_equal(get32(mem + lay.gdt), 0);
	assert_int_equal(get32(mem + lay.gdt + 8), 0x0000ffff);
	assert_int_equal(get32(mem + lay.gdt + 12), 0x00cf9b00);
	assert_int_equal(get32(mem + lay.gdt + 20), 0x00cf9300);
}

static void test_plan_no_args_no_modules(void **state)
{
	struct mb_image img;
	struct mb_layout lay;

	(void)state;
	build_raw();
	assert_int_equal(mb_parse(image, image_size, MEM, &img, why, sizeof(why)), 0);
	assert_int_equal(mb_plan(&img, MEM, "raw.bin", "", "Shale", NULL, 0, &lay,
				 why, sizeof(why)), 0);
	assert_int_equal(mb_load(image, image_size, &img, &lay, mem, MEM, "raw.bin", "",
				 "Shale", NULL, 0, why, sizeof(why)), 0);
	assert_string_equal((char *)mem + lay.cmdline, "raw.bin");
	assert_int_equal(get32(mem + lay.info) & MB_INFO_MODS, 0);
	assert_int_equal(lay.area, 0x202000);
}

static void test_module_does_not_fit(void **state)
{
	struct mb_image img;
	struct mb_layout lay;
	struct mb_module big = { mem, MEM - MIB, "big.bin" };

	(void)state;
	build_elf32();
	assert_int_equal(mb_parse(image, image_size, MEM, &img, why, sizeof(why)), 0);
	assert_int_equal(mb_plan(&img, MEM, "k", "", "Shale", &big, 1, &lay, why,
				 sizeof(why)), -1);
	assert_string_equal(why, "module 1 (\"big.bin\", 15728640 bytes) does not fit: it would start at 0x105000 in guest memory of 16384K");
}

/* A layout changed after planning fails before any write. */
static void test_load_rechecks(void **state)
{
	struct mb_image img;
	struct mb_layout lay, bad;
	struct mb_module m = { mod1, sizeof(mod1), "one.bin" };

	(void)state;
	build_elf32();
	assert_int_equal(mb_parse(image, image_size, MEM, &img, why, sizeof(why)), 0);
	assert_int_equal(mb_plan(&img, MEM, "k", "", "Shale", &m, 1, &lay, why,
				 sizeof(why)), 0);
	bad = lay;
	bad.mod_start[0] = MIB;
	assert_int_equal(mb_load(image, image_size, &img, &bad, mem, MEM, "k", "", "Shale",
				 &m, 1, why, sizeof(why)), -1);
	assert_string_equal(why, "module at 0x100000 overlaps the kernel's segment at 0x100000");
	bad = lay;
	bad.mod_start[0] = MEM - 4;
	assert_int_equal(mb_load(image, image_size, &img, &bad, mem, MEM, "k", "", "Shale",
				 &m, 1, why, sizeof(why)), -1);
	assert_int_equal(mb_load(image, image_size, &img, &lay, mem, MEM, "k", "a much longer command line",
				 "Shale", &m, 1, why, sizeof(why)), -1);
	assert_int_equal(mem[MIB], 0xee); /* nothing written */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_elf32_segments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elf64_and_virtual_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raw_image, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flag16_beats_elf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_images, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plan_and_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plan_no_args_no_modules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_module_does_not_fit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_rechecks, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
