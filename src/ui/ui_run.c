/*
 * ui_run.c: a :run, :drain or :resume under way and its results, over the
 * panes (MODE_RUN): one line per host (its state, exit status or why,
 * time taken) and its output under it, sanitised line by line, scrolled by
 * the panel's keys. The work runs on the run's own threads
 * (action_run.h); the loop polls its pipe and redraws. Esc or ^C cancels a
 * run that is not over (its channels close, the commands die on the
 * hosts); once over, Esc closes it. Each run is recorded when it starts
 * and again with every host's result when it ends (ui_action_log.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/sanitize.h"
#include "actions_int.h"

/* See ui_priv.h. The prompt's record and targets become the run's. */
void
ui_run_start(struct ui *u, const struct action_run_spec *v, size_t n, const char *cmd)
{
	struct ui_actions *a = ui_actions_get(u);

	action_run_free(a->run);	/* an earlier one is over: closed */
	action_record_free(&a->run_rec);
	a->run_rec = a->rec;		/* moves */
	memset(&a->rec, 0, sizeof a->rec);
	a->recorded = 0;
	ui_action_record(u, &a->run_rec);
	const struct config *cfg = u->o->cfg;
	a->run = action_run_start(v, n, cmd, cfg != NULL ? cfg->action_timeout_ms : 0,
	    ACTION_RUN_FANOUT);
	a->pane.top = 0;
	u->mode = MODE_RUN;
	ui_dirty_all(u);
}

/* A host's result for the record: "exit 3", "cancelled", the failure. */
static void
result_text(const struct action_run_host *h, char *buf, size_t len)
{
	if (h->state == ARUN_DONE)
		snprintf(buf, len, "exit %d", h->status);
	else if (h->state == ARUN_FAILED || h->state == ARUN_TIMEOUT)
		snprintf(buf, len, "%s: %s", action_run_state_name(h->state),
		    h->why != NULL ? h->why : "?");
	else
		snprintf(buf, len, "%s", action_run_state_name(h->state));
}

/*
 * The run is over: every host's result into the record, written again, and
 * a summary on the status line. A drain or resume ran once on the head node
 * (hosts of the run: 1); its result is each node's.
 */
static void
run_record_end(struct ui *u)
{
	struct ui_actions *a = u->act;
	struct action_record *r = &a->run_rec;
	size_t n = action_run_count(a->run), ok = 0, bad = 0;
	char res[ACTION_RESULT_MAX];

	action_run_lock(a->run);
	for (size_t i = 0; i < n; i++) {
		const struct action_run_host *h = action_run_host(a->run, i);
		result_text(h, res, sizeof res);
		if (h->state == ARUN_DONE && h->status == 0)
			ok++;
		else
			bad++;
		for (size_t k = 0; k < r->nhosts; k++) {
			if (n == 1 || strcmp(r->hosts[k].host, h->name) == 0) {
				r->hosts[k].status = h->state == ARUN_DONE ? h->status : -1;
				od_strlcpy(r->hosts[k].result, res, sizeof r->hosts[k].result);
			}
		}
	}
	action_run_unlock(a->run);
	r->end_ms = now_wall_ms();
	a->recorded = 1;
	ui_action_record(u, r);
	if (n == 1)
		ui_message(u, bad > 0, "%s on %s: %s", action_kind_name(r->kind),
		    r->via[0] ? r->via : r->hosts[0].host, res);
	else
		ui_message(u, bad > 0, "%s on %zu hosts: %zu exit 0, %zu not", action_kind_name(r->kind),
		    n, ok, bad);
}

/* See ui_priv.h. */
int
ui_run_fd(const struct ui *u)
{
	return u->act != NULL && u->act->run != NULL ? action_run_fd(u->act->run) : -1;
}

/* See ui_priv.h. */
void
ui_run_poll(struct ui *u)
{
	struct ui_actions *a = u->act;

	if (a == NULL || a->run == NULL)
		return;
	action_run_ack(a->run);
	if (!a->recorded && action_run_over(a->run))
		run_record_end(u);
	if (u->mode == MODE_RUN)
		ui_dirty_all(u);
}

/* See ui_priv.h. */
int
ui_run_interrupt(struct ui *u)
{
	struct ui_actions *a = u->act;

	if (a == NULL || a->run == NULL || a->recorded)
		return 0;
	action_run_cancel(a->run);
	ui_message(u, 1, "cancelling: closing the channels");
	return 1;
}

/* See ui_priv.h. */
int
ui_run_key(struct ui *u, int key)
{
	struct ui_actions *a = u->act;

	if (a == NULL || a->run == NULL) {
		u->mode = MODE_NORMAL;
		return 1;
	}
	if (key == 27 || key == 3 || (a->recorded && (key == 'q' || key == '\n'))) {
		if (!a->recorded) {
			ui_run_interrupt(u);
		} else {
			u->mode = MODE_NORMAL;
			if (a->pane.win != NULL) {
				delwin(a->pane.win);
				a->pane.win = NULL;
			}
		}
		ui_dirty_all(u);
		return 1;
	}
	panel_key(u, &a->pane, key);
	ui_dirty_all(u);
	return 1;
}

/* See ui_priv.h: at the console's end, a run not over is cancelled and recorded. */
void
ui_run_quit(struct ui *u)
{
	struct ui_actions *a = u->act;

	if (a == NULL || a->run == NULL || a->recorded)
		return;
	action_run_cancel(a->run);
	for (int i = 0; i < 100 && !action_run_over(a->run); i++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (action_run_over(a->run))
		run_record_end(u);
	ui_actions_retry(u);
}

/* One line of the overlay: drawn when in view, counted always. */
struct rctx {
	struct ui	*u;
	WINDOW		*w;
	int		 line, top, rows, cells;
};

static void
rline(struct rctx *c, const char *s, attr_t at, int remote)
{
	int y = c->line - c->top;

	if (y >= 0 && y < c->rows) {
		if (remote)
			ui_put_remote(c->w, 1 + y, 2, c->cells, s, at);
		else
			ui_put(c->w, 1 + y, 2, c->cells, s, at);
	}
	c->line++;
}

/* The host's header line and its output, a line each (CR before LF dropped). */
static void
draw_host(struct rctx *c, const struct action_run_host *h, int64_t now)
{
	struct ui *u = c->u;
	char head[UI_MSG_MAX], d[32];
	enum theme_role role = THEME_NORMAL;
	int64_t took = (h->end_ms ? h->end_ms : now) - h->start_ms;

	duration_format(h->start_ms ? took : 0, d, sizeof d);
	if (h->state == ARUN_DONE) {
		role = h->status == 0 ? THEME_OK : THEME_WARN;
		snprintf(head, sizeof head, "%s  exit %d  (%s)", h->name, h->status, d);
	} else if (h->state >= ARUN_DONE) {
		role = h->state == ARUN_CANCELLED ? THEME_WARN : THEME_CRIT;
		snprintf(head, sizeof head, "%s  %s%s%s", h->name, action_run_state_name(h->state),
		    h->why != NULL ? ": " : "", h->why != NULL ? h->why : "");
	} else {
		role = THEME_DIM;
		snprintf(head, sizeof head, "%s  %s %s", h->name, action_run_state_name(h->state),
		    h->start_ms ? d : "");
	}
	rline(c, head, u->attr[role] | A_BOLD, 1);
	for (size_t i = 0; i < h->len;) {
		const char *p = h->out + i, *nl = memchr(p, '\n', h->len - i);
		size_t l = nl != NULL ? (size_t)(nl - p) : h->len - i;
		size_t show = l > 0 && p[l - 1] == '\r' ? l - 1 : l;
		char line[1024];
		sanitize_text(line, sizeof line, p, show);
		if (c->line - c->top >= 0 && c->line - c->top < c->rows) {
			int y = 1 + c->line - c->top;
			ui_put(c->w, y, 2, 2, "  ", u->attr[THEME_NORMAL]);
			ui_put_remote(c->w, y, 4, c->cells - 2, line, u->attr[THEME_NORMAL]);
		}
		c->line++;
		i += l + (nl != NULL);
	}
	if (h->cut) {
		char cut[64];
		snprintf(cut, sizeof cut, "  [output cut at %d KiB]", ACTION_RUN_OUTPUT_MAX / 1024);
		rline(c, cut, u->attr[THEME_WARN], 0);
	}
}

/* See ui_priv.h: the overlay, nearly the whole screen above the status line. */
void
ui_draw_run(struct ui *u)
{
	struct ui_actions *a = u->act;
	int h = LINES - 3, w = COLS - 4;

	if (a == NULL || a->run == NULL || h < 3 || w < 20)
		return;
	if (a->pane.win != NULL && (getmaxy(a->pane.win) != h || getmaxx(a->pane.win) != w)) {
		delwin(a->pane.win);
		a->pane.win = NULL;
	}
	if (a->pane.win == NULL)
		a->pane.win = newwin(h, w, 1, 2);
	if (a->pane.win == NULL)
		return;
	a->pane.h = h;
	a->pane.w = w;
	WINDOW *win = a->pane.win;
	werase(win);
	wbkgdset(win, ' ' | u->attr[THEME_NORMAL]);
	for (int y = 0; y < h; y++)
		ui_fill(win, y, 0, w, u->attr[THEME_NORMAL]);
	wattr_set(win, u->attr[THEME_BORDER_FOCUS] & ~A_COLOR,
	    (short)PAIR_NUMBER(u->attr[THEME_BORDER_FOCUS]), NULL);
	box(win, 0, 0);
	wattr_set(win, A_NORMAL, 0, NULL);

	struct rctx c = { u, win, 0, a->pane.top, h - 2, w - 4 };
	size_t n = action_run_count(a->run), over = 0;
	int64_t now = now_mono_ms();
	action_run_lock(a->run);
	for (size_t i = 0; i < n; i++) {
		const struct action_run_host *hh = action_run_host(a->run, i);
		over += hh->state >= ARUN_DONE;
		draw_host(&c, hh, now);
	}
	action_run_unlock(a->run);
	char title[UI_MSG_MAX];
	const struct action_record *r = &a->run_rec;
	snprintf(title, sizeof title, " %s%s%.60s%s on %zu host%s%s%s: %zu of %zu over  %s ",
	    action_kind_name(r->kind), r->kind == ACTION_RUN ? " '" : "",
	    r->kind == ACTION_RUN ? r->what : "", r->kind == ACTION_RUN ? "'" : "",
	    r->nhosts, r->nhosts == 1 ? "" : "s", r->via[0] ? " via " : "", r->via, over, n,
	    a->recorded ? "Esc close" : "Esc cancel");
	ui_put_remote(win, 0, 2, w - 4, title, u->attr[THEME_TITLE_FOCUS] | A_BOLD);
	if (panel_fit(&a->pane, c.line, h - 2, 0))
		ui_draw_run(u);	/* the content shrank under the offset: once more */
	else
		panel_footer(u, &a->pane, NULL);
	touchwin(win);
	wnoutrefresh(win);
}
