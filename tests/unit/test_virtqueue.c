/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for vmm/vdev/virtio_queue.c: split virtqueues over a
 * "guest RAM" of host buffers, one rule of virtio_queue.h per hostile test.
 *
 * Guest-physical layout: 64 KiB of RAM at 0 (buffer lo) and 64 KiB at
 * 4 GiB (buffer hi); everything between is the MMIO hole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/vdev/virtio_queue.h"

#define RAM_SIZE 0x10000u
#define DESC_GPA 0x1000u
#define AVAIL_GPA 0x2000u
#define USED_GPA 0x3000u
#define BUF_GPA 0x8000u
#define QSIZE 8

static _Alignas(4096) uint8_t lo[RAM_SIZE];
static _Alignas(4096) uint8_t hi[RAM_SIZE];
static struct guest_ram ram;
static struct virtq q;
static struct virtq_chain chain;

static struct virtq_desc *desc(unsigned i)
{
	return (struct virtq_desc *)(lo + DESC_GPA) + i;
}

static uint16_t *avail(void)
{
	return (uint16_t *)(lo + AVAIL_GPA);
}

static uint16_t *used(void)
{
	return (uint16_t *)(lo + USED_GPA);
}

static void set_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	*desc(i) = (struct virtq_desc){ addr, len, flags, next };
}

/* The driver makes chain `head` available. */
static void offer(uint16_t head)
{
	uint16_t idx = avail()[1];

	avail()[2 + idx % QSIZE] = head;
	avail()[1] = idx + 1;
}

static int setup(void **state)
{
	(void)state;
	memset(lo, 0, sizeof(lo));
	memset(hi, 0, sizeof(hi));
	ram = (struct guest_ram){
		.r = { { 0, RAM_SIZE, (uintptr_t)lo },
		       { 0x100000000ull, RAM_SIZE, (uintptr_t)hi } },
		.n = 2,
		.size = 2 * RAM_SIZE,
	};
	virtq_reset(&q);
	q.size = QSIZE;
	q.desc_gpa = DESC_GPA;
	q.avail_gpa = AVAIL_GPA;
	q.used_gpa = USED_GPA;
	assert_int_equal(virtq_enable(&q, &ram), 0);
	return 0;
}

static void expect_bad(const char *why)
{
	assert_int_equal(virtq_pop(&q, &ram, &chain), VIRTQ_BAD);
	assert_true(q.broken);
	assert_non_null(q.why_broken);
	assert_non_null(strstr(q.why_broken, why));
	/* Broken stays broken: nothing more is taken, even a good chain. */
	set_desc(7, BUF_GPA, 4, 0, 0);
	offer(7);
	assert_int_equal(virtq_pop(&q, &ram, &chain), VIRTQ_BAD);
}

static void test_empty(void **state)
{
	(void)state;
	assert_int_equal(virtq_pop(&q, &ram, &chain), VIRTQ_EMPTY);
}

/* A request of 16 readable bytes and 32 writable ones, then the used
 * element and index. */
static void test_read_then_write(void **state)
{
	(void)state;
	set_desc(3, BUF_GPA, 16, VIRTQ_DESC_F_NEXT, 5);
	set_desc(5, 0x100000000ull + 0x100, 32, VIRTQ_DESC_F_WRITE, 0);
	offer(3);
	assert_int_equal(virtq_pop(&q, &ram, &chain), VIRTQ_CHAIN);
	assert_int_equal(chain.head, 3);
	assert_int_equal(chain.n_read, 1);
	assert_int_equal(chain.n_write, 1);
	assert_int_equal(chain.read_len, 16);
	assert_int_equal(chain.write_len, 32);
	assert_ptr_equal(chain.seg[0].hva, lo + BUF_GPA);
	assert_ptr_equal(chain.seg[1].hva, hi + 0x100);
	assert_true(chain.seg[1].write);
	assert_int_equal(virtq_pop(&q, &ram, &chain), VIRTQ_EMPTY);

	virtq_push(&q, 3, 20);
	assert_int_equal(used()[1], 1);
	assert_int_equal(*(uint32_t *)(lo + USED_GPA + 4), 3);
	assert_int_equal(*(uint32_t *)(lo + USED_GPA + 8), 20);
}

/* Indices wrap at 2^16, not at the queue size. */
static void test_index_wraps(void **state)
{
	(void)state;
	set_desc(0, BUF_GPA, 4, 0, 0);
	avail()[1] = 0xffff;
	q.last_avail = 0xffff;
	q.used_idx = 0xffff;
	offer(0);
	assert_int_equal(avail()[1], 0);
	assert_int_equal(virtq_pop(&q, &ram, &chain), VIRTQ_CHAIN);
	virtq_push(&q, 0, 0);
	assert_int_equal(used()[1], 0);
}

/* A chain of exactly the queue size is legal; a zero-length buffer too. */
static void test_full_length_chain(void **state)
{
	(void)state;
	for (unsigned i = 0; i < QSIZE; i++)
		set_desc(i, BUF_GPA + 16 * i, i == 2 ? 0 : 16,
			 i + 1 < QSIZE ? VIRTQ_DESC_F_NEXT : 0, i + 1);
	offer(0);
	assert_int_equal(virtq_pop(&q, &ram, &chain), VIRTQ_CHAIN);
	assert_int_equal(chain.n_read, QSIZE);
	assert_null(chain.seg[2].hva);
}

static void test_head_past_queue(void **state)
{
	(void)state;
	offer(QSIZE);
	expect_bad("head index");
}

static void test_next_past_queue(void **state)
{
	(void)state;
	set_desc(0, BUF_GPA, 4, VIRTQ_DESC_F_NEXT, QSIZE + 100);
	offer(0);
	expect_bad("next index");
}

static void test_loop(void **state)
{
	(void)state;
	set_desc(0, BUF_GPA, 4, VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, BUF_GPA, 4, VIRTQ_DESC_F_NEXT, 0);
	offer(0);
	expect_bad("longer than the queue");
}

static void test_self_loop(void **state)
{
	(void)state;
	set_desc(2, BUF_GPA, 4, VIRTQ_DESC_F_NEXT, 2);
	offer(2);
	expect_bad("longer than the queue");
}

static void test_buffer_in_mmio_hole(void **state)
{
	(void)state;
	set_desc(0, 0xfeb00000u, 4, 0, 0);
	offer(0);
	expect_bad("outside guest RAM");
}

static void test_buffer_past_ram_end(void **state)
{
	(void)state;
	set_desc(0, RAM_SIZE - 8, 16, 0, 0);
	offer(0);
	expect_bad("outside guest RAM");
}

static void test_buffer_wraps(void **state)
{
	(void)state;
	set_desc(0, 0xfffffffffffff000ull, 0x2000, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	expect_bad("outside guest RAM");
}

static void test_read_after_write(void **state)
{
	(void)state;
	set_desc(0, BUF_GPA, 4, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, BUF_GPA, 4, 0, 0);
	offer(0);
	expect_bad("device-readable descriptor after");
}

static void test_avail_idx_runs_ahead(void **state)
{
	(void)state;
	avail()[1] = QSIZE + 1;
	expect_bad("available index");
}

/* Indirect tables: the legal case first, then one rule each. */
static void test_indirect(void **state)
{
	struct virtq_desc *t = (struct virtq_desc *)(lo + 0x4000);

	(void)state;
	q.indirect = true;
	t[0] = (struct virtq_desc){ BUF_GPA, 8, VIRTQ_DESC_F_NEXT, 2 };
	t[2] = (struct virtq_desc){ BUF_GPA + 8, 8, VIRTQ_DESC_F_WRITE, 0 };
	set_desc(4, 0x4000, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(4);
	assert_int_equal(virtq_pop(&q, &ram, &chain), VIRTQ_CHAIN);
	assert_int_equal(chain.head, 4);
	assert_int_equal(chain.n_read, 1);
	assert_int_equal(chain.n_write, 1);
}

static void test_indirect_not_negotiated(void **state)
{
	(void)state;
	set_desc(4, 0x4000, 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(4);
	expect_bad("without VIRTIO_F_INDIRECT_DESC");
}

static void test_indirect_nested(void **state)
{
	struct virtq_desc *t = (struct virtq_desc *)(lo + 0x4000);

	(void)state;
	q.indirect = true;
	t[0] = (struct virtq_desc){ 0x4000, 16, VIRTQ_DESC_F_INDIRECT, 0 };
	set_desc(4, 0x4000, 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(4);
	expect_bad("nested indirect");
}

static void test_indirect_with_next(void **state)
{
	(void)state;
	q.indirect = true;
	set_desc(4, 0x4000, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 5);
	offer(4);
	expect_bad("with F_NEXT");
}

static void test_indirect_bad_length(void **state)
{
	(void)state;
	q.indirect = true;
	set_desc(4, 0x4000, 24, VIRTQ_DESC_F_INDIRECT, 0);
	offer(4);
	expect_bad("multiple of 16");
}

static void test_indirect_table_outside_ram(void **state)
{
	(void)state;
	q.indirect = true;
	set_desc(4, 0xfec00000u, 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(4);
	expect_bad("indirect table outside");
}

static void test_indirect_loop(void **state)
{
	struct virtq_desc *t = (struct virtq_desc *)(lo + 0x4000);

	(void)state;
	q.indirect = true;
	t[0] = (struct virtq_desc){ BUF_GPA, 8, VIRTQ_DESC_F_NEXT, 1 };
	t[1] = (struct virtq_desc){ BUF_GPA, 8, VIRTQ_DESC_F_NEXT, 0 };
	set_desc(4, 0x4000, 2 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(4);
	expect_bad("loop");
}

static void test_indirect_next_past_table(void **state)
{
	struct virtq_desc *t = (struct virtq_desc *)(lo + 0x4000);

	(void)state;
	q.indirect = true;
	t[0] = (struct virtq_desc){ BUF_GPA, 8, VIRTQ_DESC_F_NEXT, 2 };
	set_desc(4, 0x4000, 2 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(4);
	expect_bad("past its table");
}

static void test_indirect_inside_chain(void **state)
{
	(void)state;
	q.indirect = true;
	set_desc(0, BUF_GPA, 4, VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, 0x4000, 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	expect_bad("inside a chain");
}

static void test_enable_refuses(void **state)
{
	(void)state;
	q.size = 6;
	assert_int_equal(virtq_enable(&q, &ram), -1);
	assert_false(q.ready);
	q.size = 512;
	assert_int_equal(virtq_enable(&q, &ram), -1);
	q.size = QSIZE;
	q.desc_gpa = DESC_GPA + 8;
	assert_int_equal(virtq_enable(&q, &ram), -1);
	assert_non_null(strstr(q.why_broken, "misaligned"));
	q.desc_gpa = DESC_GPA;
	q.used_gpa = 0xfee00000u;
	assert_int_equal(virtq_enable(&q, &ram), -1);
	assert_non_null(strstr(q.why_broken, "outside guest RAM"));
	/* The used ring's last element one byte past the RAM. */
	q.used_gpa = RAM_SIZE - (6 + 8 * QSIZE) + 4;
	assert_int_equal(virtq_enable(&q, &ram), -1);
	assert_int_equal(virtq_pop(&q, &ram, &chain), VIRTQ_EMPTY);
}

static void test_wants_interrupt(void **state)
{
	(void)state;
	assert_true(virtq_wants_interrupt(&q));
	avail()[0] = VIRTQ_AVAIL_F_NO_INTERRUPT;
	assert_false(virtq_wants_interrupt(&q));
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_empty),
		T(test_read_then_write),
		T(test_index_wraps),
		T(test_full_length_chain),
		T(test_head_past_queue),
		T(test_next_past_queue),
		T(test_loop),
		T(test_self_loop),
		T(test_buffer_in_mmio_hole),
		T(test_buffer_past_ram_end),
		T(test_buffer_wraps),
		T(test_read_after_write),
		T(test_avail_idx_runs_ahead),
		T(test_indirect),
		T(test_indirect_not_negotiated),
		T(test_indirect_nested),
		T(test_indirect_with_next),
		T(test_indirect_bad_length),
		T(test_indirect_table_outside_ram),
		T(test_indirect_loop),
		T(test_indirect_next_past_table),
		T(test_indirect_inside_chain),
		T(test_enable_refuses),
		T(test_wants_interrupt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
