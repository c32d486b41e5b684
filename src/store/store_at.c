/*
 * store_at.c: the fleet as it stood at a past time, rebuilt from the cache
 * (store.h, store_hosts_at): each host's state from its transitions, its
 * figures from the newest stored samples before that time. The same read
 * serves `opsdeck history --at` and the console's time cursor.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

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
 * samples, else 1-minute rollups (their averages). sample_ms is the newest
 * sample's time; none: left 0. 0, or an SQLite rc.
 */
static int
figures_at(struct store *st, const struct names *nm, int64_t host_id, int64_t at_ms,
    int64_t window_ms, struct host_status *h)
{
	static const enum store_level levels[] = { STORE_LEVEL_RAW, STORE_LEVEL_MINUTE };

	for (size_t l = 0; l < OD_ARRAY_LEN(levels); l++) {
		struct chunk_sample *v = NULL;
		size_t n = 0;
		int64_t win = levels[l] == STORE_LEVEL_RAW ? window_ms : OD_MAX(window_ms, 180000);
		int rc = store_chunks_read(st, host_id, levels[l], -1, at_ms - win, at_ms + 1, &v,
		    &n);
		if (rc != 0)
			return rc;
		int64_t newest = 0;
		for (size_t i = 0; i < n; i++)
			newest = OD_MAX(newest, v[i].ts);
		/* every metric's value at the newest sample time (chunks come in time order) */
		for (size_t i = 0; i < n; i++)
			if (v[i].ts == newest && v[i].metric >= 0 && v[i].metric < nm->n &&
			    nm->v[v[i].metric] != NULL)
				host_status_set_metric(h, nm->v[v[i].metric], v[i].avg);
		free(v);
		if (n > 0) {
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
	sqlite3_stmt *hs = NULL, *ts = NULL;
	struct names nm;
	size_t cap = 0;
	int rc = -1;

	*out = NULL;
	*n = 0;
	*unknown = 0;
	if (names_read(st, &nm, cause) != 0)
		goto out;
	if (store_prepare(st, "SELECT id, name, grp, kind FROM hosts ORDER BY grp, name", &hs,
	    cause) != 0 ||
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
		int frc = figures_at(st, &nm, id, at_ms, window_ms, &h);
		if (frc != 0) {
			*cause = store_errmsg(st, "reading samples");
			host_status_free(&h);
			goto out;
		}
		if (!known && h.sample_ms > 0) {
			h.state = HOST_UP;	/* its transitions pruned: samples say it answered */
			known = 1;
		}
		if (!known) {
			(*unknown)++;
			host_status_free(&h);
			continue;
		}
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
	if (nm.v != NULL)
		names_free(&nm);
	if (rc != 0) {
		store_free_hosts(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}
