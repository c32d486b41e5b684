/*
 * store_read.c: the readers' side: every host's latest status, the metrics
 * a host has, and the history of one metric at any resolution.
 *
 * Each call reads inside one read transaction so that it sees one snapshot
 * while the writer commits ticks and store_maintain moves rows between
 * resolutions.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/hostlive.h"
#include "opsdeck/store.h"
#include "opsdeck/util.h"
#include "store_int.h"

/* Starts a read transaction unless the writer's tick is open; returns 1 if started. */
static int
read_begin(struct store *st)
{
	if (st->in_tx && !st->tx_dead)
		return 0;
	return store_exec(st, "BEGIN") == SQLITE_OK;
}

static void
read_end(struct store *st, int started)
{
	if (started)
		store_exec(st, "COMMIT");
}

static int
id_cmp(const void *a, const void *b)
{
	const struct id_index *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int
host_cmp(const void *a, const void *b)
{
	const struct host_status *x = a, *y = b;
	int c = strcmp(x->group, y->group);
	return c != 0 ? c : strcmp(x->name, y->name);
}

/* See store_int.h. */
struct host_status *
store_host_by_id(struct id_index *ix, size_t n, struct host_status *v, int64_t id)
{
	struct id_index key = { id, 0 };
	struct id_index *f = bsearch(&key, ix, n, sizeof *ix, id_cmp);
	return f != NULL ? &v[f->idx] : NULL;
}

static void
read_host_row(sqlite3_stmt *s, struct host_status *h)
{
	host_status_init(h);
	store_column_field(s, 1, h->name, sizeof h->name);
	store_column_field(s, 2, h->group, sizeof h->group);
	h->kind = (enum group_kind)sqlite3_column_int(s, 3);
	int state = sqlite3_column_int(s, 4);
	h->state = state >= 0 && state < HOST_STATE_COUNT ? (enum host_state)state :
	    HOST_DOWN;
	store_column_field(s, 5, h->error, sizeof h->error);
	h->state_since_ms = sqlite3_column_int64(s, 6);
	h->sample_ms = sqlite3_column_int64(s, 7);
	h->cores = sqlite3_column_int(s, 8);
	h->cpu_pct = store_column_real(s, 9);
	int bytes = sqlite3_column_bytes(s, 10);
	const void *blob = sqlite3_column_blob(s, 10);
	if (blob != NULL && h->cores > 0 && bytes == h->cores * (int)sizeof(double)) {
		h->core_pct = xmalloc((size_t)bytes);
		memcpy(h->core_pct, blob, (size_t)bytes);
	}
	h->mem_total = store_bits_u64(sqlite3_column_int64(s, 11));
	h->mem_used = store_bits_u64(sqlite3_column_int64(s, 12));
	h->swap_total = store_bits_u64(sqlite3_column_int64(s, 13));
	h->swap_used = store_bits_u64(sqlite3_column_int64(s, 14));
	for (int i = 0; i < 3; i++)
		h->load[i] = store_column_real(s, 15 + i);
	h->uptime_s = store_column_real(s, 18);
	h->net_rx_bps = store_column_real(s, 19);
	h->net_tx_bps = store_column_real(s, 20);
	h->disk_read_bps = store_column_real(s, 21);
	h->disk_write_bps = store_column_real(s, 22);
	const char *w = store_column_text(s, 23);
	h->warnings = w[0] != '\0' ? xstrdup(w) : NULL;
}

/* Replaces or adds the statuses that are only in memory (after a write failure). */
static void
overlay_pending(struct store *st, struct host_status **vp, size_t *np)
{
	const struct host_status **p;
	size_t np2 = store_pending_dirty(st, &p);

	if (np2 == 0)
		return;
	struct smap byname = { 0 };
	for (size_t i = 0; i < *np; i++)
		smap_put(&byname, (*vp)[i].name)->v[0] = (int64_t)i;
	for (size_t k = 0; k < np2; k++) {
		struct smap_ent *e = smap_get(&byname, p[k]->name);
		struct host_status *dst;
		if (e != NULL) {
			dst = &(*vp)[e->v[0]];
			host_status_free(dst);
		} else {
			*vp = xreallocarray(*vp, *np + 1, sizeof **vp);
			dst = &(*vp)[(*np)++];
		}
		host_status_copy(dst, p[k]);
	}
	smap_clear(&byname);
	free(p);
	qsort(*vp, *np, sizeof **vp, host_cmp);
}

/* Appends a line to h's warnings. */
static void
add_warning(struct host_status *h, const char *line)
{
	char *w = h->warnings != NULL ? xasprintf("%s\n%s", h->warnings, line) : xstrdup(line);
	free(h->warnings);
	h->warnings = w;
}

/* See store_int.h. */
int
store_read_live(struct store *st, struct id_index *ix, size_t n, struct host_status *v)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, "SELECT host_id, data FROM host_live", -1, &s, NULL);

	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct host_status *h = store_host_by_id(ix, n, v, sqlite3_column_int64(s, 0));
		struct host_live l;
		rc = SQLITE_OK;
		if (h == NULL || h->gpus != NULL || h->sensors != NULL || h->procs != NULL)
			continue;
		const void *p = sqlite3_column_blob(s, 1);
		size_t len = (size_t)sqlite3_column_bytes(s, 1);
		if (host_live_decode(p, len, &l) != 0) {
			add_warning(h, "cache: this host's GPU and sensor row does not decode");
			continue;
		}
		h->gpus = l.gpus;
		h->ngpus = l.ngpus;
		h->sensors = l.sensors;
		h->nsensors = l.nsensors;
		h->procs = l.procs;
		h->nprocs = l.nprocs;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int
store_get_hosts(struct store *st, struct host_status **out, size_t *n, char **cause)
{
	static const char hosts_sql[] =
	    "SELECT id, name, grp, kind, state, error, state_since_ms, sample_ms, cores,"
	    " cpu_pct, core_pct, mem_total, mem_used, swap_total, swap_used,"
	    " load1, load5, load15, uptime_s, net_rx_bps, net_tx_bps,"
	    " disk_read_bps, disk_write_bps, warnings FROM hosts ORDER BY grp, name";
	struct host_status *v = NULL;
	struct id_index *ix = NULL;
	size_t nv = 0, cap = 0;
	sqlite3_stmt *s = NULL;
	int started = read_begin(st);

	int rc = sqlite3_prepare_v2(st->db, hosts_sql, -1, &s, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (nv == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof *v);
			ix = xreallocarray(ix, cap, sizeof *ix);
		}
		read_host_row(s, &v[nv]);
		ix[nv].id = sqlite3_column_int64(s, 0);
		ix[nv].idx = nv;
		nv++;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	if (nv > 0)
		qsort(ix, nv, sizeof *ix, id_cmp);
	if (rc == SQLITE_OK)
		rc = store_read_live(st, ix, nv, v);
	if (rc != SQLITE_OK)
		*cause = store_errmsg(st, "cannot read hosts");
	read_end(st, started);
	free(ix);
	if (rc != SQLITE_OK) {
		store_free_hosts(v, nv);
		return -1;
	}
	overlay_pending(st, &v, &nv);
	*out = v;
	*n = nv;
	return 0;
}

void
store_free_hosts(struct host_status *v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		host_status_free(&v[i]);
	free(v);
}

/* ---- metric names -------------------------------------------------------- */

/* The id of a host by name: > 0, 0 when unknown, -1 on an SQLite error. */
static int64_t
host_id(struct store *st, const char *name)
{
	sqlite3_stmt *s = store_stmt(st, SQ_HOST_FIND);
	int64_t id = 0;

	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		id = -1;
	sqlite3_reset(s);
	return id;
}

static char *
unknown_host(struct store *st, const char *host)
{
	return xasprintf("no host '%s' in cache %s", host, st->path);
}

int
store_metric_names(struct store *st, const char *host, char ***names, size_t *n,
    char **cause)
{
	int started = read_begin(st);
	int64_t hid = host_id(st, host);
	char **v = NULL;
	size_t nv = 0;
	int rc = SQLITE_OK;

	if (hid <= 0) {
		*cause = hid == 0 ? unknown_host(st, host) : store_errmsg(st, "cannot read hosts");
		read_end(st, started);
		return -1;
	}
	sqlite3_stmt *s;
	rc = sqlite3_prepare_v2(st->db, "SELECT m.name FROM series s JOIN metrics m"
	    " ON m.id = s.metric_id WHERE s.host_id = ?1 ORDER BY m.name", -1, &s, NULL);
	if (rc == SQLITE_OK)
		sqlite3_bind_int64(s, 1, hid);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		v = xreallocarray(v, nv + 1, sizeof *v);
		v[nv++] = xstrdup((const char *)sqlite3_column_text(s, 0));
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = store_errmsg(st, "cannot read metrics");
		for (size_t i = 0; i < nv; i++)
			free(v[i]);
		free(v);
		read_end(st, started);
		return -1;
	}
	read_end(st, started);
	*names = v;
	*n = nv;
	return 0;
}

/* ---- history ------------------------------------------------------------- */

enum level { LV_RAW, LV_MINUTE, LV_HOUR, LV_COUNT };

struct bucket {
	int64_t	 ts;
	double	 min, sum, max;
	int64_t	 n;
};

struct span {
	int64_t	 lo, hi;	/* [lo, hi) */
};

static int
bucket_cmp(const void *a, const void *b)
{
	const struct bucket *x = a, *y = b;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/*
 * Earliest ts of one series at one level; 0 with *have = 0 when it has none.
 * Raw and 1-minute data are in the host's chunks: their first chunk's start.
 */
static int
level_first(struct store *st, enum level lv, int64_t hid, int64_t mid, int64_t *first,
    int *have)
{
	sqlite3_stmt *s;
	int rc;

	if (lv == LV_HOUR)
		rc = sqlite3_prepare_v2(st->db, "SELECT min(ts) FROM samples_1h"
		    " WHERE host_id = ?1 AND metric_id = ?2", -1, &s, NULL);
	else
		rc = sqlite3_prepare_v2(st->db, "SELECT min(t0) FROM chunks"
		    " WHERE host_id = ?1 AND level = ?2", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(s, 1, hid);
	if (lv == LV_HOUR)
		sqlite3_bind_int64(s, 2, mid);
	else
		sqlite3_bind_int(s, 2, lv == LV_RAW ? STORE_LEVEL_RAW : STORE_LEVEL_MINUTE);
	rc = sqlite3_step(s);
	*have = 0;
	if (rc == SQLITE_ROW) {
		*have = sqlite3_column_type(s, 0) != SQLITE_NULL;
		*first = sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

static struct bucket *
bucket_add(struct bucket **b, size_t *nb, size_t *cap)
{
	if (*nb == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		*b = xreallocarray(*b, *cap, sizeof **b);
	}
	return &(*b)[(*nb)++];
}

/* Aggregates one level's rows in [lo, hi) into buckets of step (appended to *b). */
static int
level_buckets(struct store *st, enum level lv, int64_t hid, int64_t mid, struct span sp,
    int64_t step, struct bucket **b, size_t *nb, size_t *cap)
{
	sqlite3_stmt *s;
	int rc;

	if (lv != LV_HOUR) {
		struct chunk_sample *p;
		size_t np;
		rc = store_chunks_read(st, hid, lv == LV_RAW ? STORE_LEVEL_RAW :
		    STORE_LEVEL_MINUTE, mid, sp.lo, sp.hi, &p, &np);
		if (rc != SQLITE_OK)
			return rc;
		struct bucket *x = NULL;
		for (size_t i = 0; i < np; i++) {
			/* As SQL's integer division: toward zero. */
			int64_t ts = p[i].ts / step * step;
			if (x == NULL || x->ts != ts) {
				x = bucket_add(b, nb, cap);
				*x = (struct bucket){ ts, p[i].min, 0, p[i].max, 0 };
			}
			x->min = fmin(x->min, p[i].min);
			x->max = fmax(x->max, p[i].max);
			x->sum += p[i].avg * (double)p[i].n;
			x->n += p[i].n;
		}
		free(p);
		return SQLITE_OK;
	}
	rc = sqlite3_prepare_v2(st->db, "SELECT (ts / ?5) * ?5 AS b, min(min), sum(avg * n),"
	    " max(max), sum(n) FROM samples_1h WHERE host_id = ?1 AND metric_id = ?2"
	    " AND ts >= ?3 AND ts < ?4 GROUP BY b ORDER BY b", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(s, 1, hid);
	sqlite3_bind_int64(s, 2, mid);
	sqlite3_bind_int64(s, 3, sp.lo);
	sqlite3_bind_int64(s, 4, sp.hi);
	sqlite3_bind_int64(s, 5, step);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct bucket *x = bucket_add(b, nb, cap);
		x->ts = sqlite3_column_int64(s, 0);
		x->min = sqlite3_column_double(s, 1);
		x->sum = sqlite3_column_double(s, 2);
		x->max = sqlite3_column_double(s, 3);
		x->n = sqlite3_column_int64(s, 4);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The raw samples of one series in [from, to], in time order. */
static int
raw_points(struct store *st, int64_t hid, int64_t mid, int64_t from, int64_t to,
    struct store_point **out, size_t *n, char **cause)
{
	struct chunk_sample *p;
	size_t np;
	int rc = store_chunks_read(st, hid, STORE_LEVEL_RAW, mid, from,
	    to == INT64_MAX ? to : to + 1, &p, &np);

	if (rc != SQLITE_OK) {
		*cause = store_errmsg(st, "cannot read samples");
		return -1;
	}
	if (np > STORE_HISTORY_MAX_POINTS) {
		*cause = xasprintf("more than %d raw samples in that range; use a step",
		    STORE_HISTORY_MAX_POINTS);
		free(p);
		return -1;
	}
	struct store_point *v = xreallocarray(NULL, np ? np : 1, sizeof *v);
	for (size_t i = 0; i < np; i++) {
		v[i].ts_ms = p[i].ts;
		v[i].min = v[i].avg = v[i].max = p[i].avg;
		v[i].n = 1;
	}
	free(p);
	*out = v;
	*n = np;
	return 0;
}

static int
history_locked(struct store *st, const char *host, const char *metric, int64_t from,
    int64_t to, int64_t step, struct store_point **out, size_t *n, char **cause)
{
	int64_t hid = host_id(st, host);
	if (hid <= 0) {
		*cause = hid == 0 ? unknown_host(st, host) : store_errmsg(st, "cannot read hosts");
		return -1;
	}

	sqlite3_stmt *s;
	int64_t mid = 0, done[LV_COUNT] = { INT64_MAX, 0, 0 };
	int rc = sqlite3_prepare_v2(st->db, "SELECT s.metric_id, h.minute_done_ms,"
	    " h.hour_done_ms FROM series s JOIN metrics m ON m.id = s.metric_id"
	    " JOIN hosts h ON h.id = s.host_id WHERE s.host_id = ?1 AND m.name = ?2",
	    -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, hid);
		sqlite3_bind_text(s, 2, metric, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			mid = sqlite3_column_int64(s, 0);
			done[LV_MINUTE] = sqlite3_column_int64(s, 1);
			done[LV_HOUR] = sqlite3_column_int64(s, 2);
			rc = SQLITE_OK;
		} else if (rc == SQLITE_DONE) {
			rc = SQLITE_OK;
		}
		sqlite3_finalize(s);
	}
	if (rc != SQLITE_OK) {
		*cause = store_errmsg(st, "cannot read metrics");
		return -1;
	}
	if (mid == 0) {
		*cause = xasprintf("host '%s' has no metric '%s' in cache %s", host, metric,
		    st->path);
		return -1;
	}
	if (step == 0)
		return raw_points(st, hid, mid, from, to, out, n, cause);

	/* Which resolution covers which part of the range, in order of preference. */
	enum level pref[LV_COUNT];
	if (step >= 3600000) {
		pref[0] = LV_HOUR; pref[1] = LV_MINUTE; pref[2] = LV_RAW;
	} else if (step >= 60000) {
		pref[0] = LV_MINUTE; pref[1] = LV_RAW; pref[2] = LV_HOUR;
	} else {
		pref[0] = LV_RAW; pref[1] = LV_MINUTE; pref[2] = LV_HOUR;
	}
	struct span open[8];
	size_t nopen = 1;
	open[0].lo = from;
	open[0].hi = to == INT64_MAX ? to : to + 1;

	struct bucket *b = NULL;
	size_t nb = 0, cap = 0;
	for (int p = 0; p < LV_COUNT && rc == SQLITE_OK && nopen > 0; p++) {
		enum level lv = pref[p];
		int64_t first;
		int have;
		rc = level_first(st, lv, hid, mid, &first, &have);
		if (rc != SQLITE_OK || !have || first >= done[lv])
			continue;
		struct span cov = { first, done[lv] };
		struct span left[8];
		size_t nleft = 0;
		for (size_t i = 0; i < nopen && rc == SQLITE_OK; i++) {
			struct span x = { OD_MAX(open[i].lo, cov.lo), OD_MIN(open[i].hi, cov.hi) };
			if (x.lo >= x.hi) {
				left[nleft++] = open[i];
				continue;
			}
			rc = level_buckets(st, lv, hid, mid, x, step, &b, &nb, &cap);
			if (open[i].lo < x.lo && nleft < OD_ARRAY_LEN(left))
				left[nleft++] = (struct span){ open[i].lo, x.lo };
			if (x.hi < open[i].hi && nleft < OD_ARRAY_LEN(left))
				left[nleft++] = (struct span){ x.hi, open[i].hi };
		}
		memcpy(open, left, nleft * sizeof *left);
		nopen = nleft;
	}
	if (rc != SQLITE_OK) {
		*cause = store_errmsg(st, "cannot read samples");
		free(b);
		return -1;
	}

	/* Merge buckets that several resolutions contributed to. */
	qsort(b, nb, sizeof *b, bucket_cmp);
	struct store_point *v = xreallocarray(NULL, nb ? nb : 1, sizeof *v);
	size_t nv = 0;
	for (size_t i = 0; i < nb;) {
		struct bucket acc = b[i];
		for (i++; i < nb && b[i].ts == acc.ts; i++) {
			acc.min = fmin(acc.min, b[i].min);
			acc.max = fmax(acc.max, b[i].max);
			acc.sum += b[i].sum;
			acc.n += b[i].n;
		}
		if (acc.n <= 0)
			continue;
		v[nv].ts_ms = acc.ts;
		v[nv].min = acc.min;
		v[nv].max = acc.max;
		v[nv].avg = acc.sum / (double)acc.n;
		v[nv].n = acc.n;
		nv++;
	}
	free(b);
	*out = v;
	*n = nv;
	return 0;
}

int
store_history(struct store *st, const char *host, const char *metric,
    int64_t from_ms, int64_t to_ms, int64_t step_ms,
    struct store_point **out, size_t *n, char **cause)
{
	if (from_ms > to_ms) {
		*cause = xasprintf("the start of the range is after its end");
		return -1;
	}
	if (step_ms < 0) {
		*cause = xasprintf("negative step");
		return -1;
	}
	int64_t span;
	if (__builtin_sub_overflow(to_ms, from_ms, &span) || span == INT64_MAX) {
		*cause = xasprintf("that range is too long");
		return -1;
	}
	if (step_ms > 0 && span / step_ms >= STORE_HISTORY_MAX_POINTS) {
		*cause = xasprintf("that range has more than %d steps; use a larger step",
		    STORE_HISTORY_MAX_POINTS);
		return -1;
	}
	int started = read_begin(st);
	int r = history_locked(st, host, metric, from_ms, to_ms, step_ms, out, n, cause);
	read_end(st, started);
	return r;
}
