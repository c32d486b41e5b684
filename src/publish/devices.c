/*
 * devices.c: device records and the tracker that turns a controller's
 * successive reports into current states and a history of transitions
 * (testbed.h). Pure: the caller owns time (now_ms) and storage.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/sanitize.h"
#include "opsdeck/testbed.h"
#include "opsdeck/util.h"

static const char *const state_names[DEVICE_STATE_COUNT] = {
	[DEVICE_OK] = "ok",
	[DEVICE_DEGRADED] = "degraded",
	[DEVICE_FAULT] = "fault",
	[DEVICE_OFFLINE] = "offline",
	[DEVICE_MAINTENANCE] = "maintenance",
	[DEVICE_STALE] = "stale",
	[DEVICE_UNKNOWN] = "unknown",
};

const char *
device_state_name(int s)
{
	if (s < 0 || s >= DEVICE_STATE_COUNT)
		return "none";
	return state_names[s];
}

int
device_state_parse(const char *word)
{
	if (word == NULL)
		return -1;
	for (int i = 0; i < DEVICE_STATE_COUNT; i++)
		if (strcmp(state_names[i], word) == 0)
			return i;
	return -1;
}

int
device_state_rank(int s)
{
	static const int rank[DEVICE_STATE_COUNT] = {
		[DEVICE_FAULT] = 0, [DEVICE_OFFLINE] = 1, [DEVICE_STALE] = 2,
		[DEVICE_UNKNOWN] = 3, [DEVICE_DEGRADED] = 4, [DEVICE_MAINTENANCE] = 5,
		[DEVICE_OK] = 6,
	};
	if (s < 0 || s >= DEVICE_STATE_COUNT)
		return DEVICE_STATE_COUNT;
	return rank[s];
}

void
device_init(struct device *d)
{
	memset(d, 0, sizeof *d);
	d->name = xstrdup("");
	d->message = xstrdup("");
}

void
device_free(struct device *d)
{
	if (d == NULL)
		return;
	free(d->name);
	free(d->message);
	free(d->metrics);
	memset(d, 0, sizeof *d);
}

/* Deep copy of src into dst (not initialised before); dst owns its copies. */
void
device_copy(struct device *dst, const struct device *src)
{
	*dst = *src;
	dst->name = xstrdup(src->name != NULL ? src->name : "");
	dst->message = xstrdup(src->message != NULL ? src->message : "");
	dst->metrics = NULL;
	if (src->nmetrics > 0) {
		dst->metrics = xreallocarray(NULL, (size_t)src->nmetrics, sizeof *dst->metrics);
		memcpy(dst->metrics, src->metrics, (size_t)src->nmetrics * sizeof *dst->metrics);
	}
}

const struct device_metric *
device_metric_find(const struct device *d, const char *name)
{
	for (int i = 0; i < d->nmetrics; i++)
		if (strcmp(d->metrics[i].name, name) == 0)
			return &d->metrics[i];
	return NULL;
}

void
devices_free(struct device *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		device_free(&v[i]);
	free(v);
}

void
devices_count(const struct device *v, size_t n, size_t *counts)
{
	memset(counts, 0, DEVICE_STATE_COUNT * sizeof *counts);
	for (size_t i = 0; i < n; i++)
		if (v[i].state < DEVICE_STATE_COUNT)
			counts[v[i].state]++;
}

void
device_update_free(struct device_update *u)
{
	if (u == NULL)
		return;
	devices_free(u->devices, u->ndevices);
	for (size_t i = 0; i < u->ntr; i++)
		free(u->tr[i].message);
	free(u->tr);
	free(u->removed);
	memset(u, 0, sizeof *u);
}

/* ---- the tracker ------------------------------------------------------------ */

/* Growth helpers for the update's arrays. */
struct grow {
	size_t	 dcap, tcap;
};

static struct device *
add_device(struct device_update *u, struct grow *g)
{
	if (u->ndevices >= g->dcap) {
		g->dcap = g->dcap ? g->dcap * 2 : 16;
		u->devices = xreallocarray(u->devices, g->dcap, sizeof *u->devices);
	}
	return &u->devices[u->ndevices++];
}

static void
add_transition(struct device_update *u, struct grow *g, const char *id, int from, int to,
    int64_t ts, const char *message)
{
	if (u->ntr >= g->tcap) {
		g->tcap = g->tcap ? g->tcap * 2 : 8;
		u->tr = xreallocarray(u->tr, g->tcap, sizeof *u->tr);
	}
	struct device_transition *t = &u->tr[u->ntr++];
	od_strlcpy(t->device, id, sizeof t->device);
	t->from = from;
	t->to = to;
	t->ts_ms = ts;
	t->message = xstrdup(message != NULL ? message : "");
}

static int
cmp_devp(const void *a, const void *b)
{
	const struct device *x = *(const struct device *const *)a;
	const struct device *y = *(const struct device *const *)b;
	return strcmp(x->id, y->id);
}

static int
metrics_equal(const struct device *a, const struct device *b)
{
	if (a->nmetrics != b->nmetrics)
		return 0;
	for (int i = 0; i < a->nmetrics; i++) {
		const struct device_metric *x = &a->metrics[i], *y = &b->metrics[i];
		if (strcmp(x->name, y->name) != 0 || strcmp(x->unit, y->unit) != 0)
			return 0;
		if (!(x->value == y->value || (isnan(x->value) && isnan(y->value))))
			return 0;
	}
	return 1;
}

/* Whether what the store keeps of a device differs between a and b. */
static int
device_differs(const struct device *a, const struct device *b)
{
	return a->state != b->state || a->reported != b->reported ||
	    a->since_ms != b->since_ms || a->missed != b->missed ||
	    strcmp(a->name, b->name) != 0 || strcmp(a->kind, b->kind) != 0 ||
	    strcmp(a->message, b->message) != 0 || strcmp(a->firmware, b->firmware) != 0 ||
	    strcmp(a->calibrated, b->calibrated) != 0 || !metrics_equal(a, b);
}

/* A reported device r (prev p, or NULL when new) into the update. */
static void
track_reported(struct device_update *u, struct grow *g, const struct device *p,
    const struct device *r, int64_t now)
{
	struct device *d = add_device(u, g);
	int64_t floor = p != NULL ? p->since_ms : 0;
	int64_t since = r->since_ms;
	int from = p != NULL ? (int)p->state : DEVICE_NONE;

	device_copy(d, r);
	d->reported = r->state;
	d->seen_ms = now;
	d->missed = 0;
	d->line = 0;
	d->changed = 0;
	if (since > now)
		since = 0;		/* a controller clock ahead of ours */
	if (from != (int)r->state) {
		int64_t ts = since > floor ? since : now;
		add_transition(u, g, d->id, from, r->state, ts, d->message);
		d->since_ms = since > 0 ? since : ts;
	} else {
		d->since_ms = since > 0 ? since : p->since_ms;
	}
	d->changed = p == NULL || device_differs(p, d);
}

/* A known device p that the report did not list. */
static void
track_missing(struct device_update *u, struct grow *g, const struct device *p, int64_t now)
{
	struct device *d = add_device(u, g);

	device_copy(d, p);
	d->line = 0;
	if (d->missed < INT32_MAX)
		d->missed++;
	if (d->missed >= DEVICES_STALE_MISSED && d->state != DEVICE_STALE) {
		char *msg = xasprintf("missing from the last %d reports", d->missed);
		add_transition(u, g, d->id, d->state, DEVICE_STALE, now, msg);
		d->state = DEVICE_STALE;
		d->since_ms = now;
		free(d->message);
		d->message = msg;
	}
	d->changed = 1;		/* at least the miss count */
}

static int
cmp_int_desc(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x < y) - (x > y);
}

/* Drops the stale devices missing longest while there are more than the cap. */
static void
track_cap(struct device_update *u, size_t cap)
{
	if (u->ndevices <= cap)
		return;
	size_t nstale = 0;
	for (size_t i = 0; i < u->ndevices; i++)
		nstale += u->devices[i].state == DEVICE_STALE;
	if (nstale == 0)
		return;
	/* the missed count that separates the ones to drop */
	int *m = xreallocarray(NULL, nstale, sizeof *m);
	size_t k = 0;
	for (size_t i = 0; i < u->ndevices; i++)
		if (u->devices[i].state == DEVICE_STALE)
			m[k++] = u->devices[i].missed;
	size_t drop = OD_MIN(u->ndevices - cap, nstale);
	qsort(m, nstale, sizeof *m, cmp_int_desc);
	int cut = m[drop - 1];
	size_t above = 0;
	for (size_t i = 0; i < drop; i++)
		above += m[i] > cut;
	size_t at_cut = drop - above;	/* how many with missed == cut to drop */
	free(m);

	u->removed = xreallocarray(u->removed, drop, sizeof *u->removed);
	size_t w = 0;
	for (size_t i = 0; i < u->ndevices; i++) {
		struct device *d = &u->devices[i];
		int gone = 0;
		if (d->state == DEVICE_STALE) {
			if (d->missed > cut)
				gone = 1;
			else if (d->missed == cut && at_cut > 0) {
				gone = 1;
				at_cut--;
			}
		}
		if (gone) {
			od_strlcpy(u->removed[u->nremoved++], d->id, sizeof u->removed[0]);
			device_free(d);
		} else
			u->devices[w++] = *d;
	}
	u->ndevices = w;
}

/*
 * See testbed.h. A merge of prev (sorted by id) and the report's devices
 * (sorted here through an index); O(n log n) for n devices.
 */
void
devices_track_report(const struct device *prev, size_t nprev,
    const struct testbed_report *rep, int64_t now_ms, struct device_update *out)
{
	struct grow g = { 0, 0 };
	size_t nr = rep != NULL ? rep->ndevices : 0;
	const struct device **r = NULL;
	size_t i = 0, j = 0;

	memset(out, 0, sizeof *out);
	if (nr > 0) {
		r = xreallocarray(NULL, nr, sizeof *r);
		for (size_t k = 0; k < nr; k++)
			r[k] = &rep->devices[k];
		qsort(r, nr, sizeof *r, cmp_devp);
	}
	while (i < nprev || j < nr) {
		int c;
		if (i >= nprev)
			c = 1;
		else if (j >= nr)
			c = -1;
		else
			c = strcmp(prev[i].id, r[j]->id);
		if (c < 0)
			track_missing(out, &g, &prev[i++], now_ms);
		else if (c > 0)
			track_reported(out, &g, NULL, r[j++], now_ms);
		else {
			track_reported(out, &g, &prev[i++], r[j++], now_ms);
			/* a repeated id in a hand-made report: the first wins */
			while (j < nr && strcmp(r[j]->id, r[j - 1]->id) == 0)
				j++;
		}
	}
	free(r);
	track_cap(out, DEVICES_MAX_TRACKED);
}

/*
 * See testbed.h. The message is the same for every device, sanitised once;
 * a repeated call with the same reason changes nothing.
 */
void
devices_track_unknown(const struct device *prev, size_t nprev, int64_t now_ms,
    const char *why, struct device_update *out)
{
	struct grow g = { 0, 0 };
	char *raw = xasprintf("controller unreachable: %s",
	    why != NULL && why[0] != '\0' ? why : "no report");
	char *msg = sanitize_dup(raw, strlen(raw), TESTBED_MESSAGE_MAX);

	free(raw);
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < nprev; i++) {
		struct device *d = add_device(out, &g);
		device_copy(d, &prev[i]);
		d->line = 0;
		d->changed = 0;
		if (d->state != DEVICE_UNKNOWN) {
			add_transition(out, &g, d->id, d->state, DEVICE_UNKNOWN, now_ms, msg);
			d->state = DEVICE_UNKNOWN;
			d->since_ms = now_ms;
			d->changed = 1;
		}
		if (strcmp(d->message, msg) != 0) {
			free(d->message);
			d->message = xstrdup(msg);
			d->changed = 1;
		}
	}
	free(msg);
}
