/*
 * store_write.c: the writer's side: one transaction per collector tick,
 * store_put_status (samples into each host's open chunk:
 * store_chunk.c), store_prune_hosts, and the pending queue that keeps the
 * latest statuses in memory while the disk refuses writes (full disk,
 * file-size limit, I/O errors) until they can be written again.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/buf.h"
#include "opsdeck/hostlive.h"
#include "opsdeck/store.h"
#include "opsdeck/util.h"
#include "store_int.h"

/* ---- pending queue ------------------------------------------------------- */

/*
 * Every status put is copied here (latest per host) and marked dirty; a
 * successful commit marks them clean and frees the copies (a slot is then
 * NULL: at 10,000 hosts of which a tenth change a tick, 1.1 MB of copies
 * rather than 11). After a failed tick the dirty ones are written first in
 * the next transaction.
 * Entry values: v[0] index in st->pending, v[1] dirty.
 */
static void
pending_put(struct store *st, const struct host_status *h)
{
	size_t max = st->pending_max ? st->pending_max : STORE_PENDING_MAX;
	struct smap_ent *e = smap_get(&st->pending_idx, h->name);

	if (e == NULL) {
		if (st->npending >= max) {
			st->pending_dropped++;
			return;
		}
		if (st->npending == st->pending_cap) {
			st->pending_cap = st->pending_cap ? st->pending_cap * 2 : 64;
			st->pending = xreallocarray(st->pending, st->pending_cap,
			    sizeof *st->pending);
		}
		st->pending[st->npending] = NULL;
		e = smap_put(&st->pending_idx, h->name);
		e->v[0] = (int64_t)st->npending++;
	}
	struct host_status **slot = &st->pending[e->v[0]];
	if (*slot == NULL)
		*slot = xmalloc(sizeof **slot);
	else
		host_status_free(*slot);
	host_status_copy(*slot, h);
	e->v[1] = 1;
}

/* Frees slot i's copy: the slot is clean. */
static void
pending_drop(struct store *st, size_t i)
{
	if (st->pending[i] != NULL) {
		host_status_free(st->pending[i]);
		free(st->pending[i]);
		st->pending[i] = NULL;
	}
}

/*
 * Everything put is on disk (or forgotten): no slot is dirty, and none holds
 * a copy any more; its host's next put makes one again. A kept copy would
 * keep the status's arrays (a share: GPUs, sensors, the cores) alive after
 * the collector has moved on to newer ones.
 */
static void
pending_mark_clean(struct store *st)
{
	for (size_t i = 0; i < st->pending_idx.cap; i++) {
		struct smap_ent *e = &st->pending_idx.e[i];
		if (e->key == NULL)
			continue;
		e->v[1] = 0;
		pending_drop(st, (size_t)e->v[0]);
	}
	st->pending_dropped = 0;
}

void
store_pending_free(struct store *st)
{
	for (size_t i = 0; i < st->npending; i++)
		pending_drop(st, i);
	free(st->pending);
	st->pending = NULL;
	st->npending = st->pending_cap = 0;
	smap_clear(&st->pending_idx);
}

size_t
store_pending(const struct store *st, uint64_t *dropped)
{
	size_t n = 0;

	if (st->failed) {
		for (size_t i = 0; i < st->pending_idx.cap; i++)
			if (st->pending_idx.e[i].key != NULL && st->pending_idx.e[i].v[1])
				n++;
	}
	if (dropped != NULL)
		*dropped = st->failed ? st->pending_dropped : 0;
	return n;
}

void
store_set_pending_max(struct store *st, size_t max)
{
	st->pending_max = max;
}

/* The dirty statuses, for store_get_hosts' overlay; NULL-free array of pointers. */
size_t
store_pending_dirty(const struct store *st, const struct host_status ***out)
{
	size_t n = 0;

	*out = NULL;
	if (!st->failed || st->npending == 0)
		return 0;
	const struct host_status **v = xreallocarray(NULL, st->npending, sizeof *v);
	for (size_t i = 0; i < st->pending_idx.cap; i++) {
		const struct smap_ent *e = &st->pending_idx.e[i];
		if (e->key != NULL && e->v[1])
			v[n++] = st->pending[e->v[0]];
	}
	*out = v;
	return n;
}

/* ---- writing one status ------------------------------------------------- */

struct metric_ctx {
	struct store	*st;
	struct smap_ent	*host;		/* the host's cache entry (its series bits) */
	struct chunk_enc *enc;		/* its open raw chunk, at this tick's point */
	int		 rc;
};

/* The id of metric name, inserting it; 0 when the name is refused. */
static int64_t
metric_id(struct store *st, const char *name, int *rc)
{
	struct smap_ent *e = smap_get(&st->metrics, name);
	if (e != NULL)
		return e->v[0];
	if (strlen(name) > STORE_METRIC_NAME_MAX)
		return 0;

	sqlite3_stmt *s = store_stmt(st, SQ_METRIC_FIND);
	int64_t id = 0;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	int r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (r != SQLITE_ROW && r != SQLITE_DONE) {
		*rc = r;
		return 0;
	}
	if (id == 0) {
		if (st->metrics.n >= STORE_MAX_METRICS)
			return 0;
		s = store_stmt(st, SQ_METRIC_INSERT);
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		r = sqlite3_step(s);
		sqlite3_reset(s);
		if (r != SQLITE_DONE) {
			*rc = r;
			return 0;
		}
		id = sqlite3_last_insert_rowid(st->db);
	}
	smap_put(&st->metrics, name)->v[0] = id;
	return id;
}

/* host_status_metrics' callback: one value into the open chunk. */
static void
put_metric(const char *name, double value, void *arg)
{
	struct metric_ctx *c = arg;
	struct store *st = c->st;

	if (c->rc != SQLITE_OK || !isfinite(value))
		return;
	int64_t mid = metric_id(st, name, &c->rc);
	if (mid <= 0)
		return;
	if (!smap_bit(c->host, mid)) {
		sqlite3_stmt *s = store_stmt(st, SQ_SERIES_INSERT);
		sqlite3_bind_int64(s, 1, c->host->v[0]);
		sqlite3_bind_int64(s, 2, mid);
		int r = sqlite3_step(s);
		sqlite3_reset(s);
		if (r != SQLITE_DONE) {
			c->rc = r;
			return;
		}
		smap_set_bit(c->host, mid);
	}
	chunk_enc_value(c->enc, mid, value);
}

static int64_t
u64_bits(uint64_t v)
{
	int64_t r;
	memcpy(&r, &v, sizeof r);	/* bit pattern kept; read back the same way */
	return r;
}

static uint64_t
gpu_fp(const struct gpu_sample *g)
{
	uint64_t h = store_fp(STORE_FP_SEED, &g->index, sizeof g->index);
	h = store_fp_str(h, g->uuid, sizeof g->uuid);
	h = store_fp_str(h, g->name, sizeof g->name);
	double d[] = { g->util_pct, g->mem_util_pct, g->temp_c, g->power_w, g->power_limit_w };
	uint64_t u[] = { (uint64_t)g->mem_used_bytes, (uint64_t)g->mem_total_bytes,
	    (uint64_t)g->ecc_uncorrected, g->throttle_reasons };
	h = store_fp(h, d, sizeof d);
	return store_fp(h, u, sizeof u);
}

static uint64_t
sensor_fp(const struct sensor_sample *x)
{
	uint64_t h = store_fp_str(STORE_FP_SEED, x->name, sizeof x->name);
	h = store_fp(h, &x->value, sizeof x->value);
	h = store_fp_str(h, x->unit, sizeof x->unit);
	h = store_fp_str(h, x->status, sizeof x->status);
	h = store_fp_str(h, x->state, sizeof x->state);
	return store_fp(h, &x->level, sizeof x->level);
}

/* A fingerprint of h's first n processes as they would be written (every field). */
static uint64_t
procs_fp(const struct host_status *h, int n)
{
	uint64_t f = store_fp(STORE_FP_SEED, &n, sizeof n);
	for (int i = 0; i < n; i++) {
		const struct gpu_proc *p = &h->procs[i];
		int64_t num[] = { p->gpu, p->pid, p->mem_used_bytes };
		f = store_fp(f, num, sizeof num);
		f = store_fp_str(f, p->user, sizeof p->user);
		f = store_fp_str(f, p->job, sizeof p->job);
		f = store_fp_str(f, p->name, sizeof p->name);
	}
	return f;
}

/*
 * Writes h's host_live row (its GPUs, sensors and GPU processes,
 * hostlive.h) when any of them changed since the row oc remembers (always
 * when it remembers none); a host with none of them has no row. oc's
 * fingerprints then describe the row as written; a rollback forgets them
 * (caches_clear). An SQLite rc.
 */
static int
write_rows(struct store *st, int64_t id, struct open_chunk *oc, const struct host_status *h)
{
	int ngpus = h->gpus != NULL ? OD_MIN(h->ngpus, PROBE_MAX_GPUS) : 0;
	int nsensors = h->sensors != NULL ? OD_MIN(h->nsensors, PROBE_MAX_SENSORS) : 0;
	int nprocs = h->procs != NULL ? OD_MIN(h->nprocs, PROBE_MAX_GPU_PROCS) : 0;
	uint64_t pfp = procs_fp(h, nprocs);
	uint64_t *fp = xreallocarray(NULL, (size_t)(ngpus + nsensors) + 1, sizeof *fp);
	int known = oc->rows != NULL, same = known && ngpus == oc->ngpus &&
	    nsensors == oc->nsensors && pfp == oc->procs_fp, rc = SQLITE_OK;

	for (int i = 0; i < ngpus; i++) {
		fp[i] = gpu_fp(&h->gpus[i]);
		same = same && oc->rows[i] == fp[i];
	}
	for (int i = 0; i < nsensors; i++) {
		fp[ngpus + i] = sensor_fp(&h->sensors[i]);
		same = same && oc->rows[ngpus + i] == fp[ngpus + i];
	}
	if (!same && ngpus + nsensors + nprocs == 0) {
		sqlite3_stmt *s = store_stmt(st, SQ_LIVE_DELETE);
		sqlite3_bind_int64(s, 1, id);
		rc = store_step_rc(s);
	} else if (!same) {
		size_t len;
		const struct host_live l = { h->gpus, ngpus, h->sensors, nsensors, h->procs,
		    nprocs };
		unsigned char *b = host_live_encode(&l, &len);
		sqlite3_stmt *s = store_stmt(st, SQ_LIVE_PUT);
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_blob(s, 2, b, (int)len, free);
		rc = store_step_rc(s);
		sqlite3_bind_null(s, 2);	/* the statement keeps no pointer to b */
	}
	free(oc->rows);
	oc->rows = NULL;
	if (rc != SQLITE_OK) {
		free(fp);
		return rc;
	}
	oc->rows = fp;
	oc->ngpus = ngpus;
	oc->nsensors = nsensors;
	oc->procs_fp = pfp;
	return SQLITE_OK;
}

/*
 * Writes h's latest state, GPUs, sensors, a transition when the state
 * changed, and a sample per metric when h->sample_ms is new. Returns an
 * SQLite rc; the caller turns a failure into a dead tick.
 */
static int
write_status(struct store *st, const struct host_status *h)
{
	char name[HOSTNAME_MAX + 1];
	struct smap_ent *e;
	sqlite3_stmt *s;
	int rc;

	od_strlcpy(name, h->name, sizeof name);
	if (name[0] == '\0')
		return SQLITE_MISUSE;
	e = smap_get(&st->hosts, name);
	if (e == NULL) {
		int64_t id = 0, state = -1, sample = 0;
		s = store_stmt(st, SQ_HOST_FIND);
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			id = sqlite3_column_int64(s, 0);
			state = sqlite3_column_int64(s, 1);
			sample = sqlite3_column_int64(s, 2);
		}
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return rc;
		if (id == 0) {
			s = store_stmt(st, SQ_HOST_INSERT);
			sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, 2, h->state_since_ms);
			if ((rc = store_step_rc(s)) != SQLITE_OK)
				return rc;
			id = sqlite3_last_insert_rowid(st->db);
		}
		e = smap_put(&st->hosts, name);
		e->v[0] = id;
		e->v[1] = state;
		e->v[2] = sample;
	}
	int64_t id = e->v[0];

	if (e->v[1] != (int64_t)h->state) {
		s = store_stmt(st, SQ_TRANSITION_INSERT);
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, h->state_since_ms);
		if (e->v[1] < 0)
			sqlite3_bind_null(s, 3);
		else
			sqlite3_bind_int64(s, 3, e->v[1]);
		sqlite3_bind_int(s, 4, (int)h->state);
		store_bind_field(s, 5, h->error, sizeof h->error);
		if ((rc = store_step_rc(s)) != SQLITE_OK)
			return rc;
	}

	s = store_stmt(st, SQ_HOST_UPDATE);
	sqlite3_bind_int64(s, 1, id);
	store_bind_field(s, 2, h->group, sizeof h->group);
	sqlite3_bind_int(s, 3, (int)h->kind);
	sqlite3_bind_int(s, 4, (int)h->state);
	store_bind_field(s, 5, h->error, sizeof h->error);
	sqlite3_bind_int64(s, 6, h->state_since_ms);
	sqlite3_bind_int64(s, 7, h->sample_ms);
	sqlite3_bind_int64(s, 8, now_wall_ms());
	int cores = h->cores < 0 ? 0 : OD_MIN(h->cores, PROBE_MAX_CORES);
	sqlite3_bind_int(s, 9, cores);
	store_bind_real(s, 10, h->cpu_pct);
	if (h->core_pct != NULL && cores > 0)
		sqlite3_bind_blob(s, 11, h->core_pct, cores * (int)sizeof(double),
		    SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 11);
	sqlite3_bind_int64(s, 12, u64_bits(h->mem_total));
	sqlite3_bind_int64(s, 13, u64_bits(h->mem_used));
	sqlite3_bind_int64(s, 14, u64_bits(h->swap_total));
	sqlite3_bind_int64(s, 15, u64_bits(h->swap_used));
	for (int i = 0; i < 3; i++)
		store_bind_real(s, 16 + i, h->load[i]);
	store_bind_real(s, 19, h->uptime_s);
	store_bind_real(s, 20, h->net_rx_bps);
	store_bind_real(s, 21, h->net_tx_bps);
	store_bind_real(s, 22, h->disk_read_bps);
	store_bind_real(s, 23, h->disk_write_bps);
	sqlite3_bind_text(s, 24, h->warnings != NULL ? h->warnings : "", -1, SQLITE_STATIC);
	if ((rc = store_step_rc(s)) != SQLITE_OK)
		return rc;

	struct open_chunk *oc = store_open_chunk(st, id);
	if ((rc = write_rows(st, id, oc, h)) != SQLITE_OK)
		return rc;

	if (h->sample_ms > e->v[2]) {
		/* put_metric may grow other maps, never st->hosts: e stays valid. */
		if ((rc = store_chunk_point(st, oc, h->sample_ms)) != SQLITE_OK)
			return rc;
		struct metric_ctx c = { st, e, oc->enc, SQLITE_OK };
		host_status_metrics(h, put_metric, &c);
		if (c.rc != SQLITE_OK)
			return c.rc;
		if ((rc = store_chunk_save(st, id, oc)) != SQLITE_OK)
			return rc;
		e->v[2] = h->sample_ms;
	}
	e->v[1] = (int64_t)h->state;
	return SQLITE_OK;
}

/* ---- transactions -------------------------------------------------------- */

/* Forgets cached ids and states: after a rollback they may name nothing. */
static void
caches_clear(struct store *st)
{
	smap_clear(&st->hosts);
	smap_clear(&st->metrics);
	store_open_chunks_clear(st);
}

/*
 * Ends the current tick's transaction after a failed write: rolls back,
 * keeps the tick in memory and remembers why for store_commit.
 */
static void
tick_fail(struct store *st, char *msg)
{
	if (!sqlite3_get_autocommit(st->db))
		store_exec(st, "ROLLBACK");
	caches_clear(st);
	st->tx_dead = 1;
	st->failed = 1;
	free(st->fail_msg);
	st->fail_msg = msg;
}

static char *
write_failure(struct store *st, int rc, const char *what)
{
	const char *why = sqlite3_errstr(rc);
	if (st->db != NULL && sqlite3_extended_errcode(st->db) == rc)
		why = sqlite3_errmsg(st->db);
	return xasprintf("cache %s: %s: %s; keeping the latest statuses in memory", st->path,
	    what, why);
}

/*
 * Starts a tick: BEGIN IMMEDIATE, then, when the previous tick did not reach
 * the disk, the statuses kept in memory. Returns 0, or -1 with *cause when
 * the transaction could not start; either way the tick is open and must end
 * with store_commit or store_rollback (a failed tick keeps its statuses in
 * memory and store_commit reports it).
 */
int
store_begin(struct store *st, char **cause)
{
	if (st->flags & STORE_READONLY) {
		*cause = xasprintf("cache %s: opened read-only", st->path);
		return -1;
	}
	if (st->in_tx)
		fatal("store_begin: a transaction is already open");
	st->in_tx = 1;
	st->tx_dead = 0;
	int rc = store_exec(st, "BEGIN IMMEDIATE");
	if (rc != SQLITE_OK) {
		rc = sqlite3_extended_errcode(st->db);
		tick_fail(st, write_failure(st, rc, "cannot start a transaction"));
		*cause = xstrdup(st->fail_msg);
		return -1;
	}
	if (st->failed) {
		for (size_t i = 0; i < st->pending_idx.cap; i++) {
			const struct smap_ent *e = &st->pending_idx.e[i];
			if (e->key == NULL || !e->v[1])
				continue;
			rc = write_status(st, st->pending[e->v[0]]);
			if (rc != SQLITE_OK) {
				tick_fail(st, write_failure(st, rc, "still cannot write"));
				break;
			}
		}
	}
	return 0;
}

/* See store.h. */
int
store_tick_dead(struct store *st, char **cause)
{
	if (!st->in_tx || !st->tx_dead)
		return 0;
	if (cause != NULL)
		*cause = xasprintf("%s", st->fail_msg != NULL ? st->fail_msg :
		    "the tick's transaction was rolled back");
	return 1;
}

/*
 * Ends the tick. Returns 0 when everything put since the last successful
 * commit is on disk; -1 with *cause when it stays in memory (the next
 * store_begin tries again).
 */
int
store_commit(struct store *st, char **cause)
{
	if (!st->in_tx)
		return 0;
	st->in_tx = 0;
	int rc = SQLITE_OK;
	if (!st->tx_dead) {
		rc = store_exec(st, "COMMIT");
		if (rc != SQLITE_OK) {
			rc = sqlite3_extended_errcode(st->db);
			tick_fail(st, write_failure(st, rc, "cannot commit"));
		}
	}
	if (st->tx_dead) {
		st->tx_dead = 0;
		uint64_t dropped;
		size_t n = store_pending(st, &dropped);
		if (dropped > 0)
			*cause = xasprintf("%s (%zu pending, %llu dropped)", st->fail_msg, n,
			    (unsigned long long)dropped);
		else
			*cause = xasprintf("%s (%zu pending)", st->fail_msg, n);
		return -1;
	}
	st->failed = 0;
	free(st->fail_msg);
	st->fail_msg = NULL;
	pending_mark_clean(st);
	return 0;
}

/*
 * Abandons the tick. Statuses put in it are forgotten unless an earlier
 * failure still holds them in memory. Returns 0.
 */
int
store_rollback(struct store *st)
{
	if (!st->in_tx)
		return 0;
	if (!sqlite3_get_autocommit(st->db))
		store_exec(st, "ROLLBACK");
	caches_clear(st);
	st->in_tx = 0;
	st->tx_dead = 0;
	if (!st->failed)
		pending_mark_clean(st);
	return 0;
}

int
store_put_status(struct store *st, const struct host_status *h, char **cause)
{
	if (st->flags & STORE_READONLY) {
		*cause = xasprintf("cache %s: opened read-only", st->path);
		return -1;
	}
	if (!st->in_tx) {
		/* Outside a tick: a transaction of its own. */
		char *c2 = NULL;
		int r0 = store_begin(st, cause);
		if (r0 != 0) {
			pending_put(st, h);
			store_rollback(st);
			return -1;
		}
		int r1 = store_put_status(st, h, cause);
		int r2 = store_commit(st, r1 == 0 ? cause : &c2);
		free(c2);
		return r1 == 0 && r2 == 0 ? 0 : -1;
	}
	pending_put(st, h);
	if (st->tx_dead)
		return 0;	/* reported by store_begin or an earlier put; kept in memory */
	int rc = write_status(st, h);
	if (rc != SQLITE_OK) {
		if (rc == SQLITE_MISUSE && h->name[0] == '\0') {
			*cause = xasprintf("cache %s: a host status without a name", st->path);
			return -1;
		}
		rc = sqlite3_extended_errcode(st->db);
		tick_fail(st, write_failure(st, rc, "cannot write"));
		*cause = xstrdup(st->fail_msg);
		return -1;
	}
	return 0;
}

/* ---- pruning hosts ------------------------------------------------------- */

/*
 * Deletes every host that cfg does not name, with its GPUs, sensors,
 * transitions and samples at every resolution. In the current tick when one
 * is open, else in a transaction of its own. 0 or -1 with *cause.
 */
int
store_prune_hosts(struct store *st, const struct config *cfg, char **cause)
{
	static const char *const del[] = {
		"DELETE FROM host_live WHERE host_id = ?1",
		"DELETE FROM host_transitions WHERE host_id = ?1",
		"DELETE FROM series WHERE host_id = ?1",
		"DELETE FROM chunks WHERE host_id = ?1",
		"DELETE FROM samples_1h WHERE host_id = ?1",
		"DELETE FROM hosts WHERE id = ?1",
	};
	int own = !st->in_tx;
	int rc = SQLITE_OK;

	if (st->flags & STORE_READONLY) {
		*cause = xasprintf("cache %s: opened read-only", st->path);
		return -1;
	}
	if (st->tx_dead) {
		*cause = xasprintf("cache %s: cannot prune hosts in a failed tick", st->path);
		return -1;
	}
	if (own && store_begin(st, cause) != 0) {
		store_rollback(st);
		return -1;
	}

	int64_t *gone = NULL;
	size_t ngone = 0;
	sqlite3_stmt *s;
	rc = sqlite3_prepare_v2(st->db, "SELECT id, name, grp FROM hosts", -1, &s, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 1);
		const char *grp = (const char *)sqlite3_column_text(s, 2);
		if (name == NULL || !config_knows_host(cfg, name, grp != NULL ? grp : "")) {
			gone = xreallocarray(gone, ngone + 1, sizeof *gone);
			gone[ngone++] = sqlite3_column_int64(s, 0);
		}
		rc = SQLITE_OK;
	}
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(s);
	for (size_t d = 0; d < OD_ARRAY_LEN(del) && rc == SQLITE_OK && ngone > 0; d++) {
		rc = sqlite3_prepare_v2(st->db, del[d], -1, &s, NULL);
		for (size_t i = 0; i < ngone && rc == SQLITE_OK; i++) {
			sqlite3_bind_int64(s, 1, gone[i]);
			rc = store_step_rc(s);
		}
		sqlite3_finalize(s);
	}
	free(gone);
	if (rc != SQLITE_OK) {
		*cause = store_errmsg(st, "cannot prune hosts");
		tick_fail(st, xstrdup(*cause));
		if (own) {
			char *c2 = NULL;
			store_commit(st, &c2);
			free(c2);
		}
		return -1;
	}
	caches_clear(st);
	/* A pruned host must not come back from the pending queue either. */
	for (size_t i = 0; i < st->pending_idx.cap; i++) {
		struct smap_ent *e = &st->pending_idx.e[i];
		if (e->key != NULL && !config_knows_host(cfg, e->key, "")) {
			e->v[1] = 0;
			pending_drop(st, (size_t)e->v[0]);
		}
	}
	if (own)
		return store_commit(st, cause);
	return 0;
}
