/*
 * pane_budgets.c: the Budgets pane: allocation against spending per
 * programme and tenant. Until a budget plan is configured (`budget:` in the
 * configuration) it says so instead of inventing figures.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "opsdeck/ui_priv.h"

/* The configured plan, or "no budget configured". */
static void
budgets_draw(struct ui *u, struct pane *p)
{
	const struct config *cfg = u->o->cfg;

	ui_box(u, p, u->focus == PANE_BUDGETS, NULL);
	if (cfg == NULL || cfg->budget == NULL) {
		ui_put(p->win, 1, 2, p->w - 4, "no budget configured", u->attr[THEME_DIM]);
		return;
	}
	ui_put(p->win, 1, 2, p->w - 4, "budget plan:", u->attr[THEME_HEADER]);
	ui_put_remote(p->win, 1, 15, p->w - 17, cfg->budget, u->attr[THEME_NORMAL]);
	ui_put(p->win, 2, 2, p->w - 4, "ledger not loaded in this version", u->attr[THEME_DIM]);
}

/* No keys of its own yet. */
static int
budgets_key(struct ui *u, struct pane *p, int key)
{
	return 0;
}

const struct pane_ops pane_budgets_ops = {
	.name = "Budgets",
	.draw = budgets_draw,
	.key = budgets_key,
	.click = NULL,
};
