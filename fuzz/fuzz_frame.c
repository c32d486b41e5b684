/*
 * fuzz_frame.c: the frame reader on arbitrary bytes. Feeding the input whole
 * and feeding it in pieces (sizes taken from the input) must give the same
 * frames, byte for byte, also to two readers fed in turn that lend each
 * other their bodies (a worker's spare); bodies stay within the cap;
 * nothing leaks; and no
 * frame starts or ends but at a marker carrying the reader's nonce: frames
 * completed are at most the lines "@@end NONCE ...", frames started
 * (completed, dropped or open) at most the lines "@@opsdeck NONCE ...".
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CAP	300	/* small, so the cap is exercised */
/* the nonce of the seeds in tests/fixtures/frame */
#define FUZZ_NONCE	"5f0c2e8a91d34b7ba6e1c07d3f9a2b64"

struct rec {
	uint64_t	 hash;	/* of every frame's fields and body, in order */
	int		 n;
};

static uint64_t
mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static void
on_frame(const struct frame *f, void *arg)
{
	struct rec *r = arg;
	if (f->len > FUZZ_CAP || f->body == NULL || f->body[f->len] != '\0')
		abort();
	if (strlen(f->probe) == 0 || strlen(f->probe) >= sizeof f->probe)
		abort();
	r->hash = mix(r->hash, &f->seq, sizeof f->seq);
	r->hash = mix(r->hash, f->probe, strlen(f->probe));
	r->hash = mix(r->hash, &f->status, sizeof f->status);
	r->hash = mix(r->hash, &f->truncated, sizeof f->truncated);
	r->hash = mix(r->hash, f->body, f->len);
	r->n++;
}

/* Lines of p (n bytes) that start with prefix. */
static uint64_t
count_lines(const char *p, size_t n, const char *prefix)
{
	size_t pl = strlen(prefix);
	uint64_t c = 0;
	for (size_t i = 0; i < n; i++) {
		if ((i == 0 || p[i - 1] == '\n') && n - i >= pl && memcmp(p + i, prefix, pl) == 0)
			c++;
	}
	return c;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frame_reader a, b, c;
	struct rec ra = { 0xcbf29ce484222325ull, 0 }, rb = ra, rc = ra;
	struct buf spare;
	const char *p = (const char *)data;

	frame_reader_init(&a, FUZZ_CAP, FUZZ_NONCE);
	int na = frame_reader_feed(&a, p, size, on_frame, &ra);

	frame_reader_init(&b, FUZZ_CAP, FUZZ_NONCE);
	frame_reader_init(&c, FUZZ_CAP, FUZZ_NONCE);
	buf_init(&spare, 0);
	b.spare = c.spare = &spare;
	int nb = 0, nc = 0;
	size_t off = 0, k = 0;
	while (off < size) {
		size_t step = 1 + (size > 0 ? data[k++ % size] % 17 : 0);
		if (step > size - off)
			step = size - off;
		nb += frame_reader_feed(&b, p + off, step, on_frame, &rb);
		nc += frame_reader_feed(&c, p + off, step, on_frame, &rc);
		off += step;
	}
	if (na != nb || ra.n != rb.n || ra.hash != rb.hash || a.garbage != b.garbage ||
	    a.dropped != b.dropped || a.frames != b.frames)
		abort();
	if (nc != nb || rc.n != rb.n || rc.hash != rb.hash || c.garbage != b.garbage)
		abort();
	if (a.line.len > FRAME_LINE_MAX || a.body.len > FUZZ_CAP)
		abort();
	if (a.frames > count_lines(p, size, FRAME_END FUZZ_NONCE " ") ||
	    a.frames + a.dropped + (uint64_t)a.in_frame >
	    count_lines(p, size, FRAME_MAGIC FUZZ_NONCE " "))
		abort();
	frame_reader_free(&a);
	frame_reader_free(&b);
	frame_reader_free(&c);
	buf_free(&spare);
	return 0;
}
