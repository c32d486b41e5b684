/*
 * pane_alerts.c: the Alerts pane: the cache's alert log (alert_store_list:
 * active ones first, then those cleared in the last hour, newest first), one
 * line each: severity glyph and word, age, host (and device), message, a
 * mark when acknowledged; cleared ones dimmed with their clear time. With an
 * older cache that has no alert log, the alerts derived here from host
 * states and thresholds are shown instead.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "opsdeck/ui_priv.h"

static size_t
alerts_count(const struct ui *u)
{
	return u->calerts_ok ? u->calerts.n : u->nalerts;
}

/* One cache alert on row y; `focused` takes the selection role throughout. */
static void
draw_calert(struct ui *u, struct pane *p, int y, const struct alert *a, int focused)
{
	int inner = p->w - 2, x = 1, cleared = a->cleared_ms > 0;
	char when[32], age[16], buf[64];
	enum theme_role r = cleared ? THEME_DIM : a->sev == ALERT_CRIT ? THEME_CRIT :
	    a->sev == ALERT_WARN ? THEME_WARN : THEME_DIM;
	attr_t base = focused ? u->attr[THEME_SELECTION] :
	    u->attr[cleared ? THEME_DIM : THEME_NORMAL];
#define ROLE(ro) (focused ? base : u->attr[(ro)])

	if (focused)
		ui_fill(p->win, y, 1, inner, base);
	snprintf(buf, sizeof buf, "%s %s", a->sev == ALERT_CRIT ? "\xe2\x9c\x96" :
	    a->sev == ALERT_WARN ? "\xe2\x96\xb2" : "\xc2\xb7",
	    a->sev == ALERT_CRIT ? "CRIT" : a->sev == ALERT_WARN ? "WARN" : "INFO");
	x += ui_put(p->win, y, x, 7, buf, ROLE(r) | (cleared ? 0 : A_BOLD)) + 1;
	ui_age(age, sizeof age, now_wall_ms() - a->raised_ms);
	ui_fit_right(p->win, y, x, 4, age, ROLE(THEME_DIM));
	x += 5;
	x += ui_put(p->win, y, x, 2, a->ack_ms > 0 ? "\xe2\x9c\x93" : " ",
	    ROLE(THEME_OK) | A_BOLD) + 1;
	x += ui_put_remote(p->win, y, x, 24, a->host, base | (cleared ? 0 : A_BOLD));
	if (a->device[0] != '\0') {
		x += ui_put(p->win, y, x, 1, "/", base);
		x += ui_put_remote(p->win, y, x, 16, a->device, base);
	}
	x += ui_put(p->win, y, x, 1, " ", base);
	if (cleared) {
		time_format(a->cleared_ms, 0, when, sizeof when);
		x += ui_putf(p->win, y, x, inner - x + 1, base, "cleared %s  ",
		    strlen(when) > 11 ? when + 11 : when);
	}
	ui_put_remote(p->win, y, x, inner - x + 1, a->message, ROLE(cleared ? THEME_DIM : r));
#undef ROLE
}

/* The cache's alerts, active first; `extra` counts the active ones. */
static void
calerts_draw(struct ui *u, struct pane *p)
{
	char extra[96];
	int vis = p->h - 2, inner = p->w - 2;
	size_t active = 0, crit = 0, n = u->calerts.n;

	for (size_t i = 0; i < n; i++) {
		if (u->calerts.v[i].cleared_ms == 0) {
			active++;
			crit += u->calerts.v[i].sev == ALERT_CRIT;
		}
	}
	snprintf(extra, sizeof extra, "%zu active, %zu critical, %zu cleared", active, crit,
	    n - active);
	ui_box(u, p, u->focus == PANE_ALERTS, n ? extra : NULL);
	if (n == 0) {
		ui_put(p->win, 1, 2, inner - 1, "no alerts", u->attr[THEME_OK]);
		p->nlines = 0;
		return;
	}
	if (p->sel >= (int)n)
		p->sel = (int)n - 1;
	if (p->sel < 0)
		p->sel = 0;
	if (p->sel < p->top)
		p->top = p->sel;
	if (p->sel >= p->top + vis)
		p->top = p->sel - vis + 1;
	for (int i = 0; i < vis && p->top + i < (int)n; i++)
		draw_calert(u, p, 1 + i, &u->calerts.v[p->top + i],
		    u->focus == PANE_ALERTS && p->top + i == p->sel);
	p->nlines = (int)n;
}

/* Newest alerts first, one line each: time, severity word, host, text. */
static void
alerts_draw(struct ui *u, struct pane *p)
{
	char extra[64], when[32];
	int vis = p->h - 2, inner = p->w - 2;
	size_t crit = 0;

	if (u->calerts_ok) {
		calerts_draw(u, p);
		return;
	}
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

/*
 * Enter on a cache alert: a device alert selects the device in the Devices
 * pane (switching to the devices view when that pane is hidden), a host
 * alert the host in Compute.
 */
static void
alerts_enter(struct ui *u, const struct alert *a)
{
	char cmd[HOSTNAME_MAX + 8];

	if (a->device[0] == '\0') {
		snprintf(cmd, sizeof cmd, "host %s", a->host);
		ui_command(u, cmd);
		return;
	}
	if (!ui_select_device(u, a->host, a->device)) {
		ui_message(u, 1, "device %s of %s is not in the cache", a->device, a->host);
		return;
	}
	if (u->pane[PANE_DEVICES].win == NULL || u->pane[PANE_DEVICES].h < 8)
		ui_command(u, "view devices");
	u->pane[u->focus].dirty = 1;
	u->focus = PANE_DEVICES;
	ui_dirty_all(u);
}

/* Alerts keys move a cursor; Enter selects the alert's host or device; `a` acks. */
static int
alerts_key(struct ui *u, struct pane *p, int key)
{
	int vis = p->h - 2 > 1 ? p->h - 2 : 1;
	int n = (int)alerts_count(u);

	switch (key) {
	case 'j': case KEY_DOWN: p->sel++; break;
	case 'k': case KEY_UP: p->sel--; break;
	case KEY_NPAGE: p->sel += vis; break;
	case KEY_PPAGE: p->sel -= vis; break;
	case 'g': case KEY_HOME: p->sel = 0; break;
	case 'G': case KEY_END: p->sel = n - 1; break;
	case 'a':
		ui_ack_start(u);
		return 1;
	case '\n': case '\r': case KEY_ENTER:
		if (u->calerts_ok) {
			if (p->sel >= 0 && p->sel < n)
				alerts_enter(u, &u->calerts.v[p->sel]);
			return 1;
		}
		if (p->sel >= 0 && p->sel < (int)u->nalerts) {
			char cmd[HOSTNAME_MAX + 8];
			snprintf(cmd, sizeof cmd, "host %s", u->alerts[p->sel].host);
			ui_command(u, cmd);
		}
		return 1;
	default:
		return 0;
	}
	if (p->sel >= n)
		p->sel = n - 1;
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
