/* SPDX-License-Identifier: MIT */
#include "arch/x86/exit_qual.h"

/*
 * Control-register access (table 28-3):
 *   3:0 CR number | 5:4 type | 6 LMSW operand is memory | 11:8 GPR |
 *   31:16 LMSW source data
 */
struct cr_qual cr_qual_decode(uint64_t q)
{
	return (struct cr_qual){
		.cr = q & 0xf,
		.type = (enum cr_access_type)((q >> 4) & 3),
		.lmsw_memory = (q >> 6) & 1,
		.gpr = (q >> 8) & 0xf,
		.lmsw_data = (q >> 16) & 0xffff,
	};
}

/*
 * EPT violation (table 28-7):
 *   0 read | 1 write | 2 fetch | 3 readable | 4 writable | 5 executable |
 *   7 guest linear address valid
 */
struct ept_qual ept_qual_decode(uint64_t q)
{
	return (struct ept_qual){
		.read = q & 1,
		.write = (q >> 1) & 1,
		.fetch = (q >> 2) & 1,
		.readable = (q >> 3) & 1,
		.writable = (q >> 4) & 1,
		.executable = (q >> 5) & 1,
		.gla_valid = (q >> 7) & 1,
	};
}

/* VM-exit instruction information for INS/OUTS (28.2.5, table 28-8):
 *   9:7 address size (0 = 16, 1 = 32, 2 = 64 bit) | 17:15 segment */
struct string_io_info string_io_info_decode(uint32_t info)
{
	unsigned as = (info >> 7) & 7;

	return (struct string_io_info){
		.addr_size = as == 0 ? 2 : as == 1 ? 4 : 8,
		.segment = (info >> 15) & 7,
	};
}

/*
 * APIC access (table 28-6):
 *   11:0 offset of the access in the APIC-access page (linear accesses) |
 *   15:12 access type | 16 asynchronous to instruction execution
 */
struct apic_access_qual apic_access_qual_decode(uint64_t q)
{
	return (struct apic_access_qual){
		.offset = q & 0xfff,
		.type = (enum apic_access_type)((q >> 12) & 0xf),
	};
}
