/* SPDX-License-Identifier: MIT */
/*
 * The GDB stub: GDB's remote serial protocol (rsp.h) served for one
 * target, a guest, whose vCPUs GDB sees as threads (thread id k+1 is
 * vCPU k, as QEMU numbers them), through a table of target operations.
 * The stub keeps the breakpoints, the stopped/running state and the
 * selected threads; the target (vmm/gdb/gdb.c) reads and writes the
 * vCPUs, holds and releases them and arms the traps.
 * Pure, so tests/unit/test_gdbstub.c drives it with a fake target.
 *
 * All-stop (GDB manual, "All-Stop Mode"): a stop holds every vCPU; c
 * releases them all, s steps the Hc thread alone while the others stay
 * held.
 *
 * Packets served (GDB manual, "Packets"): ? g G P m M c s D k Z0-2,4 z0-2,4
 * Hg Hc T qSupported qAttached qC qfThreadInfo qsThreadInfo
 * qThreadExtraInfo qRcmd (monitor); anything else gets the empty reply,
 * "not supported".
 */
#ifndef SHALE_VMM_GDB_GDBSTUB_H
#define SHALE_VMM_GDB_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/gdb/rsp.h"

/* The general registers in the order of GDB's amd64 register numbers
 * 0-23 (the first 164 bytes of its 'g' packet). Registers after these
 * (x87, SSE) are not sent: GDB shows them as unavailable. */
struct gdb_regs {
	uint64_t gpr[16]; /* rax rbx rcx rdx rsi rdi rbp rsp r8 ... r15 */
	uint64_t rip;
	uint32_t eflags;
	uint32_t seg[6];  /* cs ss ds es fs gs */
};
#define GDB_NUM_REGS 24
#define GDB_REGS_BYTES (16 * 8 + 8 + 4 + 6 * 4)

/* Breakpoint kinds, as numbered by the Z packets. */
enum gdb_bp_type {
	GDB_BP_SW = 0,
	GDB_BP_HW = 1,
	GDB_WP_WRITE = 2,
	GDB_WP_READ = 3,   /* x86 cannot trap reads alone: refused */
	GDB_WP_ACCESS = 4,
};

#define GDB_HW_SLOTS 4   /* DR0-DR3 */
#define GDB_SW_SLOTS 64

struct gdb_hw_bp {
	bool used;
	uint8_t type;  /* GDB_BP_HW, GDB_WP_WRITE or GDB_WP_ACCESS */
	uint8_t len;   /* 1, 2, 4 or 8; 1 for GDB_BP_HW */
	uint64_t addr;
};

/* What the target must trap while it runs. */
struct gdb_debug_setup {
	bool trap_int3;                      /* software breakpoints are set */
	bool step;                           /* stop after one instruction */
	const struct gdb_hw_bp *hw;          /* GDB_HW_SLOTS entries */
};

/* cpu: a vCPU index, 0 .. threads() - 1 (GDB's thread id minus one). */
struct gdb_target_ops {
	unsigned (*threads)(void *t); /* how many vCPUs, 1 or more */
	/* A line for "info threads" (qThreadExtraInfo), NUL-terminated. */
	void (*describe)(void *t, unsigned cpu, char *buf, size_t size);
	void (*get_regs)(void *t, unsigned cpu, struct gdb_regs *r);
	void (*set_regs)(void *t, unsigned cpu, const struct gdb_regs *r);
	/* Bytes done, from the start; phys: guest-physical addresses, else
	 * guest-virtual through that vCPU's page tables. */
	size_t (*read_mem)(void *t, unsigned cpu, uint64_t addr, void *buf,
			   size_t len, bool phys);
	size_t (*write_mem)(void *t, unsigned cpu, uint64_t addr, const void *buf,
			    size_t len, bool phys);
	void (*set_debug)(void *t, unsigned cpu, const struct gdb_debug_setup *d);
	void (*stop)(void *t, unsigned cpu); /* hold every vCPU; cpu stopped */
	/* Let vCPU cpu run again, or every vCPU when cpu is GDB_ALL. */
	void (*resume)(void *t, unsigned cpu);
};
#define GDB_ALL (~0u)
#define GDB_MAX_THREADS 64

/* Why the target stopped, for the stop reply. */
enum gdb_stop {
	GDB_STOP_ATTACH,    /* GDB connected: the stub stopped the guest */
	GDB_STOP_INTERRUPT, /* Ctrl-C */
	GDB_STOP_SW_BP,
	GDB_STOP_HW_BP,
	GDB_STOP_WATCH,     /* addr = the watched address */
	GDB_STOP_STEP,
};

struct gdbstub {
	struct rsp rsp;
	const struct gdb_target_ops *ops;
	void *target;
	bool attached;      /* a debugger is talking to the stub */
	bool stopped;       /* the stub holds the target */
	bool phys;          /* m/M take guest-physical addresses (monitor phys) */
	unsigned g_cpu;     /* Hg: the vCPU g G P m M Z read and write */
	unsigned c_cpu;     /* Hc: the vCPU s steps; GDB_ALL: the g one */
	unsigned stop_cpu;  /* the vCPU of the last stop */
	char stop_reply[64];
	struct gdb_hw_bp hw[GDB_HW_SLOTS];
	struct {
		bool used;
		uint8_t orig;
		uint64_t addr;
	} sw[GDB_SW_SLOTS];
	char out[RSP_PACKET_MAX + 1];
};

void gdbstub_init(struct gdbstub *s, const struct gdb_target_ops *ops,
		  void *target, void (*put)(void *ctx, const char *p, size_t len),
		  void *ctx);
/* One byte from the debugger's line. */
void gdbstub_input(struct gdbstub *s, uint8_t c);
/* vCPU cpu stopped on its own (breakpoint, watchpoint, step): every vCPU
 * is held now and the debugger is told why and which thread. */
void gdbstub_target_stopped(struct gdbstub *s, unsigned cpu, enum gdb_stop why,
			    uint64_t addr);
/* Whether a #BP at this address is one of the stub's breakpoints (else
 * it belongs to the guest and is given back to it). */
bool gdbstub_is_sw_bp(const struct gdbstub *s, uint64_t addr);
/* The guest is gone (powered off, destroyed, restarted): its memory no
 * longer holds the breakpoints; GDB hears "exited" with this status. */
void gdbstub_target_gone(struct gdbstub *s, uint8_t status);

#endif
