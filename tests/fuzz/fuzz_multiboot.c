/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the Multiboot loader (vmm/load/multiboot.c). The
 * input is the kernel file. Whatever its header and program headers say,
 * mb_parse must stay inside the buffer and return segments inside guest
 * RAM; mb_plan must keep every area inside RAM and off the kernel; mb_load
 * must write only inside a small malloc'd guest memory (ASan watches both
 * ends), also when handed a layout garbled with bytes of the input. Any
 * violation abort()s, which libFuzzer reports.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/load/multiboot.h"
#include "tests/fuzz/fuzz_check.h"

#define MIB (1ull << 20)
#define GUEST_MEM (4 * MIB) /* small: most images must land low */

static const uint8_t mod_a[100] = { 0xaa };
static const uint8_t mod_b[5000] = { 0xbb };

static bool overlaps(uint64_t a, uint64_t al, uint64_t b, uint64_t bl)
{
	return al && bl && a < b + bl && b < a + al;
}

static void check_why(int r, const char *why, size_t n)
{
	CHECK(r == 0 || r == -1);
	if (r)
		CHECK(why[0] && strnlen(why, n) < n);
}

static void check_image(const struct mb_image *img, size_t size, uint64_t mem)
{
	bool entry_ok = false;

	CHECK(img->n_segments >= 1 && img->n_segments <= MB_MAX_SEGMENTS);
	for (unsigned i = 0; i < img->n_segments; i++) {
		const struct mb_segment *s = &img->segments[i];

		CHECK(s->file_size <= s->mem_size);
		CHECK(s->file_offset <= size && s->file_size <= size - s->file_offset);
		CHECK(s->addr < mem && s->mem_size <= mem - s->addr);
		CHECK(s->addr + s->mem_size <= img->kernel_end);
		for (unsigned j = 0; j < i; j++)
			CHECK(!overlaps(s->addr, s->mem_size, img->segments[j].addr,
					img->segments[j].mem_size));
		if (img->entry >= s->addr && img->entry - s->addr < s->mem_size)
			entry_ok = true;
	}
	CHECK(entry_ok);
}

static void check_layout(const struct mb_image *img, const struct mb_layout *lay,
			 uint64_t mem)
{
	CHECK(lay->area >= img->kernel_end && lay->area % 4096 == 0);
	CHECK(lay->area + lay->area_size <= mem);
	for (unsigned i = 0; i < lay->n_modules; i++) {
		CHECK(lay->mod_start[i] % 4096 == 0);
		CHECK(lay->mod_start[i] >= lay->stack_top);
		CHECK(lay->mod_start[i] + lay->mod_size[i] <= mem);
	}
}

/* Bytes of the input as a 64-bit word, for garbling a layout. */
static uint64_t input_word(const uint8_t *d, size_t n, size_t at)
{
	uint64_t v = 0;

	for (size_t i = 0; i < 8; i++)
		v = v << 8 | (n ? d[(at + i) % n] : 0);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t mems[] = { GUEST_MEM, 64 * MIB, 0xfeb00000ull };
	static uint8_t *mem;
	const struct mb_module mods[2] = {
		{ mod_a, sizeof(mod_a), "a.bin x=1" },
		{ mod_b, sizeof(mod_b), "b.bin" },
	};
	struct mb_image img;
	struct mb_layout lay, bad;
	char why[200];
	int r;

	if (!mem) {
		mem = malloc(GUEST_MEM);
		CHECK(mem);
	}
	uint8_t *image = malloc(size ? size : 1);
	CHECK(image);
	memcpy(image, data, size);

	for (size_t i = 0; i < sizeof(mems) / sizeof(mems[0]); i++) {
		memset(why, 0, sizeof(why));
		r = mb_parse(image, size, mems[i], &img, why, sizeof(why));
		check_why(r, why, sizeof(why));
		if (r)
			continue;
		check_image(&img, size, mems[i]);
		r = mb_plan(&img, mems[i], "k.elf", "a b", "Shale", mods, 2, &lay,
			    why, sizeof(why));
		check_why(r, why, sizeof(why));
		if (!r)
			check_layout(&img, &lay, mems[i]);
	}

	if (mb_parse(image, size, GUEST_MEM, &img, why, sizeof(why)) ||
	    mb_plan(&img, GUEST_MEM, "k.elf", "a b", "Shale", mods, 2, &lay, why,
		    sizeof(why)))
		goto out;
	/* A plan for this memory always loads into it. */
	r = mb_load(image, size, &img, &lay, mem, GUEST_MEM, "k.elf", "a b",
		    "Shale", mods, 2, why, sizeof(why));
	if (r)
		fprintf(stderr, "load: %s\n", why);
	CHECK(r == 0);
	CHECK(strcmp((char *)mem + lay.cmdline, "k.elf a b") == 0);
	CHECK(memcmp(mem + lay.mod_start[1], mod_b, sizeof(mod_b)) == 0);
	for (unsigned i = 0; i < img.n_segments; i++)
		CHECK(memcmp(mem + img.segments[i].addr,
			     image + img.segments[i].file_offset,
			     img.segments[i].file_size) == 0);

	/* A garbled layout is refused or stays inside memory (ASan). */
	bad = lay;
	bad.mod_start[input_word(data, size, 3) & 1] = input_word(data, size, 11) >> 40;
	bad.area = input_word(data, size, 19) >> 40;
	bad.stack_top = input_word(data, size, 27) >> 40;
	r = mb_load(image, size, &img, &bad, mem, GUEST_MEM, "k.elf", "a b",
		    "Shale", mods, 2, why, sizeof(why));
	check_why(r, why, sizeof(why));
out:
	free(image);
	return 0;
}
