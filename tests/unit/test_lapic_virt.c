/* SPDX-License-Identifier: MIT */
/*
 * The local APIC model as VMX APIC virtualization sees it: its register
 * page in the SDM's layout (the CPU reads and writes it as the
 * virtual-APIC page), RVI/SVI and the EOI-exit bitmap derived from it,
 * and the writes the CPU hands back through APIC-write and virtualized-EOI
 * exits. Here "the CPU" is the test, poking the page as the SDM says the
 * processor does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/string.h"
#include "tests/unit/fake_platform.h"
#include "vmm/vdev/lapic.h"

static struct lapic L;
static uint32_t page[LAPIC_SIZE / 4] __attribute__((aligned(4096)));
static struct vdev_platform plat;
static struct fake_clock clk;
static unsigned eois, ipis;
static uint8_t eoi_vector;
static uint32_t ipi_lo, ipi_hi;

static void op_eoi(void *ctx, uint8_t vector)
{
	(void)ctx;
	eois++;
	eoi_vector = vector;
}

static void op_ipi(void *ctx, uint32_t lo, uint32_t hi)
{
	(void)ctx;
	ipis++;
	ipi_lo = lo;
	ipi_hi = hi;
}

static const struct lapic_ops ops = { .eoi = op_eoi, .ipi = op_ipi };

static int setup(void **state)
{
	(void)state;
	clk = (struct fake_clock){ .now = 1000 };
	plat = (struct vdev_platform){ .ctx = &clk, .hz = 1000000000, .now = fake_now,
				       .timer_arm = fake_timer_arm,
				       .timer_cancel = fake_timer_cancel };
	eois = ipis = 0;
	memset(page, 0xa5, sizeof(page)); /* lapic_init must clear it */
	lapic_init(&L, 2, page, &plat, &ops);
	lapic_virtual_wire(&L);
	return 0;
}

/* The page as the CPU addresses it: a 32-bit register at a byte offset. */
static uint32_t *cpu_reg(uint32_t off)
{
	return &page[off / 4];
}

/* What the guest reads through trapped MMIO (registers the CPU does not
 * virtualize, PPR and the current count among them, still come here). */
static uint32_t rd(uint32_t off)
{
	uint64_t v = 0;

	lapic_mmio(&L, off, 4, false, &v);
	return (uint32_t)v;
}

/* The guest's write as APIC-write emulation leaves it: in the page, then
 * the exit. */
static void apic_write(uint32_t off, uint32_t val)
{
	*cpu_reg(off & ~3u) = val;
	lapic_apic_write(&L, off);
}

static void page_layout_is_the_sdm_s(void **state)
{
	(void)state;
	assert_int_equal(*cpu_reg(LAPIC_ID), 2u << 24);
	assert_int_equal(*cpu_reg(LAPIC_VERSION), LAPIC_VERSION_VALUE);
	assert_int_equal(*cpu_reg(LAPIC_SVR), LAPIC_SVR_ENABLE | 0xff);
	assert_int_equal(*cpu_reg(LAPIC_DFR), 0xffffffffu);
	assert_int_equal(*cpu_reg(LAPIC_LVT_TIMER), LAPIC_LVT_MASKED);
	assert_int_equal(*cpu_reg(LAPIC_LVT_LINT0), LAPIC_DM_EXTINT << 8);
	assert_int_equal(*cpu_reg(0x400), 0); /* beyond the registers */
	/* Vector 0x45 = 69: IRR register 2 (0x220), bit 5. */
	lapic_accept(&L, 0x45, false);
	assert_int_equal(*cpu_reg(LAPIC_IRR + 0x20), 1u << 5);
	/* Vector 0xff: the last register's top bit; level sets TMR too. */
	lapic_accept(&L, 0xff, true);
	assert_int_equal(*cpu_reg(LAPIC_IRR + 0x70), 1u << 31);
	assert_int_equal(*cpu_reg(LAPIC_TMR + 0x70), 1u << 31);
	assert_int_equal(rd(LAPIC_IRR + 0x70), 1u << 31);
}

static void rvi_and_svi(void **state)
{
	(void)state;
	assert_int_equal(lapic_intr_status(&L), 0);
	lapic_accept(&L, 0x20, false);
	assert_int_equal(lapic_intr_status(&L), 0x0020);
	lapic_accept(&L, 0x91, false);
	lapic_accept(&L, 0x3f, false);
	assert_int_equal(lapic_intr_status(&L), 0x0091);
	/* The CPU delivers RVI: VIRR -> VISR. */
	lapic_acknowledge(&L, 0x91);
	assert_int_equal(lapic_intr_status(&L), 0x913f);
	lapic_acknowledge(&L, 0x3f);
	assert_int_equal(lapic_intr_status(&L), 0x9120);
	/* The CPU retires 0x91 (EOI virtualization clears VISR[SVI]). */
	*cpu_reg(LAPIC_ISR + 0x40) &= ~(1u << (0x91 & 31));
	assert_int_equal(lapic_intr_status(&L), 0x3f20);
}

static void ppr_follows_what_the_cpu_did(void **state)
{
	(void)state;
	/* A TPR write virtualized by the CPU lands in VTPR only. */
	*cpu_reg(LAPIC_TPR) = 0x50;
	assert_int_equal(rd(LAPIC_PPR), 0x50);
	lapic_accept(&L, 0x55, false);
	assert_int_equal(lapic_pending_vector(&L), -1); /* class 5 <= 5 */
	lapic_accept(&L, 0x61, false);
	assert_int_equal(lapic_pending_vector(&L), 0x61);
	/* A virtual interrupt the CPU delivered raises PPR to its class. */
	*cpu_reg(LAPIC_IRR + 0x30) &= ~(1u << 1); /* 0x61: word 3, bit 1 */
	*cpu_reg(LAPIC_ISR + 0x30) |= 1u << 1;
	assert_int_equal(rd(LAPIC_PPR), 0x60);
	assert_int_equal(lapic_pending_vector(&L), -1);
	assert_int_equal(lapic_intr_status(&L), 0x6155);
}

static void eoi_exit_bitmap_is_tmr(void **state)
{
	uint64_t bits[4];

	(void)state;
	lapic_eoi_exit_bitmap(&L, bits);
	assert_true(!bits[0] && !bits[1] && !bits[2] && !bits[3]);
	lapic_accept(&L, 0x41, true);  /* vector 65: word 1, bit 1 */
	lapic_accept(&L, 0xfe, true);  /* vector 254: word 3, bit 62 */
	lapic_accept(&L, 0x23, false); /* edge: never in the bitmap */
	lapic_eoi_exit_bitmap(&L, bits);
	assert_int_equal(bits[0], 0);
	assert_int_equal(bits[1], 1ull << 1);
	assert_int_equal(bits[2], 0);
	assert_int_equal(bits[3], 1ull << 62);
	/* The same vector arriving edge-triggered clears it again. */
	lapic_accept(&L, 0x41, false);
	lapic_eoi_exit_bitmap(&L, bits);
	assert_int_equal(bits[1], 0);
}

static void virtual_eoi_reaches_the_ioapic(void **state)
{
	(void)state;
	lapic_accept(&L, 0x39, true);
	lapic_acknowledge(&L, 0x39);
	/* The CPU cleared VISR and exited: the model only passes it on. */
	*cpu_reg(LAPIC_ISR + 0x10) = 0; /* 0x39: word 1 */
	lapic_virtual_eoi(&L, 0x39);
	assert_int_equal(eois, 1);
	assert_int_equal(eoi_vector, 0x39);
	/* An edge vector in the bitmap by mistake tells no one. */
	lapic_accept(&L, 0x3a, false);
	lapic_virtual_eoi(&L, 0x3a);
	assert_int_equal(eois, 1);
}

static void virtual_eoi_clears_lint_remote_irr(void **state)
{
	(void)state;
	/* LINT1 fixed, level, vector 0x77, line held high. */
	apic_write(LAPIC_LVT_LINT1, 0x77 | (1u << 15));
	lapic_set_lint(&L, 1, true);
	assert_true(*cpu_reg(LAPIC_LVT_LINT1) & (1u << 14));
	assert_int_equal(lapic_intr_status(&L) & 0xff, 0x77);
	lapic_acknowledge(&L, 0x77);
	/* The guest rewrites the entry meanwhile: Remote IRR stays set,
	 * whatever the page said after the CPU stored the write. */
	apic_write(LAPIC_LVT_LINT1, 0x77 | (1u << 15));
	assert_true(*cpu_reg(LAPIC_LVT_LINT1) & (1u << 14));
	*cpu_reg(LAPIC_ISR + 0x30) = 0; /* 0x77: word 3 */
	lapic_virtual_eoi(&L, 0x77);
	/* The line is still high: accepted again, Remote IRR set again. */
	assert_int_equal(lapic_intr_status(&L) & 0xff, 0x77);
	lapic_acknowledge(&L, 0x77);
	lapic_set_lint(&L, 1, false);
	*cpu_reg(LAPIC_ISR + 0x30) = 0;
	lapic_virtual_eoi(&L, 0x77);
	assert_false(*cpu_reg(LAPIC_LVT_LINT1) & (1u << 14));
	assert_int_equal(lapic_intr_status(&L), 0);
}

static void apic_write_applies_the_page(void **state)
{
	(void)state;
	/* ID is read-only: the page gets the APIC's own ID back. */
	apic_write(LAPIC_ID, 0x7f000000);
	assert_int_equal(*cpu_reg(LAPIC_ID), 2u << 24);
	/* Writable bits only. */
	apic_write(LAPIC_LDR, 0x12345678);
	assert_int_equal(*cpu_reg(LAPIC_LDR), 0x12000000);
	apic_write(LAPIC_LVT_ERROR, 0xffffffff);
	assert_int_equal(*cpu_reg(LAPIC_LVT_ERROR), 0x100ff);
	/* ESR: a write latches the errors since the last one, whatever was
	 * written. A self IPI with vector 3 is an illegal vector. */
	apic_write(LAPIC_LVT_ERROR, LAPIC_LVT_MASKED);
	apic_write(LAPIC_ICR_LOW, 3 | (1u << 18));
	apic_write(LAPIC_ESR, 0xabcd);
	assert_int_equal(*cpu_reg(LAPIC_ESR), LAPIC_ESR_SEND_ILLEGAL_VECTOR);
	/* A byte write inside a register: the exit names that byte. */
	apic_write(LAPIC_TIMER_DCR, 0xb);
	*cpu_reg(LAPIC_TIMER_ICR) = 0x100;
	lapic_apic_write(&L, LAPIC_TIMER_ICR + 1);
	assert_int_equal(clk.arms, 1);
	clk.now += 0x40;
	assert_int_equal(rd(LAPIC_TIMER_CCR), 0x100 - 0x40);
	/* Beyond the registers: ignored. */
	*cpu_reg(0x800) = 5;
	lapic_apic_write(&L, 0x800);
	assert_int_equal(*cpu_reg(0x800), 5);
}

static void apic_write_icr_sends(void **state)
{
	(void)state;
	/* ICR high is virtualized without an exit: only the page has it. */
	*cpu_reg(LAPIC_ICR_HIGH) = 5u << 24;
	apic_write(LAPIC_ICR_LOW, 0x4a); /* fixed, physical, to APIC 5 */
	assert_int_equal(ipis, 1);
	assert_int_equal(ipi_hi, 5u << 24);
	assert_int_equal(ipi_lo, 0x4a);
	assert_int_equal(lapic_intr_status(&L), 0);
	/* To itself by ID: accepted here, RVI says so. */
	*cpu_reg(LAPIC_ICR_HIGH) = 2u << 24;
	apic_write(LAPIC_ICR_LOW, 0x4b);
	assert_int_equal(ipis, 1);
	assert_int_equal(lapic_intr_status(&L), 0x004b);
}

static void timer_modes_through_apic_write(void **state)
{
	(void)state;
	apic_write(LAPIC_LVT_TIMER, 0x30 | (LAPIC_TIMER_TSC_DEADLINE << 17));
	/* The initial count is ignored and reads 0 in TSC-deadline mode,
	 * although the CPU has just stored the guest's value in the page. */
	apic_write(LAPIC_TIMER_ICR, 1000);
	assert_int_equal(*cpu_reg(LAPIC_TIMER_ICR), 0);
	assert_int_equal(clk.arms, 0);
	lapic_set_tsc_deadline(&L, clk.now + 10);
	assert_int_equal(clk.arms, 1);
	/* Back to one-shot: disarmed, as SDM 11.5.4.1 says. */
	apic_write(LAPIC_LVT_TIMER, 0x30);
	assert_int_equal(lapic_get_tsc_deadline(&L), 0);
	apic_write(LAPIC_TIMER_DCR, 0xb);
	apic_write(LAPIC_TIMER_ICR, 50);
	assert_int_equal(*cpu_reg(LAPIC_TIMER_ICR), 50);
	assert_int_equal(clk.arms, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(page_layout_is_the_sdm_s, setup),
		cmocka_unit_test_setup(rvi_and_svi, setup),
		cmocka_unit_test_setup(ppr_follows_what_the_cpu_did, setup),
		cmocka_unit_test_setup(eoi_exit_bitmap_is_tmr, setup),
		cmocka_unit_test_setup(virtual_eoi_reaches_the_ioapic, setup),
		cmocka_unit_test_setup(virtual_eoi_clears_lint_remote_irr, setup),
		cmocka_unit_test_setup(apic_write_applies_the_page, setup),
		cmocka_unit_test_setup(apic_write_icr_sends, setup),
		cmocka_unit_test_setup(timer_modes_through_apic_write, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
