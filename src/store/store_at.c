/*
 * store_at.c: the fleet as it stood at a past time, rebuilt from the cache
 * (store.h, store_hosts_at): each host's state from its transitions, its
 * figures from the newest stored samples before that time. The same read
 * serves `opsdeck history --at` and the console's time cursor.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/hostlive.h"
#include "opsdeck/store.h"
#include "opsdeck/util.h"
#include "store_int.h"

/* Metric names by id, read once per call. */
struct names {
	char	**v;
	int64_t	 n;
};

static int
names_read(struct store *st, struct names *nm, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	memset(nm, 0, sizeof *nm);
	if (store_prepare(st, "SELECT coalesce(max(id), 0) FROM metrics", &s, cause) != 0)
		return -1;
	int64_t max = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	if (max < 0 || max > 10000000)
		max = 0;
	nm->n = max + 1;
	nm->v = xcalloc((size_t)nm->n, sizeof *nm->v);
	if (store_prepare(st, "SELECT id, name FROM metrics", &s, cause) != 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		if (id >= 0 && id < nm->n)
			nm->v[id] = xstrdup(store_column_text(s, 1));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = store_errmsg(st, "reading metric names");
		return -1;
	}
	return 0;
}

static void
names_free(struct names *nm)
{
	for (int64_t i = 0; i < nm->n; i++)
		free(nm->v[i]);
	free(nm->v);
}

/*
 * h's figures from its newest samples in (at_ms - window_ms, at_ms]: raw
 * samples, else 1-minute rollups (their averages); only each metric's last
 * point is decoded (chunk_decode_last), through cs, prepared once:
 * chunks of ?1 at level ?2 that may hold points in [?5, ?4). sample_ms is
 * the newest sample's time; none: left 0. 0, or an SQLite rc.
 */
static int
figures_at(sqlite3_stmt *cs, const struct names *nm, int64_t host_id, int64_t at_ms,
    int64_t window_ms, struct host_status *h)
{
	static const enum store_level levels[] = { STORE_LEVEL_RAW, STORE_LEVEL_MINUTE };

	for (size_t l = 0; l < OD_ARRAY_LEN(levels); l++) {
		int64_t span = levels[l] == STORE_LEVEL_RAW ? STORE_CHUNK_SPAN : STORE_ROLLUP_SPAN;
		int64_t win = levels[l] == STORE_LEVEL_RAW ? window_ms : OD_MAX(window_ms, 180000);
		int64_t lo = at_ms - win, newest = 0;
		struct chunk_sample *last = NULL;	/* by metric id: the latest so far */
		size_t nlast = 0;
		int rc;

		sqlite3_bind_int64(cs, 1, host_id);
		sqlite3_bind_int(cs, 2, (int)levels[l]);
		sqlite3_bind_int64(cs, 3, lo - span);
		sqlite3_bind_int64(cs, 4, at_ms + 1);
		sqlite3_bind_int64(cs, 5, lo);
		while ((rc = sqlite3_step(cs)) == SQLITE_ROW) {
			const void *data = sqlite3_column_blob(cs, 0);
			struct chunk_sample *p;
			size_t np;
			if (data == NULL || chunk_decode_last(data, (size_t)sqlite3_column_bytes(cs, 0),
			    at_ms, &p, &np) != 0)
				continue;	/* a damaged chunk costs only itself */
			for (size_t i = 0; i < np; i++) {
				if (p[i].ts <= lo || p[i].metric < 0 || p[i].metric >= nm->n)
					continue;
				if ((size_t)p[i].metric >= nlast) {
					size_t nn = (size_t)p[i].metric + 1;
					last = xreallocarray(last, nn, sizeof *last);
					for (size_t k = nlast; k < nn; k++)
						last[k].ts = INT64_MIN;
					nlast = nn;
				}
				if (p[i].ts >= last[p[i].metric].ts)	/* chunks come in time order */
					last[p[i].metric] = p[i];
				newest = OD_MAX(newest, p[i].ts);
			}
			free(p);
		}
		sqlite3_reset(cs);
		if (rc != SQLITE_DONE) {
			free(last);
			return rc;
		}
		/* every metric's value at the newest sample time: one consistent sample */
		for (size_t m = 0; m < nlast; m++)
			if (last[m].ts == newest && newest > 0 && nm->v[m] != NULL)
				host_status_set_metric(h, nm->v[m], last[m].avg);
		free(last);
		if (newest > 0) {
			h->sample_ms = newest;
			return 0;
		}
	}
	return 0;
}

/* See store.h. */
int
store_hosts_at(struct store *st, int64_t at_ms, int64_t window_ms, struct host_status **out,
    size_t *n, size_t *unknown, char **cause)
{
	sqlite3_stmt *hs = NULL, *ts = NULL, *after = NULL, *gs = NULL, *cs = NULL;
	struct names nm;
	size_t cap = 0;
	int rc = -1;

	*out = NULL;
	*n = 0;
	*unknown = 0;
	if (names_read(st, &nm, cause) != 0)
		goto out;
	if (store_prepare(st, "SELECT id, name, grp, kind, cores FROM hosts ORDER BY grp, name",
	    &hs, cause) != 0 ||
	    store_prepare(st, "SELECT from_state FROM host_transitions WHERE host_id = ?1"
	    " AND ts_ms > ?2 ORDER BY ts_ms, id LIMIT 1", &after, cause) != 0 ||
	    store_prepare(st, "SELECT data FROM host_live WHERE host_id = ?1", &gs,
	    cause) != 0 ||
	    store_prepare(st, "SELECT data FROM chunks WHERE host_id = ?1 AND level = ?2"
	    " AND t0 >= ?3 AND t0 < ?4 AND t1 >= ?5 ORDER BY t0", &cs, cause) != 0 ||
	    store_prepare(st, "SELECT to_state, error, ts_ms FROM host_transitions"
	    " WHERE host_id = ?1 AND ts_ms <= ?2 ORDER BY ts_ms DESC, id DESC LIMIT 1", &ts,
	    cause) != 0)
		goto out;
	int step;
	while ((step = sqlite3_step(hs)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(hs, 0);
		struct host_status h;
		host_status_init(&h);
		od_strlcpy(h.name, store_column_text(hs, 1), sizeof h.name);
		od_strlcpy(h.group, store_column_text(hs, 2), sizeof h.group);
		h.kind = (enum group_kind)sqlite3_column_int(hs, 3);
		h.cores = sqlite3_column_int(hs, 4);	/* not a series: today's count */
		sqlite3_bind_int64(ts, 1, id);
		sqlite3_bind_int64(ts, 2, at_ms);
		int known = 0;
		if (sqlite3_step(ts) == SQLITE_ROW) {
			int s = sqlite3_column_int(ts, 0);
			h.state = s >= 0 && s < HOST_STATE_COUNT ? (enum host_state)s : HOST_DOWN;
			od_strlcpy(h.error, store_column_text(ts, 1), sizeof h.error);
			h.state_since_ms = sqlite3_column_int64(ts, 2);
			known = 1;
		}
		sqlite3_reset(ts);
		if (!known) {
			/* the first transition after at_ms says what it was before */
			sqlite3_bind_int64(after, 1, id);
			sqlite3_bind_int64(after, 2, at_ms);
			if (sqlite3_step(after) == SQLITE_ROW &&
			    sqlite3_column_type(after, 0) != SQLITE_NULL) {
				int s = sqlite3_column_int(after, 0);
				h.state = s >= 0 && s < HOST_STATE_COUNT ? (enum host_state)s : HOST_DOWN;
				known = 1;
			} else if (sqlite3_column_type(after, 0) == SQLITE_NULL &&
			    sqlite3_data_count(after) > 0) {
				known = -1;	/* first seen after at_ms */
			}
			sqlite3_reset(after);
		}
		int frc = figures_at(cs, &nm, id, at_ms, window_ms, &h);
		if (frc != 0) {
			*cause = store_errmsg(st, "reading samples");
			host_status_free(&h);
			goto out;
		}
		if (known == 0 && h.sample_ms > 0) {
			h.state = HOST_UP;	/* no transition kept: samples say it answered */
			known = 1;
		}
		if (known != 1) {
			(*unknown)++;
			host_status_free(&h);
			continue;
		}
		/* GPU names and sizes are not series: today's, by index */
		sqlite3_bind_int64(gs, 1, id);
		struct host_live l;
		if (h.ngpus > 0 && sqlite3_step(gs) == SQLITE_ROW &&
		    host_live_decode(sqlite3_column_blob(gs, 0),
		    (size_t)sqlite3_column_bytes(gs, 0), &l) == 0) {
			for (int k = 0; k < l.ngpus; k++)
				for (int g = 0; g < h.ngpus; g++) {
					if (h.gpus[g].index != l.gpus[k].index)
						continue;
					memcpy(h.gpus[g].uuid, l.gpus[k].uuid, sizeof h.gpus[g].uuid);
					memcpy(h.gpus[g].name, l.gpus[k].name, sizeof h.gpus[g].name);
					h.gpus[g].mem_total_bytes = l.gpus[k].mem_total_bytes;
				}
			host_live_free(&l);
		}
		sqlite3_reset(gs);
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		(*out)[(*n)++] = h;
	}
	if (step != SQLITE_DONE) {
		*cause = store_errmsg(st, "reading hosts");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(hs);
	sqlite3_finalize(ts);
	sqlite3_finalize(after);
	sqlite3_finalize(gs);
	sqlite3_finalize(cs);
	if (nm.v != NULL)
		names_free(&nm);
	if (rc != 0) {
		store_free_hosts(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}
