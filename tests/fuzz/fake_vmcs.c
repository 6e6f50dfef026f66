/* SPDX-License-Identifier: MIT */
/*
 * A VMCS and the root-mode instructions for tests/fuzz/fuzz_exits.c (see
 * fake_vmcs.h). Each fake applies the rules the real instruction applies
 * in root mode, where a violation would be an exception in Shale itself:
 * that is the point of faking them rather than ignoring them.
 */
#include <stdlib.h>
#include <string.h>

#include "arch/x86/include/cpu.h"
#include "arch/x86/include/msr.h"
#include "arch/x86/spec_ctrl.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fake_vmcs.h"

struct fake_cpu fake_cpu;

/* ------------------------------------------------------------ the VMCS */

/* A field encoding (SDM Vol. 3C, 25.11.2): bit 0 access type (the high
 * half of a 64-bit field), bits 9:1 index, 11:10 type (1 = read-only
 * VM-exit information), bit 12 reserved, 14:13 width (16-bit, 64-bit,
 * 32-bit, natural), bits 63:15 reserved. */
#define ENC_HIGH 1u
#define ENC_TYPE(e) (((e) >> 10) & 3)
#define ENC_WIDTH(e) (((e) >> 13) & 3)
#define TYPE_RO 1
#define WIDTH_16 0
#define WIDTH_64 1
#define WIDTH_32 2

static uint64_t vmcs[4 * 4 * 512];

static unsigned slot(uint64_t e)
{
	/* VMREAD/VMWRITE of an encoding no field has fails
	 * (VMfailValid, error 12): vmx_op_failed(), a Shale bug. */
	CHECK((e & ~0x6fffull) == 0);
	CHECK(!(e & ENC_HIGH) || ENC_WIDTH(e) == WIDTH_64);
	return (ENC_WIDTH(e) << 11) | (ENC_TYPE(e) << 9) | ((e >> 1) & 0x1ff);
}

static uint64_t width_mask(uint64_t e)
{
	if (e & ENC_HIGH)
		return 0xffffffffull;
	switch (ENC_WIDTH(e)) {
	case WIDTH_16:
		return 0xffff;
	case WIDTH_32:
		return 0xffffffffull;
	default:
		return ~0ull;
	}
}

uint64_t vmread(uint64_t field)
{
	uint64_t v = vmcs[slot(field)];

	return field & ENC_HIGH ? v >> 32 : v;
}

void fake_vmcs_set(uint64_t field, uint64_t value)
{
	unsigned i = slot(field);

	CHECK(!(field & ENC_HIGH));
	vmcs[i] = value & width_mask(field);
}

void vmwrite(uint64_t field, uint64_t value)
{
	/* The exit-information fields are read-only unless IA32_VMX_MISC
	 * bit 29 says otherwise, and Shale does not look at that bit. */
	CHECK(ENC_TYPE(field) != TYPE_RO);
	fake_vmcs_set(field, value);
}

void fake_vmcs_reset(void)
{
	memset(vmcs, 0, sizeof(vmcs));
}

/* ------------------------------------------------------------ CPU */

static bool canonical(uint64_t a)
{
	unsigned s = 64 - fake_cpu.linear_bits;

	return (uint64_t)((int64_t)(a << s) >> s) == a;
}

/* A recent Intel server core, reduced to what Shale reads. */
void cpuid_count(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
	*r = (struct cpuid_regs){ 0, 0, 0, 0 };
	switch (leaf) {
	case 0:
		r->eax = 0x1f;
		r->ebx = 0x756e6547;
		r->ecx = 0x6c65746e;
		r->edx = 0x49656e69;
		break;
	case 1:
		r->eax = 0x000606a6;
		r->ebx = 0x00800800;
		r->ecx = 0x7ffefbff;
		r->edx = 0xbfebfbff;
		break;
	case 7:
		if (subleaf == 0) {
			r->ebx = 0xf3bfbfff;
			r->ecx = 0x40417f5e;
			r->edx = 0xbc040412;
		}
		break;
	case 0xd:
		if (subleaf == 0) {
			r->eax = (uint32_t)fake_cpu.xcr0_supported;
			r->edx = fake_cpu.xcr0_supported >> 32;
			r->ebx = r->ecx = 0xa88;
		} else if (subleaf == 1) {
			r->eax = 0x1f;
			r->ecx = 0x2500;
		}
		break;
	case 0x80000000u:
		r->eax = 0x80000008u;
		break;
	case 0x80000001u:
		r->ecx = 0x121;
		r->edx = 0x2c100800;
		break;
	case 0x80000008u:
		r->eax = fake_cpu.phys_bits | fake_cpu.linear_bits << 8;
		break;
	default:
		r->eax = leaf * 0x01010101u;
		r->ebx = subleaf;
		break;
	}
}

/* RDMSR of an MSR the host does not have is #GP in root mode. */
uint64_t rdmsr(uint32_t msr)
{
	switch (msr) {
	case MSR_IA32_MISC_ENABLE:
		return fake_cpu.misc_fast_strings ? 1 : 0;
	case MSR_IA32_ARCH_CAPABILITIES:
		CHECK(spec_host.arch_cap);
		return 0;
	case MSR_IA32_SPEC_CTRL:
		CHECK(spec_host.spec_ctrl);
		return 0;
	case MSR_IA32_KERNEL_GS_BASE:
	case MSR_IA32_STAR:
	case MSR_IA32_LSTAR:
	case MSR_IA32_CSTAR:
	case MSR_IA32_FMASK:
	case MSR_IA32_TSC_AUX:
		return 0;
	}
	CHECK(!"RDMSR of an MSR the host does not have");
	return 0;
}

/* WRMSR faults on a reserved bit, a non-canonical address, an MSR the
 * CPU does not have (SDM Vol. 4 per MSR; Vol. 2B WRMSR). */
void wrmsr(uint32_t msr, uint64_t v)
{
	fake_cpu.wrmsr_calls++;
	fake_cpu.last_wrmsr = msr;
	fake_cpu.last_wrmsr_val = v;
	switch (msr) {
	case MSR_IA32_PRED_CMD:
		CHECK(spec_host.pred_cmd && !(v & ~PRED_CMD_IBPB));
		return;
	case MSR_IA32_FLUSH_CMD:
		CHECK(spec_host.flush_cmd && !(v & ~FLUSH_CMD_L1D));
		return;
	case MSR_IA32_SPEC_CTRL:
		CHECK(spec_host.spec_ctrl && !(v & ~spec_host.spec_ctrl_bits));
		return;
	case MSR_IA32_KERNEL_GS_BASE:
	case MSR_IA32_LSTAR:
	case MSR_IA32_CSTAR:
	case MSR_IA32_FS_BASE:
	case MSR_IA32_GS_BASE:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		CHECK(canonical(v));
		return;
	case MSR_IA32_TSC_AUX:
		CHECK(!(v >> 32));
		return;
	case MSR_IA32_STAR:
	case MSR_IA32_FMASK:
		return;
	}
	CHECK(!"WRMSR to an MSR the exit path has no business writing");
}

uint64_t rdtsc(void)
{
	fake_cpu.tsc += 97;
	return fake_cpu.tsc;
}

uint32_t rdtsc32(void)
{
	return (uint32_t)rdtsc();
}

/* No exit handler loads the host's own CR0, CR3 or CR4. */
uint64_t read_cr0(void) { return 0x80050033; }
uint64_t read_cr2(void) { return fake_cpu.cr2; }
uint64_t read_cr3(void) { return 0x1000; }
uint64_t read_cr4(void) { return 0x3726e0; }
void write_cr0(uint64_t v) { (void)v; CHECK(!"write to host CR0"); }
void write_cr2(uint64_t v) { fake_cpu.cr2 = v; }
void write_cr3(uint64_t v) { (void)v; CHECK(!"write to host CR3"); }
void write_cr4(uint64_t v) { (void)v; CHECK(!"write to host CR4"); }

uint64_t read_dr(unsigned i)
{
	return i < 8 ? fake_cpu.dr[i] : 0;
}

/* MOV to DR6/DR7 with a bit of 63:32 set is #GP (SDM Vol. 2B, MOV DR). */
void write_dr(unsigned i, uint64_t val)
{
	CHECK(i < 4 || i == 6);
	if (i == 6)
		CHECK(!(val >> 32));
	fake_cpu.dr[i] = val;
}

uint64_t read_rflags(void) { return 0x2; }
void outb(uint16_t port, uint8_t v) { (void)port; (void)v; CHECK(!"host port I/O"); }
uint8_t inb(uint16_t port) { (void)port; CHECK(!"host port I/O"); return 0; }
void cpu_relax(void) {}
void cli(void) {}
void cpu_halt_forever(void) { CHECK(!"Shale halted its CPU"); abort(); }
void wbinvd(void) { CHECK(!"WBINVD in root mode for a guest"); }

/* XSETBV (SDM Vol. 2D; Vol. 1, 13.3): written out again here, rule by
 * rule, rather than calling arch/x86/xcr0.c, so that a mistake there
 * shows. */
void xsetbv(uint32_t xcr, uint64_t v)
{
	uint64_t avx512 = 7ull << 5, bnd = 3ull << 3, tile = 3ull << 17;

	CHECK(xcr == 0);
	CHECK(v & 1);
	CHECK(!(v & ~fake_cpu.xcr0_supported));
	CHECK(!(v & (1ull << 63)));
	CHECK(!(v & 4) || (v & 2));
	CHECK((v & bnd) == 0 || (v & bnd) == bnd);
	CHECK((v & avx512) == 0 || ((v & avx512) == avx512 && (v & 6) == 6));
	CHECK((v & tile) == 0 || (v & tile) == tile);
	fake_cpu.xcr0 = v;
	fake_cpu.xsetbv_calls++;
}

uint64_t xgetbv(uint32_t xcr)
{
	CHECK(xcr == 0);
	return fake_cpu.xcr0;
}
