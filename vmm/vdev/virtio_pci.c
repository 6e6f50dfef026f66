/* SPDX-License-Identifier: MIT */
/* The modern virtio-pci transport: see virtio_pci.h for the layout. */
#include <stddef.h>

#include "lib/string.h"
#include "vmm/vdev/virtio_pci.h"

/* Vendor capability (4.1.4): cfg_type values and where Shale puts them in
 * configuration space. Each is { cap_vndr 0x09, cap_next, cap_len,
 * cfg_type, bar, id, padding[2], offset (le32), length (le32) }. */
#define PCI_CAP_ID_VNDR 0x09
#define CAP_COMMON_CFG 1
#define CAP_NOTIFY_CFG 2
#define CAP_ISR_CFG 3
#define CAP_DEVICE_CFG 4
#define CAP_PCI_CFG 5
#define CAP_AT_COMMON 0x40
#define CAP_AT_NOTIFY 0x50 /* 20 bytes: + notify_off_multiplier */
#define CAP_AT_ISR 0x64
#define CAP_AT_DEVICE 0x74
#define CAP_PCI_CFG_LEN 20 /* + pci_cfg_data[4] */
#define CAP_AT_MSIX 0x98   /* after the PCI_CFG capability, wherever it is */
#define CAP_AT_NOTIFY_IO 0xa4 /* 20 bytes, after MSI-X's 12; first in the list */
#define PCI_BAR2 0x18
#define PCI_COMMAND_IO 1u
#define NO_VECTOR VIRTIO_MSI_NO_VECTOR

/* Common configuration fields (4.1.4.3). */
enum {
	CC_DFSELECT = 0x00, CC_DF = 0x04, CC_GFSELECT = 0x08, CC_GF = 0x0c,
	CC_MSIX_CONFIG = 0x10, CC_NUM_QUEUES = 0x12, CC_STATUS = 0x14,
	CC_CFG_GENERATION = 0x15, CC_Q_SELECT = 0x16, CC_Q_SIZE = 0x18,
	CC_Q_MSIX = 0x1a, CC_Q_ENABLE = 0x1c, CC_Q_NOTIFY_OFF = 0x1e,
	CC_Q_DESC = 0x20, CC_Q_DRIVER = 0x28, CC_Q_DEVICE = 0x30,
	CC_Q_NOTIFY_DATA = 0x38, CC_Q_RESET = 0x3a,
};

uint64_t virtio_pci_features(const struct virtio_pci *vp)
{
	return vp->cfg.ops->features | VIRTIO_F_VERSION_1 | VIRTIO_F_INDIRECT_DESC;
}

static unsigned pci_cfg_cap_at(const struct virtio_pci *vp)
{
	return vp->cfg.ops->cfg_size ? CAP_AT_DEVICE + 16 : CAP_AT_DEVICE;
}

/* ----------------------------------------------------------- interrupts */

static bool msix_on(const struct virtio_pci *vp)
{
	return vp->cfg.msi && msix_enabled(&vp->msix);
}

/* On every notification's path: the two bits are reached as bytes. A
 * function with MSI-X on does not use its pin (PCI 3.0, 6.8.2). */
static void update_intx(struct virtio_pci *vp)
{
	uint8_t *cfg = vp->pci.cfg;
	bool level = vp->isr && !(cfg[PCI_COMMAND + 1] & (PCI_COMMAND_INTX_DISABLE >> 8)) &&
		     !msix_on(vp);

	/* Status bit 3 shows the function's request even while masked. */
	if (vp->isr)
		cfg[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
	else
		cfg[PCI_STATUS] &= (uint8_t)~PCI_STATUS_INTERRUPT;
	if (level != vp->intx && vp->cfg.set_intx) {
		vp->intx = level;
		vp->cfg.set_intx(vp->cfg.ctx, level);
	}
}

/* Queue q's used buffers, or (why VIRTIO_ISR_CONFIG) the configuration
 * (4.1.5.3, 4.1.5.4). With MSI-X, the ISR keeps the configuration bit
 * only, and a NO_VECTOR mapping means no interrupt at all. */
static void send_interrupt(struct virtio_pci *vp, uint8_t why, unsigned q)
{
	if (msix_on(vp)) {
		uint16_t v = why == VIRTIO_ISR_CONFIG ? vp->config_vector : vp->queue_vector[q];

		if (why == VIRTIO_ISR_CONFIG)
			vp->isr |= why;
		if (v != NO_VECTOR)
			msix_notify(&vp->msix, v);
		return;
	}
	vp->isr |= why;
	update_intx(vp);
}

/* 2.1.2: the device met an error it cannot recover from by itself. */
static void needs_reset(struct virtio_pci *vp, const char *why)
{
	if (vp->status & VIRTIO_STATUS_NEEDS_RESET)
		return;
	vp->status |= VIRTIO_STATUS_NEEDS_RESET;
	if (vp->cfg.note)
		vp->cfg.note(vp->cfg.ctx, "device needs reset", why);
	if (vp->status & VIRTIO_STATUS_DRIVER_OK)
		send_interrupt(vp, VIRTIO_ISR_CONFIG, 0);
}

/* -------------------------------------------------------------- queues */

/* Serve queue n: at most its size in chains, so one notification costs a
 * bounded amount of work whatever the guest put in the ring. */
static void serve(struct virtio_pci *vp, unsigned n)
{
	struct virtq *q = &vp->q[n];
	bool pushed = false;

	if (!(vp->status & VIRTIO_STATUS_DRIVER_OK) ||
	    (vp->status & VIRTIO_STATUS_NEEDS_RESET) || !virtq_has_avail(q))
		return;
	for (unsigned i = 0; i < q->size; i++) {
		enum virtq_result r;
		uint32_t written;

		if (vp->cfg.ops->has_work && !vp->cfg.ops->has_work(vp->cfg.dev, n))
			break;
		r = virtq_pop(q, vp->cfg.ram, &vp->chain);
		if (r == VIRTQ_EMPTY)
			break;
		if (r == VIRTQ_BAD) {
			needs_reset(vp, q->why_broken);
			break;
		}
		written = vp->cfg.ops->handle(vp->cfg.dev, n, &vp->chain);
		if (written == VIRTIO_CHAIN_BAD) {
			/* Not given back: the device is stopped until a reset. */
			needs_reset(vp, vp->why_bad);
			break;
		}
		if (written > vp->chain.write_len)
			written = vp->chain.write_len;
		virtq_push(q, vp->chain.head, written);
		pushed = true;
	}
	if (pushed && virtq_wants_interrupt(q))
		send_interrupt(vp, VIRTIO_ISR_QUEUE, n);
}

void virtio_pci_serve(struct virtio_pci *vp, unsigned q)
{
	if (q < vp->cfg.ops->num_queues)
		serve(vp, q);
}

uint32_t virtio_pci_bad_chain(struct virtio_pci *vp, const char *why)
{
	vp->why_bad = why;
	return VIRTIO_CHAIN_BAD;
}

bool virtio_pci_queue_live(const struct virtio_pci *vp, unsigned q)
{
	return (vp->status & VIRTIO_STATUS_DRIVER_OK) &&
	       !(vp->status & VIRTIO_STATUS_NEEDS_RESET) &&
	       q < vp->cfg.ops->num_queues && vp->q[q].ready;
}

static void device_reset(struct virtio_pci *vp)
{
	vp->dfselect = vp->gfselect = 0;
	vp->driver_features = 0;
	vp->status = 0;
	vp->queue_select = 0;
	vp->isr = 0;
	vp->config_vector = NO_VECTOR;
	for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		vp->queue_vector[i] = NO_VECTOR;
		virtq_reset(&vp->q[i]);
		vp->q[i].size = vp->cfg.ops->queue_max;
	}
	update_intx(vp);
	if (vp->cfg.ops->reset)
		vp->cfg.ops->reset(vp->cfg.dev);
}

/* FEATURES_OK only for a subset of the offer that includes VERSION_1
 * (6.1: a device MUST NOT accept a driver without it; this one has no
 * legacy interface). */
static bool features_ok(const struct virtio_pci *vp)
{
	return (vp->driver_features & VIRTIO_F_VERSION_1) &&
	       !(vp->driver_features & ~virtio_pci_features(vp));
}

static void write_status(struct virtio_pci *vp, uint8_t val)
{
	if (!val) {
		device_reset(vp);
		return;
	}
	if ((val & VIRTIO_STATUS_FEATURES_OK) && !features_ok(vp))
		val &= ~VIRTIO_STATUS_FEATURES_OK;
	/* NEEDS_RESET is the device's bit: the driver neither sets nor
	 * clears it. */
	val = (val & ~VIRTIO_STATUS_NEEDS_RESET) | (vp->status & VIRTIO_STATUS_NEEDS_RESET);
	bool now_ok = (val & VIRTIO_STATUS_DRIVER_OK) &&
		      !(vp->status & VIRTIO_STATUS_DRIVER_OK);

	vp->status = val;
	/* Buffers made available before DRIVER_OK wait for it (3.1.1). */
	if (now_ok)
		for (unsigned i = 0; i < vp->cfg.ops->num_queues; i++)
			serve(vp, i);
}

/* ------------------------------------------------ common configuration */

/* Each field at its natural width; a 64-bit one also as two dwords
 * (4.1.3.1). Other accesses read 0 and write nothing. */
static bool natural(unsigned off, unsigned size)
{
	if (off >= CC_Q_DESC && off < CC_Q_NOTIFY_DATA)
		return size == 4 || (size == 8 && !(off & 7));
	if (off < CC_MSIX_CONFIG)
		return size == 4 && !(off & 3);
	if (off == CC_STATUS || off == CC_CFG_GENERATION)
		return size == 1;
	return off < VIRTIO_PCI_COMMON_LEN && size == 2 && !(off & 1);
}

static struct virtq *selected(struct virtio_pci *vp)
{
	return vp->queue_select < vp->cfg.ops->num_queues ? &vp->q[vp->queue_select] : NULL;
}

static uint64_t *queue_addr(struct virtq *q, unsigned off)
{
	if (off < CC_Q_DRIVER)
		return &q->desc_gpa;
	return off < CC_Q_DEVICE ? &q->avail_gpa : &q->used_gpa;
}

static uint64_t common_read(struct virtio_pci *vp, unsigned off, unsigned size)
{
	struct virtq *q = selected(vp);

	if (off >= CC_Q_DESC && off < CC_Q_NOTIFY_DATA) {
		uint64_t a = q ? *queue_addr(q, off) : 0;

		return size == 8 ? a : (uint32_t)(a >> (off & 4 ? 32 : 0));
	}
	switch (off) {
	case CC_DFSELECT:
		return vp->dfselect;
	case CC_DF:
		return vp->dfselect < 2 ? (uint32_t)(virtio_pci_features(vp) >> (32 * vp->dfselect)) : 0;
	case CC_GFSELECT:
		return vp->gfselect;
	case CC_GF:
		return vp->gfselect < 2 ? (uint32_t)(vp->driver_features >> (32 * vp->gfselect)) : 0;
	case CC_MSIX_CONFIG:
		return vp->config_vector;
	case CC_Q_MSIX:
		return q ? vp->queue_vector[vp->queue_select] : NO_VECTOR;
	case CC_NUM_QUEUES:
		return vp->cfg.ops->num_queues;
	case CC_STATUS:
		return vp->status;
	case CC_CFG_GENERATION:
		return vp->config_generation;
	case CC_Q_SELECT:
		return vp->queue_select;
	case CC_Q_SIZE:
		return q ? q->size : 0; /* 0: no such queue (4.1.4.3.2) */
	case CC_Q_ENABLE:
		return q && q->ready;
	case CC_Q_NOTIFY_OFF:
		return q ? vp->queue_select : 0;
	default:
		return 0;
	}
}

static void enable_queue(struct virtio_pci *vp, struct virtq *q)
{
	if (q->ready)
		return;
	q->indirect = vp->driver_features & VIRTIO_F_INDIRECT_DESC;
	if (q->size > vp->cfg.ops->queue_max)
		q->size = 0; /* virtq_enable() refuses it */
	if (virtq_enable(q, vp->cfg.ram))
		needs_reset(vp, q->why_broken);
}

/* A vector the table does not have reads back as NO_VECTOR (4.1.4.3). */
static uint16_t vector(const struct virtio_pci *vp, uint64_t val)
{
	return vp->cfg.msi && val < vp->msix.n ? (uint16_t)val : NO_VECTOR;
}

static void common_write(struct virtio_pci *vp, unsigned off, unsigned size, uint64_t val)
{
	struct virtq *q = selected(vp);
	bool setup = !(vp->status & VIRTIO_STATUS_FEATURES_OK);

	if (off >= CC_Q_DESC && off < CC_Q_NOTIFY_DATA) {
		uint64_t *a;

		if (!q || q->ready)
			return; /* 4.1.4.3.2: fixed while the queue is enabled */
		a = queue_addr(q, off);
		if (size == 8)
			*a = val;
		else if (off & 4)
			*a = (*a & 0xffffffffull) | val << 32;
		else
			*a = (*a & ~0xffffffffull) | (uint32_t)val;
		return;
	}
	switch (off) {
	case CC_DFSELECT:
		vp->dfselect = (uint32_t)val;
		break;
	case CC_GFSELECT:
		vp->gfselect = (uint32_t)val;
		break;
	case CC_GF:
		/* Negotiation ends at FEATURES_OK (3.1.1 steps 4-5). */
		if (setup && vp->gfselect < 2) {
			unsigned sh = 32 * vp->gfselect;

			vp->driver_features = (vp->driver_features & ~(0xffffffffull << sh)) |
					      (uint64_t)(uint32_t)val << sh;
		}
		break;
	case CC_STATUS:
		write_status(vp, (uint8_t)val);
		break;
	case CC_Q_SELECT:
		vp->queue_select = (uint16_t)val;
		break;
	case CC_Q_SIZE:
		if (q && !q->ready)
			q->size = (uint16_t)val;
		break;
	case CC_Q_ENABLE:
		if (q && val == 1) /* the driver MUST NOT write 0 (4.1.4.3.2) */
			enable_queue(vp, q);
		break;
	case CC_MSIX_CONFIG:
		vp->config_vector = vector(vp, val);
		break;
	case CC_Q_MSIX:
		if (q)
			vp->queue_vector[vp->queue_select] = vector(vp, val);
		break;
	default: /* read-only fields */
		break;
	}
}

/* ------------------------------------------------------------------ BAR0 */

static void bar_access(struct virtio_pci *vp, uint64_t off, unsigned size, bool write,
		       uint64_t *val)
{
	const struct virtio_device_ops *ops = vp->cfg.ops;

	if (off < VIRTIO_PCI_COMMON_LEN) {
		if (!natural(off, size)) {
			if (!write)
				*val = 0;
		} else if (write) {
			common_write(vp, off, size, *val);
		} else {
			*val = common_read(vp, off, size);
		}
		return;
	}
	if (off == VIRTIO_PCI_ISR) {
		/* Reading clears it and drops the line (4.1.4.5.1). */
		if (!write) {
			*val = vp->isr;
			vp->isr = 0;
			update_intx(vp);
		}
		return;
	}
	if (off >= VIRTIO_PCI_DEVCFG && off - VIRTIO_PCI_DEVCFG < ops->cfg_size &&
	    size <= ops->cfg_size - (off - VIRTIO_PCI_DEVCFG) && ops->cfg_access) {
		ops->cfg_access(vp->cfg.dev, off - VIRTIO_PCI_DEVCFG, size, write, val);
		return;
	}
	if (vp->cfg.msi && off >= VIRTIO_PCI_MSIX_TABLE && off < VIRTIO_PCI_MSIX_PBA) {
		msix_table_access(&vp->msix, off - VIRTIO_PCI_MSIX_TABLE, size, write, val);
		return;
	}
	if (vp->cfg.msi && off >= VIRTIO_PCI_MSIX_PBA) {
		msix_pba_access(&vp->msix, off - VIRTIO_PCI_MSIX_PBA, size, write, val);
		return;
	}
	if (off >= VIRTIO_PCI_NOTIFY && !(off & (VIRTIO_PCI_NOTIFY_MULT - 1)) &&
	    (off - VIRTIO_PCI_NOTIFY) / VIRTIO_PCI_NOTIFY_MULT < ops->num_queues) {
		if (write)
			serve(vp, (off - VIRTIO_PCI_NOTIFY) / VIRTIO_PCI_NOTIFY_MULT);
		else
			*val = 0;
		return;
	}
	if (!write)
		*val = 0; /* a hole between the structures */
}

/* The notify port (BAR2's first port): the value names the queue. The
 * other three ports of the BAR read 0 and take nothing. */
static void notify_io(void *opaque, uint16_t port, unsigned size, bool write, uint32_t *val)
{
	struct virtio_pci *vp = opaque;

	if (!write) {
		*val = vp->decode_io ? 0 : (size == 4 ? ~0u : (1u << (8 * size)) - 1);
		return;
	}
	if (vp->decode_io && port == vp->cfg.notify_port && size == 2 &&
	    (*val & 0xffff) < vp->cfg.ops->num_queues)
		serve(vp, *val & 0xffff);
}

void virtio_pci_mmio(void *opaque, uint64_t offset, unsigned size, bool write,
		     uint64_t *val)
{
	struct virtio_pci *vp = opaque;

	if (!vp->decode) {
		/* Memory space off or BAR0 moved where it cannot decode:
		 * nothing answers, as on a bus with no target. */
		if (!write)
			*val = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
		return;
	}
	bar_access(vp, offset, size, write, val);
}

/* -------------------------------------------------- configuration space */

static void update_decode(struct virtio_pci *vp)
{
	uint16_t cmd = pci_cfg_get(&vp->pci, PCI_COMMAND, 2);
	uint32_t base = pci_cfg_get(&vp->pci, PCI_BAR0, 4) & ~(VIRTIO_PCI_BAR_SIZE - 1u);
	bool in_hole = base >= GUEST_LOW_RAM_TOP &&
		       base + (uint64_t)VIRTIO_PCI_BAR_SIZE <= GUEST_HIGH_RAM_BASE;

	/* A BAR the guest puts in its RAM, or over another device, does
	 * not decode (the RAM's EPT mapping would hide it anyway). */
	if (in_hole && base != vp->bar_at && vp->mmio && !mmio_move(vp->mmio, vp, base))
		vp->bar_at = base;
	vp->decode = (cmd & PCI_COMMAND_MEMORY) && in_hole && base == vp->bar_at;
	/* BAR2 decodes where it was registered only: a guest that moves it
	 * loses its notify port until it puts it back (BAR0's still works). */
	vp->decode_io = vp->cfg.notify_port && (cmd & PCI_COMMAND_IO) &&
			(pci_cfg_get(&vp->pci, PCI_BAR2, 4) & ~3u) == vp->cfg.notify_port;
}

/* VIRTIO_PCI_CAP_PCI_CFG (4.1.4.9): bar, offset and length pick a BAR0
 * access that pci_cfg_data makes. */
static bool window(struct virtio_pci *vp, uint64_t *off, unsigned *len)
{
	unsigned at = pci_cfg_cap_at(vp);

	*off = pci_cfg_get(&vp->pci, at + 8, 4);
	*len = pci_cfg_get(&vp->pci, at + 12, 4);
	return vp->pci.cfg[at + 4] == 0 && (*len == 1 || *len == 2 || *len == 4) &&
	       !(*off & (*len - 1)) && *off < VIRTIO_PCI_BAR_SIZE;
}

static bool overlaps(unsigned reg, unsigned size, unsigned at, unsigned len)
{
	return reg < at + len && at < reg + size;
}

static void cfg_written(struct pci_func *f, unsigned reg, unsigned size)
{
	struct virtio_pci *vp = f->opaque;
	unsigned data = pci_cfg_cap_at(vp) + 16;
	uint64_t off, val;
	unsigned len;

	if (overlaps(reg, size, PCI_COMMAND, 2) || overlaps(reg, size, PCI_BAR0, 4) ||
	    overlaps(reg, size, PCI_BAR2, 4))
		update_decode(vp);
	/* INTx disable, or MSI-X turned on or off (one access, at most a
	 * dword, never reaches both). */
	if (overlaps(reg, size, PCI_COMMAND, 2) ||
	    (vp->cfg.msi && msix_cfg_written(&vp->msix, reg, size)))
		update_intx(vp);
	if (overlaps(reg, size, data, 4) && window(vp, &off, &len)) {
		val = pci_cfg_get(f, data, len);
		bar_access(vp, off, len, true, &val);
	}
}

static void cfg_reading(struct pci_func *f, unsigned reg)
{
	struct virtio_pci *vp = f->opaque;
	unsigned data = pci_cfg_cap_at(vp) + 16;
	uint64_t off, val = 0;
	unsigned len;

	if (reg == data && window(vp, &off, &len)) {
		bar_access(vp, off, len, false, &val);
		pci_cfg_set(f, data, 4, (uint32_t)val);
	}
}

static void put_cap(struct pci_func *f, unsigned at, unsigned next, unsigned len,
		    unsigned type, uint32_t offset, uint32_t length)
{
	f->cfg[at] = PCI_CAP_ID_VNDR;
	f->cfg[at + 1] = (uint8_t)next;
	f->cfg[at + 2] = (uint8_t)len;
	f->cfg[at + 3] = (uint8_t)type;
	f->cfg[at + 4] = 0; /* BAR0; the notify port's sets 2 */
	pci_cfg_set(f, at + 8, 4, offset);
	pci_cfg_set(f, at + 12, 4, length);
}

static void build_config_space(struct virtio_pci *vp)
{
	const struct virtio_device_ops *ops = vp->cfg.ops;
	struct pci_func *f = &vp->pci;
	unsigned pcfg = pci_cfg_cap_at(vp);

	memset(f, 0, sizeof(*f));
	f->opaque = vp;
	f->written = cfg_written;
	f->reading = cfg_reading;
	pci_cfg_set(f, 0x00, 2, VIRTIO_PCI_VENDOR);
	pci_cfg_set(f, 0x02, 2, VIRTIO_PCI_DEVICE_BASE + ops->type);
	pci_cfg_set(f, PCI_STATUS, 2, PCI_STATUS_CAP_LIST);
	/* Revision 1: a modern-only device (4.1.2.1). */
	pci_cfg_set(f, 0x08, 4, ops->class_code << 8 | 1);
	pci_cfg_set(f, PCI_BAR0, 4, vp->cfg.bar_base); /* 32-bit memory */
	pci_cfg_set(f, 0x2c, 2, VIRTIO_PCI_VENDOR);   /* subsystem */
	pci_cfg_set(f, 0x2e, 2, VIRTIO_PCI_DEVICE_BASE + ops->type);
	f->cfg[PCI_CAPABILITY_LIST] = vp->cfg.notify_port ? CAP_AT_NOTIFY_IO : CAP_AT_COMMON;
	f->cfg[PCI_INTERRUPT_LINE] = vp->cfg.intx_line;
	f->cfg[PCI_INTERRUPT_PIN] = 1; /* INTA# */

	/* Memory space, bus master (DMA is what a virtqueue is), INTx
	 * disable; the BAR's address bits; the Interrupt Line. */
	f->wmask[PCI_COMMAND] = PCI_COMMAND_MEMORY | 4;
	f->wmask[PCI_COMMAND + 1] = PCI_COMMAND_INTX_DISABLE >> 8;
	for (unsigned i = 0; i < 4; i++)
		f->wmask[PCI_BAR0 + i] = (uint8_t)(~(VIRTIO_PCI_BAR_SIZE - 1u) >> (8 * i));
	f->wmask[PCI_INTERRUPT_LINE] = 0xff;
	if (vp->cfg.notify_port) {
		/* A 4-port I/O BAR, 16-bit decode; I/O space enable. */
		pci_cfg_set(f, PCI_BAR2, 4, vp->cfg.notify_port | 1u);
		f->wmask[PCI_BAR2] = 0xfc;
		f->wmask[PCI_BAR2 + 1] = 0xff;
		f->wmask[PCI_COMMAND] |= PCI_COMMAND_IO;
		put_cap(f, CAP_AT_NOTIFY_IO, CAP_AT_COMMON, 20, CAP_NOTIFY_CFG, 0, 2);
		f->cfg[CAP_AT_NOTIFY_IO + 4] = 2; /* BAR2 */
		pci_cfg_set(f, CAP_AT_NOTIFY_IO + 16, 4, 0); /* one port for all */
	}

	put_cap(f, CAP_AT_COMMON, CAP_AT_NOTIFY, 16, CAP_COMMON_CFG,
		VIRTIO_PCI_COMMON, VIRTIO_PCI_COMMON_LEN);
	put_cap(f, CAP_AT_NOTIFY, CAP_AT_ISR, 20, CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY,
		VIRTIO_PCI_NOTIFY_MULT * ops->num_queues);
	pci_cfg_set(f, CAP_AT_NOTIFY + 16, 4, VIRTIO_PCI_NOTIFY_MULT);
	put_cap(f, CAP_AT_ISR, CAP_AT_DEVICE, 16, CAP_ISR_CFG, VIRTIO_PCI_ISR, 1);
	if (ops->cfg_size)
		put_cap(f, CAP_AT_DEVICE, pcfg, 16, CAP_DEVICE_CFG, VIRTIO_PCI_DEVCFG,
			ops->cfg_size);
	put_cap(f, pcfg, vp->cfg.msi ? CAP_AT_MSIX : 0, CAP_PCI_CFG_LEN, CAP_PCI_CFG, 0, 0);
	/* The window's bar, offset, length and data are the driver's. */
	f->wmask[pcfg + 4] = 0xff;
	for (unsigned i = 8; i < CAP_PCI_CFG_LEN; i++)
		f->wmask[pcfg + i] = 0xff;
	if (vp->cfg.msi)
		msix_init(&vp->msix, f, CAP_AT_MSIX, ops->num_queues + 1,
			  VIRTIO_PCI_MSIX_TABLE, VIRTIO_PCI_MSIX_PBA, vp->cfg.msi,
			  vp->cfg.msi_ctx);
}

void virtio_pci_init(struct virtio_pci *vp, const struct virtio_pci_config *cfg)
{
	memset(vp, 0, sizeof(*vp));
	vp->cfg = *cfg;
	vp->bar_at = cfg->bar_base;
	build_config_space(vp);
	device_reset(vp);
	update_decode(vp);
}

int virtio_pci_attach(struct virtio_pci *vp, struct pci_host *host, unsigned slot,
		      struct mmio_bus *mmio)
{
	const struct virtio_device_ops *ops = vp->cfg.ops;

	if (!ops->num_queues || ops->num_queues > VIRTIO_MAX_QUEUES ||
	    ops->cfg_size > VIRTIO_PCI_DEVCFG_MAX || !ops->queue_max ||
	    ops->queue_max > VIRTQ_SIZE_MAX || (ops->queue_max & (ops->queue_max - 1)))
		return -1;
	if (mmio_register(mmio, vp->cfg.bar_base, VIRTIO_PCI_BAR_SIZE, virtio_pci_mmio,
			  vp, "virtio-pci"))
		return -1;
	if (vp->cfg.notify_port &&
	    (!vp->cfg.io || (vp->cfg.notify_port & 3) ||
	     io_register(vp->cfg.io, vp->cfg.notify_port, VIRTIO_PCI_NOTIFY_PORTS, notify_io, vp,
			 "virtio-notify")))
		return -1;
	vp->mmio = mmio;
	return pci_host_add(host, slot, &vp->pci);
}
