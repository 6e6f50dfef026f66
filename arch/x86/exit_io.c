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
#include "vmm/vm.h"

/* Elements moved per exit; a longer REP resumes where it stopped, so a
 * huge count cannot keep the CPU away from the other guests for long. */
#define STRING_IO_BATCH 4096

static const uint64_t seg_base_field[6] = {
	GUEST_ES_BASE, GUEST_CS_BASE, GUEST_SS_BASE,
	GUEST_DS_BASE, GUEST_FS_BASE, GUEST_GS_BASE,
};

static uint64_t size_mask(unsigned bytes)
{
	return bytes == 8 ? ~0ull : (1ull << (bytes * 8)) - 1;
}

static enum exit_result string_io(struct vcpu *v, struct io_qual q)
{
	struct string_io_info si = string_io_info_decode(vmread(VMX_INSTRUCTION_INFO));
	uint64_t amask = size_mask(si.addr_size);
	/* INS always writes through ES; OUTS reads through its segment. */
	uint64_t base = vmread(q.in ? GUEST_ES_BASE : seg_base_field[si.segment < 6 ? si.segment : 3]);
	int idx = q.in ? GPR_RDI : GPR_RSI;
	uint64_t *ptr = &v->regs.gpr[idx];
	uint64_t *rcx = &v->regs.gpr[GPR_RCX];
	uint64_t count = q.rep ? *rcx & amask : 1;
	int64_t step = (vmread(GUEST_RFLAGS) & RFLAGS_DF) ? -(int64_t)q.size : q.size;
	uint64_t n;

	for (n = 0; n < count && n < STRING_IO_BATCH; n++) {
		uint64_t off = *ptr & amask, gpa;
		uint32_t val = 0;
		void *hva;

		if (guest_linear_to_phys(v, base + off, &gpa) ||
		    !(hva = vm_gpa_to_hva(v->vm, gpa, q.size))) {
			/* The guest's buffer is not in its RAM: what a real CPU
			 * would report as #PF or #GP, Shale reports as a #GP. */
			vcpu_inject_exception(v, X86_EXC_GP, true, 0);
			break;
		}
		if (q.in) {
			io_access(&v->vm->io, q.port, q.size, false, &val);
			memcpy(hva, &val, q.size);
		} else {
			memcpy(&val, hva, q.size);
			io_access(&v->vm->io, q.port, q.size, true, &val);
		}
		*ptr = (*ptr & ~amask) | ((off + step) & amask);
	}
	if (q.rep)
		*rcx = (*rcx & ~amask) | ((count - n) & amask);
	/* Done when the count ran out (or it was one element); otherwise
	 * RIP stays and the instruction continues on the next entry. */
	if (!v->exc_pending && (!q.rep || count == n))
		vmx_skip_instruction();
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
