/* SPDX-License-Identifier: MIT */
/*
 * The local APIC model's NMIs (vmm/vdev/lapic.c): an NMI IPI that names
 * this CPU, by destination or by shorthand, and LINT1 in NMI mode are each
 * latched once for the vCPU to take (lapic_take_nmi(), which vmm/irq.c
 * injects); one that names only other CPUs is not. The model over a fake
 * clock, with no callbacks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/string.h"
#include "tests/unit/fake_platform.h"
#include "vmm/vdev/lapic.h"

#define ICR_NMI (LAPIC_DM_NMI << 8)
#define SH_SELF (1u << 18)
#define SH_ALL (2u << 18)
#define SH_OTHERS (3u << 18)

static struct fake_clock clock;
static struct vdev_platform plat;
static struct lapic L;
static uint32_t page[LAPIC_SIZE / 4] __attribute__((aligned(4096)));

static int setup(void **state)
{
	(void)state;
	memset(page, 0, sizeof(page));
	memset(&clock, 0, sizeof(clock));
	plat = (struct vdev_platform){ .ctx = &clock, .hz = 1000000000,
				       .now = fake_now,
				       .timer_arm = fake_timer_arm,
				       .timer_cancel = fake_timer_cancel };
	lapic_init(&L, 0, page, &plat, NULL);
	lapic_virtual_wire(&L);
	return 0;
}

static void wr(uint32_t off, uint32_t val)
{
	uint64_t v = val;

	lapic_mmio(&L, off, 4, true, &v);
}

static void icr(uint32_t hi, uint32_t lo)
{
	wr(LAPIC_ICR_HIGH, hi);
	wr(LAPIC_ICR_LOW, lo);
}

/* The physical destination of the xAPIC ICR is bits 31:24 of its high
 * half: APIC ID 0 (this CPU), 0xFF (everyone) name it; 1 does not. */
static void nmi_ipi_by_destination(void **state)
{
	(void)state;
	assert_false(lapic_take_nmi(&L));
	icr(0, ICR_NMI);
	assert_true(lapic_take_nmi(&L));
	assert_false(lapic_take_nmi(&L));
	icr(0xffu << 24, ICR_NMI);
	assert_true(lapic_take_nmi(&L));
	icr(1u << 24, ICR_NMI);
	assert_false(lapic_take_nmi(&L));
	/* A fixed IPI is no NMI. */
	icr(0, 0x40);
	assert_false(lapic_take_nmi(&L));
}

static void nmi_ipi_by_shorthand(void **state)
{
	(void)state;
	icr(1u << 24, SH_SELF | ICR_NMI);
	assert_true(lapic_take_nmi(&L));
	icr(1u << 24, SH_ALL | ICR_NMI);
	assert_true(lapic_take_nmi(&L));
	icr(0, SH_OTHERS | ICR_NMI);
	assert_false(lapic_take_nmi(&L));
}

/* One latch: two NMIs before the vCPU takes one are one NMI, as on the
 * CPU, where a second NMI pending while one waits is lost. */
static void nmis_merge_until_taken(void **state)
{
	(void)state;
	icr(0, ICR_NMI);
	icr(0, ICR_NMI);
	assert_true(lapic_take_nmi(&L));
	assert_false(lapic_take_nmi(&L));
}

/* x2APIC: the ICR is one MSR, destination in its high 32 bits. */
static void nmi_ipi_x2apic(void **state)
{
	(void)state;
	assert_int_equal(lapic_msr_write(&L, 0x830, ICR_NMI), 0);
	assert_true(lapic_take_nmi(&L));
	assert_int_equal(lapic_msr_write(&L, 0x830, (5ull << 32) | ICR_NMI), 0);
	assert_false(lapic_take_nmi(&L));
}

/* LINT1, virtual wire: NMI mode, once per rising edge; masked, none. */
static void lint1_nmi(void **state)
{
	(void)state;
	lapic_set_lint(&L, 1, true);
	assert_true(lapic_take_nmi(&L));
	assert_false(lapic_take_nmi(&L));
	lapic_set_lint(&L, 1, false);
	wr(LAPIC_LVT_LINT1, LAPIC_LVT_MASKED | ICR_NMI);
	lapic_set_lint(&L, 1, true);
	assert_false(lapic_take_nmi(&L));
}

/* An NMI message (an I/O APIC pin in NMI mode) is latched like the
 * others, also while the APIC is software-disabled: such an APIC still
 * takes NMI messages (SDM Vol. 3A, 11.4.7.2). */
static void nmi_message(void **state)
{
	(void)state;
	lapic_nmi(&L);
	lapic_nmi(&L);
	assert_true(lapic_take_nmi(&L));
	assert_false(lapic_take_nmi(&L));
	wr(LAPIC_SVR, 0xff);
	lapic_nmi(&L);
	assert_true(lapic_take_nmi(&L));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(nmi_ipi_by_destination, setup),
		cmocka_unit_test_setup(nmi_ipi_by_shorthand, setup),
		cmocka_unit_test_setup(nmis_merge_until_taken, setup),
		cmocka_unit_test_setup(nmi_ipi_x2apic, setup),
		cmocka_unit_test_setup(lint1_nmi, setup),
		cmocka_unit_test_setup(nmi_message, setup),
	};

	return cmocka_run_group_tests_name("lapic_nmi", tests, NULL, NULL);
}
