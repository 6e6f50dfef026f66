/* SPDX-License-Identifier: MIT */
/*
 * The AP start-up code (arch/x86/ap_trampoline.asm) and what CPU 0 writes
 * beside it. A start-up IPI starts an AP in real mode at vector << 12
 * (SDM Vol. 3A, 9.4.4.1 and 11.6.1), so the code is copied to a page below
 * 1 MiB that boot/ reserved from the firmware (AP_TRAMPOLINE_PAGES pages):
 *
 *   page 0   the code, then struct ap_boot_params at AP_PARAMS_OFFSET
 *   page 1   PML4   \
 *   page 2   PDPT    > identity map of the first 1 GiB in 2 MiB pages,
 *   page 3   PD     /  only for the step into long mode
 *
 * An AP goes real mode -> protected mode -> long mode on those tables,
 * then loads Shale's own CR3, CR0 and CR4 and calls params.entry(percpu)
 * on params.stack_top. The offsets below are repeated in the .asm file.
 */
#ifndef SHALE_ARCH_X86_AP_TRAMPOLINE_H
#define SHALE_ARCH_X86_AP_TRAMPOLINE_H

#include <stdint.h>

#define AP_TRAMPOLINE_PAGES 4
#define AP_TRAMPOLINE_MAX 0x9ffff /* below the EBDA and the VGA window */
#define AP_PARAMS_OFFSET 0xf00

/* params.apic_id once an AP has taken the params: no other AP may. */
#define AP_CLAIMED 0xfffffffeu
/* params.apic_id when no AP is being started. */
#define AP_NOBODY 0xffffffffu

struct ap_boot_params {
	uint16_t gdt_limit;  /* 0x00: LGDT operand for the step-up GDT */
	uint32_t gdt_base;   /* 0x02 */
	uint16_t pad0;
	uint32_t far32_off;  /* 0x08: far pointer to the 32-bit code */
	uint16_t far32_sel;  /* 0x0c */
	uint16_t pad1;
	uint32_t far64_off;  /* 0x10: far pointer to the 64-bit code */
	uint16_t far64_sel;  /* 0x14 */
	uint16_t pad2;
	uint32_t tmp_cr3;    /* 0x18: the PML4 in page 1 */
	uint32_t efer;       /* 0x1c: LME and the BSP's NXE, SCE */
	uint64_t host_cr3;   /* 0x20 */
	uint64_t host_cr4;   /* 0x28 */
	uint64_t host_cr0;   /* 0x30 */
	uint64_t stack_top;  /* 0x38 */
	uint64_t percpu;     /* 0x40: the argument of entry */
	uint64_t entry;      /* 0x48: void entry(struct percpu *) */
	uint32_t apic_id;    /* 0x50: the AP these params are for */
	uint32_t pad3;
	uint64_t gdt[4];     /* 0x58: null, code32, data, code64 */
} __attribute__((packed));

_Static_assert(__builtin_offsetof(struct ap_boot_params, far32_off) == 0x08, "asm offset");
_Static_assert(__builtin_offsetof(struct ap_boot_params, far64_off) == 0x10, "asm offset");
_Static_assert(__builtin_offsetof(struct ap_boot_params, tmp_cr3) == 0x18, "asm offset");
_Static_assert(__builtin_offsetof(struct ap_boot_params, efer) == 0x1c, "asm offset");
_Static_assert(__builtin_offsetof(struct ap_boot_params, host_cr3) == 0x20, "asm offset");
_Static_assert(__builtin_offsetof(struct ap_boot_params, host_cr4) == 0x28, "asm offset");
_Static_assert(__builtin_offsetof(struct ap_boot_params, host_cr0) == 0x30, "asm offset");
_Static_assert(__builtin_offsetof(struct ap_boot_params, stack_top) == 0x38, "asm offset");
_Static_assert(__builtin_offsetof(struct ap_boot_params, percpu) == 0x40, "asm offset");
_Static_assert(__builtin_offsetof(struct ap_boot_params, entry) == 0x48, "asm offset");
_Static_assert(__builtin_offsetof(struct ap_boot_params, apic_id) == 0x50, "asm offset");
_Static_assert(__builtin_offsetof(struct ap_boot_params, gdt) == 0x58, "asm offset");

/* The code to copy (arch/x86/ap_trampoline.asm); position independent. */
extern const char ap_trampoline_start[], ap_trampoline_end[];
/* Offsets into it, for the far pointers. */
extern const char ap_trampoline_pm32[], ap_trampoline_lm64[];

#endif
