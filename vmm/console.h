/* SPDX-License-Identifier: MIT */
/*
 * The one serial console, shared: every guest's output reaches it line by
 * line with the guest's name in front, and what the person types goes to
 * one guest at a time, chosen with the Ctrl-A prefix (docs/console.md).
 */
#ifndef SHALE_VMM_CONSOLE_H
#define SHALE_VMM_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#define CONSOLE_OUT_RING 16384 /* per guest; a power of two */
#define CONSOLE_IN_RING 256
#define CONSOLE_LINE_MAX 160  /* longer lines are split */
#define CONSOLE_PREFIX_KEY 0x01 /* Ctrl-A */

struct console_out {
	char buf[CONSOLE_OUT_RING];
	uint32_t head;     /* bytes written */
	uint32_t tail;     /* bytes sent to the host console */
	uint64_t dropped;  /* bytes lost because the ring was full */
	uint64_t dropped_reported;
};

struct console_in {
	uint8_t buf[CONSOLE_IN_RING];
	uint32_t head, tail;
	uint64_t dropped;
};

struct vm;

/* Guest output: buffered, never blocks, drops (and counts) when full. */
void console_guest_write(struct vm *vm, const char *s, uint64_t len);
/* Move buffered guest output to the host console, whole lines first, the
 * guests in turn so that none can crowd out another. Returns true while
 * something is left. */
bool console_drain(void);
/* Everything left, partial lines too: before a report, or at the end. */
void console_flush(struct vm *vm);
/* Read what the person typed and act on it: keys for the focused guest,
 * or Ctrl-A commands. */
void console_poll_input(void);
/* Bytes typed for this guest; returns how many were copied. */
unsigned console_guest_read(struct vm *vm, uint8_t *buf, unsigned max);
/* The guest input goes to; NULL if none runs. */
struct vm *console_focus(void);
/* Called when a guest goes away, to move the focus on. */
void console_guest_gone(struct vm *vm);

#endif
