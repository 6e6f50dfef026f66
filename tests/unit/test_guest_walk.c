/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for the guest page walk of vmm/guest_mem.c, the one
 * string I/O and MMIO emulation use (Intel SDM Vol. 3A, chapter 4):
 * reserved bits give #PF with RSVD (4.5, tables 4-4 and 4-15 to 4-20),
 * protection keys #PF with PK (4.6.2). Each rule is checked on both
 * sides: the entry just inside it walks, the one just outside faults.
 * Guest memory is a buffer; the vCPU hooks guest_mem.c needs are stubs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/include/cpu.h"
#include "vmm/guest_mem.h"
#include "vmm/vm.h"

#define MEM_SIZE 0x100000
static uint8_t mem[MEM_SIZE];
static struct vm the_vm;

void *vm_gpa_to_hva_any(struct vm *vm, uint64_t gpa, uint64_t len)
{
	(void)vm;
	return gpa < MEM_SIZE && len <= MEM_SIZE - gpa ? mem + gpa : NULL;
}

/* guest_linear_access() and friends are not under test here. */
uint64_t vcpu_get_state(struct vcpu *v, enum vcpu_reg r)
{
	(void)v;
	(void)r;
	return 0;
}

uint32_t vcpu_pkru(struct vcpu *v)
{
	(void)v;
	return 0;
}

/* 4-level tables: PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000 -> PT 0x4000.
 * LA_4K (PD[2], PT[0]) maps the 4 KiB page at 0x10000; LA_2M is a 2 MiB
 * page (PD[3]), LA_1G a 1 GiB page (PDPT[1]). U/S, R/W and P everywhere. */
#define PML4 0x1000
#define PDPT 0x2000
#define PD 0x3000
#define PT 0x4000
#define PAGE 0x10000
#define LA_4K 0x400000ull
#define LA_2M 0x600000ull
#define LA_1G 0x40000000ull
#define UP 7ull   /* P, R/W, U/S */
#define PS (1ull << 7)
#define XD (1ull << 63)
#define MAXPHY 36

static uint64_t *entry(uint64_t gpa)
{
	return (uint64_t *)(mem + gpa);
}

static struct guest_paging four_level(void)
{
	memset(mem, 0, sizeof(mem));
	*entry(PML4) = PDPT | UP;
	*entry(PDPT) = PD | UP;
	*entry(PDPT + 8) = 0x40000000ull | PS | UP;
	*entry(PD + 2 * 8) = PT | UP;
	*entry(PD + 3 * 8) = 0x200000ull | PS | UP;
	*entry(PT) = PAGE | UP;
	return (struct guest_paging){
		.cr0 = CR0_PE | CR0_PG | CR0_WP,
		.cr3 = PML4,
		.cr4 = CR4_PAE,
		.efer = EFER_LME | EFER_LMA | EFER_NXE,
		.maxphyaddr = MAXPHY,
	};
}

static enum guest_walk walk(const struct guest_paging *pg, uint64_t la,
			    unsigned acc, uint64_t *gpa, uint32_t *err)
{
	*err = 0xdead;
	return guest_walk(&the_vm, pg, la, acc, gpa, err);
}

/* The walk faults with exactly this error code. */
static void expect_pf(const struct guest_paging *pg, uint64_t la,
		      unsigned acc, uint32_t want)
{
	uint64_t gpa;
	uint32_t err;

	assert_int_equal(walk(pg, la, acc, &gpa, &err), GUEST_WALK_PF);
	assert_int_equal(err, want);
}

static void expect_ok(const struct guest_paging *pg, uint64_t la,
		      unsigned acc, uint64_t want_gpa)
{
	uint64_t gpa = 0;
	uint32_t err;

	assert_int_equal(walk(pg, la, acc, &gpa, &err), GUEST_WALK_OK);
	assert_int_equal(gpa, want_gpa);
}

static void test_plain_walk(void **state)
{
	struct guest_paging pg = four_level();

	(void)state;
	expect_ok(&pg, LA_4K + 0x123, GUEST_ACC_WRITE, PAGE + 0x123);
	assert_true(*entry(PML4) & (1 << 5));        /* accessed */
	assert_true(*entry(PT) & (1 << 6));          /* dirty */
	expect_ok(&pg, LA_2M + 0x12345, 0, 0x200000 + 0x12345);
	expect_ok(&pg, LA_1G + 0x123456, 0, 0x40000000 + 0x123456);
}

/* Address bits at or above MAXPHYADDR, in a leaf and in a table pointer. */
static void test_maxphyaddr(void **state)
{
	struct guest_paging pg = four_level();

	(void)state;
	*entry(PT) = PAGE | (1ull << (MAXPHY - 1)) | UP;
	expect_ok(&pg, LA_4K, 0, PAGE | (1ull << (MAXPHY - 1)));
	*entry(PT) = PAGE | (1ull << MAXPHY) | UP;
	*entry(PML4) &= ~(1ull << 5);
	expect_pf(&pg, LA_4K, 0, PF_ERR_P | PF_ERR_RSVD);
	assert_false(*entry(PML4) & (1 << 5)); /* a fault sets no flag */
	*entry(PT) = PAGE | (1ull << 51) | UP;
	expect_pf(&pg, LA_4K, GUEST_ACC_WRITE | GUEST_ACC_USER,
		  PF_ERR_P | PF_ERR_W | PF_ERR_U | PF_ERR_RSVD);
	pg.maxphyaddr = 52;
	expect_ok(&pg, LA_4K, 0, PAGE | (1ull << 51));

	pg = four_level();
	*entry(PML4) = PDPT | (1ull << 40) | UP;
	expect_pf(&pg, LA_4K, 0, PF_ERR_P | PF_ERR_RSVD);
}

static void test_xd_needs_nxe(void **state)
{
	struct guest_paging pg = four_level();

	(void)state;
	*entry(PD + 2 * 8) = PT | XD | UP;
	expect_ok(&pg, LA_4K, 0, PAGE);
	pg.efer &= ~EFER_NXE;
	expect_pf(&pg, LA_4K, 0, PF_ERR_P | PF_ERR_RSVD);
}

static void test_ps_in_pml4(void **state)
{
	struct guest_paging pg = four_level();

	(void)state;
	*entry(PML4) = PDPT | PS | UP;
	expect_pf(&pg, LA_4K, 0, PF_ERR_P | PF_ERR_RSVD);
}

/* Bits 20:13 of a 2 MiB PDE and 29:13 of a 1 GiB PDPTE; bit 12 is PAT. */
static void test_large_page_low_bits(void **state)
{
	struct guest_paging pg = four_level();

	(void)state;
	*entry(PD + 3 * 8) = 0x200000ull | (1ull << 12) | PS | UP;
	expect_ok(&pg, LA_2M, 0, 0x200000);
	*entry(PD + 3 * 8) = 0x200000ull | (1ull << 13) | PS | UP;
	expect_pf(&pg, LA_2M, 0, PF_ERR_P | PF_ERR_RSVD);
	*entry(PD + 3 * 8) = 0x200000ull | (1ull << 20) | PS | UP;
	expect_pf(&pg, LA_2M, 0, PF_ERR_P | PF_ERR_RSVD);
	*entry(PDPT + 8) = 0x40000000ull | (1ull << 29) | PS | UP;
	expect_pf(&pg, LA_1G, 0, PF_ERR_P | PF_ERR_RSVD);
	*entry(PDPT + 8) = 0x40000000ull | (1ull << 12) | PS | UP;
	expect_ok(&pg, LA_1G, 0, 0x40000000);
}

/* 32-bit paging: PD 0x1000, PT 0x2000. A 4 MiB PDE keeps address bits
 * 39:32 in its bits 20:13; bit 21 and those at or above MAXPHYADDR are
 * reserved. */
static void test_32bit(void **state)
{
	struct guest_paging pg = {
		.cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000, .cr4 = 1ull << 4 /* PSE */,
		.maxphyaddr = MAXPHY,
	};
	uint32_t *pd = (uint32_t *)(mem + 0x1000), *pt = (uint32_t *)(mem + 0x2000);

	(void)state;
	memset(mem, 0, sizeof(mem));
	pd[1] = 0x2000 | UP;
	pt[3] = PAGE | UP;
	expect_ok(&pg, 0x403abc, GUEST_ACC_WRITE, PAGE + 0xabc);
	assert_true(pd[1] & (1 << 5));
	assert_true(pt[3] & (1 << 6));
	pd[2] = 0x800000 | (3u << 13) | PS | UP; /* address bits 33:32 */
	expect_ok(&pg, 0x812345, 0, 0x300812345ull);
	pd[2] = 0x800000 | (1u << (13 + MAXPHY - 32)) | PS | UP;
	expect_pf(&pg, 0x812345, 0, PF_ERR_P | PF_ERR_RSVD);
	pd[2] = 0x800000 | (1u << 21) | PS | UP;
	expect_pf(&pg, 0x812345, 0, PF_ERR_P | PF_ERR_RSVD);
	pg.cr4 = 0; /* without PSE, PS is ignored: a table at 0x800000 */
	pd[2] = 0x2000 | PS | UP;
	expect_ok(&pg, 0x803000, 0, PAGE);
}

#define PKEY(k) ((uint64_t)(k) << 59)
#define AD(k) (1u << (2 * (k)))
#define WD(k) (2u << (2 * (k)))

/* Access disable: any data access to a user-mode address with that key. */
static void test_pkey_access_disable(void **state)
{
	struct guest_paging pg = four_level();

	(void)state;
	pg.cr4 |= CR4_PKE;
	*entry(PT) = PAGE | PKEY(5) | UP;
	pg.pkru = AD(4) | WD(5);
	expect_ok(&pg, LA_4K, 0, PAGE);
	pg.pkru = AD(5);
	expect_pf(&pg, LA_4K, 0, PF_ERR_P | PF_ERR_PK);
	expect_pf(&pg, LA_4K, GUEST_ACC_USER, PF_ERR_P | PF_ERR_U | PF_ERR_PK);
	/* Not a user-mode address: U/S clear at one level. */
	*entry(PD + 2 * 8) = PT | 3;
	expect_ok(&pg, LA_4K, 0, PAGE);
	/* Keys apply only with CR4.PKE. */
	*entry(PD + 2 * 8) = PT | UP;
	pg.cr4 &= ~CR4_PKE;
	expect_ok(&pg, LA_4K, 0, PAGE);
}

/* Write disable: user-mode writes always, supervisor-mode writes only
 * with CR0.WP. */
static void test_pkey_write_disable(void **state)
{
	struct guest_paging pg = four_level();

	(void)state;
	pg.cr4 |= CR4_PKE;
	*entry(PT) = PAGE | PKEY(15) | UP;
	pg.pkru = WD(15);
	expect_ok(&pg, LA_4K, GUEST_ACC_USER, PAGE);
	expect_pf(&pg, LA_4K, GUEST_ACC_USER | GUEST_ACC_WRITE,
		  PF_ERR_P | PF_ERR_W | PF_ERR_U | PF_ERR_PK);
	expect_pf(&pg, LA_4K, GUEST_ACC_WRITE, PF_ERR_P | PF_ERR_W | PF_ERR_PK);
	pg.cr0 &= ~CR0_WP;
	expect_ok(&pg, LA_4K, GUEST_ACC_WRITE, PAGE);
}

/* A peek (the instruction bytes the CPU already fetched) translates only. */
static void test_peek(void **state)
{
	struct guest_paging pg = four_level();

	(void)state;
	*entry(PT) = PAGE | (1ull << MAXPHY) | 5; /* read-only, reserved bit */
	expect_ok(&pg, LA_4K, GUEST_ACC_PEEK, PAGE | (1ull << MAXPHY));
	assert_false(*entry(PT) & (1 << 5));
	*entry(PT) = 0;
	expect_pf(&pg, LA_4K, GUEST_ACC_PEEK, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_walk),
		cmocka_unit_test(test_maxphyaddr),
		cmocka_unit_test(test_xd_needs_nxe),
		cmocka_unit_test(test_ps_in_pml4),
		cmocka_unit_test(test_large_page_low_bits),
		cmocka_unit_test(test_32bit),
		cmocka_unit_test(test_pkey_access_disable),
		cmocka_unit_test(test_pkey_write_disable),
		cmocka_unit_test(test_peek),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
