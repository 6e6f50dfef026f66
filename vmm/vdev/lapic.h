/* SPDX-License-Identifier: MIT */
/*
 * A guest's local APIC (Intel SDM Vol. 3A, chapter 11 "Advanced
 * Programmable Interrupt Controller (APIC)"): the xAPIC register page at
 * 0xFEE00000, the same registers as x2APIC MSRs 0x800-0x8FF, the 256-bit
 * IRR/ISR/TMR with TPR/PPR priority, the APIC timer (one-shot, periodic,
 * TSC-deadline), ICR self-IPIs, and LINT0/LINT1.
 *
 * The timer's bus clock is the TSC: with divide-by-1 the count drops once
 * per TSC tick (plat->hz per second), with divide-by-16 once per 16 ticks.
 * A periodic timer faster than one per LAPIC_TIMER_MIN_US coalesces.
 *
 * Interrupt flow, for the integrator: a source calls lapic_accept() (IRR);
 * before entering the guest, lapic_pending_vector() says what to inject and
 * lapic_acknowledge() records the injection (IRR -> ISR); ops->kick says
 * when to look again before the next entry; the guest's EOI
 * write clears the ISR bit and, for a level-triggered vector, calls
 * ops->eoi so the IOAPIC can clear its Remote IRR.
 */
#ifndef SHALE_VMM_VDEV_LAPIC_H
#define SHALE_VMM_VDEV_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/mmio.h"
#include "vmm/vdev/vdev.h"

#define LAPIC_BASE 0xfee00000ull
#define LAPIC_SIZE 0x1000ull
#define LAPIC_MSR_BASE 0x800u /* x2APIC: MSR = 0x800 + offset / 16 */
#define LAPIC_MSR_END 0x8ffu
/* IA32_APIC_BASE flags (SDM Vol. 3A, 11.4.4). */
#define APIC_BASE_BSP (1ull << 8)
#define APIC_BASE_EXTD (1ull << 10) /* x2APIC mode */
#define APIC_BASE_EN (1ull << 11)   /* globally enabled */

/* Register offsets in the xAPIC page (SDM Vol. 3A, Table 11-1). */
#define LAPIC_ID 0x020
#define LAPIC_VERSION 0x030
#define LAPIC_TPR 0x080
#define LAPIC_APR 0x090
#define LAPIC_PPR 0x0a0
#define LAPIC_EOI 0x0b0
#define LAPIC_RRD 0x0c0
#define LAPIC_LDR 0x0d0
#define LAPIC_DFR 0x0e0
#define LAPIC_SVR 0x0f0
#define LAPIC_ISR 0x100 /* 8 registers, 0x100-0x170 */
#define LAPIC_TMR 0x180
#define LAPIC_IRR 0x200
#define LAPIC_ESR 0x280
#define LAPIC_LVT_CMCI 0x2f0
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_THERMAL 0x330
#define LAPIC_LVT_PMC 0x340
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_ICR 0x380 /* Initial Count */
#define LAPIC_TIMER_CCR 0x390 /* Current Count */
#define LAPIC_TIMER_DCR 0x3e0 /* Divide Configuration */
#define LAPIC_SELF_IPI 0x3f0  /* x2APIC only (MSR 0x83F) */

/* Version 0x14 (integrated APIC); Max LVT Entry 5 (the field is the count
 * minus one: timer, thermal, PMC, LINT0, LINT1, error, so a guest does not
 * look for CMCI); no EOI-broadcast suppression. */
#define LAPIC_VERSION_VALUE 0x00050014u

#define LAPIC_SVR_ENABLE (1u << 8)
#define LAPIC_LVT_MASKED (1u << 16)
#define LAPIC_LVT_VECTOR 0xffu
#define LAPIC_LVT_DELIVERY(v) (((v) >> 8) & 7)
#define LAPIC_TIMER_MODE(v) (((v) >> 17) & 3)
#define LAPIC_TIMER_ONESHOT 0
#define LAPIC_TIMER_PERIODIC 1
#define LAPIC_TIMER_TSC_DEADLINE 2
/* A periodic timer re-arms Shale's own timer no sooner than this after an
 * expiry (lapic_timer.c says why): shorter periods coalesce. */
#define LAPIC_TIMER_MIN_US 100

/* Delivery modes (ICR and LVT bits 10:8). */
/* ICR bits beyond the LVT's (SDM Vol. 3A, Figure 11-12). */
#define LAPIC_ICR_LOGICAL (1u << 11)
#define LAPIC_ICR_ASSERT (1u << 14)
#define LAPIC_ICR_LEVEL_TRIGGER (1u << 15)

#define LAPIC_DM_FIXED 0
#define LAPIC_DM_LOWEST 1
#define LAPIC_DM_SMI 2
#define LAPIC_DM_NMI 4
#define LAPIC_DM_INIT 5
#define LAPIC_DM_STARTUP 6
#define LAPIC_DM_EXTINT 7

/* ESR bits (SDM Vol. 3A, 11.5.3). */
#define LAPIC_ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define LAPIC_ESR_RECV_ILLEGAL_VECTOR (1u << 6)
#define LAPIC_ESR_ILLEGAL_REG_ADDRESS (1u << 7)

/* The LVT entries, in register order. */
enum lapic_lvt {
	LAPIC_LVT_IDX_CMCI,
	LAPIC_LVT_IDX_TIMER,
	LAPIC_LVT_IDX_THERMAL,
	LAPIC_LVT_IDX_PMC,
	LAPIC_LVT_IDX_LINT0,
	LAPIC_LVT_IDX_LINT1,
	LAPIC_LVT_IDX_ERROR,
	LAPIC_LVT_COUNT
};

/* The integrator's side. Either callback may be NULL. */
struct lapic_ops {
	void *ctx;
	/* EOI of a level-triggered vector (TMR set): tell the IOAPIC. */
	void (*eoi)(void *ctx, uint8_t vector);
	/* An IPI that may reach another CPU, or a non-fixed IPI to this one
	 * (NMI, INIT, SIPI, SMI). A fixed IPI's share for this CPU has
	 * already been accepted here: deliver only to the others. icr_hi is
	 * the ICR high half: destination in bits 31:24 for xAPIC writes, the
	 * whole 32-bit x2APIC destination for lapic_msr_write(). */
	void (*ipi)(void *ctx, uint32_t icr_lo, uint32_t icr_hi);
	/* Something may have become deliverable here: an IRR bit was set
	 * (an IPI to itself, the timer, a LINT, an error), an NMI was
	 * raised, or an EOI or TPR write let a waiting vector through. The
	 * integrator makes the next VM entry look (vcpu.entry_work); without
	 * this a write that made an interrupt pending would wait for the
	 * next exit that happens to have entry work. */
	void (*kick)(void *ctx);
	/* The timer fired with vector (LVT timer unmasked). A timer may
	 * run on a CPU other than the one running this APIC's vCPU, which
	 * must then not write the register page under it: the integrator
	 * accepts the vector here (lapic_accept) or hands it to that CPU.
	 * NULL: lapic_accept at once. */
	void (*timer)(void *ctx, uint8_t vector);
};

struct lapic {
	/* The registers, in a 4 KiB page laid out as the xAPIC page (Table
	 * 11-1): one 32-bit register per 16 bytes. The same page can serve
	 * as the VMX virtual-APIC page, which the CPU reads and updates
	 * itself (vmm/vdev/lapic_virt.c): the model and the CPU then share
	 * one copy of the state. */
	uint32_t *page;
	const struct vdev_platform *plat;
	struct lapic_ops ops;
	uint32_t apic_id;
	uint64_t apic_base;	/* IA32_APIC_BASE's BSP, EXTD, EN (lapic_base.c) */
	uint32_t esr_pending;	/* errors since the last ESR write */
	bool lint_level[2];	/* LINT0/LINT1 input, as driven */
	bool lint_remote_irr[2];/* LVT LINT Remote IRR, kept here too: an
				 * APIC-write exit finds the page already
				 * overwritten by the guest's value */
	bool nmi_pending;	/* LINT programmed as NMI fired */

	/* Timer (lapic_timer.c): counting while timer_running. */
	unsigned timer_mode;	/* LVT timer mode as last applied, same reason */
	uint32_t timer_div;	/* divider latched at the last count load */
	uint64_t timer_start;	/* TSC at the last count load */
	bool timer_running;
	uint64_t tsc_deadline;	/* IA32_TSC_DEADLINE, guest TSC; 0 = disarmed */
	uint64_t tsc_offset;	/* guest TSC - host TSC (VMCS TSC offset) */
	struct vdev_timer timer;
};

/* Set up a LAPIC with the given APIC ID over page, LAPIC_SIZE bytes that
 * hold its registers from now on (4 KiB-aligned if it is to be a VMX
 * virtual-APIC page); ops may be NULL. The state is the power-up state of
 * lapic_reset(). */
void lapic_init(struct lapic *l, uint32_t apic_id, void *page,
		const struct vdev_platform *plat, const struct lapic_ops *ops);
/* Power-up / INIT state: software-disabled (SVR 0xFF), every LVT masked,
 * no pending or in-service vectors, timer stopped. The APIC ID and the
 * IA32_APIC_BASE mode stay (INIT keeps x2APIC mode); lapic_init() gives
 * xAPIC mode, enabled, BSP for APIC ID 0. */
void lapic_reset(struct lapic *l);
/* What a BIOS leaves for a firmware-less guest (MP spec "virtual wire"):
 * software-enabled, LINT0 ExtINT, LINT1 NMI, both unmasked. */
void lapic_virtual_wire(struct lapic *l);

/* The xAPIC page, an mmio_handler_fn. Only aligned 32-bit accesses to a
 * register's first dword reach a register; any other size or offset
 * reads 0 and its writes are dropped. A reserved register also sets the
 * ESR "illegal register address" bit. */
void lapic_mmio(void *opaque, uint64_t offset, unsigned size, bool write,
		uint64_t *val);
/* Claim LAPIC_BASE, 4 KiB. Returns 0, or -1 from mmio_register(). */
int lapic_attach(struct lapic *l, struct mmio_bus *bus);

/* IA32_APIC_BASE (lapic_base.c): the base address with the BSP, EXTD and
 * EN flags. A write changes the mode; -1 for the transitions the SDM
 * answers with #GP (to the invalid state EN = 0 EXTD = 1, x2APIC -> xAPIC,
 * disabled -> x2APIC). Disabling resets the registers. */
uint64_t lapic_get_apic_base(const struct lapic *l);
int lapic_set_apic_base(struct lapic *l, uint64_t val);
/* EN and EXTD both set: registers are MSRs, the xAPIC page is gone. */
bool lapic_x2apic_mode(const struct lapic *l);
/* Entering x2APIC mode: the register page's ID and LDR take their x2APIC
 * values (the 32-bit ID, the derived LDR), which a CPU that virtualizes
 * x2APIC-mode reads returns from the page as they are. */
void lapic_x2apic_page_ids(struct lapic *l);

/* x2APIC MSR access (0x800-0x8FF), x2APIC semantics: ID is the 32-bit ID,
 * LDR is derived from it and read-only, ICR is one 64-bit MSR (0x830),
 * SELF IPI is 0x83F. Returns 0, or -1 where the CPU raises #GP: an MSR
 * outside the x2APIC set, a write to a read-only register, a read of a
 * write-only one, reserved bits set. The caller routes MSRs here only while
 * the guest has the APIC in x2APIC mode (IA32_APIC_BASE.EXTD). */
int lapic_msr_read(struct lapic *l, uint32_t msr, uint64_t *val);
int lapic_msr_write(struct lapic *l, uint32_t msr, uint64_t val);

/* A fixed interrupt arrives (IOAPIC, IPI): set IRR, and TMR for level.
 * Dropped while software-disabled; a vector below 16 is an error (ESR). */
void lapic_accept(struct lapic *l, uint8_t vector, bool level);
/* The vector to inject now: the highest IRR vector whose priority class
 * is above PPR's, or -1 (none, or the APIC is software-disabled). */
int lapic_pending_vector(const struct lapic *l);
/* For reports (the shell's regs): the highest vector in IRR and in ISR,
 * -1 for none, and the TPR. */
int lapic_highest_irr(const struct lapic *l);
int lapic_highest_isr(const struct lapic *l);
uint32_t lapic_tpr(const struct lapic *l);
/* The CPU took vector (it was injected): IRR -> ISR. */
void lapic_acknowledge(struct lapic *l, uint8_t vector);

/* Drive LINT0 (n = 0) or LINT1 (n = 1). A fixed-mode LINT is accepted on
 * the active edge; an NMI-mode one sets what lapic_take_nmi() returns;
 * ExtINT mode does nothing here (see lapic_lint0_is_extint()). */
void lapic_set_lint(struct lapic *l, unsigned n, bool level);
/* An NMI message for this CPU (an I/O APIC pin in NMI delivery mode). */
void lapic_nmi(struct lapic *l);
/* True once per NMI raised through a LINT pin or an NMI IPI that names
 * this CPU (one latched NMI: more before the take merge into it). */
bool lapic_take_nmi(struct lapic *l);

/* IA32_TSC_DEADLINE: a write arms the timer at tsc (0 disarms), a value
 * of the guest's TSC (see lapic_set_tsc_offset()), when the LVT timer is
 * in TSC-deadline mode and is ignored otherwise; a deadline already past
 * fires at once. Reads what was written, or 0 outside that mode or once
 * fired. */
void lapic_set_tsc_deadline(struct lapic *l, uint64_t tsc);
uint64_t lapic_get_tsc_deadline(const struct lapic *l);
/* The guest's TSC is now the host's plus offset (the VMCS TSC offset,
 * changed by a guest write of IA32_TSC or IA32_TSC_ADJUST). Deadlines are
 * guest TSC values: an armed one is re-armed for the new offset, and fires
 * at once if the guest's TSC has passed it. */
void lapic_set_tsc_offset(struct lapic *l, uint64_t offset);

/* LINT0 is unmasked in ExtINT mode: the integrator passes the 8259's
 * output through to the CPU. */
bool lapic_lint0_is_extint(const struct lapic *l);
/* IA32_APIC_BASE.EN and SVR bit 8: the APIC is enabled. */
bool lapic_enabled(const struct lapic *l);
/* Does an IPI or I/O APIC message for dest reach this local APIC?
 * Physical: its APIC ID, or the broadcast ID. Logical: its LDR as the DFR
 * model reads it (SDM Vol. 3A, 11.6.2). */
bool lapic_is_destination(const struct lapic *l, uint32_t dest, bool logical,
			  bool x2apic);

/* --- VMX APIC virtualization (lapic_virt.c) ------------------------------
 * With "virtual-interrupt delivery" (Intel SDM Vol. 3C, chapter "APIC
 * Virtualization and Virtual Interrupts") the CPU works on the register
 * page itself: it delivers the highest IRR vector above PPR (IRR -> ISR),
 * takes TPR writes, retires EOIs and serves most register reads. What it
 * leaves to the model comes through these. */

/* The guest interrupt status for the VMCS: RVI (bits 7:0), the highest
 * vector in IRR, and SVI (bits 15:8), the highest in ISR; 0 for none. */
uint16_t lapic_intr_status(const struct lapic *l);
/* The EOI-exit bitmap: the vectors whose EOI must reach the model, which
 * are those with TMR set (level-triggered: their source waits for the
 * EOI). bits[i] holds vectors 64i..64i+63. */
void lapic_eoi_exit_bitmap(const struct lapic *l, uint64_t bits[4]);
/* An APIC-write VM exit: the CPU has stored a guest's write at offset in
 * the page (APIC-write emulation); apply it as a trapped write. */
void lapic_apic_write(struct lapic *l, uint32_t offset);
/* A virtualized EOI of a vector in the EOI-exit bitmap: the CPU has
 * already cleared its ISR bit; tell the IOAPIC and the LINT entries. */
void lapic_virtual_eoi(struct lapic *l, uint8_t vector);

#endif
