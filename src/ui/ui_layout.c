/*
 * ui_layout.c: where the panes go and which one has the focus: the view
 * presets (all, compute, devices, budgets) and zoom, laid out from LINES and
 * COLS with a window per visible pane; focus moves in Tab order; Detail
 * shown on Enter; the status line's message and the dirty marks a frame
 * redraws. Knows panes only as entries of u->pane; calls no pane and draws
 * nothing (the loop does).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "opsdeck/ui_priv.h"

/* Sets the status line's message (err: in the error role) until the next key. */
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

/* Marks every pane and the status line for the next frame. */
void
ui_dirty_all(struct ui *u)
{
	for (int i = 0; i < PANE_COUNT; i++)
		u->pane[i].dirty = 1;
	u->status_dirty = 1;
}

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
	if (u->help.win != NULL) {
		delwin(u->help.win);
		u->help.win = NULL;
	}
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

/* Tab order: the host list, its detail, the test beds, budgets, alerts. */
static const int focus_order[PANE_COUNT] = {
	PANE_COMPUTE, PANE_DETAIL, PANE_DEVICES, PANE_BUDGETS, PANE_ALERTS,
};

/* Moves the focus dir (+1/-1) steps along focus_order, skipping hidden panes. */
void
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

/* Switches the view preset (keys 1-4, :view) and re-lays the screen. */
void
ui_set_view(struct ui *u, int v)
{
	u->view = v;
	u->zoom = 0;
	u->focus = ui_view_focus(v);
	ui_layout(u);
	ui_dirty_all(u);
}
