/*
 * budget_view.h: what the Budgets pane's two files share (src/ui/ only).
 * budget_view.c owns the pane's data (struct ui_budgets: the plan, the
 * cache's facts, the report, the rows of the list, the drill-down's ledger
 * lines), formats its cells and fits its columns; pane_budgets.c draws it
 * and handles keys. Dependencies go one way: pane_budgets.c -> budget_view.c.
 */
#ifndef OPSDECK_UI_BUDGET_VIEW_H
#define OPSDECK_UI_BUDGET_VIEW_H

#include <stdint.h>
#include <sys/stat.h>

#include "opsdeck/budget.h"
#include "opsdeck/ui_priv.h"

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

/* Formatting: a cell of dst[len], fitted to the column's decimals. */
int  bview_eok_decimals(int64_t krw);
void bview_eok_cell(char *dst, size_t len, int64_t krw, int dec);
void bview_pct_cell(char *dst, size_t len, double v);
const char *bview_over_mark(int over, int burn, enum theme_role *role);
void bview_line_cell(const struct bcols *cs, const struct budget_line *l, int c, char *dst,
	    size_t len);
void bview_tenant_cell(const struct budget_tenant_line *t, int c, char *dst, size_t len);
void bview_ledger_cell(const struct bcols *cs, const struct budget_ledger_line *g, int c,
	    char *dst, size_t len);
void bview_cols_layout(struct bcols *cs, int x0, int width, int name_min);

/* Data: the pane's reread, back and free ops; the drill-down's ledger lines. */
void bview_refresh(struct ui *u, struct pane *p);
int  bview_back(struct ui *u, struct pane *p);
void bview_free(struct ui *u, struct pane *p);
void bview_ledger_load(struct ui *u, struct ui_budgets *b);

/* Selection: rows that can be selected (lines and tenants), moving to one. */
int  bview_selectable(const struct ui_budgets *b, int i);
void bview_select(struct ui_budgets *b, struct pane *p, int to, int dir);

#endif
