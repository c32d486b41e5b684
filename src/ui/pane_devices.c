/*
 * pane_devices.c: the Devices pane: test-bed controllers grouped by sector
 * with counts per device state, and the devices behind them (state glyph and
 * word, name, id, time in the state, two key metrics, message, a mark when
 * acknowledged). Everything comes from the cache (devices_store_view), re-read
 * on each collector tick; `:state`, `:sector`, `:kind` narrow the query and
 * `/` with this pane focused filters names and ids. `a` acknowledges the
 * selected device with a note (a short-lived read-write connection, since the
 * console's own connection is read-only).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "opsdeck/acks.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/store.h"
#include "opsdeck/textwidth.h"
#include "opsdeck/ui_priv.h"

/* Glyph of a device state: shape tells it apart without colour. */
const char *
ui_dev_glyph(int s)
{
	switch (s) {
	case DEVICE_OK: return "\xe2\x97\x8f";		/* ● */
	case DEVICE_DEGRADED: return "\xe2\x96\xb2";	/* ▲ */
	case DEVICE_FAULT: return "\xe2\x9c\x96";	/* ✖ */
	case DEVICE_OFFLINE: return "\xe2\x97\x8b";	/* ○ */
	case DEVICE_MAINTENANCE: return "\xe2\x97\x86";	/* ◆ */
	case DEVICE_STALE: return "\xe2\x97\x90";	/* ◐ */
	default: return "?";
	}
}

enum theme_role
ui_dev_role(int s)
{
	switch (s) {
	case DEVICE_OK: return THEME_OK;
	case DEVICE_DEGRADED: return THEME_WARN;
	case DEVICE_FAULT: return THEME_CRIT;
	case DEVICE_OFFLINE: return THEME_WARN;
	case DEVICE_MAINTENANCE: return THEME_DIM;
	default: return THEME_STALE;
	}
}

/* ---- data ---------------------------------------------------------------- */

/* Case-insensitive (ASCII) substring test; UTF-8 bytes compare as they are. */
static int
has_text(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; *s != '\0'; s++)
		if (strncasecmp(s, needle, n) == 0)
			return 1;
	return n == 0;
}

static int
dev_match(const struct ui *u, const struct device_row *r)
{
	if (u->dev_filter[0] == '\0')
		return 1;
	return has_text(r->dev.name, u->dev_filter) || has_text(r->dev.id, u->dev_filter) ||
	    has_text(r->controller, u->dev_filter);
}

static int
dev_filtered(const struct ui *u)
{
	return u->dev_states != 0 || u->dev_sector[0] != '\0' || u->dev_kind[0] != '\0' ||
	    u->dev_filter[0] != '\0';
}

/*
 * Rebuilds the rows from u->dv: per sector a header, per controller a line,
 * then its devices that pass the text filter. With a filter, controllers and
 * sectors that show no device are left out. The selection follows
 * (dsel_ctl, dsel_id).
 */
void
ui_rebuild_drows(struct ui *u)
{
	const struct devices_view *v = &u->dv;
	size_t cap = 1 + v->nsectors + v->ncontrollers + v->ndevices, d = 0, c = 0;
	int filtered = dev_filtered(u);

	free(u->drows);
	u->drows = xcalloc(cap, sizeof *u->drows);
	u->ndrows = 0;
	u->ndev_shown = 0;
	for (size_t s = 0; s < v->nsectors; s++) {
		size_t srow = u->ndrows;
		u->drows[u->ndrows++] = (struct ui_drow){ DROW_SECTOR, (int)s, 0 };
		for (; c < v->ncontrollers &&
		    strcmp(v->controllers[c].sector, v->sectors[s].sector) == 0; c++) {
			const struct controller_row *cr = &v->controllers[c];
			size_t crow = u->ndrows;
			u->drows[u->ndrows++] = (struct ui_drow){ DROW_CONTROLLER, (int)c, 0 };
			/* devices come sorted by sector, controller, id as controllers do */
			while (d < v->ndevices && (strcmp(v->devices[d].sector, cr->sector) < 0 ||
			    (strcmp(v->devices[d].sector, cr->sector) == 0 &&
			    strcmp(v->devices[d].controller, cr->controller) < 0)))
				d++;
			for (; d < v->ndevices && strcmp(v->devices[d].controller,
			    cr->controller) == 0; d++) {
				if (!dev_match(u, &v->devices[d]))
					continue;
				u->drows[u->ndrows++] = (struct ui_drow){ DROW_DEVICE, (int)d, 0 };
				u->drows[crow].shown++;
				u->drows[srow].shown++;
				u->ndev_shown++;
			}
			if (filtered && u->drows[crow].shown == 0)
				u->ndrows = crow;
		}
		if (filtered && u->drows[srow].shown == 0)
			u->ndrows = srow;
	}
	/* keep the selection on the same device, else the nearest device row */
	struct pane *p = &u->pane[PANE_DEVICES];
	int found = -1;
	for (size_t r = 0; r < u->ndrows && u->dsel_id[0] != '\0'; r++) {
		const struct device_row *dr;
		if (u->drows[r].kind != DROW_DEVICE)
			continue;
		dr = &v->devices[u->drows[r].idx];
		if (strcmp(dr->dev.id, u->dsel_id) == 0 &&
		    strcmp(dr->controller, u->dsel_ctl) == 0) {
			found = (int)r;
			break;
		}
	}
	if (found < 0) {
		int r = p->sel < 0 ? 0 : p->sel;
		if (r >= (int)u->ndrows)
			r = (int)u->ndrows - 1;
		while (r >= 0 && r < (int)u->ndrows && u->drows[r].kind != DROW_DEVICE)
			r++;
		if (r >= (int)u->ndrows) {
			r = (int)u->ndrows - 1;
			while (r >= 0 && u->drows[r].kind != DROW_DEVICE)
				r--;
		}
		found = r;
		if (found >= 0) {
			const struct device_row *dr = &v->devices[u->drows[found].idx];
			od_strlcpy(u->dsel_ctl, dr->controller, sizeof u->dsel_ctl);
			od_strlcpy(u->dsel_id, dr->dev.id, sizeof u->dsel_id);
		}
	}
	p->sel = found < 0 ? 0 : found;
	p->dirty = 1;
}

/*
 * Whether the cache knows any controller. devices_store_view is only asked
 * when it does: with no controller it hands memcpy a NULL source (UBSan).
 */
static int
devices_present(struct ui *u)
{
	sqlite3_stmt *s;
	int found;

	if (sqlite3_prepare_v2(store_db(u->store), "SELECT 1 FROM tb_controllers LIMIT 1", -1,
	    &s, NULL) != SQLITE_OK)
		return 0;
	found = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return found;
}

/*
 * Re-reads the devices view with the :state/:sector/:kind filter. A read
 * slower than UI_DEVICES_SLOW_MS (tens of thousands of devices) spaces the
 * next ones out to about 2% of the time unless force is set. On error the
 * previous view stays and the status line says why.
 */
void
ui_refresh_devices(struct ui *u, int force)
{
	struct devices_filter f;
	struct devices_view v;
	char *cause = NULL;
	int64_t t0 = now_mono_ms();

	if (u->store == NULL || (!force && t0 < u->dv_next_ms))
		return;
	if (!devices_present(u)) {
		devices_view_free(&u->dv);
		memset(&u->dv, 0, sizeof u->dv);
		ui_rebuild_drows(u);
		return;
	}
	memset(&f, 0, sizeof f);
	f.state_mask = u->dev_states;
	f.sector = u->dev_sector[0] != '\0' ? u->dev_sector : NULL;
	f.kind = u->dev_kind[0] != '\0' ? u->dev_kind : NULL;
	if (devices_store_view(u->store, &f, &v, &cause) != 0) {
		snprintf(u->data_error, sizeof u->data_error, "devices: %s",
		    cause != NULL ? cause : "read failed");
		free(cause);
		u->status_dirty = 1;
		return;
	}
	devices_view_free(&u->dv);
	u->dv = v;
	ui_rebuild_drows(u);
	u->dv_gen++;
	u->dv_cost_ms = now_mono_ms() - t0;
	u->dv_next_ms = u->dv_cost_ms > UI_DEVICES_SLOW_MS ? t0 + 50 * u->dv_cost_ms : 0;
	u->pane[PANE_DEVICES].dirty = 1;
	if (u->detail_dev)
		u->pane[PANE_DETAIL].dirty = 1;
}

const struct device_row *
ui_selected_device(const struct ui *u)
{
	const struct pane *p = &u->pane[PANE_DEVICES];

	if (p->sel < 0 || p->sel >= (int)u->ndrows || u->drows[p->sel].kind != DROW_DEVICE)
		return NULL;
	return &u->dv.devices[u->drows[p->sel].idx];
}

/* Moves the selection to device row `row`, skipping headers in the direction moved. */
void
ui_select_drow(struct ui *u, int row)
{
	struct pane *p = &u->pane[PANE_DEVICES];
	int dir = row >= p->sel ? 1 : -1;

	if (u->ndrows == 0)
		return;
	if (row < 0)
		row = 0;
	if (row >= (int)u->ndrows)
		row = (int)u->ndrows - 1;
	int r = row;
	while (r >= 0 && r < (int)u->ndrows && u->drows[r].kind != DROW_DEVICE)
		r += dir;
	if (r < 0 || r >= (int)u->ndrows) {
		r = row;
		while (r >= 0 && r < (int)u->ndrows && u->drows[r].kind != DROW_DEVICE)
			r -= dir;
	}
	if (r < 0 || r >= (int)u->ndrows)
		return;
	if (dir < 0 && row == 0)
		p->top = 0;	/* keep the first headers in view at the top */
	p->sel = r;
	const struct device_row *d = &u->dv.devices[u->drows[r].idx];
	od_strlcpy(u->dsel_ctl, d->controller, sizeof u->dsel_ctl);
	od_strlcpy(u->dsel_id, d->dev.id, sizeof u->dsel_id);
	p->dirty = 1;
	if (u->detail_dev) {
		u->pane[PANE_DETAIL].dirty = 1;
		u->pane[PANE_DETAIL].top = 0;
	}
}

/*
 * Selects device id of controller; when a filter hides it, the filters are
 * cleared and the view re-read. Returns 1 when it is selected.
 */
int
ui_select_device(struct ui *u, const char *controller, const char *id)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t r = 0; r < u->ndrows; r++) {
			const struct device_row *d;
			if (u->drows[r].kind != DROW_DEVICE)
				continue;
			d = &u->dv.devices[u->drows[r].idx];
			if (strcmp(d->controller, controller) == 0 && strcmp(d->dev.id, id) == 0) {
				ui_select_drow(u, (int)r);
				return 1;
			}
		}
		if (pass == 0 && dev_filtered(u)) {
			u->dev_states = 0;
			u->dev_sector[0] = u->dev_kind[0] = u->dev_filter[0] = '\0';
			ui_refresh_devices(u, 1);
			ui_message(u, 0, "device filters cleared to show %s", id);
		} else {
			break;
		}
	}
	return 0;
}

/* Sets the `/` text filter of the Devices pane. */
void
ui_set_dev_filter(struct ui *u, const char *text)
{
	od_strlcpy(u->dev_filter, text, sizeof u->dev_filter);
	ui_rebuild_drows(u);
	u->pane[PANE_DEVICES].dirty = 1;
	u->status_dirty = 1;
}

/* ---- acknowledgements ---------------------------------------------------- */

/*
 * `a`: opens the note prompt for the selected device (Devices focused) or
 * the selected alert (Alerts focused: its device, else the alert itself).
 */
void
ui_ack_start(struct ui *u)
{
	u->ack_ctl[0] = u->ack_dev[0] = '\0';
	u->ack_alert = 0;
	if (u->focus == PANE_DEVICES || (u->focus == PANE_DETAIL && u->detail_dev)) {
		const struct device_row *d = ui_selected_device(u);
		if (d == NULL) {
			ui_message(u, 1, "no device selected");
			return;
		}
		od_strlcpy(u->ack_ctl, d->controller, sizeof u->ack_ctl);
		od_strlcpy(u->ack_dev, d->dev.id, sizeof u->ack_dev);
		snprintf(u->ack_what, sizeof u->ack_what, "%.80s (%.40s, %s)", d->dev.name,
		    d->dev.id, device_state_name(d->dev.state));
	} else if (u->focus == PANE_ALERTS && u->alerts_local) {
		ui_message(u, 1, "a: this cache has no alert log to acknowledge in");
		return;
	} else if (u->focus == PANE_ALERTS) {
		int sel = u->pane[PANE_ALERTS].sel;
		if (sel < 0 || (size_t)sel >= u->alerts.n) {
			ui_message(u, 1, "no alert selected");
			return;
		}
		const struct alert *a = &u->alerts.v[sel];
		/* a device's alert acknowledges the device; a host's (gpu0, a sensor) itself */
		if (a->source == ALERT_SRC_DEVICE && a->device[0] != '\0') {
			od_strlcpy(u->ack_ctl, a->host, sizeof u->ack_ctl);
			od_strlcpy(u->ack_dev, a->device, sizeof u->ack_dev);
		} else {
			u->ack_alert = a->id;
		}
		snprintf(u->ack_what, sizeof u->ack_what, "%.60s%s%.40s %.40s", a->host,
		    a->device[0] ? "/" : "", a->device, a->rule);
	} else {
		ui_message(u, 1, "a: select a device (Devices) or an alert (Alerts) first");
		return;
	}
	u->mode = MODE_ACK;
	u->input[0] = '\0';
	u->input_len = 0;
	u->status_dirty = 1;
}

/*
 * Sends the note for what ui_ack_start chose through the one writer
 * (acks.h): queued for the console's own collector, whose next tick writes
 * it (the outcome arrives with a wake-up, ui_acks_poll); --offline, one
 * short write that waits at most ACK_WAIT_MS for a headless collector's lock,
 * kept and retried every second while the cache stays busy. A keypress never
 * waits longer. Failures, a read-only cache included, go to the status line.
 */
void
ui_ack_submit(struct ui *u, const char *note)
{
	struct ack_request r;

	memset(&r, 0, sizeof r);
	r.alert_id = u->ack_alert;
	od_strlcpy(r.controller, u->ack_ctl, sizeof r.controller);
	od_strlcpy(r.device, u->ack_dev, sizeof r.device);
	od_strlcpy(r.note, note, sizeof r.note);
	od_strlcpy(r.what, u->ack_what, sizeof r.what);
	if (u->o->submit != NULL && u->o->acks != NULL) {
		struct publish_write w;
		ack_write(&r, u->o->acks, &w);
		if (u->o->submit(u->o->submit_arg, &w) != 0) {
			ack_write_refused(&w);
			ui_message(u, 1, "acknowledgement not stored: too many writes waiting");
			return;
		}
		ui_message(u, 0, "acknowledging %s", r.what);
		return;
	}
	if (u->store == NULL) {
		ui_message(u, 1, "acknowledgement not stored: no cache");
		return;
	}
	u->ack_pending = r;
	u->has_ack_pending = 1;
	u->ack_tries = 0;
	ui_acks_retry(u);
}

/*
 * The offline acknowledgement kept while the cache was busy: one more short
 * write. Called from ui_ack_submit and once a second by the loop.
 */
void
ui_acks_retry(struct ui *u)
{
	char *cause = NULL;

	if (!u->has_ack_pending)
		return;
	int rc = ack_write_now(store_path(u->store), &u->ack_pending, ACK_WAIT_MS, &cause);
	if (rc == 1 && ++u->ack_tries < UI_ACK_TRIES) {
		ui_message(u, 1, "acknowledgement kept, trying again: %s", cause);
		free(cause);
		return;
	}
	u->has_ack_pending = 0;
	if (rc != 0) {
		int ro = cause != NULL && strstr(cause, "readonly") != NULL;
		ui_message(u, 1, "acknowledgement not stored%s: %s",
		    ro ? " (the cache is read-only)" : "", cause != NULL ? cause : "?");
		free(cause);
		return;
	}
	ui_message(u, 0, "acknowledged %s", u->ack_pending.what);
	ui_refresh_devices(u, 1);
	ui_dirty_all(u);
}

/* An outcome of the collector's writer, when there is one: shown, and the panes re-read. */
void
ui_acks_poll(struct ui *u)
{
	char msg[320];
	int err;

	if (u->o->acks == NULL || !ack_outbox_take(u->o->acks, msg, sizeof msg, &err))
		return;
	ui_message(u, err, "%s", msg);
	if (!err) {
		ui_refresh_devices(u, 1);
		ui_dirty_all(u);
	}
}

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
	if (inner >= 90)
		c->id = 12;
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
	if (dev_filtered(u)) {
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
	if (c->site[0] != '\0')
		x += ui_put_remote(w, y, x, 30, c->site, u->attr[THEME_DIM]) + 1;
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
	snprintf(buf, sizeof buf, "%s %s", ui_dev_glyph(d->state), device_state_name(d->state));
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
	p->nlines = n;
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
	if (dev_filtered(u)) {
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
		if (u->dev_filter[0] && l < sizeof f)
			snprintf(f + l, sizeof f - l, "%s/%.64s", l ? " " : "", u->dev_filter);
		snprintf(extra, sizeof extra, "%zu/%zu devices, %s", u->ndev_shown, total, f);
	} else {
		snprintf(extra, sizeof extra, "%zu device%s, %zu controller%s", total,
		    total == 1 ? "" : "s", u->dv.ncontrollers, u->dv.ncontrollers == 1 ? "" : "s");
	}
	ui_box(u, p, u->focus == PANE_DEVICES, u->dv.ncontrollers > 0 ? extra : NULL);
	if (vis < 1)
		return;
	if (u->ndrows == 0) {
		if (dev_filtered(u)) {
			ui_put(p->win, 1, 2, inner - 2, "no device matches the filter "
			    "(:state all clears)", u->attr[THEME_DIM]);
			p->nlines = 0;
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
		ui_put(p->win, 1, x, c.state, "STATE", ha);
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
	if (p->sel < p->top)
		p->top = p->sel;
	if (p->sel >= p->top + vis)
		p->top = p->sel - vis + 1;
	if (p->top > (int)u->ndrows - vis)
		p->top = (int)u->ndrows - vis;
	if (p->top < 0)
		p->top = 0;
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
	p->nlines = (int)u->ndrows;
	if ((int)u->ndrows > vis) {
		int pos = 1 + header + (int)((long)p->top * (vis - 1) / ((int)u->ndrows - vis));
		ui_put(p->win, pos, p->w - 1, 1, "\xe2\x94\x83", u->attr[THEME_BORDER_FOCUS]);
	}
}

/* Moving keys as in Compute; Enter shows the device in Detail; `a` acknowledges. */
static int
devices_key(struct ui *u, struct pane *p, int key)
{
	int vis = p->h - 2 - (p->h - 2 >= 3);

	if (vis < 1)
		vis = 1;
	if (u->ndrows == 0) {	/* the controller hosts only: scroll */
		int max = p->nlines - (p->h - 2);
		if (key == 'j' || key == KEY_DOWN)
			p->top++;
		else if (key == 'k' || key == KEY_UP)
			p->top--;
		else if (key == 'g' || key == KEY_HOME)
			p->top = 0;
		else if (key == 'G' || key == KEY_END)
			p->top = max;
		else
			return 0;
		if (p->top > max)
			p->top = max;
		if (p->top < 0)
			p->top = 0;
		p->dirty = 1;
		return 1;
	}
	switch (key) {
	case 'j': case KEY_DOWN:
		ui_select_drow(u, p->sel + 1);
		return 1;
	case 'k': case KEY_UP:
		ui_select_drow(u, p->sel - 1);
		return 1;
	case KEY_NPAGE: case 6:		/* ^F */
		ui_select_drow(u, p->sel + vis);
		return 1;
	case KEY_PPAGE: case 2:		/* ^B */
		ui_select_drow(u, p->sel - vis);
		return 1;
	case 'g': case KEY_HOME:
		ui_select_drow(u, 0);
		return 1;
	case 'G': case KEY_END:
		ui_select_drow(u, (int)u->ndrows - 1);
		return 1;
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
};
