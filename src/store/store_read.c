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

static uint64_t
bits_u64(int64_t v)
{
	uint64_t r;
	memcpy(&r, &v, sizeof r);
	return r;
}

struct id_index {
	int64_t	 id;
	size_t	 idx;
};

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

static struct host_status *
host_by_id(struct id_index *ix, size_t n, struct host_status *v, int64_t id)
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
	h->mem_total = bits_u64(sqlite3_column_int64(s, 11));
	h->mem_used = bits_u64(sqlite3_column_int64(s, 12));
	h->swap_total = bits_u64(sqlite3_column_int64(s, 13));
	h->swap_used = bits_u64(sqlite3_column_int64(s, 14));
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

static void
read_gpu_row(sqlite3_stmt *s, struct gpu_sample *g)
{
	memset(g, 0, sizeof *g);
	g->index = sqlite3_column_int(s, 1);
	store_column_field(s, 2, g->uuid, sizeof g->uuid);
	store_column_field(s, 3, g->name, sizeof g->name);
	g->util_pct = store_column_real(s, 4);
	g->mem_util_pct = store_column_real(s, 5);
	g->mem_used_bytes = sqlite3_column_int64(s, 6);	/* -1: not available */
	g->mem_total_bytes = sqlite3_column_int64(s, 7);
	g->temp_c = store_column_real(s, 8);
	g->power_w = store_column_real(s, 9);
	g->power_limit_w = store_column_real(s, 10);
	g->ecc_uncorrected = sqlite3_column_int64(s, 11);
	g->throttle_reasons = bits_u64(sqlite3_column_int64(s, 12));
}

static void
read_proc_row(sqlite3_stmt *s, struct gpu_proc *p)
{
	memset(p, 0, sizeof *p);
	p->gpu = sqlite3_column_int(s, 1);
	p->pid = sqlite3_column_int(s, 2);
	store_column_field(s, 3, p->user, sizeof p->user);
	store_column_field(s, 4, p->job, sizeof p->job);
	store_column_field(s, 5, p->name, sizeof p->name);
	p->mem_used_bytes = sqlite3_column_int64(s, 6);	/* -1: not available */
}

static void
read_sensor_row(sqlite3_stmt *s, struct sensor_sample *x)
{
	memset(x, 0, sizeof *x);
	store_column_field(s, 1, x->name, sizeof x->name);
	x->value = store_column_real(s, 2);
	store_column_field(s, 3, x->unit, sizeof x->unit);
	store_column_field(s, 4, x->status, sizeof x->status);
	int level = sqlite3_column_int(s, 5);
	x->level = level >= 0 && level <= SENSOR_OTHER ? (enum sensor_status)level :
	    SENSOR_OTHER;
	store_column_field(s, 6, x->state, sizeof x->state);
}

/* The per-host child tables read_children reads. */
enum child { CHILD_SENSORS, CHILD_GPUS, CHILD_PROCS };

/*
 * Reads the rows of a per-host child table (GPUs, their processes or
 * sensors, ordered by host_id then slot) into each host's array, a run of
 * rows per host.
 */
static int
read_children(struct store *st, const char *sql, size_t elem, struct id_index *ix,
    size_t n, struct host_status *v, enum child gpus)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;

	char *run = NULL;
	size_t nrun = 0, caprun = 0;
	int64_t cur = -1;
	for (;;) {
		rc = sqlite3_step(s);
		int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
		if (id != cur && nrun > 0) {
			struct host_status *h = host_by_id(ix, n, v, cur);
			if (h != NULL) {
				void *arr = xreallocarray(NULL, nrun, elem);
				memcpy(arr, run, nrun * elem);
				if (gpus == CHILD_GPUS) {
					h->gpus = arr;
					h->ngpus = (int)nrun;
				} else if (gpus == CHILD_PROCS) {
					h->procs = arr;
					h->nprocs = (int)nrun;
				} else {
					h->sensors = arr;
					h->nsensors = (int)nrun;
				}
			}
			nrun = 0;
		}
		if (rc != SQLITE_ROW)
			break;
		cur = id;
		if (nrun == caprun) {
			caprun = caprun ? caprun * 2 : 16;
			run = xreallocarray(run, caprun, elem);
		}
		if (gpus == CHILD_GPUS)
			read_gpu_row(s, (struct gpu_sample *)(void *)(run + nrun * elem));
		else if (gpus == CHILD_PROCS)
			read_proc_row(s, (struct gpu_proc *)(void *)(run + nrun * elem));
		else
			read_sensor_row(s, (struct sensor_sample *)(void *)(run + nrun * elem));
		nrun++;
	}
	free(run);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
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

/* Schema 1 to 5's rows of GPUs and sensors, read_children's way. */
static const char gpus_v5_sql[] =
    "SELECT host_id, gpu_index, uuid, name, util_pct, mem_util_pct, mem_used_bytes,"
    " mem_total_bytes, temp_c, power_w, power_limit_w, ecc_uncorrected,"
    " throttle_reasons FROM host_gpus ORDER BY host_id, slot";
static const char sensors_v5_sql[] =
    "SELECT host_id, name, value, unit, status, level, state FROM host_sensors"
    " ORDER BY host_id, slot";

/* Appends a line to h's warnings. */
static void
add_warning(struct host_status *h, const char *line)
{
	char *w = h->warnings != NULL ? xasprintf("%s\n%s", h->warnings, line) : xstrdup(line);
	free(h->warnings);
	h->warnings = w;
}

/*
 * Each host's GPUs, sensors and GPU processes from its host_live row
 * (hostlive.h). A row that does not decode costs that host its lists, and
 * says so in its warnings; the other hosts read on.
 */
static int
read_live(struct store *st, struct id_index *ix, size_t n, struct host_status *v)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, "SELECT host_id, data FROM host_live", -1, &s, NULL);

	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct host_status *h = host_by_id(ix, n, v, sqlite3_column_int64(s, 0));
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

/*
 * Every host of the hosts table as an empty status in *v, by id in *ix
 * (sorted), for the schema steps. 0 or an SQLite rc; the caller frees both.
 */
static int
migrate_hosts(struct store *st, struct host_status **v, struct id_index **ix, size_t *nv)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, "SELECT id FROM hosts ORDER BY id", -1, &s, NULL);

	*v = NULL;
	*ix = NULL;
	*nv = 0;
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		*v = xreallocarray(*v, *nv + 1, sizeof **v);
		*ix = xreallocarray(*ix, *nv + 1, sizeof **ix);
		host_status_init(&(*v)[*nv]);
		(*ix)[*nv].id = sqlite3_column_int64(s, 0);
		(*ix)[*nv].idx = *nv;
		(*nv)++;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Writes the host_live row of each host of v that has any of live's records. */
static int
migrate_put_live(struct store *st, const struct host_status *v, const struct id_index *ix,
    size_t nv)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO host_live(host_id, data)"
	    " VALUES (?1, ?2)", -1, &s, NULL);

	for (size_t i = 0; rc == SQLITE_OK && i < nv; i++) {
		if (v[i].ngpus == 0 && v[i].nsensors == 0 && v[i].nprocs == 0)
			continue;
		size_t len;
		const struct host_live l = { v[i].gpus, v[i].ngpus, v[i].sensors, v[i].nsensors,
		    v[i].procs, v[i].nprocs };
		unsigned char *b = host_live_encode(&l, &len);
		sqlite3_bind_int64(s, 1, ix[i].id);
		sqlite3_bind_blob(s, 2, b, (int)len, free);
		rc = store_step_rc(s);
	}
	sqlite3_finalize(s);
	return rc;
}

/*
 * Schema step 6: every host's rows of host_gpus and host_sensors into its
 * host_live row, then the two tables go. 0 or an SQLite rc.
 */
int
store_migrate_live(struct store *st)
{
	struct host_status *v;
	struct id_index *ix;
	size_t nv;
	int rc = migrate_hosts(st, &v, &ix, &nv);

	if (rc == SQLITE_OK)
		rc = read_children(st, gpus_v5_sql, sizeof(struct gpu_sample), ix, nv, v,
		    CHILD_GPUS);
	if (rc == SQLITE_OK)
		rc = read_children(st, sensors_v5_sql, sizeof(struct sensor_sample), ix, nv, v,
		    CHILD_SENSORS);
	if (rc == SQLITE_OK)
		rc = migrate_put_live(st, v, ix, nv);
	store_free_hosts(v, nv);
	free(ix);
	if (rc == SQLITE_OK)
		rc = store_exec(st, "DROP TABLE host_gpus; DROP TABLE host_sensors;");
	return rc;
}

/*
 * Schema step 8: every host's rows of host_gpu_procs join its host_live row
 * (format 1 read, format 2 written), then the table goes. A row that does
 * not decode is left as it is. 0 or an SQLite rc.
 */
int
store_migrate_procs(struct store *st)
{
	static const char procs_v7_sql[] =
	    "SELECT host_id, gpu_index, pid, user, job, name, mem_used_bytes"
	    " FROM host_gpu_procs ORDER BY host_id, slot";
	struct host_status *v;
	struct id_index *ix;
	size_t nv;
	int rc = migrate_hosts(st, &v, &ix, &nv);

	if (rc == SQLITE_OK)
		rc = read_live(st, ix, nv, v);
	if (rc == SQLITE_OK)
		rc = read_children(st, procs_v7_sql, sizeof(struct gpu_proc), ix, nv, v,
		    CHILD_PROCS);
	for (size_t i = 0; i < nv; i++)
		if (v[i].warnings != NULL || v[i].nprocs == 0)
			v[i].ngpus = v[i].nsensors = v[i].nprocs = 0;	/* not rewritten */
	if (rc == SQLITE_OK)
		rc = migrate_put_live(st, v, ix, nv);
	store_free_hosts(v, nv);
	free(ix);
	if (rc == SQLITE_OK)
		rc = store_exec(st, "DROP TABLE host_gpu_procs");
	return rc;
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
		rc = read_live(st, ix, nv, v);
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
