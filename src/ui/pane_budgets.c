/*
 * pane_budgets.c: the Budgets pane: the budget plan (the config's `budget:`
 * file) against the spending and compute use in the cache.
 *
 * Two sections that scroll together: per programme and item the allocation,
 * spending, remainder, execution rate and a gauge (and, with room, the last
 * 30 days' spending and when the money runs out); per tenant the compute
 * allocation of its period against use, burn over 7 and 30 days, when the
 * allocation runs out, the GPUs its running jobs hold and, just before them,
 * how many of those are allocated but idle (IDLE: "N idle" in the warn role
 * when there are any; the collector's figures of the last 15 minutes). Over-burn
 * is shown in the warn or crit role and with a glyph and a word ("▲ burn":
 * runs out before the end, "✖ over": already over), never by colour alone.
 * Amounts are in 억원; columns are fitted by display width, so Korean names align.
 * Enter on a programme or item drills down to its ledger lines
 * (budget_store_ledger_lines), Esc goes back.
 *
 * This file draws and handles keys; the data, cells and columns are
 * budget_view.c's (its refresh, back and free are this pane's reread, back
 * and free ops). A bad
 * plan shows its FILE:LINE:COL errors in the pane; without `budget:` the
 * pane says so.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/budget.h"
#include "opsdeck/config.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/textwidth.h"
#include "opsdeck/unicode.h"
#include "budget_view.h"

/* ---- drawing ------------------------------------------------------------- */

/* A bar of `cells` cells for pct, `|` filled and `.` (no colour) or blank. */
static void
bud_bar(struct ui *u, WINDOW *w, int y, int x, int cells, double pct, enum theme_role r)
{
	int fill;

	if (cells <= 0)
		return;
	if (pct < 0 || !isfinite(pct)) {
		ui_put(w, y, x, cells, "-", u->attr[THEME_STALE]);
		return;
	}
	fill = (int)lround((pct > 100 ? 100 : pct) * cells / 100.0);
	for (int i = 0; i < cells; i++) {
		if (i < fill)
			ui_put(w, y, x + i, 1, "|", u->attr[r] | (u->colors ? 0 : A_BOLD));
		else
			ui_put(w, y, x + i, 1, u->colors ? " " : ".", u->attr[THEME_GAUGE_EMPTY]);
	}
}

/* Draws cell text s of column c of cs on row y. */
static void
cell_put(WINDOW *w, const struct bcols *cs, int y, int c, const char *s, attr_t a)
{
	if (cs->right[c])
		ui_fit_right(w, y, cs->x[c], cs->w[c], s, a);
	else
		ui_put(w, y, cs->x[c], cs->w[c], s, a);
}

static void
head_put(struct ui *u, WINDOW *w, const struct bcols *cs, int y, const char *name)
{
	attr_t a = u->attr[THEME_HEADER];

	ui_put(w, y, cs->namex, cs->namew, name, a);
	for (int c = 0; c < cs->n; c++)
		if (cs->on[c] && cs->head[c][0] != '\0')
			cell_put(w, cs, y, c, cs->head[c], a);
}

static void
draw_line(struct ui *u, struct pane *p, struct ui_budgets *b, int y, const struct budget_line *l,
    int sel)
{
	const struct bcols *cs = &b->lc;
	char cell[BUD_CELL];
	enum theme_role role;
	attr_t norm = u->attr[sel ? THEME_SELECTION : l->item_id == NULL ? THEME_GROUP :
	    THEME_NORMAL];
	int ind = l->item_id != NULL ? 2 : 0;

	bview_over_mark(l->remaining < 0, l->over_burn, &role);
	if (sel)
		ui_fill(p->win, y, 1, p->w - 2, norm);
	ui_put(p->win, y, cs->namex + ind, cs->namew - ind, l->name, norm);
	for (int c = 0; c < LC_N; c++) {
		if (!cs->on[c])
			continue;
		if (c == LC_GAUGE) {
			bud_bar(u, p->win, y, cs->x[c], cs->cw[c], l->rate_pct,
			    sel ? THEME_SELECTION : role != THEME_NORMAL ? role :
			    THEME_GAUGE_FILL);
			continue;
		}
		bview_line_cell(cs, l, c, cell, sizeof cell);
		attr_t a = norm;
		if (!sel && role != THEME_NORMAL &&
		    (c == LC_FLAG || c == LC_RATE || c == LC_OUT || c == LC_REMAIN))
			a = u->attr[role] | A_BOLD;
		cell_put(p->win, cs, y, c, cell, a);
	}
}

static void
draw_tenant(struct ui *u, struct pane *p, struct ui_budgets *b, int y,
    const struct budget_tenant_line *t, int sel)
{
	const struct bcols *cs = &b->tc;
	char cell[BUD_CELL];
	enum theme_role role;
	double alloc = t->by_node ? t->node_alloc : t->gpu_alloc;
	double used = t->by_node ? t->node_used : t->gpu_used;
	attr_t norm = u->attr[sel ? THEME_SELECTION : THEME_NORMAL];

	bview_over_mark(alloc > 0 && used > alloc, t->over_burn, &role);
	if (sel)
		ui_fill(p->win, y, 1, p->w - 2, norm);
	ui_put(p->win, y, cs->namex, cs->namew, t->tenant->name, norm);
	for (int c = 0; c < TC_N; c++) {
		if (!cs->on[c])
			continue;
		if (c == TC_GAUGE) {
			bud_bar(u, p->win, y, cs->x[c], cs->cw[c], alloc > 0 ?
			    used * 100.0 / alloc : -1, sel ? THEME_SELECTION :
			    role != THEME_NORMAL ? role : THEME_GAUGE_FILL);
			continue;
		}
		bview_tenant_cell(t, c, cell, sizeof cell);
		/* without the unit column, node-hours are marked on the figures */
		if (t->by_node && !cs->on[TC_UNIT] && (c == TC_ALLOC || c == TC_USED))
			strncat(cell, "n", sizeof cell - strlen(cell) - 1);
		attr_t a = norm;
		if (!sel && role != THEME_NORMAL &&
		    (c == TC_FLAG || c == TC_RATE || c == TC_OUT))
			a = u->attr[role] | A_BOLD;
		else if (!sel && c == TC_IDLE && t->gpus_idle > 0)
			a = u->attr[THEME_WARN] | A_BOLD;
		else if (!sel && (c == TC_UNIT || c == TC_KIND || c == TC_PERIOD))
			a = u->attr[THEME_DIM];
		cell_put(p->win, cs, y, c, cell, a);
	}
}

/* The summary above the list: plan, period, as of, totals. Returns rows used. */
static int
draw_summary(struct ui *u, struct pane *p, struct ui_budgets *b, int rows)
{
	const struct budget_report *r = &b->rep;
	const struct budget_plan *pl = b->plan;
	char s1[16], s2[16], s3[16], tot[48], sp[48], left[48], pct[40];
	WINDOW *w = p->win;
	int x, iw = p->w - 4;

	budget_date_format(pl->start_day, s1, sizeof s1);
	budget_date_format(pl->end_day, s2, sizeof s2);
	budget_date_format(r->as_of, s3, sizeof s3);
	bview_eok_cell(tot, sizeof tot, r->total, bview_eok_decimals(r->total) ? 1 : 0);
	bview_eok_cell(sp, sizeof sp, r->spent, bview_eok_decimals(r->spent) ? 1 : 0);
	bview_eok_cell(left, sizeof left, r->total - r->spent,
	    bview_eok_decimals(r->total - r->spent) ? 1 : 0);
	bview_pct_cell(pct, sizeof pct,
	    r->total > 0 ? (double)r->spent * 100.0 / (double)r->total : -1);
	if (rows < 2) {
		size_t over = 0;
		for (size_t i = 0; i < r->nlines; i++)
			over += r->lines[i].over_burn || r->lines[i].remaining < 0;
		for (size_t i = 0; i < r->ntenants; i++)
			over += r->tenants[i].over_burn;
		ui_putf(w, 1, 2, iw, u->attr[THEME_NORMAL], "%s of %s spent (%s)", sp, tot, pct);
		if (over > 0) {
			char m[48];
			snprintf(m, sizeof m, "\xe2\x96\xb2 %zu over", over);
			int mw = text_swidth(m);
			if (iw > mw + 24)
				ui_put(w, 1, 2 + iw - mw, mw, m, u->attr[THEME_WARN] | A_BOLD);
		}
		return 1;
	}
	x = ui_put(w, 1, 2, iw, pl->name != NULL ? pl->name : pl->path,
	    u->attr[THEME_HEADER] | A_BOLD);
	if (iw - x >= 2 + 6 + 10 + 2 + 23)
		x += ui_putf(w, 1, 2 + x, iw - x, u->attr[THEME_DIM],
		    "  as of %s  (plan %s \xe2\x80\x93 %s)", s3, s1, s2);
	else
		x += ui_putf(w, 1, 2 + x, iw - x, u->attr[THEME_DIM], "  as of %s", s3);
	if (pl->end_day != BUDGET_NO_DAY && r->as_of > pl->end_day && iw - x > 4)
		ui_put(w, 1, 2 + x, iw - x, "  \xe2\x96\xb2 plan ended", u->attr[THEME_WARN] | A_BOLD);
	x = ui_putf(w, 2, 2, iw, u->attr[THEME_NORMAL], "Total %s  spent %s  left %s  ", tot,
	    sp, left);
	int over = r->spent > r->total;
	if (over)
		strncat(pct, " \xe2\x9c\x96 over", sizeof pct - strlen(pct) - 1);
	int gw = iw - x - text_swidth(pct) - 1;
	if (gw >= 6) {
		if (gw > 24)
			gw = 24;
		bud_bar(u, w, 2, 2 + x, gw, r->total > 0 ?
		    (double)r->spent * 100.0 / (double)r->total : -1,
		    over ? THEME_CRIT : THEME_GAUGE_FILL);
		x += gw + 1;
	}
	x += ui_put(w, 2, 2 + x, iw - x, pct, u->attr[over ? THEME_CRIT : THEME_NORMAL] | A_BOLD);
	if (pl->private_investment != 0 && iw - x > 30) {
		char pv[48];
		bview_eok_cell(pv, sizeof pv, r->total_with_private,
		    bview_eok_decimals(r->total_with_private) ? 1 : 0);
		x += ui_putf(w, 2, 2 + x, iw - x, u->attr[THEME_DIM], "  with private %s", pv);
	}
	if (pl->funding_bp[0] + pl->funding_bp[1] + pl->funding_bp[2] > 0 && iw - x > 40) {
		char fb[128];
		size_t o = 0;
		for (int f = 0; f < FUND_COUNT && o < sizeof fb; f++)
			if (pl->funding_bp[f] > 0)
				o += (size_t)snprintf(fb + o, sizeof fb - o, "  %s %g%%",
				    budget_funding_name(f), pl->funding_bp[f] / 100.0);
		ui_put(w, 2, 2 + x, iw - x, fb, u->attr[THEME_DIM]);
	}
	if (b->facts_err[0] != '\0') {
		ui_put(w, 3, 2, iw, b->facts_err, u->attr[THEME_CRIT] | A_BOLD);
		return 3;
	}
	return 2;
}

/* The rows of the list that fit below the summary (`top` scrolled). */
static void
draw_list(struct ui *u, struct pane *p, struct ui_budgets *b, int y0)
{
	int vis = p->h - 1 - y0 - 1;	/* below the section's column headings */
	int iw = p->w - 4;

	if (vis < 1)
		return;
	/* names as wide as they are when that costs only the optional columns */
	int lmin = b->lc.name_content < (iw >= 100 ? 44 : 26) ? b->lc.name_content :
	    iw >= 100 ? 44 : 26;
	int tmin = b->tc.name_content < (iw >= 100 ? 30 : 20) ? b->tc.name_content :
	    iw >= 100 ? 30 : 20;
	bview_cols_layout(&b->lc, 2, iw, lmin);
	bview_cols_layout(&b->tc, 2, iw, tmin);
	panel_fit(p, (int)b->nrows, vis, 1);
	/* a section heading at the top is the sticky one: no need to repeat it */
	while (p->top < p->sel && (b->rows[p->top].kind == BROW_BLANK ||
	    b->rows[p->top].kind == BROW_THEAD))
		p->top++;
	if (b->nrows > 0 && (b->rows[p->top].kind == BROW_TENANT ||
	    b->rows[p->top].kind == BROW_THEAD))
		head_put(u, p->win, &b->tc, y0, "TENANT");
	else
		head_put(u, p->win, &b->lc, y0, "PROGRAMME / ITEM");
	y0++;
	for (int i = 0; i < vis && p->top + i < (int)b->nrows; i++) {
		const struct brow *row = &b->rows[p->top + i];
		int y = y0 + i, sel = p->top + i == p->sel && u->focus == PANE_BUDGETS;
		switch (row->kind) {
		case BROW_THEAD:
			head_put(u, p->win, &b->tc, y, "TENANT");
			break;
		case BROW_LINE:
			draw_line(u, p, b, y, &b->rep.lines[row->idx], sel);
			break;
		case BROW_TENANT:
			draw_tenant(u, p, b, y, &b->rep.tenants[row->idx], sel);
			break;
		case BROW_NOTE: {
			char a[48];
			bview_eok_cell(a, sizeof a, b->rep.unknown_spent, 1);
			ui_putf(p->win, y, 2, iw, u->attr[THEME_WARN],
			    "\xe2\x96\xb2 %s spent on programmes or items no longer in the "
			    "plan", a);
			break;
		}
		case BROW_BLANK:
			break;
		}
	}
	panel_footer(u, p, NULL);
}

/* The drill-down: the ledger lines of one programme or item. */
static void
draw_drill(struct ui *u, struct pane *p, struct ui_budgets *b)
{
	const struct budget_line *l = NULL;
	char a[48], s[48], r[48], pct[16], cell[BUD_CELL];
	WINDOW *w = p->win;
	int iw = p->w - 4, y = 1, x;

	for (size_t i = 0; b->rep_ok && i < b->rep.nlines; i++) {
		const struct budget_line *c = &b->rep.lines[i];
		if (strcmp(c->programme_id, b->d_prog) == 0 && (b->d_item[0] == '\0' ?
		    c->item_id == NULL : c->item_id != NULL && strcmp(c->item_id, b->d_item) == 0))
			l = c;
	}
	if (l != NULL) {
		const struct budget_programme *pg = budget_find_programme(b->plan, b->d_prog);
		x = 0;
		if (l->item_id != NULL && pg != NULL)
			x = ui_putf(w, y, 2, iw, u->attr[THEME_DIM], "%s \xe2\x80\xba ", pg->name);
		ui_put(w, y, 2 + x, iw - x, l->name, u->attr[THEME_HEADER] | A_BOLD);
		y++;
		if (p->h - 2 >= 4) {
			bview_eok_cell(a, sizeof a, l->allocated,
			    bview_eok_decimals(l->allocated));
			bview_eok_cell(s, sizeof s, l->spent, bview_eok_decimals(l->spent));
			bview_eok_cell(r, sizeof r, l->remaining,
			    bview_eok_decimals(l->remaining));
			bview_pct_cell(pct, sizeof pct, l->rate_pct);
			x = ui_putf(w, y, 2, iw, u->attr[THEME_NORMAL],
			    "allocated %s  spent %s (%s)  left %s  %zu%s line%s", a, s, pct, r,
			    b->nled, b->nled >= BUD_LEDGER_MAX ? " newest" : "",
			    b->nled == 1 ? "" : "s");
			ui_put(w, y++, 2 + x, iw - x, "  Esc back", u->attr[THEME_DIM]);
		}
	}
	if (b->led_err[0] != '\0')
		ui_put(w, y++, 2, iw, b->led_err, u->attr[THEME_CRIT] | A_BOLD);
	if (b->nled == 0) {
		panel_fit(p, 0, p->h - 2, 0);
		if (b->led_err[0] == '\0')
			ui_put(w, y, 2, iw, "no ledger lines (opsdeck budget import adds them)",
			    u->attr[THEME_DIM]);
		return;
	}
	int vis = p->h - 1 - y - 1;
	if (vis < 1)
		return;
	/* DATE AMOUNT VENDOR [SOURCE], then MEMO in what is left */
	struct bcols *cs = &b->dc;
	int memo_min = iw >= 100 ? 30 : 12;
	for (int c = 0; c < DC_N; c++)
		cs->on[c] = 1;
	int used = 0;
	for (int c = 0; c < DC_N; c++)
		used += cs->w[c] + 1;
	for (int c = DC_N - 1; c > DC_AMOUNT && iw - used < memo_min; c--) {
		cs->on[c] = 0;
		used -= cs->w[c] + 1;
	}
	x = 2;
	for (int c = 0; c < DC_N; c++) {
		if (!cs->on[c])
			continue;
		cs->x[c] = x;
		x += cs->w[c] + 1;
	}
	int memox = x, memow = iw + 2 - x;
	for (int c = 0; c < DC_N; c++)
		if (cs->on[c])
			cell_put(w, cs, y, c, cs->head[c], u->attr[THEME_HEADER]);
	ui_put(w, y, memox, memow, "MEMO", u->attr[THEME_HEADER]);
	y++;
	panel_fit(p, (int)b->nled, vis, 0);
	for (int i = 0; i < vis && p->top + i < (int)b->nled; i++) {
		const struct budget_ledger_line *g = &b->led[p->top + i];
		for (int c = 0; c < DC_N; c++) {
			if (!cs->on[c])
				continue;
			bview_ledger_cell(cs, g, c, cell, sizeof cell);
			if (c == DC_VENDOR || c == DC_SOURCE)
				ui_put_remote(w, y + i, cs->x[c], cs->w[c], cell,
				    u->attr[c == DC_SOURCE ? THEME_DIM : THEME_NORMAL]);
			else
				cell_put(w, cs, y + i, c, cell, u->attr[g->amount < 0 ?
				    THEME_WARN : THEME_NORMAL]);
		}
		if (memow > 0 && g->memo != NULL)
			ui_put_remote(w, y + i, memox, memow, g->memo, u->attr[THEME_NORMAL]);
	}
	panel_footer(u, p, NULL);
}

/*
 * Draws s (sanitised) from row y in at most `rows` rows of `cells` cells,
 * breaking after a blank where one is near the end of a row, else anywhere
 * between characters. Returns the rows used.
 */
static int
wrap_put(WINDOW *w, int y, int x, int cells, int rows, const char *s, attr_t a)
{
	char clean[1024], part[1024];
	size_t len, at = 0;
	int used = 0;

	if (cells < 8 || rows < 1)
		return 0;
	sanitize_text(clean, sizeof clean, s, strlen(s));
	len = strlen(clean);
	while (at < len && used < rows) {
		size_t i = at, brk = 0;
		int wd = 0, ind = used > 0 ? 2 : 0, avail = cells - ind;
		uint32_t cp;
		while (i < len) {
			size_t k = unicode_decode(clean + i, len - i, &cp);
			int cw = text_cp_width(cp);
			if (k == 0)
				k = 1;
			if (wd + cw > avail)
				break;
			wd += cw;
			i += k;
			if (cp == ' ' && wd > avail * 2 / 3)
				brk = i;
		}
		if (i < len && brk > at)
			i = brk;
		if (used == rows - 1 && i < len)
			i = len;	/* the last row ends with "…" */
		memcpy(part, clean + at, i - at);
		part[i - at] = '\0';
		ui_put(w, y + used, x + ind, avail, part, a);	/* continuations indented */
		used++;
		at = i;
	}
	return used;
}

/*
 * Draws the pane: "no budget configured", the plan's errors, the
 * drill-down, or the summary and the list. Loads the data on first use.
 */
static void
budgets_draw(struct ui *u, struct pane *p)
{
	struct ui_budgets *b = u->budgets;
	int iw = p->w - 4;

	if (b == NULL || !b->loaded) {
		bview_refresh(u, p);
		b = u->budgets;
	}
	if (b->path == NULL || b->plan == NULL)
		panel_fit(p, 0, p->h - 2, 0);	/* nothing to scroll */
	if (b->path == NULL) {
		ui_box(u, p, u->focus == PANE_BUDGETS, NULL);
		ui_put(p->win, 1, 2, iw, "no budget configured", u->attr[THEME_DIM]);
		if (p->h - 2 >= 2)
			ui_put(p->win, 2, 2, iw, "add 'budget: FILE' (a plan, see "
			    "opsdeck-budget(5)) to the configuration", u->attr[THEME_DIM]);
		return;
	}
	if (b->plan == NULL) {
		ui_box(u, p, u->focus == PANE_BUDGETS, "plan error");
		int y = 1;
		for (size_t i = 0; i < b->nerrs && y < p->h - 1; i++)
			y += wrap_put(p->win, y, 2, iw, p->h - 1 - y, b->errs[i],
			    u->attr[THEME_CRIT] | A_BOLD);
		return;
	}
	if (b->drill) {
		char t[2 * BUDGET_ID_MAX + 16];
		snprintf(t, sizeof t, "ledger %s%s%s", b->d_prog, b->d_item[0] ? "/" : "",
		    b->d_item);
		ui_box(u, p, u->focus == PANE_BUDGETS, t);
		draw_drill(u, p, b);
		return;
	}
	ui_box(u, p, u->focus == PANE_BUDGETS, NULL);
	int inner = p->h - 2;
	int used = draw_summary(u, p, b, inner >= 6 ? 2 : 1);
	if (inner > used)
		draw_list(u, p, b, 1 + used);
}

/* ---- keys ---------------------------------------------------------------- */

/* Enter on a programme or item: its ledger lines. */
static void
bud_drill(struct ui *u, struct ui_budgets *b, struct pane *p)
{
	if (!bview_selectable(b, p->sel))
		return;
	const struct brow *row = &b->rows[p->sel];
	if (row->kind != BROW_LINE) {
		ui_message(u, 0, "ledger lines are per programme and item");
		return;
	}
	const struct budget_line *l = &b->rep.lines[row->idx];
	od_strlcpy(b->d_prog, l->programme_id, sizeof b->d_prog);
	od_strlcpy(b->d_item, l->item_id != NULL ? l->item_id : "", sizeof b->d_item);
	b->back_sel = p->sel;
	b->back_top = p->top;
	b->drill = 1;
	p->top = 0;
	bview_ledger_load(u, b);
	p->dirty = 1;
}

/* Enter drills down, Backspace goes back (the panel scrolls and selects). */
static int
budgets_key(struct ui *u, struct pane *p, int key)
{
	struct ui_budgets *b = u->budgets;

	if (b == NULL)
		return 0;
	if (b->drill) {
		switch (key) {
		case KEY_BACKSPACE: case 127: case 8:
			bview_back(u, p);
			return 1;
		case '\n': case '\r': case KEY_ENTER:
			return 1;
		default:
			return 0;
		}
	}
	if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		if (b->plan != NULL)
			bud_drill(u, b, p);
		return 1;
	}
	return 0;
}

/* The panel's selection: programme, item and tenant lines only (bview_select). */
static void
budgets_select(struct ui *u, struct pane *p, int row)
{
	if (u->budgets != NULL)
		bview_select(u->budgets, p, row, row >= p->sel ? 1 : -1);
}

/* A click selects a row of the list (below the summary); again: drill down. */
static void
budgets_click(struct ui *u, struct pane *p, int row)
{
	struct ui_budgets *b = u->budgets;
	int head = p->h - 2 >= 6 ? 2 : 1;

	if (b == NULL || b->drill || b->plan == NULL)
		return;
	if (b->facts_err[0] != '\0' && head == 2)
		head = 3;
	int i = p->top + row - head - 1;	/* below the column headings */
	if (!bview_selectable(b, i))
		return;
	int again = i == p->sel;
	p->sel = i;
	p->dirty = 1;
	if (again)
		bud_drill(u, b, p);
}

const struct pane_ops pane_budgets_ops = {
	.name = "Budgets",
	.draw = budgets_draw,
	.key = budgets_key,
	.click = budgets_click,
	.reread = bview_refresh,
	.back = bview_back,
	.free = bview_free,
	.select = budgets_select,
};
