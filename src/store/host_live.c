/*
 * host_live.c: a host's latest GPUs, sensors and GPU processes as one blob
 * (hostlive.h), the writer's host_live row.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/hostlive.h"
#include "opsdeck/util.h"
#include "varint.h"

#define LIVE_MAGIC	'L'
#define LIVE_VERSION	2	/* 1: no processes (schema 6 and 7) */
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
#define PROC_MAX_BYTES	(2 * VARINT_MAX + 8 + 3 * VARINT_MAX + GPU_PROC_USER_MAX + \
    GPU_PROC_JOB_MAX + GPU_PROC_NAME_MAX)
#define GPU_MIN_BYTES	(3 + 9 * 8)	/* an index, two empty strings, the numbers */
#define SENSOR_MIN_BYTES (4 + 8 + 1)	/* four empty strings, the value, the level */
#define PROC_MIN_BYTES	(2 + 8 + 3)	/* GPU, pid, the memory, three empty strings */

/* See hostlive.h. */
unsigned char *
host_live_encode(const struct host_live *l, size_t *len)
{
	const struct gpu_sample *g = l->gpus;
	const struct sensor_sample *s = l->sensors;
	const struct gpu_proc *q = l->procs;
	int ng = g != NULL ? OD_MAX(0, OD_MIN(l->ngpus, PROBE_MAX_GPUS)) : 0;
	int ns = s != NULL ? OD_MAX(0, OD_MIN(l->nsensors, PROBE_MAX_SENSORS)) : 0;
	int nq = q != NULL ? OD_MAX(0, OD_MIN(l->nprocs, PROBE_MAX_GPU_PROCS)) : 0;
	unsigned char *out = xmalloc(2 + 3 * VARINT_MAX + (size_t)ng * GPU_MAX_BYTES +
	    (size_t)ns * SENSOR_MAX_BYTES + (size_t)nq * PROC_MAX_BYTES);
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
	p = varint_write(p, (uint32_t)nq);
	for (int i = 0; i < nq; i++) {
		const struct gpu_proc *x = &q[i];
		p = varint_write(p, (uint32_t)x->gpu);
		p = varint_write(p, (uint32_t)x->pid);
		p = put_u64(p, (uint64_t)x->mem_used_bytes);
		p = put_str(p, x->user, sizeof x->user);
		p = put_str(p, x->job, sizeof x->job);
		p = put_str(p, x->name, sizeof x->name);
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

/*
 * A count of records of at least min bytes each, into *n, and a zeroed array
 * of that many of size bytes (NULL for none). The count is at most max and
 * no more than the rest could hold (a lie is never allocated); 0 and bad
 * otherwise.
 */
static void *
get_records(struct rd *r, uint32_t max, size_t min, size_t size, uint32_t *n)
{
	*n = get_varint(r);
	if (!r->bad && (*n > max || *n > (size_t)(r->end - r->p) / min))
		r->bad = 1;
	if (r->bad)
		*n = 0;
	return *n > 0 ? xcalloc(*n, size) : NULL;
}

/* See hostlive.h. */
int
host_live_decode(const void *blob, size_t len, struct host_live *out)
{
	struct rd r = { blob, (const unsigned char *)blob + len, 0 };
	struct host_live l = { 0 };
	uint32_t n, m, k = 0;
	int version;

	memset(out, 0, sizeof *out);
	if (blob == NULL || len < 2 || r.p[0] != LIVE_MAGIC || r.p[1] < 1 ||
	    r.p[1] > LIVE_VERSION)
		return -1;
	version = r.p[1];
	r.p += 2;
	l.gpus = get_records(&r, PROBE_MAX_GPUS, GPU_MIN_BYTES, sizeof *l.gpus, &n);
	for (uint32_t i = 0; i < n && !r.bad; i++) {
		struct gpu_sample *x = &l.gpus[i];
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
	l.sensors = get_records(&r, PROBE_MAX_SENSORS, SENSOR_MIN_BYTES, sizeof *l.sensors,
	    &m);
	for (uint32_t i = 0; i < m && !r.bad; i++) {
		struct sensor_sample *x = &l.sensors[i];
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
	if (version >= 2) {
		l.procs = get_records(&r, PROBE_MAX_GPU_PROCS, PROC_MIN_BYTES, sizeof *l.procs,
		    &k);
		for (uint32_t i = 0; i < k && !r.bad; i++) {
			struct gpu_proc *x = &l.procs[i];
			x->gpu = (int)(int32_t)get_varint(&r);
			x->pid = (int)(int32_t)get_varint(&r);
			x->mem_used_bytes = (int64_t)get_u64(&r);
			get_str(&r, x->user, sizeof x->user);
			get_str(&r, x->job, sizeof x->job);
			get_str(&r, x->name, sizeof x->name);
		}
	}
	if (r.bad || r.p != r.end)
		goto bad;
	l.ngpus = (int)n;
	l.nsensors = (int)m;
	l.nprocs = (int)k;
	*out = l;
	return 0;
bad:
	host_live_free(&l);
	return -1;
}

/* See hostlive.h. */
void
host_live_free(struct host_live *l)
{
	free(l->gpus);
	free(l->sensors);
	free(l->procs);
	memset(l, 0, sizeof *l);
}
