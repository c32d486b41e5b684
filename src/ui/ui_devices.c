/*
 * ui_devices.c: the console's test-bed devices data, shared by the Devices,
 * Detail and Alerts panes and the `:` commands: the cache's devices view
 * (devices_store_view, narrowed by :state/:sector/:kind, re-read on each
 * collector tick and spaced out when slow), the rows the Devices pane shows
 * after the `/` filter, the selection kept by (controller, id), and the `a`
 * acknowledgement of a device or an alert (through the one writer, acks.h:
 * the console's own collector, or --offline a short write of its own).
 * Draws nothing; calls no pane.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


#include "opsdeck/acks.h"
#include "opsdeck/store.h"
#include "opsdeck/ui_priv.h"

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

/* Whether a :state, :sector, :kind or `/` filter narrows the devices shown. */
int
ui_dev_filtered(const struct ui *u)
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
	int filtered = ui_dev_filtered(u);

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
	/* devices_store_view is only asked when the cache knows a controller:
	 * with none it hands memcpy a NULL source (UBSan) */
	if (!devices_store_any(u->store)) {
		devices_view_free(&u->dv);
		memset(&u->dv, 0, sizeof u->dv);
		ui_rebuild_drows(u);
		return;
	}
	memset(&f, 0, sizeof f);
	f.state_mask = u->dev_states;
	f.sector = u->dev_sector[0] != '\0' ? u->dev_sector : NULL;
	f.kind = u->dev_kind[0] != '\0' ? u->dev_kind : NULL;
	f.at_ms = u->at_ms;
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

/* The device selected in the Devices pane, or NULL (valid until the next re-read). */
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
		if (pass == 0 && ui_dev_filtered(u)) {
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
	r.kind = ACK_NOTE;
	r.alert_id = u->ack_alert;
	od_strlcpy(r.controller, u->ack_ctl, sizeof r.controller);
	od_strlcpy(r.device, u->ack_dev, sizeof r.device);
	od_strlcpy(r.note, note, sizeof r.note);
	od_strlcpy(r.what, u->ack_what, sizeof r.what);
	ui_write_request(u, &r);
}

/*
 * Sends r (an acknowledgement or a snooze) through the one writer, as
 * ui_ack_submit describes; the outcome comes to the status line.
 */
void
ui_write_request(struct ui *u, const struct ack_request *r)
{
	const char *word = r->kind == ACK_SNOOZE ? "snooze" : "acknowledgement";

	if (u->o->submit != NULL && u->o->acks != NULL) {
		struct publish_write w;
		ack_write(r, u->o->acks, &w);
		if (u->o->submit(u->o->submit_arg, &w) != 0) {
			ack_write_refused(&w);
			ui_message(u, 1, "%s not stored: too many writes waiting", word);
			return;
		}
		ui_message(u, 0, "%s %s", r->kind == ACK_SNOOZE ? "snoozing" : "acknowledging",
		    r->what);
		return;
	}
	if (u->store == NULL) {
		ui_message(u, 1, "%s not stored: no cache", word);
		return;
	}
	if (u->has_ack_pending)
		ui_message(u, 1, "the last write still waits for the cache: try again");
	u->ack_pending = *r;
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
	char msg[UI_MSG_MAX];
	int rc = ack_write_now(store_path(u->store), &u->ack_pending, ACK_WAIT_MS, &cause);
	const char *word = u->ack_pending.kind == ACK_SNOOZE ? "snooze" : "acknowledgement";
	if (rc == 1 && ++u->ack_tries < UI_ACK_TRIES) {
		ui_message(u, 1, "%s kept, trying again: %s", word, cause);
		free(cause);
		return;
	}
	u->has_ack_pending = 0;
	if (rc != 0) {
		int ro = cause != NULL && strstr(cause, "readonly") != NULL;
		ui_message(u, 1, "%s not stored%s: %s", word,
		    ro ? " (the cache is read-only)" : "", cause != NULL ? cause : "?");
		free(cause);
		return;
	}
	ack_describe(&u->ack_pending, 0, NULL, msg, sizeof msg);
	ui_message(u, 0, "%s", msg);
	ui_refresh_devices(u, 1);
	u->reread_alerts = 1;	/* the loop re-reads them (ui_data.c is above this file) */
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
