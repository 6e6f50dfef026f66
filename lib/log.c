/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdbool.h>

#include "lib/log.h"
#include "lib/printf.h"
#include "lib/spinlock.h"

#define LOG_RING_SIZE 16384

static log_sink_fn serial_sink;
static void (*before_write)(void);
static log_sink_fn firmware_sink;
static log_sink_fn screen_sink;
static enum log_lvl cur_level = LVL_INFO;
static char ring[LOG_RING_SIZE];
static size_t ring_head; /* total bytes ever written */
static bool deferring;
static size_t deferred_from; /* ring_head at the first byte not yet sent */
/* Guards the ring, the sinks and the UART's transmit queue behind them:
 * every CPU logs. Re-entrant on its holder (lib/spinlock.h). */
static struct spinlock console_lock;

void log_lock(void)
{
	spin_lock(&console_lock);
}

void log_unlock(void)
{
	spin_unlock(&console_lock);
}

void log_take_over(void)
{
	console_lock.depth = 1;
	__atomic_store_n(&console_lock.owner, spin_token(), __ATOMIC_RELEASE);
}

void log_set_serial_sink(log_sink_fn fn)
{
	serial_sink = fn;
}

void log_set_firmware_sink(log_sink_fn fn)
{
	firmware_sink = fn;
}

void log_set_screen_sink(log_sink_fn fn)
{
	screen_sink = fn;
}

void log_set_level(enum log_lvl level)
{
	cur_level = level;
}

enum log_lvl log_get_level(void)
{
	return cur_level;
}

void log_set_before_write(void (*fn)(void))
{
	before_write = fn;
}

static void to_sinks(const char *s, size_t len)
{
	if (serial_sink)
		serial_sink(s, len);
	if (firmware_sink)
		firmware_sink(s, len);
	if (screen_sink)
		screen_sink(s, len);
}

/* What waits in the ring since deferred_from, in at most two pieces. */
static void send_deferred(void)
{
	while (deferred_from < ring_head) {
		size_t at = deferred_from % LOG_RING_SIZE;
		size_t n = ring_head - deferred_from;

		if (n > LOG_RING_SIZE - at)
			n = LOG_RING_SIZE - at;
		to_sinks(ring + at, n);
		deferred_from += n;
	}
}

void log_defer(void)
{
	log_lock();
	deferring = true;
	deferred_from = ring_head;
	log_unlock();
}

void log_defer_end(void)
{
	log_lock();
	if (deferring) {
		deferring = false;
		send_deferred();
	}
	log_unlock();
}

/* urgent: an error or a warning, which is not deferred. */
static void log_write(const char *s, size_t len, bool urgent)
{
	log_lock();
	if (before_write) {
		void (*fn)(void) = before_write;

		before_write = NULL; /* it writes through here itself */
		fn();
		before_write = fn;
	}
	/* What waits goes first when this line goes out, or when the ring
	 * would overwrite it. */
	if (deferring && (urgent || ring_head + len - deferred_from > LOG_RING_SIZE))
		send_deferred();
	for (size_t i = 0; i < len; i++)
		ring[(ring_head + i) % LOG_RING_SIZE] = s[i];
	ring_head += len;
	if (!deferring) {
		to_sinks(s, len);
	} else if (urgent) {
		send_deferred();
	}
	log_unlock();
}

void log_raw(const char *s, size_t len)
{
	log_write(s, len, false);
}

void log_rawf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	log_raw(buf, n);
}

void log_msg(enum log_lvl level, const char *src, const char *fmt, ...)
{
	static const char *const tag[] = { "error: ", "warning: ", "", "" };
	char buf[512];
	va_list ap;
	int n;

	if (level > cur_level)
		return;
	n = ksnprintf(buf, sizeof(buf), "[%s] %s", src, tag[level]);
	va_start(ap, fmt);
	n += kvsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	log_write(buf, n, level <= LVL_WARN);
}

size_t log_ring_copy(char *buf, size_t size)
{
	size_t avail = ring_head < LOG_RING_SIZE ? ring_head : LOG_RING_SIZE;
	size_t n = avail < size ? avail : size;
	size_t start = ring_head - n;

	for (size_t i = 0; i < n; i++)
		buf[i] = ring[(start + i) % LOG_RING_SIZE];
	return n;
}
