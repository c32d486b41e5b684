/*
 * publish.c: one tick into the store over feature_table (publish.h).
 *
 * Per tick: BEGIN; the queued console writes; for every changed host, every
 * feature with the host's status and the parts it owns; COMMIT. Per-host
 * feature states change only after the commit, parts are freed only after
 * it; a failure rolls back and leaves everything as it was for the next
 * tick. Housekeeping (rollups, retention, pruning) runs between ticks.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/alert.h"
#include "opsdeck/feature.h"
#include "opsdeck/notify.h"
#include "opsdeck/publish.h"
#include "opsdeck/store.h"
#include "opsdeck/util.h"

#define MAINT_PERIOD_MS		1000
#define MAINT_BACKLOG_MS	100
#define PRUNE_PERIOD_MS		(3600 * 1000)

struct publisher {
	const struct config	*cfg;
	struct store		*st;
	size_t			 nhosts;
	size_t			 nfeatures;
	void			**state;	/* [host * nfeatures + feature], committed */

	pthread_mutex_t		 wlock;		/* writes: any thread submits */
	struct publish_write	*writes;
	size_t			 nwrites;

	int64_t			 maint_next;	/* mono ms */
	int64_t			 prune_next;
	struct notifier		*notify;	/* the config's notify command; NULL: none */
};

struct publisher *
publisher_new(const struct config *cfg, struct store *st, size_t nhosts)
{
	struct publisher *p = xcalloc(1, sizeof *p);

	p->cfg = cfg;
	p->st = st;
	p->nhosts = nhosts;
	while (feature_table[p->nfeatures] != NULL)
		p->nfeatures++;
	p->state = xcalloc(nhosts * p->nfeatures + 1, sizeof *p->state);
	p->writes = xcalloc(PUBLISH_MAX_WRITES, sizeof *p->writes);
	pthread_mutex_init(&p->wlock, NULL);
	/* notifications of alert changes: only where they are written (a cache) */
	if (st != NULL)
		p->notify = notifier_new(cfg);
	return p;
}

void
publisher_free(struct publisher *p)
{
	if (p == NULL)
		return;
	for (size_t h = 0; h < p->nhosts; h++) {
		for (size_t f = 0; f < p->nfeatures; f++) {
			void *s = p->state[h * p->nfeatures + f];
			if (s != NULL && feature_table[f]->state_free != NULL)
				feature_table[f]->state_free(s);
		}
	}
	/* Writes never committed are given up: their requester hears it. */
	for (size_t i = 0; i < p->nwrites; i++)
		if (p->writes[i].done != NULL)
			p->writes[i].done(p->writes[i].arg, -1, "the collector stopped");
	free(p->writes);
	free(p->state);
	pthread_mutex_destroy(&p->wlock);
	notifier_free(p->notify);	/* runs what is queued, bounded by its timeout */
	free(p);
}

int
publisher_init(struct publisher *p, char **cause)
{
	if (p->st == NULL)
		return 0;
	for (size_t f = 0; f < p->nfeatures; f++)
		if (feature_table[f]->init != NULL && feature_table[f]->init(p->st, cause) != 0)
			return -1;
	return 0;
}

int
publisher_submit(struct publisher *p, const struct publish_write *w)
{
	int rc = -1;

	pthread_mutex_lock(&p->wlock);
	if (p->nwrites < PUBLISH_MAX_WRITES) {
		p->writes[p->nwrites++] = *w;
		rc = 0;
	}
	pthread_mutex_unlock(&p->wlock);
	return rc;
}

/* ---- the fleet, for features that look across hosts --------------------- */

struct fleet_cache {
	void			(*get)(void *arg, struct host_status **v, size_t *n);
	void			*arg;
	struct host_status	*v;
	size_t			 n;
	int			 done;
};

static int
status_name_cmp(const void *a, const void *b)
{
	const struct host_status *x = a, *y = b;
	return strcmp(x->name, y->name);
}

static const struct host_status *
tick_fleet(const struct feature_tick *t, size_t *n)
{
	struct fleet_cache *fc = t->fleet_arg;

	if (!fc->done) {
		fc->done = 1;
		if (fc->get != NULL)
			fc->get(fc->arg, &fc->v, &fc->n);
		if (fc->n > 1)
			qsort(fc->v, fc->n, sizeof *fc->v, status_name_cmp);
	}
	*n = fc->n;
	return fc->v;
}

/* ---- the tick ------------------------------------------------------------- */

/*
 * Every feature for one host, its new states into next[0..nfeatures). The
 * parts each feature sees are those of the probes it owns, in order.
 */
static int
ingest_host(struct publisher *p, const struct feature_tick *t, const struct publish_item *it,
    void **next, struct queued_part *scratch, char **cause)
{
	for (size_t f = 0; f < p->nfeatures; f++) {
		const struct feature *fe = feature_table[f];
		struct feature_host fh = { it->group, &it->status, scratch, 0 };
		for (size_t i = 0; i < it->nparts; i++)
			if (feature_owns(fe, it->parts[i].part.probe))
				scratch[fh.nparts++] = it->parts[i];
		const void *cur = p->state[it->idx * p->nfeatures + f];
		if (fe->ingest(t, &fh, cur, &next[f], cause) != 0)
			return -1;
	}
	return 0;
}

/* Frees states that were never installed. */
static void
drop_states(struct publisher *p, void **next, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct feature *fe = feature_table[i % p->nfeatures];
		if (next[i] != NULL && fe->state_free != NULL)
			fe->state_free(next[i]);
	}
}

/* After a commit: the new states replace the committed ones, parts go. */
static void
install(struct publisher *p, struct publish_item *items, size_t n, void **next)
{
	for (size_t k = 0; k < n; k++) {
		for (size_t f = 0; f < p->nfeatures; f++) {
			void *nx = next != NULL ? next[k * p->nfeatures + f] : NULL;
			if (nx == NULL)
				continue;
			void **slot = &p->state[items[k].idx * p->nfeatures + f];
			if (*slot != NULL && *slot != nx && feature_table[f]->state_free != NULL)
				feature_table[f]->state_free(*slot);
			*slot = nx;
		}
		for (size_t i = 0; i < items[k].nparts; i++)
			report_part_free(&items[k].parts[i].part);
		items[k].nparts = 0;
	}
}

/* Writes taken for this tick go back to the head of the queue. */
static void
requeue_writes(struct publisher *p, struct publish_write *w, size_t n)
{
	pthread_mutex_lock(&p->wlock);
	size_t keep = OD_MIN(p->nwrites, PUBLISH_MAX_WRITES - n);
	for (size_t i = keep; i < p->nwrites; i++)	/* the newest, past the bound */
		if (p->writes[i].done != NULL)
			p->writes[i].done(p->writes[i].arg, -1, "too many writes waiting");
	memmove(p->writes + n, p->writes, keep * sizeof *p->writes);
	memcpy(p->writes, w, n * sizeof *w);
	p->nwrites = n + keep;
	pthread_mutex_unlock(&p->wlock);
}

/* See publish.h. */
int
publisher_tick(struct publisher *p, struct publish_item *items, size_t n,
    void (*fleet)(void *arg, struct host_status **v, size_t *n), void *fleet_arg,
    char **cause)
{
	if (p->st == NULL) {
		/* no cache: statuses live in memory only, parts have nowhere to go */
		install(p, items, n, NULL);
		return 0;
	}
	if (store_begin(p->st, cause) != 0) {
		store_rollback(p->st);
		return -1;
	}

	pthread_mutex_lock(&p->wlock);
	size_t nw = p->nwrites;
	struct publish_write *w = xcalloc(nw + 1, sizeof *w);
	memcpy(w, p->writes, nw * sizeof *w);
	p->nwrites = 0;
	pthread_mutex_unlock(&p->wlock);

	struct fleet_cache fc = { fleet, fleet_arg, NULL, 0, 0 };
	struct alert_set events;
	alert_set_init(&events);
	struct feature_tick t = { p->st, p->cfg, now_wall_ms(), tick_fleet, &fc,
	    p->notify != NULL ? &events : NULL };
	void **next = xcalloc(n * p->nfeatures + 1, sizeof *next);
	size_t maxparts = 0;
	for (size_t k = 0; k < n; k++)
		maxparts = OD_MAX(maxparts, items[k].nparts);
	struct queued_part *scratch = xcalloc(maxparts + 1, sizeof *scratch);
	int ok = 1;

	for (size_t i = 0; ok && i < nw; i++)
		if (w[i].apply(p->st, w[i].arg, t.now_ms, cause) != 0)
			ok = 0;
	for (size_t k = 0; ok && k < n; k++)
		if (ingest_host(p, &t, &items[k], &next[k * p->nfeatures], scratch, cause) != 0)
			ok = 0;
	if (ok && store_commit(p->st, cause) != 0)
		ok = 0;
	if (ok) {
		install(p, items, n, next);
		for (size_t i = 0; i < nw; i++)
			if (w[i].done != NULL)
				w[i].done(w[i].arg, 0, NULL);
		/* committed: now, and only now, the alert changes are told */
		notifier_post(p->notify, events.v, events.n);
	} else {
		store_rollback(p->st);
		drop_states(p, next, n * p->nfeatures);
		requeue_writes(p, w, nw);
	}
	alert_set_free(&events);	/* after a rollback: never told */
	free(scratch);
	free(next);
	free(w);
	if (fc.v != NULL)
		store_free_hosts(fc.v, fc.n);
	return ok ? 0 : -1;
}

/* ---- housekeeping --------------------------------------------------------- */

/*
 * See publish.h. One bounded slice of rollups, retention and checkpointing
 * at most every second (every 100 ms while there is a backlog), and every
 * hour each feature's prune of rows older than the 1-minute rollups.
 */
int
publisher_maintain(struct publisher *p, int64_t now, char **cause)
{
	if (p->st == NULL || now < p->maint_next)
		return 0;
	int rc = store_maintain(p->st, &p->cfg->retention, now_wall_ms(), 0, cause);
	p->maint_next = now + (rc == 1 ? MAINT_BACKLOG_MS : MAINT_PERIOD_MS);
	if (rc != 0 || now < p->prune_next)
		return rc;
	int64_t before = now_wall_ms() - p->cfg->retention.minute_ms;
	for (size_t f = 0; f < p->nfeatures; f++) {
		const struct feature *fe = feature_table[f];
		if (fe->prune != NULL && fe->prune(p->st, before, cause) != 0)
			return -1;
	}
	p->prune_next = now + PRUNE_PERIOD_MS;
	return 0;
}
