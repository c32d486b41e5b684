/*
 * devices_view.c: the reads of the test-bed tables (testbed.h): one
 * controller's devices, the Devices pane's filtered and sorted view with the
 * latest acknowledgements, a device's transitions and metric history. A
 * cache without the tables reads as empty.
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

/* ---- reads --------------------------------------------------------------------- */

#define DEVICE_COLS "d.device_id, d.name, d.kind, d.state, d.reported, d.since_ms, d.seen_ms," \
	" d.missed, d.message, d.firmware, d.calibrated, d.metrics"

/* Fills d (initialised) from the DEVICE_COLS columns starting at col. */
static void
device_from_row(sqlite3_stmt *s, int col, struct device *d)
{
	int st;

	sanitize_text(d->id, sizeof d->id, store_column_text(s, col), strlen(store_column_text(s, col)));
	free(d->name);
	d->name = xstrdup(store_column_text(s, col + 1));
	od_strlcpy(d->kind, store_column_text(s, col + 2), sizeof d->kind);
	st = device_state_parse(store_column_text(s, col + 3));
	d->state = st >= 0 ? (enum device_state)st : DEVICE_UNKNOWN;
	st = device_state_parse(store_column_text(s, col + 4));
	d->reported = st >= 0 ? (enum device_state)st : DEVICE_UNKNOWN;
	d->since_ms = sqlite3_column_int64(s, col + 5);
	d->seen_ms = sqlite3_column_int64(s, col + 6);
	d->missed = sqlite3_column_int(s, col + 7);
	free(d->message);
	d->message = xstrdup(store_column_text(s, col + 8));
	od_strlcpy(d->firmware, store_column_text(s, col + 9), sizeof d->firmware);
	od_strlcpy(d->calibrated, store_column_text(s, col + 10), sizeof d->calibrated);
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
	if (store_has_table(st, "tb_devices") != 1)
		return 0;
	if (store_prepare(st, "SELECT " DEVICE_COLS " FROM tb_devices d WHERE d.controller = ?1"
	    " ORDER BY d.device_id", &s, cause) != 0)
		return -1;
	store_bind_text(s, 1, controller);
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
			*cause = store_errmsg(st, "reading devices");
		return -1;
	}
	return 0;
}

/*
 * See testbed.h. Each device's state, message and since from its last
 * transition at or before at_ms; one without such a transition keeps its
 * current row when that state began by then, and is left out otherwise
 * (the cache did not know it yet).
 */
int
devices_store_get_at(struct store *st, const char *controller, int64_t at_ms,
    struct device **out, size_t *n, char **cause)
{
	sqlite3_stmt *s;
	size_t keep = 0;

	if (devices_store_get(st, controller, out, n, cause) != 0)
		return -1;
	if (*n == 0)
		return 0;
	if (store_prepare(st, "SELECT to_state, message, ts_ms FROM tb_transitions"
	    " WHERE controller = ?1 AND device_id = ?2 AND ts_ms <= ?3"
	    " ORDER BY ts_ms DESC, id DESC LIMIT 1", &s, cause) != 0) {
		devices_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	for (size_t i = 0; i < *n; i++) {
		struct device *d = &(*out)[i];
		int known = d->since_ms > 0 && d->since_ms <= at_ms;
		store_bind_text(s, 1, controller);
		store_bind_text(s, 2, d->id);
		sqlite3_bind_int64(s, 3, at_ms);
		if (sqlite3_step(s) == SQLITE_ROW) {
			int st8 = device_state_parse(store_column_text(s, 0));
			if (st8 >= 0)
				d->state = (enum device_state)st8;
			free(d->message);
			d->message = xstrdup(store_column_text(s, 1));
			d->since_ms = sqlite3_column_int64(s, 2);
			known = 1;
		}
		sqlite3_reset(s);
		if (!known) {
			device_free(d);
			continue;
		}
		if (keep != i)
			(*out)[keep] = *d;
		keep++;
	}
	sqlite3_finalize(s);
	*n = keep;
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
	if (store_prepare(st, "SELECT a.controller, a.device_id, a.note, a.user, a.ts_ms, a.state,"
	    " a.since_ms FROM tb_acks a WHERE a.id = (SELECT max(b.id) FROM tb_acks b"
	    " WHERE b.controller = a.controller AND b.device_id = a.device_id)", &s, cause) != 0) {
		free(idx);
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct device_row key, *kp = &key, **hit;
		od_strlcpy(key.controller, store_column_text(s, 0), sizeof key.controller);
		od_strlcpy(key.dev.id, store_column_text(s, 1), sizeof key.dev.id);
		hit = bsearch(&kp, idx, v->ndevices, sizeof *idx, cmp_rowp);
		if (hit == NULL)
			continue;
		struct device_row *r = *hit;
		free(r->ack.note);
		r->ack.note = xstrdup(store_column_text(s, 2));
		od_strlcpy(r->ack.user, store_column_text(s, 3), sizeof r->ack.user);
		r->ack.ts_ms = sqlite3_column_int64(s, 4);
		int as = device_state_parse(store_column_text(s, 5));
		r->ack.state = as >= 0 ? (enum device_state)as : DEVICE_UNKNOWN;
		r->ack.since_ms = sqlite3_column_int64(s, 6);
		/* it covers the current state unless the device changed state since */
		r->acked = r->ack.state == r->dev.state && r->ack.ts_ms >= r->dev.since_ms;
	}
	sqlite3_finalize(s);
	free(idx);
	if (rc != SQLITE_DONE) {
		if (cause != NULL)
			*cause = store_errmsg(st, "reading acknowledgements");
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
	if (store_has_table(st, "tb_devices") != 1 || store_has_table(st, "tb_controllers") != 1 ||
	    store_has_table(st, "tb_acks") != 1)
		return 0;
	/* controllers, by sector then name */
	if (store_prepare(st, "SELECT controller, report_id, sector, site, reachable, error,"
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
		od_strlcpy(c->controller, store_column_text(s, 0), sizeof c->controller);
		od_strlcpy(c->report_id, store_column_text(s, 1), sizeof c->report_id);
		od_strlcpy(c->sector, store_column_text(s, 2), sizeof c->sector);
		od_strlcpy(c->site, store_column_text(s, 3), sizeof c->site);
		c->reachable = sqlite3_column_int(s, 4);
		od_strlcpy(c->error, store_column_text(s, 5), sizeof c->error);
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
	if (store_prepare(st, "SELECT controller, state, count(*) FROM tb_devices"
	    " GROUP BY controller, state", &s, cause) != 0) {
		free(byname);
		goto fail_cause;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct controller_row *c = ctl_find(byname, out->ncontrollers, store_column_text(s, 0));
		int state = device_state_parse(store_column_text(s, 1));
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
	if (store_prepare(st, "SELECT d.controller, c.sector, " DEVICE_COLS " FROM tb_devices d"
	    " JOIN tb_controllers c ON c.controller = d.controller"
	    " WHERE (?1 IS NULL OR c.sector = ?1) AND (?2 IS NULL OR d.kind = ?2)"
	    " AND (?3 IS NULL OR d.controller = ?3)"
	    " ORDER BY c.sector, d.controller, d.device_id", &s, cause) != 0)
		goto fail_cause;
	if (f->sector != NULL)
		store_bind_text(s, 1, f->sector);
	if (f->kind != NULL)
		store_bind_text(s, 2, f->kind);
	if (f->controller != NULL)
		store_bind_text(s, 3, f->controller);
	cap = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int state = device_state_parse(store_column_text(s, 5));
		if (f->state_mask != 0 && (state < 0 || !(f->state_mask & (1u << state))))
			continue;
		if (out->ndevices >= cap) {
			cap = cap ? cap * 2 : 64;
			out->devices = xreallocarray(out->devices, cap, sizeof *out->devices);
		}
		struct device_row *r = &out->devices[out->ndevices++];
		memset(r, 0, sizeof *r);
		od_strlcpy(r->controller, store_column_text(s, 0), sizeof r->controller);
		od_strlcpy(r->sector, store_column_text(s, 1), sizeof r->sector);
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
		*cause = store_errmsg(st, "reading the devices view");
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
	if (store_has_table(st, "tb_transitions") != 1)
		return 0;
	if (store_prepare(st, "SELECT ts_ms, from_state, to_state, message FROM tb_transitions"
	    " WHERE controller = ?1 AND device_id = ?2 ORDER BY ts_ms DESC, id DESC LIMIT ?3",
	    &s, cause) != 0)
		return -1;
	store_bind_text(s, 1, controller);
	store_bind_text(s, 2, device);
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
		t->from = device_state_parse(store_column_text(s, 1));	/* "none": -1 */
		int to = device_state_parse(store_column_text(s, 2));
		t->to = to >= 0 ? to : DEVICE_UNKNOWN;
		t->message = xstrdup(store_column_text(s, 3));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		devices_transitions_free(*out, *n);
		*out = NULL;
		*n = 0;
		if (cause != NULL)
			*cause = store_errmsg(st, "reading transitions");
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
	if (store_has_table(st, "tb_metric_samples") != 1)
		return 0;
	if (store_prepare(st, "SELECT ts_ms, value FROM tb_metric_samples WHERE controller = ?1"
	    " AND device_id = ?2 AND metric = ?3 AND ts_ms BETWEEN ?4 AND ?5 ORDER BY ts_ms",
	    &s, cause) != 0)
		return -1;
	store_bind_text(s, 1, controller);
	store_bind_text(s, 2, device);
	store_bind_text(s, 3, metric);
	sqlite3_bind_int64(s, 4, from_ms);
	sqlite3_bind_int64(s, 5, to_ms);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n >= cap) {
			cap = cap ? cap * 2 : 128;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		(*out)[*n].ts_ms = sqlite3_column_int64(s, 0);
		(*out)[*n].value = store_column_real(s, 1);
		(*n)++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		if (cause != NULL)
			*cause = store_errmsg(st, "reading metric history");
		return -1;
	}
	return 0;
}

