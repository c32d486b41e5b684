/*
 * chunk.h: the compact sample encoding of the cache (src/store/chunk.c).
 * Pure: bytes in, points out; no I/O, no globals.
 *
 * A chunk holds consecutive points of one host for many metrics: one shared
 * column of timestamps (delta-of-delta, as in Gorilla and Prometheus' TSDB)
 * and one stream per metric of XOR-ed doubles. Two kinds: raw (one value a
 * point) and rollup (min, avg, max and a count a point). A metric absent at
 * a point (it appeared later, or vanished for a while) costs a few bits.
 *
 * Layout, integers as LEB128 varints unless said:
 *   u8 CHUNK_FORMAT, u8 kind, npoints, ts_nbytes, ts bits,
 *   nstreams, then per stream in increasing metric id: metric id, first
 *   point, points in the stream, nbytes, bits.
 * Timestamps: 64 bits for the first, then delta-of-delta in buckets
 * ('0': same delta; '10'+7, '110'+12, '1110'+20 bits signed; '1111'+64).
 * Values (Gorilla's XOR against the previous value of the same field,
 * starting from 0): '0' same; '10' inside the previous window; '11',
 * 5 bits of leading zeros, 6 bits of length - 1, the meaningful bits.
 * Raw streams mark an absent point with a NaN value; rollup points start
 * with the count ('0': the previous count; '1'+32 bits) and a count of 0
 * (absent) has no values.
 *
 * Decoding never trusts its input: a chunk whose header, timestamps or the
 * streams asked for are truncated, overlong or inconsistent is refused whole
 * (-1), never read past its end.
 */
#ifndef OPSDECK_CHUNK_H
#define OPSDECK_CHUNK_H

#include <stddef.h>
#include <stdint.h>

#define CHUNK_FORMAT		1
#define CHUNK_MAX_POINTS	65536	/* points in one chunk */
#define CHUNK_MAX_STREAMS	65536	/* metrics in one chunk */

enum chunk_kind {
	CHUNK_RAW	= 0,
	CHUNK_ROLLUP	= 1,
};

/* One decoded point of one metric; raw points have min = avg = max, n = 1. */
struct chunk_sample {
	int64_t	 metric;
	int64_t	 ts;
	double	 min, avg, max;
	int64_t	 n;
};

struct chunk_enc;

/* An empty encoder of kind; chunk_enc_free it. */
struct chunk_enc *chunk_enc_new(enum chunk_kind kind);
void chunk_enc_free(struct chunk_enc *e);

/*
 * Starts the next point at ts, which must be above the previous point's.
 * -1 (nothing changed) when it is not, or when the chunk holds
 * CHUNK_MAX_POINTS.
 */
int chunk_enc_point(struct chunk_enc *e, int64_t ts);
/*
 * The current point's value of metric (raw chunks). Ignored before the first
 * point, for a NaN, a second value of the same metric at one point, a
 * metric id below 0, or past CHUNK_MAX_STREAMS metrics.
 */
void chunk_enc_value(struct chunk_enc *e, int64_t metric, double v);
/* The current point's rollup of metric (rollup chunks); n <= 0 is ignored. */
void chunk_enc_rollup(struct chunk_enc *e, int64_t metric, double min, double avg,
	    double max, int64_t n);

size_t	chunk_enc_points(const struct chunk_enc *e);
/* First and last point's time; 0 without points. */
int64_t	chunk_enc_first(const struct chunk_enc *e);
int64_t	chunk_enc_last(const struct chunk_enc *e);
/*
 * The chunk as it stands, *len bytes owned by e, valid until the next call
 * on e. An encoder can go on after it.
 */
const unsigned char *chunk_enc_data(struct chunk_enc *e, size_t *len);
/*
 * Frees what chunk_enc_data returned (the writer keeps thousands of open
 * encoders and needs each one's bytes only while it writes them).
 */
void chunk_enc_release(struct chunk_enc *e);

/*
 * Decodes the points of metric (every metric when metric < 0) in data,
 * skipping absent ones: by metric, each in time order. 0 with *out (caller
 * frees; NULL when none), *n and *kind; -1 with
 * nothing when the chunk is damaged. At most 8 * len points come out.
 */
int chunk_decode(const void *data, size_t len, int64_t metric, enum chunk_kind *kind,
	    struct chunk_sample **out, size_t *n);
/*
 * As chunk_decode for every metric, but only each metric's last point at or
 * before hi (the fleet as of a time reads no more): at most one point per
 * metric, in stream order. 0, or -1 for a damaged chunk.
 */
int chunk_decode_last(const void *data, size_t len, int64_t hi, struct chunk_sample **out,
	    size_t *nout);

#endif
