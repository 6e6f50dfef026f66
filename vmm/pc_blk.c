/* SPDX-License-Identifier: MIT */
/*
 * A guest's virtio-blk disks on the PC's PCI bus: `disk` lines in order,
 * vda first. Disk i is PCI device PC_VIRTIO_BLK_SLOT + i, BAR0 at the
 * start of the MMIO hole plus 4 KiB x its device number, INTA# on its own
 * ISA IRQ. The image is the file boot/ read into Shale's memory; a rw
 * disk writes into that copy, which outlives the guest's reboots (the
 * device is built again over the same memory) and dies with the machine.
 */
#include "lib/log.h"
#include "lib/string.h"
#include "vmm/boot_info.h"
#include "vmm/pc.h"
#include "vmm/vm.h"
#include "vmm/vmm.h"

#define BLK_PAGES ((sizeof(struct virtio_blk) + 4095) / 4096)

/* Free on this PC: 0 PIT, 4 COM1, 8 RTC, 9 SCI, 10 virtio-rng. */
static const uint8_t blk_irq[CONFIG_MAX_DISKS] = { 5, 6, 12, 14 };

_Static_assert(PC_VIRTIO_BLK_BAR(CONFIG_MAX_DISKS - 1) + VIRTIO_PCI_BAR_SIZE <= IOAPIC_BASE,
	       "the disks' BARs must be in the MMIO hole, below the APICs");
_Static_assert(PC_VIRTIO_BLK_SLOT + CONFIG_MAX_DISKS <= PCI_MAX_DEVICES,
	       "the disks must fit on bus 0");

void pc_blk_routes(const struct vm *vm, struct acpi_config *acfg)
{
	for (unsigned i = 0; vm->cfg && i < vm->cfg->n_disks; i++) {
		acfg->pci[acfg->n_pci].slot = PC_VIRTIO_BLK_SLOT + i;
		acfg->pci[acfg->n_pci++].gsi = blk_irq[i];
	}
}

static int create_one(struct pc *pc, unsigned i)
{
	struct vm *vm = pc->vm;
	const struct guest_disk *d = &vm->cfg->disks[i];
	const struct boot_module *m = vmm_find_module(d->file);
	char name[] = "virtio-blk vda";
	struct virtio_pci_config cfg;

	if (!m) { /* boot/ drops a guest whose disk it could not read */
		log_err("vm", "guest \"%s\": disk \"%s\" was not loaded", vm->name, d->file);
		return -1;
	}
	name[sizeof(name) - 2] = (char)('a' + i);
	cfg = pc_virtio_config(pc, PC_VIRTIO_BLK_SLOT + i, PC_VIRTIO_BLK_BAR(i), blk_irq[i], name);
	pc->blk[i] = (struct virtio_blk *)(uintptr_t)page_alloc_contig(&vmm_pages, BLK_PAGES, 1);
	if (!pc->blk[i]) {
		log_err("vm", "guest \"%s\": out of memory for its virtio-blk", vm->name);
		return -1;
	}
	/* The id the guest reads (T_GET_ID, /sys/block/vdX/serial): the
	 * file's name, its last 20 characters when longer. */
	size_t n = strlen(d->file);
	virtio_blk_init(pc->blk[i], &cfg, (uint8_t *)(uintptr_t)m->addr, m->size, !d->rw,
			d->file + (n > VIRTIO_BLK_ID_BYTES ? n - VIRTIO_BLK_ID_BYTES : 0));
	if (virtio_pci_attach(&pc->blk[i]->vp, &pc->pci, PC_VIRTIO_BLK_SLOT + i, &vm->mmio))
		return -1;
	log_info("vm", "guest \"%s\": virtio-blk vd%c at PCI 00:%02x.0, BAR0 0x%x, IRQ %u: "
		 "\"%s\", %lu KiB, %s", vm->name, 'a' + i, PC_VIRTIO_BLK_SLOT + i,
		 PC_VIRTIO_BLK_BAR(i), blk_irq[i], d->file, (unsigned long)(m->size >> 10),
		 d->rw ? "rw" : "ro");
	if (d->rw)
		log_warn("vm", "guest \"%s\": disk \"%s\" is rw in memory only: its writes last "
			 "until Shale stops and are never saved to the file", vm->name, d->file);
	return 0;
}

int pc_blk_create(struct pc *pc)
{
	for (unsigned i = 0; pc->vm->cfg && i < pc->vm->cfg->n_disks; i++)
		if (create_one(pc, i))
			return -1;
	return 0;
}

void pc_blk_destroy(struct pc *pc)
{
	for (unsigned i = 0; i < CONFIG_MAX_DISKS; i++) {
		if (pc->blk[i])
			page_free_contig(&vmm_pages, (uint64_t)(uintptr_t)pc->blk[i], BLK_PAGES);
		pc->blk[i] = NULL;
	}
}
