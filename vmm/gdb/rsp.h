/* SPDX-License-Identifier: MIT */
/*
 * GDB's remote serial protocol, the framing half: packets are
 * "$data#cc" with cc the modulo-256 sum of data in two hex digits; the
 * receiver answers '+' (good) or '-' (send again). '}' escapes the next
 * byte (XOR 0x20) and a lone 0x03 outside a packet is an interrupt
 * request (Ctrl-C). Reference: the GDB manual, "Remote Protocol",
 * sections "Overview" and "Interrupts".
 *
 * Pure: bytes come in through rsp_feed(), go out through a callback, so
 * the unit tests drive it without a UART.
 */
#ifndef SHALE_VMM_GDB_RSP_H
#define SHALE_VMM_GDB_RSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RSP_PACKET_MAX 4096 /* what the stub announces as PacketSize */

enum rsp_event {
	RSP_NONE,      /* byte taken, nothing complete yet */
	RSP_PACKET,    /* a good packet is in r->buf[0..r->len) */
	RSP_INTERRUPT, /* Ctrl-C */
};

struct rsp {
	void (*put)(void *ctx, const char *s, size_t len);
	void *ctx;

	enum { RSP_IDLE, RSP_DATA, RSP_ESCAPE, RSP_SUM_HI, RSP_SUM_LO } state;
	char buf[RSP_PACKET_MAX + 1]; /* NUL-terminated for the parser */
	size_t len;
	bool overflow;     /* the packet did not fit: it is refused with '-' */
	uint8_t sum;       /* of the data as received */
	uint8_t sum_rx;    /* the two digits after '#' */
	uint64_t bad;      /* packets refused for their checksum or size */
};

void rsp_init(struct rsp *r, void (*put)(void *ctx, const char *s, size_t len),
	      void *ctx);
enum rsp_event rsp_feed(struct rsp *r, uint8_t c);
/* Frame and send data[0..len), escaping what must be escaped. */
void rsp_send(struct rsp *r, const char *data, size_t len);
void rsp_send_str(struct rsp *r, const char *s);

/* Hex helpers shared by the stub and its tests. */
char *rsp_put_hex(char *out, const void *bytes, size_t n);
/* Decodes 2n hex digits into n bytes; false on a bad digit. */
bool rsp_get_hex(const char *in, void *bytes, size_t n);

#endif
