/* SPDX-License-Identifier: MIT */
/*
 * A virtual CPU: its general-purpose registers (saved by the VM-exit stub),
 * the events waiting to be delivered to it, and its exit statistics. The
 * architectural state (RIP, CRs, segments) lives in the VMCS and is reached
 * through vcpu_get_state()/vcpu_set_state(), so the code in vmm/ does not
 * care whether a VMCS or a VMCB holds it.
 */
#ifndef SHALE_VMM_VCPU_H
#define SHALE_VMM_VCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/include/vmx_defs.h"
#include "vmm/vdev/vdev.h"

/* Indexed by the SDM's register encoding (RAX=0 ... R15=15), which is what
 * instruction decoding and exit qualifications use. The RSP slot is unused:
 * the guest's RSP lives in the VMCS. */
struct guest_regs {
	uint64_t gpr[16];
};
#define GPR_RAX 0
#define GPR_RCX 1
#define GPR_RDX 2
#define GPR_RBX 3
#define GPR_RSP 4
#define GPR_RBP 5
#define GPR_RSI 6
#define GPR_RDI 7

/* Architectural state kept by the hardware's control structure. */
enum vcpu_reg {
	VREG_RIP,
	VREG_RSP,
	VREG_RFLAGS,
	VREG_CR0,     /* as the guest sees it (read shadow applied) */
	VREG_CR3,
	VREG_CR4,     /* as the guest sees it */
	VREG_EFER,
	VREG_PAT,
	VREG_SYSENTER_CS,
	VREG_SYSENTER_ESP,
	VREG_SYSENTER_EIP,
	VREG_FS_BASE,
	VREG_GS_BASE,
	VREG_CS_BASE,
	VREG_DS_BASE,
	VREG_ES_BASE,
	VREG_SS_BASE,
	VREG_CS_AR,
	VREG_SS_AR,
	VREG_CS_SEL,
	VREG_SS_SEL,
	VREG_DS_SEL,
	VREG_ES_SEL,
	VREG_FS_SEL,
	VREG_GS_SEL,
	VREG_NR
};

struct exit_stat {
	uint64_t count;
	uint64_t cycles;
};

/* One VM exit, as the trace ring keeps it (the shell's trace, crash
 * reports). Every exit records its TSC and reason: the exit path holds both
 * in registers, so they cost two stores. RIP and exit qualification cost a
 * VMREAD each and are recorded only while tracing is on, in a parallel
 * array, which keeps the part written on every exit at 8 bytes a slot;
 * EXIT_TRACE_DETAIL in reason says they were. */
struct exit_trace {
	uint32_t tsc;       /* low 32 bits of the TSC at the exit */
	uint32_t reason;    /* basic exit reason, | EXIT_TRACE_DETAIL */
};
struct exit_trace_detail {
	uint64_t rip;
	uint64_t qual;
};
#define EXIT_TRACE_LEN 64
#define EXIT_TRACE_DETAIL (1u << 16) /* above the 16-bit basic reason */

/* What a debugger (vmm/gdb) arms on a vCPU; vcpu_set_debug() applies it. */
struct vcpu_debug {
	bool trap_int3;      /* #BP exits: software breakpoints are set */
	bool step;           /* exit after one instruction (RFLAGS.TF, #DB) */
	uint64_t guest_tf;   /* the guest's own TF while stepping */
	bool owns_dr;        /* dr[] and dr7 below are in the debug registers */
	uint64_t dr[4], dr7;
	/* The guest's own DR0-3, DR6, DR7 while the debugger's are loaded:
	 * its MOV DR instructions exit and are served from here. */
	uint64_t guest_dr[4], guest_dr6, guest_dr7;
};

enum vcpu_state {
	VCPU_RUNNABLE,
	VCPU_HALTED,    /* in HLT, waiting for an interrupt */
	VCPU_WAIT_SIPI, /* after INIT */
	VCPU_STOPPED,
};

#define VCPU_INIT 1u
#define VCPU_SIPI 2u

struct vm;

/* How the first vCPU starts: filled by the loader (vmm/load/), turned
 * into VMCS guest state by arch/x86/vmcs.c. */
enum vcpu_boot_mode {
	VCPU_BOOT_LONG,   /* 64-bit mode with paging */
	VCPU_BOOT_REAL,   /* real mode, as after INIT */
	VCPU_BOOT_PROT32, /* 32-bit protected mode, paging off (Multiboot) */
};

struct vcpu_boot {
	enum vcpu_boot_mode mode;
	uint64_t rip, rsp;
	uint64_t cr3;            /* 64-bit: the loader's identity page tables */
	uint64_t gdt_base;
	uint16_t gdt_limit;
	uint16_t cs, ds;         /* 64-bit, 32-bit: selectors into that GDT */
	uint16_t real_cs;        /* real mode: CS selector (base = CS << 4) */
	uint64_t rax, rbx;       /* boot arguments */
	uint64_t rsi, rdi, rdx;
};

struct vcpu {
	struct guest_regs regs; /* first: the entry stub finds it at offset 0 */
	uint64_t host_rsp;      /* HOST_RSP as last written to this VMCS */
	uint64_t cr2;           /* not in the VMCS; switched by hand */
	struct vm *vm;
	unsigned id;
	struct vcpu_boot boot;
	enum vcpu_state state;
	bool launched;          /* VMLAUNCH done; VMRESUME from now on */
	uint16_t vpid;
	uint64_t vmcs_hpa;

	/* Non-zero when the next VM entry has work before it: an event to
	 * deliver or a timer to arm. Checked once per entry, so the common
	 * exit that needs neither pays one test. */
	uint32_t entry_work;

	/* Events for the next VM entry, in priority order. */
	bool exc_pending;
	uint8_t exc_vector;
	bool exc_has_error;
	uint32_t exc_error;
	uint32_t reinject_info; /* IDT-vectoring info of the last exit */
	uint32_t reinject_error;
	uint32_t reinject_len;
	bool irq_pending;       /* one external interrupt line */
	uint8_t irq_vector;
	/* An NMI taken from the local APIC, not yet injected: NMI or STI /
	 * MOV SS blocking holds it back (SDM Vol. 3A, 6.7.1; Vol. 3C, 25.3). */
	bool nmi_pending;
	/* INIT and start-up IPIs from another vCPU (vmm/pc.c), for its home
	 * to act on with the VMCS loaded (vcpu_init_sipi). */
	volatile uint32_t init_sipi; /* VCPU_INIT | VCPU_SIPI */
	uint8_t sipi_vector;
	/* Vectors another CPU delivered to this vCPU's local APIC, and which
	 * of them are level-triggered: set atomically here, never in the
	 * APIC's page itself, which under APIC virtualization the CPU running
	 * this vCPU updates on its own (a posted-interrupt descriptor in
	 * software). Its home moves them into the APIC before an entry
	 * (vcpu_take_posted). */
	uint64_t posted[4], posted_level[4];
	/* The vCPU last halted with RFLAGS.IF = 0: only an NMI (or INIT)
	 * ends that HLT, never a maskable interrupt (SDM Vol. 2A, HLT). */
	bool halt_masked;

	/* Time: the VMX-preemption timer brings the vCPU out by exit_deadline,
	 * the earlier of the end of its time slice and its VM's next timer. */
	uint32_t exit_deadline;  /* low 32 bits of the TSC deadline */
	uint64_t slice_end;
	bool preempt_saved;      /* the CPU keeps the timer counting across exits */
	struct vdev_timer hc_timer; /* SHALE_HC_TIMER_ONESHOT */
	uint8_t hc_timer_vector;

	/* Which CPU runs it, and where its VMCS is active (vmm/sched.c;
	 * docs/architecture.md, "Several CPUs"). A VMCS is active on one CPU
	 * at a time (SDM Vol. 3C, 25.1): the CPU that holds it VMCLEARs it
	 * before another may VMPTRLD it. */
	volatile uint32_t cpu;      /* home: the one CPU whose scheduler runs it */
	volatile int32_t vmcs_cpu;  /* the CPU it is active on; -1: in memory */
	uint32_t host_cpu;          /* whose host state the VMCS holds */
	int32_t last_cpu;           /* where it last ran; -1: flush before the next run */
	volatile bool claimed;      /* another CPU wants it: do not run it */
	bool placed;                /* has a home, counted in its CPU's load */
	uint32_t borrowed;          /* depth of vmcs_make_current() away from home */
	uint64_t migrations;        /* moves to another home CPU */
	uint64_t host_nmis;         /* host NMIs that came while it ran */

	/* Scheduling: stride scheduling by weight (vmm/sched.c). */
	uint64_t pass;
	uint64_t run_ticks;      /* TSC ticks spent running */
	struct vcpu *next_runnable;

	/* Guest state not in the VMCS, swapped when another vCPU runs. */
	uint64_t msr_saved[6];   /* KERNEL_GS_BASE, STAR, LSTAR, CSTAR, FMASK, TSC_AUX */
	uint64_t dr[4], dr6;

	/* The VM-entry MSR-load area: IA32_SPEC_CTRL's number, then the value
	 * the guest runs with, loaded at entry while it differs from Shale's
	 * own (arch/x86/spec_barrier.c); and the value the guest wrote. */
	uint64_t spec_ctrl_load[2] __attribute__((aligned(16)));
	uint64_t spec_ctrl_guest;

	uint64_t xcr0;          /* the guest's XCR0, loaded while it runs */
	uint64_t xstate_area;   /* x87/SSE/AVX/... while it does not (arch/x86/xstate.c) */
	uint8_t cr8;            /* TPR[7:4] of a guest without a local APIC model */

	struct vcpu_debug dbg;  /* a debugger's traps; all clear without one */
	/* Held by the GDB stub (vmm/gdb/gdb.c): its home does not run it. */
	volatile bool debug_held;

	/* VMX APIC virtualization (arch/x86/apicv.c): the register page of
	 * the guest's local APIC model is the virtual-APIC page, and the CPU
	 * delivers that APIC's interrupts itself. */
	bool apicv;
	uint64_t apic_access_hpa; /* what guest-physical 0xFEE00000 maps to */
	uint64_t x2apic_msr_bitmap; /* its MSR bitmap in x2APIC mode, or 0 (arch/x86/apicv_x2apic.c) */
	uint64_t eoi_exit[4];     /* the EOI-exit bitmap as last written */

	/* Cached VMCS control words, to change one bit without a VMREAD. */
	uint32_t pin_ctls, proc_ctls, proc2_ctls, entry_ctls;

	/* Exit statistics: count and TSC cycles spent in Shale, per reason. */
	struct exit_stat stats[EXIT_REASON_MAX];

	/* The last exits: always their TSC and reason; RIP and qualification
	 * too while trace_on (off by default: two VMREADs per exit). */
	bool trace_on;
	uint32_t trace_head;    /* exits recorded so far; the next slot */
	struct exit_trace trace[EXIT_TRACE_LEN];
	struct exit_trace_detail trace_detail[EXIT_TRACE_LEN];
};

/* VM exits of this vCPU so far, all reasons. */
uint64_t vcpu_exit_count(const struct vcpu *v);

_Static_assert(offsetof(struct vcpu, regs) == 0,
	       "arch/x86/vmx_entry.asm expects the GPRs at offset 0");
_Static_assert(offsetof(struct vcpu, host_rsp) == 128,
	       "arch/x86/vmx_entry.asm expects host_rsp at offset 128");
_Static_assert(sizeof(struct guest_regs) == 128,
	       "arch/x86/vmx_entry.asm expects 16 eight-byte slots");

/* Architectural state, vendor neutral (arch/x86/vcpu_state.c). */
uint64_t vcpu_get_state(struct vcpu *v, enum vcpu_reg r);
void vcpu_set_state(struct vcpu *v, enum vcpu_reg r, uint64_t val);
/* The guest's PKRU (arch/x86/xstate.c; the register holds it while the
 * vCPU is the scheduler's current one). */
uint32_t vcpu_pkru(struct vcpu *v);
/* Current privilege level, from the SS access rights (SDM 3A, 5.5). */
unsigned vcpu_cpl(struct vcpu *v);
/* Move RIP past the instruction that caused this exit. Only for an
 * instruction that completed. */
void vcpu_advance_rip(struct vcpu *v);
/* Queue a hardware exception for the next VM entry; RIP is left alone so
 * the faulting instruction is reported at its own address. */
void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error,
			   uint32_t error);
/* Arm (or with an all-clear d, disarm) a debugger's traps: #BP exits,
 * the debug registers, single step (arch/x86/debug.c). */
void vcpu_set_debug(struct vcpu *v, const struct vcpu_debug *d);
/* Act on the INIT and start-up IPIs in v->init_sipi (SDM Vol. 3A, 9.4):
 * INIT puts it in wait-for-SIPI; a start-up IPI in that state starts it in
 * real mode at vector * 4 KiB. Its VMCS must be current. */
void vcpu_init_sipi(struct vcpu *v);
/* Raise the external-interrupt line with a vector. */
void vcpu_raise_irq(struct vcpu *v, uint8_t vector);

#endif
