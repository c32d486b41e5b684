/*
 * ui_alerts.c: the alerts the Alerts pane shows: the cache's alert log (as
 * of the time cursor while not live), or without one the collector's rules
 * evaluated here on the hosts ui_data.c holds; hosts the configuration no
 * longer names hidden; the selection kept on the same alert (its
 * identity). Draws nothing; calls no pane.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/store.h"
#include "opsdeck/ui_priv.h"

/* Orders alerts by their key: host, subject, rule. */
static int
alert_key(const struct alert *x, const struct alert *y)
{
	int c;

	if ((c = strcmp(x->host, y->host)) != 0)
		return c;
	if ((c = strcmp(x->device, y->device)) != 0)
		return c;
	return strcmp(x->rule, y->rule);
}

/* Newest first, then the worse, then by key (the cache's order). */
static int
alert_cmp(const void *a, const void *b)
{
	const struct alert *x = a, *y = b;

	if (x->raised_ms != y->raised_ms)
		return x->raised_ms < y->raised_ms ? 1 : -1;
	if (x->sev != y->sev)
		return x->sev < y->sev ? 1 : -1;
	return alert_key(x, y);
}

/* qsort/bsearch over pointers to alerts, by key. */
static int
alert_key_cmp(const void *a, const void *b)
{
	return alert_key(*(const struct alert *const *)a, *(const struct alert *const *)b);
}

/*
 * The alerts of the hosts in u->hosts by the collector's own rules
 * (alert_eval_host with the config's thresholds), appended to out (empty on
 * entry, not prev) and sorted newest first: for a cache without the alert
 * log, or no cache. An alert that was in prev (the last evaluation; same
 * host, subject and rule) keeps the time it was raised; a new one is raised
 * at the host's state change (state rule) or at its sample.
 */
static void
ui_eval_alerts(const struct ui *u, const struct alert_set *prev, struct alert_set *out)
{
	const struct config *cfg = u->o->cfg;
	const struct alert **by_key = xcalloc(prev->n + 1, sizeof *by_key);

	for (size_t j = 0; j < prev->n; j++)
		by_key[j] = &prev->v[j];
	qsort(by_key, prev->n, sizeof *by_key, alert_key_cmp);
	for (size_t i = 0; i < u->nhosts; i++) {
		const struct host_status *h = &u->hosts[i];
		size_t from = out->n;
		alert_eval_host(h, cfg != NULL ? cfg->thresholds : NULL,
		    cfg != NULL ? cfg->nthresholds : 0, out);
		for (size_t k = from; k < out->n; k++) {
			struct alert *a = &out->v[k];
			const struct alert *key = a, **was;
			int64_t t = strcmp(a->rule, "host.state") == 0 ? h->state_since_ms :
			    h->sample_ms;
			a->raised_ms = t > 0 ? t : now_wall_ms();
			was = prev->n ? bsearch(&key, by_key, prev->n, sizeof *by_key,
			    alert_key_cmp) : NULL;
			if (was != NULL)
				a->raised_ms = (*was)->raised_ms;
		}
	}
	free(by_key);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, alert_cmp);
}

/*
 * 1 when a and b are the same alert: the same row of the alert log (its id)
 * or, for alerts evaluated here (no id), the same host, device and rule.
 */
static int
alert_same(const struct alert *a, const struct alert *b)
{
	if (a->id != 0 || b->id != 0)
		return a->id == b->id;
	return strcmp(a->host, b->host) == 0 && strcmp(a->device, b->device) == 0 &&
	    strcmp(a->rule, b->rule) == 0;
}

/*
 * Keeps the Alerts pane's selection on the alert it was on when the set is
 * replaced (newer alerts arrive above it, cleared ones move below): the
 * index of that alert in next; when that row is gone, an active alert of
 * the same identity (host, subject, rule: it cleared and came back); else
 * the old index.
 */
static void
alert_follow(struct ui *u, const struct alert_set *next)
{
	struct pane *p = &u->pane[PANE_ALERTS];

	if (p->sel < 0 || (size_t)p->sel >= u->alerts.n)
		return;
	const struct alert *cur = &u->alerts.v[p->sel];
	for (size_t i = 0; i < next->n; i++) {
		if (alert_same(cur, &next->v[i])) {
			p->sel = (int)i;	/* drawing scrolls to it if it moved out */
			return;
		}
	}
	for (size_t i = 0; i < next->n; i++) {
		if (next->v[i].cleared_ms == 0 && alert_key(cur, &next->v[i]) == 0) {
			p->sel = (int)i;
			return;
		}
	}
}

/*
 * Re-reads the alerts the Alerts pane shows into u->alerts: the cache's (the
 * active ones and those cleared in the last UI_ALERTS_CLEARED_MS, at most
 * UI_ALERTS_MAX); without a cache or its alert table, those of the hosts
 * evaluated here by the same rules (ui_eval_alerts; u->alerts_local set). A
 * read error keeps the previous set and goes to the status line.
 */
/* See ui_priv.h. */
void
ui_refresh_alerts(struct ui *u)
{
	struct alert_set set, none;
	char *cause = NULL;

	alert_set_init(&set);
	alert_set_init(&none);
	if (u->at_ms > 0 && u->store != NULL && alert_store_has_log(u->store)) {
		if (alert_store_at(u->store, u->at_ms, UI_ALERTS_MAX, &set, &cause) != 0) {
			snprintf(u->data_error, sizeof u->data_error, "alerts: %s",
			    cause != NULL ? cause : "read failed");
			free(cause);
		}
		u->alerts_local = 0;
	} else if (u->store == NULL || !alert_store_has_log(u->store)) {
		ui_eval_alerts(u, u->alerts_local ? &u->alerts : &none, &set);
		u->alerts_local = 1;
	} else if (alert_store_list(u->store, NULL, now_wall_ms() - UI_ALERTS_CLEARED_MS,
	    UI_ALERTS_MAX, &set, &cause) != 0) {
		snprintf(u->data_error, sizeof u->data_error, "alerts: %s",
		    cause != NULL ? cause : "read failed");
		free(cause);
		alert_set_free(&set);
		u->status_dirty = 1;
		return;
	} else {
		u->alerts_local = 0;
		size_t k = 0;	/* hidden hosts' alerts too */
		for (size_t i = 0; i < set.n; i++)
			if (!u->o->hide_unknown || config_knows_host(u->o->cfg, set.v[i].host, NULL))
				set.v[k++] = set.v[i];
		set.n = k;
	}
	alert_follow(u, &set);
	alert_set_free(&u->alerts);
	u->alerts = set;
	u->pane[PANE_ALERTS].dirty = 1;
}

