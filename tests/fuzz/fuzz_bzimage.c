/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the bzImage loader (vmm/load/bzimage.c). The input
 * is the image file. Whatever its header says, bzimage_parse must stay
 * inside the buffer, bzimage_plan must return a layout that keeps every
 * promise of bzimage.h, and bzimage_load must write only inside a small
 * malloc'd guest memory (ASan watches both ends), also when handed a layout
 * garbled with bytes of the input. Any violation abort()s, which libFuzzer
 * reports.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/load/bzimage.h"
#include "tests/fuzz/fuzz_check.h"

#define MIB (1ull << 20)
#define GIB (1ull << 30)
#define GUEST_MEM (8 * MIB) /* small: most kernels must land low */
#define LOW_END 0x9f000ull
#define INITRD_SIZE 4096

static const char cmdline[] = "console=ttyS0 quiet";

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* why is a terminated, non-empty sentence on failure. */
static void check_why(int r, const char *why, size_t n)
{
	CHECK(r == 0 || r == -1);
	if (r)
		CHECK(why[0] && strnlen(why, n) < n);
}

static void check_info(const struct bzimage_info *info, size_t size)
{
	CHECK(info->version >= BZIMAGE_MIN_VERSION);
	CHECK(info->setup_size % 512 == 0);
	CHECK(info->setup_size >= 2 * 512 && info->setup_size <= 256 * 512);
	CHECK(info->kernel_offset == info->setup_size);
	CHECK(info->kernel_size > BZIMAGE_ENTRY_64_OFFSET);
	CHECK(info->kernel_offset + info->kernel_size <= size);
	CHECK(info->alignment && !(info->alignment & (info->alignment - 1)));
}

static void check_layout(const struct bzimage_info *info,
			 const struct bzimage_layout *lay, uint64_t mem,
			 uint64_t initrd_size, uint64_t cmdline_len)
{
	uint64_t need = max64(info->init_size, info->kernel_size);
	uint64_t top = mem < 4 * GIB ? mem : 4 * GIB;

	if ((uint64_t)info->initrd_addr_max + 1 < top)
		top = (uint64_t)info->initrd_addr_max + 1;
	CHECK(lay->entry == lay->kernel_addr + BZIMAGE_ENTRY_64_OFFSET);
	CHECK(lay->kernel_addr >= MIB);
	CHECK(need <= mem && lay->kernel_addr <= mem - need);
	if (info->relocatable) {
		CHECK(lay->kernel_addr % info->alignment == 0);
		/* below pref_address the kernel would move itself up */
		CHECK(lay->kernel_addr >= info->pref_address);
	} else
		CHECK(lay->kernel_addr == info->pref_address);
	CHECK(lay->initrd_size == initrd_size);
	if (initrd_size) {
		CHECK(lay->initrd_addr % 4096 == 0);
		CHECK(lay->initrd_addr >= MIB);
		CHECK(initrd_size <= top);
		CHECK(lay->initrd_addr <= top - initrd_size);
		CHECK(lay->initrd_addr + initrd_size <= lay->kernel_addr ||
		      lay->initrd_addr >= lay->kernel_addr + need);
	}
	CHECK(lay->gdt >= 0x1000 && lay->gdt + 32 <= LOW_END);
	CHECK(lay->boot_params >= 0x1000 && lay->boot_params + 4096 <= LOW_END);
	CHECK(lay->pagetables % 4096 == 0 && lay->pagetables >= 0x1000);
	CHECK(lay->pagetables + (2 + bzimage_pd_count(mem)) * 4096 <=
	      lay->cmdline);
	CHECK(lay->cmdline + cmdline_len + 1 <= LOW_END);
}

static uint64_t input_word(const uint8_t *data, size_t size, size_t at)
{
	uint64_t v = 0;

	for (size_t i = 0; i < 8 && size; i++)
		v = v << 8 | data[(at + i) % size];
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t mems[] = { GUEST_MEM, 64 * MIB, 5 * GIB,
					 1024 * GIB, UINT64_MAX };
	static uint8_t *mem;
	static uint8_t initrd[INITRD_SIZE];
	struct e820_entry e820[BZIMAGE_E820_DEFAULT_MAX];
	struct guest_ram ram;
	struct bzimage_info info;
	struct bzimage_layout lay, bad;
	char why[160];
	unsigned n_e820;
	int r;

	if (!mem) {
		mem = malloc(GUEST_MEM);
		CHECK(mem);
		memset(initrd, 0x17, sizeof(initrd));
	}
	/* Copied so that the image is exactly `size` bytes for ASan. */
	uint8_t *image = malloc(size ? size : 1);
	CHECK(image);
	memcpy(image, data, size);

	memset(why, 0, sizeof(why));
	r = bzimage_parse(image, size, &info, why, sizeof(why));
	check_why(r, why, sizeof(why));
	if (r)
		goto out;
	check_info(&info, size);

	for (size_t i = 0; i < sizeof(mems) / sizeof(mems[0]); i++) {
		uint64_t initrd_size = input_word(data, size, 0x300) >> 40;

		r = bzimage_plan(&info, mems[i], initrd_size,
				 sizeof(cmdline) - 1, &lay, why, sizeof(why));
		check_why(r, why, sizeof(why));
		if (!r)
			check_layout(&info, &lay, mems[i], initrd_size,
				     sizeof(cmdline) - 1);
	}

	r = bzimage_plan(&info, GUEST_MEM, INITRD_SIZE, sizeof(cmdline) - 1,
			 &lay, why, sizeof(why));
	if (r)
		goto out;
	check_layout(&info, &lay, GUEST_MEM, INITRD_SIZE, sizeof(cmdline) - 1);
	guest_ram_layout(GUEST_MEM, &ram);
	n_e820 = bzimage_e820_default(&ram, e820);
	/* A plan for this memory always loads into it. */
	r = bzimage_load(image, size, &info, &lay, mem, GUEST_MEM, initrd,
			 INITRD_SIZE, cmdline, e820, n_e820, 0xf0000, why,
			 sizeof(why));
	if (r)
		fprintf(stderr, "load: %s\n", why);
	CHECK(r == 0);
	CHECK(memcmp(mem + lay.kernel_addr, image + info.kernel_offset,
		     info.kernel_size) == 0);
	CHECK(memcmp(mem + lay.initrd_addr, initrd, INITRD_SIZE) == 0);
	CHECK(strcmp((char *)mem + lay.cmdline, cmdline) == 0);
	CHECK(memcmp(mem + lay.boot_params + 0x202, "HdrS", 4) == 0);
	CHECK(mem[lay.boot_params + 0x210] == 0xff);
	CHECK(mem[lay.boot_params + 0x1e8] == n_e820);

	/* A garbled layout must be refused or stay inside guest memory. */
	bad = lay;
	bad.kernel_addr ^= input_word(data, size, 1) >> (data[0] & 63);
	bad.entry = bad.kernel_addr + BZIMAGE_ENTRY_64_OFFSET;
	bad.boot_params ^= input_word(data, size, 9) >> (data[1 % size] & 63);
	bad.cmdline ^= input_word(data, size, 17) >> (data[2 % size] & 63);
	bad.initrd_addr ^= input_word(data, size, 25) >> (data[3 % size] & 63);
	bad.pagetables ^= (input_word(data, size, 33) >>
			   (data[4 % size] & 63)) & ~0xfffull;
	bad.gdt ^= input_word(data, size, 41) >> (data[5 % size] & 63);
	r = bzimage_load(image, size, &info, &bad, mem, GUEST_MEM, initrd,
			 INITRD_SIZE, cmdline, e820, n_e820, 0, why,
			 sizeof(why));
	check_why(r, why, sizeof(why));
out:
	free(image);
	return 0;
}
