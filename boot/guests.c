/* SPDX-License-Identifier: MIT */
/*
 * Reading shale.cfg and the guest images it names, and refusing what cannot
 * work before the firmware is gone: a missing image, an image larger than
 * its guest, guests that need more memory than the host has.
 */
#include "arch/x86/include/cpu.h"
#include "boot/boot.h"
#include "lib/log.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "vmm/guest_ram.h"

#define SRC "config"
/* Host RAM kept back for Shale itself: page tables, VMCS, EPT, bitmaps. */
#define HV_RESERVE (32ull << 20)

static const char *cfg_name = "shale.cfg";

static void report(void *ctx, const char *msg)
{
	(void)ctx;
	log_err(SRC, "%s", msg);
}

/* Human-readable size: 16M, 1G, 512K, or bytes. */
static const char *fmt_size(char *buf, size_t n, uint64_t v)
{
	if (v && !(v & ((1ull << 30) - 1)))
		ksnprintf(buf, n, "%luG", (unsigned long)(v >> 30));
	else if (v && !(v & ((1ull << 20) - 1)))
		ksnprintf(buf, n, "%luM", (unsigned long)(v >> 20));
	else
		ksnprintf(buf, n, "%luK", (unsigned long)((v + 1023) >> 10));
	return buf;
}

static void drop_guest(struct shale_config *cfg, unsigned i)
{
	memmove(&cfg->guests[i], &cfg->guests[i + 1],
		(cfg->n_guests - i - 1) * sizeof(cfg->guests[0]));
	cfg->n_guests--;
}

static struct boot_module *find_module(struct boot_info *bi, const char *name)
{
	for (unsigned i = 0; i < bi->n_modules; i++)
		if (!strcmp(bi->modules[i].name, name))
			return &bi->modules[i];
	return NULL;
}

/* Load `name` once (several guests may share an image). */
static struct boot_module *load_module(struct boot_info *bi,
				       EFI_FILE_HANDLE root,
				       const struct guest_config *g,
				       const char *what, const char *name,
				       unsigned line)
{
	struct boot_module *m = find_module(bi, name);
	EFI_STATUS st;

	if (m)
		return m;
	if (bi->n_modules == BOOT_MAX_MODULES) {
		log_err(SRC, "%s:%u: guest \"%s\": too many images (at most %u)",
			cfg_name, g->line, g->name, BOOT_MAX_MODULES);
		return NULL;
	}
	m = &bi->modules[bi->n_modules];
	/* An image larger than the guest can never fit: say so before
	 * spending time reading it. */
	if (!EFI_ERROR(boot_file_size(root, name, &m->size)) && m->size > g->memory) {
		char a[16], b[16];

		log_err(SRC, "%s:%u: guest \"%s\": %s \"%s\" (%s) is larger than the guest's memory (%s)",
			cfg_name, line, g->name, what, name,
			fmt_size(a, sizeof(a), m->size), fmt_size(b, sizeof(b), g->memory));
		return NULL;
	}
	st = boot_read_file(root, name, &m->addr, &m->size);
	if (st == EFI_NOT_FOUND) {
		log_err(SRC, "%s:%u: guest \"%s\": %s \"%s\": no such file on the config partition",
			cfg_name, line, g->name, what, name);
		return NULL;
	}
	if (EFI_ERROR(st)) {
		log_err(SRC, "%s:%u: guest \"%s\": %s \"%s\": cannot read it (firmware status 0x%lx)",
			cfg_name, line, g->name, what, name,
			(unsigned long)st);
		return NULL;
	}
	memcpy(m->name, name, sizeof(m->name));
	bi->n_modules++;
	log_info("boot", "loaded %s (%lu bytes)", name, (unsigned long)m->size);
	return m;
}

/* A Multiboot guest's modules: every file must be there. */
static bool load_mb_modules(struct boot_info *bi, EFI_FILE_HANDLE root,
			    const struct guest_config *g)
{
	char file[CONFIG_PATH_MAX];

	if (g->mode != GUEST_MODE_MULTIBOOT)
		return true;
	for (unsigned i = 0; i < g->n_modules; i++) {
		config_module_file(config_module(g, i), file);
		if (!load_module(bi, root, g, "module", file, g->modules_line))
			return false;
	}
	return true;
}

/* The guest's disk images: each read once (two guests may share a ro
 * one), whole sectors, as large as host memory allows. */
static bool load_disks(struct boot_info *bi, EFI_FILE_HANDLE root,
		       const struct guest_config *g)
{
	for (unsigned i = 0; i < g->n_disks; i++) {
		const struct guest_disk *d = &g->disks[i];
		struct boot_module *m;
		uint64_t size = 0;
		EFI_STATUS st;
		char a[16];

		if (find_module(bi, d->file))
			continue;
		st = boot_file_size(root, d->file, &size);
		if (st == EFI_NOT_FOUND) {
			log_err(SRC, "%s:%u: guest \"%s\": disk \"%s\": no such file on the config partition",
				cfg_name, d->line, g->name, d->file);
			return false;
		}
		if (!EFI_ERROR(st) && (!size || size % 512)) {
			log_err(SRC, "%s:%u: guest \"%s\": disk \"%s\" is %lu bytes; a disk image must be a non-zero multiple of 512 bytes (whole sectors)",
				cfg_name, d->line, g->name, d->file, (unsigned long)size);
			return false;
		}
		if (bi->n_modules == BOOT_MAX_MODULES) {
			log_err(SRC, "%s:%u: guest \"%s\": too many images (at most %u)",
				cfg_name, d->line, g->name, BOOT_MAX_MODULES);
			return false;
		}
		m = &bi->modules[bi->n_modules];
		if (!EFI_ERROR(st))
			st = boot_read_file(root, d->file, &m->addr, &m->size);
		if (st == EFI_OUT_OF_RESOURCES) {
			log_err(SRC, "%s:%u: guest \"%s\": disk \"%s\" (%s) does not fit in the host's free memory; disks are held in memory",
				cfg_name, d->line, g->name, d->file, fmt_size(a, sizeof(a), size));
			return false;
		}
		if (EFI_ERROR(st)) {
			log_err(SRC, "%s:%u: guest \"%s\": disk \"%s\": cannot read it (firmware status 0x%lx)",
				cfg_name, d->line, g->name, d->file, (unsigned long)st);
			return false;
		}
		memcpy(m->name, d->file, sizeof(m->name));
		bi->n_modules++;
		log_info("boot", "loaded disk %s (%lu bytes)", d->file, (unsigned long)m->size);
	}
	return true;
}

/* Does the image fit where the guest wants it? A flat image goes in the
 * RAM below the MMIO hole (vmm/guest_ram.h), a real-mode one in the
 * first MiB. */
static bool image_fits(const struct guest_config *g, const struct boot_module *k)
{
	char a[16], b[16];
	struct guest_ram ram;
	uint64_t limit;

	guest_ram_layout(g->memory, &ram);
	limit = guest_ram_low_size(&ram);
	if (g->mode == GUEST_MODE_REAL && limit > (1ull << 20))
		limit = 1ull << 20; /* real mode reaches the first MiB only */
	if (g->load < limit && k->size <= limit - g->load)
		return true;
	log_err(SRC, "%s:%u: guest \"%s\": kernel \"%s\" (%s) does not fit in guest %s %s at load address 0x%lx",
		cfg_name, g->kernel_line, g->name, g->kernel,
		fmt_size(a, sizeof(a), k->size),
		limit < g->memory && g->mode != GUEST_MODE_REAL ? "RAM below 4 GiB" : "memory",
		fmt_size(b, sizeof(b), limit), (unsigned long)g->load);
	return false;
}

/* RAM the firmware will leave to Shale, from the current memory map. */
static uint64_t usable_ram(void)
{
	UINTN entries, key, desc_size;
	UINT32 ver;
	EFI_MEMORY_DESCRIPTOR *map = LibMemoryMap(&entries, &key, &desc_size, &ver);
	uint64_t total = 0;

	if (!map)
		return 0;
	for (UINTN i = 0; i < entries; i++) {
		EFI_MEMORY_DESCRIPTOR *d =
			(EFI_MEMORY_DESCRIPTOR *)((UINT8 *)map + i * desc_size);

		if (d->Type == EfiConventionalMemory ||
		    d->Type == EfiBootServicesCode ||
		    d->Type == EfiBootServicesData)
			total += d->NumberOfPages * EFI_PAGE_SIZE;
	}
	FreePool(map);
	return total;
}

/* A guest's RAM must lie below 2^MAXPHYADDR: it cannot address more (its
 * CPUID reports the host's width), and the layout puts all beyond 3 GiB
 * from 4 GiB up (vmm/guest_ram.h). */
static bool addressable(const struct guest_config *g)
{
	unsigned bits = cpu_phys_bits();
	struct guest_ram ram;
	char a[16], b[16];
	uint64_t limit;

	guest_ram_layout(g->memory, &ram);
	if (bits >= 64 || guest_ram_end(&ram) <= (1ull << bits))
		return true;
	limit = (1ull << bits) - (GUEST_HIGH_RAM_BASE - GUEST_LOW_RAM_TOP);
	log_err(SRC, "%s:%u: guest \"%s\": memory %s would put its RAM up to 0x%llx, beyond what this CPU addresses (MAXPHYADDR %u bits, 0x%llx); at most %s",
		cfg_name, g->line, g->name, fmt_size(a, sizeof(a), g->memory),
		(unsigned long long)(guest_ram_end(&ram) - 1), bits,
		(unsigned long long)((1ull << bits) - 1),
		fmt_size(b, sizeof(b), limit));
	return false;
}

/* Guests are admitted in config order until host memory runs out; the
 * figures say by how much. */
static void check_memory(struct shale_config *cfg)
{
	uint64_t ram = usable_ram();
	uint64_t avail = ram > HV_RESERVE ? ram - HV_RESERVE : 0;
	uint64_t used = 0;
	char a[16];

	for (unsigned i = 0; i < cfg->n_guests;) {
		struct guest_config *g = &cfg->guests[i];

		if (!addressable(g)) {
			drop_guest(cfg, i);
			continue;
		}
		if (g->memory <= avail - used) {
			used += g->memory;
			i++;
			continue;
		}
		if (used)
			log_err(SRC, "%s:%u: guest \"%s\": memory %s does not fit: the host has %luM free for guests and the guests before it take %luM",
				cfg_name, g->line, g->name,
				fmt_size(a, sizeof(a), g->memory),
				(unsigned long)(avail >> 20),
				(unsigned long)(used >> 20));
		else
			log_err(SRC, "%s:%u: guest \"%s\": memory %s does not fit: the host has %luM free for guests",
				cfg_name, g->line, g->name,
				fmt_size(a, sizeof(a), g->memory),
				(unsigned long)(avail >> 20));
		drop_guest(cfg, i);
	}
}

int boot_load_guests(struct boot_info *bi)
{
	EFI_FILE_HANDLE root = boot_open_config_partition();
	struct shale_config *cfg = &bi->config;
	uint64_t addr, size;
	EFI_STATUS st;
	int problems;

	memset(cfg, 0, sizeof(*cfg));
	if (!root)
		return -1;
	st = boot_read_file(root, "shale.cfg", &addr, &size);
	if (EFI_ERROR(st)) {
		log_err(SRC, "the config partition has no readable shale.cfg (firmware status 0x%lx)",
			(unsigned long)st);
		return -1;
	}
	problems = config_parse((const char *)addr, size, cfg_name, cfg, report,
				NULL);
	uefi_call_wrapper(BS->FreePages, 2, addr, EFI_SIZE_TO_PAGES(size ? size : 1));
	if (problems)
		log_warn(SRC, "%s: %d problem(s); the guests with errors are skipped",
			 cfg_name, problems);

	for (unsigned i = 0; i < cfg->n_guests;) {
		struct guest_config *g = &cfg->guests[i];
		struct boot_module *k, *r = NULL;

		k = load_module(bi, root, g, "kernel", g->kernel, g->kernel_line);
		if (k && g->initrd[0])
			r = load_module(bi, root, g, "initrd", g->initrd,
					g->initrd_line);
		if (!k || (g->initrd[0] && !r) || !image_fits(g, k) ||
		    !load_mb_modules(bi, root, g) || !load_disks(bi, root, g)) {
			drop_guest(cfg, i);
			continue;
		}
		i++;
	}
	/* After the images: a guest dropped for a missing file takes no
	 * memory from the ones behind it. */
	check_memory(cfg);
	uefi_call_wrapper(root->Close, 1, root);
	return 0;
}
