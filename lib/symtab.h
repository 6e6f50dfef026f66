/* SPDX-License-Identifier: MIT */
/*
 * The symbol table embedded in shale.efi, so that crash reports name the
 * function behind a host address ("vmx_op_failed+0x4c") without the build's
 * ELF file at hand. tools/mksyms.py writes it from `nm` of the image's
 * first link; the Makefile links it into the second, after all code, and
 * fails the build if a function moved between the two.
 */
#ifndef SHALE_LIB_SYMTAB_H
#define SHALE_LIB_SYMTAB_H

#include <stdint.h>

struct symtab {
	uint32_t count;
	/* count + 1 offsets from the image base, ascending: where each
	 * function starts, then where the code ends. */
	const uint32_t *start;
	/* count names, each ended by a NUL, in the order of start[]. */
	const char *names;
};

/* The function that holds image offset off: its name, with in *delta how
 * far into it off lies. NULL when off is in no function of the table. */
const char *symtab_lookup(const struct symtab *t, uint64_t off,
			  uint32_t *delta);

/* shale.efi's own table (build/gen/symtab.c). Hidden, so that it is
 * reached without the GOT and adds nothing to the image's dynamic symbols,
 * whose hash tables sit before the code. */
extern const struct symtab shale_symtab __attribute__((visibility("hidden")));

#endif
