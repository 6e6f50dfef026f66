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
	if (insn.is_write) {
		val = decode_store_value(&insn, v->regs.gpr[insn.reg]);
		r->fn(r->opaque, gpa - r->base, insn.size, true, &val);
	} else {
		val = 0;
		r->fn(r->opaque, gpa - r->base, insn.size, false, &val);
		decode_apply_load(&insn, &v->regs.gpr[insn.reg], val);
	}
	/* The exit's instruction length is not defined for EPT violations
	 * (SDM 28.2.4); the decoder's is. */
	vmwrite(GUEST_RIP, rip + insn.length);
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
	struct ept_qual q = ept_qual_decode(vmread(EXIT_QUALIFICATION));
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
	if (r)
		return emulate_mmio(v, r, gpa);
	vm_stop(v->vm, VM_STOP_CRASH,
		"%s at guest-physical 0x%lx, outside its memory (0-0x%lx) and devices, at RIP 0x%lx",
		access_kind(q), (unsigned long)gpa,
		(unsigned long)(v->vm->mem_size - 1),
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
