/* SPDX-License-Identifier: MIT */
/*
 * Linux bzImage loader, 64-bit boot protocol: Linux
 * Documentation/arch/x86/boot.rst and Documentation/arch/x86/zero-page.rst.
 * The image, its header and the layout are all treated as hostile: every
 * offset is checked against what it indexes before use, and arithmetic on
 * header values is done in 64 bits with overflow checks.
 */
#include <stdarg.h>

#include "lib/printf.h"
#include "lib/string.h"
#include "vmm/load/bzimage.h"
#include "vmm/load/fields.h"

/* Setup header (boot.rst, "The Real-Mode Kernel Header"): the same
 * offsets in the image and in the zero page. */
#define HDR_SETUP_SECTS 0x1f1
#define HDR_SYSSIZE 0x1f4
#define HDR_BOOT_FLAG 0x1fe
#define HDR_JUMP 0x200
#define HDR_HEADER 0x202
#define HDR_VERSION 0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS 0x211
#define HDR_CODE32_START 0x214
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE 0x21c
#define HDR_HEAP_END_PTR 0x224
#define HDR_CMD_LINE_PTR 0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE_KERNEL 0x234
#define HDR_XLOADFLAGS 0x236
#define HDR_CMDLINE_SIZE 0x238
#define HDR_PAYLOAD_OFFSET 0x248
#define HDR_PAYLOAD_LENGTH 0x24c
#define HDR_SETUP_DATA 0x250
#define HDR_PREF_ADDRESS 0x258
#define HDR_INIT_SIZE 0x260
/* The last field this loader reads ends here: a shorter header is corrupt. */
#define HDR_MIN_END 0x264
/* The zero page's edd_mbr_sig_buffer starts here: the header never grows
 * past it, so the copy into the zero page stops there too. */
#define HDR_MAX_END 0x290

#define BOOT_FLAG_MAGIC 0xaa55
#define HDRS_MAGIC "HdrS"
#define SECTOR_SIZE 512
#define SETUP_SECTS_DEFAULT 4 /* setup_sects 0 means 4 */
#define LOADED_HIGH (1u << 0)
#define CAN_USE_HEAP (1u << 7)
#define XLF_KERNEL_64 (1u << 0)
#define TYPE_OF_LOADER_UNDEFINED 0xff
/* boot.rst suggests the setup heap end at 0xe000 (heap_end_ptr is stored
 * minus 0x200). Only the 16-bit setup code reads it, which the 64-bit entry
 * skips; it is set so the header reads as a modern loader's would. */
#define HEAP_END 0xe000

/* Zero page (zero-page.rst). */
#define BP_SIZE 0x1000
#define BP_ACPI_RSDP_ADDR 0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_E820_TABLE 0x2d0

_Static_assert(sizeof(struct e820_entry) == 20, "boot_e820_entry is 20 bytes");
_Static_assert(BP_E820_TABLE + BZIMAGE_E820_MAX * 20 <= BP_SIZE,
	       "the e820 table fits in the zero page");

/* Guest-physical plan for low memory; see bzimage.h. */
#define PAGE_SIZE 0x1000ull
#define LOW_GDT 0x1000ull
#define LOW_BOOT_PARAMS 0x2000ull
#define LOW_PAGETABLES 0x3000ull
#define LOW_END 0x9f000ull          /* the EBDA may start here */
#define KERNEL_MIN_ADDR 0x100000ull /* above the BIOS area */
#define GIB (1ull << 30)
#define MAX_32BIT (4 * GIB)
#define PD_MAX 512 /* one PDPT: 512 GiB */

#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_PS (1ull << 7)
#define PAGE_2M (1ull << 21)
/* Flat 4 GiB descriptors, accessed bit preset so the CPU never writes the
 * GDT (Intel SDM Vol. 3A 3.4.5): code 64-bit (L=1), data read/write. */
#define GDT_CODE64 0x00af9b000000ffffull
#define GDT_DATA 0x00cf93000000ffffull


/* [addr, addr + len) lies inside [0, limit), without overflowing. */
static bool range_ok(uint64_t addr, uint64_t len, uint64_t limit)
{
	return len <= limit && addr <= limit - len;
}

#define ULL(x) ((unsigned long long)(x)) /* for %llu and %llx */

static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* Round up to a power of two; saturates instead of wrapping, so a huge
 * value stays too big to fit anywhere. */
static uint64_t align_up(uint64_t v, uint64_t align)
{
	if (v > UINT64_MAX - (align - 1))
		return UINT64_MAX & ~(align - 1);
	return (v + align - 1) & ~(align - 1);
}

/* "256M", "1.5G", "4K" or "700 bytes", for error messages. */
static const char *size_str(char buf[32], uint64_t n)
{
	for (unsigned shift = 40; shift >= 10; shift -= 10) {
		uint64_t u = 1ull << shift;
		char unit = "KMGT"[shift / 10 - 1];

		if (n < u)
			continue;
		if (n % u)
			ksnprintf(buf, 32, "%llu.%llu%c", ULL(n >> shift),
				  ULL((n % u) * 10 / u), unit);
		else
			ksnprintf(buf, 32, "%llu%c", ULL(n >> shift), unit);
		return buf;
	}
	ksnprintf(buf, 32, "%llu bytes", ULL(n));
	return buf;
}

/* End of the setup header: boot.rst puts it at 0x202 plus the byte at
 * 0x201 (the operand of the short jump at 0x200). Capped at HDR_MAX_END;
 * 0 if the image is too short or the header ends before HDR_MIN_END. */
static uint64_t header_end(const uint8_t *p, uint64_t size)
{
	uint64_t end;

	if (size < HDR_MIN_END)
		return 0;
	end = HDR_HEADER + (uint64_t)p[HDR_JUMP + 1];
	if (end < HDR_MIN_END)
		return 0;
	return min64(min64(end, HDR_MAX_END), size);
}

int bzimage_parse(const void *image, uint64_t size, struct bzimage_info *info,
		  char *why, size_t why_size)
{
	const uint8_t *p = image;
	uint64_t setup_size, rest, kernel_size, payload_end;
	uint32_t alignment;
	uint16_t version;
	unsigned sects;

	if (!image || !info)
		return fail(why, why_size, "no image");
	if (size < HDR_MIN_END)
		return fail(why, why_size,
			    "truncated: %llu bytes is too small for a bzImage setup header (needs 0x%x)",
			    ULL(size), HDR_MIN_END);
	if (get16(p + HDR_BOOT_FLAG) != BOOT_FLAG_MAGIC)
		return fail(why, why_size,
			    "not a Linux kernel: no boot_flag 0xAA55 at 0x%x",
			    HDR_BOOT_FLAG);
	if (memcmp(p + HDR_HEADER, HDRS_MAGIC, 4) != 0)
		return fail(why, why_size,
			    "not a Linux kernel: no \"HdrS\" magic at 0x%x",
			    HDR_HEADER);
	version = get16(p + HDR_VERSION);
	if (version < BZIMAGE_MIN_VERSION)
		return fail(why, why_size,
			    "boot protocol %u.%02u is too old: the 64-bit entry needs %u.%02u or later",
			    version >> 8, version & 0xff,
			    BZIMAGE_MIN_VERSION >> 8,
			    BZIMAGE_MIN_VERSION & 0xff);
	if (!header_end(p, size))
		return fail(why, why_size,
			    "corrupt header: the setup header ends at 0x%x, before init_size at 0x%x",
			    HDR_HEADER + p[HDR_JUMP + 1], HDR_INIT_SIZE);
	if (!(p[HDR_LOADFLAGS] & LOADED_HIGH))
		return fail(why, why_size,
			    "not a bzImage (loadflags has no LOADED_HIGH): zImage kernels are not supported");
	if (!(get16(p + HDR_XLOADFLAGS) & XLF_KERNEL_64))
		return fail(why, why_size,
			    "not a 64-bit kernel (xloadflags has no XLF_KERNEL_64)");

	sects = p[HDR_SETUP_SECTS] ? p[HDR_SETUP_SECTS] : SETUP_SECTS_DEFAULT;
	setup_size = (uint64_t)(sects + 1) * SECTOR_SIZE;
	if (setup_size > size)
		return fail(why, why_size,
			    "truncated: the header says %u setup sectors (%llu bytes) but the file has %llu",
			    sects, ULL(setup_size), ULL(size));
	rest = size - setup_size;
	/* syssize counts 16-byte paragraphs; anything after them (a PE
	 * signature, padding) is not part of the kernel. */
	kernel_size = (uint64_t)get32(p + HDR_SYSSIZE) * 16;
	if (kernel_size > rest)
		return fail(why, why_size,
			    "truncated: the header says %llu bytes of kernel but the file has %llu",
			    ULL(kernel_size), ULL(rest));
	if (kernel_size <= BZIMAGE_ENTRY_64_OFFSET)
		return fail(why, why_size,
			    "corrupt header: a kernel of %llu bytes (syssize) cannot hold the 64-bit entry at 0x%x",
			    ULL(kernel_size), BZIMAGE_ENTRY_64_OFFSET);
	payload_end = (uint64_t)get32(p + HDR_PAYLOAD_OFFSET) +
		      get32(p + HDR_PAYLOAD_LENGTH);
	if (get32(p + HDR_PAYLOAD_LENGTH) && payload_end > kernel_size)
		return fail(why, why_size,
			    "truncated: the compressed payload ends at %llu but the kernel is %llu bytes",
			    ULL(payload_end), ULL(kernel_size));
	alignment = get32(p + HDR_KERNEL_ALIGNMENT);
	if (!alignment || (alignment & (alignment - 1)))
		return fail(why, why_size,
			    "corrupt header: kernel_alignment 0x%x is not a power of two",
			    alignment);

	info->version = version;
	info->setup_size = (uint32_t)setup_size;
	info->kernel_offset = setup_size;
	info->kernel_size = kernel_size;
	info->init_size = get32(p + HDR_INIT_SIZE);
	info->alignment = alignment;
	info->pref_address = get64(p + HDR_PREF_ADDRESS);
	info->relocatable = p[HDR_RELOCATABLE_KERNEL] != 0;
	info->initrd_addr_max = get32(p + HDR_INITRD_ADDR_MAX);
	info->cmdline_size = get32(p + HDR_CMDLINE_SIZE);
	return 0;
}

uint64_t bzimage_pd_count(uint64_t mem_size)
{
	uint64_t n = mem_size / GIB + (mem_size % GIB != 0);

	return max64(n, MAX_32BIT / GIB);
}

/* Memory the kernel claims from its load address: init_size, or the file
 * size if a hostile header says less. */
static uint64_t kernel_need(const struct bzimage_info *info)
{
	return align_up(max64(info->init_size, info->kernel_size), PAGE_SIZE);
}

/* The initrd as high as it can go below top, above the kernel; else below
 * the kernel, above 1 MiB. */
static bool place_initrd(uint64_t kaddr, uint64_t kneed, uint64_t size,
			 uint64_t top, uint64_t *addr)
{
	uint64_t kend = kaddr + kneed, lim, a;

	if (!size) {
		*addr = 0;
		return true;
	}
	if (size <= top) {
		a = (top - size) & ~(PAGE_SIZE - 1);
		if (a >= kend) {
			*addr = a;
			return true;
		}
	}
	lim = min64(top, kaddr);
	if (size <= lim) {
		a = (lim - size) & ~(PAGE_SIZE - 1);
		if (a >= KERNEL_MIN_ADDR) {
			*addr = a;
			return true;
		}
	}
	return false;
}

/* Where the kernel runs (boot.rst, init_size): a relocatable kernel
 * loaded below pref_address moves up to it before decompressing, so load it
 * there in the first place, aligned up; never below 1 MiB. */
static uint64_t kernel_addr(const struct bzimage_info *info)
{
	if (!info->relocatable)
		return info->pref_address;
	return align_up(max64(info->pref_address, KERNEL_MIN_ADDR),
			max64(info->alignment, PAGE_SIZE));
}

int bzimage_plan(const struct bzimage_info *info, uint64_t mem_size,
		 uint64_t initrd_size, uint64_t cmdline_len,
		 struct bzimage_layout *out, char *why, size_t why_size)
{
	uint64_t n_pd, cmdline, need, kaddr, top, initrd;
	char a[32], b[32], c[32];

	if (!info || !out)
		return fail(why, why_size, "no kernel information or layout");
	if (cmdline_len > info->cmdline_size)
		return fail(why, why_size,
			    "command line of %llu bytes is longer than the kernel's cmdline_size of %u",
			    ULL(cmdline_len), info->cmdline_size);
	n_pd = bzimage_pd_count(mem_size);
	cmdline = LOW_PAGETABLES + (2 + n_pd) * PAGE_SIZE;
	if (n_pd > PD_MAX || cmdline > LOW_END ||
	    cmdline_len >= LOW_END - cmdline)
		return fail(why, why_size,
			    "guest memory of %s needs %llu pages of identity page tables; with a command line of %llu bytes they do not fit below 0x%llx",
			    size_str(a, mem_size), ULL(2 + n_pd),
			    ULL(cmdline_len), LOW_END);

	need = kernel_need(info);
	kaddr = kernel_addr(info);
	if (!info->relocatable && kaddr < KERNEL_MIN_ADDR)
		return fail(why, why_size,
			    "not relocatable, and it wants 0x%llx which is in low memory (below 1M)",
			    ULL(kaddr));
	if (!info->relocatable && !range_ok(kaddr, need, mem_size))
		return fail(why, why_size,
			    "not relocatable, and it wants 0x%llx which is outside guest memory (it needs %s there, the guest has %s)",
			    ULL(kaddr), size_str(a, need), size_str(b, mem_size));
	if (!range_ok(kaddr, need, mem_size))
		return fail(why, why_size,
			    "the kernel needs %s of memory (init_size) from 0x%llx, but the guest has %s",
			    size_str(a, need), ULL(kaddr), size_str(b, mem_size));

	top = min64(min64(mem_size, MAX_32BIT),
		    (uint64_t)info->initrd_addr_max + 1);
	if (!place_initrd(kaddr, need, initrd_size, top, &initrd))
		return fail(why, why_size,
			    "initrd of %s does not fit in %s of guest memory with the kernel (which needs %s from 0x%llx; the initrd must end below 0x%llx)",
			    size_str(a, initrd_size), size_str(b, mem_size),
			    size_str(c, need), ULL(kaddr), ULL(top));

	out->kernel_addr = kaddr;
	out->entry = kaddr + BZIMAGE_ENTRY_64_OFFSET;
	out->gdt = LOW_GDT;
	out->boot_params = LOW_BOOT_PARAMS;
	out->pagetables = LOW_PAGETABLES;
	out->cmdline = cmdline;
	out->initrd_addr = initrd;
	out->initrd_size = initrd_size;
	return 0;
}

struct area {
	const char *name;
	uint64_t addr, len;
};

/* [addr, addr + len) lies inside one E820_RAM entry. */
static bool e820_is_ram(const struct e820_entry *e820, unsigned n,
			uint64_t addr, uint64_t len)
{
	for (unsigned i = 0; i < n; i++)
		if (e820[i].type == E820_RAM && addr >= e820[i].addr &&
		    len <= e820[i].size &&
		    addr - e820[i].addr <= e820[i].size - len)
			return true;
	return false;
}

/* Everything bzimage_load would touch, checked before it touches any. */
static int check_load(const uint8_t *p, uint64_t image_size,
		      const struct bzimage_info *info,
		      const struct bzimage_layout *lay, uint64_t mem_size,
		      const void *initrd, uint64_t initrd_size,
		      uint64_t cmdline_len, const struct e820_entry *e820,
		      unsigned n_e820, char *why, size_t why_size)
{
	uint64_t n_pd = bzimage_pd_count(mem_size);
	char a[32];
	struct area areas[] = {
		{ "kernel", lay->kernel_addr, kernel_need(info) },
		{ "initrd", lay->initrd_addr, initrd_size },
		{ "zero page", lay->boot_params, BP_SIZE },
		{ "command line", lay->cmdline, cmdline_len + 1 },
		{ "GDT", lay->gdt, BZIMAGE_GDT_ENTRIES * 8 },
		{ "page tables", lay->pagetables, (2 + n_pd) * PAGE_SIZE },
	};
	const size_t n_areas = sizeof(areas) / sizeof(areas[0]);

	if (!header_end(p, image_size) ||
	    !range_ok(info->kernel_offset, info->kernel_size, image_size) ||
	    info->kernel_offset < HDR_MAX_END ||
	    info->kernel_size <= BZIMAGE_ENTRY_64_OFFSET)
		return fail(why, why_size,
			    "the kernel information does not match this image (parse it with bzimage_parse)");
	if (cmdline_len > info->cmdline_size)
		return fail(why, why_size,
			    "command line of %llu bytes is longer than the kernel's cmdline_size of %u",
			    ULL(cmdline_len), info->cmdline_size);
	if (initrd_size != lay->initrd_size || (initrd_size && !initrd))
		return fail(why, why_size,
			    "initrd of %llu bytes, but the layout was planned for %llu",
			    ULL(initrd_size), ULL(lay->initrd_size));
	if (!e820 || n_e820 == 0 || n_e820 > BZIMAGE_E820_MAX)
		return fail(why, why_size,
			    "e820 map of %u entries: the zero page takes 1 to %u",
			    n_e820, BZIMAGE_E820_MAX);
	if (n_pd > PD_MAX)
		return fail(why, why_size,
			    "guest memory of %s is more than the 512G the identity map covers",
			    size_str(a, mem_size));
	if (lay->entry != lay->kernel_addr + BZIMAGE_ENTRY_64_OFFSET)
		return fail(why, why_size,
			    "entry 0x%llx is not the 64-bit entry of a kernel at 0x%llx",
			    ULL(lay->entry), ULL(lay->kernel_addr));
	if (lay->pagetables % PAGE_SIZE)
		return fail(why, why_size,
			    "page tables at 0x%llx are not 4K aligned",
			    ULL(lay->pagetables));
	if (!info->relocatable && lay->kernel_addr != info->pref_address)
		return fail(why, why_size,
			    "not relocatable: the kernel must be at 0x%llx, not 0x%llx",
			    ULL(info->pref_address), ULL(lay->kernel_addr));
	/* Below pref_address it would run elsewhere than the layout says. */
	if (info->relocatable && lay->kernel_addr < info->pref_address)
		return fail(why, why_size,
			    "kernel at 0x%llx is below its pref_address 0x%llx",
			    ULL(lay->kernel_addr), ULL(info->pref_address));
	if (info->relocatable && info->alignment &&
	    lay->kernel_addr % info->alignment)
		return fail(why, why_size,
			    "kernel at 0x%llx is not aligned to kernel_alignment 0x%llx",
			    ULL(lay->kernel_addr), ULL(info->alignment));

	for (size_t i = 0; i < n_areas; i++) {
		const struct area *x = &areas[i];

		if (!x->len)
			continue;
		if (!range_ok(x->addr, x->len, mem_size))
			return fail(why, why_size,
				    "%s at 0x%llx (%llu bytes) is outside guest memory of %s",
				    x->name, ULL(x->addr), ULL(x->len),
				    size_str(a, mem_size));
		for (size_t j = 0; j < i; j++) {
			const struct area *y = &areas[j];

			if (y->len && x->addr < y->addr + y->len &&
			    y->addr < x->addr + x->len)
				return fail(why, why_size,
					    "%s at 0x%llx overlaps %s at 0x%llx",
					    x->name, ULL(x->addr), y->name,
					    ULL(y->addr));
		}
	}
	/* The kernel takes whatever e820 calls RAM: it must not find its own
	 * image or the initrd outside it. */
	for (size_t i = 0; i < 2; i++)
		if (areas[i].len && !e820_is_ram(e820, n_e820, areas[i].addr,
						 areas[i].len))
			return fail(why, why_size,
				    "%s at 0x%llx (%llu bytes) is not RAM in the e820 map",
				    areas[i].name, ULL(areas[i].addr),
				    ULL(areas[i].len));
	return 0;
}

/* Zero page: the image's setup header, then what a loader fills in. */
static void write_boot_params(uint8_t *bp, const uint8_t *p, uint64_t hdr_end,
			      const struct bzimage_layout *lay,
			      const struct e820_entry *e820, unsigned n_e820,
			      uint64_t acpi_rsdp)
{
	memset(bp, 0, BP_SIZE);
	memcpy(bp + HDR_SETUP_SECTS, p + HDR_SETUP_SECTS,
	       hdr_end - HDR_SETUP_SECTS);
	bp[HDR_TYPE_OF_LOADER] = TYPE_OF_LOADER_UNDEFINED;
	bp[HDR_LOADFLAGS] |= LOADED_HIGH | CAN_USE_HEAP;
	put16(bp + HDR_HEAP_END_PTR, HEAP_END - 0x200);
	put32(bp + HDR_CODE32_START, lay->kernel_addr);
	if (lay->initrd_size) {
		put32(bp + HDR_RAMDISK_IMAGE, lay->initrd_addr);
		put32(bp + HDR_RAMDISK_SIZE, lay->initrd_size);
		put32(bp + BP_EXT_RAMDISK_IMAGE, lay->initrd_addr >> 32);
		put32(bp + BP_EXT_RAMDISK_SIZE, lay->initrd_size >> 32);
	}
	put32(bp + HDR_CMD_LINE_PTR, lay->cmdline);
	put32(bp + BP_EXT_CMD_LINE_PTR, lay->cmdline >> 32);
	/* A setup_data list is the loader's to build; the image's value
	 * would point the kernel at whatever sits there in guest memory. */
	put64(bp + HDR_SETUP_DATA, 0);
	if (acpi_rsdp)
		put64(bp + BP_ACPI_RSDP_ADDR, acpi_rsdp);
	bp[BP_E820_ENTRIES] = (uint8_t)n_e820;
	memcpy(bp + BP_E820_TABLE, e820, n_e820 * sizeof(*e820));
}

/* GDT and an identity map of [0, n_pd GiB) in 2 MiB pages. */
static void write_cpu_tables(uint8_t *m, const struct bzimage_layout *lay,
			     uint64_t n_pd)
{
	uint8_t *gdt = m + lay->gdt;
	uint8_t *pml4 = m + lay->pagetables;
	uint8_t *pdpt = pml4 + PAGE_SIZE;
	uint8_t *pd = pdpt + PAGE_SIZE;
	uint64_t pdpt_gpa = lay->pagetables + PAGE_SIZE;
	uint64_t pd_gpa = pdpt_gpa + PAGE_SIZE;

	put64(gdt, 0);
	put64(gdt + 8, 0);
	put64(gdt + BZIMAGE_BOOT_CS, GDT_CODE64);
	put64(gdt + BZIMAGE_BOOT_DS, GDT_DATA);

	memset(pml4, 0, 2 * PAGE_SIZE);
	put64(pml4, pdpt_gpa | PTE_P | PTE_RW);
	for (uint64_t i = 0; i < n_pd; i++)
		put64(pdpt + i * 8, (pd_gpa + i * PAGE_SIZE) | PTE_P | PTE_RW);
	for (uint64_t i = 0; i < n_pd * 512; i++)
		put64(pd + i * 8, i * PAGE_2M | PTE_P | PTE_RW | PTE_PS);
}

int bzimage_load(const void *image, uint64_t image_size,
		 const struct bzimage_info *info,
		 const struct bzimage_layout *lay, void *mem, uint64_t mem_size,
		 const void *initrd, uint64_t initrd_size, const char *cmdline,
		 const struct e820_entry *e820, unsigned n_e820,
		 uint64_t acpi_rsdp, char *why, size_t why_size)
{
	const uint8_t *p = image;
	uint8_t *m = mem;
	uint64_t len;

	if (!image || !info || !lay || !mem)
		return fail(why, why_size, "no image, layout or guest memory");
	if (!cmdline)
		cmdline = "";
	len = strlen(cmdline);
	if (check_load(p, image_size, info, lay, mem_size, initrd, initrd_size,
		       len, e820, n_e820, why, why_size))
		return -1;

	memcpy(m + lay->kernel_addr, p + info->kernel_offset,
	       info->kernel_size);
	if (initrd_size)
		memcpy(m + lay->initrd_addr, initrd, initrd_size);
	memcpy(m + lay->cmdline, cmdline, len);
	m[lay->cmdline + len] = 0;
	write_boot_params(m + lay->boot_params, p, header_end(p, image_size),
			  lay, e820, n_e820, acpi_rsdp);
	write_cpu_tables(m, lay, bzimage_pd_count(mem_size));
	return 0;
}

/* RAM from guest-physical 0, as a PC's firmware reports it. */
static unsigned e820_low(uint64_t mem_size, struct e820_entry *out)
{
	const uint64_t ebda = 0x9fc00;
	unsigned n = 0;

	out[n++] = (struct e820_entry){ 0, min64(mem_size, ebda), E820_RAM };
	if (mem_size <= ebda)
		return n;
	out[n++] = (struct e820_entry){ ebda, KERNEL_MIN_ADDR - ebda,
					E820_RESERVED };
	if (mem_size > KERNEL_MIN_ADDR)
		out[n++] = (struct e820_entry){ KERNEL_MIN_ADDR,
						mem_size - KERNEL_MIN_ADDR,
						E820_RAM };
	return n;
}

unsigned bzimage_e820_default(const struct guest_ram *ram,
			      struct e820_entry out[BZIMAGE_E820_DEFAULT_MAX])
{
	unsigned n = 0;

	for (unsigned i = 0; i < ram->n && i < GUEST_RAM_RANGES_MAX; i++) {
		const struct guest_ram_range *r = &ram->r[i];

		if (r->gpa == 0)
			n += e820_low(r->size, out + n);
		else
			out[n++] = (struct e820_entry){ r->gpa, r->size, E820_RAM };
	}
	return n;
}
