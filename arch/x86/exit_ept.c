/* SPDX-License-Identifier: MIT */
/*
 * EPT violations and misconfigurations. Guest RAM is mapped in the EPT, so
 * a violation is either a device's MMIO range (emulated here through the
 * instruction decoder) or an access outside the guest's memory and devices,
 * which stops that guest with a report.
 */
#include "arch/x86/decode.h"
#include "arch/x86/exit.h"
#include "arch/x86/exit_qual.h"
#include "arch/x86/vmx_ops.h"
#include "lib/log.h"
#include "vmm/guest_mem.h"
#include "vmm/vm.h"

static const char *access_kind(struct ept_qual q)
{
	return q.fetch ? "instruction fetch" : q.write ? "write" : "read";
}

/* Exit qualification bit 7 set and bit 8 clear: the access was to a
 * paging-structure entry of the guest's own walk, not to the linear
 * address being translated (SDM Vol. 3C, 28.2.1, Table 28-7). */
#define EPT_QUAL_GLA_VALID (1ull << 7)
#define EPT_QUAL_GLA_TRANSLATED (1ull << 8)

static bool ept_qual_paging_entry(uint64_t qual)
{
	return (qual & (EPT_QUAL_GLA_VALID | EPT_QUAL_GLA_TRANSLATED)) == EPT_QUAL_GLA_VALID;
}

static enum decode_mode guest_mode(void)
{
	uint32_t ar = vmread(GUEST_CS_AR_BYTES);

	if (ar & AR_L)
		return DECODE_MODE_64;
	return (ar & AR_DB) ? DECODE_MODE_32 : DECODE_MODE_16;
}

/* Inlined into the EPT-violation handler, its hot caller. */
static inline __attribute__((always_inline)) enum exit_result
emulate_mmio(struct vcpu *v, const struct mmio_range *r, uint64_t gpa)
{
	uint8_t bytes[DECODE_MAX_INSN_LEN];
	uint64_t rip = vmread(GUEST_RIP);
	uint64_t got = guest_read_linear(v, vmread(GUEST_CS_BASE) + rip, bytes,
					 sizeof(bytes));
	struct mmio_insn insn;
	uint64_t val;
	int err;

	err = decode_mmio(bytes, got, guest_mode(), &insn);
	if (err) {
		vm_stop(v->vm, VM_STOP_CRASH,
			"cannot emulate the instruction at RIP 0x%lx that touched %s at 0x%lx (%s; bytes %02x %02x %02x %02x)",
			(unsigned long)rip, r->name, (unsigned long)gpa,
			decode_strerror(err), got > 0 ? bytes[0] : 0,
			got > 1 ? bytes[1] : 0, got > 2 ? bytes[2] : 0,
			got > 3 ? bytes[3] : 0);
		return EXIT_STOP;
	}
	/* The exit stub saves every GPR but RSP, which lives in the VMCS:
	 * a MOV to or from SPL/SP/ESP/RSP goes through GUEST_RSP (the
	 * decoder reports AH as register 0 with reg_high8, never as 4). */
	if (insn.is_write) {
		uint64_t src = insn.reg == GPR_RSP && insn.src == MMIO_SRC_REG ?
				       vmread(GUEST_RSP) : v->regs.gpr[insn.reg];

		val = decode_store_value(&insn, src);
		r->fn(r->opaque, gpa - r->base, insn.size, true, &val);
	} else {
		val = 0;
		r->fn(r->opaque, gpa - r->base, insn.size, false, &val);
		if (insn.reg == GPR_RSP) {
			uint64_t rsp = vmread(GUEST_RSP);

			decode_apply_load(&insn, &rsp, val);
			vmwrite(GUEST_RSP, rsp);
		} else {
			decode_apply_load(&insn, &v->regs.gpr[insn.reg], val);
		}
	}
	/* The exit's instruction length is not defined for EPT violations
	 * (SDM 28.2.4); the decoder's is. */
	vmx_finish_instruction(rip + insn.length);
	return EXIT_RESUME;
}

enum exit_result exit_mmio_emulate(struct vcpu *v, const struct mmio_range *r,
				   uint64_t gpa)
{
	return emulate_mmio(v, r, gpa);
}

enum exit_result exit_ept_violation(struct vcpu *v)
{
	uint64_t gpa = vmread(GUEST_PHYSICAL_ADDRESS);
	uint64_t qual = vmread(EXIT_QUALIFICATION);
	struct ept_qual q = ept_qual_decode(qual);
	const struct mmio_range *r = mmio_find(&v->vm->mmio, gpa);

	exit_note_idt_vectoring(v);
	if (r && v->reinject_info) {
		/* Not an instruction but the delivery of an event (an
		 * interrupt frame, a descriptor) touched the device. */
		vm_stop(v->vm, VM_STOP_CRASH,
			"event delivery touched device memory (%s) at guest-physical 0x%lx",
			r->name, (unsigned long)gpa);
		return EXIT_STOP;
	}
	if (r && q.fetch) {
		vm_stop(v->vm, VM_STOP_CRASH,
			"executing from device memory (%s) at guest-physical 0x%lx",
			r->name, (unsigned long)gpa);
		return EXIT_STOP;
	}
	if (r && ept_qual_paging_entry(qual)) {
		/* The CPU's own page walk read (or set A/D in) an entry in
		 * device memory. The MOV's operand was never reached, so
		 * emulating the MOV would act on the wrong address; feeding
		 * a device register to the hardware walker cannot be done,
		 * and a real machine would walk through whatever the device
		 * returns. No fault of the SDM fits: it is the guest's
		 * error, and it stops here, as outside its memory. */
		vm_stop(v->vm, VM_STOP_CRASH,
			"page walk for linear 0x%lx at RIP 0x%lx read a paging-structure entry from device memory (%s) at guest-physical 0x%lx",
			(unsigned long)vmread(GUEST_LINEAR_ADDRESS),
			(unsigned long)vmread(GUEST_RIP), r->name, (unsigned long)gpa);
		return EXIT_STOP;
	}
	if (r)
		return emulate_mmio(v, r, gpa);
	vm_stop(v->vm, VM_STOP_CRASH,
		"%s at guest-physical 0x%lx, outside its memory (%s) and devices, at RIP 0x%lx",
		access_kind(q), (unsigned long)gpa, v->vm->ram_desc,
		(unsigned long)vmread(GUEST_RIP));
	return EXIT_STOP;
}

enum exit_result exit_ept_misconfig(struct vcpu *v)
{
	uint64_t gpa = vmread(GUEST_PHYSICAL_ADDRESS);

	exit_note_idt_vectoring(v);
	/* Shale builds every EPT entry itself: a misconfiguration is a Shale
	 * bug, not the guest's doing. */
	log_err("ept", "Shale bug: EPT misconfiguration for guest \"%s\" at guest-physical 0x%lx",
		v->vm->name, (unsigned long)gpa);
	exit_dump_guest(v, "EPT misconfiguration (hypervisor bug)");
	vm_stop(v->vm, VM_STOP_CRASH, "EPT misconfiguration at 0x%lx (a Shale bug; please report it)",
		(unsigned long)gpa);
	return EXIT_STOP;
}
