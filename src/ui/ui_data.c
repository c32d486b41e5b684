/*
 * ui_data.c: the console's copy of the hosts and what is derived from it:
 * every host's latest status (store_get_hosts on each collector tick, hosts
 * whose data is too old shown stale), a ring of recent CPU and GPU figures
 * per host for sparklines, the Compute pane's rows after filter and sort
 * with the selection kept by name, and the alerts the Alerts pane shows
 * (the cache's alert log, or without one the collector's rules evaluated
 * here) with its selection kept on the same alert (its id). Draws nothing;
 * calls no pane.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "opsdeck/ssh.h"
#include "opsdeck/store.h"
#include "opsdeck/ui_priv.h"

static const char *const sort_names[SORT_COUNT] = {
	"name", "state", "cpu", "mem", "load", "gpu",
};

/*
 * Where host h is reached (ssh_host_address: the config's address, else
 * ~/.ssh/config's HostName, else the name), "" when the config does not
 * name it. Read from the config and ~/.ssh/config, not from the host, and
 * kept for the last host asked (the Detail pane asks at every frame).
 * Valid until the next call; UI thread only.
 */
const char *
ui_host_address(const struct ui *u, const struct host_status *h)
{
	static char name[sizeof h->name], group[sizeof h->group], addr[sizeof h->address];
	const struct config *cfg = u->o->cfg;

	if (h->address[0] != '\0')
		return h->address;
	if (strcmp(name, h->name) == 0 && strcmp(group, h->group) == 0)
		return addr;
	od_strlcpy(name, h->name, sizeof name);
	od_strlcpy(group, h->group, sizeof group);
	addr[0] = '\0';
	for (size_t g = 0; cfg != NULL && g < cfg->ngroups; g++) {
		const struct group *gr = &cfg->groups[g];
		if (strcmp(gr->name, h->group) != 0)
			continue;
		for (size_t i = 0; i < gr->nhosts; i++) {
			if (strcmp(gr->hosts[i].name, h->name) != 0)
				continue;
			size_t len = 0;
			char *text = gr->local ? NULL : ssh_config_read_home(&len);
			char *a = ssh_host_address(gr, &gr->hosts[i], text, len);
			od_strlcpy(addr, a, sizeof addr);
			free(a);
			free(text);
			return addr;
		}
	}
	return addr;
}

/* The word of a sort column ("name", "cpu", ...). */
const char *
ui_sort_name(enum ui_sort s)
{
	return (unsigned)s < SORT_COUNT ? sort_names[s] : "?";
}

static int
ring_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ui_ring *)a)->name, ((const struct ui_ring *)b)->name);
}

/* The ring of recent figures of host index `host`, or NULL (valid until the next ui_set_data). */
const struct ui_ring *
ui_ring_of(const struct ui *u, size_t host)
{
	if (u->ring_of == NULL || host >= u->nhosts || u->ring_of[host] < 0)
		return NULL;
	return &u->rings[u->ring_of[host]];
}

static double
host_gpu_mean(const struct host_status *h)
{
	double sum = 0;
	int n = 0;

	for (int i = 0; i < h->ngpus; i++) {
		if (h->gpus[i].util_pct >= 0) {
			sum += h->gpus[i].util_pct;
			n++;
		}
	}
	return n > 0 ? sum / n : -1;
}

/*
 * Attaches each host to its ring of recent values (creating rings for new
 * hosts, dropping rings of hosts gone) and pushes the host's figures when its
 * sample is newer than the last one pushed.
 */
static void
ui_update_rings(struct ui *u)
{
	size_t nnew = 0;

	for (size_t i = 0; i < u->nrings; i++)
		u->rings[i].seen = 0;
	free(u->ring_of);
	u->ring_of = xcalloc(u->nhosts ? u->nhosts : 1, sizeof *u->ring_of);
	for (size_t i = 0; i < u->nhosts; i++) {
		struct ui_ring key, *r;
		od_strlcpy(key.name, u->hosts[i].name, sizeof key.name);
		r = u->nrings ? bsearch(&key, u->rings, u->nrings, sizeof *u->rings, ring_cmp)
		    : NULL;
		if (r == NULL) {
			u->ring_of[i] = -1;
			nnew++;
		} else {
			r->seen = 1;
		}
	}
	/* drop unseen rings, add new ones, re-sort once */
	size_t o = 0;
	for (size_t i = 0; i < u->nrings; i++)
		if (u->rings[i].seen)
			u->rings[o++] = u->rings[i];
	u->nrings = o;
	if (nnew > 0) {
		u->rings = xreallocarray(u->rings, u->nrings + nnew, sizeof *u->rings);
		for (size_t i = 0; i < u->nhosts; i++) {
			if (u->ring_of[i] != -1)
				continue;
			struct ui_ring *r = &u->rings[u->nrings++];
			memset(r, 0, sizeof *r);
			od_strlcpy(r->name, u->hosts[i].name, sizeof r->name);
			u->ring_of[i] = 0;
		}
		qsort(u->rings, u->nrings, sizeof *u->rings, ring_cmp);
	}
	u->last_sample_ms = 0;
	for (size_t i = 0; i < u->nhosts; i++) {
		const struct host_status *h = &u->hosts[i];
		struct ui_ring key, *r;
		od_strlcpy(key.name, h->name, sizeof key.name);
		r = bsearch(&key, u->rings, u->nrings, sizeof *u->rings, ring_cmp);
		if (r == NULL) {	/* duplicate names collapse into one ring */
			u->ring_of[i] = -1;
			continue;
		}
		u->ring_of[i] = (int)(r - u->rings);
		if (h->sample_ms > u->last_sample_ms)
			u->last_sample_ms = h->sample_ms;
		if (h->sample_ms > 0 && h->sample_ms != r->last_sample_ms) {
			r->cpu[r->head] = h->state == HOST_UP ? (float)h->cpu_pct : -1.0f;
			r->gpu[r->head] = h->state == HOST_UP ? (float)host_gpu_mean(h) : -1.0f;
			r->head = (r->head + 1) % UI_RING;
			if (r->count < UI_RING)
				r->count++;
			r->last_sample_ms = h->sample_ms;
		}
	}
}

static void ui_refresh_alerts(struct ui *u);

/*
 * Takes ownership of hosts[n] (from store_get_hosts), frees the previous
 * set, updates rings, rows, alerts and marks the panes dirty.
 */
void
ui_set_data(struct ui *u, struct host_status *hosts, size_t n)
{
	if (u->hosts != NULL)
		store_free_hosts(u->hosts, u->nhosts);
	u->hosts = hosts;
	u->nhosts = n;
	ui_update_rings(u);
	ui_rebuild_rows(u);
	ui_refresh_alerts(u);
	ui_dirty_all(u);
}

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
 * index of that alert in next, or the old index when it is gone.
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
}

/*
 * Re-reads the alerts the Alerts pane shows into u->alerts: the cache's (the
 * active ones and those cleared in the last UI_ALERTS_CLEARED_MS, at most
 * UI_ALERTS_MAX); without a cache or its alert table, those of the hosts
 * evaluated here by the same rules (ui_eval_alerts; u->alerts_local set). A
 * read error keeps the previous set and goes to the status line.
 */
static void
ui_refresh_alerts(struct ui *u)
{
	struct alert_set set, none;
	char *cause = NULL;

	alert_set_init(&set);
	alert_set_init(&none);
	if (u->store == NULL || !alert_store_has_log(u->store)) {
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
	}
	alert_follow(u, &set);
	alert_set_free(&u->alerts);
	u->alerts = set;
	u->pane[PANE_ALERTS].dirty = 1;
}

/*
 * A host the cache calls up whose last sample is older than two of its
 * group's intervals is shown stale, with the age: the first frame of a
 * console started on a warm cache, an --offline console whose collector
 * stopped, a host that went quiet between ticks.
 */
static void
ui_mark_stale(const struct ui *u, struct host_status *v, size_t n)
{
	int64_t now = now_wall_ms();

	for (size_t i = 0; i < n; i++) {
		struct host_status *h = &v[i];
		if (h->sample_ms <= 0 || (h->state != HOST_UP && h->state != HOST_CONNECTING))
			continue;
		int64_t interval = 2000;
		for (size_t g = 0; u->o->cfg != NULL && g < u->o->cfg->ngroups; g++) {
			if (strcmp(u->o->cfg->groups[g].name, h->group) == 0) {
				interval = u->o->cfg->groups[g].conn.interval_ms;
				break;
			}
		}
		int64_t age = now - h->sample_ms;
		if (age > 2 * interval) {
			h->state = HOST_STALE;
			snprintf(h->error, sizeof h->error, "last report %llds ago",
			    (long long)(age / 1000));
		}
	}
}

static int
ui_filter_match(const struct ui *u, const struct host_status *h)
{
	if (u->filter[0] == '\0')
		return 1;
	if (u->filter_re)
		return regexec(&u->re, h->name, 0, NULL, 0) == 0 ||
		    regexec(&u->re, h->group, 0, NULL, 0) == 0;
	return strstr(h->name, u->filter) != NULL || strstr(h->group, u->filter) != NULL;
}

/*
 * Re-reads every host's latest status from the store (marking those whose
 * last sample is too old stale) and the alerts, and takes them in
 * (ui_set_data). Returns 0, or -1 with the error on the status line and
 * the previous data kept. Nothing to read without a store (0).
 */
int
ui_load_hosts(struct ui *u)
{
	struct host_status *v = NULL;
	size_t n = 0;
	char *cause = NULL;

	if (u->store == NULL)
		return 0;
	if (store_get_hosts(u->store, &v, &n, &cause) != 0) {
		snprintf(u->data_error, sizeof u->data_error, "store: %s",
		    cause != NULL ? cause : "read failed");
		free(cause);
		u->status_dirty = 1;
		return -1;
	}
	u->data_error[0] = '\0';
	ui_mark_stale(u, v, n);
	ui_set_data(u, v, n);
	return 0;
}

/* Sets the live filter: /re/ or text with regex metacharacters is a POSIX ERE. */
void
ui_set_filter(struct ui *u, const char *text)
{
	char pat[UI_INPUT_MAX];
	size_t len = strlen(text);
	int is_re = 0;

	if (u->filter_dev) {	/* `/` typed with the Devices pane focused */
		ui_set_dev_filter(u, text);
		return;
	}
	if (u->filter_re) {
		regfree(&u->re);
		u->filter_re = 0;
	}
	od_strlcpy(u->filter, text, sizeof u->filter);
	if (len >= 2 && text[0] == '/' && text[len - 1] == '/') {
		snprintf(pat, sizeof pat, "%.*s", (int)(len - 2), text + 1);
		is_re = 1;
	} else {
		od_strlcpy(pat, text, sizeof pat);
		is_re = strpbrk(text, "^$.*+?()[]{}|\\") != NULL;
	}
	if (is_re) {
		int rc = regcomp(&u->re, pat, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			char err[128];
			regerror(rc, &u->re, err, sizeof err);
			ui_message(u, 1, "filter: %s", err);
			/* an unfinished regex matches as plain text meanwhile */
			od_strlcpy(u->filter, pat, sizeof u->filter);
		} else {
			u->filter_re = 1;
		}
	}
	ui_rebuild_rows(u);
	ui_dirty_all(u);
}

static const struct ui *sort_ui;

static int
state_rank(enum host_state s)
{
	/* worst first when sorting by state */
	switch (s) {
	case HOST_HOSTKEY_CHANGED: return 0;
	case HOST_DOWN: return 1;
	case HOST_TIMEOUT: return 2;
	case HOST_AUTH_FAILED: return 3;
	case HOST_HOSTKEY_UNKNOWN: return 4;
	case HOST_CUT_OFF: return 5;
	case HOST_PARSE_ERROR: return 6;
	case HOST_STALE: return 7;
	case HOST_CONNECTING: return 8;
	case HOST_UP: return 9;
	default: return 10;
	}
}

static double
sort_key(const struct host_status *h, enum ui_sort s)
{
	switch (s) {
	case SORT_STATE:
		return state_rank(h->state);
	case SORT_CPU:
		return h->cpu_pct;
	case SORT_MEM:
		return h->mem_total ? (double)h->mem_used / (double)h->mem_total : -1;
	case SORT_LOAD:
		return h->load[0];
	case SORT_GPU:
		return host_gpu_mean(h);
	default:
		return 0;
	}
}

static int
row_cmp(const void *a, const void *b)
{
	const struct ui *u = sort_ui;
	const struct ui_row *x = a, *y = b;
	const struct host_status *hx = &u->hosts[x->idx], *hy = &u->hosts[y->idx];
	int c = 0;

	if (u->sort != SORT_NAME) {
		double kx = sort_key(hx, u->sort), ky = sort_key(hy, u->sort);
		if (kx != ky) {
			/* figures sort high first, state worst first */
			c = u->sort == SORT_STATE ? (kx < ky ? -1 : 1) : (kx > ky ? -1 : 1);
		}
	}
	if (c == 0)
		c = strverscmp(hx->name, hy->name);	/* gpu2 before gpu10 */
	if (c == 0)
		c = x->idx - y->idx;
	return u->sort_rev ? -c : c;
}

/*
 * Rebuilds the Compute rows: for each group (store order) a header row and
 * the group's hosts that pass the filter, sorted by the sort column. The
 * selection follows the selected host's name.
 */
void
ui_rebuild_rows(struct ui *u)
{
	size_t g = 0;

	free(u->groups);
	free(u->rows);
	u->groups = xcalloc(u->nhosts + 1, sizeof *u->groups);
	u->rows = xcalloc(2 * u->nhosts + 1, sizeof *u->rows);
	u->ngroups = 0;
	u->nrows = 0;
	sort_ui = u;
	for (size_t i = 0; i < u->nhosts;) {
		const struct host_status *h0 = &u->hosts[i];
		size_t j = i, first;
		struct ui_group *gr = &u->groups[g];
		od_strlcpy(gr->name, h0->group, sizeof gr->name);
		gr->kind = h0->kind;
		u->rows[u->nrows].kind = ROW_GROUP;
		u->rows[u->nrows].idx = (int)g;
		u->nrows++;
		first = u->nrows;
		for (; j < u->nhosts && strcmp(u->hosts[j].group, h0->group) == 0; j++) {
			const struct host_status *h = &u->hosts[j];
			gr->total++;
			if (h->state == HOST_UP) {
				gr->up++;
				if (h->cpu_pct >= 0) {
					gr->cpu_sum += h->cpu_pct;
					gr->cpu_n++;
				}
			}
			gr->gpus += h->ngpus;
			for (int k = 0; k < h->ngpus; k++)
				if (h->gpus[k].util_pct >= 10)
					gr->gpus_busy++;
			if (!ui_filter_match(u, h))
				continue;
			u->rows[u->nrows].kind = ROW_HOST;
			u->rows[u->nrows].idx = (int)j;
			u->nrows++;
			gr->shown++;
		}
		qsort(&u->rows[first], u->nrows - first, sizeof *u->rows, row_cmp);
		if (gr->shown == 0 && u->filter[0] != '\0')
			u->nrows--;	/* a group with no match is hidden */
		g++;
		u->ngroups = g;
		i = j;
	}
	/* keep the selection on the same host */
	struct pane *p = &u->pane[PANE_COMPUTE];
	int found = -1;
	for (size_t r = 0; r < u->nrows && u->sel_host[0]; r++) {
		if (u->rows[r].kind == ROW_HOST &&
		    strcmp(u->hosts[u->rows[r].idx].name, u->sel_host) == 0) {
			found = (int)r;
			break;
		}
	}
	if (found >= 0) {
		p->sel = found;
	} else {
		if (p->sel >= (int)u->nrows)
			p->sel = (int)u->nrows - 1;
		if (p->sel < 0)
			p->sel = 0;
		/* prefer a host row over a group header */
		if (p->sel < (int)u->nrows && u->rows[p->sel].kind == ROW_GROUP &&
		    p->sel + 1 < (int)u->nrows && u->rows[p->sel + 1].kind == ROW_HOST)
			p->sel++;
		if (p->sel < (int)u->nrows && u->rows[p->sel].kind == ROW_HOST)
			od_strlcpy(u->sel_host, u->hosts[u->rows[p->sel].idx].name,
			    sizeof u->sel_host);
	}
}

/* The host selected in Compute, or NULL when the selection is no host row. */
const struct host_status *
ui_selected(const struct ui *u)
{
	const struct pane *p = &u->pane[PANE_COMPUTE];

	if (p->sel < 0 || p->sel >= (int)u->nrows || u->rows[p->sel].kind != ROW_HOST)
		return NULL;
	return &u->hosts[u->rows[p->sel].idx];
}

/* Selects Compute row `row` (clamped), skipping group headers in the direction moved. */
void
ui_select_row(struct ui *u, int row)
{
	struct pane *p = &u->pane[PANE_COMPUTE];
	int dir = row >= p->sel ? 1 : -1;

	if (u->nrows == 0)
		return;
	if (row < 0)
		row = 0;
	if (row >= (int)u->nrows)
		row = (int)u->nrows - 1;
	/* group headers are not selectable: go on in the same direction, else back */
	if (u->rows[row].kind == ROW_GROUP) {
		int r = row;
		while (r >= 0 && r < (int)u->nrows && u->rows[r].kind == ROW_GROUP)
			r += dir;
		if (r < 0 || r >= (int)u->nrows) {
			r = row;
			while (r >= 0 && r < (int)u->nrows && u->rows[r].kind == ROW_GROUP)
				r -= dir;
		}
		if (r < 0 || r >= (int)u->nrows)
			return;
		/* keep the header of the first group in view when going to the top */
		if (dir < 0 && row == 0)
			p->top = 0;
		row = r;
	}
	if (row == p->sel)
		return;
	p->sel = row;
	od_strlcpy(u->sel_host, u->hosts[u->rows[row].idx].name, sizeof u->sel_host);
	u->detail_dev = 0;
	p->dirty = 1;
	u->pane[PANE_DETAIL].dirty = 1;
	u->pane[PANE_DETAIL].top = 0;
}
