/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for vmm/vdev/debugport.c: isa-debug-exit's status is
 * (V << 1) | 1 for a write of V of any width to any of its ports, as
 * QEMU computes it; debugcon passes bytes on and reads back 0xE9.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/io.h"
#include "vmm/vdev/debugport.h"

static struct io_bus bus;
static struct debug_exit dexit;
static struct debugcon dcon;
static uint64_t statuses[8];
static unsigned n_status;
static char out[64];
static unsigned n_out;

static void on_exit(void *ctx, uint64_t status)
{
	assert_ptr_equal(ctx, &dexit);
	statuses[n_status++ % 8] = status;
}

static void on_put(void *ctx, uint8_t b)
{
	assert_ptr_equal(ctx, &dcon);
	out[n_out++ % sizeof(out)] = (char)b;
}

static int setup(void **state)
{
	(void)state;
	memset(&bus, 0, sizeof(bus));
	n_status = n_out = 0;
	dexit = (struct debug_exit){ on_exit, &dexit };
	dcon = (struct debugcon){ on_put, &dcon };
	return 0;
}

static void out_port(uint16_t port, unsigned size, uint32_t v)
{
	assert_true(io_access(&bus, port, size, true, &v));
}

static void test_exit_status(void **state)
{
	uint32_t v = 0x55;

	(void)state;
	assert_int_equal(debug_exit_attach(&dexit, &bus, DEBUG_EXIT_PORT_DEFAULT), 0);
	out_port(0xf4, 1, 0x10);
	out_port(0xf4, 1, 0x1ff);          /* only the byte written counts */
	out_port(0xf4, 4, 0xffffffff);
	out_port(0xf7, 2, 0);              /* any of its ports */
	assert_int_equal(n_status, 4);
	assert_int_equal(statuses[0], 0x21);
	assert_int_equal(statuses[1], 0x1ff);
	assert_int_equal(statuses[2], 0x1ffffffffull);
	assert_int_equal(statuses[3], 1);
	/* Reads end nothing. */
	assert_true(io_access(&bus, 0xf4, 1, false, &v));
	assert_int_equal(v, 0);
	assert_int_equal(n_status, 4);
	/* Outside its 4 ports: not its business. */
	assert_false(io_access(&bus, 0xf8, 1, true, &v));
	assert_false(io_access(&bus, 0xf3, 1, true, &v));
	assert_int_equal(n_status, 4);
}

static void test_exit_other_base(void **state)
{
	(void)state;
	assert_int_equal(debug_exit_attach(&dexit, &bus, 0x501), 0);
	out_port(0x501, 1, 3);
	assert_int_equal(statuses[0], 7);
	/* A base whose 4 ports would wrap past 0xffff is refused. */
	assert_int_equal(debug_exit_attach(&dexit, &bus, 0xfffe), -1);
	/* Overlapping another device's ports is refused. */
	assert_int_equal(debug_exit_attach(&dexit, &bus, 0x503), -1);
}

static void test_debugcon(void **state)
{
	uint32_t v = 0;

	(void)state;
	assert_int_equal(debugcon_attach(&dcon, &bus), 0);
	out_port(DEBUGCON_PORT, 1, 'h');
	out_port(DEBUGCON_PORT, 4, 0x41424369); /* low byte only: 'i' */
	assert_int_equal(n_out, 2);
	assert_memory_equal(out, "hi", 2);
	assert_true(io_access(&bus, DEBUGCON_PORT, 1, false, &v));
	assert_int_equal(v, 0xe9);
	assert_int_equal(n_out, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_exit_status, setup),
		cmocka_unit_test_setup(test_exit_other_base, setup),
		cmocka_unit_test_setup(test_debugcon, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
