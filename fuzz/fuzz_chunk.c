/*
 * fuzz_chunk.c: the compact sample encoding (chunk.h) both ways.
 *   - The input as a chunk: chunk_decode (every metric, then metric 1) never
 *     reads outside it, yields at most 8 points a byte, each stream in
 *     strictly increasing time, rollup counts above 0.
 *   - The input as a script for the encoder (a point per 9 bytes: a time
 *     step and a value for a metric): what it encodes decodes to the same
 *     points, bit for bit.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/chunk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_decoded(const uint8_t *data, size_t size, int64_t metric)
{
	struct chunk_sample *p;
	enum chunk_kind kind;
	size_t n;

	if (chunk_decode(data, size, metric, &kind, &p, &n) != 0) {
		if (p != NULL || n != 0)
			abort();
		return;
	}
	if (n > 8 * size)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (metric >= 0 && p[i].metric != metric)
			abort();
		if (kind == CHUNK_ROLLUP ? p[i].n <= 0 : p[i].n != 1 || isnan(p[i].avg))
			abort();
		if (i > 0 && p[i].metric == p[i - 1].metric && p[i].ts <= p[i - 1].ts &&
		    metric >= 0)
			abort();
	}
	free(p);

	/* each metric's last point before a time: at most one per metric, none after */
	int64_t hi = size > 8 ? (int64_t)(data[size - 1] | data[size - 2] << 8) * 1000 : 0;
	if (metric < 0 && chunk_decode_last(data, size, hi, &p, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			if (p[i].ts > hi || (i > 0 && p[i].metric <= p[i - 1].metric))
				abort();
		free(p);
	}
}

static int
sample_cmp(const void *a, const void *b)
{
	const struct chunk_sample *x = a, *y = b;
	if (x->metric != y->metric)
		return x->metric < y->metric ? -1 : 1;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static void
round_trip(const uint8_t *data, size_t size)
{
	struct chunk_enc *e = chunk_enc_new(CHUNK_RAW);
	struct chunk_sample *w = calloc(size / 9 + 1, sizeof *w);	/* what was asked for */
	size_t nw = 0;
	int64_t ts = -1000000;

	if (w == NULL)
		abort();
	for (size_t i = 0; i + 9 <= size; i += 9) {
		uint64_t bits;
		memcpy(&bits, data + i + 1, sizeof bits);
		int64_t metric = data[i] & 7;
		/* Steps of 0 (same point), regular, or far. */
		int step = data[i] >> 3;
		if (step != 0 && chunk_enc_points(e) >= CHUNK_MAX_POINTS)
			break;
		if (step != 0) {
			ts += step < 16 ? 1000 + step : (int64_t)step << 30;
			if (chunk_enc_point(e, ts) != 0)
				abort();
		} else if (chunk_enc_points(e) == 0) {
			continue;	/* no point to put it in yet */
		}
		double v;
		memcpy(&v, &bits, sizeof v);
		int dup = 0;
		for (size_t k = 0; k < nw; k++)
			if (w[k].metric == metric && w[k].ts == ts)
				dup = 1;
		chunk_enc_value(e, metric, v);
		if (!isnan(v) && !dup)
			w[nw++] = (struct chunk_sample){ metric, ts, v, v, v, 1 };
	}
	size_t len, n;
	const unsigned char *out = chunk_enc_data(e, &len);
	struct chunk_sample *p;
	if (chunk_decode(out, len, -1, NULL, &p, &n) != 0 || n != nw)
		abort();
	qsort(w, nw, sizeof *w, sample_cmp);
	if (n > 0)
		qsort(p, n, sizeof *p, sample_cmp);
	for (size_t i = 0; i < n; i++) {
		if (p[i].metric != w[i].metric || p[i].ts != w[i].ts ||
		    memcmp(&p[i].avg, &w[i].avg, sizeof p[i].avg) != 0)
			abort();
	}
	free(p);
	free(w);
	chunk_enc_free(e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_decoded(data, size, -1);
	check_decoded(data, size, 1);
	round_trip(data, size);
	return 0;
}
