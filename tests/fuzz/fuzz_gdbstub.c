/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the GDB stub (vmm/gdb/): whatever arrives on COM2
 * is fed to it byte by byte against a pretend vCPU. ASan and UBSan catch
 * bad reads and writes; the checks catch a stub that leaves its
 * breakpoints inconsistent with the memory it patched.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/fake_gdb_target.h"

static struct gdbstub stub;
static struct fake_target tgt;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(&tgt, 0, sizeof(tgt));
	tgt.n_cpus = FAKE_CPUS; /* thread ids 1-4 are good, others not */
	gdbstub_init(&stub, &fake_ops, &tgt, fake_put, &tgt);
	for (size_t i = 0; i < size; i++) {
		tgt.out_len = 0; /* keep only the latest answers */
		gdbstub_input(&stub, data[i]);
	}
	/* Every software breakpoint the stub keeps is an INT3 in memory,
	 * unless guest-physical writes ("monitor phys", which the pretend
	 * memory aliases) went over it. */
	for (unsigned i = 0; i < GDB_SW_SLOTS && !memmem(data, size, "70687973", 8); i++) {
		uint8_t *p;

		if (!stub.sw[i].used)
			continue;
		p = fake_at(&tgt, stub.sw[i].addr, false);
		if (!p || *p != 0xcc) {
			fprintf(stderr, "breakpoint %u at 0x%llx is not an INT3\n", i,
				(unsigned long long)stub.sw[i].addr);
			abort();
		}
	}
	/* A detach leaves none behind. */
	gdbstub_input(&stub, '$');
	gdbstub_input(&stub, 'D');
	gdbstub_input(&stub, '#');
	gdbstub_input(&stub, '4');
	gdbstub_input(&stub, '4');
	for (unsigned i = 0; i < GDB_SW_SLOTS; i++)
		if (stub.sw[i].used)
			abort();
	return 0;
}
