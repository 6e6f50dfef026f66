/* SPDX-License-Identifier: MIT */
/* GDB remote serial protocol framing (see rsp.h). */
#include "lib/parse.h"
#include "lib/string.h"
#include "vmm/gdb/rsp.h"

static const char hexdigits[] = "0123456789abcdef";

char *rsp_put_hex(char *out, const void *bytes, size_t n)
{
	const uint8_t *b = bytes;

	for (size_t i = 0; i < n; i++) {
		*out++ = hexdigits[b[i] >> 4];
		*out++ = hexdigits[b[i] & 15];
	}
	*out = '\0';
	return out;
}

bool rsp_get_hex(const char *in, void *bytes, size_t n)
{
	uint8_t *b = bytes;

	for (size_t i = 0; i < n; i++) {
		int hi = parse_hex_digit(in[2 * i]);
		int lo = hi < 0 ? -1 : parse_hex_digit(in[2 * i + 1]);

		if (lo < 0)
			return false;
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

void rsp_init(struct rsp *r, void (*put)(void *ctx, const char *s, size_t len),
	      void *ctx)
{
	memset(r, 0, sizeof(*r));
	r->put = put;
	r->ctx = ctx;
}

enum rsp_event rsp_feed(struct rsp *r, uint8_t c)
{
	int d;

	switch (r->state) {
	case RSP_IDLE:
		/* Acks of what the stub sent ('+', '-') land here and are
		 * ignored: the line is reliable enough that Shale does not
		 * keep packets to send again. */
		if (c == 0x03)
			return RSP_INTERRUPT;
		if (c == '$') {
			r->state = RSP_DATA;
			r->len = 0;
			r->sum = 0;
			r->overflow = false;
		}
		return RSP_NONE;
	case RSP_DATA:
	case RSP_ESCAPE:
		if (c == '$') { /* a new start: the old packet was cut short */
			r->len = 0;
			r->sum = 0;
			r->overflow = false;
			r->state = RSP_DATA;
			return RSP_NONE;
		}
		if (c == '#' && r->state == RSP_DATA) {
			r->state = RSP_SUM_HI;
			return RSP_NONE;
		}
		r->sum += c;
		if (r->state == RSP_DATA && c == '}') {
			r->state = RSP_ESCAPE;
			return RSP_NONE;
		}
		if (r->state == RSP_ESCAPE) {
			c ^= 0x20;
			r->state = RSP_DATA;
		}
		if (r->len < RSP_PACKET_MAX)
			r->buf[r->len++] = (char)c;
		else
			r->overflow = true;
		return RSP_NONE;
	case RSP_SUM_HI:
		d = parse_hex_digit((char)c);
		r->sum_rx = (uint8_t)((d < 0 ? 0 : d) << 4);
		r->state = d < 0 ? RSP_IDLE : RSP_SUM_LO;
		if (d < 0) {
			r->bad++;
			r->put(r->ctx, "-", 1);
		}
		return RSP_NONE;
	case RSP_SUM_LO:
		d = parse_hex_digit((char)c);
		r->state = RSP_IDLE;
		if (d < 0 || (uint8_t)(r->sum_rx | d) != r->sum || r->overflow) {
			r->bad++;
			r->put(r->ctx, "-", 1);
			return RSP_NONE;
		}
		r->put(r->ctx, "+", 1);
		r->buf[r->len] = '\0';
		return RSP_PACKET;
	}
	return RSP_NONE;
}

void rsp_send(struct rsp *r, const char *data, size_t len)
{
	uint8_t sum = 0;
	char tail[3];

	r->put(r->ctx, "$", 1);
	for (size_t i = 0; i < len; i++) {
		char c = data[i];

		if (c == '$' || c == '#' || c == '}' || c == '*') {
			char esc[2] = { '}', (char)(c ^ 0x20) };

			r->put(r->ctx, esc, 2);
			sum += (uint8_t)'}' + (uint8_t)(c ^ 0x20);
		} else {
			r->put(r->ctx, &c, 1);
			sum += (uint8_t)c;
		}
	}
	tail[0] = '#';
	tail[1] = hexdigits[sum >> 4];
	tail[2] = hexdigits[sum & 15];
	r->put(r->ctx, tail, 3);
}

void rsp_send_str(struct rsp *r, const char *s)
{
	rsp_send(r, s, strlen(s));
}
