/*
 * store_maintain.c: rollups, retention and WAL checkpoints, a bounded slice
 * of work per call.
 *
 * Each host row carries the maintenance watermarks: minute_done_ms (every
 * 1-minute bucket below it is rolled up from the raw samples),
 * hour_done_ms (every 1-hour bucket below it is rolled up from the 1-minute
 * rows), and minute_pruned_ms / hour_pruned_ms (rollup rows below them are
 * deleted). A pass walks the hosts by id, advances the watermarks over
 * complete buckets in chunks, and deletes what is older than the retention
 * windows, never raw rows that are not rolled up yet. Minutes are rolled up
 * in batches of MINUTE_BATCH so that each series' rollup rows are written
 * together (history reads the raw rows for what is not rolled up yet).
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
/* Raw rolled up per step, and the least that is worth a step. */
#define MINUTE_BATCH	(10 * MINUTE)
#define HOUR_CHUNK	(6 * HOUR)	/* minutes rolled up into hours per step */
#define RAW_PRUNE_CHUNK	(10 * MINUTE)
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
 * The earliest time >= from that one host has rows for in table (raw:
 * one seek; rollups: one seek per metric); *have 0 when there is none.
 * Lets the watermarks jump over gaps instead of walking them.
 */
static int
next_ts(struct store *st, const char *table, int64_t hid, int64_t from, int64_t *out,
    int *have)
{
	char sql[300];
	sqlite3_stmt *s;

	if (strcmp(table, "samples") == 0)
		snprintf(sql, sizeof sql, "SELECT min(ts) FROM samples WHERE host_id = ?1"
		    " AND ts >= ?2");
	else
		snprintf(sql, sizeof sql, "SELECT min((SELECT ts FROM %s WHERE host_id = ?1"
		    " AND metric_id = s.metric_id AND ts >= ?2 ORDER BY ts LIMIT 1))"
		    " FROM series s WHERE s.host_id = ?1", table);
	int rc = prep(st, &s, sql);
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

/*
 * Moves *mark over a gap: to `limit` when table has no rows in
 * [*mark, limit), else to the start (floored to unit) of the next row.
 */
static int
skip_gap(struct maint *m, const char *table, int64_t hid, int64_t *mark, int64_t limit,
    int64_t unit)
{
	int64_t nx = 0;
	int have;
	int rc = next_ts(m->st, table, hid, *mark, &nx, &have);

	m->work++;
	if (rc != SQLITE_OK)
		return rc;
	if (!have || nx >= limit)
		*mark = limit;
	else if (floor_to(nx, unit) > *mark)
		*mark = floor_to(nx, unit);
	return SQLITE_OK;
}

/*
 * Rolls [lo, hi) of one host into `dst` buckets of `unit`: from the raw
 * samples (raw) or from the 1-minute rows. Rows are inserted in metric, time
 * order so each series' run lands together.
 */
static int
rollup(struct maint *m, int64_t hid, int raw, const char *dst, int64_t unit, int64_t lo,
    int64_t hi)
{
	char sql[400];
	sqlite3_stmt *sel, *ins;
	struct store *st = m->st;

	if (raw)
		snprintf(sql, sizeof sql, "SELECT metric_id, (ts / ?2) * ?2 AS b, min(value),"
		    " avg(value), max(value), count(*), count(*) FROM samples"
		    " WHERE host_id = ?1 AND ts >= ?3 AND ts < ?4 GROUP BY metric_id, b"
		    " ORDER BY metric_id, b");
	else
		snprintf(sql, sizeof sql, "SELECT metric_id, (ts / ?2) * ?2 AS b, min(min),"
		    " sum(avg * n) / sum(n), max(max), sum(n), count(*) FROM samples_1m"
		    " WHERE host_id = ?1 AND metric_id IN (SELECT metric_id FROM series"
		    " WHERE host_id = ?1) AND ts >= ?3 AND ts < ?4 GROUP BY metric_id, b"
		    " ORDER BY metric_id, b");
	int rc = prep(st, &sel, sql);
	if (rc != SQLITE_OK)
		return rc;
	snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO %s(host_id, metric_id, ts, min, avg,"
	    " max, n) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", dst);
	rc = prep(st, &ins, sql);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(sel);
		return rc;
	}
	sqlite3_bind_int64(sel, 1, hid);
	sqlite3_bind_int64(sel, 2, unit);
	sqlite3_bind_int64(sel, 3, lo);
	sqlite3_bind_int64(sel, 4, hi);
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		sqlite3_bind_int64(ins, 1, hid);
		sqlite3_bind_int64(ins, 2, sqlite3_column_int64(sel, 0));
		sqlite3_bind_int64(ins, 3, sqlite3_column_int64(sel, 1));
		sqlite3_bind_double(ins, 4, sqlite3_column_double(sel, 2));
		sqlite3_bind_double(ins, 5, sqlite3_column_double(sel, 3));
		sqlite3_bind_double(ins, 6, sqlite3_column_double(sel, 4));
		sqlite3_bind_int64(ins, 7, sqlite3_column_int64(sel, 5));
		rc = sqlite3_step(ins);
		sqlite3_reset(ins);
		if (rc != SQLITE_DONE)
			break;
		m->work += 1 + (size_t)sqlite3_column_int64(sel, 6);
		m->acted++;
	}
	sqlite3_finalize(sel);
	sqlite3_finalize(ins);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Deletes one host's rows of table in [.., hi): raw by host and time, rollups per metric. */
static int
prune(struct maint *m, const char *table, int64_t hid, int64_t hi)
{
	char sql[200];
	sqlite3_stmt *s;
	struct store *st = m->st;

	if (strcmp(table, "samples") == 0)
		snprintf(sql, sizeof sql, "DELETE FROM samples WHERE host_id = ?1 AND ts < ?2");
	else
		snprintf(sql, sizeof sql, "DELETE FROM %s WHERE host_id = ?1 AND metric_id IN"
		    " (SELECT metric_id FROM series WHERE host_id = ?1) AND ts < ?2", table);
	int rc = prep(st, &s, sql);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(s, 1, hid);
	sqlite3_bind_int64(s, 2, hi);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return rc;
	m->work += 1 + (size_t)sqlite3_changes(st->db);
	m->acted += (size_t)sqlite3_changes(st->db);
	return SQLITE_OK;
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
	struct marks k0 = *k;
	int64_t first = 0, end, hi, cut;
	int have, rc;

	*more = 0;
	m->work++;
	rc = next_ts(m->st, "samples", k->id, INT64_MIN, &first, &have);
	if (rc != SQLITE_OK)
		return rc;
	if (k->mdone == 0) {
		if (!have)
			return SQLITE_OK;	/* no samples yet */
		k->mdone = floor_to(first, MINUTE);
		k->hdone = k->mpruned = k->hpruned = floor_to(first, HOUR);
	}

	/* Raw -> minutes, in batches, or sooner when pruning waits for it. */
	int64_t due = m->minute_target - k->mdone;
	if (due >= MINUTE_BATCH || (due > 0 && k->mdone < m->raw_cut)) {
		if ((rc = skip_gap(m, "samples", k->id, &k->mdone, m->minute_target,
		    MINUTE)) != SQLITE_OK)
			return rc;
		end = OD_MIN(m->minute_target, k->mdone + MINUTE_BATCH);
		if (k->mdone < end) {
			rc = rollup(m, k->id, 1, "samples_1m", MINUTE, k->mdone, end);
			if (rc != SQLITE_OK)
				return rc;
			k->mdone = end;
		}
		if (m->minute_target - k->mdone >= MINUTE_BATCH)
			*more = 1;
	}
	/* Minutes -> hours. */
	int64_t hlimit = OD_MIN(m->hour_target, floor_to(k->mdone, HOUR));
	if (k->hdone < hlimit) {
		if ((rc = skip_gap(m, "samples_1m", k->id, &k->hdone, hlimit, HOUR)) !=
		    SQLITE_OK)
			return rc;
		end = OD_MIN(hlimit, k->hdone + HOUR_CHUNK);
		if (k->hdone < end) {
			rc = rollup(m, k->id, 0, "samples_1h", HOUR, k->hdone, end);
			if (rc != SQLITE_OK)
				return rc;
			k->hdone = end;
		}
		if (k->hdone < hlimit)
			*more = 1;
	}
	/* Retention: only what is rolled up goes. */
	cut = OD_MIN(m->raw_cut, k->mdone);
	if (have && first < cut) {
		hi = OD_MIN(cut, first + RAW_PRUNE_CHUNK);
		if ((rc = prune(m, "samples", k->id, hi)) != SQLITE_OK)
			return rc;
		if (hi < cut)
			*more = 1;
	}
	cut = OD_MIN(m->minute_cut, k->hdone);
	if (k->mpruned < cut) {
		if ((rc = skip_gap(m, "samples_1m", k->id, &k->mpruned, cut, MINUTE)) !=
		    SQLITE_OK)
			return rc;
		hi = OD_MIN(cut, k->mpruned + MINUTE_PRUNE_CHUNK);
		if ((rc = prune(m, "samples_1m", k->id, hi)) != SQLITE_OK)
			return rc;
		k->mpruned = hi;
		if (hi < cut)
			*more = 1;
	}
	cut = OD_MIN(m->hour_cut, k->hdone);	/* hour rows appear at hdone and above */
	if (k->hpruned < cut) {
		if ((rc = skip_gap(m, "samples_1h", k->id, &k->hpruned, cut, HOUR)) !=
		    SQLITE_OK)
			return rc;
		hi = OD_MIN(cut, k->hpruned + HOUR_PRUNE_CHUNK);
		if ((rc = prune(m, "samples_1h", k->id, hi)) != SQLITE_OK)
			return rc;
		k->hpruned = hi;
		if (hi < cut)
			*more = 1;
	}
	if (memcmp(&k0, k, sizeof *k) != 0) {
		m->acted++;
		rc = marks_save(m->st, k);
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
