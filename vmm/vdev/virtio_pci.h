/* SPDX-License-Identifier: MIT */
/*
 * The virtio over PCI transport, modern interface only (Virtual I/O
 * Device (VIRTIO) Version 1.2, 4.1): a function on bus 0 with vendor
 * 0x1AF4, device 0x1040 + the device type, revision 1, and one 4 KiB
 * 32-bit memory BAR (BAR0) in the guest's MMIO hole:
 *
 *   0x000  common configuration (4.1.4.3), 0x40 bytes
 *   0x100  ISR status (4.1.4.5), read to clear
 *   0x200  device-specific configuration, when the device has one
 *   0x300  notifications: queue n at 0x300 + 4n (notify_off_multiplier 4)
 *   0x800  MSI-X table, one vector per queue and one for the configuration
 *   0xc00  MSI-X pending-bit array
 *
 * and, where the integrator gives a notify port, a 4-port I/O BAR (BAR2)
 * whose first port takes every queue's notification: the driver writes
 * the queue's index there (notify_off_multiplier 0, 4.1.4.4). Its
 * capability comes first in the list, so a driver that takes the first
 * it can use (Linux) notifies with an OUT: an I/O exit names the port
 * and the value, where an MMIO write must have its instruction fetched
 * and decoded. The notify area of BAR0 answers all the same.
 *
 * Each is found through a vendor capability (4.1.4) in configuration
 * space, and a VIRTIO_PCI_CAP_PCI_CFG window reaches the BAR through
 * configuration space alone (4.1.4.9).
 *
 * Features: VIRTIO_F_VERSION_1 (required: FEATURES_OK is refused without
 * it) and VIRTIO_F_INDIRECT_DESC, plus the device's own.
 *
 * Interrupts: MSI-X where the integrator gives a msi() to send messages
 * with (vmm/vdev/msix.h), num_queues + 1 vectors; the driver maps each
 * queue and the configuration to one of them through queue_msix_vector
 * and config_msix_vector (4.1.4.3), and a value outside the table reads
 * back as NO_VECTOR, so the driver knows. With MSI-X on, a used buffer
 * costs the guest no ISR read and no EOI exit for a level-triggered
 * pin. Without it, and until the driver enables it, the device
 * interrupts through INTx (pin A), which the driver finds in the
 * Interrupt Line register and which the transport drives through
 * set_intx() of its config; the ISR says why (bit 0 a queue, bit 1 the
 * configuration).
 *
 * A notification (a write of the notify area) serves the queue at once:
 * at most `size` chains per notification, each through the device's
 * handle(), then one interrupt if the driver wants it. A device whose
 * queue waits for something else (a receive queue for input) says so
 * through has_work(), and serves the queue itself, with
 * virtio_pci_serve(), when that comes. A chain that breaks the rules of
 * vmm/vdev/virtio_queue.h, or the device's own (handle() returns
 * VIRTIO_CHAIN_BAD), sets DEVICE_NEEDS_RESET (2.1.2), raises a
 * configuration interrupt and stops every queue of the device until the
 * driver resets it (writes 0 to device_status).
 *
 * Pure C over guest RAM and callbacks, like the other device models.
 */
#ifndef SHALE_VMM_VDEV_VIRTIO_PCI_H
#define SHALE_VMM_VDEV_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/guest_ram.h"
#include "vmm/io.h"
#include "vmm/mmio.h"
#include "vmm/vdev/msix.h"
#include "vmm/vdev/pci.h"
#include "vmm/vdev/virtio_queue.h"

#define VIRTIO_PCI_VENDOR 0x1af4
#define VIRTIO_PCI_DEVICE_BASE 0x1040
#define VIRTIO_PCI_BAR_SIZE 0x1000
#define VIRTIO_MAX_QUEUES 4

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED 0x80

/* Reserved feature bits (6). */
#define VIRTIO_F_INDIRECT_DESC (1ull << 28)
#define VIRTIO_F_VERSION_1 (1ull << 32)

/* ISR status bits (4.1.4.5). */
#define VIRTIO_ISR_QUEUE 1
#define VIRTIO_ISR_CONFIG 2

/* Offsets in BAR0. */
#define VIRTIO_PCI_COMMON 0x000
#define VIRTIO_PCI_COMMON_LEN 0x40
#define VIRTIO_PCI_ISR 0x100
#define VIRTIO_PCI_DEVCFG 0x200
#define VIRTIO_PCI_DEVCFG_MAX 0x100
#define VIRTIO_PCI_NOTIFY 0x300
#define VIRTIO_PCI_NOTIFY_MULT 4
#define VIRTIO_PCI_MSIX_TABLE 0x800
#define VIRTIO_PCI_MSIX_PBA 0xc00
#define VIRTIO_MSI_NO_VECTOR 0xffff
#define VIRTIO_PCI_NOTIFY_PORTS 4 /* BAR2, with a notify port */

struct virtio_pci;

/* What handle() returns for a chain that breaks the device's own rules
 * (a buffer in the wrong direction); virtio_pci_bad_chain() makes it. */
#define VIRTIO_CHAIN_BAD UINT32_MAX

/* What a device type gives the transport. */
struct virtio_device_ops {
	unsigned type;          /* device ID (5): 4 for an entropy source */
	uint32_t class_code;    /* PCI class, subclass, interface (bits 23:0) */
	uint64_t features;      /* device-specific feature bits offered */
	unsigned num_queues;    /* at most VIRTIO_MAX_QUEUES */
	uint16_t queue_max;     /* a power of two, at most VIRTQ_SIZE_MAX */
	unsigned cfg_size;      /* device-specific configuration bytes */
	/* Serve one chain of queue q; returns the bytes it wrote into the
	 * chain's device-writable part. */
	uint32_t (*handle)(void *dev, unsigned q, const struct virtq_chain *c);
	/* Optional: device-specific configuration access (offset < cfg_size). */
	void (*cfg_access)(void *dev, unsigned off, unsigned size, bool write,
			   uint64_t *val);
	/* Optional: the driver reset the device. */
	void (*reset)(void *dev);
	/* Optional: whether queue q has work now; without it, chains stay
	 * in the ring until virtio_pci_serve(). Absent: always. */
	bool (*has_work)(void *dev, unsigned q);
};

struct virtio_pci_config {
	const struct virtio_device_ops *ops;
	void *dev;                     /* the device's state, for ops */
	const struct guest_ram *ram;
	uint32_t bar_base;             /* BAR0's first place, in the MMIO hole */
	uint8_t intx_line;             /* the Interrupt Line register (an ISA IRQ) */
	void (*set_intx)(void *ctx, bool asserted);
	/* A one-line account of why the device needs a reset, for the log. */
	void (*note)(void *ctx, const char *what, const char *why);
	void *ctx;                     /* for set_intx and note */
	/* Optional: send an MSI (address, data); without it, no MSI-X. */
	void (*msi)(void *msi_ctx, uint64_t addr, uint32_t data);
	void *msi_ctx;
	/* Optional: BAR2's first port, 4-aligned, on this bus; 0 for none. */
	uint16_t notify_port;
	struct io_bus *io;
};

struct virtio_pci {
	struct pci_func pci;
	struct virtio_pci_config cfg;
	struct mmio_bus *mmio;         /* where BAR0 is registered */
	uint32_t bar_at;               /* where it is registered now */
	bool decode;                   /* memory space on and BAR0 in the hole */
	bool decode_io;                /* I/O space on and BAR2 at notify_port */
	bool intx;                     /* the line as last driven */

	uint32_t dfselect, gfselect;   /* device_/driver_feature_select */
	uint64_t driver_features;
	uint8_t status;
	uint8_t isr;
	uint8_t config_generation;
	uint16_t queue_select;
	struct virtq q[VIRTIO_MAX_QUEUES];
	struct msix msix;              /* with cfg.msi */
	uint16_t config_vector;        /* config_msix_vector */
	uint16_t queue_vector[VIRTIO_MAX_QUEUES];
	struct virtq_chain chain;      /* the chain being served */
	const char *why_bad;           /* the device's reason for VIRTIO_CHAIN_BAD */
};

/* Build the function; BAR0 at cfg->bar_base, memory decoding off until the
 * driver turns it on. */
void virtio_pci_init(struct virtio_pci *vp, const struct virtio_pci_config *cfg);
/* Put it at device `slot` of bus 0 and register BAR0, and the notify
 * port when there is one. Returns 0 or -1. */
int virtio_pci_attach(struct virtio_pci *vp, struct pci_host *host, unsigned slot,
		      struct mmio_bus *mmio);
/* BAR0's MMIO handler (an mmio_handler_fn). */
void virtio_pci_mmio(void *opaque, uint64_t offset, unsigned size, bool write,
		     uint64_t *val);
/* Serve queue q now, as a notification would (the device has work for
 * it: input arrived). */
void virtio_pci_serve(struct virtio_pci *vp, unsigned q);
/* For handle(): the chain breaks the device's rules; returns
 * VIRTIO_CHAIN_BAD. */
uint32_t virtio_pci_bad_chain(struct virtio_pci *vp, const char *why);
/* The driver runs the device: DRIVER_OK, no reset needed, queue q enabled. */
bool virtio_pci_queue_live(const struct virtio_pci *vp, unsigned q);
/* Offered features: the device's, VERSION_1 and INDIRECT_DESC. */
uint64_t virtio_pci_features(const struct virtio_pci *vp);

#endif
