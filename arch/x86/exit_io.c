/* SPDX-License-Identifier: MIT */
/*
 * I/O instruction exits: IN/OUT and INS/OUTS with REP, every size, routed
 * to the guest's port registry (vmm/io.c). Every port exits: Shale's I/O
 * bitmaps are all ones.
 */
#include "arch/x86/exit.h"
#include "arch/x86/exit_qual.h"
#include "arch/x86/include/cpu.h"
#include "arch/x86/vmx_ops.h"
#include "lib/string.h"
#include "vmm/guest_mem.h"
#include "vmm/mmio.h"
#include "vmm/vm.h"

/* Elements moved per exit; a longer REP resumes where it stopped, so a
 * huge count cannot keep the CPU away from the other guests for long. */
#define STRING_IO_BATCH 4096

/* SDM Vol. 3A, 6.15; not in cpu.h's list, which holds what others inject. */
#define X86_EXC_SS 12

/* Segment numbers of the VM-exit instruction information (SDM Vol. 3C,
 * Table 28-8). The VMCS encodings of a segment's limit, access rights and
 * base go up in steps of 2 in the same order (SDM Vol. 3C, Appendix B). */
#define SEG_ES 0
#define SEG_SS 2
#define SEG_DS 3
#define SEG_FS 4
#define SEG_GS 5
#define SEG_FIELD(es_field, seg) ((es_field) + 2 * (seg))

static uint64_t size_mask(unsigned bytes)
{
	return bytes == 8 ? ~0ull : (1ull << (bytes * 8)) - 1;
}

/* A write of an address-size register as the CPU makes it: a 16-bit write
 * keeps bits 63:16, a 32-bit write zeroes bits 63:32 (SDM Vol. 1, 3.4.1.1). */
static uint64_t addr_reg_update(uint64_t old, uint64_t val, unsigned addr_size)
{
	if (addr_size == 2)
		return (old & ~0xffffull) | (val & 0xffff);
	return addr_size == 4 ? (uint32_t)val : val;
}

static bool canonical48(uint64_t la)
{
	return (uint64_t)((int64_t)(la << 16) >> 16) == la;
}

/*
 * The linear address of one element at offset @off of segment @seg, with
 * the checks the CPU makes before the access (SDM Vol. 3A, 3.4.5, 5.3 and
 * 3.3.7.1): in 64-bit mode only FS and GS add a base and the address must
 * be canonical (48 bits: LA57 is hidden); elsewhere the segment must be usable and hold the element
 * within its limit, and the address wraps at 4 GiB. A failed check is the
 * guest's #GP(0), or #SS(0) through SS. Returns false when it injected one.
 */
static bool element_linear(struct vcpu *v, unsigned seg, uint64_t off,
			   unsigned size, bool mode64, uint64_t *la)
{
	uint8_t vector = X86_EXC_GP;

	if (mode64) {
		/* 64-bit mode ignores ES/CS/SS/DS overrides (SDM Vol. 1,
		 * 3.3.7.1): a string operand is never SS-relative there, so a
		 * non-canonical one is always #GP(0), never #SS(0). */
		*la = off;
		if (seg == SEG_FS || seg == SEG_GS)
			*la += vmread(SEG_FIELD(GUEST_ES_BASE, seg));
		if (canonical48(*la) && canonical48(*la + size - 1))
			return true;
	} else {
		if (seg == SEG_SS)
			vector = X86_EXC_SS;
		uint32_t ar = vmread(SEG_FIELD(GUEST_ES_AR_BYTES, seg));
		uint64_t limit = (uint32_t)vmread(SEG_FIELD(GUEST_ES_LIMIT, seg));
		uint64_t last = off + size - 1;
		bool ok;

		if ((ar & 0xc) == 0x4)
			/* Expand-down data (type 01EWA with E set): offsets above the limit, up to
			 * 0xffff or, with the B flag, 0xffffffff. */
			ok = off > limit && last <= ((ar & AR_DB) ? 0xffffffffull : 0xffffull);
		else
			ok = last <= limit;
		if (!(ar & AR_UNUSABLE) && ok) {
			*la = (vmread(SEG_FIELD(GUEST_ES_BASE, seg)) + off) & 0xffffffffull;
			return true;
		}
	}
	vcpu_inject_exception(v, vector, true, 0);
	return false;
}

/* Where one element of the guest's buffer is: two pieces when it
 * straddles a page boundary. */
struct element {
	uint64_t gpa[2];
	unsigned len[2];
	unsigned pieces;
};

/*
 * Translate the element at linear @la as the CPU would: both pages of an
 * element that straddles two are translated before anything is read or
 * written, so a fault leaves no half-done element and no port access. A
 * page fault is the guest's #PF with its error code and CR2 = the address
 * that faulted; page tables outside guest RAM stop the guest, as the same
 * walk by the CPU would (exit_ept.c). Returns false when it did either.
 */
static bool element_translate(struct vcpu *v, uint64_t la, unsigned size,
			      unsigned acc, struct element *e)
{
	uint64_t rflags = vmread(GUEST_RFLAGS);
	unsigned first = 4096 - (la & 0xfff);

	e->pieces = 1;
	e->len[0] = size;
	if (first < size) {
		e->len[0] = first;
		e->len[1] = size - first;
		e->pieces = 2;
	}
	for (unsigned i = 0; i < e->pieces; i++) {
		uint64_t piece = la + (i ? first : 0);
		uint32_t err;

		switch (guest_linear_access(v, piece, acc, rflags, &e->gpa[i], &err)) {
		case GUEST_WALK_OK:
			break;
		case GUEST_WALK_PF:
			/* The guest's CR2 is in the real register while its
			 * vCPU is loaded (vmm/sched.c switches it). */
			write_cr2(piece);
			vcpu_inject_exception(v, X86_EXC_PF, true, err);
			return false;
		case GUEST_WALK_NO_RAM:
			vm_stop(v->vm, VM_STOP_CRASH,
				"string I/O at RIP 0x%lx: the page tables for linear 0x%lx are outside its memory (%s)",
				(unsigned long)vmread(GUEST_RIP), (unsigned long)piece,
				v->vm->ram_desc);
			return false;
		}
	}
	return true;
}

/* Move a translated element between *val and guest memory. A buffer in a
 * device's range goes to the device; one outside the guest's memory and
 * devices stops the guest. Returns false when it stopped it. */
static bool element_move(struct vcpu *v, const struct element *e,
			 unsigned size, bool to_mem, uint32_t *val)
{
	for (unsigned i = 0, done = 0; i < e->pieces; done += e->len[i], i++) {
		void *hva = vm_gpa_to_hva(v->vm, e->gpa[i], e->len[i]);
		const struct mmio_range *r;
		uint64_t val64 = *val;

		if (hva) {
			if (to_mem)
				memcpy(hva, (char *)val + done, e->len[i]);
			else
				memcpy((char *)val + done, hva, e->len[i]);
			continue;
		}
		r = mmio_find(&v->vm->mmio, e->gpa[i]);
		if (r && e->pieces == 1 && e->gpa[i] - r->base + size <= r->size) {
			r->fn(r->opaque, e->gpa[i] - r->base, size, to_mem, &val64);
			if (!to_mem)
				*val = (uint32_t)val64;
			continue;
		}
		vm_stop(v->vm, VM_STOP_CRASH,
			"string I/O %s at guest-physical 0x%lx, outside its memory (%s) and devices, at RIP 0x%lx",
			to_mem ? "write" : "read", (unsigned long)e->gpa[i],
			v->vm->ram_desc, (unsigned long)vmread(GUEST_RIP));
		return false;
	}
	return true;
}

/* Out of line: inlined, its locals and saved registers would make every
 * IN and OUT exit (doorbells, UART bytes) set up its large frame. */
static __attribute__((noinline)) enum exit_result string_io(struct vcpu *v, struct io_qual q)
{
	struct string_io_info si = string_io_info_decode(vmread(VMX_INSTRUCTION_INFO));
	uint64_t amask = size_mask(si.addr_size);
	/* INS always writes through ES; OUTS reads through its segment. */
	unsigned seg = q.in ? SEG_ES : si.segment < 6 ? si.segment : SEG_DS;
	bool mode64 = vmread(GUEST_CS_AR_BYTES) & AR_L;
	/* CPL 3 makes every access a user-mode one (SDM Vol. 3A, 4.6). */
	unsigned acc = (q.in ? GUEST_ACC_WRITE : 0) | (vcpu_cpl(v) == 3 ? GUEST_ACC_USER : 0);
	int idx = q.in ? GPR_RDI : GPR_RSI;
	uint64_t *ptr = &v->regs.gpr[idx];
	uint64_t *rcx = &v->regs.gpr[GPR_RCX];
	uint64_t count = q.rep ? *rcx & amask : 1;
	uint64_t rflags = vmread(GUEST_RFLAGS);
	int64_t step = (rflags & RFLAGS_DF) ? -(int64_t)q.size : q.size;
	/* With RFLAGS.TF the CPU traps after every iteration of a REP (SDM
	 * Vol. 2B, REP): one element per exit, then the single-step trap. */
	uint64_t batch = (rflags & RFLAGS_TF) ? 1 : STRING_IO_BATCH;
	uint64_t off = *ptr & amask, n;

	for (n = 0; n < count && n < batch; n++) {
		struct element e;
		uint32_t val = 0;
		uint64_t la;

		if (!element_linear(v, seg, off, q.size, mode64, &la))
			break;
		/* The destination is checked before the port is read, so
		 * a faulting INS consumes no data. */
		if (!element_translate(v, la, q.size, acc, &e))
			break;
		if (q.in) {
			io_access(&v->vm->io, q.port, q.size, false, &val);
			if (!element_move(v, &e, q.size, true, &val))
				break;
		} else {
			if (!element_move(v, &e, q.size, false, &val))
				break;
			io_access(&v->vm->io, q.port, q.size, true, &val);
		}
		off = (off + step) & amask;
	}
	/* Registers change only for elements that completed: a fault leaves
	 * them at the faulting element, as the CPU does (SDM Vol. 2B, REP). */
	if (n) {
		*ptr = addr_reg_update(*ptr, off, si.addr_size);
		if (q.rep)
			*rcx = addr_reg_update(*rcx, count - n, si.addr_size);
	}
	if (v->vm->stop_reason != VM_STOP_NONE)
		return EXIT_STOP;
	/* Done when the count ran out (or it was one element); otherwise
	 * RIP stays and the instruction continues on the next entry. */
	if (v->exc_pending)
		return EXIT_RESUME;
	if (!q.rep || count == n) {
		vmx_skip_instruction();
	} else {
		/* Iterations done, RIP stays: the instruction goes on from
		 * an interruptible point, as the CPU's REP would. */
		vmx_end_blocking();
		if (rflags & RFLAGS_TF)
			vmx_single_step_trap(v);
	}
	return EXIT_RESUME;
}

enum exit_result exit_io(struct vcpu *v)
{
	struct io_qual q = io_qual_decode(vmread(EXIT_QUALIFICATION));
	uint64_t *rax = &v->regs.gpr[GPR_RAX];
	uint32_t val;

	if (q.string)
		return string_io(v, q);
	if (q.in) {
		io_access(&v->vm->io, q.port, q.size, false, &val);
		/* IN AL/AX keeps the rest of RAX; IN EAX zero-extends. */
		if (q.size == 4)
			*rax = val;
		else
			*rax = (*rax & ~size_mask(q.size)) | (val & size_mask(q.size));
	} else {
		val = *rax & size_mask(q.size);
		io_access(&v->vm->io, q.port, q.size, true, &val);
	}
	vmx_skip_instruction();
	return EXIT_RESUME;
}
