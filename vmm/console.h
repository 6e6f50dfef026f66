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
/* Guests' lines enter the serial transmit queue only while it holds less
 * than this: 0.7 s of output at 115200 baud, so that what a guest prints
 * (and the echo of what is typed) is never far behind. The rest of the
 * queue is for Shale's own lines, crash reports among them, which then
 * need not wait behind the guests' output nor on the UART. */
#define CONSOLE_TX_GUEST_MAX 8192
/* A stopped guest's last lines may take a little more. */
#define CONSOLE_TX_LAST_MAX 16384

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
/* Output the guest wrote and its device could not pass on (past a virtio
 * chain's limit): counted and reported with the ring's own drops. */
void console_guest_lost(struct vm *vm, uint64_t n);
/* Move buffered guest output to the host console, whole lines first, the
 * guests in turn so that none can crowd out another. Returns true while
 * something is left. */
bool console_drain(void);
/* What is left of a stopped guest's output, partial lines too, as far as
 * the serial queue has room now (the rest follows): before a report. */
void console_flush(struct vm *vm);
/* Everything every guest wrote, waiting on the serial line as long as it
 * takes: only when no guest runs any more. */
void console_drain_all(void);
/* Read what the person typed and act on it: keys for the focused guest,
 * or Ctrl-A commands. */
void console_poll_input(void);
/* Bytes typed for this guest; returns how many were copied. */
unsigned console_guest_read(struct vm *vm, uint8_t *buf, unsigned max);
/* Whether typed bytes wait for this guest. */
bool console_guest_has_input(struct vm *vm);
/* A guest's bytes as the operator's terminal may see them: CR and LF
 * dropped, other C0 controls, DEL, C1 controls and malformed UTF-8 as '?';
 * the focused guest (terminal) keeps ESC, BS, TAB and DEL. Returns the
 * length written to out (at most n). */
uint32_t console_filter(const uint8_t *raw, uint32_t n, char *out, bool terminal);
/* The guest input goes to; NULL if none runs. */
struct vm *console_focus(void);
/* Called when a guest goes away, to move the focus on. */
void console_guest_gone(struct vm *vm);

#endif
