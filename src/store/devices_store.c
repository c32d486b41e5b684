/*
 * devices_store.c: the test-bed tables in the cache (testbed.h): controllers,
 * the latest state of every device, state transitions, metric history and
 * acknowledgements; the reads the Devices pane needs; devices_ingest, the
 * collector's one call per controller and report. Also the SQL helpers of
 * devices_int.h.
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
#include "dbx.h"

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
	int own, missing = 0;

	for (size_t i = 0; devices_tables[i] != NULL; i++)
		missing += !dbx_has_table(st, devices_tables[i]);
	if (missing == 0)
		return 0;
	if (dbx_begin(st, &own, cause) != 0)
		return -1;
	int ok = sqlite3_exec(store_db(st), devices_schema, NULL, NULL, NULL) == SQLITE_OK;
	if (!ok && cause != NULL)
		*cause = dbx_cause(st, "creating the device tables");
	return dbx_end(st, own, ok, cause);
}

/* ---- metrics blob: per metric [len][name][len][unit][8-byte IEEE double LE] ---- */

static void
blob_put(unsigned char **p, size_t *len, size_t *cap, const void *src, size_t n)
{
	if (*len + n > *cap) {
		*cap = (*len + n) * 2;
		*p = xrealloc(*p, *cap);
	}
	memcpy(*p + *len, src, n);
	*len += n;
}

/* The metrics of d as a blob (see above); malloc'd, NULL when none. */
static unsigned char *
metrics_encode(const struct device *d, size_t *len)
{
	unsigned char *p = NULL;
	size_t cap = 0;

	*len = 0;
	for (int i = 0; i < d->nmetrics; i++) {
		const struct device_metric *m = &d->metrics[i];
		unsigned char nl = (unsigned char)strnlen(m->name, TESTBED_METRIC_MAX);
		unsigned char ul = (unsigned char)strnlen(m->unit, TESTBED_UNIT_MAX);
		uint64_t bits;
		unsigned char le[8];
		memcpy(&bits, &m->value, sizeof bits);
		for (int k = 0; k < 8; k++)
			le[k] = (unsigned char)(bits >> (8 * k));
		blob_put(&p, len, &cap, &nl, 1);
		blob_put(&p, len, &cap, m->name, nl);
		blob_put(&p, len, &cap, &ul, 1);
		blob_put(&p, len, &cap, m->unit, ul);
		blob_put(&p, len, &cap, le, 8);
	}
	return p;
}

/* Decodes a metrics blob into d; a damaged blob keeps what was whole. */
static void
metrics_decode(struct device *d, const unsigned char *p, size_t len)
{
	size_t i = 0;
	int cap = 0;

	while (i < len && d->nmetrics < TESTBED_MAX_METRICS) {
		size_t nl = p[i++];
		if (nl > TESTBED_METRIC_MAX || i + nl + 1 > len)
			return;
		const unsigned char *name = p + i;
		i += nl;
		size_t ul = p[i++];
		if (ul > TESTBED_UNIT_MAX || i + ul + 8 > len)
			return;
		if (d->nmetrics >= cap) {
			cap = cap ? cap * 2 : 4;
			d->metrics = xreallocarray(d->metrics, (size_t)cap, sizeof *d->metrics);
		}
		struct device_metric *m = &d->metrics[d->nmetrics++];
		memset(m, 0, sizeof *m);
		sanitize_text(m->name, sizeof m->name, (const char *)name, nl);
		sanitize_text(m->unit, sizeof m->unit, (const char *)p + i, ul);
		i += ul;
		uint64_t bits = 0;
		for (int k = 0; k < 8; k++)
			bits |= (uint64_t)p[i + (size_t)k] << (8 * k);
		memcpy(&m->value, &bits, sizeof m->value);
		i += 8;
	}
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
		if (dbx_prepare(st, "INSERT INTO tb_controllers(controller, report_id, sector, site,"
		    " reachable, error, reported_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?6)"
		    " ON CONFLICT(controller) DO UPDATE SET report_id = ?2, sector = ?3, site = ?4,"
		    " reachable = 1, error = ?5, reported_ms = ?6, updated_ms = ?6", &s, cause) != 0)
			return -1;
		dbx_text(s, 2, rep->controller);
		dbx_text(s, 3, rep->sector);
		dbx_text(s, 4, rep->site);
	} else {
		if (dbx_prepare(st, "INSERT INTO tb_controllers(controller, reachable, error,"
		    " updated_ms) VALUES (?1, 0, ?5, ?6) ON CONFLICT(controller) DO UPDATE SET"
		    " reachable = 0, error = ?5, updated_ms = ?6", &s, cause) != 0)
			return -1;
	}
	char err[256];
	sanitize_text(err, sizeof err, error != NULL ? error : "", error != NULL ? strlen(error) : 0);
	dbx_text(s, 1, controller);
	dbx_text(s, 5, err);
	sqlite3_bind_int64(s, 6, now);
	rc = dbx_step_done(st, s, "writing a controller", cause);
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

	if (dbx_prepare(st, "INSERT OR REPLACE INTO tb_devices(controller, device_id, name, kind,"
	    " state, reported, since_ms, seen_ms, missed, message, firmware, calibrated, metrics)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)", &s, cause) != 0)
		return -1;
	dbx_text(s, 1, controller);
	for (size_t i = 0; i < u->ndevices && rc == 0; i++) {
		const struct device *d = &u->devices[i];
		if (!d->changed)
			continue;
		size_t blen;
		unsigned char *blob = metrics_encode(d, &blen);
		dbx_text(s, 2, d->id);
		dbx_text(s, 3, d->name);
		dbx_text(s, 4, d->kind);
		dbx_text(s, 5, device_state_name(d->state));
		dbx_text(s, 6, device_state_name(d->reported));
		sqlite3_bind_int64(s, 7, d->since_ms);
		sqlite3_bind_int64(s, 8, d->seen_ms);
		sqlite3_bind_int(s, 9, d->missed);
		dbx_text(s, 10, d->message);
		dbx_text(s, 11, d->firmware);
		dbx_text(s, 12, d->calibrated);
		if (blob != NULL)
			sqlite3_bind_blob(s, 13, blob, (int)blen, free);
		else
			sqlite3_bind_zeroblob(s, 13, 0);
		rc = dbx_step_done(st, s, "writing a device", cause);
	}
	sqlite3_finalize(s);
	if (rc != 0 || u->nremoved == 0)
		return rc;
	if (dbx_prepare(st, "DELETE FROM tb_devices WHERE controller = ?1 AND device_id = ?2",
	    &s, cause) != 0)
		return -1;
	dbx_text(s, 1, controller);
	for (size_t i = 0; i < u->nremoved && rc == 0; i++) {
		dbx_text(s, 2, u->removed[i]);
		rc = dbx_step_done(st, s, "removing a device", cause);
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
	if (dbx_prepare(st, "INSERT INTO tb_transitions(controller, device_id, ts_ms, from_state,"
	    " to_state, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &s, cause) != 0)
		return -1;
	dbx_text(s, 1, controller);
	for (size_t i = 0; i < u->ntr && rc == 0; i++) {
		const struct device_transition *t = &u->tr[i];
		dbx_text(s, 2, t->device);
		sqlite3_bind_int64(s, 3, t->ts_ms);
		dbx_text(s, 4, device_state_name(t->from));
		dbx_text(s, 5, device_state_name(t->to));
		dbx_text(s, 6, t->message);
		rc = dbx_step_done(st, s, "writing a transition", cause);
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

	if (dbx_prepare(st, "UPDATE tb_controllers SET sampled_ms = ?2 WHERE controller = ?1"
	    " AND sampled_ms <= ?2 - ?3", &s, cause) != 0)
		return -1;
	dbx_text(s, 1, controller);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_int64(s, 3, DEVICES_METRIC_STEP_MS);
	rc = dbx_step_done(st, s, "sampling", cause);
	sqlite3_finalize(s);
	if (rc != 0 || sqlite3_changes(store_db(st)) == 0)
		return rc;
	if (dbx_prepare(st, "INSERT OR REPLACE INTO tb_metric_samples(controller, device_id,"
	    " metric, ts_ms, value) VALUES (?1, ?2, ?3, ?4, ?5)", &s, cause) != 0)
		return -1;
	dbx_text(s, 1, controller);
	sqlite3_bind_int64(s, 4, now);
	for (size_t i = 0; i < u->ndevices && rc == 0; i++) {
		const struct device *d = &u->devices[i];
		if (d->seen_ms != now || d->state == DEVICE_UNKNOWN)
			continue;
		dbx_text(s, 2, d->id);
		for (int k = 0; k < d->nmetrics && rc == 0; k++) {
			dbx_text(s, 3, d->metrics[k].name);
			dbx_real(s, 5, d->metrics[k].value);
			rc = dbx_step_done(st, s, "writing a metric sample", cause);
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
	int own;

	if (devices_store_init(st, cause) != 0)
		return -1;
	if (dbx_begin(st, &own, cause) != 0)
		return -1;
	int ok = put_controller(st, controller, rep, error, now_ms, cause) == 0 &&
	    put_devices(st, controller, u, cause) == 0 &&
	    put_transitions(st, controller, u, cause) == 0 &&
	    (rep == NULL || put_samples(st, controller, u, now_ms, cause) == 0);
	return dbx_end(st, own, ok, cause);
}

/* ---- reads --------------------------------------------------------------------- */

#define DEVICE_COLS "d.device_id, d.name, d.kind, d.state, d.reported, d.since_ms, d.seen_ms," \
	" d.missed, d.message, d.firmware, d.calibrated, d.metrics"

/* Fills d (initialised) from the DEVICE_COLS columns starting at col. */
static void
device_from_row(sqlite3_stmt *s, int col, struct device *d)
{
	int st;

	sanitize_text(d->id, sizeof d->id, dbx_col_text(s, col), strlen(dbx_col_text(s, col)));
	free(d->name);
	d->name = xstrdup(dbx_col_text(s, col + 1));
	od_strlcpy(d->kind, dbx_col_text(s, col + 2), sizeof d->kind);
	st = device_state_parse(dbx_col_text(s, col + 3));
	d->state = st >= 0 ? (enum device_state)st : DEVICE_UNKNOWN;
	st = device_state_parse(dbx_col_text(s, col + 4));
	d->reported = st >= 0 ? (enum device_state)st : DEVICE_UNKNOWN;
	d->since_ms = sqlite3_column_int64(s, col + 5);
	d->seen_ms = sqlite3_column_int64(s, col + 6);
	d->missed = sqlite3_column_int(s, col + 7);
	free(d->message);
	d->message = xstrdup(dbx_col_text(s, col + 8));
	od_strlcpy(d->firmware, dbx_col_text(s, col + 9), sizeof d->firmware);
	od_strlcpy(d->calibrated, dbx_col_text(s, col + 10), sizeof d->calibrated);
	const void *blob = sqlite3_column_blob(s, col + 11);
	int blen = sqlite3_column_bytes(s, col + 11);
	if (blob != NULL && blen > 0)
		metrics_decode(d, blob, (size_t)blen);
}

/* See testbed.h. The cache's devices of controller, sorted by id. */
int
devices_store_get(struct store *st, const char *controller, struct device **out, size_t *n,
    char **cause)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!dbx_has_table(st, "tb_devices"))
		return 0;
	if (dbx_prepare(st, "SELECT " DEVICE_COLS " FROM tb_devices d WHERE d.controller = ?1"
	    " ORDER BY d.device_id", &s, cause) != 0)
		return -1;
	dbx_text(s, 1, controller);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n >= cap) {
			cap = cap ? cap * 2 : 64;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		struct device *d = &(*out)[(*n)++];
		device_init(d);
		device_from_row(s, 0, d);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		devices_free(*out, *n);
		*out = NULL;
		*n = 0;
		if (cause != NULL)
			*cause = dbx_cause(st, "reading devices");
		return -1;
	}
	return 0;
}

void
devices_view_free(struct devices_view *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->ndevices; i++) {
		device_free(&v->devices[i].dev);
		free(v->devices[i].ack.note);
	}
	free(v->devices);
	free(v->controllers);
	free(v->sectors);
	memset(v, 0, sizeof *v);
}

static int
cmp_ctl_name(const void *a, const void *b)
{
	return strcmp(((const struct controller_row *)a)->controller,
	    ((const struct controller_row *)b)->controller);
}

/* The controller row called name in a copy sorted by name, or NULL. */
static struct controller_row *
ctl_find(struct controller_row *byname, size_t n, const char *name)
{
	struct controller_row key;
	od_strlcpy(key.controller, name, sizeof key.controller);
	return bsearch(&key, byname, n, sizeof *byname, cmp_ctl_name);
}

static int
cmp_rowp(const void *a, const void *b)
{
	const struct device_row *x = *(const struct device_row *const *)a;
	const struct device_row *y = *(const struct device_row *const *)b;
	int c = strcmp(x->controller, y->controller);
	return c != 0 ? c : strcmp(x->dev.id, y->dev.id);
}

/* Attaches the latest acknowledgement of each shown device. */
static int
view_acks(struct store *st, struct devices_view *v, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	if (v->ndevices == 0)
		return 0;
	struct device_row **idx = xreallocarray(NULL, v->ndevices, sizeof *idx);
	for (size_t i = 0; i < v->ndevices; i++)
		idx[i] = &v->devices[i];
	qsort(idx, v->ndevices, sizeof *idx, cmp_rowp);
	if (dbx_prepare(st, "SELECT a.controller, a.device_id, a.note, a.user, a.ts_ms, a.state,"
	    " a.since_ms FROM tb_acks a WHERE a.id = (SELECT max(b.id) FROM tb_acks b"
	    " WHERE b.controller = a.controller AND b.device_id = a.device_id)", &s, cause) != 0) {
		free(idx);
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct device_row key, *kp = &key, **hit;
		od_strlcpy(key.controller, dbx_col_text(s, 0), sizeof key.controller);
		od_strlcpy(key.dev.id, dbx_col_text(s, 1), sizeof key.dev.id);
		hit = bsearch(&kp, idx, v->ndevices, sizeof *idx, cmp_rowp);
		if (hit == NULL)
			continue;
		struct device_row *r = *hit;
		free(r->ack.note);
		r->ack.note = xstrdup(dbx_col_text(s, 2));
		od_strlcpy(r->ack.user, dbx_col_text(s, 3), sizeof r->ack.user);
		r->ack.ts_ms = sqlite3_column_int64(s, 4);
		int as = device_state_parse(dbx_col_text(s, 5));
		r->ack.state = as >= 0 ? (enum device_state)as : DEVICE_UNKNOWN;
		r->ack.since_ms = sqlite3_column_int64(s, 6);
		/* it covers the current state unless the device changed state since */
		r->acked = r->ack.state == r->dev.state && r->ack.ts_ms >= r->dev.since_ms;
	}
	sqlite3_finalize(s);
	free(idx);
	if (rc != SQLITE_DONE) {
		if (cause != NULL)
			*cause = dbx_cause(st, "reading acknowledgements");
		return -1;
	}
	return 0;
}

/*
 * See testbed.h. Four queries: controllers, counts per (controller, state),
 * filtered devices, latest acknowledgements; sectors are summed here.
 */
int
devices_store_view(struct store *st, const struct devices_filter *f,
    struct devices_view *out, char **cause)
{
	static const struct devices_filter all;
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof *out);
	if (f == NULL)
		f = &all;
	if (!dbx_has_table(st, "tb_devices") || !dbx_has_table(st, "tb_controllers") ||
	    !dbx_has_table(st, "tb_acks"))
		return 0;
	/* controllers, by sector then name */
	if (dbx_prepare(st, "SELECT controller, report_id, sector, site, reachable, error,"
	    " reported_ms, updated_ms FROM tb_controllers ORDER BY sector, controller",
	    &s, cause) != 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->ncontrollers >= cap) {
			cap = cap ? cap * 2 : 16;
			out->controllers = xreallocarray(out->controllers, cap, sizeof *out->controllers);
		}
		struct controller_row *c = &out->controllers[out->ncontrollers++];
		memset(c, 0, sizeof *c);
		od_strlcpy(c->controller, dbx_col_text(s, 0), sizeof c->controller);
		od_strlcpy(c->report_id, dbx_col_text(s, 1), sizeof c->report_id);
		od_strlcpy(c->sector, dbx_col_text(s, 2), sizeof c->sector);
		od_strlcpy(c->site, dbx_col_text(s, 3), sizeof c->site);
		c->reachable = sqlite3_column_int(s, 4);
		od_strlcpy(c->error, dbx_col_text(s, 5), sizeof c->error);
		c->reported_ms = sqlite3_column_int64(s, 6);
		c->updated_ms = sqlite3_column_int64(s, 7);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		goto fail;

	/* counts per controller and state, over every device */
	struct controller_row *byname = xreallocarray(NULL, out->ncontrollers ? out->ncontrollers : 1,
	    sizeof *byname);
	if (out->ncontrollers > 0)
		memcpy(byname, out->controllers, out->ncontrollers * sizeof *byname);
	qsort(byname, out->ncontrollers, sizeof *byname, cmp_ctl_name);
	if (dbx_prepare(st, "SELECT controller, state, count(*) FROM tb_devices"
	    " GROUP BY controller, state", &s, cause) != 0) {
		free(byname);
		goto fail_cause;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct controller_row *c = ctl_find(byname, out->ncontrollers, dbx_col_text(s, 0));
		int state = device_state_parse(dbx_col_text(s, 1));
		if (c == NULL || state < 0)
			continue;
		c->counts[state] += (size_t)sqlite3_column_int64(s, 2);
		c->ndevices += (size_t)sqlite3_column_int64(s, 2);
	}
	sqlite3_finalize(s);
	for (size_t i = 0; i < out->ncontrollers; i++) {
		struct controller_row *c = &out->controllers[i];
		struct controller_row *b = ctl_find(byname, out->ncontrollers, c->controller);
		memcpy(c->counts, b->counts, sizeof c->counts);
		c->ndevices = b->ndevices;
	}
	free(byname);
	if (rc != SQLITE_DONE)
		goto fail;

	/* sectors */
	for (size_t i = 0; i < out->ncontrollers; i++) {
		const struct controller_row *c = &out->controllers[i];
		if (out->nsectors == 0 ||
		    strcmp(out->sectors[out->nsectors - 1].sector, c->sector) != 0) {
			out->sectors = xreallocarray(out->sectors, out->nsectors + 1,
			    sizeof *out->sectors);
			struct sector_row *sr = &out->sectors[out->nsectors++];
			memset(sr, 0, sizeof *sr);
			od_strlcpy(sr->sector, c->sector, sizeof sr->sector);
		}
		struct sector_row *sr = &out->sectors[out->nsectors - 1];
		sr->ncontrollers++;
		sr->ndevices += c->ndevices;
		for (int k = 0; k < DEVICE_STATE_COUNT; k++)
			sr->counts[k] += c->counts[k];
	}

	/* devices that pass the filter */
	if (dbx_prepare(st, "SELECT d.controller, c.sector, " DEVICE_COLS " FROM tb_devices d"
	    " JOIN tb_controllers c ON c.controller = d.controller"
	    " WHERE (?1 IS NULL OR c.sector = ?1) AND (?2 IS NULL OR d.kind = ?2)"
	    " AND (?3 IS NULL OR d.controller = ?3)"
	    " ORDER BY c.sector, d.controller, d.device_id", &s, cause) != 0)
		goto fail_cause;
	if (f->sector != NULL)
		dbx_text(s, 1, f->sector);
	if (f->kind != NULL)
		dbx_text(s, 2, f->kind);
	if (f->controller != NULL)
		dbx_text(s, 3, f->controller);
	cap = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int state = device_state_parse(dbx_col_text(s, 5));
		if (f->state_mask != 0 && (state < 0 || !(f->state_mask & (1u << state))))
			continue;
		if (out->ndevices >= cap) {
			cap = cap ? cap * 2 : 64;
			out->devices = xreallocarray(out->devices, cap, sizeof *out->devices);
		}
		struct device_row *r = &out->devices[out->ndevices++];
		memset(r, 0, sizeof *r);
		od_strlcpy(r->controller, dbx_col_text(s, 0), sizeof r->controller);
		od_strlcpy(r->sector, dbx_col_text(s, 1), sizeof r->sector);
		device_init(&r->dev);
		device_from_row(s, 2, &r->dev);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		goto fail;
	if (view_acks(st, out, cause) != 0)
		goto fail_cause;
	return 0;
fail:
	if (cause != NULL)
		*cause = dbx_cause(st, "reading the devices view");
fail_cause:
	devices_view_free(out);
	return -1;
}

void
devices_transitions_free(struct device_transition *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].message);
	free(v);
}

/* See testbed.h. Newest first; `from` of a first sighting is DEVICE_NONE. */
int
devices_store_transitions(struct store *st, const char *controller, const char *device,
    size_t max, struct device_transition **out, size_t *n, char **cause)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!dbx_has_table(st, "tb_transitions"))
		return 0;
	if (dbx_prepare(st, "SELECT ts_ms, from_state, to_state, message FROM tb_transitions"
	    " WHERE controller = ?1 AND device_id = ?2 ORDER BY ts_ms DESC, id DESC LIMIT ?3",
	    &s, cause) != 0)
		return -1;
	dbx_text(s, 1, controller);
	dbx_text(s, 2, device);
	sqlite3_bind_int64(s, 3, max > 0 ? (int64_t)max : 1000);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n >= cap) {
			cap = cap ? cap * 2 : 32;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		struct device_transition *t = &(*out)[(*n)++];
		memset(t, 0, sizeof *t);
		od_strlcpy(t->device, device, sizeof t->device);
		t->ts_ms = sqlite3_column_int64(s, 0);
		t->from = device_state_parse(dbx_col_text(s, 1));	/* "none": -1 */
		int to = device_state_parse(dbx_col_text(s, 2));
		t->to = to >= 0 ? to : DEVICE_UNKNOWN;
		t->message = xstrdup(dbx_col_text(s, 3));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		devices_transitions_free(*out, *n);
		*out = NULL;
		*n = 0;
		if (cause != NULL)
			*cause = dbx_cause(st, "reading transitions");
		return -1;
	}
	return 0;
}

/* See testbed.h. A NULL value (no reading) reads as NaN. */
int
devices_store_metric(struct store *st, const char *controller, const char *device,
    const char *metric, int64_t from_ms, int64_t to_ms, struct device_point **out, size_t *n,
    char **cause)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!dbx_has_table(st, "tb_metric_samples"))
		return 0;
	if (dbx_prepare(st, "SELECT ts_ms, value FROM tb_metric_samples WHERE controller = ?1"
	    " AND device_id = ?2 AND metric = ?3 AND ts_ms BETWEEN ?4 AND ?5 ORDER BY ts_ms",
	    &s, cause) != 0)
		return -1;
	dbx_text(s, 1, controller);
	dbx_text(s, 2, device);
	dbx_text(s, 3, metric);
	sqlite3_bind_int64(s, 4, from_ms);
	sqlite3_bind_int64(s, 5, to_ms);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n >= cap) {
			cap = cap ? cap * 2 : 128;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		(*out)[*n].ts_ms = sqlite3_column_int64(s, 0);
		(*out)[*n].value = dbx_col_real(s, 1);
		(*n)++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		if (cause != NULL)
			*cause = dbx_cause(st, "reading metric history");
		return -1;
	}
	return 0;
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
	int own, rc, ok = 0;
	int state = -1;
	int64_t since = 0;

	if (devices_store_init(st, cause) != 0 || alert_store_init(st, cause) != 0)
		return -1;
	if (dbx_begin(st, &own, cause) != 0)
		return -1;
	if (dbx_prepare(st, "SELECT state, since_ms FROM tb_devices WHERE controller = ?1"
	    " AND device_id = ?2", &s, cause) != 0)
		goto out;
	dbx_text(s, 1, controller);
	dbx_text(s, 2, device);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		state = device_state_parse(dbx_col_text(s, 0));
		since = sqlite3_column_int64(s, 1);
	} else if (rc != SQLITE_DONE && cause != NULL)
		*cause = dbx_cause(st, "reading a device");
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
	dbx_user(user, sizeof user);
	if (dbx_prepare(st, "INSERT INTO tb_acks(controller, device_id, note, user, ts_ms,"
	    " state, since_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &s, cause) != 0) {
		free(clean);
		goto out;
	}
	dbx_text(s, 1, controller);
	dbx_text(s, 2, device);
	dbx_text(s, 3, clean);
	dbx_text(s, 4, user);
	sqlite3_bind_int64(s, 5, now_ms);
	dbx_text(s, 6, device_state_name(state));
	sqlite3_bind_int64(s, 7, since);
	rc = dbx_step_done(st, s, "writing an acknowledgement", cause);
	sqlite3_finalize(s);
	if (rc != 0 || dbx_prepare(st, "UPDATE alert_log SET ack_note = ?3, ack_user = ?4,"
	    " ack_ms = ?5 WHERE host = ?1 AND device = ?2 AND cleared_ms IS NULL", &s,
	    cause) != 0) {
		free(clean);
		goto out;
	}
	dbx_text(s, 1, controller);
	dbx_text(s, 2, device);
	dbx_text(s, 3, clean);
	dbx_text(s, 4, user);
	sqlite3_bind_int64(s, 5, now_ms);
	ok = dbx_step_done(st, s, "acknowledging alerts", cause) == 0;
	sqlite3_finalize(s);
	free(clean);
out:
	return dbx_end(st, own, ok, cause);
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
	if (!dbx_has_table(st, "tb_acks"))
		return 0;
	if (dbx_prepare(st, "SELECT note, user, ts_ms, state, since_ms FROM tb_acks"
	    " WHERE controller = ?1 AND device_id = ?2 ORDER BY id DESC LIMIT ?3", &s, cause) != 0)
		return -1;
	dbx_text(s, 1, controller);
	dbx_text(s, 2, device);
	sqlite3_bind_int64(s, 3, max > 0 ? (int64_t)max : 100);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n >= cap) {
			cap = cap ? cap * 2 : 8;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		struct device_ack *a = &(*out)[(*n)++];
		memset(a, 0, sizeof *a);
		a->note = xstrdup(dbx_col_text(s, 0));
		od_strlcpy(a->user, dbx_col_text(s, 1), sizeof a->user);
		a->ts_ms = sqlite3_column_int64(s, 2);
		int as = device_state_parse(dbx_col_text(s, 3));
		a->state = as >= 0 ? (enum device_state)as : DEVICE_UNKNOWN;
		a->since_ms = sqlite3_column_int64(s, 4);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		devices_acks_free(*out, *n);
		*out = NULL;
		*n = 0;
		if (cause != NULL)
			*cause = dbx_cause(st, "reading acknowledgements");
		return -1;
	}
	return 0;
}

/* See testbed.h. Transitions and samples only; devices stay. */
int
devices_store_prune(struct store *st, int64_t before_ms, char **cause)
{
	sqlite3_stmt *s;
	int own, ok = 1;
	static const char *const sql[] = {
		"DELETE FROM tb_transitions WHERE ts_ms < ?1",
		"DELETE FROM tb_metric_samples WHERE ts_ms < ?1",
	};

	if (!dbx_has_table(st, "tb_transitions"))
		return 0;
	if (dbx_begin(st, &own, cause) != 0)
		return -1;
	for (size_t i = 0; i < OD_ARRAY_LEN(sql) && ok; i++) {
		if (dbx_prepare(st, sql[i], &s, cause) != 0) {
			ok = 0;
			break;
		}
		sqlite3_bind_int64(s, 1, before_ms);
		ok = dbx_step_done(st, s, "pruning device history", cause) == 0;
		sqlite3_finalize(s);
	}
	return dbx_end(st, own, ok, cause);
}
