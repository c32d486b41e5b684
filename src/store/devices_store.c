/*
 * devices_store.c: the test-bed tables in the cache (testbed.h): their
 * schema, and the writes: controllers, the latest state of every device,
 * state transitions, metric history, acknowledgements, pruning. The reads
 * the Devices pane needs are devices_view.c's; the metrics blob codec
 * devices_blob.c's; the devices feature (feature_devices.c) drives the
 * writes once per controller and report.
 *
 * Tables are created with CREATE TABLE IF NOT EXISTS by devices_store_init,
 * in the caller's transaction or a short one of their own; a cache without
 * them (read-only, older) reads as empty. Every value is bound.
 */
#include "config.h"

#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "opsdeck/alert.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/store.h"
#include "opsdeck/testbed.h"
#include "opsdeck/util.h"
#include "store_int.h"
#include "devices_int.h"

/* ---- schema ------------------------------------------------------------------ */

static const char devices_schema[] =
	"CREATE TABLE IF NOT EXISTS tb_controllers("
	"  controller TEXT PRIMARY KEY, report_id TEXT NOT NULL DEFAULT '',"
	"  sector TEXT NOT NULL DEFAULT '', site TEXT NOT NULL DEFAULT '',"
	"  reachable INTEGER NOT NULL DEFAULT 0, error TEXT NOT NULL DEFAULT '',"
	"  reported_ms INTEGER NOT NULL DEFAULT 0, updated_ms INTEGER NOT NULL DEFAULT 0,"
	"  sampled_ms INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS tb_devices("
	"  controller TEXT NOT NULL, device_id TEXT NOT NULL,"
	"  name TEXT NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL, reported TEXT NOT NULL,"
	"  since_ms INTEGER NOT NULL, seen_ms INTEGER NOT NULL, missed INTEGER NOT NULL,"
	"  message TEXT NOT NULL, firmware TEXT NOT NULL, calibrated TEXT NOT NULL,"
	"  metrics BLOB,"
	"  PRIMARY KEY(controller, device_id)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS tb_transitions("
	"  id INTEGER PRIMARY KEY, controller TEXT NOT NULL, device_id TEXT NOT NULL,"
	"  ts_ms INTEGER NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL,"
	"  message TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS tb_transitions_dev"
	"  ON tb_transitions(controller, device_id, ts_ms);"
	"CREATE INDEX IF NOT EXISTS tb_transitions_ts ON tb_transitions(ts_ms);"
	"CREATE TABLE IF NOT EXISTS tb_metric_samples("
	"  controller TEXT NOT NULL, device_id TEXT NOT NULL, metric TEXT NOT NULL,"
	"  ts_ms INTEGER NOT NULL, value REAL,"
	"  PRIMARY KEY(controller, device_id, metric, ts_ms)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS tb_acks("
	"  id INTEGER PRIMARY KEY, controller TEXT NOT NULL, device_id TEXT NOT NULL,"
	"  note TEXT NOT NULL, user TEXT NOT NULL, ts_ms INTEGER NOT NULL,"
	"  state TEXT NOT NULL, since_ms INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS tb_acks_dev ON tb_acks(controller, device_id, id);";

static const char *const devices_tables[] = {
	"tb_controllers", "tb_devices", "tb_transitions", "tb_metric_samples", "tb_acks", NULL
};

/* See testbed.h. Cheap when the tables exist: one lookup per table. */
int
devices_store_init(struct store *st, char **cause)
{
	int nested, missing = 0;

	for (size_t i = 0; devices_tables[i] != NULL; i++)
		missing += store_has_table(st, devices_tables[i]) != 1;
	if (missing == 0)
		return 0;
	if (store_work_begin(st, NULL, &nested, cause) != 0)
		return -1;
	int ok = sqlite3_exec(store_db(st), devices_schema, NULL, NULL, NULL) == SQLITE_OK;
	if (!ok && cause != NULL)
		*cause = store_errmsg(st, "creating the device tables");
	return store_work_end(st, NULL, nested, ok, "commit", cause);
}

/* See testbed.h. */
int
devices_store_any(struct store *st)
{
	sqlite3_stmt *s;
	int found;

	if (store_has_table(st, "tb_controllers") != 1 ||
	    sqlite3_prepare_v2(store_db(st), "SELECT 1 FROM tb_controllers LIMIT 1", -1, &s,
	    NULL) != SQLITE_OK)
		return 0;
	found = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return found;
}

/* ---- writes ---------------------------------------------------------------------- */

/*
 * The controller's row: everything from a report (rep), or only reachable=0
 * and the error when there was none. 0 or -1 with *cause.
 */
static int
put_controller(struct store *st, const char *controller, const struct testbed_report *rep,
    const char *error, int64_t now, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	if (rep != NULL) {
		if (store_prepare(st, "INSERT INTO tb_controllers(controller, report_id, sector, site,"
		    " reachable, error, reported_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?6)"
		    " ON CONFLICT(controller) DO UPDATE SET report_id = ?2, sector = ?3, site = ?4,"
		    " reachable = 1, error = ?5, reported_ms = ?6, updated_ms = ?6", &s, cause) != 0)
			return -1;
		store_bind_text(s, 2, rep->controller);
		store_bind_text(s, 3, rep->sector);
		store_bind_text(s, 4, rep->site);
	} else {
		if (store_prepare(st, "INSERT INTO tb_controllers(controller, reachable, error,"
		    " updated_ms) VALUES (?1, 0, ?5, ?6) ON CONFLICT(controller) DO UPDATE SET"
		    " reachable = 0, error = ?5, updated_ms = ?6", &s, cause) != 0)
			return -1;
	}
	char err[256];
	sanitize_text(err, sizeof err, error != NULL ? error : "", error != NULL ? strlen(error) : 0);
	store_bind_text(s, 1, controller);
	store_bind_text(s, 5, err);
	sqlite3_bind_int64(s, 6, now);
	rc = store_step_done(st, s, "writing a controller", cause);
	sqlite3_finalize(s);
	return rc;
}

/* Rows of the devices flagged `changed`; deletes the removed ones. 0 or -1. */
static int
put_devices(struct store *st, const char *controller, const struct device_update *u,
    char **cause)
{
	sqlite3_stmt *s;
	int rc = 0;

	if (store_prepare(st, "INSERT OR REPLACE INTO tb_devices(controller, device_id, name, kind,"
	    " state, reported, since_ms, seen_ms, missed, message, firmware, calibrated, metrics)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)", &s, cause) != 0)
		return -1;
	store_bind_text(s, 1, controller);
	for (size_t i = 0; i < u->ndevices && rc == 0; i++) {
		const struct device *d = &u->devices[i];
		if (!d->changed)
			continue;
		size_t blen;
		unsigned char *blob = metrics_encode(d, &blen);
		store_bind_text(s, 2, d->id);
		store_bind_text(s, 3, d->name);
		store_bind_text(s, 4, d->kind);
		store_bind_text(s, 5, device_state_name(d->state));
		store_bind_text(s, 6, device_state_name(d->reported));
		sqlite3_bind_int64(s, 7, d->since_ms);
		sqlite3_bind_int64(s, 8, d->seen_ms);
		sqlite3_bind_int(s, 9, d->missed);
		store_bind_text(s, 10, d->message);
		store_bind_text(s, 11, d->firmware);
		store_bind_text(s, 12, d->calibrated);
		if (blob != NULL)
			sqlite3_bind_blob(s, 13, blob, (int)blen, free);
		else
			sqlite3_bind_zeroblob(s, 13, 0);
		rc = store_step_done(st, s, "writing a device", cause);
	}
	sqlite3_finalize(s);
	if (rc != 0 || u->nremoved == 0)
		return rc;
	if (store_prepare(st, "DELETE FROM tb_devices WHERE controller = ?1 AND device_id = ?2",
	    &s, cause) != 0)
		return -1;
	store_bind_text(s, 1, controller);
	for (size_t i = 0; i < u->nremoved && rc == 0; i++) {
		store_bind_text(s, 2, u->removed[i]);
		rc = store_step_done(st, s, "removing a device", cause);
	}
	sqlite3_finalize(s);
	return rc;
}

/* One row per transition of the update. 0 or -1 with *cause. */
static int
put_transitions(struct store *st, const char *controller, const struct device_update *u,
    char **cause)
{
	sqlite3_stmt *s;
	int rc = 0;

	if (u->ntr == 0)
		return 0;
	if (store_prepare(st, "INSERT INTO tb_transitions(controller, device_id, ts_ms, from_state,"
	    " to_state, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &s, cause) != 0)
		return -1;
	store_bind_text(s, 1, controller);
	for (size_t i = 0; i < u->ntr && rc == 0; i++) {
		const struct device_transition *t = &u->tr[i];
		store_bind_text(s, 2, t->device);
		sqlite3_bind_int64(s, 3, t->ts_ms);
		store_bind_text(s, 4, device_state_name(t->from));
		store_bind_text(s, 5, device_state_name(t->to));
		store_bind_text(s, 6, t->message);
		rc = store_step_done(st, s, "writing a transition", cause);
	}
	sqlite3_finalize(s);
	return rc;
}

/* Metric samples of every device seen now, when the controller's step has passed. */
static int
put_samples(struct store *st, const char *controller, const struct device_update *u,
    int64_t now, char **cause)
{
	sqlite3_stmt *s;
	int rc = 0;

	if (store_prepare(st, "UPDATE tb_controllers SET sampled_ms = ?2 WHERE controller = ?1"
	    " AND sampled_ms <= ?2 - ?3", &s, cause) != 0)
		return -1;
	store_bind_text(s, 1, controller);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_int64(s, 3, DEVICES_METRIC_STEP_MS);
	rc = store_step_done(st, s, "sampling", cause);
	sqlite3_finalize(s);
	if (rc != 0 || sqlite3_changes(store_db(st)) == 0)
		return rc;
	if (store_prepare(st, "INSERT OR REPLACE INTO tb_metric_samples(controller, device_id,"
	    " metric, ts_ms, value) VALUES (?1, ?2, ?3, ?4, ?5)", &s, cause) != 0)
		return -1;
	store_bind_text(s, 1, controller);
	sqlite3_bind_int64(s, 4, now);
	for (size_t i = 0; i < u->ndevices && rc == 0; i++) {
		const struct device *d = &u->devices[i];
		if (d->seen_ms != now || d->state == DEVICE_UNKNOWN)
			continue;
		store_bind_text(s, 2, d->id);
		for (int k = 0; k < d->nmetrics && rc == 0; k++) {
			store_bind_text(s, 3, d->metrics[k].name);
			store_bind_real(s, 5, d->metrics[k].value);
			rc = store_step_done(st, s, "writing a metric sample", cause);
		}
	}
	sqlite3_finalize(s);
	return rc;
}

/*
 * See testbed.h. Controller, devices, transitions and samples go in one
 * transaction (the caller's when open), all or nothing.
 */
int
devices_store_put(struct store *st, const char *controller, const struct testbed_report *rep,
    const char *error, const struct device_update *u, int64_t now_ms, char **cause)
{
	int nested;

	if (devices_store_init(st, cause) != 0)
		return -1;
	if (store_work_begin(st, NULL, &nested, cause) != 0)
		return -1;
	int ok = put_controller(st, controller, rep, error, now_ms, cause) == 0 &&
	    put_devices(st, controller, u, cause) == 0 &&
	    put_transitions(st, controller, u, cause) == 0 &&
	    (rep == NULL || put_samples(st, controller, u, now_ms, cause) == 0);
	return store_work_end(st, NULL, nested, ok, "commit", cause);
}

/* ---- acknowledgements -------------------------------------------------------- */

/*
 * See testbed.h. Records the device's current state and its since with the
 * note, so the pane can tell whether the acknowledgement still applies.
 */
int
devices_store_ack(struct store *st, const char *controller, const char *device,
    const char *note, int64_t now_ms, char **cause)
{
	sqlite3_stmt *s;
	char user[64];
	int nested, rc, ok = 0;
	int state = -1;
	int64_t since = 0;

	if (devices_store_init(st, cause) != 0 || alert_store_init(st, cause) != 0)
		return -1;
	if (store_work_begin(st, NULL, &nested, cause) != 0)
		return -1;
	if (store_prepare(st, "SELECT state, since_ms FROM tb_devices WHERE controller = ?1"
	    " AND device_id = ?2", &s, cause) != 0)
		goto out;
	store_bind_text(s, 1, controller);
	store_bind_text(s, 2, device);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		state = device_state_parse(store_column_text(s, 0));
		since = sqlite3_column_int64(s, 1);
	} else if (rc != SQLITE_DONE && cause != NULL)
		*cause = store_errmsg(st, "reading a device");
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE && cause != NULL) {
			char q[96];
			sanitize_text(q, sizeof q, device, strlen(device));
			*cause = xasprintf("no device '%s' on controller %s in the cache", q,
			    controller);
		}
		goto out;
	}
	char *clean = sanitize_dup(note != NULL ? note : "", note != NULL ? strlen(note) : 0,
	    TESTBED_MESSAGE_MAX);
	store_user_name(user, sizeof user);
	if (store_prepare(st, "INSERT INTO tb_acks(controller, device_id, note, user, ts_ms,"
	    " state, since_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &s, cause) != 0) {
		free(clean);
		goto out;
	}
	store_bind_text(s, 1, controller);
	store_bind_text(s, 2, device);
	store_bind_text(s, 3, clean);
	store_bind_text(s, 4, user);
	sqlite3_bind_int64(s, 5, now_ms);
	store_bind_text(s, 6, device_state_name(state));
	sqlite3_bind_int64(s, 7, since);
	rc = store_step_done(st, s, "writing an acknowledgement", cause);
	sqlite3_finalize(s);
	if (rc != 0 || store_prepare(st, "UPDATE alert_log SET ack_note = ?3, ack_user = ?4,"
	    " ack_ms = ?5 WHERE host = ?1 AND device = ?2 AND cleared_ms IS NULL", &s,
	    cause) != 0) {
		free(clean);
		goto out;
	}
	store_bind_text(s, 1, controller);
	store_bind_text(s, 2, device);
	store_bind_text(s, 3, clean);
	store_bind_text(s, 4, user);
	sqlite3_bind_int64(s, 5, now_ms);
	ok = store_step_done(st, s, "acknowledging alerts", cause) == 0;
	sqlite3_finalize(s);
	free(clean);
out:
	return store_work_end(st, NULL, nested, ok, "commit", cause);
}

void
devices_acks_free(struct device_ack *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].note);
	free(v);
}

/* See testbed.h. Caller frees with devices_acks_free. */
int
devices_store_acks(struct store *st, const char *controller, const char *device, size_t max,
    struct device_ack **out, size_t *n, char **cause)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (store_has_table(st, "tb_acks") != 1)
		return 0;
	if (store_prepare(st, "SELECT note, user, ts_ms, state, since_ms FROM tb_acks"
	    " WHERE controller = ?1 AND device_id = ?2 ORDER BY id DESC LIMIT ?3", &s, cause) != 0)
		return -1;
	store_bind_text(s, 1, controller);
	store_bind_text(s, 2, device);
	sqlite3_bind_int64(s, 3, max > 0 ? (int64_t)max : 100);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n >= cap) {
			cap = cap ? cap * 2 : 8;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		struct device_ack *a = &(*out)[(*n)++];
		memset(a, 0, sizeof *a);
		a->note = xstrdup(store_column_text(s, 0));
		od_strlcpy(a->user, store_column_text(s, 1), sizeof a->user);
		a->ts_ms = sqlite3_column_int64(s, 2);
		int as = device_state_parse(store_column_text(s, 3));
		a->state = as >= 0 ? (enum device_state)as : DEVICE_UNKNOWN;
		a->since_ms = sqlite3_column_int64(s, 4);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		devices_acks_free(*out, *n);
		*out = NULL;
		*n = 0;
		if (cause != NULL)
			*cause = store_errmsg(st, "reading acknowledgements");
		return -1;
	}
	return 0;
}

/* See testbed.h. Transitions and samples only; devices stay. */
int
devices_store_prune(struct store *st, int64_t before_ms, char **cause)
{
	sqlite3_stmt *s;
	int nested, ok = 1;
	static const char *const sql[] = {
		"DELETE FROM tb_transitions WHERE ts_ms < ?1",
		"DELETE FROM tb_metric_samples WHERE ts_ms < ?1",
	};

	if (store_has_table(st, "tb_transitions") != 1)
		return 0;
	if (store_work_begin(st, NULL, &nested, cause) != 0)
		return -1;
	for (size_t i = 0; i < OD_ARRAY_LEN(sql) && ok; i++) {
		if (store_prepare(st, sql[i], &s, cause) != 0) {
			ok = 0;
			break;
		}
		sqlite3_bind_int64(s, 1, before_ms);
		ok = store_step_done(st, s, "pruning device history", cause) == 0;
		sqlite3_finalize(s);
	}
	return store_work_end(st, NULL, nested, ok, "commit", cause);
}
