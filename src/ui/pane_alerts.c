/*
 * pane_alerts.c: the Alerts pane: hosts not up (with their error) and
 * thresholds from the configuration crossed, newest first, one line each.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "opsdeck/ui_priv.h"

/* Newest alerts first, one line each: time, severity word, host, text. */
static void
alerts_draw(struct ui *u, struct pane *p)
{
	char extra[64], when[32];
	int vis = p->h - 2, inner = p->w - 2;
	size_t crit = 0;

	for (size_t i = 0; i < u->nalerts; i++)
		crit += u->alerts[i].sev == SEV_CRIT;
	snprintf(extra, sizeof extra, "%zu, %zu critical", u->nalerts, crit);
	ui_box(u, p, u->focus == PANE_ALERTS, u->nalerts ? extra : NULL);
	if (u->nalerts == 0) {
		ui_put(p->win, 1, 2, inner - 1, u->nhosts ? "no alerts: every host is up and "
		    "within its thresholds" : "no alerts", u->attr[THEME_OK]);
		return;
	}
	if (p->sel >= (int)u->nalerts)
		p->sel = (int)u->nalerts - 1;
	if (p->sel < 0)
		p->sel = 0;
	if (p->sel < p->top)
		p->top = p->sel;
	if (p->sel >= p->top + vis)
		p->top = p->sel - vis + 1;
	for (int i = 0; i < vis && p->top + i < (int)u->nalerts; i++) {
		const struct ui_alert *a = &u->alerts[p->top + i];
		int y = 1 + i, x = 1, focused = u->focus == PANE_ALERTS && p->top + i == p->sel;
		enum theme_role r = a->sev == SEV_CRIT ? THEME_CRIT : a->sev == SEV_WARN ?
		    THEME_WARN : THEME_DIM;
		attr_t base = focused ? u->attr[THEME_SELECTION] : u->attr[THEME_NORMAL];

		if (focused)
			ui_fill(p->win, y, 1, inner, base);
		time_format(a->since_ms, 0, when, sizeof when);
		x += ui_putf(p->win, y, x, 9, focused ? base : u->attr[THEME_DIM], "%s ",
		    a->since_ms > 0 ? when + 11 : "--:--:--");
		x += ui_put(p->win, y, x, 6, a->sev == SEV_CRIT ? "CRIT " : a->sev == SEV_WARN ?
		    "WARN " : "INFO ", focused ? base : u->attr[r] | A_BOLD);
		x += ui_put_remote(p->win, y, x, 24, a->host, base | A_BOLD);
		x += ui_put(p->win, y, x, 1, " ", base);
		ui_put_remote(p->win, y, x, inner - x + 1, a->text, focused ? base : u->attr[r]);
	}
	p->nlines = (int)u->nalerts;
}

/* Alerts keys move a cursor; Enter selects the alert's host in Compute. */
static int
alerts_key(struct ui *u, struct pane *p, int key)
{
	int vis = p->h - 2 > 1 ? p->h - 2 : 1;

	switch (key) {
	case 'j': case KEY_DOWN: p->sel++; break;
	case 'k': case KEY_UP: p->sel--; break;
	case KEY_NPAGE: p->sel += vis; break;
	case KEY_PPAGE: p->sel -= vis; break;
	case 'g': case KEY_HOME: p->sel = 0; break;
	case 'G': case KEY_END: p->sel = (int)u->nalerts - 1; break;
	case '\n': case '\r': case KEY_ENTER:
		if (p->sel >= 0 && p->sel < (int)u->nalerts) {
			char cmd[HOSTNAME_MAX + 8];
			snprintf(cmd, sizeof cmd, "host %s", u->alerts[p->sel].host);
			ui_command(u, cmd);
		}
		return 1;
	default:
		return 0;
	}
	if (p->sel >= (int)u->nalerts)
		p->sel = (int)u->nalerts - 1;
	if (p->sel < 0)
		p->sel = 0;
	p->dirty = 1;
	return 1;
}

/* A click selects an alert and jumps to its host. */
static void
alerts_click(struct ui *u, struct pane *p, int row)
{
	p->sel = p->top + row;
	p->dirty = 1;
	alerts_key(u, p, '\n');
}

const struct pane_ops pane_alerts_ops = {
	.name = "Alerts",
	.draw = alerts_draw,
	.key = alerts_key,
	.click = alerts_click,
};
