/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "arch/x86/exit_qual.h"

static void io_out_dx_al(void **state)
{
	(void)state;
	/* OUT DX, AL to port 0x5000: size 1, out, not string */
	struct io_qual q = io_qual_decode(0x50000000ull);

	assert_int_equal(q.port, 0x5000);
	assert_int_equal(q.size, 1);
	assert_false(q.in);
	assert_false(q.string);
	assert_false(q.rep);
	assert_false(q.imm);
}

static void io_in_eax_imm(void **state)
{
	(void)state;
	/* IN EAX, 0x71: size-1 = 3, IN, immediate */
	struct io_qual q = io_qual_decode((0x71ull << 16) | (1 << 6) | (1 << 3) | 3);

	assert_int_equal(q.port, 0x71);
	assert_int_equal(q.size, 4);
	assert_true(q.in);
	assert_true(q.imm);
}

static void io_rep_insw(void **state)
{
	(void)state;
	struct io_qual q = io_qual_decode((0x1f0ull << 16) | (1 << 5) | (1 << 4) | (1 << 3) | 1);

	assert_int_equal(q.port, 0x1f0);
	assert_int_equal(q.size, 2);
	assert_true(q.in && q.string && q.rep);
}

static void io_upper_bits_ignored(void **state)
{
	(void)state;
	struct io_qual q = io_qual_decode(0xffffffff00000000ull | (0xcf8ull << 16) | 3);

	assert_int_equal(q.port, 0xcf8);
	assert_int_equal(q.size, 4);
	assert_false(q.in);
}

static void cr_mov_to_cr4_from_rbx(void **state)
{
	(void)state;
	struct cr_qual q = cr_qual_decode((3 << 8) | (0 << 4) | 4);

	assert_int_equal(q.cr, 4);
	assert_int_equal(q.type, CR_MOV_TO_CR);
	assert_int_equal(q.gpr, 3);
}

static void cr_mov_from_cr3_to_r12(void **state)
{
	(void)state;
	struct cr_qual q = cr_qual_decode((12 << 8) | (1 << 4) | 3);

	assert_int_equal(q.cr, 3);
	assert_int_equal(q.type, CR_MOV_FROM_CR);
	assert_int_equal(q.gpr, 12);
}

static void cr_lmsw(void **state)
{
	(void)state;
	struct cr_qual q = cr_qual_decode((0x0031ull << 16) | (1 << 6) | (3 << 4));

	assert_int_equal(q.type, CR_LMSW);
	assert_int_equal(q.lmsw_data, 0x31);
	assert_true(q.lmsw_memory);
	assert_int_equal(q.cr, 0);
}

static void ept_read_unmapped(void **state)
{
	(void)state;
	struct ept_qual q = ept_qual_decode(0x81); /* read, GLA valid */

	assert_true(q.read);
	assert_false(q.write);
	assert_false(q.fetch);
	assert_false(q.readable || q.writable || q.executable);
	assert_true(q.gla_valid);
}

static void ept_write_to_readonly(void **state)
{
	(void)state;
	struct ept_qual q = ept_qual_decode(0x2 | 0x8 | 0x20);

	assert_true(q.write);
	assert_true(q.readable);
	assert_false(q.writable);
	assert_true(q.executable);
}

static void apic_access_read_and_fetch(void **state)
{
	(void)state;
	struct apic_access_qual q = apic_access_qual_decode(0x390);

	assert_int_equal(q.offset, 0x390);
	assert_int_equal(q.type, APIC_ACCESS_LINEAR_READ);
	q = apic_access_qual_decode(0x1000 | 0x0a0);
	assert_int_equal(q.offset, 0x0a0);
	assert_int_equal(q.type, APIC_ACCESS_LINEAR_WRITE);
	q = apic_access_qual_decode(0x1f000 | 0xabc); /* bit 16: asynchronous */
	assert_int_equal(q.type, APIC_ACCESS_PHYSICAL_INSN);
	assert_int_equal(q.offset, 0xabc);
}

static void string_info_sizes(void **state)
{
	(void)state;
	assert_int_equal(string_io_info_decode(0 << 7).addr_size, 2);
	assert_int_equal(string_io_info_decode(1 << 7).addr_size, 4);
	assert_int_equal(string_io_info_decode(2 << 7).addr_size, 8);
	assert_int_equal(string_io_info_decode(3u << 15).segment, 3);
	assert_int_equal(string_io_info_decode((5u << 15) | (2 << 7)).segment, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(io_out_dx_al),
		cmocka_unit_test(io_in_eax_imm),
		cmocka_unit_test(io_rep_insw),
		cmocka_unit_test(io_upper_bits_ignored),
		cmocka_unit_test(cr_mov_to_cr4_from_rbx),
		cmocka_unit_test(cr_mov_from_cr3_to_r12),
		cmocka_unit_test(cr_lmsw),
		cmocka_unit_test(ept_read_unmapped),
		cmocka_unit_test(ept_write_to_readonly),
		cmocka_unit_test(apic_access_read_and_fetch),
		cmocka_unit_test(string_info_sizes),
	};

	return cmocka_run_group_tests_name("exit_qual", tests, NULL, NULL);
}
