/* SPDX-License-Identifier: MIT */
/*
 * The per-guest I/O port registry. A device claims a range of ports; an
 * access to a port nobody claims reads as all ones and writes are dropped,
 * as on a PC bus with nothing listening, and both are counted.
 */
#ifndef SHALE_VMM_IO_H
#define SHALE_VMM_IO_H

#include <stdbool.h>
#include <stdint.h>

#define IO_MAX_RANGES 32

/* size is 1, 2 or 4; for a read the handler stores into *val. */
typedef void (*io_handler_fn)(void *opaque, uint16_t port, unsigned size,
			      bool write, uint32_t *val);

struct io_range {
	uint16_t base;
	uint16_t count;
	io_handler_fn fn;
	void *opaque;
	const char *name;
};

struct io_bus {
	struct io_range range[IO_MAX_RANGES];
	unsigned n;
	unsigned last;      /* the range the last claimed access went to */
	uint64_t unclaimed; /* accesses nobody claimed */
};

/* A register one byte wide at one port. */
typedef void (*io_byte_fn)(void *opaque, uint16_t port, bool write, uint8_t *b);

/* A 1-, 2- or 4-byte access to byte-wide registers, as a PC's ISA bus
 * does it: one byte per port, lowest first. Any other size reads all
 * ones and writes nothing. */
void io_split_bytes(void *opaque, io_byte_fn fn, uint16_t port, unsigned size,
		    bool write, uint32_t *val);

/* Returns 0, or -1 when the range overlaps another or the table is full. */
int io_register(struct io_bus *bus, uint16_t base, uint16_t count,
		io_handler_fn fn, void *opaque, const char *name);
/* Perform one access. Returns true when a device claimed the port. */
bool io_access(struct io_bus *bus, uint16_t port, unsigned size, bool write,
	       uint32_t *val);

#endif
