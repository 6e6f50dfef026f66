/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for vmm/load/bzimage.c: loading into guest memory: kernel, initrd, boot_params, e820, page tables, GDT. The harness is in
 * bzimage_harness.h.
 */
#include "tests/unit/bzimage_harness.h"

struct guest {
	struct bzimage_info info;
	struct bzimage_layout lay;
	uint8_t *mem;
	struct e820_entry e820[BZIMAGE_E820_DEFAULT_MAX];
	unsigned n_e820;
	uint8_t initrd[8192];
};

static unsigned e820_of(uint64_t size, struct e820_entry *out)
{
	struct guest_ram ram;

	guest_ram_layout(size, &ram);
	return bzimage_e820_default(&ram, out);
}

static struct guest *guest_new(uint64_t initrd_size, uint64_t cmdline_len)
{
	struct guest *g = calloc(1, sizeof(*g));

	assert_non_null(g);
	g->mem = calloc(1, GUEST_MEM);
	assert_non_null(g->mem);
	parse_ok(&g->info);
	plan_ok(&g->info, GUEST_MEM, initrd_size, cmdline_len, &g->lay);
	g->n_e820 = e820_of(GUEST_MEM, g->e820);
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

/* What every default map must be: ascending, not overlapping, nothing in
 * the MMIO hole [3G, 4G), and RAM entries adding up to the guest's RAM
 * less what the BIOS area below 1 MiB takes. */
static void check_e820(uint64_t size, const struct e820_entry *e, unsigned n)
{
	uint64_t ram = 0, bios = 0;

	assert_true(n >= 1 && n <= BZIMAGE_E820_DEFAULT_MAX);
	for (unsigned i = 0; i < n; i++) {
		assert_true(e[i].size > 0);
		assert_true(e[i].addr + e[i].size <= 3 * GIB || e[i].addr >= 4 * GIB);
		if (i)
			assert_true(e[i].addr >= e[i - 1].addr + e[i - 1].size);
		if (e[i].type == E820_RAM)
			ram += e[i].size;
		else
			bios += e[i].size;
	}
	assert_int_equal(ram + bios, size > 1 * MIB ? size : size <= 0x9fc00 ? size : 1 * MIB);
}

static void test_e820_default(void **state)
{
	static const struct {
		uint64_t size;
		unsigned n;
		uint64_t high; /* RAM from 4 GiB */
	} cases[] = {
		{ 512 * KIB, 1, 0 },
		{ 1 * MIB, 2, 0 },
		{ 256 * MIB, 3, 0 },
		{ 3 * GIB, 3, 0 },                   /* exactly the boundary */
		{ 3 * GIB + 4 * KIB, 4, 4 * KIB },   /* one page past it */
		{ 4 * GIB - 1 * MIB, 4, 1 * GIB - 1 * MIB },
		{ 4200 * MIB, 4, 1128 * MIB },
		{ 6 * GIB, 4, 3 * GIB },
	};
	struct e820_entry e[BZIMAGE_E820_DEFAULT_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned n = e820_of(cases[i].size, e);
		uint64_t low = cases[i].size - cases[i].high;

		assert_int_equal(n, cases[i].n);
		check_e820(cases[i].size, e, n);
		assert_int_equal(e[0].addr, 0);
		assert_int_equal(e[0].size, low < 0x9fc00 ? low : 0x9fc00);
		assert_int_equal(e[0].type, E820_RAM);
		if (n >= 2) {
			assert_int_equal(e[1].addr, 0x9fc00);
			assert_int_equal(e[1].addr + e[1].size, 1 * MIB);
			assert_int_equal(e[1].type, E820_RESERVED);
		}
		if (n >= 3) {
			assert_int_equal(e[2].addr, 1 * MIB);
			assert_int_equal(e[2].addr + e[2].size, low);
			assert_int_equal(e[2].type, E820_RAM);
		}
		if (cases[i].high) {
			assert_int_equal(e[3].addr, 4 * GIB);
			assert_int_equal(e[3].size, cases[i].high);
			assert_int_equal(e[3].type, E820_RAM);
		}
	}
}

/* A guest larger than 3 GiB: the loader writes only below 4 GiB (here a
 * 64 MiB stand-in for the RAM from 0), and the zero page carries the
 * map with the RAM from 4 GiB. */
static void test_load_e820_high(void **state)
{
	struct guest *g = guest_new(5000, 0);
	const uint8_t *bp = g->mem + g->lay.boot_params;

	(void)state;
	g->n_e820 = e820_of(4200 * MIB, g->e820);
	assert_int_equal(g->n_e820, 4);
	assert_int_equal(load(g, 5000, ""), 0);
	assert_int_equal(bp[0x1e8], 4);
	assert_int_equal(get(bp + 0x2d0 + 20 * 3, 8), 4 * GIB);
	assert_int_equal(get(bp + 0x2d0 + 20 * 3 + 8, 8), 1128 * MIB);
	assert_int_equal(get(bp + 0x2d0 + 20 * 3 + 16, 4), E820_RAM);
	assert_int_equal(get(bp + 0x2d0 + 20 * 2 + 8, 8), 3 * GIB - 1 * MIB);
	assert_true(mem_is_zero(bp + 0x2d0 + 4 * 20, 20));
	guest_free(g);
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
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
		T(test_load_e820_high),
	};

	return cmocka_run_group_tests_name("bzimage_load", tests, NULL, NULL);
}
