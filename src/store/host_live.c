/*
 * host_live.c: a host's latest GPUs and sensors as one blob (hostlive.h),
 * the writer's host_live row.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/hostlive.h"
#include "opsdeck/util.h"
#include "varint.h"

#define LIVE_MAGIC	'L'
#define LIVE_VERSION	1
#define VARINT_MAX	5	/* the counts and lengths here: 32 bits */

/* ---- writing ------------------------------------------------------------- */

static unsigned char *
put_u64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		*p++ = (unsigned char)(v >> (8 * i));
	return p;
}

static unsigned char *
put_f64(unsigned char *p, double d)
{
	uint64_t v;
	memcpy(&v, &d, sizeof v);
	return put_u64(p, v);
}

/* A NUL-terminated field of size max: its length, then its bytes. */
static unsigned char *
put_str(unsigned char *p, const char *s, size_t max)
{
	size_t n = strnlen(s, max - 1);
	p = varint_write(p, (uint32_t)n);
	memcpy(p, s, n);
	return p + n;
}

#define GPU_MAX_BYTES	(VARINT_MAX + 2 * (VARINT_MAX + PROBE_NAME_MAX) + 9 * 8)
#define SENSOR_MAX_BYTES (4 * VARINT_MAX + SENSOR_NAME_MAX + SENSOR_UNIT_MAX + \
    SENSOR_STATUS_MAX + SENSOR_STATE_MAX + 8 + 1)
#define GPU_MIN_BYTES	(3 + 9 * 8)	/* an index, two empty strings, the numbers */
#define SENSOR_MIN_BYTES (4 + 8 + 1)	/* four empty strings, the value, the level */

/* See hostlive.h. */
unsigned char *
host_live_encode(const struct gpu_sample *g, int ng, const struct sensor_sample *s, int ns,
    size_t *len)
{
	ng = g != NULL ? OD_MAX(0, OD_MIN(ng, PROBE_MAX_GPUS)) : 0;
	ns = s != NULL ? OD_MAX(0, OD_MIN(ns, PROBE_MAX_SENSORS)) : 0;
	unsigned char *out = xmalloc(2 + 2 * VARINT_MAX + (size_t)ng * GPU_MAX_BYTES +
	    (size_t)ns * SENSOR_MAX_BYTES);
	unsigned char *p = out;

	*p++ = LIVE_MAGIC;
	*p++ = LIVE_VERSION;
	p = varint_write(p, (uint32_t)ng);
	for (int i = 0; i < ng; i++) {
		const struct gpu_sample *x = &g[i];
		p = varint_write(p, (uint32_t)x->index);
		p = put_str(p, x->uuid, sizeof x->uuid);
		p = put_str(p, x->name, sizeof x->name);
		p = put_f64(p, x->util_pct);
		p = put_f64(p, x->mem_util_pct);
		p = put_u64(p, (uint64_t)x->mem_used_bytes);
		p = put_u64(p, (uint64_t)x->mem_total_bytes);
		p = put_f64(p, x->temp_c);
		p = put_f64(p, x->power_w);
		p = put_f64(p, x->power_limit_w);
		p = put_u64(p, (uint64_t)x->ecc_uncorrected);
		p = put_u64(p, x->throttle_reasons);
	}
	p = varint_write(p, (uint32_t)ns);
	for (int i = 0; i < ns; i++) {
		const struct sensor_sample *x = &s[i];
		p = put_str(p, x->name, sizeof x->name);
		p = put_f64(p, x->value);
		p = put_str(p, x->unit, sizeof x->unit);
		p = put_str(p, x->status, sizeof x->status);
		*p++ = (unsigned char)x->level;
		p = put_str(p, x->state, sizeof x->state);
	}
	*len = (size_t)(p - out);
	return out;
}

/* ---- reading ------------------------------------------------------------- */

struct rd {
	const unsigned char *p, *end;
	int bad;
};

/* A count, length or index: 32 bits at most. */
static uint32_t
get_varint(struct rd *r)
{
	uint64_t v;
	if (r->bad || varint_read(&r->p, r->end, &v) != 0 || v > UINT32_MAX) {
		r->bad = 1;
		return 0;
	}
	return (uint32_t)v;
}

static uint64_t
get_u64(struct rd *r)
{
	uint64_t v = 0;
	if (r->end - r->p < 8) {
		r->bad = 1;
		r->p = r->end;
		return 0;
	}
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += 8;
	return v;
}

static double
get_f64(struct rd *r)
{
	uint64_t v = get_u64(r);
	double d;
	memcpy(&d, &v, sizeof d);
	return d;
}

/* Into a field of size max, NUL-terminated; longer than it fits: bad. */
static void
get_str(struct rd *r, char *dst, size_t max)
{
	uint32_t n = get_varint(r);
	dst[0] = '\0';
	if (r->bad || n >= max || (size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return;
	}
	memcpy(dst, r->p, n);
	dst[n] = '\0';
	r->p += n;
}

/* See hostlive.h. */
int
host_live_decode(const void *blob, size_t len, struct gpu_sample **g, int *ng,
    struct sensor_sample **s, int *ns)
{
	struct rd r = { blob, (const unsigned char *)blob + len, 0 };
	struct gpu_sample *gv = NULL;
	struct sensor_sample *sv = NULL;
	uint32_t n, m;

	*g = NULL;
	*s = NULL;
	*ng = *ns = 0;
	if (blob == NULL || len < 2 || r.p[0] != LIVE_MAGIC || r.p[1] != LIVE_VERSION)
		return -1;
	r.p += 2;
	n = get_varint(&r);
	/* a count past what the rest could hold is a lie: never allocate it */
	if (r.bad || n > PROBE_MAX_GPUS || n > (size_t)(r.end - r.p) / GPU_MIN_BYTES)
		return -1;
	if (n > 0)
		gv = xcalloc(n, sizeof *gv);
	for (uint32_t i = 0; i < n && !r.bad; i++) {
		struct gpu_sample *x = &gv[i];
		x->index = (int)(int32_t)get_varint(&r);	/* as written, sign and all */
		get_str(&r, x->uuid, sizeof x->uuid);
		get_str(&r, x->name, sizeof x->name);
		x->util_pct = get_f64(&r);
		x->mem_util_pct = get_f64(&r);
		x->mem_used_bytes = (int64_t)get_u64(&r);
		x->mem_total_bytes = (int64_t)get_u64(&r);
		x->temp_c = get_f64(&r);
		x->power_w = get_f64(&r);
		x->power_limit_w = get_f64(&r);
		x->ecc_uncorrected = (int64_t)get_u64(&r);
		x->throttle_reasons = get_u64(&r);
	}
	m = get_varint(&r);
	if (r.bad || m > PROBE_MAX_SENSORS || m > (size_t)(r.end - r.p) / SENSOR_MIN_BYTES)
		goto bad;
	if (m > 0)
		sv = xcalloc(m, sizeof *sv);
	for (uint32_t i = 0; i < m && !r.bad; i++) {
		struct sensor_sample *x = &sv[i];
		get_str(&r, x->name, sizeof x->name);
		x->value = get_f64(&r);
		get_str(&r, x->unit, sizeof x->unit);
		get_str(&r, x->status, sizeof x->status);
		if (r.p >= r.end) {
			r.bad = 1;
			break;
		}
		unsigned char level = *r.p++;
		x->level = level <= SENSOR_OTHER ? (enum sensor_status)level : SENSOR_OTHER;
		get_str(&r, x->state, sizeof x->state);
	}
	if (r.bad || r.p != r.end)
		goto bad;
	*g = gv;
	*ng = (int)n;
	*s = sv;
	*ns = (int)m;
	return 0;
bad:
	free(gv);
	free(sv);
	return -1;
}
