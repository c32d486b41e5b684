/*
 * pane_devices.c: the Devices pane: test-bed controllers grouped by sector
 * with counts per device state, and the devices behind them (state glyph and
 * word, name, id, time in the state, two key metrics, message, a mark when
 * acknowledged). Everything comes from the cache (devices_store_view), re-read
 * on each collector tick; `:state`, `:sector`, `:kind` narrow the query and
 * `/` with this pane focused filters names and ids. `a` acknowledges the
 * selected device with a note. The data, rows and selection are
 * ui_devices.c's; this file draws them and moves the selection.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/sanitize.h"
#include "opsdeck/store.h"
#include "opsdeck/textwidth.h"
#include "opsdeck/ui_priv.h"

/* ---- drawing ------------------------------------------------------------- */

/* "46.0°C", "212.5 Mbit/s", "-" for a null reading. */
static void
metric_fmt(char *buf, size_t len, const struct device_metric *m)
{
	char unit[TESTBED_UNIT_MAX + 1];
	double v = m->value, a = fabs(v);

	sanitize_text(unit, sizeof unit, m->unit, strlen(m->unit));
	if (isnan(v)) {
		snprintf(buf, len, "-");
		return;
	}
	int alpha = (unit[0] >= 'A' && unit[0] <= 'Z') || (unit[0] >= 'a' && unit[0] <= 'z');
	const char *sp = alpha ? " " : "";
	if (a == floor(a) || a >= 1000)
		snprintf(buf, len, "%.0f%s%s", v, sp, unit);
	else if (a >= 1)
		snprintf(buf, len, "%.1f%s%s", v, sp, unit);
	else
		snprintf(buf, len, "%.3g%s%s", v, sp, unit);
}

/* Column widths of device rows for an inner width; 0: not shown. */
struct dcols {
	int mark, state, name, id, since, metrics;
};

static void
dcols_fit(struct dcols *c, int inner)
{
	memset(c, 0, sizeof *c);
	c->mark = 2;
	c->state = 14;
	c->name = inner >= 100 ? inner / 5 : inner >= 70 ? 22 : 16;
	if (c->name > 36)
		c->name = 36;
	c->since = 6;
	if (inner >= 60)	/* the id is what people type and search: kept at 80x24 */
		c->id = 12;
	else if (inner >= 38) {
		/* half of 80 columns (the all view): the state's glyph alone keeps the id */
		c->state = 2;
		c->id = 12;
	}
	if (inner >= 110)
		c->metrics = 24;
}

/* "● 2 ok  ▲ 1 degraded ..." of counts (the states with devices). */
static void
counts_fmt(char *buf, size_t len, const size_t *counts)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int s = 0; s < DEVICE_STATE_COUNT && o < len; s++) {
		if (counts[s] == 0)
			continue;
		int n = snprintf(buf + o, len - o, "%s%s %zu %s", o ? "  " : "", ui_dev_glyph(s),
		    counts[s], device_state_name(s));
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

/* A sector header: name, controllers, devices, counts per state. */
static void
draw_sector(struct ui *u, WINDOW *w, int y, int inner, const struct sector_row *s,
    const struct ui_drow *r)
{
	char buf[512], counts[320], name[64];
	attr_t a = u->attr[THEME_GROUP];

	sanitize_text(name, sizeof name, s->sector, strlen(s->sector));
	counts_fmt(counts, sizeof counts, s->counts);
	snprintf(buf, sizeof buf, "\xe2\x96\xbe %s  %zu controller%s, %zu device%s  %s",
	    name[0] ? name : "(no report yet)", s->ncontrollers, s->ncontrollers == 1 ? "" : "s",
	    s->ndevices, s->ndevices == 1 ? "" : "s", counts);
	if (ui_dev_filtered(u)) {
		size_t l = strlen(buf);
		snprintf(buf + l, sizeof buf - l, "  (%zu shown)", r->shown);
	}
	ui_fill(w, y, 1, inner, a);
	ui_put(w, y, 1, inner, buf, a | A_BOLD);
}

/* The host entry of a controller (its state as a host), or NULL. */
static const struct host_status *
controller_host(const struct ui *u, const char *name)
{
	for (size_t i = 0; i < u->nhosts; i++)
		if (strcmp(u->hosts[i].name, name) == 0)
			return &u->hosts[i];
	return NULL;
}

/* A controller line: host state, name, reported id, site, devices, error. */
static void
draw_controller(struct ui *u, WINDOW *w, int y, int inner, const struct controller_row *c)
{
	const struct host_status *h = controller_host(u, c->controller);
	char buf[512], age[16];
	int x = 3;
	enum theme_role role;

	if (h != NULL) {
		snprintf(buf, sizeof buf, "%s %s", ui_state_glyph(h->state),
		    host_state_name(h->state));
		role = ui_state_role(h->state);
	} else {
		snprintf(buf, sizeof buf, "%s", c->reachable ? "\xe2\x97\x8f up" :
		    "\xe2\x9c\x96 no report");
		role = c->reachable ? THEME_OK : THEME_CRIT;
	}
	x += ui_put(w, y, x, 16, buf, u->attr[role]) + 1;
	x += ui_put_remote(w, y, x, 24, c->controller, u->attr[THEME_NORMAL] | A_BOLD) + 1;
	if (c->report_id[0] != '\0' && strcmp(c->report_id, c->controller) != 0)
		x += ui_putf(w, y, x, inner - x, u->attr[THEME_DIM], "[%s] ", c->report_id);
	if (c->site[0] != '\0' && x < inner)	/* at most 30 cells, never past the border */
		x += ui_put_remote(w, y, x, OD_MIN(30, inner - x), c->site, u->attr[THEME_DIM]) + 1;
	x += ui_putf(w, y, x, inner - x, u->attr[THEME_DIM], " %zu device%s", c->ndevices,
	    c->ndevices == 1 ? "" : "s");
	if (c->reported_ms > 0) {
		ui_age(age, sizeof age, now_wall_ms() - c->reported_ms);
		x += ui_putf(w, y, x, inner - x, u->attr[THEME_DIM], ", report %s ago", age);
	}
	if (!c->reachable && c->error[0] != '\0') {
		x += ui_put(w, y, x, inner - x, "  ", u->attr[THEME_CRIT]);
		ui_put_remote(w, y, x, inner - x + 1, c->error, u->attr[THEME_CRIT]);
	}
}

/* A device row in the columns of c; remote strings are sanitised. */
static void
draw_device(struct ui *u, WINDOW *w, int y, int inner, const struct dcols *c,
    const struct device_row *r, int selected)
{
	const struct device *d = &r->dev;
	attr_t sel = u->attr[THEME_SELECTION];
	char buf[128], cell[256];
	int x = 1;
#define ROLE(ro) (selected ? sel : u->attr[(ro)])

	if (selected)
		ui_fill(w, y, 1, inner, sel);
	/* ✓ the current state is acknowledged, · an earlier one was */
	ui_put(w, y, x, c->mark, r->acked ? "\xe2\x9c\x93" : r->ack.note != NULL ?
	    "\xc2\xb7" : " ", ROLE(THEME_OK) | A_BOLD);
	x += c->mark;
	snprintf(buf, sizeof buf, "%s%s%s", ui_dev_glyph(d->state), c->state > 2 ? " " : "",
	    c->state > 2 ? device_state_name(d->state) : "");	/* narrow: the glyph */
	ui_put(w, y, x, c->state - 1, buf, ROLE(ui_dev_role(d->state)) |
	    (d->state == DEVICE_FAULT ? A_BOLD : 0));
	x += c->state;
	/* fixed cells so wide (Korean) names keep the next columns aligned */
	sanitize_text(cell, sizeof cell, d->name, strlen(d->name));
	ui_put(w, y, x, c->name - 1, cell, ROLE(THEME_NORMAL));
	x += c->name;
	if (c->id) {
		ui_put_remote(w, y, x, c->id - 1, d->id, ROLE(THEME_DIM));
		x += c->id;
	}
	if (d->since_ms > 0) {
		ui_age(buf, sizeof buf, now_wall_ms() - d->since_ms);
		ui_fit_right(w, y, x, c->since - 1, buf, ROLE(THEME_DIM));
	}
	x += c->since;
	if (c->metrics) {
		char m1[48] = "", m2[48] = "";
		if (d->nmetrics > 0)
			metric_fmt(m1, sizeof m1, &d->metrics[0]);
		if (d->nmetrics > 1)
			metric_fmt(m2, sizeof m2, &d->metrics[1]);
		snprintf(cell, sizeof cell, "%s%s%s", m1, m2[0] ? "  " : "", m2);
		ui_put(w, y, x, c->metrics - 1, cell, ROLE(THEME_NORMAL));
		x += c->metrics;
	}
	if (x <= inner)
		ui_put_remote(w, y, x, inner - x + 1, d->message,
		    ROLE(d->state == DEVICE_OK ? THEME_DIM : ui_dev_role(d->state)));
#undef ROLE
}

/*
 * No device in the cache (no report yet, or a cache without the device
 * tables): the test-bed controller hosts with their state and group, or the
 * reason there are none.
 */
static void
draw_controller_hosts(struct ui *u, struct pane *p)
{
	int y = 1, inner = p->w - 2, n = 0;

	for (size_t i = 0; i < u->nhosts; i++) {
		const struct host_status *h = &u->hosts[i];
		if (h->kind != GROUP_TESTBED)
			continue;
		n++;
		if (y - 1 < p->top || y - p->top >= p->h - 1) {
			y++;
			continue;
		}
		int row = y - p->top, x = 1;
		char buf[64];
		snprintf(buf, sizeof buf, "%s %s", ui_state_glyph(h->state),
		    ui_state_word(h->state));
		int nw = inner / 3 > 24 ? 24 : inner / 3;
		ui_put(p->win, row, x, 10, buf, u->attr[ui_state_role(h->state)]);
		x += 11;
		ui_put_remote(p->win, row, x, nw, h->name, u->attr[THEME_NORMAL]);
		x += nw + 1;
		ui_put_remote(p->win, row, x, nw, h->group, u->attr[THEME_DIM]);
		x += nw + 1;
		ui_put(p->win, row, x, inner - x + 1, "no device report yet", u->attr[THEME_DIM]);
		y++;
	}
	if (panel_fit(p, n, p->h - 2, 0))
		p->dirty = 1;
	panel_footer(u, p, NULL);
	if (n == 0)
		ui_put(p->win, 1, 2, inner - 2, "no test-bed controllers configured",
		    u->attr[THEME_DIM]);
}

/*
 * The pane: border with counts and filters, column header, then the rows
 * from p->top, scrolled so the selection shows.
 */
static void
devices_draw(struct ui *u, struct pane *p)
{
	char extra[512];
	/* a pane of one or two lines has no column header */
	int inner = p->w - 2, header = p->h - 2 >= 3, vis = p->h - 2 - header;
	size_t total = 0;
	struct dcols c;

	for (size_t s = 0; s < u->dv.nsectors; s++)
		total += u->dv.sectors[s].ndevices;
	if (ui_dev_filtered(u)) {
		char f[200] = "";
		size_t l = 0;
		for (int s = 0; s < DEVICE_STATE_COUNT; s++)
			if (u->dev_states & (1u << s))
				l += (size_t)snprintf(f + l, sizeof f - l, "%s%s",
				    l ? "," : "state ", device_state_name(s));
		if (u->dev_sector[0] && l < sizeof f)
			l += (size_t)snprintf(f + l, sizeof f - l, "%ssector %s", l ? " " : "",
			    u->dev_sector);
		if (u->dev_kind[0] && l < sizeof f)
			l += (size_t)snprintf(f + l, sizeof f - l, "%skind %s", l ? " " : "",
			    u->dev_kind);
		/* the `/` text is the footer's (panel_footer) */
		snprintf(extra, sizeof extra, "%zu/%zu devices, %s", u->ndev_shown, total,
		    l > 0 ? f : "filter");
	} else {
		snprintf(extra, sizeof extra, "%zu device%s, %zu controller%s", total,
		    total == 1 ? "" : "s", u->dv.ncontrollers, u->dv.ncontrollers == 1 ? "" : "s");
	}
	ui_box(u, p, u->focus == PANE_DEVICES, u->dv.ncontrollers > 0 ? extra : NULL);
	if (vis < 1)
		return;
	if (u->ndrows == 0) {
		if (ui_dev_filtered(u)) {
			ui_put(p->win, 1, 2, inner - 2, "no device matches the filter "
			    "(:state all clears)", u->attr[THEME_DIM]);
			panel_fit(p, 0, vis, 1);
			panel_footer(u, p, u->dev_filter);
		} else {
			draw_controller_hosts(u, p);
		}
		return;
	}
	dcols_fit(&c, inner);
	if (header) {
		attr_t ha = u->attr[THEME_HEADER];
		int x = 1 + c.mark;
		ui_fill(p->win, 1, 1, inner, ha);
		ui_put(p->win, 1, x, c.state, c.state > 2 ? "STATE" : "", ha);
		x += c.state;
		ui_put(p->win, 1, x, c.name, "NAME", ha);
		x += c.name;
		if (c.id) {
			ui_put(p->win, 1, x, c.id, "ID", ha);
			x += c.id;
		}
		ui_fit_right(p->win, 1, x, c.since - 1, "SINCE", ha);
		x += c.since;
		if (c.metrics) {
			ui_put(p->win, 1, x, c.metrics, "METRICS", ha);
			x += c.metrics;
		}
		if (x <= inner)
			ui_put(p->win, 1, x, inner - x + 1, "MESSAGE", ha);
	}
	/*
	 * Unfocused, the pane does not scroll to its selection: it opens at its
	 * first sector's header (a pane of one row at 80x24 shows the sector's
	 * counts, not its first device); focused, the selection shows.
	 */
	panel_fit(p, (int)u->ndrows, vis, u->focus == PANE_DEVICES);
	panel_footer(u, p, u->dev_filter);
	for (int i = 0; i < vis && p->top + i < (int)u->ndrows; i++) {
		const struct ui_drow *r = &u->drows[p->top + i];
		int y = 1 + header + i;
		switch (r->kind) {
		case DROW_SECTOR:
			draw_sector(u, p->win, y, inner, &u->dv.sectors[r->idx], r);
			break;
		case DROW_CONTROLLER:
			draw_controller(u, p->win, y, inner, &u->dv.controllers[r->idx]);
			break;
		case DROW_DEVICE:
			draw_device(u, p->win, y, inner, &c, &u->dv.devices[r->idx],
			    u->focus == PANE_DEVICES && p->top + i == p->sel);
			break;
		}
	}
}

/* Enter shows the selected device in Detail; `a` acknowledges it. */
static int
devices_key(struct ui *u, struct pane *p, int key)
{
	(void)p;
	switch (key) {
	case '\n': case '\r': case KEY_ENTER:
		if (ui_selected_device(u) != NULL)
			ui_show_detail(u, 1);
		return 1;
	case 'a':
		ui_ack_start(u);
		return 1;
	default:
		return 0;
	}
}

/* The panel's selection: sector and controller lines are skipped (ui_select_drow). */
static void
devices_select(struct ui *u, struct pane *p, int row)
{
	(void)p;
	ui_select_drow(u, row);
}

/* A click on a row selects it (row 0 is the header). */
static void
devices_click(struct ui *u, struct pane *p, int row)
{
	int header = p->h - 2 >= 3;

	if (row >= header)
		ui_select_drow(u, p->top + row - header);
}

const struct pane_ops pane_devices_ops = {
	.name = "Devices",
	.draw = devices_draw,
	.key = devices_key,
	.click = devices_click,
	.select = devices_select,
};
