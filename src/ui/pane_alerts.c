/*
 * pane_alerts.c: the Alerts pane: the cache's alert log (alert_store_list:
 * active ones first, then those cleared in the last hour, newest first), one
 * line each: severity glyph and word, age, host (and device), message, a
 * mark when acknowledged; cleared ones dimmed with their clear time. With an
 * older cache that has no alert log (or none), the hosts' alerts evaluated
 * by the collector's rules (u->alerts_local) are shown the same way.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "opsdeck/ui_priv.h"

/* One alert on row y; `focused` takes the selection role throughout. */
static void
draw_calert(struct ui *u, struct pane *p, int y, const struct alert *a, int focused)
{
	int64_t now = now_wall_ms();
	int inner = p->w - 2, x = 1, cleared = a->cleared_ms > 0;
	int snoozed = alert_snoozed(a, now);
	char when[32], age[16], buf[64];
	/* a snoozed alert is no longer highlighted as active: dimmed, as a cleared one */
	enum theme_role r = cleared || snoozed ? THEME_DIM : a->sev == ALERT_CRIT ? THEME_CRIT :
	    a->sev == ALERT_WARN ? THEME_WARN : THEME_DIM;
	attr_t base = focused ? u->attr[THEME_SELECTION] :
	    u->attr[cleared || snoozed ? THEME_DIM : THEME_NORMAL];
#define ROLE(ro) (focused ? base : u->attr[(ro)])

	if (focused)
		ui_fill(p->win, y, 1, inner, base);
	snprintf(buf, sizeof buf, "%s %s", a->sev == ALERT_CRIT ? "\xe2\x9c\x96" :
	    a->sev == ALERT_WARN ? "\xe2\x96\xb2" : "\xc2\xb7",
	    a->sev == ALERT_CRIT ? "CRIT" : a->sev == ALERT_WARN ? "WARN" : "INFO");
	x += ui_put(p->win, y, x, 7, buf, ROLE(r) | (cleared || snoozed ? 0 : A_BOLD)) + 1;
	ui_age(age, sizeof age, now - a->raised_ms);
	ui_fit_right(p->win, y, x, 4, age, ROLE(THEME_DIM));
	x += 5;
	x += ui_put(p->win, y, x, 2, a->ack_ms > 0 ? "\xe2\x9c\x93" : " ",
	    ROLE(THEME_OK) | A_BOLD) + 1;
	x += ui_put_remote(p->win, y, x, 24, a->host, base | (cleared || snoozed ? 0 : A_BOLD));
	if (a->device[0] != '\0') {
		x += ui_put(p->win, y, x, 1, "/", base);
		x += ui_put_remote(p->win, y, x, 16, a->device, base);
	}
	x += ui_put(p->win, y, x, 1, " ", base);
	if (cleared) {
		time_format(a->cleared_ms, 0, when, sizeof when);
		x += ui_putf(p->win, y, x, inner - x + 1, base, "cleared %s  ",
		    strlen(when) > 11 ? when + 11 : when);
	} else if (snoozed) {
		time_format_near(a->snooze_until_ms, now, when, sizeof when);
		x += ui_putf(p->win, y, x, inner - x + 1, base, "snoozed until %s  ", when);
	}
	ui_put_remote(p->win, y, x, inner - x + 1, a->message,
	    ROLE(cleared || snoozed ? THEME_DIM : r));
#undef ROLE
}

/* The alerts, active first; `extra` counts the active ones. */
static void
alerts_draw(struct ui *u, struct pane *p)
{
	char extra[128];
	int vis = p->h - 2, inner = p->w - 2;
	size_t active = 0, crit = 0, snoozed = 0, n = u->alerts.n;
	int64_t now = now_wall_ms();

	for (size_t i = 0; i < n; i++) {
		const struct alert *a = &u->alerts.v[i];
		if (alert_snoozed(a, now)) {
			snoozed++;	/* not counted active until its snooze ends */
		} else if (a->cleared_ms == 0) {
			active++;
			crit += a->sev == ALERT_CRIT;
		}
	}
	if (snoozed > 0)
		snprintf(extra, sizeof extra, "%zu active, %zu critical, %zu snoozed, %zu cleared",
		    active, crit, snoozed, n - active - snoozed);
	else
		snprintf(extra, sizeof extra, "%zu active, %zu critical, %zu cleared", active,
		    crit, n - active);
	ui_box(u, p, u->focus == PANE_ALERTS, n ? extra : NULL);
	panel_fit(p, (int)n, vis, 1);
	panel_footer(u, p, NULL);
	if (n == 0) {
		ui_put(p->win, 1, 2, inner - 1, "no alerts", u->attr[THEME_OK]);
		return;
	}
	for (int i = 0; i < vis && p->top + i < (int)n; i++)
		draw_calert(u, p, 1 + i, &u->alerts.v[p->top + i],
		    u->focus == PANE_ALERTS && p->top + i == p->sel);
}

/*
 * Enter on an alert: a device alert selects the device in the Devices
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

/* Enter selects the alert's host or device; `a` acknowledges it (the panel moves). */
static int
alerts_key(struct ui *u, struct pane *p, int key)
{
	switch (key) {
	case 'a':
		ui_ack_start(u);
		return 1;
	case '\n': case '\r': case KEY_ENTER:
		if (p->sel >= 0 && p->sel < (int)u->alerts.n)
			alerts_enter(u, &u->alerts.v[p->sel]);
		return 1;
	default:
		return 0;
	}
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
