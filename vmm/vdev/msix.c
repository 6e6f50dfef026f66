/* SPDX-License-Identifier: MIT */
/* MSI-X table, PBA and capability: see msix.h. */
#include "lib/string.h"
#include "vmm/vdev/msix.h"

bool msi_decode(uint64_t addr, uint32_t data, struct msi_msg *m)
{
	if ((addr >> 20) != 0xfee)
		return false;
	m->dest = (addr >> 12) & 0xff;
	m->logical = addr & 4;
	m->mode = (data >> 8) & 7;
	m->vector = data & 0xff;
	return true;
}

static uint16_t control(const struct msix *m)
{
	return (uint16_t)pci_cfg_get(m->f, m->cap_at + 2, 2);
}

bool msix_enabled(const struct msix *m)
{
	return control(m) & MSIX_CTRL_ENABLE;
}

static bool function_masked(const struct msix *m)
{
	return control(m) & MSIX_CTRL_FUNCTION_MASK;
}

static void send(struct msix *m, unsigned v)
{
	const struct msix_entry *e = &m->table[v];

	m->send(m->ctx, (uint64_t)e->addr_hi << 32 | e->addr_lo, e->data);
}

void msix_notify(struct msix *m, unsigned v)
{
	if (v >= m->n || !msix_enabled(m))
		return;
	if (function_masked(m) || (m->table[v].ctrl & MSIX_VECTOR_MASKED))
		m->pending |= 1u << v;
	else
		send(m, v);
}

/* A mask was cleared: each pending vector now unmasked goes out, once. */
static void release_pending(struct msix *m)
{
	if (!msix_enabled(m) || function_masked(m))
		return;
	for (unsigned v = 0; v < m->n; v++) {
		if (!(m->pending & (1u << v)) || (m->table[v].ctrl & MSIX_VECTOR_MASKED))
			continue;
		m->pending &= ~(1u << v);
		send(m, v);
	}
}

void msix_init(struct msix *m, struct pci_func *f, unsigned cap_at, unsigned n,
	       uint32_t table_off, uint32_t pba_off,
	       void (*send_fn)(void *ctx, uint64_t addr, uint32_t data), void *ctx)
{
	memset(m, 0, sizeof(*m));
	m->f = f;
	m->cap_at = cap_at;
	m->n = n < 1 ? 1 : n > MSIX_MAX_VECTORS ? MSIX_MAX_VECTORS : n;
	m->send = send_fn;
	m->ctx = ctx;
	for (unsigned v = 0; v < m->n; v++)
		m->table[v].ctrl = MSIX_VECTOR_MASKED;
	f->cfg[cap_at] = PCI_CAP_ID_MSIX;
	f->cfg[cap_at + 1] = 0;
	pci_cfg_set(f, cap_at + 2, 2, m->n - 1);
	pci_cfg_set(f, cap_at + 4, 4, table_off); /* BIR 0 */
	pci_cfg_set(f, cap_at + 8, 4, pba_off);
	/* Enable and function mask are the driver's; the size is not. */
	f->wmask[cap_at + 3] = (MSIX_CTRL_ENABLE | MSIX_CTRL_FUNCTION_MASK) >> 8;
}

bool msix_cfg_written(struct msix *m, unsigned reg, unsigned size)
{
	if (reg > m->cap_at + 3 || m->cap_at + 2 >= reg + size)
		return false;
	release_pending(m);
	return true;
}

static uint32_t *field(struct msix *m, unsigned dword)
{
	struct msix_entry *e = &m->table[dword / 4];

	switch (dword % 4) {
	case 0: return &e->addr_lo;
	case 1: return &e->addr_hi;
	case 2: return &e->data;
	default: return &e->ctrl;
	}
}

static void table_dword(struct msix *m, unsigned dword, bool write, uint32_t *val)
{
	uint32_t *p = field(m, dword);

	if (!write) {
		*val = *p;
		return;
	}
	switch (dword % 4) {
	case 0:
		*p = *val & ~3u; /* a dword-aligned address */
		break;
	case 3:
		*p = *val & MSIX_VECTOR_MASKED; /* the other bits are reserved */
		release_pending(m);
		break;
	default:
		*p = *val;
	}
}

static bool sized(unsigned off, unsigned size)
{
	return (size == 4 && !(off & 3)) || (size == 8 && !(off & 7));
}

void msix_table_access(struct msix *m, unsigned off, unsigned size, bool write,
		       uint64_t *val)
{
	if (!sized(off, size) || off >= m->n * MSIX_ENTRY_SIZE) {
		if (!write)
			*val = 0;
		return;
	}
	for (unsigned i = 0; i < size / 4; i++) {
		uint32_t d = (uint32_t)(*val >> (32 * i));

		table_dword(m, off / 4 + i, write, &d);
		if (!write)
			*val = i ? (*val & 0xffffffffull) | (uint64_t)d << 32 : d;
	}
}

void msix_pba_access(struct msix *m, unsigned off, unsigned size, bool write,
		     uint64_t *val)
{
	if (write)
		return;
	*val = sized(off, size) && off == 0 ? m->pending : 0;
	if (size == 4)
		*val &= 0xffffffffu;
}
