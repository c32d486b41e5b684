/*
 * store_maintain.c: rollups, retention and WAL checkpoints, a bounded slice
 * of work per call.
 *
 * Each host row carries the maintenance watermarks: minute_done_ms (every
 * 1-minute bucket below it is rolled up from the raw samples),
 * hour_done_ms (every 1-hour bucket below it is rolled up from the 1-minute
 * rows), and minute_pruned_ms / hour_pruned_ms (rollup rows below them are
 * deleted). A pass walks the hosts by id, advances the watermarks over
 * complete buckets, and deletes what is older than the retention windows,
 * whole chunks, never raw samples that are not rolled up yet. A host's raw
 * samples are rolled up an hour at a time, once the hour is complete, into
 * one chunk of 1-minute rollups (history reads the raw chunks for what is
 * not rolled up yet); the 1-hour rows (samples_1h) come from those chunks.
 * After a pass that found nothing to do the store rests until the next
 * minute.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/store.h"
#include "opsdeck/util.h"
#include "store_int.h"

#define MINUTE		60000LL
#define HOUR		3600000LL
#define DAY		86400000LL
#define MINUTE_LAG	(2 * MINUTE)	/* late samples still count for this long */
#define HOUR_LAG	(10 * MINUTE)
#define MINUTE_HOURS	6		/* hours of raw rolled up per step */
#define HOUR_CHUNK	(6 * HOUR)	/* minutes rolled up into hours per step */
#define RAW_PRUNE_CHUNK	HOUR		/* more than a raw chunk spans */
#define MINUTE_PRUNE_CHUNK (6 * HOUR)
#define HOUR_PRUNE_CHUNK (7 * DAY)
#define HOST_BATCH	64

struct maint {
	struct store	*st;
	int64_t		 raw_cut, minute_cut, hour_cut;
	int64_t		 minute_target, hour_target;
	size_t		 work, budget;
	size_t		 acted;		/* rows written or deleted, marks moved */
};

/* One host's watermarks, as in its row. */
struct marks {
	int64_t	 id;
	int64_t	 mdone, hdone, mpruned, hpruned;
};

static int64_t
floor_to(int64_t t, int64_t unit)
{
	return t >= 0 ? t / unit * unit : -((-t + unit - 1) / unit) * unit;
}

static int
prep(struct store *st, sqlite3_stmt **s, const char *sql)
{
	return sqlite3_prepare_v2(st->db, sql, -1, s, NULL);
}

/*
 * The earliest time >= from that one host has data for at level (a chunk
 * that holds from counts as from); *have 0 when there is none. Two
 * bounded seeks. Lets the watermarks jump over gaps instead of walking them.
 */
static int
next_chunk_ts(struct store *st, enum store_level level, int64_t hid, int64_t from,
    int64_t *out, int *have)
{
	int64_t span = level == STORE_LEVEL_RAW ? STORE_CHUNK_SPAN : STORE_ROLLUP_SPAN;
	sqlite3_stmt *s;
	int rc;

	*have = 0;
	if (from > INT64_MIN + span) {
		rc = prep(st, &s, "SELECT 1 FROM chunks WHERE host_id = ?1 AND level = ?2"
		    " AND t0 >= ?3 AND t0 < ?4 AND t1 >= ?4 LIMIT 1");
		if (rc != SQLITE_OK)
			return rc;
		sqlite3_bind_int64(s, 1, hid);
		sqlite3_bind_int(s, 2, (int)level);
		sqlite3_bind_int64(s, 3, from - span);
		sqlite3_bind_int64(s, 4, from);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc == SQLITE_ROW) {
			*have = 1;
			*out = from;
			return SQLITE_OK;
		}
		if (rc != SQLITE_DONE)
			return rc;
	}
	rc = prep(st, &s, "SELECT min(t0) FROM chunks WHERE host_id = ?1 AND level = ?2"
	    " AND t0 >= ?3");
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(s, 1, hid);
	sqlite3_bind_int(s, 2, (int)level);
	sqlite3_bind_int64(s, 3, from);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*have = sqlite3_column_type(s, 0) != SQLITE_NULL;
		*out = sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

/* The earliest 1-hour row of one host at or after from (one seek per metric). */
static int
next_hour_ts(struct store *st, int64_t hid, int64_t from, int64_t *out, int *have)
{
	sqlite3_stmt *s;
	int rc = prep(st, &s, "SELECT min((SELECT ts FROM samples_1h WHERE host_id = ?1"
	    " AND metric_id = s.metric_id AND ts >= ?2 ORDER BY ts LIMIT 1))"
	    " FROM series s WHERE s.host_id = ?1");

	*have = 0;
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(s, 1, hid);
	sqlite3_bind_int64(s, 2, from);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*have = sqlite3_column_type(s, 0) != SQLITE_NULL;
		*out = sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

/* One bucket of one metric. */
struct agg {
	int64_t	 metric, ts;
	double	 min, sum, max;	/* sum: of avg * n */
	int64_t	 n;
};

static int
sample_cmp(const void *a, const void *b)
{
	const struct chunk_sample *x = a, *y = b;
	if (x->metric != y->metric)
		return x->metric < y->metric ? -1 : 1;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static int
agg_ts_cmp(const void *a, const void *b)
{
	const struct agg *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->metric < y->metric ? -1 : x->metric > y->metric;
}

/*
 * Buckets of unit per metric from samples p (reordered); *out sorted by
 * metric, time; caller frees. Returns the number of buckets.
 */
static size_t
aggregate(struct chunk_sample *p, size_t np, int64_t unit, struct agg **out)
{
	struct agg *a = xreallocarray(NULL, np ? np : 1, sizeof *a);
	size_t na = 0;

	qsort(p, np, sizeof *p, sample_cmp);
	for (size_t i = 0; i < np; i++) {
		int64_t ts = floor_to(p[i].ts, unit);
		struct agg *x = na > 0 ? &a[na - 1] : NULL;
		if (x == NULL || x->metric != p[i].metric || x->ts != ts) {
			x = &a[na++];
			*x = (struct agg){ p[i].metric, ts, p[i].min, 0, p[i].max, 0 };
		}
		x->min = p[i].min < x->min ? p[i].min : x->min;
		x->max = p[i].max > x->max ? p[i].max : x->max;
		x->sum += p[i].avg * (double)p[i].n;
		x->n += p[i].n;
	}
	*out = a;
	return na;
}

/*
 * Rolls one host's raw samples in [lo, hi) (within one hour) into one chunk
 * of 1-minute min/avg/max/n.
 */
static int
roll_minutes(struct maint *m, int64_t hid, int64_t lo, int64_t hi)
{
	struct chunk_sample *p;
	struct agg *a;
	size_t np;
	int rc = store_chunks_read(m->st, hid, STORE_LEVEL_RAW, -1, lo, hi, &p, &np);

	if (rc != SQLITE_OK)
		return rc;
	size_t na = aggregate(p, np, MINUTE, &a);
	free(p);
	qsort(a, na, sizeof *a, agg_ts_cmp);
	struct chunk_enc *enc = chunk_enc_new(CHUNK_ROLLUP);
	for (size_t i = 0; i < na; i++) {
		if (i == 0 || a[i].ts != a[i - 1].ts)
			chunk_enc_point(enc, a[i].ts);
		chunk_enc_rollup(enc, a[i].metric, a[i].min, a[i].sum / (double)a[i].n,
		    a[i].max, a[i].n);
	}
	rc = store_chunk_insert(m->st, hid, STORE_LEVEL_MINUTE, enc);
	chunk_enc_free(enc);
	free(a);
	m->work += 1 + na + np / 4;
	m->acted += na;
	return rc;
}

/* Rolls one host's 1-minute rollups in [lo, hi) into 1-hour rows. */
static int
roll_hours(struct maint *m, int64_t hid, int64_t lo, int64_t hi)
{
	struct chunk_sample *p;
	struct agg *a;
	size_t np;
	sqlite3_stmt *ins;
	int rc = store_chunks_read(m->st, hid, STORE_LEVEL_MINUTE, -1, lo, hi, &p, &np);

	if (rc != SQLITE_OK)
		return rc;
	size_t na = aggregate(p, np, HOUR, &a);
	free(p);
	rc = prep(m->st, &ins, "INSERT OR REPLACE INTO samples_1h(host_id, metric_id, ts, min,"
	    " avg, max, n) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	for (size_t i = 0; i < na && rc == SQLITE_OK; i++) {
		sqlite3_bind_int64(ins, 1, hid);
		sqlite3_bind_int64(ins, 2, a[i].metric);
		sqlite3_bind_int64(ins, 3, a[i].ts);
		sqlite3_bind_double(ins, 4, a[i].min);
		sqlite3_bind_double(ins, 5, a[i].sum / (double)a[i].n);
		sqlite3_bind_double(ins, 6, a[i].max);
		sqlite3_bind_int64(ins, 7, a[i].n);
		rc = sqlite3_step(ins);
		sqlite3_reset(ins);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
		m->acted++;
	}
	sqlite3_finalize(ins);
	free(a);
	m->work += 1 + na + np / 4;
	return rc;
}

/*
 * Deletes one host's rows before hi with sql (?1 host, ?2 hi, ?3 level):
 * chunks of a level that end before it, or 1-hour rows.
 */
static int
prune(struct maint *m, const char *sql, int64_t hid, int64_t hi, int level)
{
	sqlite3_stmt *s;
	int rc = prep(m->st, &s, sql);

	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(s, 1, hid);
	sqlite3_bind_int64(s, 2, hi);
	if (level >= 0)
		sqlite3_bind_int(s, 3, level);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return rc;
	m->work += 1 + (size_t)sqlite3_changes(m->st->db);
	m->acted += (size_t)sqlite3_changes(m->st->db);
	return SQLITE_OK;
}

static int
prune_chunks(struct maint *m, int64_t hid, enum store_level level, int64_t hi)
{
	return prune(m, "DELETE FROM chunks WHERE host_id = ?1 AND level = ?3"
	    " AND t0 < ?2 AND t1 < ?2", hid, hi, (int)level);
}

static int
prune_hours(struct maint *m, int64_t hid, int64_t hi)
{
	return prune(m, "DELETE FROM samples_1h WHERE host_id = ?1 AND metric_id IN"
	    " (SELECT metric_id FROM series WHERE host_id = ?1) AND ts < ?2", hid, hi, -1);
}

static int
marks_save(struct store *st, const struct marks *k)
{
	sqlite3_stmt *s;
	int rc = prep(st, &s, "UPDATE hosts SET minute_done_ms = ?2, hour_done_ms = ?3,"
	    " minute_pruned_ms = ?4, hour_pruned_ms = ?5 WHERE id = ?1");
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(s, 1, k->id);
	sqlite3_bind_int64(s, 2, k->mdone);
	sqlite3_bind_int64(s, 3, k->hdone);
	sqlite3_bind_int64(s, 4, k->mpruned);
	sqlite3_bind_int64(s, 5, k->hpruned);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/*
 * One step on one host: a chunk of each kind of work that is due. *more is
 * set when the host has work left after it.
 */
static int
host_step(struct maint *m, struct marks *k, int *more)
{
	struct store *st = m->st;
	struct marks k0 = *k;
	int64_t first = 0, nx = 0, end, hi, cut;
	int have, have_nx, rc;

	*more = 0;
	m->work++;
	rc = next_chunk_ts(st, STORE_LEVEL_RAW, k->id, INT64_MIN, &first, &have);
	if (rc != SQLITE_OK)
		return rc;
	if (k->mdone == 0) {
		if (!have)
			return SQLITE_OK;	/* no samples yet */
		k->mdone = floor_to(first, MINUTE);
		k->hdone = k->mpruned = k->hpruned = floor_to(first, HOUR);
	}

	/* Raw -> minutes: one chunk per host and hour, once the hour is complete. */
	int64_t mlimit = floor_to(m->minute_target, HOUR);
	for (int i = 0; i < MINUTE_HOURS && k->mdone < mlimit && (i == 0 || m->work < m->budget);
	    i++) {
		if ((rc = next_chunk_ts(st, STORE_LEVEL_RAW, k->id, k->mdone, &nx, &have_nx)) !=
		    SQLITE_OK)
			return rc;
		m->work++;
		if (!have_nx || nx >= mlimit) {
			k->mdone = mlimit;
			break;
		}
		if (floor_to(nx, HOUR) > k->mdone)
			k->mdone = floor_to(nx, HOUR);	/* over a gap */
		end = floor_to(k->mdone, HOUR) + HOUR;
		if ((rc = roll_minutes(m, k->id, k->mdone, end)) != SQLITE_OK)
			return rc;
		k->mdone = end;
	}
	if (k->mdone < mlimit)
		*more = 1;
	/* Minutes -> hours. */
	int64_t hlimit = OD_MIN(m->hour_target, floor_to(k->mdone, HOUR));
	if (k->hdone < hlimit) {
		if ((rc = next_chunk_ts(st, STORE_LEVEL_MINUTE, k->id, k->hdone, &nx,
		    &have_nx)) != SQLITE_OK)
			return rc;
		m->work++;
		if (!have_nx || nx >= hlimit) {
			k->hdone = hlimit;
		} else {
			if (floor_to(nx, HOUR) > k->hdone)
				k->hdone = floor_to(nx, HOUR);
			end = OD_MIN(hlimit, k->hdone + HOUR_CHUNK);
			if ((rc = roll_hours(m, k->id, k->hdone, end)) != SQLITE_OK)
				return rc;
			k->hdone = end;
		}
		if (k->hdone < hlimit)
			*more = 1;
	}
	/* Retention, whole chunks: only what is rolled up goes. */
	cut = OD_MIN(m->raw_cut, k->mdone);
	if (have && first < cut) {
		hi = OD_MIN(cut, first + RAW_PRUNE_CHUNK);
		if ((rc = prune_chunks(m, k->id, STORE_LEVEL_RAW, hi)) != SQLITE_OK)
			return rc;
		if (hi < cut)
			*more = 1;
	}
	cut = OD_MIN(m->minute_cut, k->hdone);
	if (k->mpruned < cut) {
		if ((rc = next_chunk_ts(st, STORE_LEVEL_MINUTE, k->id, INT64_MIN, &nx,
		    &have_nx)) != SQLITE_OK)
			return rc;
		if (have_nx && floor_to(nx, HOUR) > k->mpruned)
			k->mpruned = OD_MIN(cut, floor_to(nx, HOUR));
		hi = OD_MIN(cut, k->mpruned + MINUTE_PRUNE_CHUNK);
		if (have_nx && (rc = prune_chunks(m, k->id, STORE_LEVEL_MINUTE, hi)) != SQLITE_OK)
			return rc;
		k->mpruned = have_nx ? hi : cut;
		if (k->mpruned < cut)
			*more = 1;
	}
	cut = OD_MIN(m->hour_cut, k->hdone);	/* hour rows appear at hdone and above */
	if (k->hpruned < cut) {
		if ((rc = next_hour_ts(st, k->id, k->hpruned, &nx, &have_nx)) != SQLITE_OK)
			return rc;
		m->work++;
		if (!have_nx || nx >= cut)
			k->hpruned = cut;
		else if (floor_to(nx, HOUR) > k->hpruned)
			k->hpruned = floor_to(nx, HOUR);
		hi = OD_MIN(cut, k->hpruned + HOUR_PRUNE_CHUNK);
		if (have_nx && nx < cut && (rc = prune_hours(m, k->id, hi)) != SQLITE_OK)
			return rc;
		k->hpruned = OD_MAX(k->hpruned, hi);
		if (k->hpruned < cut)
			*more = 1;
	}
	if (memcmp(&k0, k, sizeof *k) != 0) {
		m->acted++;
		rc = marks_save(st, k);
	}
	return rc;
}

static void
checkpoint(struct store *st, int idle)
{
	sqlite3_wal_checkpoint_v2(st->db, NULL,
	    idle ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

int
store_maintain(struct store *st, const struct retention *r, int64_t now_ms,
    size_t budget, char **cause)
{
	struct maint m = { 0 };
	int rc;

	if (st->flags & STORE_READONLY) {
		*cause = xasprintf("cache %s: opened read-only", st->path);
		return -1;
	}
	if (st->in_tx) {
		*cause = xasprintf("cache %s: store_maintain inside a tick", st->path);
		return -1;
	}
	if (now_ms < st->maint_rest_until)
		return 0;

	m.st = st;
	m.budget = budget ? budget : STORE_MAINTAIN_BUDGET;
	m.raw_cut = now_ms - (r != NULL && r->raw_ms > 0 ? r->raw_ms : STORE_RAW_MS);
	m.minute_cut = now_ms - (r != NULL && r->minute_ms > 0 ? r->minute_ms : STORE_MINUTE_MS);
	m.hour_cut = now_ms - (r != NULL && r->hour_ms > 0 ? r->hour_ms : STORE_HOUR_MS);
	m.minute_target = floor_to(now_ms - MINUTE_LAG, MINUTE);
	m.hour_target = floor_to(now_ms - HOUR_LAG, HOUR);

	rc = store_exec(st, "BEGIN IMMEDIATE");
	if (rc != SQLITE_OK) {
		*cause = store_errmsg(st, "maintenance");
		return -1;
	}
	int wrapped = 0;
	while (rc == SQLITE_OK && m.work < m.budget) {
		sqlite3_stmt *s;
		struct marks k[HOST_BATCH];
		size_t n = 0;

		rc = prep(st, &s, "SELECT id, minute_done_ms, hour_done_ms, minute_pruned_ms,"
		    " hour_pruned_ms FROM hosts WHERE id > ?1 ORDER BY id LIMIT ?2");
		if (rc != SQLITE_OK)
			break;
		sqlite3_bind_int64(s, 1, st->maint_cursor);
		sqlite3_bind_int(s, 2, HOST_BATCH);
		while (n < HOST_BATCH && (rc = sqlite3_step(s)) == SQLITE_ROW) {
			k[n].id = sqlite3_column_int64(s, 0);
			k[n].mdone = sqlite3_column_int64(s, 1);
			k[n].hdone = sqlite3_column_int64(s, 2);
			k[n].mpruned = sqlite3_column_int64(s, 3);
			k[n].hpruned = sqlite3_column_int64(s, 4);
			n++;
		}
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE && rc != SQLITE_ROW)
			break;
		rc = SQLITE_OK;
		if (n == 0) {
			/* The end of a pass. */
			st->maint_cursor = 0;
			wrapped = 1;
			break;
		}
		for (size_t i = 0; i < n && m.work < m.budget;) {
			int more;
			size_t before = m.acted;
			rc = host_step(&m, &k[i], &more);
			if (rc != SQLITE_OK)
				break;
			if (m.acted != before || more)
				st->maint_pass_work++;
			if (!more)
				st->maint_cursor = k[i++].id;
			/* else stay on this host while the budget lasts */
		}
	}
	if (rc != SQLITE_OK) {
		*cause = store_errmsg(st, "maintenance");
		store_exec(st, "ROLLBACK");
		return -1;
	}
	if (store_exec(st, "COMMIT") != SQLITE_OK) {
		*cause = store_errmsg(st, "maintenance: cannot commit");
		store_exec(st, "ROLLBACK");
		return -1;
	}
	if (wrapped) {
		int idle = st->maint_pass_work == 0;
		st->maint_pass_work = 0;
		checkpoint(st, idle);
		if (idle) {
			/* Nothing changes before the next minute is complete. */
			st->maint_rest_until = floor_to(now_ms, MINUTE) + MINUTE;
			return 0;
		}
		return 1;
	}
	checkpoint(st, 0);
	return 1;
}
