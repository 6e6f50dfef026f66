/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's own IDT. An exception in Shale is a Shale bug: it prints
 * the exception, error code, registers and a backtrace by function name
 * (arch/x86/panic.c) on the serial console, then halts this CPU. A host NMI
 * is counted (arch/x86/host_nmi.c) and execution goes on.
 */
#include <stdint.h>

#include "arch/x86/host.h"
#include "arch/x86/host_nmi.h"
#include "arch/x86/mce.h"
#include "arch/x86/include/cpu.h"
#include "arch/x86/percpu.h"
#include "arch/x86/smp.h"
#include "lib/log.h"

struct exc_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gates are 16 bytes");

extern uint64_t isr_table[32];
extern char isr_wake[], isr_spurious[];
void host_set_idt_base(uint64_t base);
void host_exception(struct exc_frame *f);

/* One IDT for every CPU. Vectors without a handler are not present: an
 * interrupt there is a bug, reported as #NP. */
static struct idt_gate idt[256] __attribute__((aligned(16)));

static const char *const exc_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault", "coprocessor overrun",
	"#TS invalid TSS", "#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD error", "#VE virtualization", "#CP control protection",
};

static void set_gate(unsigned v, uint64_t h, uint8_t ist)
{
	idt[v] = (struct idt_gate){
		.off_lo = h & 0xffff,
		.sel = HOST_CS,
		.ist = ist,
		.type = 0x8e, /* present, DPL 0, 64-bit interrupt gate */
		.off_mid = (h >> 16) & 0xffff,
		.off_hi = h >> 32,
	};
}

void host_idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) d;

	d.limit = sizeof(idt) - 1;
	d.base = (uint64_t)idt;
	asm volatile("lidt %0" ::"m"(d));
	host_set_idt_base((uint64_t)idt);
}

void host_idt_init(void)
{
	for (int v = 0; v < 32; v++)
		/* NMI, #DF and #MC may arrive on a broken stack. */
		set_gate(v, isr_table[v],
			 (v == X86_EXC_NMI || v == X86_EXC_DF || v == X86_EXC_MC) ? 1 : 0);
	set_gate(SMP_WAKE_VECTOR, (uint64_t)isr_wake, 0);
	set_gate(APIC_SPURIOUS_VECTOR, (uint64_t)isr_spurious, 0);
	host_idt_load();
}

void host_exception(struct exc_frame *f)
{
	const char *name = f->vector < 32 && exc_names[f->vector]
				   ? exc_names[f->vector]
				   : "exception";

	if (f->vector == X86_EXC_NMI) {
		if (smp_stop_requested())
			smp_stop_self(f->rip, false);
		/* Counted, not logged: the NMI may have come in the middle
		 * of a log line. The scheduler reports it. */
		host_nmi_in_root(f->rip);
		return;
	}
	/* A machine check Shale can go on from: reported, and IRET. */
	if (f->vector == X86_EXC_MC && mce_in_root())
		return;
	smp_panic_begin();
	log_rawf("\n[panic] hypervisor exception %s (vector %lu), error code 0x%lx\n",
		 name, (unsigned long)f->vector, (unsigned long)f->error);
	log_rawf("  RIP %016lx  CS %04lx  RFLAGS %016lx\n",
		 (unsigned long)f->rip, (unsigned long)f->cs,
		 (unsigned long)f->rflags);
	log_rawf("  RSP %016lx  SS %04lx  CR2 %016lx  CR3 %016lx\n",
		 (unsigned long)f->rsp, (unsigned long)f->ss,
		 (unsigned long)read_cr2(), (unsigned long)read_cr3());
	log_rawf("  RAX %016lx  RBX %016lx  RCX %016lx  RDX %016lx\n",
		 (unsigned long)f->rax, (unsigned long)f->rbx,
		 (unsigned long)f->rcx, (unsigned long)f->rdx);
	log_rawf("  RSI %016lx  RDI %016lx  RBP %016lx\n",
		 (unsigned long)f->rsi, (unsigned long)f->rdi,
		 (unsigned long)f->rbp);
	log_rawf("  R8  %016lx  R9  %016lx  R10 %016lx  R11 %016lx\n",
		 (unsigned long)f->r8, (unsigned long)f->r9,
		 (unsigned long)f->r10, (unsigned long)f->r11);
	log_rawf("  R12 %016lx  R13 %016lx  R14 %016lx  R15 %016lx\n",
		 (unsigned long)f->r12, (unsigned long)f->r13,
		 (unsigned long)f->r14, (unsigned long)f->r15);
	host_print_address("  at  ", f->rip, HOST_ADDR_PC);
	host_backtrace(f->rbp);
	host_halt_reported();
}
