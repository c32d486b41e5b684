/*
 * test_chunk.c: the compact sample encoding (chunk.h): round trips of raw
 * and rollup chunks bit for bit, timestamps at the edges, the byte layout
 * held to fixtures (tests/fixtures/chunk/; CHUNK_WRITE_FIXTURES=DIR writes
 * them again), what it costs, and damaged input refused without a crash.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/chunk.h"
#include "opsdeck/util.h"

static int
same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

/* Decodes data for metric (or all), asserting success. */
static struct chunk_sample *
decode_ok(const unsigned char *data, size_t len, int64_t metric, enum chunk_kind want,
    size_t *n)
{
	struct chunk_sample *p;
	enum chunk_kind kind;
	assert_int_equal(chunk_decode(data, len, metric, &kind, &p, n), 0);
	assert_int_equal(kind, want);
	return p;
}

/* A value of metric m at point i: a mix of the shapes real metrics have. */
static double
value_at(int m, int i)
{
	switch (m % 6) {
	case 0: return 42.0;					/* constant */
	case 1: return (double)(i * 7 % 1000) / 10.0;		/* percentages */
	case 2: return (double)((uint64_t)i * 4096 + (100ULL << 30));	/* bytes */
	case 3: return i % 2 ? -0.0 : 0.0;			/* signed zero */
	case 4: return i % 17 == 0 ? 1e300 : 1e-300 * i;	/* extremes */
	default: return sin(i * 0.1) * 1000;			/* noise */
	}
}

static void
test_raw_round_trip(void **state)
{
	(void)state;
	struct chunk_enc *e = chunk_enc_new(CHUNK_RAW);
	const int npoints = 500, nmetrics = 12;
	int64_t ts[500];

	int64_t t = 1767225600000LL;
	for (int i = 0; i < npoints; i++) {
		/* 1 s ticks with jitter, a pause, and one huge jump. */
		t += 1000 + (i % 7) * 3 - 9 + (i == 100 ? 3600000 : 0) +
		    (i == 300 ? (int64_t)1 << 40 : 0);
		ts[i] = t;
		assert_int_equal(chunk_enc_point(e, t), 0);
		for (int m = 0; m < nmetrics; m++) {
			/* Metric 7 appears at point 50; metric 9 misses every 10th point. */
			if ((m == 7 && i < 50) || (m == 9 && i % 10 == 0))
				continue;
			chunk_enc_value(e, 1000 + m, value_at(m, i));
		}
		/* Ignored: a second value, a NaN, a negative id. */
		chunk_enc_value(e, 1000, 1.0);
		chunk_enc_value(e, 1001, NAN);
		chunk_enc_value(e, -5, 1.0);
	}
	assert_int_equal(chunk_enc_points(e), npoints);
	assert_int_equal(chunk_enc_first(e), ts[0]);
	assert_int_equal(chunk_enc_last(e), ts[npoints - 1]);
	/* Time must move forward. */
	assert_int_equal(chunk_enc_point(e, ts[npoints - 1]), -1);

	size_t len, n;
	const unsigned char *data = chunk_enc_data(e, &len);
	struct chunk_sample *p = decode_ok(data, len, -1, CHUNK_RAW, &n);
	size_t k = 0;
	for (int m = 0; m < nmetrics; m++)
		for (int i = 0; i < npoints; i++) {
			if ((m == 7 && i < 50) || (m == 9 && i % 10 == 0))
				continue;
			assert_true(k < n);
			assert_int_equal(p[k].metric, 1000 + m);
			assert_int_equal(p[k].ts, ts[i]);
			assert_true(same_bits(p[k].avg, value_at(m, i)));
			assert_true(same_bits(p[k].min, p[k].avg) && same_bits(p[k].max, p[k].avg));
			assert_int_equal(p[k].n, 1);
			k++;
		}
	assert_int_equal(k, n);
	free(p);

	/* Released, the same bytes come again. */
	unsigned char *copy = xmalloc(len);
	memcpy(copy, data, len);
	chunk_enc_release(e);
	size_t len2;
	data = chunk_enc_data(e, &len2);
	assert_int_equal(len2, len);
	assert_memory_equal(data, copy, len);
	free(copy);

	/* One metric alone. */
	p = decode_ok(data, len, 1009, CHUNK_RAW, &n);
	assert_int_equal(n, npoints - npoints / 10);
	assert_int_equal(p[0].ts, ts[1]);
	free(p);
	p = decode_ok(data, len, 5, CHUNK_RAW, &n);
	assert_int_equal(n, 0);
	assert_null(p);
	chunk_enc_free(e);
}

static void
test_rollup_round_trip(void **state)
{
	(void)state;
	struct chunk_enc *e = chunk_enc_new(CHUNK_ROLLUP);

	for (int i = 0; i < 60; i++) {
		assert_int_equal(chunk_enc_point(e, 3600000 + i * 60000), 0);
		for (int m = 1; m <= 3; m++) {
			if (m == 2 && i % 3 == 0)
				continue;	/* absent minutes */
			chunk_enc_rollup(e, m, i - 0.5, i + m * 0.25, i + 0.5, m == 3 ? 30 - i % 2 : 30);
		}
		chunk_enc_rollup(e, 4, 1, 2, 3, 0);	/* no samples: ignored */
		chunk_enc_value(e, 5, 1.0);		/* a raw value: ignored */
	}
	size_t len, n;
	const unsigned char *data = chunk_enc_data(e, &len);
	struct chunk_sample *p = decode_ok(data, len, -1, CHUNK_ROLLUP, &n);
	assert_int_equal(n, 60 + 40 + 60);
	size_t k = 0;
	for (int m = 1; m <= 3; m++)
		for (int i = 0; i < 60; i++) {
			if (m == 2 && i % 3 == 0)
				continue;
			assert_int_equal(p[k].metric, m);
			assert_int_equal(p[k].ts, 3600000 + i * 60000);
			assert_true(p[k].min == i - 0.5 && p[k].max == i + 0.5);
			assert_true(p[k].avg == i + m * 0.25);
			assert_int_equal(p[k].n, m == 3 ? 30 - i % 2 : 30);
			k++;
		}
	free(p);
	chunk_enc_free(e);
}

/* Regular ticks of constant values cost a bit or two a sample. */
static void
test_compact(void **state)
{
	(void)state;
	struct chunk_enc *e = chunk_enc_new(CHUNK_RAW);
	for (int i = 0; i < 1000; i++) {
		chunk_enc_point(e, 1767225600000LL + i * 2000);
		for (int m = 0; m < 20; m++)
			chunk_enc_value(e, m + 1, m < 15 ? 7.0 : (double)(i % 50));
	}
	size_t len;
	chunk_enc_data(e, &len);
	/*
	 * 20,000 samples: 15 constant series at 1 bit, 5 of small integers at
	 * about 18 (13,207 bytes when written), 1 bit a timestamp.
	 */
	assert_true(len < 15000 / 8 + 5 * 1000 * 19 / 8 + 1000 / 8 + 400);
	chunk_enc_free(e);
}

static void
test_timestamps(void **state)
{
	(void)state;
	static const int64_t t[] = {
		INT64_MIN, INT64_MIN + 1, -5000, -1, 0, 1, 64, 130, 2200, 600000,
		INT64_MAX / 2, INT64_MAX - 1, INT64_MAX,
	};
	struct chunk_enc *e = chunk_enc_new(CHUNK_RAW);
	for (size_t i = 0; i < OD_ARRAY_LEN(t); i++) {
		assert_int_equal(chunk_enc_point(e, t[i]), 0);
		chunk_enc_value(e, 1, (double)i);
	}
	size_t len, n;
	const unsigned char *data = chunk_enc_data(e, &len);
	struct chunk_sample *p = decode_ok(data, len, 1, CHUNK_RAW, &n);
	assert_int_equal(n, OD_ARRAY_LEN(t));
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(p[i].ts, t[i]);
		assert_true(p[i].avg == (double)i);
	}
	free(p);
	chunk_enc_free(e);

	/* Empty chunks decode to nothing. */
	e = chunk_enc_new(CHUNK_ROLLUP);
	data = chunk_enc_data(e, &len);
	p = decode_ok(data, len, -1, CHUNK_ROLLUP, &n);
	assert_int_equal(n, 0);
	chunk_enc_free(e);
}

/* The fixtures' chunks, made again the same way. */
static struct chunk_enc *
fixture_chunk(const char *name)
{
	struct chunk_enc *e;
	if (strcmp(name, "raw.bin") == 0) {
		e = chunk_enc_new(CHUNK_RAW);
		for (int i = 0; i < 40; i++) {
			chunk_enc_point(e, 1767225600000LL + i * 2000 + (i % 3));
			for (int m = 0; m < 6; m++)
				if (!(m == 4 && i < 10))
					chunk_enc_value(e, m + 1, value_at(m, i));
		}
	} else {
		e = chunk_enc_new(CHUNK_ROLLUP);
		for (int i = 0; i < 20; i++) {
			chunk_enc_point(e, 1767225600000LL + i * 60000);
			for (int m = 0; m < 3; m++)
				chunk_enc_rollup(e, m + 1, value_at(m, i), value_at(m, i + 1),
				    value_at(m, i + 2), 30 + (i == 7));
		}
	}
	return e;
}

/* The layout is the cache's on-disk format: it changes only with a new CHUNK_FORMAT. */
static void
test_fixtures(void **state)
{
	(void)state;
	static const char *const names[] = { "raw.bin", "rollup.bin" };
	const char *out = getenv("CHUNK_WRITE_FIXTURES");

	for (size_t i = 0; i < OD_ARRAY_LEN(names); i++) {
		struct chunk_enc *e = fixture_chunk(names[i]);
		size_t len;
		const unsigned char *data = chunk_enc_data(e, &len);
		char *path = xasprintf("%s/chunk/%s", out ? out : getenv("FIXTURES"), names[i]);
		FILE *fp = fopen(path, out ? "wb" : "rb");
		assert_non_null(fp);
		if (out) {
			assert_int_equal(fwrite(data, 1, len, fp), len);
		} else {
			unsigned char buf[8192];
			size_t got = fread(buf, 1, sizeof buf, fp);
			assert_int_equal(got, len);
			assert_memory_equal(buf, data, len);
		}
		fclose(fp);
		free(path);
		chunk_enc_free(e);
	}
}

/*
 * Every truncation of a chunk is refused; flipped bits and bytes never make
 * the decoder read outside the chunk (run under the sanitizers) and never
 * yield more than 8 points a byte.
 */
static void
test_damaged(void **state)
{
	(void)state;
	for (int f = 0; f < 2; f++) {
		struct chunk_enc *e = fixture_chunk(f ? "rollup.bin" : "raw.bin");
		size_t len, n;
		const unsigned char *data = chunk_enc_data(e, &len);
		struct chunk_sample *p;
		for (size_t cut = 0; cut < len; cut++) {
			/* An exact copy, so that the sanitizers see any read past it. */
			unsigned char *c = xmalloc(cut ? cut : 1);
			memcpy(c, data, cut);
			assert_int_equal(chunk_decode(c, cut, -1, NULL, &p, &n), -1);
			assert_null(p);
			assert_int_equal(n, 0);
			free(c);
		}
		unsigned char *c = xmalloc(len);
		int refused = 0;
		for (size_t bit = 0; bit < len * 8; bit++) {
			memcpy(c, data, len);
			c[bit / 8] ^= (unsigned char)(1u << (bit % 8));
			if (chunk_decode(c, len, -1, NULL, &p, &n) != 0) {
				refused++;
				continue;
			}
			assert_true(n <= 8 * len);
			for (size_t i = 1; i < n; i++)
				if (p[i].metric == p[i - 1].metric)
					assert_true(p[i].ts > p[i - 1].ts);
			free(p);
		}
		assert_true(refused > 0);
		/* Trailing garbage is refused too. */
		unsigned char *longer = xmalloc(len + 1);
		memcpy(longer, data, len);
		longer[len] = 0;
		assert_int_equal(chunk_decode(longer, len + 1, -1, NULL, &p, &n), -1);
		free(longer);
		free(c);
		chunk_enc_free(e);
	}
	/* Unknown format and kind. */
	static const unsigned char bad[][4] = { { 2, 0, 0, 0 }, { 1, 7, 0, 0 } };
	struct chunk_sample *p;
	size_t n;
	for (size_t i = 0; i < OD_ARRAY_LEN(bad); i++)
		assert_int_equal(chunk_decode(bad[i], 4, -1, NULL, &p, &n), -1);
}

/* chunk_decode_last: each metric's last point at or before hi, nothing after. */
static void
test_decode_last(void **state)
{
	(void)state;
	struct chunk_enc *e = chunk_enc_new(CHUNK_RAW);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(chunk_enc_point(e, 1000000 + i * 1000), 0);
		chunk_enc_value(e, 7, i * 1.5);
		if (i < 4)
			chunk_enc_value(e, 9, 100 + i);	/* 9 stops after the 4th point */
		if (i == 6)
			chunk_enc_value(e, 11, NAN);	/* a gap is not a point */
	}
	size_t len, n;
	const unsigned char *data = chunk_enc_data(e, &len);
	struct chunk_sample *p;

	assert_int_equal(chunk_decode_last(data, len, 1005500, &p, &n), 0);
	assert_int_equal(n, 2);
	assert_true(p[0].metric == 7 && p[0].ts == 1005000 && p[0].avg == 7.5);
	assert_true(p[1].metric == 9 && p[1].ts == 1003000 && p[1].avg == 103);
	free(p);
	assert_int_equal(chunk_decode_last(data, len, 1009000, &p, &n), 0);
	assert_true(n == 2 && p[0].ts == 1009000 && p[0].avg == 13.5);
	free(p);
	assert_int_equal(chunk_decode_last(data, len, 999999, &p, &n), 0);
	assert_int_equal(n, 0);
	free(p);
	assert_int_equal(chunk_decode_last(data, len / 2, 1009000, &p, &n), -1);
	chunk_enc_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_round_trip),
		cmocka_unit_test(test_rollup_round_trip),
		cmocka_unit_test(test_compact),
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_decode_last),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
