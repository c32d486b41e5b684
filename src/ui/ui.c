/*
 * ui.c: the console's main loop, data refresh, layout and key dispatch.
 *
 * Loop (tmux/htop pattern): poll() on stdin, the collector's wake-up fd and
 * a self-pipe fed by the SIGTERM/SIGINT/SIGWINCH handlers and the pipe on
 * which fatal() on another thread hands over its message, with a timeout to
 * the next 1 s tick (ages on screen). A wake-up re-reads the store; a key
 * changes state; each marks only the panes it affects dirty. A frame redraws
 * the dirty panes, wnoutrefresh()es them and calls doupdate() once. Signal
 * handlers only write a byte; all work happens in the loop.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "opsdeck/store.h"
#include "opsdeck/textwidth.h"
#include "opsdeck/ui_priv.h"

static const struct pane_ops *const pane_table[PANE_COUNT] = {
	[PANE_COMPUTE] = &pane_compute_ops,
	[PANE_DEVICES] = &pane_devices_ops,
	[PANE_BUDGETS] = &pane_budgets_ops,
	[PANE_DETAIL] = &pane_detail_ops,
	[PANE_ALERTS] = &pane_alerts_ops,
};

static const char *const sort_names[SORT_COUNT] = {
	"name", "state", "cpu", "mem", "load", "gpu",
};

static int sig_pipe[2] = { -1, -1 };
static int curses_on;

/*
 * fatal() on a thread other than the UI thread (ui_fatal_hook): the message
 * goes to fatal_msg, a byte to fatal_pipe, which the loop polls; the UI
 * thread ends curses, prints and aborts. The pipe is made once and never
 * closed: a thread may still be in the hook when ui_run returns.
 */
#define UI_FATAL_WAIT_MS	2000
static pthread_t ui_thread;
static int fatal_pipe[2] = { -1, -1 };
static atomic_int fatal_taken;		/* 1: fatal_msg holds a message */
static char fatal_msg[FATAL_MSG_MAX];

const char *
ui_sort_name(enum ui_sort s)
{
	return (unsigned)s < SORT_COUNT ? sort_names[s] : "?";
}

void
ui_message(struct ui *u, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(u->msg, sizeof u->msg, fmt, ap);
	va_end(ap);
	u->msg_err = err;
	u->status_dirty = 1;
}

void
ui_dirty_all(struct ui *u)
{
	for (int i = 0; i < PANE_COUNT; i++)
		u->pane[i].dirty = 1;
	u->status_dirty = 1;
}

/* ---- data ---------------------------------------------------------------- */

static int
ring_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ui_ring *)a)->name, ((const struct ui_ring *)b)->name);
}

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

/* Whether the cache has table `name` (older caches lack the alert log). */
static int
ui_has_table(struct ui *u, const char *name)
{
	sqlite3_stmt *s;
	int found;

	if (sqlite3_prepare_v2(store_db(u->store), "SELECT 1 FROM sqlite_master"
	    " WHERE type = 'table' AND name = ?1", -1, &s, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return found;
}

/* Newest first, then the worse, then by host, subject and rule (the cache's order). */
static int
alert_cmp(const void *a, const void *b)
{
	const struct alert *x = a, *y = b;
	int c;

	if (x->raised_ms != y->raised_ms)
		return x->raised_ms < y->raised_ms ? 1 : -1;
	if (x->sev != y->sev)
		return x->sev < y->sev ? 1 : -1;
	if ((c = strcmp(x->host, y->host)) != 0)
		return c;
	if ((c = strcmp(x->device, y->device)) != 0)
		return c;
	return strcmp(x->rule, y->rule);
}

/* By the key of an alert: host, subject, rule. */
static int
alert_key_cmp(const void *a, const void *b)
{
	const struct alert *x = *(const struct alert *const *)a;
	const struct alert *y = *(const struct alert *const *)b;
	int c;

	if ((c = strcmp(x->host, y->host)) != 0)
		return c;
	if ((c = strcmp(x->device, y->device)) != 0)
		return c;
	return strcmp(x->rule, y->rule);
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
	if (u->store == NULL || !ui_has_table(u, "alert_log")) {
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

/* Re-reads every host's latest status, the devices and the alerts from the store. */
static void
ui_refresh(struct ui *u)
{
	struct host_status *v = NULL;
	size_t n = 0;
	char *cause = NULL;

	if (u->store == NULL)
		return;
	if (store_get_hosts(u->store, &v, &n, &cause) != 0) {
		snprintf(u->data_error, sizeof u->data_error, "store: %s",
		    cause != NULL ? cause : "read failed");
		free(cause);
		u->status_dirty = 1;
		return;
	}
	u->data_error[0] = '\0';
	ui_acks_poll(u);
	ui_mark_stale(u, v, n);
	ui_set_data(u, v, n);
	ui_refresh_devices(u, 0);
	ui_budgets_refresh(u);
}

/*
 * Enter: shows the selected host (device 0) or device (1) in Detail and
 * focuses it; when Detail has no place in this layout it is shown zoomed.
 */
void
ui_show_detail(struct ui *u, int device)
{
	u->detail_dev = device;
	u->pane[PANE_DETAIL].top = 0;
	u->pane[u->focus].dirty = 1;
	u->focus = PANE_DETAIL;
	if (u->pane[PANE_DETAIL].win == NULL) {
		u->zoom = 1;
		ui_layout(u);
		ui_dirty_all(u);
	}
	u->pane[PANE_DETAIL].dirty = 1;
}

/* ---- rows: filter, groups, sort ------------------------------------------ */

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
	case HOST_PARSE_ERROR: return 5;
	case HOST_STALE: return 6;
	case HOST_CONNECTING: return 7;
	case HOST_UP: return 8;
	default: return 9;
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

const struct host_status *
ui_selected(const struct ui *u)
{
	const struct pane *p = &u->pane[PANE_COMPUTE];

	if (p->sel < 0 || p->sel >= (int)u->nrows || u->rows[p->sel].kind != ROW_HOST)
		return NULL;
	return &u->hosts[u->rows[p->sel].idx];
}

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

/* ---- layout -------------------------------------------------------------- */

static void
pane_place(struct pane *p, int y, int x, int h, int w)
{
	p->y = y;
	p->x = x;
	p->h = h;
	p->w = w;
}

/*
 * Recomputes every pane's rectangle from LINES and COLS for the view and
 * zoom, and recreates the windows. Called at start, on resize, on view or
 * zoom changes. Panes with no room are hidden (win NULL).
 */
void
ui_layout(struct ui *u)
{
	int H = LINES - 1, W = COLS;

	for (int i = 0; i < PANE_COUNT; i++) {
		struct pane *p = &u->pane[i];
		if (p->win != NULL)
			delwin(p->win);
		p->win = NULL;
		pane_place(p, 0, 0, 0, 0);
		p->dirty = 1;
	}
	if (u->status != NULL)
		delwin(u->status);
	u->status = NULL;
	u->too_small = LINES < 8 || COLS < 30;
	if (u->too_small) {
		u->status_dirty = 1;
		return;
	}
	u->status = newwin(1, W, LINES - 1, 0);
	u->status_dirty = 1;

	struct pane *pc = &u->pane[PANE_COMPUTE], *pd = &u->pane[PANE_DETAIL],
	    *pa = &u->pane[PANE_ALERTS], *pv = &u->pane[PANE_DEVICES],
	    *pb = &u->pane[PANE_BUDGETS];
	int alerts_h = H >= 40 ? H / 5 : H >= 24 ? 5 : 4;

	if (u->zoom) {
		pane_place(&u->pane[u->focus], 0, 0, H, W);
	} else if (u->view == VIEW_COMPUTE) {
		int top = H - alerts_h;
		if (W >= 120) {
			int lw = W * 3 / 5;
			pane_place(pc, 0, 0, top, lw);
			pane_place(pd, 0, lw, top, W - lw);
		} else {
			int ch = top * 3 / 5;
			pane_place(pc, 0, 0, ch, W);
			pane_place(pd, ch, 0, top - ch, W);
		}
		pane_place(pa, top, 0, alerts_h, W);
	} else if (u->view == VIEW_DEVICES) {
		pane_place(pv, 0, 0, H - alerts_h, W);
		pane_place(pa, H - alerts_h, 0, alerts_h, W);
	} else if (u->view == VIEW_BUDGETS) {
		pane_place(pb, 0, 0, H - alerts_h, W);
		pane_place(pa, H - alerts_h, 0, alerts_h, W);
	} else if (W >= 120) {
		int lw = W * 3 / 5, rw = W - lw;
		int small = H >= 40 ? H / 6 : 4;
		pane_place(pc, 0, 0, H - alerts_h, lw);
		pane_place(pa, H - alerts_h, 0, alerts_h, lw);
		pane_place(pd, 0, lw, H - 2 * small, rw);
		pane_place(pv, H - 2 * small, lw, small, rw);
		pane_place(pb, H - small, lw, small, rw);
	} else {
		/* narrow: stacked, devices and budgets side by side */
		int small = H >= 30 ? 5 : 3;
		int rest = H - small - alerts_h;
		int ch = rest * 3 / 5;
		pane_place(pc, 0, 0, ch, W);
		pane_place(pd, ch, 0, rest - ch, W);
		pane_place(pv, rest, 0, small, W / 2);
		pane_place(pb, rest, W / 2, small, W - W / 2);
		pane_place(pa, rest + small, 0, alerts_h, W);
	}
	for (int i = 0; i < PANE_COUNT; i++) {
		struct pane *p = &u->pane[i];
		if (p->h >= 3 && p->w >= 10)
			p->win = newwin(p->h, p->w, p->y, p->x);
		else
			pane_place(p, 0, 0, 0, 0);
	}
	if (u->pane[u->focus].win == NULL) {
		for (int i = 0; i < PANE_COUNT; i++) {
			if (u->pane[i].win != NULL) {
				u->focus = i;
				break;
			}
		}
	}
	if (u->help != NULL) {
		delwin(u->help);
		u->help = NULL;
	}
}

/* ---- drawing ------------------------------------------------------------- */

static void
ui_draw_status(struct ui *u)
{
	WINDOW *w = u->status;
	char left[UI_MSG_MAX], when[32], age[16];
	int x;
	int64_t now = now_wall_ms();

	if (w == NULL)
		return;
	werase(w);
	wbkgdset(w, ' ' | u->attr[THEME_STATUS]);
	ui_fill(w, 0, 0, COLS, u->attr[THEME_STATUS]);
	if (u->mode == MODE_FILTER || u->mode == MODE_COMMAND) {
		x = ui_putf(w, 0, 0, COLS, u->attr[THEME_INPUT], "%s%s",
		    u->mode == MODE_FILTER ? (u->filter_dev ? "devices /" : "/") : ":", u->input);
		wmove(w, 0, x);
		return;
	}
	if (u->mode == MODE_ACK) {
		x = ui_putf(w, 0, 0, COLS, u->attr[THEME_INPUT], "ack %s, note: ", u->ack_what);
		x += ui_put(w, 0, x, COLS - x, u->input, u->attr[THEME_INPUT]);
		wmove(w, 0, x);
		return;
	}
	if (u->last_sample_ms > 0) {
		time_format(u->last_sample_ms, 0, when, sizeof when);
		ui_age(age, sizeof age, now - u->last_sample_ms);
		/* HH:MM:SS of "YYYY-MM-DD HH:MM:SS" */
		if (u->o->offline)
			snprintf(left, sizeof left, "offline, data from %s (%s ago)",
			    strlen(when) > 11 ? when + 11 : when, age);
		else
			snprintf(left, sizeof left, "last sample %s (%s ago)",
			    strlen(when) > 11 ? when + 11 : when, age);
	} else {
		snprintf(left, sizeof left, "%s", u->o->offline ? "offline, no data cached" :
		    "waiting for the first sample");
	}
	x = ui_putf(w, 0, 0, COLS, u->attr[THEME_STATUS], " %zu host%s | %s | sort %s%s%s%s ",
	    u->nhosts, u->nhosts == 1 ? "" : "s", left, ui_sort_name(u->sort),
	    u->sort_rev ? " rev" : "",
	    u->filter[0] ? " | filter " : "", u->filter);
	const char *m = u->msg[0] ? u->msg : u->data_error[0] ? u->data_error :
	    u->theme_err[0] ? u->theme_err : NULL;
	int err = u->msg[0] ? u->msg_err : 1;
	if (m != NULL)
		x += ui_putf(w, 0, x, COLS - x, u->attr[err ? THEME_STATUS_ERROR : THEME_STATUS],
		    "%s ", m);
	const char *hint = "? help  q quit";
	int hw = text_swidth(hint);
	if (COLS - x > hw + 1)
		ui_put(w, 0, COLS - hw - 1, hw, hint, u->attr[THEME_STATUS]);
}

/* Redraws dirty panes and the status line; one doupdate() when anything changed. */
void
ui_draw_frame(struct ui *u)
{
	int any = 0;

	if (u->too_small) {
		if (u->status_dirty) {
			werase(stdscr);
			mvwaddstr(stdscr, 0, 0, "terminal too small");
			wnoutrefresh(stdscr);
			doupdate();
			u->status_dirty = 0;
		}
		return;
	}
	for (int i = 0; i < PANE_COUNT; i++) {
		struct pane *p = &u->pane[i];
		if (p->win == NULL || !p->dirty)
			continue;
		werase(p->win);
		wbkgdset(p->win, ' ' | u->attr[THEME_NORMAL]);
		p->ops->draw(u, p);
		wnoutrefresh(p->win);
		p->dirty = 0;
		any = 1;
	}
	if (u->status_dirty || any) {
		ui_draw_status(u);
		wnoutrefresh(u->status);
		u->status_dirty = 0;
		any = 1;
	}
	if (u->mode == MODE_HELP && any)
		ui_draw_help(u);
	if (any) {
		int typing = u->mode == MODE_FILTER || u->mode == MODE_COMMAND ||
		    u->mode == MODE_ACK;
		curs_set(typing ? 1 : 0);
		if (typing)
			wnoutrefresh(u->status);
		doupdate();
		u->frames++;
	}
}

/* ---- keys ---------------------------------------------------------------- */

/* Tab order: the host list, its detail, the test beds, budgets, alerts. */
static const int focus_order[PANE_COUNT] = {
	PANE_COMPUTE, PANE_DETAIL, PANE_DEVICES, PANE_BUDGETS, PANE_ALERTS,
};

/* Moves the focus dir (+1/-1) steps along focus_order, skipping hidden panes. */
static void
ui_focus(struct ui *u, int dir)
{
	int at = 0;

	for (int i = 0; i < PANE_COUNT; i++)
		if (focus_order[i] == u->focus)
			at = i;
	for (int k = 1; k <= PANE_COUNT; k++) {
		int i = focus_order[(at + dir * k + PANE_COUNT * 2) % PANE_COUNT];
		if (u->pane[i].win != NULL) {
			u->pane[u->focus].dirty = 1;
			u->focus = i;
			u->pane[i].dirty = 1;
			return;
		}
	}
}

/* See ui_priv.h. */
void
ui_set_view(struct ui *u, int v)
{
	u->view = v;
	u->zoom = 0;
	u->focus = ui_view_focus(v);
	ui_layout(u);
	ui_dirty_all(u);
}

/* Line editing for `/` and `:`; returns 1 when the key was used. */
static int
ui_input_key(struct ui *u, int key)
{
	if (key == 27) {
		if (u->mode == MODE_FILTER)
			ui_set_filter(u, "");
		else if (u->mode == MODE_ACK)
			ui_message(u, 0, "acknowledgement cancelled");
		u->mode = MODE_NORMAL;
		u->filter_dev = 0;
		u->status_dirty = 1;
		return 1;
	}
	if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		enum ui_mode m = u->mode;
		u->mode = MODE_NORMAL;
		u->filter_dev = 0;
		if (m == MODE_COMMAND)
			ui_command(u, u->input);
		else if (m == MODE_ACK)
			ui_ack_submit(u, u->input);
		u->status_dirty = 1;
		return 1;
	}
	if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		if (u->input_len == 0) {
			if (u->mode == MODE_FILTER)
				ui_set_filter(u, "");
			u->mode = MODE_NORMAL;
			u->filter_dev = 0;
		} else {
			/* drop one whole UTF-8 character */
			do {
				u->input_len--;
			} while (u->input_len > 0 &&
			    ((unsigned char)u->input[u->input_len] & 0xc0) == 0x80);
			u->input[u->input_len] = '\0';
			if (u->mode == MODE_FILTER)
				ui_set_filter(u, u->input);
		}
		u->status_dirty = 1;
		return 1;
	}
	if (key == '\t' && u->mode == MODE_COMMAND) {
		u->input_len = ui_complete(u, u->input, sizeof u->input);
		u->status_dirty = 1;
		return 1;
	}
	if (key == 21) {	/* ^U */
		u->input_len = 0;
		u->input[0] = '\0';
		if (u->mode == MODE_FILTER)
			ui_set_filter(u, "");
		u->status_dirty = 1;
		return 1;
	}
	if ((key >= 0x20 && key < 0x7f) || key >= UI_KEY_WIDE) {
		char enc[8];
		wchar_t wc = (wchar_t)(key >= UI_KEY_WIDE ? key - UI_KEY_WIDE : key);
		mbstate_t st;
		memset(&st, 0, sizeof st);
		size_t n = wcrtomb(enc, wc, &st);
		if (n == (size_t)-1 || u->input_len + n + 1 > sizeof u->input)
			return 1;
		memcpy(u->input + u->input_len, enc, n);
		u->input_len += n;
		u->input[u->input_len] = '\0';
		if (u->mode == MODE_FILTER)
			ui_set_filter(u, u->input);
		u->status_dirty = 1;
		return 1;
	}
	return 1;
}

/* A mouse event: focus the pane under it; wheel scrolls, a click selects. */
static void
ui_click(struct ui *u, MEVENT *ev)
{
	for (int i = 0; i < PANE_COUNT; i++) {
		struct pane *p = &u->pane[i];
		if (p->win == NULL || ev->y < p->y || ev->y >= p->y + p->h ||
		    ev->x < p->x || ev->x >= p->x + p->w)
			continue;
		if (u->focus != i) {
			u->pane[u->focus].dirty = 1;
			u->focus = i;
			p->dirty = 1;
		}
		if (ev->bstate & BUTTON4_PRESSED) {
			p->ops->key(u, p, KEY_UP);
			p->ops->key(u, p, KEY_UP);
			p->ops->key(u, p, KEY_UP);
		}
#ifdef BUTTON5_PRESSED
		else if (ev->bstate & BUTTON5_PRESSED) {
			p->ops->key(u, p, KEY_DOWN);
			p->ops->key(u, p, KEY_DOWN);
			p->ops->key(u, p, KEY_DOWN);
		}
#endif
		else if (p->ops->click != NULL && ev->y > p->y && ev->y < p->y + p->h - 1)
			p->ops->click(u, p, ev->y - p->y - 1);
		return;
	}
}

/*
 * One key (a wide character or a KEY_* code) in the current mode. Global
 * keys first, then the focused pane's.
 */
int
ui_handle_key(struct ui *u, int key)
{
	if (u->mode == MODE_FILTER || u->mode == MODE_COMMAND || u->mode == MODE_ACK)
		return ui_input_key(u, key);
	if (u->mode == MODE_HELP) {
		if (key == 'j' || key == KEY_DOWN)
			u->help_top++;
		else if ((key == 'k' || key == KEY_UP) && u->help_top > 0)
			u->help_top--;
		else if (key == KEY_NPAGE)
			u->help_top += 10;
		else if (key == KEY_PPAGE)
			u->help_top = u->help_top > 10 ? u->help_top - 10 : 0;
		else if (key == 'q' || key == 27 || key == '?' || key == '\n' || key == 'h')
			u->mode = MODE_NORMAL;
		ui_dirty_all(u);
		return 1;
	}
	if (u->msg[0] != '\0') {
		u->msg[0] = '\0';
		u->status_dirty = 1;
	}
	switch (key) {
	case 'q':
		u->quit = 1;
		return 1;
	case '?':
		u->mode = MODE_HELP;
		u->help_top = 0;
		ui_dirty_all(u);
		return 1;
	case '/':
		u->mode = MODE_FILTER;
		/* with Devices focused, `/` filters device names and ids */
		u->filter_dev = u->focus == PANE_DEVICES;
		od_strlcpy(u->input, u->filter_dev ? u->dev_filter : u->filter, sizeof u->input);
		u->input_len = strlen(u->input);
		u->status_dirty = 1;
		return 1;
	case ':':
		u->mode = MODE_COMMAND;
		u->input[0] = '\0';
		u->input_len = 0;
		u->status_dirty = 1;
		return 1;
	case '\t':
		ui_focus(u, 1);
		return 1;
	case KEY_BTAB: case 'h': case KEY_LEFT:
		ui_focus(u, -1);
		return 1;
	case 'l': case KEY_RIGHT:
		ui_focus(u, 1);
		return 1;
	case '1': case '2': case '3': case '4':
		ui_set_view(u, key - '1');	/* the views are in key order */
		return 1;
	case 'z':
		u->zoom = !u->zoom;
		ui_layout(u);
		ui_dirty_all(u);
		return 1;
	case 's':
		u->sort = (u->sort + 1) % SORT_COUNT;
		ui_rebuild_rows(u);
		ui_dirty_all(u);
		ui_message(u, 0, "sort by %s", ui_sort_name(u->sort));
		return 1;
	case 'r':
		u->sort_rev = !u->sort_rev;
		ui_rebuild_rows(u);
		ui_dirty_all(u);
		return 1;
	case 12:	/* ^L */
		clearok(curscr, TRUE);
		ui_dirty_all(u);
		return 1;
	case KEY_RESIZE:
		ui_layout(u);
		ui_dirty_all(u);
		return 1;
	case KEY_MOUSE: {
		MEVENT ev;
		if (getmouse(&ev) == OK) {
			ui_click(u, &ev);
		}
		return 1;
	}
	case '\n': case '\r': case KEY_ENTER:
		if (u->focus == PANE_COMPUTE && ui_selected(u) != NULL) {
			ui_show_detail(u, 0);
			return 1;
		}
		break;
	case 27:	/* Esc: back */
		if (u->focus == PANE_BUDGETS && ui_budgets_back(u))
			return 1;	/* from a budget line's ledger */
		if (u->zoom) {
			u->zoom = 0;
			ui_layout(u);
			ui_dirty_all(u);
			return 1;
		}
		if (u->focus != PANE_COMPUTE && u->pane[PANE_COMPUTE].win != NULL) {
			u->pane[u->focus].dirty = 1;
			u->focus = PANE_COMPUTE;
			u->pane[PANE_COMPUTE].dirty = 1;
			return 1;
		}
		if (u->focus == PANE_DEVICES && u->dev_filter[0] != '\0') {
			ui_set_dev_filter(u, "");
			return 1;
		}
		if (u->filter[0] != '\0') {
			ui_set_filter(u, "");
			return 1;
		}
		return 1;
	default:
		break;
	}
	struct pane *p = &u->pane[u->focus];
	if (p->win != NULL && p->ops->key != NULL)
		return p->ops->key(u, p, key);
	return 0;
}

/* ---- setup and the loop -------------------------------------------------- */

static void
ui_sig(int sig)
{
	char c = sig == SIGWINCH ? 'W' : 'T';
	int saved = errno;

	if (sig_pipe[1] >= 0)
		(void)!write(sig_pipe[1], &c, 1);
	errno = saved;
}

/* Leaves curses mode once (ui_run's exit, fatal() on the UI thread). UI thread only. */
static void
ui_end_curses(void)
{
	if (curses_on) {
		curses_on = 0;
		endwin();
	}
}

/*
 * fatal_hook while the console runs. On the UI thread: ends curses mode and
 * returns (fatal() prints and aborts). On any other thread it never touches
 * curses: the first such message is handed to the UI thread through
 * fatal_pipe (ui_fatal_answer ends curses, prints it and aborts) and this
 * thread waits; when the UI thread has not ended the process within
 * UI_FATAL_WAIT_MS it returns, and fatal() prints and aborts with the
 * terminal as it is. Allocates nothing.
 */
static void
ui_fatal_hook(const char *msg)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	if (pthread_equal(pthread_self(), ui_thread)) {
		ui_end_curses();
		return;
	}
	if (atomic_exchange(&fatal_taken, 1) == 0) {
		od_strlcpy(fatal_msg, msg, sizeof fatal_msg);
		atomic_thread_fence(memory_order_seq_cst);
		(void)!write(fatal_pipe[1], "F", 1);
	}
	for (int waited = 0; waited < UI_FATAL_WAIT_MS; waited += 10)
		nanosleep(&ts, NULL);
}

/* The UI thread's side of ui_fatal_hook: fatal_pipe was readable. Does not return. */
static void
ui_fatal_answer(void)
{
	atomic_thread_fence(memory_order_seq_cst);
	fatal("%s", fatal_msg);		/* on this thread: ends curses, prints, aborts */
}

/* Test hook (OPSDECK_TEST_FATAL_THREAD=MSG): 1 s on, a thread that is not the UI thread calls fatal. */
static void *
ui_test_fatal_thread(void *arg)
{
	struct timespec ts = { 1, 0 };

	nanosleep(&ts, NULL);
	fatal("%s", (const char *)arg);
}

/*
 * With OPSDECK_TEST_FATAL_THREAD set (tests/console_fatal.sh), starts a
 * thread that calls fatal() with its value a second after the first frame,
 * as a collector thread that ran out of memory would.
 */
static void
ui_test_fatal(void)
{
	const char *msg = getenv("OPSDECK_TEST_FATAL_THREAD");
	pthread_t t;

	if (msg != NULL && msg[0] != '\0' && pthread_create(&t, NULL, ui_test_fatal_thread,
	    (void *)(uintptr_t)msg) == 0)
		pthread_detach(t);
}

/* Sets u to its start: panes, view from o->view, default theme. No curses calls. */
void
ui_init_state(struct ui *u, const struct ui_opts *o)
{
	memset(u, 0, sizeof *u);
	u->o = o;
	u->store = o->store;
	for (int i = 0; i < PANE_COUNT; i++)
		u->pane[i].ops = pane_table[i];
	u->view = VIEW_ALL;
	if (o->view != NULL) {
		int v = ui_view_parse(o->view);
		if (v >= 0)
			u->view = v;
		else
			ui_message(u, 1, "unknown view '%s' (%s)", o->view, ui_view_choices());
	}
	u->focus = ui_view_focus(u->view);
	theme_default(&u->theme);
}

/* Frees windows, hosts, rings, rows and alerts of u. */
void
ui_free_state(struct ui *u)
{
	for (int i = 0; i < PANE_COUNT; i++)
		if (u->pane[i].win != NULL)
			delwin(u->pane[i].win);
	if (u->status != NULL)
		delwin(u->status);
	if (u->help != NULL)
		delwin(u->help);
	if (u->hosts != NULL)
		store_free_hosts(u->hosts, u->nhosts);
	if (u->filter_re)
		regfree(&u->re);
	free(u->ring_of);
	free(u->rings);
	free(u->groups);
	free(u->rows);
	alert_set_free(&u->alerts);
	devices_view_free(&u->dv);
	free(u->drows);
	ui_budgets_free(u);
	memset(u, 0, sizeof *u);
}

/* Applies the terminal's new size (TIOCGWINSZ), as tmux does. */
static void
ui_resize(struct ui *u)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	ui_layout(u);
	ui_dirty_all(u);
}

/*
 * Contract: runs the console on the terminal until `q`, `:q`, SIGTERM or
 * SIGINT. Reads o->store (not owned); wakes on o->wake_fd (not owned, never
 * closed). Returns 0, or 1 when the terminal could not be set up. The
 * terminal is restored on every way out, fatal() included, on this thread
 * or another (ui_fatal_hook).
 */
int
ui_run(const struct ui_opts *o)
{
	struct ui u;
	struct sigaction sa, old_int, old_term, old_winch;
	void (*old_hook)(const char *) = fatal_hook;
	int64_t next_tick, next_poll_store = 0;
	int wake_fd = o->wake_fd;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "opsdeck: the console needs a terminal "
		    "(use `opsdeck snapshot` for scripts)\n");
		return 1;
	}
	if (pipe(sig_pipe) != 0 || (fatal_pipe[0] < 0 && pipe(fatal_pipe) != 0)) {
		fprintf(stderr, "opsdeck: pipe: %s\n", strerror(errno));
		return 1;
	}
	fcntl(fatal_pipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(fatal_pipe[1], F_SETFD, FD_CLOEXEC);
	for (int i = 0; i < 2; i++) {
		fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	ui_init_state(&u, o);

	if (initscr() == NULL) {
		fprintf(stderr, "opsdeck: cannot initialise the terminal\n");
		return 1;
	}
	curses_on = 1;
	ui_thread = pthread_self();
	fatal_hook = ui_fatal_hook;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
	    | BUTTON5_PRESSED
#endif
	    , NULL);
	mouseinterval(0);
	wnoutrefresh(stdscr);	/* stdscr is never drawn: keep getch from repainting it */

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = ui_sig;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGWINCH, &sa, &old_winch);

	{
		const char *tn = o->theme;
		if (tn == NULL && o->cfg != NULL)
			tn = o->cfg->theme;
		ui_theme_select(&u, tn != NULL ? tn : "default");
	}
	ui_layout(&u);
	ui_refresh(&u);
	ui_dirty_all(&u);
	next_tick = now_mono_ms() + 1000;
	ui_draw_frame(&u);
	ui_test_fatal();

	while (!u.quit) {
		struct pollfd pfd[4];
		int nfd = 0, wake_i = -1;
		int64_t now, timeout;

		ui_draw_frame(&u);
		pfd[nfd].fd = STDIN_FILENO;
		pfd[nfd++].events = POLLIN;
		pfd[nfd].fd = sig_pipe[0];
		pfd[nfd++].events = POLLIN;
		pfd[nfd].fd = fatal_pipe[0];
		pfd[nfd++].events = POLLIN;
		if (wake_fd >= 0) {
			wake_i = nfd;
			pfd[nfd].fd = wake_fd;
			pfd[nfd++].events = POLLIN;
		}
		now = now_mono_ms();
		timeout = next_tick - now;
		if (timeout < 0)
			timeout = 0;
		if (poll(pfd, (nfds_t)nfd, (int)timeout) < 0 && errno != EINTR)
			fatal("poll: %s", strerror(errno));
		if (pfd[2].revents & POLLIN)
			ui_fatal_answer();	/* fatal() on another thread */

		if (pfd[1].revents & POLLIN) {
			char c[16];
			ssize_t n = read(sig_pipe[0], c, sizeof c);
			for (ssize_t i = 0; i < n; i++) {
				if (c[i] == 'T')
					u.quit = 1;
				else if (c[i] == 'W')
					ui_resize(&u);
			}
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			wint_t wch;
			int rc, nkeys = 0;
			while ((rc = get_wch(&wch)) != ERR && nkeys++ < 256) {
				int key = (int)wch;
				if (rc != KEY_CODE_YES && wch >= 0x80)
					key = UI_KEY_WIDE + (int)wch;	/* not a KEY_* */
				ui_handle_key(&u, key);
				if (u.quit)
					break;
			}
			if (pfd[0].revents & (POLLHUP | POLLERR) && nkeys == 0)
				u.quit = 1;	/* the terminal went away */
			/* keys first: their frame goes out before a store read */
			if (nkeys > 0 && !u.quit)
				ui_draw_frame(&u);
		}
		if (wake_i >= 0 && (pfd[wake_i].revents & (POLLIN | POLLHUP))) {
			char c[64];
			ssize_t n = read(wake_fd, c, sizeof c);
			if (n > 0)
				ui_refresh(&u);
			else if (n == 0)
				wake_fd = -1;	/* the collector is gone: poll the store */
		}
		now = now_mono_ms();
		if (now >= next_tick) {
			next_tick = now + 1000 - (now % 1000);
			u.status_dirty = 1;
			u.pane[PANE_DETAIL].dirty = 1;
			ui_acks_retry(&u);
			/* without a collector of our own, another process may write */
			if (wake_fd < 0 && now >= next_poll_store) {
				ui_refresh(&u);
				next_poll_store = now + 2000;
			}
		}
	}

	ui_free_state(&u);
	ui_end_curses();
	fatal_hook = old_hook;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGWINCH, &old_winch, NULL);
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	sig_pipe[0] = sig_pipe[1] = -1;
	return 0;
}
