/*
 * chunk.c: the compact sample encoding (chunk.h): an encoder that appends
 * points of many metrics to in-memory bit streams, and a decoder that
 * checks every length and bucket against the bytes it was given.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/chunk.h"
#include "opsdeck/util.h"
#include "varint.h"

/* ---- bits ---------------------------------------------------------------- */

struct bitw {
	unsigned char	*b;
	uint32_t	 nbits, cap;	/* cap in bytes; a chunk's streams stay far below 2^32 bits */
};

/*
 * Appends the low n (0..64) bits of v, most significant first. The bytes
 * past nbits are zero (grown with memset), so the first byte is ORed and
 * the others are stored: the bits go out as one left-aligned word, and a
 * ninth byte when they straddle it.
 */
static void
bitw_put(struct bitw *w, uint64_t v, int n)
{
	if (((size_t)w->nbits + (size_t)n + 7) / 8 > w->cap) {
		size_t cap = w->cap ? (size_t)w->cap * 2 : 32;
		while (cap < ((size_t)w->nbits + (size_t)n + 7) / 8)
			cap *= 2;
		w->b = xrealloc(w->b, cap);
		memset(w->b + w->cap, 0, cap - w->cap);
		w->cap = (uint32_t)cap;
	}
	if (n <= 0)
		return;
	int used = (int)(w->nbits & 7), nb = (used + n + 7) / 8;
	unsigned char *b = w->b + (w->nbits >> 3);
	uint64_t word = (v << (64 - n)) >> used;

	w->nbits += (uint32_t)n;
	b[0] |= (unsigned char)(word >> 56);
	for (int i = 1; i < nb && i < 8; i++)
		b[i] = (unsigned char)(word >> (56 - 8 * i));
	if (nb > 8)
		b[8] = (unsigned char)(v << (8 - (used + n - 64)));
}

struct bitr {
	const unsigned char	*b;
	size_t			 nbits, pos;
};

/* Reads n (0..64) bits into *v; -1 when fewer are left. */
static int
bitr_get(struct bitr *r, int n, uint64_t *v)
{
	uint64_t x = 0;

	if ((size_t)n > r->nbits - r->pos)
		return -1;
	while (n > 0) {
		int avail = 8 - (int)(r->pos & 7);
		int k = n < avail ? n : avail;
		unsigned byte = r->b[r->pos >> 3];
		x = (x << k) | ((byte >> (avail - k)) & ((1u << k) - 1));
		r->pos += (size_t)k;
		n -= k;
	}
	*v = x;
	return 0;
}

/* Counts the 1 bits before the first 0, reading at most max; -1 at the end. */
static int
bitr_ones(struct bitr *r, int max)
{
	int ones = 0;
	uint64_t bit;

	while (ones < max) {
		if (bitr_get(r, 1, &bit) != 0)
			return -1;
		if (bit == 0)
			break;
		ones++;
	}
	return ones;
}

static int64_t
sign_extend(uint64_t v, int bits)
{
	uint64_t m = 1ULL << (bits - 1);
	return (int64_t)((v ^ m) - m);
}

/* ---- XOR values ---------------------------------------------------------- */

struct xor_state {
	uint64_t prev;
	int	 lead, sig;	/* the window; sig 0: none yet */
};

static uint64_t
dbits(double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof u);
	return u;
}

static double
bitsd(uint64_t u)
{
	double d;
	memcpy(&d, &u, sizeof d);
	return d;
}

static void
xor_put(struct bitw *w, struct xor_state *s, double d)
{
	uint64_t v = dbits(d), x = v ^ s->prev;

	s->prev = v;
	if (x == 0) {
		bitw_put(w, 0, 1);
		return;
	}
	int lead = __builtin_clzll(x), trail = __builtin_ctzll(x);
	if (lead > 31)
		lead = 31;
	/* The control bits and the value in one bitw_put where they fit 64 bits. */
	if (s->sig > 0 && lead >= s->lead && trail >= 64 - s->lead - s->sig) {
		uint64_t val = x >> (64 - s->lead - s->sig);
		if (s->sig <= 62) {
			bitw_put(w, (2ULL << s->sig) | val, s->sig + 2);
		} else {
			bitw_put(w, 2, 2);
			bitw_put(w, val, s->sig);
		}
		return;
	}
	int sig = 64 - lead - trail;
	uint64_t head = (3ULL << 11) | ((uint64_t)lead << 6) | (uint64_t)(sig - 1);
	if (sig <= 51) {
		bitw_put(w, (head << sig) | (x >> trail), 13 + sig);
	} else {
		bitw_put(w, head, 13);
		bitw_put(w, x >> trail, sig);
	}
	s->lead = lead;
	s->sig = sig;
}

static int
xor_get(struct bitr *r, struct xor_state *s, double *d)
{
	uint64_t c, x, lead, sig;

	if (bitr_get(r, 1, &c) != 0)
		return -1;
	if (c == 0) {
		*d = bitsd(s->prev);
		return 0;
	}
	if (bitr_get(r, 1, &c) != 0)
		return -1;
	if (c == 0) {
		if (s->sig == 0 || bitr_get(r, s->sig, &x) != 0)
			return -1;
		s->prev ^= x << (64 - s->lead - s->sig);
	} else {
		if (bitr_get(r, 5, &lead) != 0 || bitr_get(r, 6, &sig) != 0)
			return -1;
		sig++;
		if (lead + sig > 64 || bitr_get(r, (int)sig, &x) != 0)
			return -1;
		s->lead = (int)lead;
		s->sig = (int)sig;
		s->prev ^= x << (64 - lead - sig);
	}
	*d = bitsd(s->prev);
	return 0;
}

/* ---- timestamps ---------------------------------------------------------- */

static void
ts_put(struct bitw *w, uint64_t npoints, int64_t *prev, int64_t *delta, int64_t ts)
{
	if (npoints == 0) {
		bitw_put(w, (uint64_t)ts, 64);
		*prev = ts;
		*delta = 0;
		return;
	}
	int64_t d, dod;
	if (__builtin_sub_overflow(ts, *prev, &d) || __builtin_sub_overflow(d, *delta, &dod))
		d = dod = INT64_MAX;	/* the 64-bit form below; never a bucket */
	if (dod == 0)
		bitw_put(w, 0, 1);
	else if (dod >= -64 && dod < 64)
		bitw_put(w, 2, 2), bitw_put(w, (uint64_t)dod, 7);
	else if (dod >= -2048 && dod < 2048)
		bitw_put(w, 6, 3), bitw_put(w, (uint64_t)dod, 12);
	else if (dod >= -524288 && dod < 524288)
		bitw_put(w, 14, 4), bitw_put(w, (uint64_t)dod, 20);
	else
		bitw_put(w, 15, 4), bitw_put(w, (uint64_t)ts, 64);
	/* As the decoder will compute it (a 64-bit form gives it from the times). */
	if (dod == INT64_MAX || !(dod >= -524288 && dod < 524288))
		d = (int64_t)((uint64_t)ts - (uint64_t)*prev);
	*prev = ts;
	*delta = d;
}

/* The next timestamp; -1 when the bits end or time does not move forward. */
static int
ts_get(struct bitr *r, size_t i, int64_t *prev, int64_t *delta, int64_t *ts)
{
	static const int width[4] = { 7, 12, 20, 64 };
	uint64_t v;

	if (i == 0) {
		if (bitr_get(r, 64, &v) != 0)
			return -1;
		*ts = (int64_t)v;
		*prev = *ts;
		*delta = 0;
		return 0;
	}
	int ones = bitr_ones(r, 4);
	if (ones < 0)
		return -1;
	int64_t t;
	if (ones == 0) {
		if (__builtin_add_overflow(*prev, *delta, &t))
			return -1;
	} else {
		if (bitr_get(r, width[ones - 1], &v) != 0)
			return -1;
		if (ones == 4) {
			t = (int64_t)v;
		} else {
			int64_t d;
			if (__builtin_add_overflow(*delta, sign_extend(v, width[ones - 1]), &d) ||
			    __builtin_add_overflow(*prev, d, &t))
				return -1;
		}
	}
	if (t <= *prev)
		return -1;
	*delta = (int64_t)((uint64_t)t - (uint64_t)*prev);
	*prev = t;
	*ts = t;
	return 0;
}

/* ---- output -------------------------------------------------------------- */

struct bytes {
	unsigned char	*b;
	size_t		 len, cap;
};

/* Makes room for n bytes past o->len. */
static void
bytes_reserve(struct bytes *o, size_t n)
{
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap : 256;
		while (cap < o->len + n)
			cap *= 2;
		o->b = xrealloc(o->b, cap);
		o->cap = cap;
	}
}

/* ---- encoder ------------------------------------------------------------- */

/*
 * A metric's stream: 48 bytes, as many as a host has metrics in its open
 * chunks (about 50 for a GPU node), so a rollup's other two values and its
 * count live beside it in struct rollup_state, only in rollup encoders.
 */
struct stream {
	int64_t		 metric;
	uint32_t	 first, count;	/* points first .. first + count - 1 */
	struct bitw	 w;
	struct xor_state x;		/* the raw value; a rollup's min */
};

struct rollup_state {
	struct xor_state avg, max;
	int64_t		 n;		/* the previous count */
};

typedef uint16_t stream_idx;	/* an index of chunk_enc.s: below CHUNK_MAX_STREAMS */
_Static_assert(CHUNK_MAX_STREAMS - 1 <= UINT16_MAX, "stream_idx too narrow");

struct chunk_enc {
	enum chunk_kind	 kind;
	uint32_t	 npoints;
	int64_t		 first, prev, delta;
	struct bitw	 ts;
	struct stream	*s;
	struct rollup_state *r;		/* rollup encoders: beside s, same index */
	stream_idx	*order;		/* indexes of s by metric, for the layout */
	size_t		 ns, cap, hint;
	struct bytes	 out;
};

/* See chunk.h. */
struct chunk_enc *
chunk_enc_new(enum chunk_kind kind)
{
	struct chunk_enc *e = xcalloc(1, sizeof *e);
	e->kind = kind;
	return e;
}

void
chunk_enc_free(struct chunk_enc *e)
{
	if (e == NULL)
		return;
	free(e->ts.b);
	for (size_t i = 0; i < e->ns; i++)
		free(e->s[i].w.b);
	free(e->s);
	free(e->r);
	free(e->order);
	free(e->out.b);
	free(e);
}

int
chunk_enc_point(struct chunk_enc *e, int64_t ts)
{
	if (e->npoints >= CHUNK_MAX_POINTS || (e->npoints > 0 && ts <= e->prev))
		return -1;
	if (e->npoints == 0)
		e->first = ts;
	ts_put(&e->ts, e->npoints, &e->prev, &e->delta, ts);
	e->npoints++;
	e->hint = 0;
	/*
	 * Each stream's last bits are a byte of its own allocation, last
	 * touched a tick ago: out of cache for a host among thousands, and
	 * the point's values would miss on them one after another. Asked for
	 * together here, the misses overlap.
	 */
#if defined(__GNUC__)
	for (size_t i = 0; i < e->ns; i++)
		if (e->s[i].w.b != NULL)
			__builtin_prefetch(e->s[i].w.b + (e->s[i].w.nbits >> 3), 1);
#endif
	return 0;
}

/*
 * The stream of metric for the current point, created when new and padded
 * with absent points up to it; NULL when it already has the current point
 * or the chunk is full of streams.
 */
static struct stream *
stream_for(struct chunk_enc *e, int64_t metric)
{
	struct stream *s = NULL;
	uint32_t cur = e->npoints - 1;

	if (e->hint < e->ns && e->s[e->hint].metric == metric) {
		s = &e->s[e->hint++];
	} else {
		for (size_t i = 0; i < e->ns; i++)
			if (e->s[i].metric == metric) {
				s = &e->s[i];
				e->hint = i + 1;
				break;
			}
	}
	if (s == NULL) {
		if (e->ns >= CHUNK_MAX_STREAMS)
			return NULL;
		if (e->ns == e->cap) {
			e->cap = e->cap ? e->cap * 2 : 16;
			e->s = xreallocarray(e->s, e->cap, sizeof *e->s);
			e->order = xreallocarray(e->order, e->cap, sizeof *e->order);
			if (e->kind != CHUNK_RAW)
				e->r = xreallocarray(e->r, e->cap, sizeof *e->r);
		}
		/* A new metric is rare: keep the order by insertion. */
		size_t at = e->ns;
		while (at > 0 && e->s[e->order[at - 1]].metric > metric) {
			e->order[at] = e->order[at - 1];
			at--;
		}
		e->order[at] = (stream_idx)e->ns;
		if (e->r != NULL)
			memset(&e->r[e->ns], 0, sizeof *e->r);
		s = &e->s[e->ns++];
		memset(s, 0, sizeof *s);
		s->metric = metric;
		s->first = cur;
		e->hint = e->ns;
		return s;
	}
	if (s->first + s->count > cur)
		return NULL;
	while (s->first + s->count < cur) {
		if (e->kind == CHUNK_RAW) {
			xor_put(&s->w, &s->x, NAN);
		} else {
			struct rollup_state *r = &e->r[s - e->s];
			bitw_put(&s->w, r->n == 0 ? 0 : 1, 1);
			if (r->n != 0)
				bitw_put(&s->w, 0, 32);
			r->n = 0;
		}
		s->count++;
	}
	return s;
}

void
chunk_enc_value(struct chunk_enc *e, int64_t metric, double v)
{
	if (e->kind != CHUNK_RAW || e->npoints == 0 || metric < 0 || isnan(v))
		return;
	struct stream *s = stream_for(e, metric);
	if (s == NULL)
		return;
	xor_put(&s->w, &s->x, v);
	s->count++;
}

void
chunk_enc_rollup(struct chunk_enc *e, int64_t metric, double min, double avg, double max,
    int64_t n)
{
	if (e->kind != CHUNK_ROLLUP || e->npoints == 0 || metric < 0 || n <= 0)
		return;
	if (n > UINT32_MAX)
		n = UINT32_MAX;
	struct stream *s = stream_for(e, metric);
	if (s == NULL)
		return;
	struct rollup_state *r = &e->r[s - e->s];
	if (n == r->n) {
		bitw_put(&s->w, 0, 1);
	} else {
		bitw_put(&s->w, 1, 1);
		bitw_put(&s->w, (uint64_t)n, 32);
		r->n = n;
	}
	xor_put(&s->w, &s->x, min);
	xor_put(&s->w, &r->avg, avg);
	xor_put(&s->w, &r->max, max);
	s->count++;
}

size_t
chunk_enc_points(const struct chunk_enc *e)
{
	return e->npoints;
}

int64_t
chunk_enc_first(const struct chunk_enc *e)
{
	return e->npoints ? e->first : 0;
}

int64_t
chunk_enc_last(const struct chunk_enc *e)
{
	return e->npoints ? e->prev : 0;
}

/* Copies the n bytes of p to o; the end of them. */
static unsigned char *
put_bytes(unsigned char *o, const unsigned char *p, size_t n)
{
	if (n > 0)
		memcpy(o, p, n);
	return o + n;
}

/*
 * The whole chunk is written again at every point (the open chunk's row):
 * room for the largest it can be is made once, then the varints and bits
 * go straight into it.
 */
const unsigned char *
chunk_enc_data(struct chunk_enc *e, size_t *len)
{
	size_t tsn = (e->ts.nbits + 7) / 8, need = 2 + 3 * VARINT_MAX_BYTES + tsn;

	for (size_t i = 0; i < e->ns; i++)
		need += 4 * VARINT_MAX_BYTES + (e->s[i].w.nbits + 7) / 8;
	e->out.len = 0;
	bytes_reserve(&e->out, need);
	unsigned char *o = e->out.b;
	*o++ = CHUNK_FORMAT;
	*o++ = (unsigned char)e->kind;
	o = varint_write(o, e->npoints);
	o = varint_write(o, tsn);
	o = put_bytes(o, e->ts.b, tsn);
	o = varint_write(o, e->ns);
	for (size_t i = 0; i < e->ns; i++) {
		const struct stream *s = &e->s[e->order[i]];
		size_t sn = (s->w.nbits + 7) / 8;
		o = varint_write(o, (uint64_t)s->metric);
		o = varint_write(o, s->first);
		o = varint_write(o, s->count);
		o = varint_write(o, sn);
		o = put_bytes(o, s->w.b, sn);
	}
	e->out.len = (size_t)(o - e->out.b);
	*len = e->out.len;
	return e->out.b;
}

void
chunk_enc_release(struct chunk_enc *e)
{
	free(e->out.b);
	e->out.b = NULL;
	e->out.len = e->out.cap = 0;
}

/* ---- decoder ------------------------------------------------------------- */

struct samples {
	struct chunk_sample	*v;
	size_t			 n, cap;
};

static void
samples_add(struct samples *o, const struct chunk_sample *x)
{
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 64;
		o->v = xreallocarray(o->v, o->cap, sizeof *o->v);
	}
	o->v[o->n++] = *x;
}

/*
 * Decodes one stream's bits into o, with the shared timestamps. last_only:
 * only its last point at or before hi goes to o (the stream stops there).
 */
static int
stream_decode(enum chunk_kind kind, int64_t metric, const int64_t *ts, uint64_t first,
    uint64_t count, const unsigned char *b, size_t nbytes, int64_t hi, int last_only,
    struct samples *o)
{
	struct bitr r = { b, nbytes * 8, 0 };
	struct xor_state x[3] = { { 0, 0, 0 }, { 0, 0, 0 }, { 0, 0, 0 } };
	int64_t n = 0;
	struct chunk_sample best;
	int have = 0;

	for (uint64_t i = 0; i < count; i++) {
		struct chunk_sample p = { metric, ts[first + i], 0, 0, 0, 1 };
		if (last_only && p.ts > hi)
			break;
		if (kind == CHUNK_RAW) {
			if (xor_get(&r, &x[0], &p.avg) != 0)
				return -1;
			if (isnan(p.avg))
				continue;
			p.min = p.max = p.avg;
		} else {
			uint64_t c, v;
			if (bitr_get(&r, 1, &c) != 0)
				return -1;
			if (c) {
				if (bitr_get(&r, 32, &v) != 0)
					return -1;
				n = (int64_t)v;
			}
			if (n == 0)
				continue;
			p.n = n;
			if (xor_get(&r, &x[0], &p.min) != 0 || xor_get(&r, &x[1], &p.avg) != 0 ||
			    xor_get(&r, &x[2], &p.max) != 0)
				return -1;
		}
		if (last_only) {
			best = p;
			have = 1;
		} else {
			samples_add(o, &p);
		}
	}
	if (have)
		samples_add(o, &best);
	return 0;
}

/* chunk_decode and chunk_decode_last: every point, or each stream's last at or before hi. */
static int
decode(const void *data, size_t len, int64_t metric, int64_t hi, int last_only,
    enum chunk_kind *kindp, struct chunk_sample **out, size_t *nout)
{
	const unsigned char *p = data, *end = p + len;
	uint64_t npoints, tsbytes, ns;
	struct samples o = { NULL, 0, 0 };
	int64_t *ts = NULL;

	*out = NULL;
	*nout = 0;
	if (len < 2 || p[0] != CHUNK_FORMAT || (p[1] != CHUNK_RAW && p[1] != CHUNK_ROLLUP))
		return -1;
	enum chunk_kind kind = p[1] == CHUNK_RAW ? CHUNK_RAW : CHUNK_ROLLUP;
	p += 2;
	if (varint_read(&p, end, &npoints) != 0 || npoints > CHUNK_MAX_POINTS ||
	    varint_read(&p, end, &tsbytes) != 0 || tsbytes > (size_t)(end - p) ||
	    npoints > tsbytes * 8)
		return -1;
	ts = xreallocarray(NULL, npoints ? npoints : 1, sizeof *ts);
	struct bitr r = { p, tsbytes * 8, 0 };
	int64_t prev = 0, delta = 0;
	for (uint64_t i = 0; i < npoints; i++)
		if (ts_get(&r, i, &prev, &delta, &ts[i]) != 0)
			goto bad;
	p += tsbytes;
	if (varint_read(&p, end, &ns) != 0 || ns > CHUNK_MAX_STREAMS)
		goto bad;
	for (uint64_t i = 0, last = 0; i < ns; i++) {
		uint64_t mid, first, count, nbytes;
		if (varint_read(&p, end, &mid) != 0 || mid > INT64_MAX || (i > 0 && mid <= last) ||
		    varint_read(&p, end, &first) != 0 || varint_read(&p, end, &count) != 0 ||
		    varint_read(&p, end, &nbytes) != 0 || nbytes > (size_t)(end - p) ||
		    first > npoints || count > npoints - first || count > nbytes * 8)
			goto bad;
		last = mid;
		if (metric < 0 || (int64_t)mid == metric) {
			if (stream_decode(kind, (int64_t)mid, ts, first, count, p, nbytes, hi,
			    last_only, &o) != 0)
				goto bad;
		}
		p += nbytes;
	}
	if (p != end)
		goto bad;
	free(ts);
	if (kindp != NULL)
		*kindp = kind;
	*out = o.v;
	*nout = o.n;
	return 0;
bad:
	free(ts);
	free(o.v);
	return -1;
}

/* See chunk.h. */
int
chunk_decode(const void *data, size_t len, int64_t metric, enum chunk_kind *kindp,
    struct chunk_sample **out, size_t *nout)
{
	return decode(data, len, metric, INT64_MAX, 0, kindp, out, nout);
}

/* See chunk.h. */
int
chunk_decode_last(const void *data, size_t len, int64_t hi, struct chunk_sample **out,
    size_t *nout)
{
	return decode(data, len, -1, hi, 1, NULL, out, nout);
}
