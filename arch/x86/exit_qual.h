/* SPDX-License-Identifier: MIT */
/*
 * Exit qualifications decoded into named fields, once, at the edge (Intel
 * SDM Vol. 3C, 28.2.1, tables 28-3 "control-register accesses", 28-5 "I/O
 * instructions", 28-6 "APIC-access VM exits", 28-7 "EPT violations";
 * 28.2.5 for the VM-exit instruction information of INS/OUTS). Pure logic,
 * unit-tested.
 */
#ifndef SHALE_ARCH_X86_EXIT_QUAL_H
#define SHALE_ARCH_X86_EXIT_QUAL_H

#include <stdbool.h>
#include <stdint.h>

struct io_qual {
	uint16_t port;
	uint8_t size;   /* 1, 2 or 4 */
	bool in;        /* IN/INS: device to guest */
	bool string;    /* INS/OUTS */
	bool rep;
	bool imm;       /* port given as an immediate operand */
};

enum cr_access_type {
	CR_MOV_TO_CR = 0,
	CR_MOV_FROM_CR = 1,
	CR_CLTS = 2,
	CR_LMSW = 3,
};

struct cr_qual {
	uint8_t cr;                 /* 0, 3, 4 or 8 */
	enum cr_access_type type;
	uint8_t gpr;                /* MOV: the register, SDM order */
	uint16_t lmsw_data;         /* LMSW: the source operand */
	bool lmsw_memory;
};

struct ept_qual {
	bool read, write, fetch;         /* what the access was */
	bool readable, writable, executable; /* what the EPT allowed */
	bool gla_valid;                  /* a linear address was involved */
};

/* How the guest touched the APIC-access page (table 28-6, bits 15:12). */
enum apic_access_type {
	APIC_ACCESS_LINEAR_READ = 0,
	APIC_ACCESS_LINEAR_WRITE = 1,
	APIC_ACCESS_LINEAR_FETCH = 2,
	APIC_ACCESS_LINEAR_EVENT = 3,    /* during event delivery */
	APIC_ACCESS_PHYSICAL_EVENT = 10, /* guest-physical, event delivery */
	APIC_ACCESS_PHYSICAL_INSN = 15,  /* guest-physical, fetch or insn */
};

struct apic_access_qual {
	uint16_t offset;             /* in the page; linear accesses only */
	enum apic_access_type type;
};

/* Address size and segment of an INS/OUTS (VMX_INSTRUCTION_INFO). */
struct string_io_info {
	uint8_t addr_size;  /* 2, 4 or 8 bytes */
	uint8_t segment;    /* 0=ES 1=CS 2=SS 3=DS 4=FS 5=GS */
};

/*
 * I/O instruction (table 28-5):
 *   2:0 size-1 | 3 direction (1 = IN) | 4 string | 5 REP | 6 immediate |
 *   31:16 port
 * Inline: every I/O exit (a virtio doorbell among them) decodes one, and
 * out of line the struct is packed into a register and unpacked again.
 */
static inline struct io_qual io_qual_decode(uint64_t q)
{
	return (struct io_qual){
		.size = (q & 7) + 1,
		.in = (q >> 3) & 1,
		.string = (q >> 4) & 1,
		.rep = (q >> 5) & 1,
		.imm = (q >> 6) & 1,
		.port = (q >> 16) & 0xffff,
	};
}

struct cr_qual cr_qual_decode(uint64_t q);
struct ept_qual ept_qual_decode(uint64_t q);
struct apic_access_qual apic_access_qual_decode(uint64_t q);
struct string_io_info string_io_info_decode(uint32_t info);

#endif
