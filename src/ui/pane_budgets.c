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
 * Data: ui_budgets_refresh() runs on every store re-read (a collector
 * wake-up, or the 2 s poll offline). It stat()s the plan and parses it again
 * only when it changed (mtime, size, inode); it reads the facts from the
 * cache (read-only, the UI thread's handle) and spaces the reads out when
 * one was slow, as the Devices pane does. A bad plan shows its
 * FILE:LINE:COL errors in the pane; without `budget:` the pane says so.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "opsdeck/budget.h"
#include "opsdeck/config.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/store.h"
#include "opsdeck/textwidth.h"
#include "opsdeck/ui_priv.h"
#include "opsdeck/unicode.h"

#define BUD_LEDGER_MAX	2000	/* ledger lines read for one drill-down */
#define BUD_SLOW_SPACE	50	/* a slow facts read waits this many times its cost */
#define BUD_COLS	16
#define BUD_CELL	64	/* bytes of one formatted cell */
#define BUD_GAUGE_W	6	/* a gauge at its narrowest; it takes what is left */

/* A row of the scrolling list. */
enum brow_kind { BROW_BLANK, BROW_LINE, BROW_THEAD, BROW_TENANT, BROW_NOTE };

struct brow {
	enum brow_kind	 kind;
	int		 idx;		/* into rep.lines or rep.tenants */
};

/* Columns of a section: content widths (from the data) and where they go. */
struct bcols {
	int		 n;
	const char	*head[BUD_COLS];
	int		 w[BUD_COLS];	/* widest cell or heading */
	int		 prio[BUD_COLS];	/* 0: always; the highest goes first */
	int		 right[BUD_COLS];
	int		 dec[BUD_COLS];	/* decimals of 억 amounts in the column */
	int		 on[BUD_COLS];
	int		 x[BUD_COLS];
	int		 cw[BUD_COLS];	/* width placed (the grow column may be wider) */
	int		 namex, namew, name_content;
	int		 grow;		/* column that takes what the name leaves, -1 */
	int		 grow_max;
};

/* Columns in the order they appear; the name comes first. */
enum { LC_ALLOC, LC_SPENT, LC_REMAIN, LC_RATE, LC_GAUGE, LC_FLAG, LC_LAST7, LC_LAST30, LC_OUT,
	LC_YALLOC, LC_YSPENT, LC_N };
enum { TC_UNIT, TC_ALLOC, TC_USED, TC_RATE, TC_GAUGE, TC_FLAG, TC_B7, TC_B30, TC_OUT, TC_IDLE,
	TC_GPUS, TC_PERIOD, TC_CHARGE, TC_TOTAL, TC_KIND, TC_N };
enum { DC_DATE, DC_AMOUNT, DC_VENDOR, DC_SOURCE, DC_N };

struct ui_budgets {
	int		 loaded;	/* the plan was looked at once */
	char		*path;		/* the plan file, owned; NULL: none configured */
	int		 stat_ok;
	struct stat	 st;		/* of the plan when it was parsed */
	struct budget_plan *plan;	/* NULL: not loaded (errs says why) */
	char		**errs;		/* "FILE:LINE:COL: message", owned */
	size_t		 nerrs;
	struct budget_facts facts;
	char		 facts_err[UI_MSG_MAX];
	struct budget_report rep;
	int		 rep_ok;
	int64_t		 cost_ms, next_ms;	/* the last facts read; no read before */
	int64_t		 version;	/* PRAGMA data_version at the last read, -1 */
	struct brow	*rows;
	size_t		 nrows;
	struct bcols	 lc, tc;
	char		 yhead[2][24];	/* "2026 BUDGET", "2026 SPENT" */

	/* the drill-down: ledger lines of one programme (and item) */
	int		 drill;
	char		 d_prog[BUDGET_ID_MAX + 1], d_item[BUDGET_ID_MAX + 1];
	struct budget_ledger_line *led;
	size_t		 nled;
	char		 led_err[UI_MSG_MAX];
	struct bcols	 dc;
	int		 back_sel, back_top;
};

/* ---- formatting ---------------------------------------------------------- */

/* Decimals an amount needs in 억: 0 whole, 1 tenths, else 2. */
static int
eok_decimals(int64_t krw)
{
	if (krw % 100000000 == 0)
		return 0;
	if (krw % 10000000 == 0)
		return 1;
	return 2;
}

/* "2,559억", "8.5억" with `dec` decimals. */
static void
eok_cell(char *dst, size_t len, int64_t krw, int dec)
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

static void
pct_cell(char *dst, size_t len, double v)
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
static const char *
over_mark(int over, int burn, enum theme_role *role)
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
static void
line_cell(const struct bcols *cs, const struct budget_line *l, int c, char *dst, size_t len)
{
	enum theme_role r;

	dst[0] = '\0';
	switch (c) {
	case LC_ALLOC:
		eok_cell(dst, len, l->allocated, cs->dec[c]);
		break;
	case LC_SPENT:
		eok_cell(dst, len, l->spent, cs->dec[c]);
		break;
	case LC_REMAIN:
		eok_cell(dst, len, l->remaining, cs->dec[c]);
		break;
	case LC_RATE:
		pct_cell(dst, len, l->rate_pct);
		break;
	case LC_LAST7:
		eok_cell(dst, len, (int64_t)llround(l->burn7 * 7), cs->dec[c]);
		break;
	case LC_LAST30:
		eok_cell(dst, len, (int64_t)llround(l->burn30 * 30), cs->dec[c]);
		break;
	case LC_YALLOC:
		if (l->year_allocated < 0)
			snprintf(dst, len, "-");
		else
			eok_cell(dst, len, l->year_allocated, cs->dec[c]);
		break;
	case LC_YSPENT:
		eok_cell(dst, len, l->year_spent, cs->dec[c]);
		break;
	case LC_OUT:
		day_cell(dst, len, l->exhaust_day);
		break;
	case LC_FLAG:
		snprintf(dst, len, "%s", over_mark(l->remaining < 0, l->over_burn, &r));
		break;
	default:
		break;
	}
}

/* Cell c of tenant line t. */
static void
tenant_cell(const struct budget_tenant_line *t, int c, char *dst, size_t len)
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
		pct_cell(dst, len, alloc > 0 ? used * 100.0 / alloc : -1);
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
		snprintf(dst, len, "%s", over_mark(alloc > 0 && used > alloc, t->over_burn, &r));
		break;
	default:
		break;
	}
}

/* Cell c of ledger line g. */
static void
ledger_cell(const struct bcols *cs, const struct budget_ledger_line *g, int c, char *dst,
    size_t len)
{
	const char *base;

	dst[0] = '\0';
	switch (c) {
	case DC_DATE:
		budget_date_format(g->day, dst, len);
		break;
	case DC_AMOUNT:
		eok_cell(dst, len, g->amount, cs->dec[c]);
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
static void
cols_layout(struct bcols *cs, int x0, int width, int name_min)
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

static int selectable(const struct ui_budgets *b, int i);
static void bud_select(struct ui_budgets *b, struct pane *p, int to, int dir);

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
static void
ledger_load(struct ui *u, struct ui_budgets *b)
{
	static const char *const head[DC_N] = { "DATE", "AMOUNT", "VENDOR", "SOURCE" };
	static const int prio[DC_N] = { 0, 0, 1, 2 };
	static const int right[DC_N] = { 0, 1, 0, 0 };
	char *cause = NULL, cell[BUD_CELL];

	ledger_drop(b);
	b->led_err[0] = '\0';
	if (u->store != NULL && budget_store_ledger_lines(u->store, b->d_prog,
	    b->d_item[0] != '\0' ? b->d_item : NULL, b->rep_ok ? b->rep.as_of :
	    budget_day_from_wall_ms(now_wall_ms()), BUD_LEDGER_MAX, &b->led, &b->nled,
	    &cause) != 0) {
		snprintf(b->led_err, sizeof b->led_err, "ledger: %s",
		    cause != NULL ? cause : "read failed");
		free(cause);
		b->led = NULL;
		b->nled = 0;
	}
	cols_init(&b->dc, DC_N, head, prio, right);
	for (size_t i = 0; i < b->nled; i++) {
		int d = eok_decimals(b->led[i].amount);
		if (d > b->dc.dec[DC_AMOUNT])
			b->dc.dec[DC_AMOUNT] = d;
	}
	for (size_t i = 0; i < b->nled; i++) {
		for (int c = 0; c < DC_N; c++) {
			ledger_cell(&b->dc, &b->led[i], c, cell, sizeof cell);
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
			int d = eok_decimals(v[k]) > 0 ? 1 : 0;
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
			line_cell(&b->lc, l, c, cell, sizeof cell);
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
			tenant_cell(t, c, cell, sizeof cell);
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
 * The cache's PRAGMA data_version on this connection: it changes when
 * another connection (the collector, `opsdeck budget import`) commits.
 * -1 when it cannot be read.
 */
static int64_t
cache_version(struct store *st)
{
	sqlite3_stmt *s;
	int64_t v = -1;

	if (sqlite3_prepare_v2(store_db(st), "PRAGMA data_version", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
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
ui_budgets_refresh(struct ui *u)
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
		version = cache_version(u->store);
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
	int32_t today = budget_day_from_wall_ms(now_wall_ms());
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
	if (!b->drill && !selectable(b, u->pane[PANE_BUDGETS].sel))
		bud_select(b, &u->pane[PANE_BUDGETS], u->pane[PANE_BUDGETS].sel, 1);
	if (b->drill) {
		if (b->plan == NULL || budget_find_programme(b->plan, b->d_prog) == NULL)
			ui_budgets_back(u);
		else
			ledger_load(u, b);
	}
}

/*
 * Contract: Esc on the Budgets pane: leaves the drill-down. Returns 1 when
 * there was one (the key is used), else 0.
 */
int
ui_budgets_back(struct ui *u)
{
	struct ui_budgets *b = u->budgets;
	struct pane *p = &u->pane[PANE_BUDGETS];

	if (b == NULL || !b->drill)
		return 0;
	b->drill = 0;
	ledger_drop(b);
	p->sel = b->back_sel;
	p->top = b->back_top;
	p->dirty = 1;
	return 1;
}

/* Contract: frees the pane's state (ui_free_state). */
void
ui_budgets_free(struct ui *u)
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

	over_mark(l->remaining < 0, l->over_burn, &role);
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
		line_cell(cs, l, c, cell, sizeof cell);
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

	over_mark(alloc > 0 && used > alloc, t->over_burn, &role);
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
		tenant_cell(t, c, cell, sizeof cell);
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
	eok_cell(tot, sizeof tot, r->total, eok_decimals(r->total) ? 1 : 0);
	eok_cell(sp, sizeof sp, r->spent, eok_decimals(r->spent) ? 1 : 0);
	eok_cell(left, sizeof left, r->total - r->spent,
	    eok_decimals(r->total - r->spent) ? 1 : 0);
	pct_cell(pct, sizeof pct, r->total > 0 ? (double)r->spent * 100.0 / (double)r->total : -1);
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
		ui_putf(w, 1, 2 + x, iw - x, u->attr[THEME_DIM],
		    "  as of %s  (plan %s \xe2\x80\x93 %s)", s3, s1, s2);
	else
		ui_putf(w, 1, 2 + x, iw - x, u->attr[THEME_DIM], "  as of %s", s3);
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
		eok_cell(pv, sizeof pv, r->total_with_private,
		    eok_decimals(r->total_with_private) ? 1 : 0);
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
	cols_layout(&b->lc, 2, iw, lmin);
	cols_layout(&b->tc, 2, iw, tmin);
	if (p->sel >= (int)b->nrows)
		p->sel = (int)b->nrows - 1;
	if (p->sel < 0)
		p->sel = 0;
	if (p->top > p->sel)
		p->top = p->sel;
	if (p->sel >= p->top + vis)
		p->top = p->sel - vis + 1;
	if (p->top > (int)b->nrows - vis)
		p->top = (int)b->nrows - vis;
	if (p->top < 0)
		p->top = 0;
	/* a section heading at the top is the sticky one: no need to repeat it */
	while (p->top < p->sel && (b->rows[p->top].kind == BROW_BLANK ||
	    b->rows[p->top].kind == BROW_THEAD))
		p->top++;
	p->nlines = (int)b->nrows;
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
			eok_cell(a, sizeof a, b->rep.unknown_spent, 1);
			ui_putf(p->win, y, 2, iw, u->attr[THEME_WARN],
			    "\xe2\x96\xb2 %s spent on programmes or items no longer in the "
			    "plan", a);
			break;
		}
		case BROW_BLANK:
			break;
		}
	}
	if ((int)b->nrows > vis) {
		char pos[32];
		snprintf(pos, sizeof pos, " %d-%d/%zu ", p->top + 1,
		    p->top + vis < (int)b->nrows ? p->top + vis : (int)b->nrows, b->nrows);
		ui_put(p->win, p->h - 1, p->w - 2 - text_swidth(pos), text_swidth(pos), pos,
		    u->attr[THEME_BORDER]);
	}
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
			eok_cell(a, sizeof a, l->allocated, eok_decimals(l->allocated));
			eok_cell(s, sizeof s, l->spent, eok_decimals(l->spent));
			eok_cell(r, sizeof r, l->remaining, eok_decimals(l->remaining));
			pct_cell(pct, sizeof pct, l->rate_pct);
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
	if (p->top > (int)b->nled - vis)
		p->top = (int)b->nled - vis;
	if (p->top < 0)
		p->top = 0;
	p->nlines = (int)b->nled;
	for (int i = 0; i < vis && p->top + i < (int)b->nled; i++) {
		const struct budget_ledger_line *g = &b->led[p->top + i];
		for (int c = 0; c < DC_N; c++) {
			if (!cs->on[c])
				continue;
			ledger_cell(cs, g, c, cell, sizeof cell);
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
	if ((int)b->nled > vis) {
		char pos[32];
		snprintf(pos, sizeof pos, " %d-%d/%zu ", p->top + 1,
		    p->top + vis < (int)b->nled ? p->top + vis : (int)b->nled, b->nled);
		ui_put(w, p->h - 1, p->w - 2 - text_swidth(pos), text_swidth(pos), pos,
		    u->attr[THEME_BORDER]);
	}
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
		ui_budgets_refresh(u);
		b = u->budgets;
	}
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

static int
selectable(const struct ui_budgets *b, int i)
{
	return i >= 0 && i < (int)b->nrows &&
	    (b->rows[i].kind == BROW_LINE || b->rows[i].kind == BROW_TENANT);
}

/* Moves the selection to row `to`, or the nearest selectable row in direction dir. */
static void
bud_select(struct ui_budgets *b, struct pane *p, int to, int dir)
{
	if (b->nrows == 0)
		return;
	if (to < 0)
		to = 0;
	if (to >= (int)b->nrows)
		to = (int)b->nrows - 1;
	int i = to;
	while (i >= 0 && i < (int)b->nrows && !selectable(b, i))
		i += dir;
	if (!selectable(b, i)) {
		for (i = to; i >= 0 && i < (int)b->nrows && !selectable(b, i); i -= dir)
			;
		if (!selectable(b, i))
			return;
	}
	/* show the section heading above the first row */
	if (i <= 1)
		p->top = 0;
	p->sel = i;
	p->dirty = 1;
}

/* Enter on a programme or item: its ledger lines. */
static void
bud_drill(struct ui *u, struct ui_budgets *b, struct pane *p)
{
	if (!selectable(b, p->sel))
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
	ledger_load(u, b);
	p->dirty = 1;
}

/* j k PgDn PgUp g G scroll or select, Enter drills down, Backspace goes back. */
static int
budgets_key(struct ui *u, struct pane *p, int key)
{
	struct ui_budgets *b = u->budgets;
	int vis = p->h - 2 - 3;

	if (b == NULL)
		return 0;
	if (vis < 1)
		vis = 1;
	if (b->drill) {
		int max = (int)b->nled - vis;
		switch (key) {
		case 'j': case KEY_DOWN:
			p->top++;
			break;
		case 'k': case KEY_UP:
			p->top--;
			break;
		case KEY_NPAGE: case 6:
			p->top += vis;
			break;
		case KEY_PPAGE: case 2:
			p->top -= vis;
			break;
		case 'g': case KEY_HOME:
			p->top = 0;
			break;
		case 'G': case KEY_END:
			p->top = max;
			break;
		case KEY_BACKSPACE: case 127: case 8:
			ui_budgets_back(u);
			return 1;
		case '\n': case '\r': case KEY_ENTER:
			return 1;
		default:
			return 0;
		}
		if (p->top > max)
			p->top = max;
		if (p->top < 0)
			p->top = 0;
		p->dirty = 1;
		return 1;
	}
	if (b->plan == NULL) {
		if (key == '\n' || key == '\r' || key == KEY_ENTER)
			return 1;
		return 0;
	}
	switch (key) {
	case 'j': case KEY_DOWN:
		bud_select(b, p, p->sel + 1, 1);
		return 1;
	case 'k': case KEY_UP:
		bud_select(b, p, p->sel - 1, -1);
		return 1;
	case KEY_NPAGE: case 6:		/* ^F */
		bud_select(b, p, p->sel + vis, 1);
		return 1;
	case KEY_PPAGE: case 2:		/* ^B */
		bud_select(b, p, p->sel - vis, -1);
		return 1;
	case 'g': case KEY_HOME:
		bud_select(b, p, 0, 1);
		return 1;
	case 'G': case KEY_END:
		bud_select(b, p, (int)b->nrows - 1, -1);
		return 1;
	case '\n': case '\r': case KEY_ENTER:
		bud_drill(u, b, p);
		return 1;
	default:
		return 0;
	}
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
	if (!selectable(b, i))
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
};
