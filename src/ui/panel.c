/*
 * panel.c: the one scrolling list of the console, as htop's Panel. Every
 * pane and the help overlay are panels: their draw calls panel_fit() with
 * the rows they have and show, then draws from p->top; the loop hands the
 * moving keys and the mouse wheel to panel_key() and panel_wheel() before
 * the pane's own keys, so a binding does the same in every pane; the bottom
 * border (filter, position) is panel_footer()'s.
 *
 * A panel either moves a selection (p->sel; the pane's pane_ops.select
 * places it, skipping rows that cannot be selected) and scrolls so it shows,
 * or, without one (Detail, the help, a ledger), scrolls p->top.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "opsdeck/textwidth.h"
#include "opsdeck/ui_priv.h"

/*
 * Records the rows of content (nlines), the rows shown (vis) and whether
 * keys move a selection (cursor) at a draw, and brings p->top into range:
 * with a cursor so the selection shows, else so no blank page follows the
 * end. Returns 1 when p->top changed (a pane that drew already redraws).
 */
int
panel_fit(struct pane *p, int nlines, int vis, int cursor)
{
	int top = p->top;

	p->nlines = nlines > 0 ? nlines : 0;
	p->vis = vis > 1 ? vis : 1;
	p->cursor = cursor;
	if (cursor && p->nlines > 0) {
		if (p->sel >= p->nlines)
			p->sel = p->nlines - 1;
		if (p->sel < 0)
			p->sel = 0;
		if (p->sel < p->top)
			p->top = p->sel;
		if (p->sel >= p->top + p->vis)
			p->top = p->sel - p->vis + 1;
	}
	if (p->top > p->nlines - p->vis)
		p->top = p->nlines - p->vis;
	if (p->top < 0)
		p->top = 0;
	return p->top != top;
}

/*
 * Moves the selection to row `to` (clamped to the rows) through the pane's
 * select op, or sets it when the pane has none; without a cursor scrolls
 * p->top to `to` instead. Marks the pane dirty.
 */
static void
panel_goto(struct ui *u, struct pane *p, int to)
{
	if (p->cursor) {
		if (p->nlines == 0)
			return;
		if (to >= p->nlines)
			to = p->nlines - 1;
		if (to < 0)
			to = 0;
		if (p->ops != NULL && p->ops->select != NULL)
			p->ops->select(u, p, to);
		else
			p->sel = to;
	} else {
		int max = p->nlines - p->vis;
		if (to > max)
			to = max;
		p->top = to < 0 ? 0 : to;
	}
	p->dirty = 1;
}

/*
 * The moving keys, the same in every panel: j k Down Up one row, PgDn PgUp
 * ^F ^B a page, ^D ^U half a page, g G Home End the first and last row.
 * Returns 1 when key is one of them.
 */
int
panel_key(struct ui *u, struct pane *p, int key)
{
	int at = p->cursor ? p->sel : p->top, half = p->vis / 2 > 0 ? p->vis / 2 : 1;

	switch (key) {
	case 'j': case KEY_DOWN:
		panel_goto(u, p, at + 1);
		return 1;
	case 'k': case KEY_UP:
		panel_goto(u, p, at - 1);
		return 1;
	case KEY_NPAGE: case 6:		/* ^F */
		panel_goto(u, p, at + p->vis);
		return 1;
	case KEY_PPAGE: case 2:		/* ^B */
		panel_goto(u, p, at - p->vis);
		return 1;
	case 4:				/* ^D */
		panel_goto(u, p, at + half);
		return 1;
	case 21:			/* ^U */
		panel_goto(u, p, at - half);
		return 1;
	case 'g': case KEY_HOME:
		panel_goto(u, p, 0);
		return 1;
	case 'G': case KEY_END:
		panel_goto(u, p, p->cursor ? p->nlines - 1 : p->nlines);
		return 1;
	default:
		return 0;
	}
}

/* The mouse wheel: PANEL_WHEEL_ROWS rows down (dir 1) or up (dir -1). */
void
panel_wheel(struct ui *u, struct pane *p, int dir)
{
	panel_goto(u, p, (p->cursor ? p->sel : p->top) + dir * PANEL_WHEEL_ROWS);
}

/*
 * The bottom border of p->win, in the border's role (the help's in the help
 * overlay): " /FILTER " on the left when filter is not NULL or "", and
 * " FIRST-LAST/ROWS " on the right when the rows do not all show (as of the
 * last panel_fit).
 */
void
panel_footer(struct ui *u, struct pane *p, const char *filter)
{
	char pos[48];
	int y = getmaxy(p->win) - 1, w = getmaxx(p->win), pw = 0;
	attr_t a = u->attr[p == &u->help ? THEME_HELP : p == &u->pane[u->focus] ?
	    THEME_BORDER_FOCUS : THEME_BORDER];

	if (p->nlines > p->vis) {
		int last = p->top + p->vis < p->nlines ? p->top + p->vis : p->nlines;
		snprintf(pos, sizeof pos, " %d-%d/%d ", p->top + 1, last, p->nlines);
		pw = text_swidth(pos);
		if (pw <= w - 4)
			ui_put(p->win, y, w - 2 - pw, pw, pos, a);
		else
			pw = 0;
	}
	if (filter != NULL && filter[0] != '\0' && w - 4 - pw - 1 > 6)
		ui_putf(p->win, y, 2, w - 4 - pw - 1, a, " /%s ", filter);
}
