/* SPDX-License-Identifier: MIT */
/*
 * Logging: every line goes to the host serial console with a level and a
 * source, "[vmx] VMXON ok on cpu0", and into an in-memory ring that the
 * shell and crash reports can replay. Before ExitBootServices boot/ adds the
 * firmware console as a second sink so a person with a screen sees it too;
 * after it, Shale's own screen console takes that place (drivers/fbcon.h).
 */
#ifndef SHALE_LIB_LOG_H
#define SHALE_LIB_LOG_H

#include <stddef.h>

enum log_lvl { LVL_ERROR, LVL_WARN, LVL_INFO, LVL_DEBUG };

typedef void (*log_sink_fn)(const char *s, size_t len);

void log_set_serial_sink(log_sink_fn fn);
/* The firmware console, or NULL once the firmware is gone. */
void log_set_firmware_sink(log_sink_fn fn);
/* Shale's own screen console (drivers/fbcon.h) once the firmware is gone,
 * or NULL. Like the others it is called under the console lock. */
void log_set_screen_sink(log_sink_fn fn);
void log_set_level(enum log_lvl level);
enum log_lvl log_get_level(void);

void log_msg(enum log_lvl level, const char *src, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Raw text to the console, no prefix, no level filter. */
void log_raw(const char *s, size_t len);
void log_rawf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Called before each write that does not come through the console's own
 * guest output: lets it end a guest's half-written line first. */
void log_set_before_write(void (*fn)(void));

/* The console lock: every line goes out whole, whichever CPU writes it.
 * The UART's transmit queue (drivers/uart_tx.c) takes it too. */
void log_lock(void);
void log_unlock(void);
/* For a panic report, once the other CPUs are stopped: this CPU holds the
 * lock from now on, whoever held it when they stopped. */
void log_take_over(void);

/*
 * Deferred output, for the start-up (docs/benchmarks.md "Start-up"): from
 * log_defer() on, lines go into the ring only, and log_defer_end() sends
 * them to the sinks there are then (after ExitBootServices: Shale's
 * console queue, which does not wait for the UART). An error or a warning
 * is never held back: it sends what waits, then itself, at once, so a
 * person sees why Shale returns to the firmware before it does.
 */
void log_defer(void);
void log_defer_end(void);

/* The most recent log text, oldest first, for crash reports and the shell. */
size_t log_ring_copy(char *buf, size_t size);

#define log_err(src, ...) log_msg(LVL_ERROR, src, __VA_ARGS__)
#define log_warn(src, ...) log_msg(LVL_WARN, src, __VA_ARGS__)
#define log_info(src, ...) log_msg(LVL_INFO, src, __VA_ARGS__)
#define log_debug(src, ...) log_msg(LVL_DEBUG, src, __VA_ARGS__)

#endif
