/*
 * ui_data.c: the console's copy of the hosts and what is derived from it:
 * every host's latest status (store_get_hosts on each collector tick, hosts
 * whose data is too old shown stale), a ring of recent CPU and GPU figures
 * per host for sparklines, the Compute pane's rows after filter and sort
 * with the selection kept by name; the alerts the Alerts pane shows are
 * ui_alerts.c's. Draws nothing; calls no pane.
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
		if (h->sample_ms > 0 && h->sample_ms != r->last_sample_ms && u->at_ms == 0) {
			r->cpu[r->head] = h->state == HOST_UP ? (float)h->cpu_pct : -1.0f;
			r->gpu[r->head] = h->state == HOST_UP ? (float)host_gpu_mean(h) : -1.0f;
			r->head = (r->head + 1) % UI_RING;
			if (r->count < UI_RING)
				r->count++;
			r->last_sample_ms = h->sample_ms;
		}
	}
}


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
	u->at_unknown = 0;
	if ((u->at_ms > 0 ? store_hosts_at(u->store, u->at_ms, UI_AT_WINDOW_MS, &v, &n,
	    &u->at_unknown, &cause) : store_get_hosts(u->store, &v, &n, &cause)) != 0) {
		snprintf(u->data_error, sizeof u->data_error, "store: %s",
		    cause != NULL ? cause : "read failed");
		free(cause);
		u->status_dirty = 1;
		return -1;
	}
	u->data_error[0] = '\0';
	/* a host the configuration no longer names is hidden (opsdeck forget) */
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!u->o->hide_unknown || config_knows_host(u->o->cfg, v[i].name, v[i].group)) {
			if (k != i)
				v[k] = v[i];
			k++;
		} else {
			host_status_free(&v[i]);
		}
	}
	if (u->at_ms == 0)	/* at the cursor, ages are the past's own */
		ui_mark_stale(u, v, k);
	ui_set_data(u, v, k);
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
	case SORT_CPU:	/* as shown: a host that is not up has no CPU figure ("-") */
		return h->state == HOST_UP && h->cpu_pct >= 0 ? h->cpu_pct : -1;
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

/* 1 when Compute row r can be selected: a host, or the header of a folded group. */
static int
row_selectable(const struct ui *u, size_t r)
{
	return u->rows[r].kind == ROW_HOST || (u->rows[r].kind == ROW_GROUP &&
	    ui_folded(&u->folds, u->groups[u->rows[r].idx].name));
}

/* Remembers row r as the selection: its host's name, or its folded group's. */
static void
row_remember(struct ui *u, size_t r)
{
	u->sel_host[0] = u->sel_group[0] = '\0';
	if (u->rows[r].kind == ROW_HOST)
		od_strlcpy(u->sel_host, u->hosts[u->rows[r].idx].name, sizeof u->sel_host);
	else
		od_strlcpy(u->sel_group, u->groups[u->rows[r].idx].name, sizeof u->sel_group);
}

/*
 * Keeps the Compute selection on the same host, or on the header of its
 * group when that group is folded now (or the folded group it was on); else
 * on the same row number, a host rather than a header.
 */
static void
rows_keep_selection(struct ui *u)
{
	struct pane *p = &u->pane[PANE_COMPUTE];
	const char *group = u->sel_group;

	for (size_t r = 0; r < u->nrows && u->sel_host[0]; r++) {
		const struct ui_row *row = &u->rows[r];
		if (row->kind == ROW_HOST && strcmp(u->hosts[row->idx].name, u->sel_host) == 0) {
			p->sel = (int)r;
			return;
		}
	}
	for (size_t i = 0; group[0] == '\0' && u->sel_host[0] && i < u->nhosts; i++)
		if (strcmp(u->hosts[i].name, u->sel_host) == 0)
			group = u->hosts[i].group;	/* hidden: in a folded group? */
	for (size_t r = 0; r < u->nrows && group[0] != '\0'; r++) {
		const struct ui_row *row = &u->rows[r];
		if (row->kind == ROW_GROUP && strcmp(u->groups[row->idx].name, group) == 0 &&
		    row_selectable(u, r)) {
			p->sel = (int)r;
			row_remember(u, r);
			return;
		}
	}
	if (p->sel >= (int)u->nrows)
		p->sel = (int)u->nrows - 1;
	if (p->sel < 0)
		p->sel = 0;
	/* prefer a host row over a group header */
	if (p->sel < (int)u->nrows && !row_selectable(u, (size_t)p->sel) &&
	    p->sel + 1 < (int)u->nrows && u->rows[p->sel + 1].kind == ROW_HOST)
		p->sel++;
	if (p->sel < (int)u->nrows && row_selectable(u, (size_t)p->sel))
		row_remember(u, (size_t)p->sel);
}

/*
 * Rebuilds the Compute rows. Grouped (u->grouped): for each group (store
 * order) a header row and the group's hosts that pass the filter, sorted by
 * the sort column; a folded group keeps its header only. Ungrouped: every
 * host that passes the filter in one list sorted fleet-wide (top-N by any
 * column). The group totals are counted either way; the selection follows
 * the selected host's name.
 */
void
ui_rebuild_rows(struct ui *u)
{
	size_t g = 0;

	free(u->groups);
	free(u->rows);
	u->groups = xcalloc(u->nhosts + 1, sizeof *u->groups);
	u->rows = xcalloc(2 * u->nhosts + 1, sizeof *u->rows);	/* ui_idle_rows grows it */
	u->ngroups = 0;
	u->nrows = 0;
	sort_ui = u;
	for (size_t i = 0; i < u->nhosts;) {
		const struct host_status *h0 = &u->hosts[i];
		size_t j = i, first;
		struct ui_group *gr = &u->groups[g];
		od_strlcpy(gr->name, h0->group, sizeof gr->name);
		gr->kind = h0->kind;
		int folded = u->grouped && ui_folded(&u->folds, gr->name);
		if (u->grouped) {
			u->rows[u->nrows].kind = ROW_GROUP;
			u->rows[u->nrows].idx = (int)g;
			u->nrows++;
		}
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
			if (!ui_filter_match(u, h) || (u->idle_gpus && ui_idle_count(h) == 0))
				continue;
			gr->shown++;
			if (folded)
				continue;
			u->rows[u->nrows].kind = ROW_HOST;
			u->rows[u->nrows].idx = (int)j;
			u->nrows++;
		}
		if (u->grouped)
			qsort(&u->rows[first], u->nrows - first, sizeof *u->rows, row_cmp);
		if (u->grouped && gr->shown == 0 && (u->filter[0] != '\0' || u->idle_gpus))
			u->nrows = first - 1;	/* a group with no match is hidden */
		g++;
		u->ngroups = g;
		i = j;
	}
	if (!u->grouped)
		qsort(u->rows, u->nrows, sizeof *u->rows, row_cmp);
	ui_idle_rows(u);
	rows_keep_selection(u);
}

/* The group of the Compute selection (its host's, or a folded header's), or NULL. */
static const struct ui_group *
selected_group(const struct ui *u)
{
	const struct pane *p = &u->pane[PANE_COMPUTE];

	if (p->sel < 0 || p->sel >= (int)u->nrows)
		return NULL;
	const struct ui_row *r = &u->rows[p->sel];
	if (r->kind == ROW_GROUP)
		return &u->groups[r->idx];	/* else a host's or its GPU's row */
	for (size_t g = 0; g < u->ngroups; g++)
		if (strcmp(u->groups[g].name, u->hosts[r->idx].group) == 0)
			return &u->groups[g];
	return NULL;
}

/*
 * Space, `-`, `+`: folds (how -1), unfolds (+1) or toggles (0) the group
 * under the Compute selection. A folded group shows its header only, which
 * takes the selection; unfolded, its first host does. Ungrouped there is
 * nothing to fold: a message says how to group.
 */
void
ui_fold(struct ui *u, int how)
{
	const struct ui_group *g = selected_group(u);
	char name[UI_GROUP_MAX];

	if (!u->grouped) {
		ui_message(u, 1, "the hosts are not grouped: t groups them");
		return;
	}
	if (g == NULL)
		return;
	od_strlcpy(name, g->name, sizeof name);
	int on = how < 0 ? 1 : how > 0 ? 0 : !ui_folded(&u->folds, name);
	if (!ui_fold_set(&u->folds, name, on))
		return;
	if (on) {
		u->sel_host[0] = '\0';		/* the header takes the selection */
		od_strlcpy(u->sel_group, name, sizeof u->sel_group);
	}
	ui_rebuild_rows(u);
	if (!on) {
		/* its first host shown, else the header stays in view */
		struct pane *p = &u->pane[PANE_COMPUTE];
		for (size_t r = 0; r < u->nrows; r++) {
			if (u->rows[r].kind != ROW_GROUP || strcmp(u->groups[u->rows[r].idx].name,
			    name) != 0)
				continue;
			p->sel = (int)r;
			if (r + 1 < u->nrows && u->rows[r + 1].kind == ROW_HOST)
				p->sel = (int)r + 1;
			if (row_selectable(u, (size_t)p->sel))
				row_remember(u, (size_t)p->sel);
			break;
		}
	}
	ui_message(u, 0, "%s %s", on ? "folded" : "unfolded", name);
	ui_dirty_all(u);
}

/* `t`: hosts under their groups (on 1) or one list sorted fleet-wide (0). */
void
ui_set_grouped(struct ui *u, int on)
{
	u->grouped = on != 0;
	if (!u->grouped)
		u->sel_group[0] = '\0';
	ui_rebuild_rows(u);
	ui_dirty_all(u);
}

/* The alert selected in the Alerts pane (focused or not), or NULL. */
const struct alert *
ui_selected_alert(const struct ui *u)
{
	int sel = u->pane[PANE_ALERTS].sel;

	return sel >= 0 && (size_t)sel < u->alerts.n ? &u->alerts.v[sel] : NULL;
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

/*
 * Selects Compute row `row` (clamped), skipping the headers of unfolded
 * groups in the direction moved; a folded group's header is selectable.
 */
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
	if (!row_selectable(u, (size_t)row)) {
		int r = row;
		while (r >= 0 && r < (int)u->nrows && !row_selectable(u, (size_t)r))
			r += dir;
		if (r < 0 || r >= (int)u->nrows) {
			r = row;
			while (r >= 0 && r < (int)u->nrows && !row_selectable(u, (size_t)r))
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
	row_remember(u, (size_t)row);
	u->detail_dev = 0;
	p->dirty = 1;
	u->pane[PANE_DETAIL].dirty = 1;
	u->pane[PANE_DETAIL].top = 0;
}
