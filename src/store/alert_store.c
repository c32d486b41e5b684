/*
 * alert_store.c: alerts in the cache (alert.h). One table, alert_log: a row
 * per alert from raise to clear, with its acknowledgement. The active set of
 * a (host, source) is made equal to each new evaluation by alert_diff.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "opsdeck/alert.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/store.h"
#include "opsdeck/util.h"
#include "store_int.h"

static const char alert_schema[] =
	"CREATE TABLE IF NOT EXISTS alert_log("
	"  id INTEGER PRIMARY KEY, host TEXT NOT NULL, device TEXT NOT NULL DEFAULT '',"
	"  rule TEXT NOT NULL, source INTEGER NOT NULL, severity TEXT NOT NULL,"
	"  message TEXT NOT NULL DEFAULT '', value REAL, limit_value REAL,"
	"  raised_ms INTEGER NOT NULL, cleared_ms INTEGER,"
	"  ack_note TEXT, ack_user TEXT, ack_ms INTEGER);"
	"CREATE INDEX IF NOT EXISTS alert_log_open ON alert_log(host, source)"
	"  WHERE cleared_ms IS NULL;"
	"CREATE INDEX IF NOT EXISTS alert_log_cleared ON alert_log(cleared_ms);"
	/* snoozes by key (host, device, rule): they outlive one row of the log */
	"CREATE TABLE IF NOT EXISTS alert_snooze("
	"  host TEXT NOT NULL, device TEXT NOT NULL, rule TEXT NOT NULL,"
	"  until_ms INTEGER NOT NULL, user TEXT, set_ms INTEGER,"
	"  PRIMARY KEY(host, device, rule));";

/* See alert.h. */
int
alert_store_init(struct store *st, char **cause)
{
	int nested;

	if (store_has_table(st, "alert_log") == 1 && store_has_table(st, "alert_snooze") == 1)
		return 0;
	if (store_work_begin(st, NULL, &nested, cause) != 0)
		return -1;
	int ok = sqlite3_exec(store_db(st), alert_schema, NULL, NULL, NULL) == SQLITE_OK;
	if (!ok && cause != NULL)
		*cause = store_errmsg(st, "creating the alert table");
	return store_work_end(st, NULL, nested, ok, "commit", cause);
}

/* See alert.h. */
int
alert_store_has_log(struct store *st)
{
	return store_has_table(st, "alert_log") == 1;
}

static enum alert_sev
sev_parse(const char *s)
{
	if (strcmp(s, "crit") == 0)
		return ALERT_CRIT;
	if (strcmp(s, "warn") == 0)
		return ALERT_WARN;
	return ALERT_NONE;
}

#define ALERT_COLS "id, host, device, rule, source, severity, message, value, limit_value," \
	" raised_ms, cleared_ms, ack_note, ack_user, ack_ms"
/* The same of alert_log a, and the snooze of its key (alert_snooze s) as two more. */
#define ALERT_COLS_SNOOZE "a.id, a.host, a.device, a.rule, a.source, a.severity, a.message," \
	" a.value, a.limit_value, a.raised_ms, a.cleared_ms, a.ack_note, a.ack_user, a.ack_ms," \
	" s.until_ms, s.user"

/* See alert.h. */
int
alert_snoozed(const struct alert *a, int64_t now_ms)
{
	return a->cleared_ms == 0 && a->snooze_until_ms > now_ms;
}

/* Fills a from the ALERT_COLS columns of the current row (and the snooze's, when there). */
static void
alert_from_row(sqlite3_stmt *s, struct alert *a)
{
	memset(a, 0, sizeof *a);
	a->id = sqlite3_column_int64(s, 0);
	od_strlcpy(a->host, store_column_text(s, 1), sizeof a->host);
	od_strlcpy(a->device, store_column_text(s, 2), sizeof a->device);
	od_strlcpy(a->rule, store_column_text(s, 3), sizeof a->rule);
	a->source = sqlite3_column_int(s, 4) == ALERT_SRC_DEVICE ? ALERT_SRC_DEVICE :
	    ALERT_SRC_HOST;
	a->sev = sev_parse(store_column_text(s, 5));
	od_strlcpy(a->message, store_column_text(s, 6), sizeof a->message);
	a->value = store_column_real(s, 7);
	a->limit = store_column_real(s, 8);
	a->raised_ms = sqlite3_column_int64(s, 9);
	a->cleared_ms = sqlite3_column_int64(s, 10);
	od_strlcpy(a->ack_note, store_column_text(s, 11), sizeof a->ack_note);
	od_strlcpy(a->ack_user, store_column_text(s, 12), sizeof a->ack_user);
	a->ack_ms = sqlite3_column_int64(s, 13);
	if (sqlite3_column_count(s) > 15) {
		a->snooze_until_ms = sqlite3_column_int64(s, 14);
		od_strlcpy(a->snooze_user, store_column_text(s, 15), sizeof a->snooze_user);
	}
}

/* The snooze of a's key still on at now_ms into a (none: left 0). */
static void
snooze_of(struct store *st, struct alert *a, int64_t now_ms)
{
	sqlite3_stmt *s;

	if (store_prepare(st, "SELECT until_ms, user FROM alert_snooze WHERE host = ?1 AND"
	    " device = ?2 AND rule = ?3 AND until_ms > ?4", &s, NULL) != 0)
		return;
	store_bind_text(s, 1, a->host);
	store_bind_text(s, 2, a->device);
	store_bind_text(s, 3, a->rule);
	sqlite3_bind_int64(s, 4, now_ms);
	if (sqlite3_step(s) == SQLITE_ROW) {
		a->snooze_until_ms = sqlite3_column_int64(s, 0);
		od_strlcpy(a->snooze_user, store_column_text(s, 1), sizeof a->snooze_user);
	}
	sqlite3_finalize(s);
}

/*
 * The active alerts of (host, source); with their snoozes, ended or not,
 * when snoozes is set.
 */
static int
load_active(struct store *st, const char *host, enum alert_source source, int snoozes,
    struct alert_set *out, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(st, snoozes ?
	    "SELECT " ALERT_COLS_SNOOZE " FROM alert_log a LEFT JOIN alert_snooze s ON"
	    " s.host = a.host AND s.device = a.device AND s.rule = a.rule"
	    " WHERE a.host = ?1 AND a.source = ?2 AND a.cleared_ms IS NULL" :
	    "SELECT " ALERT_COLS " FROM alert_log WHERE host = ?1 AND source = ?2"
	    " AND cleared_ms IS NULL", &s, cause) != 0)
		return -1;
	store_bind_text(s, 1, host);
	sqlite3_bind_int(s, 2, (int)source);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct alert a;
		alert_from_row(s, &a);
		alert_set_add(out, &a);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		if (cause != NULL)
			*cause = store_errmsg(st, "reading alerts");
		return -1;
	}
	return 0;
}

/*
 * Inserts raised, clears cleared and updates changed alerts; what was raised
 * and cleared is appended to events (may be NULL). 0 or -1.
 */
static int
write_changes(struct store *st, const char *host, enum alert_source source,
    const struct alert_set *raised, const struct alert_set *cleared,
    const struct alert_set *changed, int64_t now, struct alert_set *events, char **cause)
{
	sqlite3_stmt *s;
	int rc = 0;

	if (raised->n > 0) {
		if (store_prepare(st, "INSERT INTO alert_log(host, device, rule, source, severity,"
		    " message, value, limit_value, raised_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
		    " ?8, ?9)", &s, cause) != 0)
			return -1;
		store_bind_text(s, 1, host);
		sqlite3_bind_int(s, 4, (int)source);
		sqlite3_bind_int64(s, 9, now);
		for (size_t i = 0; i < raised->n && rc == 0; i++) {
			const struct alert *a = &raised->v[i];
			store_bind_text(s, 2, a->device);
			store_bind_text(s, 3, a->rule);
			store_bind_text(s, 5, alert_sev_name(a->sev));
			store_bind_text(s, 6, a->message);
			store_bind_real(s, 7, a->value);
			store_bind_real(s, 8, a->limit);
			rc = store_step_done(st, s, "raising an alert", cause);
			if (rc == 0 && events != NULL) {
				struct alert *e = alert_set_add(events, a);
				od_strlcpy(e->host, host, sizeof e->host);
				e->id = sqlite3_last_insert_rowid(store_db(st));
				e->raised_ms = now;
				e->cleared_ms = 0;
				snooze_of(st, e, now);
			}
		}
		sqlite3_finalize(s);
	}
	if (rc == 0 && cleared->n > 0) {
		if (store_prepare(st, "UPDATE alert_log SET cleared_ms = ?2 WHERE id = ?1", &s,
		    cause) != 0)
			return -1;
		sqlite3_bind_int64(s, 2, now);
		for (size_t i = 0; i < cleared->n && rc == 0; i++) {
			sqlite3_bind_int64(s, 1, cleared->v[i].id);
			rc = store_step_done(st, s, "clearing an alert", cause);
			if (rc == 0 && events != NULL) {
				struct alert *e = alert_set_add(events, &cleared->v[i]);
				e->cleared_ms = now;
				snooze_of(st, e, now);
			}
		}
		sqlite3_finalize(s);
	}
	if (rc == 0 && changed->n > 0) {
		if (store_prepare(st, "UPDATE alert_log SET severity = ?2, message = ?3, value = ?4,"
		    " limit_value = ?5 WHERE id = ?1", &s, cause) != 0)
			return -1;
		for (size_t i = 0; i < changed->n && rc == 0; i++) {
			const struct alert *a = &changed->v[i];
			sqlite3_bind_int64(s, 1, a->id);
			store_bind_text(s, 2, alert_sev_name(a->sev));
			store_bind_text(s, 3, a->message);
			store_bind_real(s, 4, a->value);
			store_bind_real(s, 5, a->limit);
			rc = store_step_done(st, s, "updating an alert", cause);
		}
		sqlite3_finalize(s);
	}
	return rc;
}

/*
 * The active alerts of prev that stay active (not in cleared) and whose
 * snooze ended by now_ms, as they are now (changed holds a new severity).
 */
static void
find_woken(const struct alert_set *prev, const struct alert_set *cleared,
    const struct alert_set *changed, int64_t now_ms, struct alert_set *woken)
{
	for (size_t i = 0; i < prev->n; i++) {
		const struct alert *p = &prev->v[i];
		int gone = 0;
		if (p->snooze_until_ms == 0 || p->snooze_until_ms > now_ms)
			continue;
		for (size_t j = 0; j < cleared->n && !gone; j++)
			gone = cleared->v[j].id == p->id;
		if (gone)
			continue;
		struct alert *w = alert_set_add(woken, p);
		for (size_t j = 0; j < changed->n; j++)
			if (changed->v[j].id == p->id) {
				w->sev = changed->v[j].sev;
				od_strlcpy(w->message, changed->v[j].message, sizeof w->message);
				w->value = changed->v[j].value;
				w->limit = changed->v[j].limit;
			}
		w->snooze_until_ms = 0;
		w->snooze_user[0] = '\0';
	}
}

/*
 * Ends the snoozes of woken (their time is up, their alerts still active):
 * the rows go, and each alert is raised again in events, so that whoever
 * was told of the snooze hears that the alert is still there. 0 or -1.
 */
static int
wake_snoozed(struct store *st, const struct alert_set *woken, int64_t now_ms,
    struct alert_set *events, char **cause)
{
	sqlite3_stmt *s;
	int rc = 0;

	if (woken->n == 0)
		return 0;
	if (store_prepare(st, "DELETE FROM alert_snooze WHERE host = ?1 AND device = ?2 AND"
	    " rule = ?3 AND until_ms <= ?4", &s, cause) != 0)
		return -1;
	sqlite3_bind_int64(s, 4, now_ms);
	for (size_t i = 0; i < woken->n && rc == 0; i++) {
		const struct alert *a = &woken->v[i];
		store_bind_text(s, 1, a->host);
		store_bind_text(s, 2, a->device);
		store_bind_text(s, 3, a->rule);
		rc = store_step_done(st, s, "ending a snooze", cause);
		if (rc == 0)
			alert_set_add(events, a);
	}
	sqlite3_finalize(s);
	return rc;
}

/*
 * See alert.h. Reads the active alerts of (host, source), diffs them with
 * cur and writes only the difference; no transaction when nothing changed.
 */
int
alert_store_sync(struct store *st, const char *host, enum alert_source source,
    const struct alert *cur, size_t ncur, int64_t now_ms, char **cause)
{
	return alert_store_sync_events(st, host, source, cur, ncur, now_ms, NULL, cause);
}

/* See alert.h. On failure events is left as it was. */
int
alert_store_sync_events(struct store *st, const char *host, enum alert_source source,
    const struct alert *cur, size_t ncur, int64_t now_ms, struct alert_set *events,
    char **cause)
{
	size_t nev = events != NULL ? events->n : 0;

	struct alert_set prev, raised, cleared, changed, woken;
	int nested = 0, rc = -1;

	if (alert_store_init(st, cause) != 0)
		return -1;
	alert_set_init(&prev);
	alert_set_init(&raised);
	alert_set_init(&cleared);
	alert_set_init(&changed);
	alert_set_init(&woken);
	if (ncur > ALERT_MAX_PER_SYNC)
		ncur = ALERT_MAX_PER_SYNC;
	/* Snoozes matter only to whoever is told (events): their ends raise again. */
	if (load_active(st, host, source, events != NULL, &prev, cause) != 0)
		goto out;
	alert_diff(prev.v, prev.n, cur, ncur, &raised, &cleared, &changed);
	if (events != NULL)
		find_woken(&prev, &cleared, &changed, now_ms, &woken);
	if (raised.n + cleared.n + changed.n + woken.n == 0) {
		rc = 0;
		goto out;
	}
	if (store_work_begin(st, NULL, &nested, cause) != 0)
		goto out;
	int ok = write_changes(st, host, source, &raised, &cleared, &changed, now_ms, events,
	    cause) == 0 && wake_snoozed(st, &woken, now_ms, events, cause) == 0;
	rc = store_work_end(st, NULL, nested, ok, "commit", cause);
	if (rc != 0 && events != NULL)
		events->n = nev;	/* nothing of this sync holds */
out:
	alert_set_free(&woken);
	alert_set_free(&prev);
	alert_set_free(&raised);
	alert_set_free(&cleared);
	alert_set_free(&changed);
	return rc;
}

/* See alert.h. */
int
alert_ingest_host(struct store *st, const struct config *cfg, const struct host_status *h,
    int64_t now_ms, char **cause)
{
	struct alert_set cur;

	alert_set_init(&cur);
	alert_eval_host(h, cfg != NULL ? cfg->thresholds : NULL,
	    cfg != NULL ? cfg->nthresholds : 0, &cur);
	int rc = alert_store_sync(st, h->name, ALERT_SRC_HOST, cur.v, cur.n, now_ms, cause);
	alert_set_free(&cur);
	return rc;
}

/* Steps s (ALERT_COLS rows) into out and finalizes it. 0, or -1 with *cause. */
static int
read_alerts(struct store *st, sqlite3_stmt *s, struct alert_set *out, char **cause)
{
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct alert a;
		alert_from_row(s, &a);
		alert_set_add(out, &a);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		if (cause != NULL)
			*cause = store_errmsg(st, "listing alerts");
		return -1;
	}
	return 0;
}

/* See alert.h. Active alerts sort first, then by raise time, newest first. */
int
alert_store_list(struct store *st, const char *host, int64_t since_ms, size_t max,
    struct alert_set *out, char **cause)
{
	sqlite3_stmt *s;

	if (store_has_table(st, "alert_log") != 1)
		return 0;
	/* an older cache has no snoozes: the same list without them */
	if (store_has_table(st, "alert_snooze") != 1 ? store_prepare(st, "SELECT " ALERT_COLS
	    " FROM alert_log WHERE (?1 IS NULL OR host = ?1) AND (cleared_ms IS NULL OR"
	    " (?2 > 0 AND cleared_ms >= ?2)) AND ?4 = ?4"
	    " ORDER BY cleared_ms IS NOT NULL, raised_ms DESC, id DESC LIMIT ?3", &s, cause) != 0 :
	    store_prepare(st, "SELECT " ALERT_COLS_SNOOZE " FROM alert_log a LEFT JOIN"
	    " alert_snooze s ON s.host = a.host AND s.device = a.device AND s.rule = a.rule"
	    " AND s.until_ms > ?4"
	    " WHERE (?1 IS NULL OR a.host = ?1) AND (a.cleared_ms IS NULL OR"
	    " (?2 > 0 AND a.cleared_ms >= ?2))"
	    " ORDER BY a.cleared_ms IS NOT NULL, s.until_ms IS NOT NULL AND a.cleared_ms IS NULL,"
	    " a.raised_ms DESC, a.id DESC LIMIT ?3", &s, cause) != 0)
		return -1;
	if (host != NULL)
		store_bind_text(s, 1, host);
	sqlite3_bind_int64(s, 2, since_ms);
	sqlite3_bind_int64(s, 3, max > 0 ? (int64_t)max : 1000);
	sqlite3_bind_int64(s, 4, now_wall_ms());
	return read_alerts(st, s, out, cause);
}

/* See alert.h. Newest raised first. */
int
alert_store_at(struct store *st, int64_t at_ms, size_t max, struct alert_set *out,
    char **cause)
{
	sqlite3_stmt *s;

	if (store_has_table(st, "alert_log") != 1)
		return 0;
	if (store_prepare(st, "SELECT " ALERT_COLS " FROM alert_log"
	    " WHERE raised_ms <= ?1 AND (cleared_ms IS NULL OR cleared_ms > ?1)"
	    " ORDER BY raised_ms DESC, id DESC LIMIT ?2", &s, cause) != 0)
		return -1;
	sqlite3_bind_int64(s, 1, at_ms);
	sqlite3_bind_int64(s, 2, max > 0 ? (int64_t)max : 1000);
	size_t first = out->n;
	if (read_alerts(st, s, out, cause) != 0)
		return -1;
	for (size_t i = first; i < out->n; i++) {
		struct alert *a = &out->v[i];
		/* as it stood then: cleared later, acknowledged later */
		a->cleared_ms = 0;
		if (a->ack_ms > at_ms) {
			a->ack_ms = 0;
			a->ack_user[0] = '\0';
			a->ack_note[0] = '\0';
		}
	}
	return 0;
}

/* See alert.h. The note is sanitised and cut to TESTBED_MESSAGE_MAX bytes. */
int
alert_store_ack(struct store *st, int64_t id, const char *note, int64_t now_ms, char **cause)
{
	sqlite3_stmt *s;
	char user[64];
	int nested, ok;

	if (alert_store_init(st, cause) != 0)
		return -1;
	char *clean = sanitize_dup(note != NULL ? note : "", note != NULL ? strlen(note) : 0,
	    TESTBED_MESSAGE_MAX);
	store_user_name(user, sizeof user);
	if (store_work_begin(st, NULL, &nested, cause) != 0) {
		free(clean);
		return -1;
	}
	ok = store_prepare(st, "UPDATE alert_log SET ack_note = ?2, ack_user = ?3, ack_ms = ?4"
	    " WHERE id = ?1", &s, cause) == 0;
	if (ok) {
		sqlite3_bind_int64(s, 1, id);
		store_bind_text(s, 2, clean);
		store_bind_text(s, 3, user);
		sqlite3_bind_int64(s, 4, now_ms);
		ok = store_step_done(st, s, "acknowledging an alert", cause) == 0;
		sqlite3_finalize(s);
		if (ok && sqlite3_changes(store_db(st)) == 0) {
			if (cause != NULL)
				*cause = xasprintf("no alert %lld in the cache", (long long)id);
			ok = 0;
		}
	}
	free(clean);
	return store_work_end(st, NULL, nested, ok, "commit", cause);
}

/* See alert.h. The snooze is the local user's, with the time it was set. */
int
alert_store_snooze(struct store *st, const char *host, const char *device, const char *rule,
    int64_t until_ms, int64_t now_ms, char **cause)
{
	sqlite3_stmt *s;
	char user[64];
	int nested, ok, found = 0;

	if (alert_store_init(st, cause) != 0)
		return -1;
	if (store_work_begin(st, NULL, &nested, cause) != 0)
		return -1;
	ok = store_prepare(st, "SELECT 1 FROM alert_log WHERE host = ?1 AND device = ?2 AND"
	    " rule = ?3 LIMIT 1", &s, cause) == 0;
	if (ok) {
		store_bind_text(s, 1, host);
		store_bind_text(s, 2, device);
		store_bind_text(s, 3, rule);
		found = sqlite3_step(s) == SQLITE_ROW;
		sqlite3_finalize(s);
		if (!found) {
			if (cause != NULL)
				*cause = xasprintf("no alert %s%s%s %s in the cache", host,
				    device[0] ? "/" : "", device, rule);
			ok = 0;
		}
	}
	if (ok && until_ms == 0) {
		ok = store_prepare(st, "DELETE FROM alert_snooze WHERE host = ?1 AND device = ?2"
		    " AND rule = ?3", &s, cause) == 0;
	} else if (ok) {
		ok = store_prepare(st, "INSERT OR REPLACE INTO alert_snooze(host, device, rule,"
		    " until_ms, user, set_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &s, cause) == 0;
		if (ok) {
			store_user_name(user, sizeof user);
			sqlite3_bind_int64(s, 4, until_ms);
			store_bind_text(s, 5, user);
			sqlite3_bind_int64(s, 6, now_ms);
		}
	}
	if (ok) {
		store_bind_text(s, 1, host);
		store_bind_text(s, 2, device);
		store_bind_text(s, 3, rule);
		ok = store_step_done(st, s, "snoozing an alert", cause) == 0;
		sqlite3_finalize(s);
	}
	return store_work_end(st, NULL, nested, ok, "commit", cause);
}

/* See alert.h. Active alerts are never pruned. */
int
alert_store_prune(struct store *st, int64_t before_ms, char **cause)
{
	sqlite3_stmt *s;
	int nested, ok;

	if (store_has_table(st, "alert_log") != 1)
		return 0;
	if (store_work_begin(st, NULL, &nested, cause) != 0)
		return -1;
	ok = store_prepare(st, "DELETE FROM alert_log WHERE cleared_ms IS NOT NULL AND"
	    " cleared_ms < ?1", &s, cause) == 0;
	if (ok) {
		sqlite3_bind_int64(s, 1, before_ms);
		ok = store_step_done(st, s, "pruning alerts", cause) == 0;
		sqlite3_finalize(s);
	}
	if (ok && store_has_table(st, "alert_snooze") == 1) {
		ok = store_prepare(st, "DELETE FROM alert_snooze WHERE until_ms < ?1", &s,
		    cause) == 0;
		if (ok) {
			sqlite3_bind_int64(s, 1, before_ms);
			ok = store_step_done(st, s, "pruning snoozes", cause) == 0;
			sqlite3_finalize(s);
		}
	}
	return store_work_end(st, NULL, nested, ok, "commit", cause);
}
