/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for the MMIO instruction decoder (arch/x86/decode.c).
 *
 * Every encoding below was derived from the SDM Vol. 2 opcode maps and
 * checked against nasm/objdump. Each good case is also fed back with every
 * shorter prefix of its bytes (must be "truncated") and with trailing junk
 * (must decode identically), so the length logic is tested at every byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "arch/x86/decode.h"

struct decode_case {
	const char *name;
	enum decode_mode mode;
	size_t n;
	uint8_t bytes[DECODE_MAX_INSN_LEN + 1];
	struct mmio_insn want;
};

#define BYTES(...)	.bytes = { __VA_ARGS__ }, .n = sizeof((uint8_t[]){ __VA_ARGS__ })
#define M16		DECODE_MODE_16
#define M32		DECODE_MODE_32
#define M64		DECODE_MODE_64

/* Expected results, by shape of the instruction. */
#define STORE(l, s, r) \
	.want = { .length = (l), .size = (s), .is_write = true, .src = MMIO_SRC_REG, .reg = (r) }
#define STORE_H8(l, r) \
	.want = { .length = (l), .size = 1, .is_write = true, .reg = (r), .reg_high8 = true }
#define STORE_IMM(l, s, i) \
	.want = { .length = (l), .size = (s), .is_write = true, .src = MMIO_SRC_IMM, .imm = (i) }
#define LOAD(l, s, r) \
	.want = { .length = (l), .size = (s), .reg = (r), .dest_size = (s) }
#define LOAD_H8(l, r) \
	.want = { .length = (l), .size = 1, .reg = (r), .reg_high8 = true, .dest_size = 1 }
#define LOAD_X(l, s, r, d, sx) \
	.want = { .length = (l), .size = (s), .reg = (r), .dest_size = (d), .sign_extend = (sx) }

#define DISP32	0x78, 0x56, 0x34, 0x12
#define MOFFS64	0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00

static const struct decode_case mov_cases[] = {
	/* 88 /r: MOV r/m8, r8 */
	{ "mov [rax],cl", M64, BYTES(0x88, 0x08), STORE(2, 1, 1) },
	{ "mov [rax],ah", M64, BYTES(0x88, 0x20), STORE_H8(2, 0) },
	{ "mov [rax],bh", M64, BYTES(0x88, 0x38), STORE_H8(2, 3) },
	{ "mov [rax],spl", M64, BYTES(0x40, 0x88, 0x20), STORE(3, 1, 4) },
	{ "mov [rax],r8b", M64, BYTES(0x44, 0x88, 0x00), STORE(3, 1, 8) },
	{ "mov [rbx+rcx*2+0x10],dil", M64, BYTES(0x40, 0x88, 0x7c, 0x4b, 0x10), STORE(5, 1, 7) },
	{ "mov [ebx],ch (32)", M32, BYTES(0x88, 0x2b), STORE_H8(2, 1) },
	{ "mov [bx+si],dl (16)", M16, BYTES(0x88, 0x10), STORE(2, 1, 2) },
	/* 89 /r: MOV r/m, r */
	{ "mov [rbx],eax", M64, BYTES(0x89, 0x03), STORE(2, 4, 0) },
	{ "mov [rbx],rax", M64, BYTES(0x48, 0x89, 0x03), STORE(3, 8, 0) },
	{ "mov [rbx],ax", M64, BYTES(0x66, 0x89, 0x03), STORE(3, 2, 0) },
	{ "66 REX.W: REX.W wins", M64, BYTES(0x66, 0x48, 0x89, 0x03), STORE(4, 8, 0) },
	{ "REX before 66 is ignored", M64, BYTES(0x48, 0x66, 0x89, 0x03), STORE(4, 2, 0) },
	{ "only the last REX counts", M64, BYTES(0x4c, 0x40, 0x89, 0x03), STORE(4, 4, 0) },
	{ "mov [rsp+8],r9", M64, BYTES(0x4c, 0x89, 0x4c, 0x24, 0x08), STORE(5, 8, 9) },
	{ "mov [0x12345678],eax (SIB no base)", M64, BYTES(0x89, 0x04, 0x25, DISP32), STORE(7, 4, 0) },
	{ "mov [rip+d32],eax", M64, BYTES(0x89, 0x05, DISP32), STORE(6, 4, 0) },
	{ "mov [rax+rcx*4+d32],eax", M64, BYTES(0x89, 0x84, 0x88, DISP32), STORE(7, 4, 0) },
	{ "mov [r13+0],eax (REX.B no disp32)", M64, BYTES(0x41, 0x89, 0x45, 0x00), STORE(4, 4, 0) },
	{ "mov [r12],eax (REX.B still SIB)", M64, BYTES(0x41, 0x89, 0x04, 0x24), STORE(4, 4, 0) },
	{ "mov [r13*1+d32],eax", M64, BYTES(0x42, 0x89, 0x04, 0x2d, DISP32), STORE(8, 4, 0) },
	{ "mov [r15+r14*8-1],r15", M64, BYTES(0x4f, 0x89, 0x7c, 0xf7, 0xff), STORE(5, 8, 15) },
	{ "gs: mov [rbx],eax", M64, BYTES(0x65, 0x89, 0x03), STORE(3, 4, 0) },
	{ "mov [ebx],eax (67)", M64, BYTES(0x67, 0x89, 0x03), STORE(3, 4, 0) },
	{ "mov [eip+d32],eax (67)", M64, BYTES(0x67, 0x89, 0x05, DISP32), STORE(7, 4, 0) },
	{ "lock/rep prefixes skipped", M64, BYTES(0xf0, 0xf3, 0x89, 0x03), STORE(4, 4, 0) },
	{ "mov [ebx],eax (32)", M32, BYTES(0x89, 0x03), STORE(2, 4, 0) },
	{ "mov [ebx],ax (32)", M32, BYTES(0x66, 0x89, 0x03), STORE(3, 2, 0) },
	{ "mov [d32],eax (32, absolute)", M32, BYTES(0x89, 0x05, DISP32), STORE(6, 4, 0) },
	{ "mov [esp+4],esi (32)", M32, BYTES(0x89, 0x74, 0x24, 0x04), STORE(4, 4, 6) },
	{ "mov [ebp+d32],edi (32)", M32, BYTES(0x89, 0xbd, DISP32), STORE(6, 4, 7) },
	{ "mov [bx],eax (32, 67)", M32, BYTES(0x67, 0x89, 0x07), STORE(3, 4, 0) },
	{ "mov [d16],eax (32, 67)", M32, BYTES(0x67, 0x89, 0x06, 0x34, 0x12), STORE(5, 4, 0) },
	{ "cs: mov [ebx],eax (32)", M32, BYTES(0x2e, 0x89, 0x03), STORE(3, 4, 0) },
	{ "fs: a16 o16 mov [bx],ax (32)", M32, BYTES(0x64, 0x67, 0x66, 0x89, 0x07), STORE(5, 2, 0) },
	{ "mov [bx],ax (16)", M16, BYTES(0x89, 0x07), STORE(2, 2, 0) },
	{ "mov [bx],eax (16, 66)", M16, BYTES(0x66, 0x89, 0x07), STORE(3, 4, 0) },
	{ "mov [d16],cx (16)", M16, BYTES(0x89, 0x0e, 0x34, 0x12), STORE(4, 2, 1) },
	{ "mov [bp+0],ax (16)", M16, BYTES(0x89, 0x46, 0x00), STORE(3, 2, 0) },
	{ "mov [bx+si+8],ax (16)", M16, BYTES(0x89, 0x40, 0x08), STORE(3, 2, 0) },
	{ "mov [bx+si+d16],ax (16)", M16, BYTES(0x89, 0x80, 0x00, 0x10), STORE(4, 2, 0) },
	{ "mov [esp],ax (16, 67 SIB)", M16, BYTES(0x67, 0x89, 0x04, 0x24), STORE(4, 2, 0) },
	{ "mov [d32],ax (16, 67)", M16, BYTES(0x67, 0x89, 0x05, DISP32), STORE(7, 2, 0) },
	/* 8A /r: MOV r8, r/m8 */
	{ "mov al,[rdi]", M64, BYTES(0x8a, 0x07), LOAD(2, 1, 0) },
	{ "mov bh,[rsi]", M64, BYTES(0x8a, 0x3e), LOAD_H8(2, 3) },
	{ "mov r15b,[r14]", M64, BYTES(0x45, 0x8a, 0x3e), LOAD(3, 1, 15) },
	{ "mov sil,[rip+d32]", M64, BYTES(0x40, 0x8a, 0x35, DISP32), LOAD(7, 1, 6) },
	{ "mov ah,[d32] (32)", M32, BYTES(0x8a, 0x25, DISP32), LOAD_H8(6, 0) },
	{ "mov ah,[d16] (16)", M16, BYTES(0x8a, 0x26, 0x00, 0x10), LOAD_H8(4, 0) },
	/* 8B /r: MOV r, r/m */
	{ "mov eax,[rsi]", M64, BYTES(0x8b, 0x06), LOAD(2, 4, 0) },
	{ "mov rax,[rsi]", M64, BYTES(0x48, 0x8b, 0x06), LOAD(3, 8, 0) },
	{ "mov ax,[rsi]", M64, BYTES(0x66, 0x8b, 0x06), LOAD(3, 2, 0) },
	{ "mov r11,[rip+d32]", M64, BYTES(0x4c, 0x8b, 0x1d, DISP32), LOAD(7, 8, 11) },
	{ "mov r10d,[rdx+0x40]", M64, BYTES(0x44, 0x8b, 0x52, 0x40), LOAD(4, 4, 10) },
	{ "mov edx,[ecx+eax*8+d32] (32)", M32, BYTES(0x8b, 0x94, 0xc1, DISP32), LOAD(7, 4, 2) },
	{ "mov dx,[bx+di] (16)", M16, BYTES(0x8b, 0x11), LOAD(2, 2, 2) },
	{ "mov esp,[bp+si-2] (16, 66)", M16, BYTES(0x66, 0x8b, 0x62, 0xfe), LOAD(4, 4, 4) },
};

static const struct decode_case imm_cases[] = {
	/* C6 /0 ib, C7 /0 iw/id */
	{ "mov byte [rax],0xff", M64, BYTES(0xc6, 0x00, 0xff), STORE_IMM(3, 1, 0xff) },
	{ "mov byte [rax+0x10],0x7f", M64, BYTES(0xc6, 0x40, 0x10, 0x7f), STORE_IMM(4, 1, 0x7f) },
	{ "mov byte [r8],1 (REX.W ignored for C6)", M64, BYTES(0x49, 0xc6, 0x00, 0x01), STORE_IMM(4, 1, 1) },
	{ "mov dword [rax],imm32", M64, BYTES(0xc7, 0x00, DISP32), STORE_IMM(6, 4, 0x12345678) },
	{ "mov word [rax],imm16", M64, BYTES(0x66, 0xc7, 0x00, 0x34, 0x12), STORE_IMM(5, 2, 0x1234) },
	{ "mov qword [rax],-1", M64, BYTES(0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff),
	  STORE_IMM(7, 8, 0xffffffffffffffffULL) },
	{ "mov qword [rax],imm32 min", M64, BYTES(0x48, 0xc7, 0x00, 0x00, 0x00, 0x00, 0x80),
	  STORE_IMM(7, 8, 0xffffffff80000000ULL) },
	{ "mov qword [rax],imm32 max", M64, BYTES(0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0x7f),
	  STORE_IMM(7, 8, 0x7fffffffULL) },
	{ "mov dword [rax],0x80000000 (no sext)", M64, BYTES(0xc7, 0x00, 0x00, 0x00, 0x00, 0x80),
	  STORE_IMM(6, 4, 0x80000000ULL) },
	{ "mov dword [rip+d32],imm32", M64, BYTES(0xc7, 0x05, DISP32, 0xef, 0xbe, 0xad, 0xde),
	  STORE_IMM(10, 4, 0xdeadbeef) },
	{ "mov qword [rsp+0x100],1", M64,
	  BYTES(0x48, 0xc7, 0x84, 0x24, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00),
	  STORE_IMM(12, 8, 1) },
	{ "gs: mov qword [r13*1+d32],imm32", M64,
	  BYTES(0x65, 0x4a, 0xc7, 0x04, 0x2d, DISP32, 0xfe, 0xff, 0xff, 0xff),
	  STORE_IMM(13, 8, 0xfffffffffffffffeULL) },
	{ "mov dword [d32],imm32 (32)", M32, BYTES(0xc7, 0x05, DISP32, 0x01, 0x00, 0x00, 0x00),
	  STORE_IMM(10, 4, 1) },
	{ "mov word [d32],imm16 (32)", M32, BYTES(0x66, 0xc7, 0x05, DISP32, 0xcd, 0xab),
	  STORE_IMM(9, 2, 0xabcd) },
	{ "mov byte [esp+4],0x80 (32)", M32, BYTES(0xc6, 0x44, 0x24, 0x04, 0x80), STORE_IMM(5, 1, 0x80) },
	{ "mov byte [d16],0xab (16)", M16, BYTES(0xc6, 0x06, 0x34, 0x12, 0xab), STORE_IMM(5, 1, 0xab) },
	{ "mov word [d16],0xabcd (16)", M16, BYTES(0xc7, 0x06, 0x34, 0x12, 0xcd, 0xab),
	  STORE_IMM(6, 2, 0xabcd) },
	{ "mov dword [d16],imm32 (16)", M16, BYTES(0x66, 0xc7, 0x06, 0x34, 0x12, DISP32),
	  STORE_IMM(9, 4, 0x12345678) },
	{ "mov word [bp+si+d16],7 (16)", M16, BYTES(0xc7, 0x82, 0x00, 0x02, 0x07, 0x00),
	  STORE_IMM(6, 2, 7) },
};

static const struct decode_case moffs_cases[] = {
	/* A0..A3: offset is address-sized */
	{ "mov al,[moffs64]", M64, BYTES(0xa0, MOFFS64), LOAD(9, 1, 0) },
	{ "mov eax,[moffs64]", M64, BYTES(0xa1, MOFFS64), LOAD(9, 4, 0) },
	{ "mov rax,[moffs64]", M64, BYTES(0x48, 0xa1, MOFFS64), LOAD(10, 8, 0) },
	{ "mov [moffs64],al", M64, BYTES(0xa2, MOFFS64), STORE(9, 1, 0) },
	{ "mov [moffs64],rax", M64, BYTES(0x48, 0xa3, MOFFS64), STORE(10, 8, 0) },
	{ "mov [moffs64],ax", M64, BYTES(0x66, 0xa3, MOFFS64), STORE(10, 2, 0) },
	{ "mov [moffs32],al (64, 67)", M64, BYTES(0x67, 0xa2, DISP32), STORE(6, 1, 0) },
	{ "mov rax,[moffs32] (64, 67)", M64, BYTES(0x67, 0x48, 0xa1, DISP32), LOAD(7, 8, 0) },
	{ "mov eax,[moffs32] (32)", M32, BYTES(0xa1, DISP32), LOAD(5, 4, 0) },
	{ "mov [moffs32],ax (32)", M32, BYTES(0x66, 0xa3, DISP32), STORE(6, 2, 0) },
	{ "mov eax,[moffs16] (32, 67)", M32, BYTES(0x67, 0xa1, 0x00, 0x10), LOAD(4, 4, 0) },
	{ "mov al,[moffs16] (16)", M16, BYTES(0xa0, 0x00, 0x10), LOAD(3, 1, 0) },
	{ "mov ax,[moffs16] (16)", M16, BYTES(0xa1, 0x00, 0x10), LOAD(3, 2, 0) },
	{ "mov [moffs16],eax (16, 66)", M16, BYTES(0x66, 0xa3, 0x00, 0x10), STORE(4, 4, 0) },
	{ "mov ax,[moffs32] (16, 67)", M16, BYTES(0x67, 0xa1, DISP32), LOAD(6, 2, 0) },
};

static const struct decode_case widen_cases[] = {
	/* 0F B6/B7 MOVZX, 0F BE/BF MOVSX, 63 MOVSXD, 0F C3 MOVNTI */
	{ "movzx eax,byte [rsi]", M64, BYTES(0x0f, 0xb6, 0x06), LOAD_X(3, 1, 0, 4, false) },
	{ "movzx rax,byte [rsi]", M64, BYTES(0x48, 0x0f, 0xb6, 0x06), LOAD_X(4, 1, 0, 8, false) },
	{ "movzx ax,byte [rsi]", M64, BYTES(0x66, 0x0f, 0xb6, 0x06), LOAD_X(4, 1, 0, 2, false) },
	{ "movzx esp,byte [rsi] (not high8)", M64, BYTES(0x0f, 0xb6, 0x26), LOAD_X(3, 1, 4, 4, false) },
	{ "movzx eax,word [rsi]", M64, BYTES(0x0f, 0xb7, 0x06), LOAD_X(3, 2, 0, 4, false) },
	{ "movzx r12d,word [rip+d32]", M64, BYTES(0x44, 0x0f, 0xb7, 0x25, DISP32),
	  LOAD_X(8, 2, 12, 4, false) },
	{ "movsx eax,byte [rsi]", M64, BYTES(0x0f, 0xbe, 0x06), LOAD_X(3, 1, 0, 4, true) },
	{ "movsx r8,word [rsi]", M64, BYTES(0x4c, 0x0f, 0xbf, 0x06), LOAD_X(4, 2, 8, 8, true) },
	{ "movsx rcx,byte [rax+rbx*1]", M64, BYTES(0x48, 0x0f, 0xbe, 0x0c, 0x18), LOAD_X(5, 1, 1, 8, true) },
	{ "movsxd rax,dword [rsi]", M64, BYTES(0x48, 0x63, 0x06), LOAD_X(3, 4, 0, 8, true) },
	{ "movsxd r9,dword [rbp+8]", M64, BYTES(0x4c, 0x63, 0x4d, 0x08), LOAD_X(4, 4, 9, 8, true) },
	{ "movsxd eax,dword [rsi] (no REX.W)", M64, BYTES(0x63, 0x06), LOAD_X(2, 4, 0, 4, false) },
	{ "movzx edx,byte [d32] (32)", M32, BYTES(0x0f, 0xb6, 0x15, DISP32), LOAD_X(7, 1, 2, 4, false) },
	{ "movsx ax,word [ebx] (32, 66)", M32, BYTES(0x66, 0x0f, 0xbf, 0x03), LOAD_X(4, 2, 0, 2, true) },
	{ "movzx ax,byte [bx] (16)", M16, BYTES(0x0f, 0xb6, 0x07), LOAD_X(3, 1, 0, 2, false) },
	{ "movsx eax,byte [bx] (16, 66)", M16, BYTES(0x66, 0x0f, 0xbe, 0x07), LOAD_X(4, 1, 0, 4, true) },
	{ "movzx eax,word [d16] (16, 66)", M16, BYTES(0x66, 0x0f, 0xb7, 0x06, 0x00, 0x10),
	  LOAD_X(6, 2, 0, 4, false) },
	{ "movnti [rsi],eax", M64, BYTES(0x0f, 0xc3, 0x06), STORE(3, 4, 0) },
	{ "movnti [rsi],rax", M64, BYTES(0x48, 0x0f, 0xc3, 0x06), STORE(4, 8, 0) },
	{ "movnti [rsp],r8", M64, BYTES(0x4c, 0x0f, 0xc3, 0x04, 0x24), STORE(5, 8, 8) },
	{ "movnti [ebx],eax (32)", M32, BYTES(0x0f, 0xc3, 0x03), STORE(3, 4, 0) },
	{ "movnti [bx],eax (16)", M16, BYTES(0x0f, 0xc3, 0x07), STORE(3, 4, 0) },
};

/* Fail with the case name and field if decode_mmio's result differs from @want. */
static void check_insn(const char *name, const struct mmio_insn *got,
		       const struct mmio_insn *want)
{
#define CHECK_FIELD(f)							\
	do {								\
		if ((uint64_t)got->f != (uint64_t)want->f)		\
			fail_msg("%s: " #f " = %#llx, want %#llx", name,\
				 (unsigned long long)got->f,		\
				 (unsigned long long)want->f);		\
	} while (0)
	CHECK_FIELD(length);
	CHECK_FIELD(size);
	CHECK_FIELD(is_write);
	CHECK_FIELD(src);
	CHECK_FIELD(reg);
	CHECK_FIELD(reg_high8);
	CHECK_FIELD(imm);
	CHECK_FIELD(dest_size);
	CHECK_FIELD(sign_extend);
#undef CHECK_FIELD
}

/*
 * Decode each case exactly, with trailing junk, and cut short at every
 * byte: the full decode must match, junk must not change it, and every
 * shorter buffer must say "truncated" rather than guess.
 */
static void run_cases(const struct decode_case *cases, size_t count)
{
	uint8_t buf[32];
	struct mmio_insn got;
	size_t i, k;
	int rc;

	for (i = 0; i < count; i++) {
		const struct decode_case *c = &cases[i];

		assert_true(c->n == c->want.length);
		rc = decode_mmio(c->bytes, c->n, c->mode, &got);
		if (rc)
			fail_msg("%s: rc %d (%s)", c->name, rc, decode_strerror(rc));
		check_insn(c->name, &got, &c->want);

		memset(buf, 0x90, sizeof(buf));
		memcpy(buf, c->bytes, c->n);
		rc = decode_mmio(buf, sizeof(buf), c->mode, &got);
		if (rc)
			fail_msg("%s + junk: rc %d", c->name, rc);
		check_insn(c->name, &got, &c->want);

		for (k = 0; k < c->n; k++) {
			rc = decode_mmio(c->bytes, k, c->mode, &got);
			if (rc != DECODE_ERR_TRUNCATED)
				fail_msg("%s cut to %zu bytes: rc %d", c->name, k, rc);
		}
	}
}

static void test_mov_reg(void **state)
{
	(void)state;
	run_cases(mov_cases, sizeof(mov_cases) / sizeof(mov_cases[0]));
}

static void test_mov_imm(void **state)
{
	(void)state;
	run_cases(imm_cases, sizeof(imm_cases) / sizeof(imm_cases[0]));
}

static void test_mov_moffs(void **state)
{
	(void)state;
	run_cases(moffs_cases, sizeof(moffs_cases) / sizeof(moffs_cases[0]));
}

static void test_movzx_movsx_movnti(void **state)
{
	(void)state;
	run_cases(widen_cases, sizeof(widen_cases) / sizeof(widen_cases[0]));
}

struct bad_case {
	const char *name;
	enum decode_mode mode;
	size_t n;
	uint8_t bytes[DECODE_MAX_INSN_LEN + 1];
};

static const struct bad_case unsupported_cases[] = {
	{ "add [rbx],eax", M64, BYTES(0x01, 0x03) },
	{ "ud2", M64, BYTES(0x0f, 0x0b, 0x00) },
	{ "hlt", M64, BYTES(0xf4) },
	{ "mov ebx,eax (mod=11)", M64, BYTES(0x89, 0xc3) },
	{ "mov eax,ebx (mod=11)", M64, BYTES(0x8b, 0xc3) },
	{ "mov al,bl (mod=11)", M64, BYTES(0x88, 0xd8) },
	{ "mov eax,imm (C7 mod=11)", M64, BYTES(0xc7, 0xc0, 0x01, 0x00, 0x00, 0x00) },
	{ "movzx eax,al (mod=11)", M64, BYTES(0x0f, 0xb6, 0xc0) },
	{ "movsxd rax,eax (mod=11)", M64, BYTES(0x48, 0x63, 0xc0) },
	{ "C6 /1 (not MOV)", M64, BYTES(0xc6, 0x08, 0x00) },
	{ "C7 /7 (not MOV)", M64, BYTES(0xc7, 0x38, 0x00, 0x00, 0x00, 0x00) },
	{ "mov [rbx],es (8C)", M64, BYTES(0x8c, 0x03) },
	{ "movs (A4)", M64, BYTES(0xa4) },
	{ "66 movnti (#UD)", M64, BYTES(0x66, 0x0f, 0xc3, 0x06) },
	{ "f3 movnti (#UD)", M64, BYTES(0xf3, 0x0f, 0xc3, 0x06) },
	{ "dec eax (48 in 32-bit)", M32, BYTES(0x48, 0x89, 0x03) },
	{ "inc ax (40 in 16-bit)", M16, BYTES(0x40, 0x88, 0x20) },
	{ "arpl (63 in 32-bit)", M32, BYTES(0x63, 0x06) },
	{ "REX then nothing valid", M64, BYTES(0x48, 0x01, 0x03) },
	{ "16 bytes: 14 prefixes + mov", M64,
	  BYTES(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x66, 0x66, 0x66, 0x89, 0x03) },
	{ "15 prefixes, no opcode", M64,
	  BYTES(0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e,
		0x2e, 0x2e, 0x2e, 0x2e, 0x2e) },
	{ "16 bytes: prefixes + mov imm32", M64,
	  BYTES(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x48, 0xc7, 0x04, 0x25,
		DISP32, 0x01) },
};

/* Everything that is not a memory MOV we emulate is refused, in every mode. */
static void test_unsupported(void **state)
{
	struct mmio_insn got = { .length = 0xaa };
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(unsupported_cases) / sizeof(unsupported_cases[0]); i++) {
		const struct bad_case *c = &unsupported_cases[i];

		rc = decode_mmio(c->bytes, c->n, c->mode, &got);
		if (rc != DECODE_ERR_UNSUPPORTED)
			fail_msg("%s: rc %d, want unsupported", c->name, rc);
	}
	/* *out is left alone on failure. */
	assert_int_equal(got.length, 0xaa);
	assert_int_equal(decode_mmio(unsupported_cases[0].bytes, 2, (enum decode_mode)7, &got),
			 DECODE_ERR_UNSUPPORTED);
	assert_int_equal(decode_mmio(NULL, 2, M64, &got), DECODE_ERR_UNSUPPORTED);
	assert_int_equal(decode_mmio(unsupported_cases[0].bytes, 2, M64, NULL),
			 DECODE_ERR_UNSUPPORTED);
}

/* Exactly 15 bytes is legal; truncation is reported before the 15-byte limit. */
static void test_length_limit(void **state)
{
	static const uint8_t fifteen[] = {
		0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x66, 0x66, 0x89, 0x03,
	};
	static const uint8_t imm15[] = {
		0x66, 0x66, 0x66, 0x48, 0xc7, 0x84, 0x24, 0x00, 0x01, 0x00, 0x00,
		0x01, 0x00, 0x00, 0x00,
	};
	struct mmio_insn got;

	(void)state;
	assert_int_equal(decode_mmio(fifteen, sizeof(fifteen), M64, &got), 0);
	assert_int_equal(got.length, 15);
	assert_int_equal(got.size, 2);
	assert_int_equal(decode_mmio(imm15, sizeof(imm15), M64, &got), 0);
	assert_int_equal(got.length, 15);
	assert_int_equal(got.size, 8);
	assert_int_equal(decode_mmio(imm15, 14, M64, &got), DECODE_ERR_TRUNCATED);
	assert_int_equal(decode_mmio(fifteen, 0, M64, &got), DECODE_ERR_TRUNCATED);
}

/* Decode @bytes (must succeed) so load/store tests start from real encodings. */
static struct mmio_insn decode_or_fail(const uint8_t *bytes, size_t n, enum decode_mode mode)
{
	struct mmio_insn insn;

	assert_int_equal(decode_mmio(bytes, n, mode, &insn), 0);
	assert_int_equal(insn.length, n);
	return insn;
}

#define DECODE(mode, ...) \
	decode_or_fail((const uint8_t[]){ __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }), mode)

#define REG_IMAGE	0x1122334455667788ULL

static void test_apply_load(void **state)
{
	struct mmio_insn insn;
	uint64_t r;

	(void)state;
	/* mov al,[rdi]: 8-bit write keeps bits 63:8, junk above size ignored */
	insn = DECODE(M64, 0x8a, 0x07);
	r = REG_IMAGE;
	decode_apply_load(&insn, &r, 0xffab);
	assert_int_equal(r, 0x11223344556677abULL);

	/* mov bh,[rsi]: writes bits 15:8 only */
	insn = DECODE(M64, 0x8a, 0x3e);
	r = REG_IMAGE;
	decode_apply_load(&insn, &r, 0xab);
	assert_int_equal(r, 0x112233445566ab88ULL);

	/* mov ax,[rsi]: 16-bit write keeps bits 63:16 */
	insn = DECODE(M64, 0x66, 0x8b, 0x06);
	r = REG_IMAGE;
	decode_apply_load(&insn, &r, 0x1234abcd);
	assert_int_equal(r, 0x112233445566abcdULL);

	/* mov eax,[rsi]: 32-bit write zeroes bits 63:32 */
	insn = DECODE(M64, 0x8b, 0x06);
	r = REG_IMAGE;
	decode_apply_load(&insn, &r, 0xdeadbeef);
	assert_int_equal(r, 0xdeadbeefULL);

	/* mov rax,[rsi]: whole register */
	insn = DECODE(M64, 0x48, 0x8b, 0x06);
	r = REG_IMAGE;
	decode_apply_load(&insn, &r, 0xfedcba9876543210ULL);
	assert_int_equal(r, 0xfedcba9876543210ULL);

	/* movzx eax,byte: zero-extended, upper half cleared */
	insn = DECODE(M64, 0x0f, 0xb6, 0x06);
	r = REG_IMAGE;
	decode_apply_load(&insn, &r, 0x80);
	assert_int_equal(r, 0x80ULL);

	/* movzx ax,byte: 16-bit destination keeps bits 63:16 */
	insn = DECODE(M64, 0x66, 0x0f, 0xb6, 0x06);
	r = REG_IMAGE;
	decode_apply_load(&insn, &r, 0xf0);
	assert_int_equal(r, 0x11223344556600f0ULL);

	/* movsx rcx,byte */
	insn = DECODE(M64, 0x48, 0x0f, 0xbe, 0x0c, 0x18);
	r = REG_IMAGE;
	decode_apply_load(&insn, &r, 0x80);
	assert_int_equal(r, 0xffffffffffffff80ULL);

	/* movsx eax,byte: sign-extended to 32, then zero-extended to 64 */
	insn = DECODE(M64, 0x0f, 0xbe, 0x06);
	r = REG_IMAGE;
	decode_apply_load(&insn, &r, 0x80);
	assert_int_equal(r, 0xffffff80ULL);
	decode_apply_load(&insn, &r, 0x7f);
	assert_int_equal(r, 0x7fULL);

	/* movsx ax,byte (66): sign fills bits 15:8 only */
	insn = DECODE(M64, 0x66, 0x0f, 0xbe, 0x06);
	r = REG_IMAGE;
	decode_apply_load(&insn, &r, 0x9c);
	assert_int_equal(r, 0x112233445566ff9cULL);

	/* movsx r8,word */
	insn = DECODE(M64, 0x4c, 0x0f, 0xbf, 0x06);
	r = 0;
	decode_apply_load(&insn, &r, 0x8001);
	assert_int_equal(r, 0xffffffffffff8001ULL);

	/* movsxd rax,dword */
	insn = DECODE(M64, 0x48, 0x63, 0x06);
	r = REG_IMAGE;
	decode_apply_load(&insn, &r, 0x80000000);
	assert_int_equal(r, 0xffffffff80000000ULL);
	decode_apply_load(&insn, &r, 0x7fffffff);
	assert_int_equal(r, 0x7fffffffULL);

	/* movsxd eax,dword without REX.W: a plain 32-bit load */
	insn = DECODE(M64, 0x63, 0x06);
	r = REG_IMAGE;
	decode_apply_load(&insn, &r, 0x80000000);
	assert_int_equal(r, 0x80000000ULL);

	/* mov eax,[moffs32] in 32-bit mode: same zero-extension, harmless */
	insn = DECODE(M32, 0xa1, 0x00, 0x10, 0x00, 0x00);
	r = REG_IMAGE;
	decode_apply_load(&insn, &r, 0xcafef00d);
	assert_int_equal(r, 0xcafef00dULL);
}

static void test_store_value(void **state)
{
	struct mmio_insn insn;

	(void)state;
	insn = DECODE(M64, 0x88, 0x08);				/* mov [rax],cl */
	assert_int_equal(decode_store_value(&insn, REG_IMAGE), 0x88);
	insn = DECODE(M64, 0x88, 0x20);				/* mov [rax],ah */
	assert_int_equal(decode_store_value(&insn, REG_IMAGE), 0x77);
	insn = DECODE(M64, 0x66, 0x89, 0x03);			/* mov [rbx],ax */
	assert_int_equal(decode_store_value(&insn, REG_IMAGE), 0x7788);
	insn = DECODE(M64, 0x89, 0x03);				/* mov [rbx],eax */
	assert_int_equal(decode_store_value(&insn, REG_IMAGE), 0x55667788);
	insn = DECODE(M64, 0x48, 0x89, 0x03);			/* mov [rbx],rax */
	assert_int_equal(decode_store_value(&insn, REG_IMAGE), REG_IMAGE);
	insn = DECODE(M64, 0x48, 0x0f, 0xc3, 0x06);		/* movnti [rsi],rax */
	assert_int_equal(decode_store_value(&insn, REG_IMAGE), REG_IMAGE);

	/* Immediates ignore the register image. */
	insn = DECODE(M64, 0xc6, 0x00, 0xff);
	assert_int_equal(decode_store_value(&insn, REG_IMAGE), 0xff);
	insn = DECODE(M64, 0x66, 0xc7, 0x00, 0x34, 0x12);
	assert_int_equal(decode_store_value(&insn, REG_IMAGE), 0x1234);
	insn = DECODE(M64, 0x48, 0xc7, 0x00, 0xfe, 0xff, 0xff, 0xff);
	assert_int_equal(decode_store_value(&insn, REG_IMAGE), 0xfffffffffffffffeULL);
	insn = DECODE(M16, 0xc7, 0x06, 0x34, 0x12, 0xcd, 0xab);
	assert_int_equal(decode_store_value(&insn, 0), 0xabcd);
}

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(decode_strerror(0), "ok");
	assert_non_null(strstr(decode_strerror(DECODE_ERR_TRUNCATED), "truncated"));
	assert_non_null(strstr(decode_strerror(DECODE_ERR_UNSUPPORTED), "not supported"));
	assert_non_null(decode_strerror(-99));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mov_reg),
		cmocka_unit_test(test_mov_imm),
		cmocka_unit_test(test_mov_moffs),
		cmocka_unit_test(test_movzx_movsx_movnti),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_length_limit),
		cmocka_unit_test(test_apply_load),
		cmocka_unit_test(test_store_value),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
