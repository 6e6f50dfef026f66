/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the VM-exit handlers themselves: the real dispatch
 * (arch/x86/exit.c's vmx_run and run_once, event delivery included), the
 * real handlers (arch/x86/exit_*.c, debug.c) and the policies behind them
 * (vmm/msr.c, cpuid.c, hypercall.c, io.c, mmio.c, guest_mem.c, irq.c, the
 * PC of vmm/pc.c with its device models), run on the host against:
 *
 *  - a VMCS that is a table behind vmread/vmwrite (tests/fuzz/fake_vmcs.c);
 *  - root-mode instructions that check what Shale loads (same file);
 *  - guest memory, an exact-size allocation so ASan sees either edge, with
 *    page tables the harness builds for the guest's mode and the input
 *    then patches;
 *  - vmx_enter(), the VM entry: it checks the state Shale is about to
 *    enter with, then makes up the next VM exit from the input.
 *
 * The input (little-endian; a short input reads as zeros):
 *   header  u8 config, u8 mode, u8 exits, u8 intr_state,
 *           u64 rip, rsp, rflags, u64 cr0_flip, cr4_flip, u64 gpr[16]
 *   exits   per exit: u8 reason, u64 qual, u8 len, u32 insn_info,
 *           u8 intr, u8 idt, u16 err, u64 gpa, u8 reg, u64 reg_val
 *   patches to the end: u32 gpa, u8 len, len bytes of guest memory
 *
 * The rules checked, at every VM entry Shale makes and after vmx_run()
 * returns (see check_outcome() and check_entry_state()):
 *
 *  1. An exit caused by an instruction (CPUID, HLT, INVD, WBINVD, VMCALL,
 *     RDMSR, WRMSR, MOV CR, MOV DR, XSETBV, IN/OUT) either completed it
 *     (RIP = old RIP + the exit's instruction length, wrapped at 4 GiB
 *     outside 64-bit code, and no exception raised), or raised a hardware
 *     exception with RIP left on the instruction, or stopped the guest.
 *     A REP INS/OUTS may also leave RIP where it was, with no exception,
 *     while its count is not spent (it resumes in batches). An
 *     instruction that completed (or an iteration of a REP) leaves no
 *     blocking by STI or MOV SS, and with RFLAGS.TF a single-step trap
 *     pending (BS in the pending debug exceptions).
 *  2. VMX instructions, GETSEC, MONITOR, MWAIT, RDPMC: RIP unchanged and
 *     a hardware exception (#UD, #GP) raised.
 *  3. EPT violations and APIC accesses (MMIO emulation): RIP advanced by
 *     1 to 15 bytes (the decoder's length), with what rule 1 asks of a
 *     completed instruction; or a hardware exception with RIP left on
 *     the instruction; or the guest stopped.
 *  4. Every other exit (events, timers, windows, triple fault, INIT, APIC
 *     write, virtualized EOI) leaves RIP alone; SIPI sets it to 0; an
 *     unknown exit stops the guest.
 *  5. The VM entry is one the CPU accepts, if the state before the exit
 *     was: the event injection checks of SDM Vol. 3C 27.2.1.3 (valid bit,
 *     reserved bits 30:12, type/vector pairs, deliver-error-code exactly
 *     for #DF #TS #NP #SS #GP #PF #AC with CR0.PE = 1, error code bits
 *     31:16 clear, an instruction length of 1-15 for software events),
 *     the interruptibility and activity rules of 27.3.1.5 for the event
 *     injected, the pending debug exceptions (reserved bits, BS with
 *     RFLAGS.TF under STI or MOV-SS blocking), and the guest-state checks
 *     of 27.3.1.1 on CR0, CR3, CR4, DR7, EFER, RIP that a handler can
 *     change (RIP canonical in 64-bit code, whatever the instruction).
 *  6. No value handed to a root-mode instruction would fault there
 *     (fake_vmcs.c); the guest's saved DR6/DR7 (loaded into the real ones
 *     later) have bits 63:32 clear.
 *
 * Section numbers are those of the SDM revision arch/x86/exit.c cites
 * (older revisions: 26.2.1.3, 26.3.1.x).
 *
 * Findings this target made, fixed since and judged again: an NMI
 * re-injected with blocking by NMI still set; MOV to CR3 unchecked;
 * CR4.PCIDE outside IA-32e mode; clearing CR0.PG in 64-bit code; RIP
 * advanced past an instruction that ends at the top of the lower
 * canonical half left non-canonical.
 *
 * Left out because a CPU never reports them (each crashed the first
 * version of this harness): I/O size codes other than 0, 1, 3; APIC
 * exits without APIC virtualization; exceptions other than #DB and #BP
 * as exits (the exception bitmap); instructions in wait-for-SIPI; an
 * event being delivered with STI/MOV-SS blocking or, for an external
 * interrupt, RFLAGS.IF clear.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/apicv.h"
#include "arch/x86/exit.h"
#include "arch/x86/include/cpu.h"
#include "arch/x86/include/msr.h"
#include "arch/x86/spec_ctrl.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_controls.h"
#include "arch/x86/vmx_ops.h"
#include "drivers/cmos.h"
#include "lib/log.h"
#include "tests/fuzz/fake_vmcs.h"
#include "tests/fuzz/fuzz_check.h"
#include "vmm/gdb/gdb.h"
#include "vmm/pc.h"
#include "vmm/vdev/testdev.h"
#include "vmm/vm.h"
#include "vmm/vmm.h"

#define MEM_SIZE (2ull << 20)
#define MAX_EXITS 4
#define PATCH_MAX 64

/* ------------------------------------------------------------ input */

struct reader {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct reader *r, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++) {
		if (r->left) {
			v |= (uint64_t)*r->p++ << (8 * i);
			r->left--;
		}
	}
	return v;
}

struct exit_in {
	uint8_t reason, len, intr, idt, reg;
	uint16_t err;
	uint32_t insn_info;
	uint64_t qual, gpa, reg_val;
};

/* ------------------------------------------------------------ world */

struct vmx_cpu vmx_cpu;
struct page_allocator vmm_pages;

static struct vm the_vm;
static uint8_t *mem;              /* guest RAM, exactly MEM_SIZE */
static uint8_t lapic_page[4096] __attribute__((aligned(4096)));
static jmp_buf out;
static bool selftest;
static bool debug;                /* FUZZ_EXITS_DEBUG=1: say what happens */

/* The exits still to come, and what the last one started from. */
static struct exit_in exits[MAX_EXITS];
static unsigned n_exits, next_exit;
static unsigned entries;
static bool checking;             /* the state before the exits was valid */
static struct {
	bool valid;
	unsigned basic;
	uint64_t rip, len, rcx;
	bool rep_string;
	uint32_t addr_size;
	bool was64;                   /* in 64-bit code at the exit */
	bool exc_before;              /* an exception was already queued */
	bool tf;                      /* RFLAGS.TF at the exit */
} last;

/* The handled exits, by basic reason (SDM Vol. 3C, Appendix C). */
static const uint8_t handled[] = {
	EXIT_REASON_EXCEPTION_NMI, EXIT_REASON_EXTERNAL_INTERRUPT,
	EXIT_REASON_TRIPLE_FAULT, EXIT_REASON_INIT_SIGNAL, EXIT_REASON_SIPI,
	EXIT_REASON_INTERRUPT_WINDOW, EXIT_REASON_NMI_WINDOW,
	EXIT_REASON_CPUID, EXIT_REASON_GETSEC, EXIT_REASON_HLT,
	EXIT_REASON_INVD, EXIT_REASON_RDPMC, EXIT_REASON_VMCALL,
	EXIT_REASON_VMCLEAR, EXIT_REASON_VMLAUNCH, EXIT_REASON_VMPTRLD,
	EXIT_REASON_VMPTRST, EXIT_REASON_VMREAD, EXIT_REASON_VMRESUME,
	EXIT_REASON_VMWRITE, EXIT_REASON_VMXOFF, EXIT_REASON_VMXON,
	EXIT_REASON_CR_ACCESS, EXIT_REASON_DR_ACCESS,
	EXIT_REASON_IO_INSTRUCTION, EXIT_REASON_MSR_READ,
	EXIT_REASON_MSR_WRITE, EXIT_REASON_MWAIT_INSTRUCTION,
	EXIT_REASON_MONITOR_INSTRUCTION, EXIT_REASON_EPT_VIOLATION,
	EXIT_REASON_EPT_MISCONFIG, EXIT_REASON_INVEPT,
	EXIT_REASON_PREEMPTION_TIMER, EXIT_REASON_INVVPID,
	EXIT_REASON_WBINVD, EXIT_REASON_XSETBV, EXIT_REASON_APIC_ACCESS,
	EXIT_REASON_EOI_INDUCED, EXIT_REASON_APIC_WRITE, EXIT_REASON_VMFUNC,
};
#define N_HANDLED (sizeof(handled) / sizeof(handled[0]))

/* ------------------------------------------------------------ fakes */

void log_msg(enum log_lvl level, const char *src, const char *fmt, ...)
{
	(void)level;
	(void)src;
	(void)fmt;
}

void log_rawf(const char *fmt, ...)
{
	(void)fmt;
}

void log_raw(const char *s, size_t len)
{
	(void)s;
	(void)len;
}

/* vm.c's, which needs the page allocator and the EPT to link. */
/* The guests here have no config, so no disks (vmm/pc_blk.c). */
const struct boot_module *vmm_find_module(const char *name)
{
	(void)name;
	return NULL;
}

void *vm_gpa_to_hva_any(struct vm *vm, uint64_t gpa, uint64_t len)
{
	uint64_t hpa;

	if (!guest_ram_to_host(&vm->ram, gpa, len, &hpa))
		return NULL;
	return (void *)(uintptr_t)hpa;
}

void vm_stop(struct vm *vm, enum vm_stop_reason why, const char *fmt, ...)
{
	(void)fmt;
	CHECK(why != VM_STOP_NONE);
	if (vm->stop_reason != VM_STOP_NONE)
		return;
	vm->stop_reason = why;
	vm->vcpu[0].state = VCPU_STOPPED;
	vm->vcpu[0].entry_work = 1;
}

void vm_console_write(struct vm *vm, const char *s, uint64_t len)
{
	console_guest_write(vm, s, len);
}

static volatile char console_sink;

/* The console ring is not what is fuzzed here; its input must be inside
 * guest memory, which ASan sees through these reads. */
void console_guest_write(struct vm *vm, const char *s, uint64_t len)
{
	(void)vm;
	for (uint64_t i = 0; i < len; i++)
		console_sink ^= s[i];
}

unsigned console_guest_read(struct vm *vm, uint8_t *buf, unsigned max)
{
	(void)vm;
	memset(buf, 'x', max);
	return max / 2;
}

void console_guest_lost(struct vm *vm, uint64_t n)
{
	(void)vm;
	(void)n;
}

bool console_guest_has_input(struct vm *vm)
{
	(void)vm;
	return true;
}

uint64_t page_alloc_page(struct page_allocator *pa)
{
	(void)pa;
	memset(lapic_page, 0, sizeof(lapic_page));
	return (uint64_t)(uintptr_t)lapic_page;
}

/* The fuzzed guest's PC (pc_create) is the only run of pages asked for:
 * one arena, handed out again for each input. */
static uint8_t pc_arena[64 * 4096] __attribute__((aligned(4096)));

uint64_t page_alloc_contig(struct page_allocator *pa, uint64_t pages, uint64_t align)
{
	(void)pa;
	(void)align;
	if (pages * 4096 > sizeof(pc_arena))
		return 0;
	return (uint64_t)(uintptr_t)pc_arena;
}

void page_free_contig(struct page_allocator *pa, uint64_t base, uint64_t pages)
{
	(void)pa;
	(void)base;
	(void)pages;
}

int host_rtc_read(struct host_time *t)
{
	(void)t;
	return -1;
}

/* Only apicv_setup() maps pages, at vCPU creation: never on an exit. */
int ept_map(struct ept *ept, uint64_t gpa, uint64_t hpa, uint64_t size,
	    uint64_t perm, uint64_t memtype)
{
	(void)ept;
	(void)gpa;
	(void)hpa;
	(void)size;
	(void)perm;
	(void)memtype;
	CHECK(!"EPT changed on an exit");
	return -1;
}

void host_apic_eoi(void)
{
}

/* A host NMI exit: counted on the host CPU, which the fuzzer has not. */
void host_nmi_in_guest(void)
{
}

/* A #MC exit or a VM entry that failed on one: the banks are the host's
 * MSRs, which the fuzzer does not have; the guest goes on. */
bool mce_in_guest(struct vcpu *v)
{
	(void)v;
	return true;
}

void selftest_inject_fault(struct vcpu *v, enum testdev_fault what)
{
	(void)v;
	(void)what;
	CHECK(selftest);
}

bool selftest_enabled(void)
{
	return selftest;
}

bool gdb_breakpoint_hit(struct vcpu *v, uint64_t rip)
{
	(void)v;
	return rip & 1;
}

void gdb_vcpu_stopped(struct vcpu *v, enum gdb_stop why, uint64_t addr)
{
	(void)v;
	(void)why;
	(void)addr;
}

struct vcpu *sched_current(void)
{
	return &the_vm.vcpu[0];
}

/* xstate.c is not linked: PKRU is the vCPU's, as the input set it. */
static uint32_t fake_pkru;

uint32_t vcpu_pkru(struct vcpu *v)
{
	(void)v;
	return fake_pkru;
}

uint64_t vmcs_make_current(struct vcpu *v)
{
	(void)v;
	return 0;
}

void vmcs_restore(struct vcpu *v, uint64_t prev)
{
	(void)v;
	(void)prev;
}

bool sched_should_yield(void)
{
	return false;
}

/* One vCPU on one CPU: nobody to kick. */
void sched_kick(unsigned cpu)
{
	(void)cpu;
}

uint64_t xstate_xcr0_supported(void)
{
	return fake_cpu.xcr0_supported;
}

void exit_dump_guest(struct vcpu *v, const char *why)
{
	(void)v;
	(void)why;
}

void vmx_guest_state_explain(struct vcpu *v)
{
	(void)v;
}

const char *vmx_instruction_error_str(uint32_t err)
{
	(void)err;
	return "error";
}

void vmx_op_failed(const char *op, uint64_t field, void *caller)
{
	(void)caller;
	fprintf(stderr, "%s of field 0x%lx failed\n", op, (unsigned long)field);
	CHECK(!"a VMREAD or VMWRITE failed");
	abort();
}

/* ------------------------------------------------------------ checks */

static bool canonical(uint64_t a)
{
	unsigned s = 64 - fake_cpu.linear_bits;

	return (uint64_t)((int64_t)(a << s) >> s) == a;
}

/* Deliver-error-code is required exactly for these vectors while
 * IA32_VMX_BASIC[56] is 0 (27.2.1.3). */
static bool has_error_code(unsigned vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17;
}

/*
 * The parts of the VM-entry checks (SDM Vol. 3C, 27.2.1.3, 27.3.1.1,
 * 27.3.1.5) that an exit handler can make fail. With report, a failure is
 * a CHECK failure; without, it is the answer (the harness asks that of
 * the state it built, so that only what a handler changed is judged).
 */
#define RULE(cond)                                                          \
	do {                                                                \
		if (!(cond)) {                                              \
			if (report)                                         \
				CHECK(cond);                                \
			return false;                                       \
		}                                                           \
	} while (0)

static bool check_entry_state(bool report)
{
	const struct vmx_caps *c = &vmx_cpu.caps;
	uint32_t info = vmread(VM_ENTRY_INTR_INFO_FIELD);
	uint32_t intr = vmread(GUEST_INTERRUPTIBILITY_INFO);
	uint32_t entry = vmread(VM_ENTRY_CONTROLS);
	bool ia32e = entry & VM_ENTRY_IA32E_MODE;
	uint64_t cr0 = vmread(GUEST_CR0), cr4 = vmread(GUEST_CR4);
	uint64_t efer = vmread(GUEST_IA32_EFER), rflags = vmread(GUEST_RFLAGS);
	uint64_t rip = vmread(GUEST_RIP);
	uint32_t cs_ar = vmread(GUEST_CS_AR_BYTES);
	uint32_t activity = vmread(GUEST_ACTIVITY_STATE);
	uint64_t pending_dbg = vmread(GUEST_PENDING_DBG_EXCEPTIONS);

	/* 27.3.1.1: control registers, DR7, EFER (unrestricted guest:
	 * PE and PG are free of their fixed-1 setting). */
	RULE((cr0 & (c->cr0_fixed0 & ~(CR0_PE | CR0_PG))) ==
	     (c->cr0_fixed0 & ~(CR0_PE | CR0_PG)));
	RULE(!(cr0 & ~c->cr0_fixed1) && !(cr0 >> 32));
	RULE(!(cr0 & CR0_PG) || (cr0 & CR0_PE));
	RULE((cr4 & c->cr4_fixed0) == c->cr4_fixed0 && !(cr4 & ~c->cr4_fixed1));
	RULE(!ia32e || ((cr0 & CR0_PG) && (cr4 & CR4_PAE)));
	RULE(ia32e || !(cr4 & (1ull << 17))); /* PCIDE */
	RULE(!(vmread(GUEST_CR3) >> fake_cpu.phys_bits));
	RULE(!(vmread(GUEST_DR7) >> 32));
	RULE(!(efer & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)));
	RULE(!!(efer & EFER_LMA) == ia32e);
	RULE(!(cr0 & CR0_PG) || !!(efer & EFER_LMA) == !!(efer & EFER_LME));
	RULE(canonical(vmread(GUEST_SYSENTER_ESP)) &&
	     canonical(vmread(GUEST_SYSENTER_EIP)));
	RULE(canonical(vmread(GUEST_FS_BASE)) && canonical(vmread(GUEST_GS_BASE)));
	for (unsigned i = 0; i < 8; i++) {
		uint8_t t = vmread(GUEST_IA32_PAT) >> (8 * i);

		RULE(t == 0 || t == 1 || (t >= 4 && t <= 7));
	}
	/* 27.3.1.4: RIP and RFLAGS. */
	if (ia32e && (cs_ar & AR_L))
		RULE(canonical(rip));
	else
		RULE(!(rip >> 32));
	RULE(!(rflags & 0xffffffffffc08028ull) && (rflags & RFLAGS_FIXED));
	RULE(!(rflags & RFLAGS_VM) || !ia32e);
	/* 27.3.1.5: activity and interruptibility. */
	RULE(activity == GUEST_ACTIVITY_ACTIVE ||
	     (activity == GUEST_ACTIVITY_WAIT_SIPI &&
	      (c->misc & VMX_MISC_ACTIVITY_WAIT_SIPI)));
	RULE(!(intr & ~0x1fu));
	RULE((intr & 3) != 3);
	RULE(!(intr & GUEST_INTR_STATE_STI) || (rflags & RFLAGS_IF));
	/* Pending debug exceptions: B3-B0, enabled breakpoint, BS, RTM;
	 * under STI or MOV-SS blocking, BS exactly when TF (no BTF here). */
	RULE(!(pending_dbg & ~0x1500full));
	if (intr & 3)
		RULE(!!(pending_dbg & PENDING_DBG_BS) == !!(rflags & RFLAGS_TF));

	if (!(info & INTR_INFO_VALID))
		return true;
	/* 27.2.1.3: the event injected. */
	{
		unsigned type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
		unsigned vector = info & INTR_INFO_VECTOR_MASK;
		bool code = info & INTR_INFO_DELIVER_CODE;

		RULE(!(info & 0x7ffff000u));
		RULE(type != 1 && type != 7);
		RULE(type != 2 || vector == 2);
		RULE(type != 3 || vector <= 31);
		RULE(code == (type == 3 && (cr0 & CR0_PE) && has_error_code(vector)));
		if (code)
			RULE(!(vmread(VM_ENTRY_EXCEPTION_ERROR_CODE) >> 16));
		if (type >= 4 && type <= 6) {
			uint64_t len = vmread(VM_ENTRY_INSTRUCTION_LEN);

			RULE(len >= 1 && len <= 15);
		}
		RULE(activity == GUEST_ACTIVITY_ACTIVE);
		if (type == 0)
			RULE((rflags & RFLAGS_IF) && !(intr & 3));
		if (type == 2)
			RULE(!(intr & GUEST_INTR_STATE_MOV_SS));
		if (type == 2)
			RULE(!(intr & GUEST_INTR_STATE_NMI));
	}
	return true;
}

static bool instruction_exit(unsigned basic)
{
	switch (basic) {
	case EXIT_REASON_CPUID:
	case EXIT_REASON_HLT:
	case EXIT_REASON_INVD:
	case EXIT_REASON_WBINVD:
	case EXIT_REASON_VMCALL:
	case EXIT_REASON_MSR_READ:
	case EXIT_REASON_MSR_WRITE:
	case EXIT_REASON_CR_ACCESS:
	case EXIT_REASON_DR_ACCESS:
	case EXIT_REASON_XSETBV:
	case EXIT_REASON_IO_INSTRUCTION:
		return true;
	}
	return false;
}

static bool faulting_exit(unsigned basic)
{
	switch (basic) {
	case EXIT_REASON_GETSEC:
	case EXIT_REASON_RDPMC:
	case EXIT_REASON_VMCLEAR:
	case EXIT_REASON_VMLAUNCH:
	case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST:
	case EXIT_REASON_VMREAD:
	case EXIT_REASON_VMRESUME:
	case EXIT_REASON_VMWRITE:
	case EXIT_REASON_VMXOFF:
	case EXIT_REASON_VMXON:
	case EXIT_REASON_MWAIT_INSTRUCTION:
	case EXIT_REASON_MONITOR_INSTRUCTION:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_VMFUNC:
		return true;
	}
	return false;
}

/* Rule 1 for an instruction Shale completed (or a REP iteration): the
 * end of the instruction as the CPU makes it. */
static void check_finished(void)
{
	CHECK(!(vmread(GUEST_INTERRUPTIBILITY_INFO) &
		(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)));
	if (last.tf)
		CHECK(vmread(GUEST_PENDING_DBG_EXCEPTIONS) & PENDING_DBG_BS);
}

/* Rules 1-4 and 6 for the last exit. at_entry: deliver_events() has run,
 * so a hardware exception raised by the handler is in the VM-entry
 * interruption information; else it may still wait in exc_pending. */
static void check_outcome(bool at_entry)
{
	struct vcpu *v = &the_vm.vcpu[0];
	uint64_t rip = vmread(GUEST_RIP);
	uint32_t info = vmread(VM_ENTRY_INTR_INFO_FIELD);
	bool stopped = the_vm.stop_reason != VM_STOP_NONE;
	bool exc = v->exc_pending ||
		   (at_entry && (info & INTR_INFO_VALID) &&
		    (info & INTR_INFO_TYPE_MASK) == INTR_TYPE_HARD_EXCEPTION);
	uint64_t next = last.rip + last.len;

	CHECK(!v->exc_pending || v->exc_vector < 32);
	CHECK(!(v->dbg.guest_dr6 >> 32) && !(v->dbg.guest_dr7 >> 32));
	CHECK(!(v->dr6 >> 32));
	CHECK(v->cr8 <= 15);
	if (fake_cpu.xsetbv_calls)
		CHECK(fake_cpu.xcr0 == v->xcr0);
	if (!last.valid)
		return;
	last.valid = false;
	if (stopped)
		return;
	if ((next >> 32) && !(vmread(GUEST_CS_AR_BYTES) & AR_L))
		next &= 0xffffffffull;
	if (instruction_exit(last.basic)) {
		if (rip == last.rip && exc)
			return;
		/* An exception queued by an earlier exit goes in with this
		 * entry: it says nothing of this one. */
		if (last.exc_before && rip == next) {
			check_finished();
			return;
		}
		if (rip == last.rip && last.rep_string &&
		    (v->regs.gpr[GPR_RCX] &
		     (last.addr_size == 8 ? ~0ull : (1ull << (8 * last.addr_size)) - 1))) {
			if (v->regs.gpr[GPR_RCX] != last.rcx)
				check_finished();
			return;
		}
		CHECK(rip == next && !exc);
		check_finished();
	} else if (faulting_exit(last.basic)) {
		CHECK(rip == last.rip && exc);
	} else if (last.basic == EXIT_REASON_EPT_VIOLATION ||
		   last.basic == EXIT_REASON_APIC_ACCESS) {
		if (rip == last.rip && exc)
			return;
		CHECK(rip - last.rip >= 1 && rip - last.rip <= 15);
		check_finished();
	} else if (last.basic == EXIT_REASON_SIPI) {
		CHECK(rip == 0);
	} else {
		bool known = false;

		for (unsigned i = 0; i < N_HANDLED; i++)
			known |= handled[i] == last.basic;
		CHECK(known);
		CHECK(rip == last.rip);
	}
}

/* ------------------------------------------------------------ exits */

/* An event as the CPU reports it in the exit interruption information
 * or the IDT-vectoring information: types and vectors it produces, an
 * error code exactly where delivery pushes one. */
static uint32_t make_event(uint8_t sel, bool vectoring, bool pe, unsigned *len)
{
	unsigned vector;

	switch (sel % 6) {
	case 0:
		return INTR_TYPE_NMI | 2 | INTR_INFO_VALID;
	case 1:
		if (!vectoring)
			return 0;
		return INTR_TYPE_EXT_INTR | (32 + sel % 224) | INTR_INFO_VALID;
	case 2:
	case 3:
		/* Shale's exception bitmap holds #DB and #BP at most
		 * (debug.c): the exits come for those; delivery may be
		 * interrupted for any exception. */
		vector = vectoring ? (sel / 6) % 22 : 1;
		if (vector == 2 || vector == 15)
			vector = 13;
		return INTR_TYPE_HARD_EXCEPTION | vector | INTR_INFO_VALID |
		       (pe && has_error_code(vector) ? INTR_INFO_DELIVER_CODE : 0);
	case 4:
		*len = *len ? *len : 1;
		return INTR_TYPE_SOFT_EXCEPTION | (sel & 8 ? 4 : 3) | INTR_INFO_VALID;
	default:
		*len = *len ? *len : 1;
		if (vectoring && (sel & 8))
			return INTR_TYPE_SOFT_INTR | (sel / 6) | INTR_INFO_VALID;
		return INTR_TYPE_PRIV_SW_EXCEPTION | 1 | INTR_INFO_VALID;
	}
}

static bool may_vector(unsigned basic)
{
	return basic == EXIT_REASON_EXCEPTION_NMI ||
	       basic == EXIT_REASON_EXTERNAL_INTERRUPT ||
	       basic == EXIT_REASON_TRIPLE_FAULT ||
	       basic == EXIT_REASON_EPT_VIOLATION ||
	       basic == EXIT_REASON_EPT_MISCONFIG ||
	       basic == EXIT_REASON_APIC_ACCESS;
}

static void make_exit(const struct exit_in *e)
{
	struct vcpu *v = &the_vm.vcpu[0];
	unsigned sel = e->reason % (N_HANDLED + 1);
	unsigned basic = sel < N_HANDLED ? handled[sel] : e->reason / 2;
	bool pe = vmread(GUEST_CR0) & CR0_PE;
	unsigned len = 1 + e->len % 15, ilen = len;
	uint32_t intr_info = 0, idt = 0;
	uint64_t qual = e->qual;

	/* An I/O access is 1, 2 or 4 bytes: size codes 0, 1 and 3 (SDM
	 * Vol. 3C, table 28-5); the others are never reported. */
	if (basic == EXIT_REASON_IO_INSTRUCTION) {
		static const uint8_t size_code[3] = { 0, 1, 3 };

		qual = (qual & ~7ull) | size_code[(qual & 7) % 3];
	}
	/* In wait-for-SIPI the CPU executes nothing: only a SIPI (or
	 * another INIT, or a timer) brings it out. */
	if (vmread(GUEST_ACTIVITY_STATE) == GUEST_ACTIVITY_WAIT_SIPI &&
	    basic != EXIT_REASON_INIT_SIGNAL &&
	    basic != EXIT_REASON_PREEMPTION_TIMER)
		basic = EXIT_REASON_SIPI;
	/* These three come only with APIC virtualization on. */
	if (!v->apicv && (basic == EXIT_REASON_APIC_ACCESS ||
			  basic == EXIT_REASON_EOI_INDUCED ||
			  basic == EXIT_REASON_APIC_WRITE))
		basic = EXIT_REASON_PREEMPTION_TIMER;

	if (basic == EXIT_REASON_EXCEPTION_NMI) {
		intr_info = make_event(e->intr, false, pe, &ilen);
	} else if (basic == EXIT_REASON_EXTERNAL_INTERRUPT) {
		/* "Acknowledge interrupt on exit" is on. */
		intr_info = INTR_TYPE_EXT_INTR | (32 + e->intr % 224) | INTR_INFO_VALID;
	}
	if (basic == EXIT_REASON_EXCEPTION_NMI && !intr_info)
		intr_info = INTR_TYPE_NMI | 2 | INTR_INFO_VALID;
	if (may_vector(basic) && e->idt >= 128)
		idt = make_event(e->idt, true, pe, &ilen);
	if (idt) {
		/* An event being delivered started at an instruction
		 * boundary no STI or MOV SS blocked; the delivery of an NMI
		 * blocks NMIs from its start (SDM Vol. 3C, 26.3 and 27.7.1.2,
		 * which is why KVM clears the bit when it re-injects one). */
		uint32_t is = vmread(GUEST_INTERRUPTIBILITY_INFO) &
			      ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);

		if ((idt & INTR_INFO_TYPE_MASK) == INTR_TYPE_NMI)
			is |= GUEST_INTR_STATE_NMI;
		vmwrite(GUEST_INTERRUPTIBILITY_INFO, is);
		/* An external interrupt was taken with RFLAGS.IF = 1, and
		 * RFLAGS is saved as it was before the delivery. */
		if ((idt & INTR_INFO_TYPE_MASK) == INTR_TYPE_EXT_INTR)
			vmwrite(GUEST_RFLAGS, vmread(GUEST_RFLAGS) | RFLAGS_IF);
	}

	/* Every VM exit clears the valid bit of the VM-entry
	 * interruption-information field (SDM Vol. 3C, "Recording VM-Exit
	 * Information"). */
	vmwrite(VM_ENTRY_INTR_INFO_FIELD,
		vmread(VM_ENTRY_INTR_INFO_FIELD) & ~INTR_INFO_VALID);
	/* The pending debug exceptions a CPU saves: a single step that
	 * waits behind STI or MOV-SS blocking (SDM Vol. 3C, 28.3.4), else
	 * none (the exit's instruction has not completed). */
	fake_vmcs_set(GUEST_PENDING_DBG_EXCEPTIONS,
		      (vmread(GUEST_RFLAGS) & RFLAGS_TF) &&
				      (vmread(GUEST_INTERRUPTIBILITY_INFO) & 3) ?
			      PENDING_DBG_BS : 0);
	fake_vmcs_set(VM_EXIT_REASON, basic);
	fake_vmcs_set(EXIT_QUALIFICATION, qual);
	fake_vmcs_set(VM_EXIT_INTR_INFO, intr_info);
	fake_vmcs_set(VM_EXIT_INTR_ERROR_CODE, e->err);
	fake_vmcs_set(IDT_VECTORING_INFO_FIELD, idt);
	fake_vmcs_set(IDT_VECTORING_ERROR_CODE, e->err ^ 0x18);
	fake_vmcs_set(VM_EXIT_INSTRUCTION_LEN, ilen);
	fake_vmcs_set(VMX_INSTRUCTION_INFO, e->insn_info);
	fake_vmcs_set(GUEST_PHYSICAL_ADDRESS, e->gpa);
	fake_vmcs_set(GUEST_LINEAR_ADDRESS, e->gpa);
	if (e->reg < 16 && e->reg != GPR_RSP)
		v->regs.gpr[e->reg] = e->reg_val;

	if (debug)
		fprintf(stderr, "exit %u (%s): qual 0x%lx len %u intr 0x%x idt 0x%x gpa 0x%lx\n",
			basic, exit_reason_name(basic), (unsigned long)qual,
			ilen, intr_info, idt, (unsigned long)e->gpa);
	last.valid = true;
	last.basic = basic;
	last.rip = vmread(GUEST_RIP);
	last.len = ilen;
	last.was64 = (vmread(VM_ENTRY_CONTROLS) & VM_ENTRY_IA32E_MODE) &&
		     (vmread(GUEST_CS_AR_BYTES) & AR_L);
	last.tf = vmread(GUEST_RFLAGS) & RFLAGS_TF;
	/* INS/OUTS with REP (exit qualification bits 4 and 5) and its
	 * address size (instruction information bits 9:7). */
	last.rep_string = basic == EXIT_REASON_IO_INSTRUCTION &&
			  (qual & 0x30) == 0x30;
	last.addr_size = 2u << ((e->insn_info >> 7) & 7);
	if (last.addr_size > 8)
		last.addr_size = 8;
	last.rcx = v->regs.gpr[GPR_RCX];
	last.exc_before = v->exc_pending;
}

/* The VM entry: judge what Shale is about to enter, then come back with
 * the next exit, or leave the run when the input has no more. */
int vmx_enter(struct guest_regs *regs, int launched)
{
	if (debug)
		fprintf(stderr, "entry %u: rip 0x%lx entry-info 0x%lx intr-state 0x%lx exc %d stop %d\n",
			entries, (unsigned long)vmread(GUEST_RIP),
			(unsigned long)vmread(VM_ENTRY_INTR_INFO_FIELD),
			(unsigned long)vmread(GUEST_INTERRUPTIBILITY_INFO),
			the_vm.vcpu[0].exc_pending, the_vm.stop_reason);
	CHECK(regs == &the_vm.vcpu[0].regs);
	CHECK(!!launched == (entries > 0));
	if (entries++ == 0) {
		/* The state the harness built: is it one a CPU enters? */
		checking = check_entry_state(false);
		if (debug)
			fprintf(stderr, "state as built: %s\n",
				checking ? "a valid VM entry" : "not a valid entry, not judged");
	} else {
		/* Known and open (docs/security.md): MOV to CR0 that clears
		 * PG in 64-bit code leaves IA-32e mode where the CPU would
		 * raise #GP; the next entry then fails on RIP or CS, and
		 * that guest alone crashes. Not judged again here. */
		if (last.valid && last.was64 &&
		    !(vmread(VM_ENTRY_CONTROLS) & VM_ENTRY_IA32E_MODE))
			checking = false;
		check_outcome(true);
		if (checking)
			check_entry_state(true);
	}
	CHECK(the_vm.stop_reason == VM_STOP_NONE);
	if (next_exit == n_exits)
		longjmp(out, 1);
	make_exit(&exits[next_exit++]);
	return 0;
}

/* ------------------------------------------------------------ setup */

#define PTE 0x27ull /* P, R/W, U/S, A */
#define PML4_GPA 0x1000
#define PT64_GPA 0x4000
#define PD32_GPA 0x10000
#define PDPT_PAE_GPA 0x20000

static void put64(uint64_t gpa, uint64_t v)
{
	memcpy(mem + gpa, &v, 8);
}

static void put32(uint64_t gpa, uint32_t v)
{
	memcpy(mem + gpa, &v, 4);
}

/* Identity maps of the first 4 MiB (the second 2 MiB is outside RAM, so
 * walks that land there reach "no RAM"), in every paging format. */
static void build_page_tables(void)
{
	put64(PML4_GPA, 0x2000 | PTE);
	put64(0x2000, 0x3000 | PTE);
	put64(0x3000, PT64_GPA | PTE);
	put64(0x3008, (2ull << 20) | PTE | 0x80);
	for (unsigned i = 0; i < 512; i++)
		put64(PT64_GPA + 8 * i, ((uint64_t)i << 12) | PTE);
	put32(PD32_GPA, 0x11000 | PTE);
	for (unsigned i = 0; i < 1024; i++)
		put32(0x11000 + 4 * i, (i << 12) | PTE);
	put64(PDPT_PAE_GPA, 0x21000 | 1);
	put64(0x21000, PT64_GPA | PTE);
}

static void set_segment(unsigned n, uint16_t sel, uint64_t base,
			uint32_t limit, uint32_t ar)
{
	vmwrite(GUEST_ES_SELECTOR + 2 * n, sel);
	vmwrite(GUEST_ES_BASE + 2 * n, base);
	vmwrite(GUEST_ES_LIMIT + 2 * n, limit);
	vmwrite(GUEST_ES_AR_BYTES + 2 * n, ar);
}

/* The guest's mode: what vmcs.c builds for a long-mode guest (mode 0),
 * and the other modes a guest can switch to. */
static void set_mode(unsigned mode, unsigned cpl, uint64_t cr0_flip,
		     uint64_t cr4_flip)
{
	struct vcpu *v = &the_vm.vcpu[0];
	const struct vmx_caps *c = &vmx_cpu.caps;
	uint64_t cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	uint64_t cr4 = CR4_PAE, efer = EFER_LME | EFER_LMA | EFER_NXE | EFER_SCE;
	uint64_t cr3 = PML4_GPA;
	uint32_t cs = 0xa09b, ds = 0xc093, limit = 0xffffffff;
	bool ia32e = true;

	switch (mode) {
	case 1: /* compatibility mode */
		cs = 0xc09b;
		break;
	case 2: /* 32-bit paging */
		cr4 = 1ull << 4;
		efer = 0;
		cr3 = PD32_GPA;
		cs = 0xc09b;
		ia32e = false;
		break;
	case 3: /* PAE */
		efer = EFER_NXE;
		cr3 = PDPT_PAE_GPA;
		cs = 0xc09b;
		ia32e = false;
		break;
	case 4: /* protected mode, no paging */
		cr0 = CR0_PE | CR0_ET | CR0_NE;
		cr4 = 0;
		efer = 0;
		cs = 0xc09b;
		ia32e = false;
		break;
	case 5: /* real mode (unrestricted guest) */
		cr0 = CR0_ET;
		cr4 = 0;
		efer = 0;
		cs = 0x9b;
		ds = 0x93;
		limit = 0xffff;
		cpl = 0;
		ia32e = false;
		break;
	}
	/* Bits a guest may flip in any mode without making the state one
	 * the CPU refuses: TS, EM, MP, AM, WP (CR0); DE, PSE, PGE, OSFXSR,
	 * OSXMMEXCPT, OSXSAVE, SMEP, SMAP (CR4). */
	cr0 ^= cr0_flip & (CR0_TS | CR0_EM | CR0_MP | CR0_AM | CR0_WP);
	cr4 ^= cr4_flip & (CR4_DE | (1ull << 4) | CR4_PGE | CR4_OSFXSR |
			   CR4_OSXMMEXCPT | CR4_OSXSAVE | (3ull << 20));
	vmwrite(CR0_GUEST_HOST_MASK, (c->cr0_fixed0 & ~(CR0_PE | CR0_PG)) |
					     ~c->cr0_fixed1 | CR0_CD | CR0_NW);
	vmwrite(CR4_GUEST_HOST_MASK, c->cr4_fixed0 | ~c->cr4_fixed1 | CR4_VMXE);
	vcpu_set_state(v, VREG_CR0, cr0);
	vcpu_set_state(v, VREG_CR4, cr4);
	vmwrite(GUEST_CR3, cr3);
	vmwrite(GUEST_IA32_EFER, efer);
	vmwrite(GUEST_IA32_PAT, 0x0007040600070406ull);
	for (unsigned n = 0; n < 6; n++) {
		uint32_t ar = (n == 1 ? cs : ds) | (n == 1 || n == 2 ? cpl << 5 : 0);

		set_segment(n, mode == 5 ? 0 : 0x10 + 8 * n + cpl, 0, limit, ar);
	}
	v->entry_ctls = VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_IA32_PAT |
			VM_ENTRY_LOAD_DEBUG_CONTROLS |
			(ia32e ? VM_ENTRY_IA32E_MODE : 0);
	vmwrite(VM_ENTRY_CONTROLS, v->entry_ctls);
	vmwrite(GUEST_DR7, 0x400);
}

/* What setup_controls() (arch/x86/vmcs.c) asks for, on a CPU that
 * offers all of it. */
static void set_controls(struct vcpu *v, uint8_t config)
{
	v->pin_ctls = PIN_BASED_EXT_INTR_EXITING | PIN_BASED_NMI_EXITING |
		      PIN_BASED_VMX_PREEMPTION_TIMER | PIN_BASED_VIRTUAL_NMIS;
	v->proc_ctls = CPU_BASED_HLT_EXITING | CPU_BASED_RDPMC_EXITING |
		       CPU_BASED_USE_IO_BITMAPS | CPU_BASED_USE_MSR_BITMAPS |
		       CPU_BASED_ACTIVATE_SECONDARY_CONTROLS |
		       (v->apicv ? CPU_BASED_TPR_SHADOW :
				   CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING) |
		       CPU_BASED_USE_TSC_OFFSETTING | CPU_BASED_MWAIT_EXITING |
		       CPU_BASED_MONITOR_EXITING;
	v->proc2_ctls = SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_UNRESTRICTED_GUEST |
			SECONDARY_EXEC_ENABLE_VPID | SECONDARY_EXEC_ENABLE_RDTSCP |
			SECONDARY_EXEC_ENABLE_INVPCID | SECONDARY_EXEC_WBINVD_EXITING |
			(config & 0x40 ? SECONDARY_EXEC_ENABLE_XSAVES : 0) |
			(v->apicv ? SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES |
					    SECONDARY_EXEC_APIC_REGISTER_VIRT |
					    SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY : 0);
	vmwrite(PIN_BASED_VM_EXEC_CONTROL, v->pin_ctls);
	vmwrite(CPU_BASED_VM_EXEC_CONTROL, v->proc_ctls);
	vmwrite(SECONDARY_VM_EXEC_CONTROL, v->proc2_ctls);
	v->preempt_saved = true;
	v->entry_work = 1;
	v->slice_end = UINT64_MAX;
}

static void set_host(uint8_t config, uint8_t mode)
{
	static const uint64_t xcr0_masks[4] = { 0x3, 0x7, 0x2e7, 0x602ff };
	struct vmx_caps *c = &vmx_cpu.caps;

	memset(&fake_cpu, 0, sizeof(fake_cpu));
	fake_cpu.tsc = 1000000;
	fake_cpu.xcr0 = 1;
	fake_cpu.xcr0_supported = xcr0_masks[(mode >> 5) & 3];
	fake_cpu.phys_bits = 46;
	fake_cpu.linear_bits = 48;
	fake_cpu.misc_fast_strings = config & 0x80;
	fake_cpu.dr[6] = DR6_FIXED;
	memset(&vmx_cpu, 0, sizeof(vmx_cpu));
	c->cr0_fixed0 = CR0_PE | CR0_NE | CR0_PG;
	c->cr0_fixed1 = 0xffffffff;
	c->cr4_fixed0 = CR4_VMXE;
	c->cr4_fixed1 = 0x7727ff; /* up to PKE */
	c->misc = config & 4 ? VMX_MISC_ACTIVITY_WAIT_SIPI : 0;
	vmx_cpu.tsc_hz = 2000000000ull;
	vmx_cpu.preempt_shift = 5;
	spec_policy_compute(mode & 0x80 ? 0xbc000400u : 0, mode & 0x80 ? 0x2b : 0,
			    &spec_host);
}

static void build_world(struct reader *r)
{
	struct vm *vm = &the_vm;
	struct vcpu *v = &vm->vcpu[0];
	uint8_t config = take(r, 1), mode = take(r, 1);
	unsigned want = 1 + take(r, 1) % MAX_EXITS;
	uint8_t intr_state = take(r, 1);
	uint64_t rip = take(r, 8), rsp = take(r, 8), rflags = take(r, 8);
	uint64_t cr0_flip = take(r, 8), cr4_flip = take(r, 8);

	memset(vm, 0, sizeof(*vm));
	memset(mem, 0, MEM_SIZE);
	fake_vmcs_reset();
	set_host(config, mode);
	selftest = config & 0x20;
	vm->name = "fuzz";
	vm->n_vcpus = 1;
	guest_ram_layout(MEM_SIZE, &vm->ram);
	vm->ram.r[0].hpa = (uint64_t)(uintptr_t)mem;
	guest_ram_describe(&vm->ram, vm->ram_desc, sizeof(vm->ram_desc));
	v->vm = vm;
	v->state = VCPU_RUNNABLE;
	platform_init(&vm->plat, vm, vmx_cpu.tsc_hz);
	if (config & 1) {
		CHECK(pc_create(vm) == 0);
		v->apicv = config & 2;
	}
	if (config & 0x10)
		CHECK(testdev_attach(vm) == 0);
	build_page_tables();
	set_controls(v, config);
	set_mode(mode % 6, (mode >> 3) & 3, cr0_flip, cr4_flip);
	if (v->apicv)
		apicv_sync(v);
	spec_ctrl_vcpu_init(v);
	/* The debugger's state, as vcpu_set_debug() leaves it. */
	v->dbg.owns_dr = config & 8;
	v->dbg.trap_int3 = config & 8;
	v->dbg.guest_dr6 = DR6_FIXED;
	v->dbg.guest_dr7 = 0x400;
	/* The debugger's breakpoints: enables and R/W fields from the
	 * otherwise unused top half of RSP; a single step on request. */
	v->dbg.dr7 = 0x400 | ((rsp >> 32) & 0xffff00ffull);
	v->dbg.step = intr_state & 0x10;
	for (unsigned i = 0; i < 4; i++)
		v->dbg.dr[i] = 0x1000 * i;
	if (v->dbg.owns_dr)
		v->proc_ctls |= CPU_BASED_MOV_DR_EXITING;
	vmwrite(CPU_BASED_VM_EXEC_CONTROL, v->proc_ctls);

	/* Within 64-bit code any canonical RIP; elsewhere 32 bits. */
	if (mode % 6 == 0)
		rip = (uint64_t)((int64_t)(rip << 16) >> 16);
	else
		rip = (uint32_t)rip;
	if (mode % 6 == 5)
		rip &= 0xffff;
	vmwrite(GUEST_RIP, rip);
	vmwrite(GUEST_RSP, rsp);
	fake_pkru = (uint32_t)(rflags >> 32); /* bits RFLAGS does not have */
	rflags = (rflags & 0xfd5u) | RFLAGS_FIXED | (rflags & (1ull << 18));
	vmwrite(GUEST_RFLAGS, rflags);
	/* STI or MOV-SS blocking, NMI blocking: only combinations a CPU
	 * exits with. */
	intr_state &= GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS |
		      GUEST_INTR_STATE_NMI;
	if ((intr_state & 3) == 3 || !(rflags & RFLAGS_IF))
		intr_state &= ~GUEST_INTR_STATE_STI;
	vmwrite(GUEST_INTERRUPTIBILITY_INFO, intr_state);
	vmwrite(GUEST_PENDING_DBG_EXCEPTIONS,
		(rflags & RFLAGS_TF) && (intr_state & 3) ? PENDING_DBG_BS : 0);
	vmwrite(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	for (unsigned i = 0; i < 16; i++)
		v->regs.gpr[i] = take(r, 8);

	n_exits = want;
	for (unsigned i = 0; i < want; i++) {
		struct exit_in *e = &exits[i];

		e->reason = take(r, 1);
		e->qual = take(r, 8);
		e->len = take(r, 1);
		e->insn_info = take(r, 4);
		e->intr = take(r, 1);
		e->idt = take(r, 1);
		e->err = take(r, 2);
		e->gpa = take(r, 8);
		e->reg = take(r, 1);
		e->reg_val = take(r, 8);
	}
	/* The rest patches guest memory: instruction bytes, page tables. */
	while (r->left >= 5) {
		uint64_t gpa = take(r, 4) % MEM_SIZE;
		unsigned len = take(r, 1) % PATCH_MAX;

		for (unsigned i = 0; i < len && r->left; i++)
			mem[(gpa + i) % MEM_SIZE] = take(r, 1);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* Exactly the guest's size: a step past either end is ASan's. */
	debug = getenv("FUZZ_EXITS_DEBUG") != NULL;
	mem = malloc(MEM_SIZE);
	return mem ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = { data, size };
	struct vcpu *v = &the_vm.vcpu[0];

	build_world(&r);
	next_exit = 0;
	entries = 0;
	checking = false;
	last.valid = false;
	if (setjmp(out) == 0) {
		/* As the scheduler does: run until the vCPU halts, waits or
		 * stops; a halted one runs again when an interrupt wakes it
		 * (vmm/sched.c), which here is whenever exits are left. */
		/* Each pass takes an exit or ends: bounded all the same. */
		for (unsigned pass = 0; pass < 2 * MAX_EXITS; pass++) {
			vmx_run(v);
			check_outcome(false);
			if (the_vm.stop_reason != VM_STOP_NONE || next_exit == n_exits)
				break;
			if (v->state == VCPU_HALTED)
				v->state = VCPU_RUNNABLE;
			if (v->state != VCPU_RUNNABLE)
				break;
		}
	}
	return 0;
}
