/* SPDX-License-Identifier: MIT */
/*
 * Multiboot 1 loader: the Multiboot Specification 0.6.96 and the ELF
 * format (System V gABI; ELF32 for EM_386, ELF64 for EM_X86_64). The image
 * and the layout are treated as hostile: every offset is checked against
 * what it indexes before use, arithmetic on header values is done in 64 bits.
 */
#include <stdarg.h>

#include "lib/printf.h"
#include "lib/string.h"
#include "vmm/guest_ram.h"
#include "vmm/load/bzimage.h"
#include "vmm/load/fields.h"
#include "vmm/load/multiboot.h"

/* Multiboot header: magic, flags, checksum, then (flag 16) the address
 * fields. */
#define MBH_FLAGS 4
#define MBH_CHECKSUM 8
#define MBH_HEADER_ADDR 12
#define MBH_LOAD_ADDR 16
#define MBH_LOAD_END_ADDR 20
#define MBH_BSS_END_ADDR 24
#define MBH_ENTRY_ADDR 28
#define MBH_AOUT_SIZE 32

/* multiboot_info offsets. */
#define MBI_FLAGS 0
#define MBI_MEM_LOWER 4
#define MBI_MEM_UPPER 8
#define MBI_CMDLINE 16
#define MBI_MODS_COUNT 20
#define MBI_MODS_ADDR 24
#define MBI_MMAP_LENGTH 44
#define MBI_MMAP_ADDR 48
#define MBI_BOOT_LOADER_NAME 64

/* ELF (gABI "ELF Header", "Program Header"). */
#define EI_CLASS 4
#define EI_DATA 5
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EM_386 3
#define EM_X86_64 62
#define PT_LOAD 1
#define ELF32_EHDR_SIZE 52
#define ELF64_EHDR_SIZE 64
#define ELF32_PHDR_SIZE 32
#define ELF64_PHDR_SIZE 56

#define PAGE_SIZE 0x1000ull
#define MIB 0x100000ull
#define KIB 1024ull
#define E820_N BZIMAGE_E820_DEFAULT_MAX

/* Flat 4 GiB descriptors, accessed bit preset so the CPU never writes the
 * GDT (Intel SDM Vol. 3A 3.4.5): 32-bit code execute/read, data
 * read/write. */
#define GDT_CODE32 0x00cf9b000000ffffull
#define GDT_DATA 0x00cf93000000ffffull

#define ULL(x) ((unsigned long long)(x))


/* A guest of mem_size bytes has its RAM laid out as vmm/guest_ram.h says:
 * the kernel, its boot information and its modules all go in the part
 * below the MMIO hole (Multiboot's addresses are 32 bits), and the memory
 * map describes the whole. */
static uint64_t loadable(uint64_t mem_size)
{
	return mem_size < GUEST_LOW_RAM_TOP ? mem_size : GUEST_LOW_RAM_TOP;
}

static unsigned e820_of(uint64_t mem_size, struct e820_entry *e)
{
	struct guest_ram ram;

	guest_ram_layout(mem_size, &ram);
	return bzimage_e820_default(&ram, e);
}

/* [addr, addr + len) lies inside [0, limit), without overflowing. */
static bool range_ok(uint64_t addr, uint64_t len, uint64_t limit)
{
	return len <= limit && addr <= limit - len;
}

static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

static uint64_t align_up(uint64_t v, uint64_t align)
{
	if (v > UINT64_MAX - (align - 1))
		return UINT64_MAX & ~(align - 1);
	return (v + align - 1) & ~(align - 1);
}

/* [addr, addr + len) lies inside one E820_RAM entry of the guest's map. */
static bool is_ram(uint64_t mem_size, uint64_t addr, uint64_t len)
{
	struct e820_entry e[E820_N];
	unsigned n = e820_of(mem_size, e);

	for (unsigned i = 0; i < n; i++)
		if (e[i].type == E820_RAM && addr >= e[i].addr &&
		    len <= e[i].size && addr - e[i].addr <= e[i].size - len)
			return true;
	return false;
}

/* The first 4-byte aligned magic whose checksum field makes the three
 * words sum to 0; -1 if none. A magic with a bad checksum is remembered in
 * *bad_at so the error can say so. */
static int64_t find_header(const uint8_t *p, uint64_t size, int64_t *bad_at)
{
	uint64_t lim = size < MB_SEARCH_LIMIT ? size : MB_SEARCH_LIMIT;

	*bad_at = -1;
	for (uint64_t off = 0; off + 12 <= lim; off += 4) {
		uint32_t magic = get32(p + off);

		if (magic != MB_HEADER_MAGIC)
			continue;
		if ((uint32_t)(magic + get32(p + off + MBH_FLAGS) +
			       get32(p + off + MBH_CHECKSUM)) == 0)
			return (int64_t)off;
		if (*bad_at < 0)
			*bad_at = (int64_t)off;
	}
	return -1;
}

/* Add one segment after checking it against the file and guest RAM. */
static int add_segment(struct mb_image *img, uint64_t off, uint64_t filesz,
		       uint64_t addr, uint64_t memsz, uint64_t file_size,
		       uint64_t mem_size, char *why, size_t why_size)
{
	struct mb_segment *s;

	if (filesz > memsz)
		return fail(why, why_size,
			    "corrupt segment at 0x%llx: %llu bytes in the file but only %llu in memory",
			    ULL(addr), ULL(filesz), ULL(memsz));
	if (!range_ok(off, filesz, file_size))
		return fail(why, why_size,
			    "truncated: the segment for 0x%llx needs file bytes 0x%llx-0x%llx but the file has %llu",
			    ULL(addr), ULL(off), ULL(off + filesz), ULL(file_size));
	if (!range_ok(addr, memsz, loadable(mem_size)))
		return fail(why, why_size,
			    "segment at 0x%llx (%llu bytes) is outside guest memory (0-0x%llx)",
			    ULL(addr), ULL(memsz), ULL(mem_size - 1));
	if (addr + memsz > (1ull << 32))
		return fail(why, why_size,
			    "segment at 0x%llx (%llu bytes) ends above 4G, out of reach with paging off",
			    ULL(addr), ULL(memsz));
	if (!is_ram(mem_size, addr, memsz))
		return fail(why, why_size,
			    "segment at 0x%llx (%llu bytes) is in the PC's reserved hole 0x9fc00-0xfffff (EBDA, VGA, BIOS): load it below or at 1M",
			    ULL(addr), ULL(memsz));
	for (unsigned i = 0; i < img->n_segments; i++) {
		s = &img->segments[i];
		if (overlap(addr, memsz, s->addr, s->mem_size))
			return fail(why, why_size,
				    "segment at 0x%llx (%llu bytes) overlaps the segment at 0x%llx (%llu bytes)",
				    ULL(addr), ULL(memsz), ULL(s->addr),
				    ULL(s->mem_size));
	}
	if (img->n_segments == MB_MAX_SEGMENTS)
		return fail(why, why_size,
			    "more than %u loadable segments", MB_MAX_SEGMENTS);
	s = &img->segments[img->n_segments++];
	*s = (struct mb_segment){ off, filesz, addr, memsz };
	if (addr + memsz > img->kernel_end)
		img->kernel_end = addr + memsz;
	return 0;
}

/* Flag 16: header_addr says where the header itself lands, which ties the
 * file to memory; the image is file[header_offset - (header_addr -
 * load_addr) ...] up to load_end_addr (0: the end of the file), then BSS up
 * to bss_end_addr (0: none). */
static int parse_aout_kludge(const uint8_t *p, uint64_t size, uint64_t mem_size,
			     struct mb_image *img, char *why, size_t why_size)
{
	const uint8_t *h = p + img->header_offset;
	uint64_t header_addr, load_addr, load_end, bss_end, off, filesz, memsz;

	if (img->header_offset + MBH_AOUT_SIZE > size)
		return fail(why, why_size,
			    "truncated: flag 16 is set but the header's address fields end past the file");
	header_addr = get32(h + MBH_HEADER_ADDR);
	load_addr = get32(h + MBH_LOAD_ADDR);
	load_end = get32(h + MBH_LOAD_END_ADDR);
	bss_end = get32(h + MBH_BSS_END_ADDR);
	img->entry = get32(h + MBH_ENTRY_ADDR);
	if (header_addr < load_addr ||
	    header_addr - load_addr > img->header_offset)
		return fail(why, why_size,
			    "corrupt header: header_addr 0x%llx and load_addr 0x%llx put the load start outside the file",
			    ULL(header_addr), ULL(load_addr));
	off = img->header_offset - (header_addr - load_addr);
	if (load_end) {
		if (load_end <= load_addr)
			return fail(why, why_size,
				    "corrupt header: load_end_addr 0x%llx is not above load_addr 0x%llx",
				    ULL(load_end), ULL(load_addr));
		filesz = load_end - load_addr;
	} else {
		filesz = size - off;
	}
	memsz = filesz;
	if (bss_end) {
		if (bss_end < load_addr + filesz)
			return fail(why, why_size,
				    "corrupt header: bss_end_addr 0x%llx is below the end of the loaded image 0x%llx",
				    ULL(bss_end), ULL(load_addr + filesz));
		memsz = bss_end - load_addr;
	}
	img->format = MB_FORMAT_AOUT_KLUDGE;
	return add_segment(img, off, filesz, load_addr, memsz, size, mem_size,
			   why, why_size);
}

/* One program header, whatever the class. */
struct phdr {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

static void read_phdr(const uint8_t *ph, bool elf64, struct phdr *out)
{
	out->type = get32(ph);
	if (elf64) {
		out->offset = get64(ph + 8);
		out->vaddr = get64(ph + 16);
		out->paddr = get64(ph + 24);
		out->filesz = get64(ph + 32);
		out->memsz = get64(ph + 40);
	} else {
		out->offset = get32(ph + 4);
		out->vaddr = get32(ph + 8);
		out->paddr = get32(ph + 12);
		out->filesz = get32(ph + 16);
		out->memsz = get32(ph + 20);
	}
}

/* e_entry is where the kernel starts; with paging off that must be a
 * physical address. A kernel linked to run high whose e_entry is a virtual
 * address inside one of its segments is started at the physical address of
 * that byte instead, as GRUB does. 0 if it is in no segment. */
static bool elf_entry(const uint8_t *p, const uint64_t phoff,
		      unsigned phnum, unsigned phentsize, bool elf64,
		      uint64_t e_entry, const struct mb_image *img,
		      uint32_t *entry)
{
	struct phdr ph;

	for (unsigned i = 0; i < img->n_segments; i++) {
		const struct mb_segment *s = &img->segments[i];

		if (e_entry >= s->addr && e_entry - s->addr < s->mem_size) {
			*entry = (uint32_t)e_entry;
			return true;
		}
	}
	for (unsigned i = 0; i < phnum; i++) {
		read_phdr(p + phoff + (uint64_t)i * phentsize, elf64, &ph);
		if (ph.type == PT_LOAD && ph.memsz && e_entry >= ph.vaddr &&
		    e_entry - ph.vaddr < ph.memsz) {
			*entry = (uint32_t)(e_entry - ph.vaddr + ph.paddr);
			return true;
		}
	}
	return false;
}

static int parse_elf(const uint8_t *p, uint64_t size, uint64_t mem_size,
		     struct mb_image *img, char *why, size_t why_size)
{
	bool elf64;
	uint16_t machine, phentsize, phnum;
	uint64_t phoff, e_entry;
	struct phdr ph;

	if (size < ELF32_EHDR_SIZE || memcmp(p, "\177ELF", 4) != 0)
		return fail(why, why_size,
			    "neither an ELF file nor a Multiboot header with flag 16 (address fields)");
	if (p[EI_DATA] != ELFDATA2LSB ||
	    (p[EI_CLASS] != ELFCLASS32 && p[EI_CLASS] != ELFCLASS64))
		return fail(why, why_size,
			    "not a little-endian ELF32 or ELF64 file (class %u, data %u)",
			    p[EI_CLASS], p[EI_DATA]);
	elf64 = p[EI_CLASS] == ELFCLASS64;
	if (elf64 && size < ELF64_EHDR_SIZE)
		return fail(why, why_size,
			    "truncated: %llu bytes is too small for an ELF64 header",
			    ULL(size));
	machine = get16(p + 18);
	if (machine != (elf64 ? EM_X86_64 : EM_386))
		return fail(why, why_size,
			    "ELF%s for machine %u, not %s", elf64 ? "64" : "32",
			    machine, elf64 ? "x86-64 (62)" : "i386 (3)");
	e_entry = elf64 ? get64(p + 24) : get32(p + 24);
	phoff = elf64 ? get64(p + 32) : get32(p + 28);
	phentsize = get16(p + (elf64 ? 54 : 42));
	phnum = get16(p + (elf64 ? 56 : 44));
	if (phentsize < (elf64 ? ELF64_PHDR_SIZE : ELF32_PHDR_SIZE))
		return fail(why, why_size,
			    "corrupt ELF header: program headers of %u bytes",
			    phentsize);
	if (!range_ok(phoff, (uint64_t)phnum * phentsize, size))
		return fail(why, why_size,
			    "truncated: %u program headers at 0x%llx end past the file (%llu bytes)",
			    phnum, ULL(phoff), ULL(size));
	for (unsigned i = 0; i < phnum; i++) {
		read_phdr(p + phoff + (uint64_t)i * phentsize, elf64, &ph);
		if (ph.type != PT_LOAD || !ph.memsz)
			continue;
		if (add_segment(img, ph.offset, ph.filesz, ph.paddr, ph.memsz,
				size, mem_size, why, why_size))
			return -1;
	}
	if (!img->n_segments)
		return fail(why, why_size, "the ELF file has no loadable segment");
	img->format = elf64 ? MB_FORMAT_ELF64 : MB_FORMAT_ELF32;
	if (!elf_entry(p, phoff, phnum, phentsize, elf64, e_entry, img,
		       &img->entry))
		return fail(why, why_size,
			    "entry point 0x%llx is outside every loaded segment",
			    ULL(e_entry));
	return 0;
}

static bool entry_in_segment(const struct mb_image *img, uint64_t entry)
{
	for (unsigned i = 0; i < img->n_segments; i++) {
		const struct mb_segment *s = &img->segments[i];

		if (entry >= s->addr && entry - s->addr < s->mem_size)
			return true;
	}
	return false;
}

int mb_parse(const void *image, uint64_t size, uint64_t mem_size,
	     struct mb_image *img, char *why, size_t why_size)
{
	const uint8_t *p = image;
	int64_t off, bad_at;
	uint32_t unknown;

	if (!image || !img)
		return fail(why, why_size, "no image");
	memset(img, 0, sizeof(*img));
	off = find_header(p, size, &bad_at);
	if (off < 0 && bad_at >= 0)
		return fail(why, why_size,
			    "Multiboot header at 0x%llx has a bad checksum (magic + flags + checksum must be 0)",
			    ULL(bad_at));
	if (off < 0)
		return fail(why, why_size,
			    "not a Multiboot kernel: no header (magic 0x1BADB002) in the first 8K");
	img->header_offset = (uint32_t)off;
	img->header_flags = get32(p + off + MBH_FLAGS);
	unknown = img->header_flags & MB_HF_REQUIRED_MASK & ~MB_HF_KNOWN;
	if (unknown)
		return fail(why, why_size,
			    "the header requires features this loader does not know (flags 0x%x)",
			    unknown);
	if (img->header_flags & MB_HF_AOUT_KLUDGE) {
		if (parse_aout_kludge(p, size, mem_size, img, why, why_size))
			return -1;
		if (!entry_in_segment(img, img->entry))
			return fail(why, why_size,
				    "entry point 0x%llx is outside every loaded segment",
				    ULL(img->entry));
		return 0;
	}
	return parse_elf(p, size, mem_size, img, why, why_size);
}

/* --------------------------------------------------------------- plan */

static uint64_t cmdline_len(const char *name, const char *args)
{
	return strlen(name) + (args && args[0] ? 1 + strlen(args) : 0);
}

int mb_plan(const struct mb_image *img, uint64_t mem_size,
	    const char *kernel_name, const char *args, const char *loader_name,
	    const struct mb_module *mods, unsigned n_mods,
	    struct mb_layout *lay, char *why, size_t why_size)
{
	struct e820_entry e820[E820_N];
	uint64_t a, at;

	if (!img || !lay || !kernel_name || !loader_name || (n_mods && !mods))
		return fail(why, why_size, "no image, layout or names");
	if (n_mods > MB_MAX_MODULES)
		return fail(why, why_size, "%u modules: at most %u",
			    n_mods, MB_MAX_MODULES);
	memset(lay, 0, sizeof(*lay));
	lay->area = align_up(img->kernel_end > MIB ? img->kernel_end : MIB,
			     PAGE_SIZE);
	lay->info = lay->area;
	lay->gdt = lay->info + align_up(MB_INFO_SIZE, 8);
	lay->mmap = lay->gdt + MB_GDT_ENTRIES * 8;
	lay->mmap_length = e820_of(mem_size, e820) *
			   MB_MMAP_ENTRY_SIZE;
	lay->mods = lay->mmap + lay->mmap_length;
	lay->strings = lay->mods + (uint64_t)n_mods * MB_MOD_ENTRY_SIZE;
	at = lay->strings;
	lay->cmdline = at;
	at += cmdline_len(kernel_name, args) + 1;
	lay->loader_name = at;
	at += strlen(loader_name) + 1;
	for (unsigned i = 0; i < n_mods; i++) {
		lay->mod_string[i] = at;
		at += strlen(mods[i].string ? mods[i].string : "") + 1;
	}
	/* The stack page ends the area: a kernel that overruns it writes
	 * into its own boot information, never into a module. */
	lay->stack_top = align_up(at, PAGE_SIZE) + MB_STACK_SIZE;
	lay->area_size = lay->stack_top - lay->area;
	at = lay->stack_top;
	if (!range_ok(lay->area, lay->area_size, loadable(mem_size)))
		return fail(why, why_size,
			    "no room for the boot information (%llu bytes) above the kernel, which ends at 0x%llx, in guest memory of %lluK",
			    ULL(lay->area_size), ULL(img->kernel_end),
			    ULL(mem_size / KIB));
	lay->n_modules = n_mods;
	for (unsigned i = 0; i < n_mods; i++) {
		/* Always 4 KiB aligned: that also honours header flag 0. */
		a = align_up(at, PAGE_SIZE);
		if (!range_ok(a, mods[i].size, loadable(mem_size)))
			return fail(why, why_size,
				    "module %u (\"%s\", %llu bytes) does not fit: it would start at 0x%llx in guest memory of %lluK",
				    i + 1, mods[i].string ? mods[i].string : "",
				    ULL(mods[i].size), ULL(a),
				    ULL(mem_size / KIB));
		lay->mod_start[i] = a;
		lay->mod_size[i] = mods[i].size;
		at = a + mods[i].size;
	}
	lay->end = at;
	return 0;
}

/* --------------------------------------------------------------- load */

struct area {
	const char *name;
	uint64_t addr, len;
};

/* Everything mb_load would touch, against RAM, the segments and each
 * other, before it touches any. */
static int check_load(uint64_t image_size, const struct mb_image *img,
		      const struct mb_layout *lay, uint64_t mem_size,
		      const char *kernel_name, const char *args,
		      const char *loader_name, const struct mb_module *mods,
		      unsigned n_mods, char *why, size_t why_size)
{
	struct area ar[1 + MB_MAX_MODULES];
	struct e820_entry e820[E820_N];
	unsigned n = 0;
	uint64_t at;

	if (img->n_segments > MB_MAX_SEGMENTS || n_mods > MB_MAX_MODULES ||
	    n_mods != lay->n_modules || (n_mods && !mods))
		return fail(why, why_size,
			    "the layout was planned for other modules");
	for (unsigned i = 0; i < img->n_segments; i++) {
		const struct mb_segment *s = &img->segments[i];

		if (s->file_size > s->mem_size ||
		    !range_ok(s->file_offset, s->file_size, image_size) ||
		    !range_ok(s->addr, s->mem_size, loadable(mem_size)))
			return fail(why, why_size,
				    "segment %u does not match this image and guest (parse it with mb_parse)",
				    i);
	}
	/* The strings and tables must fit where the plan put them. */
	at = lay->strings;
	if (lay->gdt < lay->info + MB_INFO_SIZE ||
	    lay->mmap < lay->gdt + MB_GDT_ENTRIES * 8 ||
	    lay->mmap_length != e820_of(mem_size, e820) *
					MB_MMAP_ENTRY_SIZE ||
	    lay->mods < lay->mmap + lay->mmap_length ||
	    lay->strings < lay->mods + (uint64_t)n_mods * MB_MOD_ENTRY_SIZE ||
	    lay->cmdline != at)
		return fail(why, why_size, "the boot area's tables overlap");
	at += cmdline_len(kernel_name, args) + 1;
	if (lay->loader_name != at)
		return fail(why, why_size, "the command line does not fit its place");
	at += strlen(loader_name) + 1;
	for (unsigned i = 0; i < n_mods; i++) {
		if (lay->mod_string[i] != at)
			return fail(why, why_size,
				    "module string %u does not fit its place", i + 1);
		at += strlen(mods[i].string ? mods[i].string : "") + 1;
	}
	if (lay->info < lay->area || at > lay->stack_top - MB_STACK_SIZE ||
	    lay->stack_top - lay->area != lay->area_size ||
	    lay->stack_top < lay->area)
		return fail(why, why_size, "the boot area is too small for its contents");

	ar[n++] = (struct area){ "boot information", lay->area, lay->area_size };
	for (unsigned i = 0; i < n_mods; i++) {
		if (lay->mod_size[i] != mods[i].size)
			return fail(why, why_size,
				    "module %u has %llu bytes, the plan %llu", i + 1,
				    ULL(mods[i].size), ULL(lay->mod_size[i]));
		if (mods[i].size && !mods[i].data)
			return fail(why, why_size, "module %u has no contents", i + 1);
		ar[n++] = (struct area){ "module", lay->mod_start[i], mods[i].size };
	}
	for (unsigned i = 0; i < n; i++) {
		if (!range_ok(ar[i].addr, ar[i].len, loadable(mem_size)) ||
		    ar[i].addr + ar[i].len > UINT32_MAX)
			return fail(why, why_size,
				    "%s at 0x%llx (%llu bytes) is outside guest memory",
				    ar[i].name, ULL(ar[i].addr), ULL(ar[i].len));
		for (unsigned j = 0; j < i; j++)
			if (overlap(ar[i].addr, ar[i].len, ar[j].addr, ar[j].len))
				return fail(why, why_size,
					    "%s at 0x%llx overlaps %s at 0x%llx",
					    ar[i].name, ULL(ar[i].addr),
					    ar[j].name, ULL(ar[j].addr));
		for (unsigned j = 0; j < img->n_segments; j++) {
			const struct mb_segment *s = &img->segments[j];

			if (overlap(ar[i].addr, ar[i].len, s->addr, s->mem_size))
				return fail(why, why_size,
					    "%s at 0x%llx overlaps the kernel's segment at 0x%llx",
					    ar[i].name, ULL(ar[i].addr),
					    ULL(s->addr));
		}
	}
	return 0;
}

static uint64_t put_str(uint8_t *m, uint64_t at, const char *s)
{
	size_t n = strlen(s);

	memcpy(m + at, s, n + 1);
	return at + n + 1;
}

static void write_info(uint8_t *m, const struct mb_layout *lay,
		       uint64_t mem_size, const struct mb_module *mods,
		       unsigned n_mods)
{
	struct e820_entry e820[E820_N];
	unsigned n = e820_of(mem_size, e820);
	uint8_t *info = m + lay->info;
	uint64_t upper_end = loadable(mem_size);
	uint32_t flags = MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MEM_MAP |
			 MB_INFO_BOOT_LOADER_NAME;

	/* mem_upper runs from 1 MiB to the first hole: the end of the RAM
	 * below 4 GiB (vmm/guest_ram.h); the memory map has the rest. */
	put32(info + MBI_MEM_LOWER, (mem_size < 0x9fc00 ? mem_size : 0x9fc00) / KIB);
	put32(info + MBI_MEM_UPPER, upper_end > MIB ? (upper_end - MIB) / KIB : 0);
	put32(info + MBI_CMDLINE, lay->cmdline);
	put32(info + MBI_MMAP_LENGTH, lay->mmap_length);
	put32(info + MBI_MMAP_ADDR, lay->mmap);
	put32(info + MBI_BOOT_LOADER_NAME, lay->loader_name);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *e = m + lay->mmap + i * MB_MMAP_ENTRY_SIZE;

		/* size counts the bytes after itself. */
		put32(e, MB_MMAP_ENTRY_SIZE - 4);
		put64(e + 4, e820[i].addr);
		put64(e + 12, e820[i].size);
		put32(e + 20, e820[i].type);
	}
	if (n_mods) {
		flags |= MB_INFO_MODS;
		put32(info + MBI_MODS_COUNT, n_mods);
		put32(info + MBI_MODS_ADDR, lay->mods);
	}
	for (unsigned i = 0; i < n_mods; i++) {
		uint8_t *e = m + lay->mods + i * MB_MOD_ENTRY_SIZE;

		put32(e, lay->mod_start[i]);
		put32(e + 4, lay->mod_start[i] + mods[i].size);
		put32(e + 8, lay->mod_string[i]);
		put32(e + 12, 0);
	}
	put32(info + MBI_FLAGS, flags);
}

int mb_load(const void *image, uint64_t image_size, const struct mb_image *img,
	    const struct mb_layout *lay, void *mem, uint64_t mem_size,
	    const char *kernel_name, const char *args, const char *loader_name,
	    const struct mb_module *mods, unsigned n_mods, char *why,
	    size_t why_size)
{
	const uint8_t *p = image;
	uint8_t *m = mem;
	uint64_t at;

	if (!image || !img || !lay || !mem || !kernel_name || !loader_name)
		return fail(why, why_size, "no image, layout or guest memory");
	if (!args)
		args = "";
	if (check_load(image_size, img, lay, mem_size, kernel_name, args,
		       loader_name, mods, n_mods, why, why_size))
		return -1;

	for (unsigned i = 0; i < img->n_segments; i++) {
		const struct mb_segment *s = &img->segments[i];

		memcpy(m + s->addr, p + s->file_offset, s->file_size);
		memset(m + s->addr + s->file_size, 0, s->mem_size - s->file_size);
	}
	memset(m + lay->area, 0, lay->area_size);
	put64(m + lay->gdt, 0);
	put64(m + lay->gdt + MB_BOOT_CS, GDT_CODE32);
	put64(m + lay->gdt + MB_BOOT_DS, GDT_DATA);
	at = put_str(m, lay->cmdline, kernel_name);
	if (args[0]) {
		m[at - 1] = ' ';
		at = put_str(m, at, args);
	}
	put_str(m, lay->loader_name, loader_name);
	for (unsigned i = 0; i < n_mods; i++) {
		put_str(m, lay->mod_string[i], mods[i].string ? mods[i].string : "");
		memcpy(m + lay->mod_start[i], mods[i].data, mods[i].size);
	}
	write_info(m, lay, mem_size, mods, n_mods);
	return 0;
}
