/* SPDX-License-Identifier: MIT */
/*
 * The device side of a virtio doorbell, counted on the host: how many
 * instructions virtio_pci_mmio() runs for one notification that brings
 * one 16-byte virtio-rng request (pop, checks, fill, push, interrupt),
 * and for the ISR read that follows. Built with the hypervisor's -O2 and
 * run under callgrind (docs/devices.md gives the command); the entropy
 * source is a constant, so the count is Shale's own work, not RDRAND's.
 * The VM exit, the EPT-violation decode and the entry come on top
 * (docs/benchmarks.md, mmio-write).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/vdev/virtio_rng.h"

#define RAM_SIZE 0x10000u
#define BAR 0xc0000000u
#define DESC 0x1000u
#define AVAIL 0x2000u
#define USED 0x3000u
#define BUF 0x8000u
#define QSIZE 64
#define ROUNDS 1000

static _Alignas(4096) uint8_t ram_buf[RAM_SIZE];
static struct virtio_rng rng;

static bool constant64(void *ctx, uint64_t *out)
{
	(void)ctx;
	*out = 0x0123456789abcdefull;
	return true;
}

static void intx(void *ctx, bool asserted)
{
	(void)ctx;
	(void)asserted;
}

/* What the guest's MMIO accesses reach: the same entry point. */
static void mmio(uint64_t off, unsigned size, bool write, uint64_t val)
{
	virtio_pci_mmio(&rng.vp, off, size, write, &val);
}

int main(void)
{
	struct guest_ram ram = { .r = { { 0, RAM_SIZE, (uintptr_t)ram_buf } },
				 .n = 1, .size = RAM_SIZE };
	struct virtio_pci_config cfg = { .ram = &ram, .bar_base = BAR, .intx_line = 10,
					 .set_intx = intx };
	struct mmio_bus bus = { 0 };
	struct pci_host host;
	struct virtq_desc *d = (struct virtq_desc *)(ram_buf + DESC);
	volatile uint16_t *avail = (uint16_t *)(ram_buf + AVAIL);

	pci_host_init(&host);
	virtio_rng_init(&rng, &cfg, constant64, NULL);
	if (virtio_pci_attach(&rng.vp, &host, 1, &bus))
		return 1;
	pci_cfg_set(&rng.vp.pci, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	rng.vp.pci.written(&rng.vp.pci, PCI_COMMAND, 2);
	mmio(0x14, 1, true, 3);
	mmio(0x08, 4, true, 1);
	mmio(0x0c, 4, true, 1); /* VERSION_1 */
	mmio(0x14, 1, true, 0xb);
	mmio(0x18, 2, true, QSIZE);
	mmio(0x20, 4, true, DESC);
	mmio(0x28, 4, true, AVAIL);
	mmio(0x30, 4, true, USED);
	mmio(0x1c, 2, true, 1);
	mmio(0x14, 1, true, 0xf);
	for (unsigned i = 0; i < ROUNDS; i++) {
		uint16_t head = i % QSIZE;

		d[head] = (struct virtq_desc){ BUF, 16, VIRTQ_DESC_F_WRITE, 0 };
		avail[2 + avail[1] % QSIZE] = head;
		avail[1]++;
		mmio(VIRTIO_PCI_NOTIFY, 2, true, 0);
		mmio(VIRTIO_PCI_ISR, 1, false, 0);
	}
	printf("%llu requests, %llu bytes\n", (unsigned long long)rng.requests,
	       (unsigned long long)rng.bytes);
	return rng.requests == ROUNDS ? 0 : 1;
}
