/* SPDX-License-Identifier: MIT */
/*
 * Console multiplexing. Output: each guest writes into its own bounded
 * ring; the scheduler drains the rings in turn, one whole line at a time,
 * so lines of different guests never mix and a guest that floods loses
 * only its own output (and is told how much). Input: bytes from the host
 * UART go to the focused guest; Ctrl-A starts a command:
 *
 *   Ctrl-A n       focus the next guest
 *   Ctrl-A 1..9    focus guest 1..9 (config order)
 *   Ctrl-A l       list the guests
 *   Ctrl-A Ctrl-A  send a Ctrl-A to the guest
 *   Ctrl-A ?       help
 */
#include "drivers/uart.h"
#include "lib/log.h"
#include "vmm/console.h"
#include "vmm/shell.h"
#include "vmm/vmm.h"

static unsigned focus;     /* index into vmm_vm[] */
static struct vm *open_vm; /* its partial line is open on the console */
static bool prefix;        /* Ctrl-A seen, waiting for the command key */
static unsigned next_drain; /* round-robin position */

static bool alive(const struct vm *vm)
{
	return vm->state == VM_RUNNING;
}

void console_guest_write(struct vm *vm, const char *s, uint64_t len)
{
	struct console_out *o = &vm->out;
	uint32_t head = o->head, tail = __atomic_load_n(&o->tail, __ATOMIC_ACQUIRE);

	/* One writer (the CPU that runs the guest), one reader (CPU 0, in
	 * console_drain): the bytes go in before the head that shows them. */
	for (uint64_t i = 0; i < len; i++) {
		if (head - tail == CONSOLE_OUT_RING) {
			o->dropped += len - i;
			break;
		}
		o->buf[head++ % CONSOLE_OUT_RING] = s[i];
	}
	__atomic_store_n(&o->head, head, __ATOMIC_RELEASE);
}

void console_guest_lost(struct vm *vm, uint64_t n)
{
	vm->out.dropped += n; /* the ring's writer, the guest's CPU, counts */
}

/* The length of the well-formed UTF-8 sequence at p (at most n bytes), or
 * 0 for a byte that does not start one: a stray continuation byte, an
 * overlong form, a surrogate, a code point past U+10FFFF, or a sequence
 * cut short (a line splits a long line's sequence only at its end). */
static uint32_t utf8_len(const uint8_t *p, uint32_t n)
{
	uint32_t len = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc0 ? 2 : 0;
	uint32_t cp;

	if (!len || p[0] > 0xf4 || len > n)
		return 0;
	cp = p[0] & (0x7f >> len);
	for (uint32_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

uint32_t console_filter(const uint8_t *raw, uint32_t n, char *out, bool terminal)
{
	uint32_t len = 0;

	for (uint32_t i = 0; i < n;) {
		uint8_t c = raw[i];
		uint32_t seq;

		if (c == '\n' || c == '\r') {
			i++;
			continue;
		}
		if (c < 0x80) {
			bool ctl = c < 0x20 || c == 0x7f;

			if (ctl && terminal && (c == 0x1b || c == '\b' || c == '\t' || c == 0x7f))
				ctl = false;
			out[len++] = ctl ? '?' : (char)c;
			i++;
			continue;
		}
		/* Text in UTF-8 passes whole. A C1 control (U+0080-U+009F,
		 * whether as the raw byte 0x9b, an 8-bit CSI, or encoded as
		 * C2 9B) and any malformed byte become '?': terminals act on
		 * both. */
		seq = utf8_len(raw + i, n - i);
		if (!seq || (seq == 2 && raw[i] == 0xc2 && raw[i + 1] < 0xa0)) {
			out[len++] = '?';
			i += seq ? seq : 1; /* one '?' per character */
			continue;
		}
		for (uint32_t k = 0; k < seq; k++)
			out[len++] = (char)raw[i + k];
		i += seq;
	}
	return len;
}

/* Before anything else goes to the console, end a guest's open line. */
static void end_open_line(void)
{
	if (open_vm) {
		open_vm = NULL;
		log_raw("\n", 1);
	}
}

/* Emit one line (up to a newline, CONSOLE_LINE_MAX bytes, or what there
 * is when `partial`); returns false if there was no line to emit. A
 * partial line stays open, so that what follows it (a shell's echo of
 * typed keys) continues it without a second prefix. */
static bool emit_line(struct vm *vm, bool partial, uint32_t limit)
{
	struct console_out *o = &vm->out;
	char line[CONSOLE_LINE_MAX];
	uint32_t n = 0, avail = __atomic_load_n(&o->head, __ATOMIC_ACQUIRE) - o->tail;
	bool complete = false;

	while (n < avail && n < CONSOLE_LINE_MAX) {
		char c = o->buf[(o->tail + n) % CONSOLE_OUT_RING];

		n++;
		if (c == '\n') {
			complete = true;
			break;
		}
	}
	if (!n || (!complete && n < CONSOLE_LINE_MAX && !partial))
		return false;
	/* A guest's line waits in its own ring until the serial line has
	 * room for it: Shale never waits on the UART for a guest, and a guest
	 * that writes faster than the line carries loses its own output. */
	if (uart_tx_pending() + CONSOLE_LINE_MAX + 128 > limit ||
	    uart_tx_room() < CONSOLE_LINE_MAX + 128)
		return false;
	uint8_t raw[CONSOLE_LINE_MAX];

	for (uint32_t i = 0; i < n; i++)
		raw[i] = o->buf[(o->tail + i) % CONSOLE_OUT_RING];
	__atomic_store_n(&o->tail, o->tail + n, __ATOMIC_RELEASE);
	/* The guest being typed to drives the terminal like any program
	 * (a shell's line editing uses escape sequences); the others must
	 * not be able to move the cursor or recolour the console under the
	 * person reading it. */
	uint32_t len = console_filter(raw, n, line, vm == console_focus());

	log_set_before_write(NULL);
	if (open_vm != vm) {
		end_open_line();
		log_rawf("[guest %s] ", vm->name);
	}
	log_raw(line, len);
	if (complete) {
		log_raw("\n", 1);
		open_vm = NULL;
	} else {
		open_vm = vm;
	}
	log_set_before_write(end_open_line);
	return true;
}

static void report_drops(struct vm *vm)
{
	struct console_out *o = &vm->out;

	if (o->dropped != o->dropped_reported && o->head == o->tail) {
		end_open_line();
		log_rawf("[guest %s] ... %lu bytes of output dropped: the guest wrote faster than the console carries\n",
			 vm->name, (unsigned long)(o->dropped - o->dropped_reported));
		o->dropped_reported = o->dropped;
	}
}

bool console_drain(void)
{
	bool more = false;

	uart_tx_pump();
	/* One line per guest per round, at most 64 rounds per call: each
	 * guest gets the same share of the console, whatever the others do. */
	for (int round = 0; round < 64; round++) {
		bool any = false;

		for (unsigned k = 0; k < vmm_n_vm; k++) {
			struct vm *vm = &vmm_vm[(next_drain + k) % vmm_n_vm];
			/* A full ring with no newline would never drain; the
			 * guest being typed to shows its prompt at once. */
			bool full = vm->out.head - vm->out.tail == CONSOLE_OUT_RING;
			bool partial = full || vm == console_focus() || !alive(vm);

			if (emit_line(vm, partial, CONSOLE_TX_GUEST_MAX))
				any = true;
			report_drops(vm);
		}
		next_drain++;
		if (!any)
			return false;
		more = true;
	}
	return more;
}

void console_flush(struct vm *vm)
{
	/* As much as the transmit queue holds now, so that the guest's last
	 * lines come before Shale's report about it; never a wait on the
	 * UART, which would be the other guests' time. What does not fit
	 * follows through console_drain(), as the line carries it. */
	while (emit_line(vm, true, CONSOLE_TX_LAST_MAX))
		;
	if (open_vm == vm)
		end_open_line();
	report_drops(vm);
}

void console_drain_all(void)
{
	for (unsigned i = 0; i < vmm_n_vm; i++) {
		struct vm *vm = &vmm_vm[i];

		while (vm->out.head != vm->out.tail) {
			if (!emit_line(vm, true, CONSOLE_TX_LAST_MAX))
				uart_tx_flush();
		}
		if (open_vm == vm)
			end_open_line();
		report_drops(vm);
	}
}

struct vm *console_focus(void)
{
	if (focus < vmm_n_vm && alive(&vmm_vm[focus]))
		return &vmm_vm[focus];
	return NULL;
}

static void set_focus(unsigned i)
{
	if (i >= vmm_n_vm || !alive(&vmm_vm[i])) {
		log_rawf("[shale] console: no running guest %u\n", i + 1);
		return;
	}
	focus = i;
	log_rawf("[shale] console: input goes to guest \"%s\" (Ctrl-A ? for help)\n",
		 vmm_vm[i].name);
}

static void focus_next(void)
{
	for (unsigned k = 1; k <= vmm_n_vm; k++) {
		unsigned i = (focus + k) % vmm_n_vm;

		if (alive(&vmm_vm[i])) {
			set_focus(i);
			return;
		}
	}
	log_rawf("[shale] console: no guest is running\n");
}

void console_guest_gone(struct vm *vm)
{
	if (console_focus() == NULL && vm == &vmm_vm[focus])
		focus_next();
}

static void list_guests(void)
{
	for (unsigned i = 0; i < vmm_n_vm; i++)
		log_rawf("[shale] console: %c %u %s (%s)\n",
			 i == focus ? '*' : ' ', i + 1, vmm_vm[i].name,
			 vm_state_name(&vmm_vm[i]));
}

static void to_guest(uint8_t c)
{
	struct vm *vm = console_focus();
	struct console_in *in;

	if (!vm)
		return;
	in = &vm->in;
	if (in->head - __atomic_load_n(&in->tail, __ATOMIC_ACQUIRE) == CONSOLE_IN_RING) {
		in->dropped++;
		return;
	}
	/* One writer (CPU 0, here), one reader (the guest's CPU, whose
	 * scheduler hands the bytes to the guest's device at its next pass;
	 * the kick makes that now). */
	in->buf[in->head % CONSOLE_IN_RING] = c;
	__atomic_store_n(&in->head, in->head + 1, __ATOMIC_RELEASE);
	sched_kick(vm->vcpu[0].cpu);
}

static void command(uint8_t c)
{
	if (c == CONSOLE_PREFIX_KEY)
		to_guest(c);
	else if (c == 'n')
		focus_next();
	else if (c >= '1' && c <= '9')
		set_focus(c - '1');
	else if (c == 'l')
		list_guests();
	else if (c == ':')
		shell_open();
	else
		log_rawf("[shale] console: Ctrl-A then: n next guest, 1-9 guest by number, l list guests, : the shell, Ctrl-A a literal Ctrl-A\n");
}

void console_poll_input(void)
{
	int c;

	while ((c = uart_getc()) >= 0) {
		if (shell_is_open()) {
			shell_key((uint8_t)c);
			continue;
		}
		if (prefix) {
			prefix = false;
			command((uint8_t)c);
		} else if (c == CONSOLE_PREFIX_KEY) {
			prefix = true;
		} else {
			to_guest((uint8_t)c);
		}
	}
}

unsigned console_guest_read(struct vm *vm, uint8_t *buf, unsigned max)
{
	struct console_in *in = &vm->in;
	unsigned n = 0;

	uint32_t head = __atomic_load_n(&in->head, __ATOMIC_ACQUIRE), tail = in->tail;

	while (n < max && tail != head)
		buf[n++] = in->buf[tail++ % CONSOLE_IN_RING];
	__atomic_store_n(&in->tail, tail, __ATOMIC_RELEASE);
	return n;
}

bool console_guest_has_input(struct vm *vm)
{
	return __atomic_load_n(&vm->in.head, __ATOMIC_ACQUIRE) != vm->in.tail;
}
