/*
 * budget_view.c: the Budgets pane's data (budget_view.h): the budget plan
 * (the config's `budget:` file), the spending and compute-use facts from the
 * cache, the report between them, the rows the pane lists, the ledger lines
 * of a drill-down; and the cells and column widths the pane draws with.
 *
 * bview_refresh() (the pane's reread op) runs on every store re-read (a
 * collector wake-up, or the 2 s poll offline). It stat()s the plan and
 * parses it again only when it changed (mtime, size, inode); it reads the
 * facts from the cache (read-only, the UI thread's handle) and spaces the
 * reads out when one was slow, as the Devices data does. A bad plan's
 * FILE:LINE:COL errors are kept for the pane to show. Draws nothing.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


#include "opsdeck/budget.h"
#include "opsdeck/config.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/store.h"
#include "opsdeck/textwidth.h"
#include "budget_view.h"

/* ---- formatting ---------------------------------------------------------- */

/* Decimals an amount needs in 억: 0 whole, 1 tenths, else 2. */
int
bview_eok_decimals(int64_t krw)
{
	if (krw % 100000000 == 0)
		return 0;
	if (krw % 10000000 == 0)
		return 1;
	return 2;
}

/* "2,559억", "8.5억" with `dec` decimals. */
void
bview_eok_cell(char *dst, size_t len, int64_t krw, int dec)
{
	char n[48];

	size_t k;

	text_eok(n, sizeof n, text_krw_to_eok(krw), dec);
	k = strlen(n);
	if (k + sizeof "\xec\x96\xb5" > len) {
		od_strlcpy(dst, "-", len);
		return;
	}
	memcpy(dst, n, k);
	memcpy(dst + k, "\xec\x96\xb5", sizeof "\xec\x96\xb5");
}

/* A percentage cell, "-" for an unknown (negative or NaN) value. */
void
bview_pct_cell(char *dst, size_t len, double v)
{
	if (v < 0 || !isfinite(v))
		snprintf(dst, len, "-");
	else
		snprintf(dst, len, "%.1f%%", v);
}

/* Hours or hours a day: one decimal below 100, else whole with separators. */
static void
hours_cell(char *dst, size_t len, double h)
{
	if (!isfinite(h) || fabs(h) > 9e15)
		snprintf(dst, len, "-");
	else if (fabs(h) < 100)
		snprintf(dst, len, "%.1f", h);
	else
		text_thousands(dst, len, (int64_t)llround(h));
}

static void
day_cell(char *dst, size_t len, int32_t day)
{
	if (day == BUDGET_NO_DAY)
		snprintf(dst, len, "-");
	else
		budget_date_format(day, dst, len);
}

/* The mark of an over-burning line or tenant, and its theme role. */
const char *
bview_over_mark(int over, int burn, enum theme_role *role)
{
	if (over) {
		*role = THEME_CRIT;
		return "\xe2\x9c\x96 over";
	}
	if (burn) {
		*role = THEME_WARN;
		return "\xe2\x96\xb2 burn";
	}
	*role = THEME_NORMAL;
	return "";
}

/* Cell c of programme/item line l. */
void
bview_line_cell(const struct bcols *cs, const struct budget_line *l, int c, char *dst, size_t len)
{
	enum theme_role r;

	dst[0] = '\0';
	switch (c) {
	case LC_ALLOC:
		bview_eok_cell(dst, len, l->allocated, cs->dec[c]);
		break;
	case LC_SPENT:
		bview_eok_cell(dst, len, l->spent, cs->dec[c]);
		break;
	case LC_REMAIN:
		bview_eok_cell(dst, len, l->remaining, cs->dec[c]);
		break;
	case LC_RATE:
		bview_pct_cell(dst, len, l->rate_pct);
		break;
	case LC_LAST7:
		bview_eok_cell(dst, len, (int64_t)llround(l->burn7 * 7), cs->dec[c]);
		break;
	case LC_LAST30:
		bview_eok_cell(dst, len, (int64_t)llround(l->burn30 * 30), cs->dec[c]);
		break;
	case LC_YALLOC:
		if (l->year_allocated < 0)
			snprintf(dst, len, "-");
		else
			bview_eok_cell(dst, len, l->year_allocated, cs->dec[c]);
		break;
	case LC_YSPENT:
		bview_eok_cell(dst, len, l->year_spent, cs->dec[c]);
		break;
	case LC_OUT:
		day_cell(dst, len, l->exhaust_day);
		break;
	case LC_FLAG:
		snprintf(dst, len, "%s", bview_over_mark(l->remaining < 0, l->over_burn, &r));
		break;
	default:
		break;
	}
}

/* Cell c of tenant line t. */
void
bview_tenant_cell(const struct budget_tenant_line *t, int c, char *dst, size_t len)
{
	double alloc = t->by_node ? t->node_alloc : t->gpu_alloc;
	double used = t->by_node ? t->node_used : t->gpu_used;
	enum theme_role r;

	dst[0] = '\0';
	switch (c) {
	case TC_UNIT:
		snprintf(dst, len, "%s", t->by_node ? "node-h" : "GPU-h");
		break;
	case TC_ALLOC:
		hours_cell(dst, len, alloc);
		break;
	case TC_USED:
		hours_cell(dst, len, used);
		break;
	case TC_RATE:
		bview_pct_cell(dst, len, alloc > 0 ? used * 100.0 / alloc : -1);
		break;
	case TC_B7:
		hours_cell(dst, len, t->burn7);
		break;
	case TC_B30:
		hours_cell(dst, len, t->burn30);
		break;
	case TC_OUT:
		day_cell(dst, len, t->exhaust_day);
		break;
	case TC_GPUS:
		snprintf(dst, len, "%lld", (long long)t->gpus_running);
		break;
	case TC_IDLE:
		/* a word, not only the warn colour */
		if (t->gpus_idle > 0)
			snprintf(dst, len, "%lld idle", (long long)t->gpus_idle);
		else
			snprintf(dst, len, "0");
		break;
	case TC_PERIOD:
		snprintf(dst, len, "%s", budget_period_name(t->tenant->period));
		break;
	case TC_KIND:
		snprintf(dst, len, "%s", tenant_kind_name(t->tenant->kind));
		break;
	case TC_CHARGE:
	case TC_TOTAL:
		/* charges are small: whole won */
		text_thousands(dst, len, c == TC_CHARGE ? t->charge : t->charge_total);
		if (strlen(dst) + sizeof "\xec\x9b\x90" <= len)
			strcat(dst, "\xec\x9b\x90");
		break;
	case TC_FLAG:
		snprintf(dst, len, "%s",
		    bview_over_mark(alloc > 0 && used > alloc, t->over_burn, &r));
		break;
	default:
		break;
	}
}

/* Cell c of ledger line g. */
void
bview_ledger_cell(const struct bcols *cs, const struct budget_ledger_line *g, int c, char *dst,
    size_t len)
{
	const char *base;

	dst[0] = '\0';
	switch (c) {
	case DC_DATE:
		budget_date_format(g->day, dst, len);
		break;
	case DC_AMOUNT:
		bview_eok_cell(dst, len, g->amount, cs->dec[c]);
		break;
	case DC_VENDOR:
		snprintf(dst, len, "%s", g->vendor != NULL ? g->vendor : "");
		break;
	case DC_SOURCE:
		base = g->source != NULL ? strrchr(g->source, '/') : NULL;
		snprintf(dst, len, "%s:%d", base != NULL ? base + 1 :
		    g->source != NULL ? g->source : "?", g->line);
		break;
	default:
		break;
	}
}

static void
cols_init(struct bcols *cs, int n, const char *const *head, const int *prio,
    const int *right)
{
	memset(cs, 0, sizeof *cs);
	cs->n = n;
	for (int c = 0; c < n; c++) {
		cs->head[c] = head[c];
		cs->w[c] = text_swidth(head[c]);
		cs->prio[c] = prio[c];
		cs->right[c] = right[c];
	}
	cs->grow = -1;
}

static void
cols_widen(struct bcols *cs, int c, const char *cell)
{
	int w = text_swidth(cell);

	if (w > cs->w[c])
		cs->w[c] = w;
}

/*
 * Places the columns of cs in `width` cells starting at x0: the name first
 * (at least name_min cells when possible), then the columns in order; the
 * column with the highest priority is dropped while the name would be
 * narrower than name_min. The name gets what is left, up to its content.
 */
void
bview_cols_layout(struct bcols *cs, int x0, int width, int name_min)
{
	int used, maxp;

	for (int c = 0; c < cs->n; c++)
		cs->on[c] = 1;
	for (;;) {
		used = 0;
		maxp = 0;
		for (int c = 0; c < cs->n; c++) {
			if (!cs->on[c])
				continue;
			used += cs->w[c] + 1;
			if (cs->prio[c] > maxp)
				maxp = cs->prio[c];
		}
		if (width - used >= name_min || maxp == 0)
			break;
		for (int c = cs->n - 1; c >= 0; c--) {
			if (cs->on[c] && cs->prio[c] == maxp) {
				cs->on[c] = 0;
				break;
			}
		}
	}
	cs->namex = x0;
	cs->namew = width - used;
	if (cs->namew > cs->name_content && cs->name_content > 0)
		cs->namew = cs->name_content;
	if (cs->namew < 1)
		cs->namew = 1;
	int extra = width - used - cs->namew;
	int x = x0 + cs->namew + 1;
	for (int c = 0; c < cs->n; c++) {
		int w = cs->w[c];
		if (!cs->on[c])
			continue;
		if (c == cs->grow && extra > 0)
			w += extra < cs->grow_max - w ? extra : cs->grow_max - w > 0 ?
			    cs->grow_max - w : 0;
		cs->x[c] = x;
		cs->cw[c] = w;
		x += w + 1;
	}
}

/* ---- loading ------------------------------------------------------------- */

static void
errs_free(struct ui_budgets *b)
{
	for (size_t i = 0; i < b->nerrs; i++)
		free(b->errs[i]);
	free(b->errs);
	b->errs = NULL;
	b->nerrs = 0;
}

static void
errs_add(struct ui_budgets *b, char *msg)
{
	b->errs = xrealloc(b->errs, (b->nerrs + 1) * sizeof *b->errs);
	b->errs[b->nerrs++] = msg;
}

static void
ledger_drop(struct ui_budgets *b)
{
	budget_ledger_lines_free(b->led, b->nled);
	b->led = NULL;
	b->nled = 0;
}

/*
 * Re-reads the ledger lines of the drill-down (programme d_prog, item d_item
 * or all of the programme when "") and sizes their columns.
 */
void
bview_ledger_load(struct ui *u, struct ui_budgets *b)
{
	static const char *const head[DC_N] = { "DATE", "AMOUNT", "VENDOR", "SOURCE" };
	static const int prio[DC_N] = { 0, 0, 1, 2 };
	static const int right[DC_N] = { 0, 1, 0, 0 };
	char *cause = NULL, cell[BUD_CELL];

	ledger_drop(b);
	b->led_err[0] = '\0';
	if (u->store != NULL && budget_store_ledger_lines(u->store, b->d_prog,
	    b->d_item[0] != '\0' ? b->d_item : NULL, b->rep_ok ? b->rep.as_of :
	    budget_day_from_wall_ms(u->at_ms > 0 ? u->at_ms : now_wall_ms()), BUD_LEDGER_MAX,
	    &b->led, &b->nled,
	    &cause) != 0) {
		snprintf(b->led_err, sizeof b->led_err, "ledger: %s",
		    cause != NULL ? cause : "read failed");
		free(cause);
		b->led = NULL;
		b->nled = 0;
	}
	cols_init(&b->dc, DC_N, head, prio, right);
	for (size_t i = 0; i < b->nled; i++) {
		int d = bview_eok_decimals(b->led[i].amount);
		if (d > b->dc.dec[DC_AMOUNT])
			b->dc.dec[DC_AMOUNT] = d;
	}
	for (size_t i = 0; i < b->nled; i++) {
		for (int c = 0; c < DC_N; c++) {
			bview_ledger_cell(&b->dc, &b->led[i], c, cell, sizeof cell);
			cols_widen(&b->dc, c, cell);
		}
	}
	/* the vendor column is fitted, the memo takes the rest */
	if (b->dc.w[DC_VENDOR] > 28)
		b->dc.w[DC_VENDOR] = 28;
}

/* Rows of the list and the content widths of both sections. */
static void
rows_build(struct ui_budgets *b)
{
	const char *lhead[LC_N] = { "ALLOC", "SPENT", "REMAIN", "RATE", "", "",
		"7 DAYS", "30 DAYS", "RUNS OUT", b->yhead[0], b->yhead[1] };
	static const int lprio[LC_N] = { 0, 0, 0, 0, 0, 0, 4, 3, 2, 5, 5 };
	static const int lright[LC_N] = { 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1 };
	static const char *const thead[TC_N] = { "UNIT", "ALLOC", "USED", "RATE", "", "",
		"7D/DAY", "30D/DAY", "RUNS OUT", "IDLE", "GPUS", "PERIOD", "CHARGE", "TOTAL",
		"KIND" };
	static const int tprio[TC_N] = { 4, 0, 0, 0, 6, 0, 1, 1, 2, 3, 3, 7, 8, 9, 10 };
	static const int tright[TC_N] = { 0, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0 };
	int yr, mo, dy;
	char cell[BUD_CELL];
	size_t n = 0;

	free(b->rows);
	b->rows = NULL;
	b->nrows = 0;
	if (!b->rep_ok)
		return;
	time_civil_from_days(b->rep.as_of, &yr, &mo, &dy);
	snprintf(b->yhead[0], sizeof b->yhead[0], "%d BUDGET", yr);
	snprintf(b->yhead[1], sizeof b->yhead[1], "%d SPENT", yr);
	b->rows = xcalloc(b->rep.nlines + b->rep.ntenants + 4, sizeof *b->rows);
	cols_init(&b->lc, LC_N, lhead, lprio, lright);
	cols_init(&b->tc, TC_N, thead, tprio, tright);
	b->lc.w[LC_GAUGE] = BUD_GAUGE_W;
	b->tc.w[TC_GAUGE] = BUD_GAUGE_W;
	b->lc.grow = LC_GAUGE;
	b->lc.grow_max = 5 * BUD_GAUGE_W;
	b->tc.grow = TC_GAUGE;
	b->tc.grow_max = 5 * BUD_GAUGE_W;
	b->lc.name_content = text_swidth("PROGRAMME / ITEM");
	b->tc.name_content = text_swidth("TENANT");

	for (size_t i = 0; i < b->rep.nlines; i++) {
		const struct budget_line *l = &b->rep.lines[i];
		int cols[] = { LC_ALLOC, LC_SPENT, LC_REMAIN, LC_LAST7, LC_LAST30, LC_YALLOC,
			LC_YSPENT };
		int64_t v[] = { l->allocated, l->spent, l->remaining,
			(int64_t)llround(l->burn7 * 7), (int64_t)llround(l->burn30 * 30),
			l->year_allocated > 0 ? l->year_allocated : 0, l->year_spent };
		/* at most one decimal: 0.1억 is 1,000만원, the drill-down has the rest */
		for (size_t k = 0; k < OD_ARRAY_LEN(cols); k++) {
			int d = bview_eok_decimals(v[k]) > 0 ? 1 : 0;
			if (d > b->lc.dec[cols[k]])
				b->lc.dec[cols[k]] = d;
		}
	}
	for (size_t i = 0; i < b->rep.nlines; i++) {
		const struct budget_line *l = &b->rep.lines[i];
		int nw = text_swidth(l->name) + (l->item_id != NULL ? 2 : 0);
		if (nw > b->lc.name_content)
			b->lc.name_content = nw;
		for (int c = 0; c < LC_N; c++) {
			bview_line_cell(&b->lc, l, c, cell, sizeof cell);
			cols_widen(&b->lc, c, cell);
		}
		b->rows[n++] = (struct brow){ BROW_LINE, (int)i };
	}
	if (b->rep.unknown_spent != 0)
		b->rows[n++] = (struct brow){ BROW_NOTE, 0 };
	if (b->rep.ntenants > 0) {
		b->rows[n++] = (struct brow){ BROW_BLANK, 0 };
		b->rows[n++] = (struct brow){ BROW_THEAD, 0 };
	}
	for (size_t i = 0; i < b->rep.ntenants; i++) {
		const struct budget_tenant_line *t = &b->rep.tenants[i];
		int nw = text_swidth(t->tenant->name);
		if (nw > b->tc.name_content)
			b->tc.name_content = nw;
		for (int c = 0; c < TC_N; c++) {
			bview_tenant_cell(t, c, cell, sizeof cell);
			cols_widen(&b->tc, c, cell);
		}
		b->rows[n++] = (struct brow){ BROW_TENANT, (int)i };
	}
	b->nrows = n;
}

/*
 * Parses the plan again when its file changed since the last parse (or was
 * never parsed); keeps the errors of a bad one. Returns 1 when it changed.
 */
static int
plan_reload(struct ui_budgets *b)
{
	struct stat sb;
	int ok = stat(b->path, &sb) == 0;

	if (b->loaded && ok == b->stat_ok && (!ok || (sb.st_mtim.tv_sec == b->st.st_mtim.tv_sec &&
	    sb.st_mtim.tv_nsec == b->st.st_mtim.tv_nsec && sb.st_size == b->st.st_size &&
	    sb.st_ino == b->st.st_ino)))
		return 0;
	b->loaded = 1;
	b->stat_ok = ok;
	if (ok)
		b->st = sb;
	budget_plan_free(b->plan);
	b->plan = NULL;
	errs_free(b);

	struct diag d;
	diag_init(&d, b->path);
	b->plan = budget_plan_load(b->path, &d);
	if (b->plan == NULL) {
		for (size_t i = 0; i < d.n; i++) {
			if (d.v[i].line > 0)
				errs_add(b, xasprintf("%s:%d:%d: %s", b->path, d.v[i].line,
				    d.v[i].col, d.v[i].msg));
			else
				errs_add(b, xasprintf("%s: %s", b->path, d.v[i].msg));
		}
		if (d.dropped > 0)
			errs_add(b, xasprintf("%s: %zu more errors", b->path, d.dropped));
		if (b->nerrs == 0)
			errs_add(b, xasprintf("%s: cannot load the budget plan", b->path));
	}
	diag_free(&d);
	return 1;
}

/*
 * Contract: brings the pane's data up to date: the plan path from the
 * configuration, the plan when its file changed (stat), the facts from
 * u->store when another connection wrote to it since the last read (not
 * more often than a slow read allows unless the plan changed),
 * then, when any of that or the day (Asia/Seoul) changed, the report and the
 * drill-down's ledger lines, and marks the pane dirty. Errors are kept for
 * the pane to show; never fails.
 */
void
bview_refresh(struct ui *u, struct pane *p)
{
	const struct config *cfg = u->o != NULL ? u->o->cfg : NULL;
	struct ui_budgets *b = u->budgets;
	char *path;
	int changed;

	if (b == NULL)
		b = u->budgets = xcalloc(1, sizeof *u->budgets);
	path = cfg != NULL ? budget_plan_path(cfg->path, cfg->budget) : NULL;
	if (path == NULL || b->path == NULL || strcmp(path, b->path) != 0) {
		free(b->path);
		b->path = path;
		b->loaded = 0;
		b->stat_ok = 0;
		budget_plan_free(b->plan);
		b->plan = NULL;
		errs_free(b);
	} else {
		free(path);
	}
	if (b->path == NULL) {
		u->pane[PANE_BUDGETS].dirty = 1;
		b->loaded = 1;
		if (b->rep_ok)
			budget_report_free(&b->rep);
		b->rep_ok = 0;
		rows_build(b);
		return;
	}
	changed = plan_reload(b);

	int64_t now = now_mono_ms(), version = -1;
	int reread = 0;
	if (u->store != NULL && b->plan != NULL)
		version = store_data_version(u->store);
	if (u->store != NULL && b->plan != NULL && (changed || version < 0 ||
	    version != b->version || !b->rep_ok) && (changed || now >= b->next_ms)) {
		reread = 1;
		b->version = version;
		struct budget_facts f;
		char *cause = NULL;
		int64_t t0 = now_mono_ms();
		memset(&f, 0, sizeof f);
		if (budget_store_facts(u->store, &f, &cause) != 0) {
			snprintf(b->facts_err, sizeof b->facts_err, "cache: %s",
			    cause != NULL ? cause : "read failed");
			free(cause);
		} else {
			budget_facts_free(&b->facts);
			b->facts = f;
			b->facts_err[0] = '\0';
		}
		b->cost_ms = now_mono_ms() - t0;
		b->next_ms = b->cost_ms > UI_DEVICES_SLOW_MS ?
		    now_mono_ms() + b->cost_ms * BUD_SLOW_SPACE : 0;
	}
	/* nothing new: keep the report (and the frame) as they are */
	/* as of the time cursor's day while not live: spending up to that day */
	int32_t today = budget_day_from_wall_ms(u->at_ms > 0 ? u->at_ms : now_wall_ms());
	if (!changed && !reread && (b->plan == NULL || (b->rep_ok && b->rep.as_of == today)))
		return;
	u->pane[PANE_BUDGETS].dirty = 1;
	if (b->rep_ok)
		budget_report_free(&b->rep);
	b->rep_ok = 0;
	if (b->plan != NULL) {
		budget_report_compute(b->plan, b->facts.spend, b->facts.nspend, b->facts.use,
		    b->facts.nuse, today, &b->rep);
		budget_report_running(&b->rep, b->facts.alloc, b->facts.nalloc);
		b->rep_ok = 1;
	}
	rows_build(b);
	if (!b->drill && !bview_selectable(b, u->pane[PANE_BUDGETS].sel))
		bview_select(b, &u->pane[PANE_BUDGETS], u->pane[PANE_BUDGETS].sel, 1);
	if (b->drill) {
		if (b->plan == NULL || budget_find_programme(b->plan, b->d_prog) == NULL)
			bview_back(u, &u->pane[PANE_BUDGETS]);
		else
			bview_ledger_load(u, b);
	}
}

/*
 * Contract: Esc on the Budgets pane p (its back op): leaves the drill-down. Returns 1 when
 * there was one (the key is used), else 0.
 */
int
bview_back(struct ui *u, struct pane *p)
{
	struct ui_budgets *b = u->budgets;

	if (b == NULL || !b->drill)
		return 0;
	b->drill = 0;
	ledger_drop(b);
	p->sel = b->back_sel;
	p->top = b->back_top;
	p->dirty = 1;
	return 1;
}

/* Contract: frees the pane's state (its free op, from ui_free_state). */
void
bview_free(struct ui *u, struct pane *p)
{
	struct ui_budgets *b = u->budgets;

	if (b == NULL)
		return;
	free(b->path);
	budget_plan_free(b->plan);
	errs_free(b);
	budget_facts_free(&b->facts);
	if (b->rep_ok)
		budget_report_free(&b->rep);
	free(b->rows);
	ledger_drop(b);
	free(b);
	u->budgets = NULL;
}

/* ---- selection ----------------------------------------------------------- */

/* Whether list row i can be selected: a programme or item line, a tenant. */
int
bview_selectable(const struct ui_budgets *b, int i)
{
	return i >= 0 && i < (int)b->nrows &&
	    (b->rows[i].kind == BROW_LINE || b->rows[i].kind == BROW_TENANT);
}

/* Moves the selection to row `to`, or the nearest bview_selectable row in direction dir. */
void
bview_select(struct ui_budgets *b, struct pane *p, int to, int dir)
{
	if (b->nrows == 0)
		return;
	if (to < 0)
		to = 0;
	if (to >= (int)b->nrows)
		to = (int)b->nrows - 1;
	int i = to;
	while (i >= 0 && i < (int)b->nrows && !bview_selectable(b, i))
		i += dir;
	if (!bview_selectable(b, i)) {
		for (i = to; i >= 0 && i < (int)b->nrows && !bview_selectable(b, i); i -= dir)
			;
		if (!bview_selectable(b, i))
			return;
	}
	/* show the section heading above the first row */
	if (i <= 1)
		p->top = 0;
	p->sel = i;
	p->dirty = 1;
}
