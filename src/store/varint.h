/*
 * varint.h: unsigned LEB128 varints (seven bits a byte, low first, the top
 * bit set on all but the last), shared by the store's pure codecs (chunk.c,
 * host_live.c).
 */
#ifndef OPSDECK_VARINT_H
#define OPSDECK_VARINT_H

#include <stdint.h>

#define VARINT_MAX_BYTES	10	/* a uint64_t */

/* Writes v at p (room for VARINT_MAX_BYTES); returns the byte after it. */
static inline unsigned char *
varint_write(unsigned char *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

/* Reads a varint at *p (< end); -1 when it runs off the end or past 64 bits. */
static inline int
varint_read(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	uint64_t x = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (*p >= end)
			return -1;
		unsigned char c = *(*p)++;
		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			if (shift == 63 && c > 1)
				return -1;
			*v = x;
			return 0;
		}
	}
	return -1;
}

#endif
