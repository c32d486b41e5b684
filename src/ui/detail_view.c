/*
 * detail_view.c: the Detail pane's drawing helpers (logical lines through
 * the scroll offset) and its view of a test-bed device, after Enter in the
 * Devices pane: its state, message and latest acknowledgement, an hour of
 * each metric as a sparkline, its state transitions and all its
 * acknowledgements, read from the store. The host view, which uses these
 * helpers, is pane_detail.c.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/sanitize.h"
#include "opsdeck/store.h"
#include "opsdeck/textwidth.h"
#include "opsdeck/ui_priv.h"
#include "detail_int.h"


/* See detail_int.h. */
int
drow(struct dctx *d)
{
	int y = d->line - d->p->top;

	if (y < 0 || y >= d->p->h - 2)
		return -1;
	return y + 1;
}

/* See detail_int.h. */
void
dline(struct dctx *d, enum theme_role r, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int y = drow(d);

	if (y >= 0) {
		va_start(ap, fmt);
		vsnprintf(buf, sizeof buf, fmt, ap);
		va_end(ap);
		ui_put(d->p->win, y, 1, d->inner, buf, d->u->attr[r]);
	}
	d->line++;
}

/* See detail_int.h. */
void
detail_fit(struct ui *u, struct pane *p, int lines)
{
	if (panel_fit(p, lines, p->h - 2, 0))
		p->dirty = 1;
	panel_footer(u, p, NULL);
}

/* ---- a test-bed device -------------------------------------------------- */

#define DEV_METRICS_SHOWN	16	/* metrics with a history line */
#define DEV_TRANSITIONS_SHOWN	50
#define DEV_ACKS_SHOWN		20
#define DEV_REFETCH_MS		5000	/* re-read at most this often for one device */

/* The selected device's history from the store; re-read on a new selection or tick. */
static struct {
	char		 ctl[HOSTNAME_MAX + 1];
	char		 id[TESTBED_ID_MAX + 1];
	unsigned	 gen;
	int64_t		 at_ms;
	struct device_transition *tr;
	size_t		 ntr;
	struct device_ack *acks;
	size_t		 nacks;
	char		 metric[DEV_METRICS_SHOWN][TESTBED_METRIC_MAX + 1];
	struct device_point *pts[DEV_METRICS_SHOWN];
	size_t		 npts[DEV_METRICS_SHOWN];
	int		 nmetrics;
} dh;

static void
dev_history_clear(void)
{
	devices_transitions_free(dh.tr, dh.ntr);
	devices_acks_free(dh.acks, dh.nacks);
	for (int i = 0; i < dh.nmetrics; i++)
		free(dh.pts[i]);
	dh.tr = NULL;
	dh.acks = NULL;
	dh.ntr = dh.nacks = 0;
	dh.nmetrics = 0;
}

/*
 * Reads transitions, acknowledgements and an hour of the first
 * DEV_METRICS_SHOWN metrics of r, when r is another device than last time,
 * or the devices were re-read (a tick, an acknowledgement) and DEV_REFETCH_MS
 * passed. Read errors leave that part empty.
 */
static void
dev_history_fetch(struct ui *u, const struct device_row *r)
{
	int64_t now = u->at_ms > 0 ? u->at_ms : now_wall_ms();	/* to the cursor */
	char *cause = NULL;
	int same = strcmp(dh.ctl, r->controller) == 0 && strcmp(dh.id, r->dev.id) == 0;

	int new_ack = r->ack.note != NULL && (dh.nacks == 0 || dh.acks[0].ts_ms != r->ack.ts_ms);
	int stale = dh.gen != u->dv_gen && now - dh.at_ms >= DEV_REFETCH_MS;

	if (same && !stale && !new_ack &&
	    (u->at_ms > 0 ? dh.at_ms == now : now - dh.at_ms < 60000))
		return;
	dev_history_clear();
	od_strlcpy(dh.ctl, r->controller, sizeof dh.ctl);
	od_strlcpy(dh.id, r->dev.id, sizeof dh.id);
	dh.gen = u->dv_gen;
	dh.at_ms = now;
	if (u->store == NULL)
		return;
	if (devices_store_transitions(u->store, r->controller, r->dev.id, DEV_TRANSITIONS_SHOWN,
	    &dh.tr, &dh.ntr, &cause) != 0) {
		free(cause);
		cause = NULL;
		dh.tr = NULL;
		dh.ntr = 0;
	}
	if (devices_store_acks(u->store, r->controller, r->dev.id, DEV_ACKS_SHOWN, &dh.acks,
	    &dh.nacks, &cause) != 0) {
		free(cause);
		cause = NULL;
		dh.acks = NULL;
		dh.nacks = 0;
	}
	for (int i = 0; i < r->dev.nmetrics && dh.nmetrics < DEV_METRICS_SHOWN; i++) {
		int k = dh.nmetrics++;
		od_strlcpy(dh.metric[k], r->dev.metrics[i].name, sizeof dh.metric[k]);
		dh.pts[k] = NULL;
		dh.npts[k] = 0;
		if (devices_store_metric(u->store, r->controller, r->dev.id, dh.metric[k],
		    now - DETAIL_HISTORY_MS, now, &dh.pts[k], &dh.npts[k], &cause) != 0) {
			free(cause);
			cause = NULL;
			dh.pts[k] = NULL;
			dh.npts[k] = 0;
		}
	}
}

/* An hour of one metric as a sparkline scaled to its own range, at (y, x). */
static void
dev_spark(struct dctx *d, int y, int x, int width, const struct device_point *pts, size_t n,
    char *range, size_t rlen)
{
	double lo = INFINITY, hi = -INFINITY;
	float *ring;
	int64_t from = dh.at_ms - DETAIL_HISTORY_MS;

	range[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (isnan(pts[i].value))
			continue;
		if (pts[i].value < lo)
			lo = pts[i].value;
		if (pts[i].value > hi)
			hi = pts[i].value;
	}
	if (width < 4 || lo > hi)
		return;
	snprintf(range, rlen, "%.4g..%.4g", lo, hi);
	ring = xcalloc((size_t)width, sizeof *ring);
	for (int i = 0; i < width; i++)
		ring[i] = -1;
	for (size_t i = 0; i < n; i++) {
		int slot = (int)((pts[i].ts_ms - from) * width / DETAIL_HISTORY_MS);
		if (slot >= 0 && slot < width && !isnan(pts[i].value))
			ring[slot] = hi > lo ? (float)((pts[i].value - lo) / (hi - lo) * 100.0) :
			    50.0f;
	}
	ui_spark(d->u, d->p->win, y, x, width, ring, 0, width, width);
	free(ring);
}

/* See detail_int.h. */
void
detail_draw_device(struct ui *u, struct pane *p, const struct device_row *r)
{
	const struct device *dv = &r->dev;
	struct dctx d = { u, p, 0, p->w - 2 };
	char when[32], age[16], t[TESTBED_NAME_MAX * 2 + TESTBED_ID_MAX + 8];
	int64_t now = now_wall_ms();

	dev_history_fetch(u, r);
	snprintf(t, sizeof t, "%s (%s)", dv->name, dv->id);
	{
		char clean[sizeof t];
		sanitize_text(clean, sizeof clean, t, strlen(t));
		ui_box(u, p, u->focus == PANE_DETAIL, clean);
	}
	{
		int y = drow(&d);
		if (y >= 0) {
			int x = 1;
			attr_t sa = u->attr[ui_dev_role(dv->state)] | A_BOLD;
			x += ui_putf(p->win, y, x, d.inner, sa, "%s %s", ui_dev_glyph(dv->state),
			    device_state_name(dv->state));
			if (dv->since_ms > 0) {
				time_format(dv->since_ms, 0, when, sizeof when);
				ui_age(age, sizeof age, now - dv->since_ms);
				x += ui_putf(p->win, y, x, d.inner - x + 1, u->attr[THEME_NORMAL],
				    " since %s (%s)", when, age);
			}
			if (r->acked)
				ui_put(p->win, y, x, d.inner - x + 1,
				    "  \xe2\x9c\x93 acknowledged", u->attr[THEME_OK] | A_BOLD);
		}
		d.line++;
	}
	{
		char sector[TESTBED_SECTOR_MAX + 1], kind[TESTBED_KIND_MAX + 1];
		sanitize_text(sector, sizeof sector, r->sector, strlen(r->sector));
		sanitize_text(kind, sizeof kind, dv->kind, strlen(dv->kind));
		int y = drow(&d);
		if (y >= 0) {
			int x = 1;
			x += ui_put(p->win, y, x, d.inner, "controller ", u->attr[THEME_DIM]);
			x += ui_put_remote(p->win, y, x, d.inner - x + 1, r->controller,
			    u->attr[THEME_NORMAL]);
			ui_putf(p->win, y, x, d.inner - x + 1, u->attr[THEME_NORMAL],
			    "  sector %s  kind %s", sector, kind);
		}
		d.line++;
	}
	{
		char fw[TESTBED_FIRMWARE_MAX + 1];
		sanitize_text(fw, sizeof fw, dv->firmware, strlen(dv->firmware));
		dline(&d, THEME_DIM, "firmware %s  calibrated %s", fw[0] ? fw : "-",
		    dv->calibrated[0] ? dv->calibrated : "-");
	}
	if (dv->message[0] != '\0') {
		int y = drow(&d);
		enum theme_role mr = dv->state == DEVICE_OK ? THEME_NORMAL :
		    ui_dev_role(dv->state);
		if (y >= 0)
			ui_put_remote(p->win, y, 1, d.inner, dv->message, u->attr[mr]);
		d.line++;
	}
	if (r->ack.note != NULL) {
		int y = drow(&d);
		time_format(r->ack.ts_ms, 0, when, sizeof when);
		if (y >= 0) {
			int x = 1;
			attr_t aa = u->attr[r->acked ? THEME_OK : THEME_DIM];
			x += ui_putf(p->win, y, x, d.inner, aa, "%s %s by %s at %s: ",
			    r->acked ? "\xe2\x9c\x93" : "\xc2\xb7",
			    r->acked ? "acknowledged" : "earlier state acknowledged", r->ack.user,
			    when);
			ui_put_remote(p->win, y, x, d.inner - x + 1, r->ack.note,
			    u->attr[THEME_NORMAL]);
		}
		d.line++;
	}
	/* metrics: latest value and an hour as a sparkline */
	if (dv->nmetrics > 0) {
		dline(&d, THEME_HEADER, "Metrics (%d), last hour", dv->nmetrics);
		for (int i = 0; i < dv->nmetrics; i++) {
			const struct device_metric *m = &dv->metrics[i];
			int y = drow(&d);
			if (y >= 0) {
				char v[64], unit[TESTBED_UNIT_MAX + 1], range[64] = "";
				sanitize_text(unit, sizeof unit, m->unit, strlen(m->unit));
				if (isnan(m->value))
					snprintf(v, sizeof v, "-");
				else
					snprintf(v, sizeof v, "%.6g %s", m->value, unit);
				ui_put_remote(p->win, y, 2, 27, m->name, u->attr[THEME_NORMAL]);
				ui_fit_right(p->win, y, 30, 14, v, u->attr[THEME_NORMAL] | A_BOLD);
				int sw = d.inner - 46 - 22;
				if (sw > 60)
					sw = 60;
				for (int k = 0; k < dh.nmetrics && sw >= 4; k++) {
					if (strcmp(dh.metric[k], m->name) != 0)
						continue;
					dev_spark(&d, y, 46, sw, dh.pts[k], dh.npts[k], range,
					    sizeof range);
					ui_put(p->win, y, 47 + sw, d.inner - 46 - sw, range,
					    u->attr[THEME_DIM]);
				}
			}
			d.line++;
		}
	}
	/* transitions, newest first */
	dline(&d, THEME_HEADER, "State changes (%zu%s)", dh.ntr,
	    dh.ntr >= DEV_TRANSITIONS_SHOWN ? ", newest" : "");
	for (size_t i = 0; i < dh.ntr; i++) {
		const struct device_transition *tr = &dh.tr[i];
		int y = drow(&d);
		if (y >= 0) {
			char from[32];
			int x = 2;
			time_format(tr->ts_ms, 0, when, sizeof when);
			x += ui_put(p->win, y, x, 20, when, u->attr[THEME_DIM]) + 1;
			snprintf(from, sizeof from, "%s", tr->from == DEVICE_NONE ? "(new)" :
			    device_state_name(tr->from));
			x += ui_putf(p->win, y, x, d.inner - x + 1, u->attr[THEME_DIM], "%-11s ",
			    from);
			x += ui_putf(p->win, y, x, d.inner - x + 1, u->attr[ui_dev_role(tr->to)],
			    "\xe2\x86\x92 %s %-11s ", ui_dev_glyph(tr->to),
			    device_state_name(tr->to));
			if (tr->message != NULL)
				ui_put_remote(p->win, y, x, d.inner - x + 1, tr->message,
				    u->attr[THEME_NORMAL]);
		}
		d.line++;
	}
	/* acknowledgements, newest first */
	dline(&d, THEME_HEADER, "Acknowledgements (%zu)", dh.nacks);
	for (size_t i = 0; i < dh.nacks; i++) {
		const struct device_ack *a = &dh.acks[i];
		int y = drow(&d);
		if (y >= 0) {
			char user[64];
			int x = 2;
			time_format(a->ts_ms, 0, when, sizeof when);
			sanitize_text(user, sizeof user, a->user, strlen(a->user));
			x += ui_putf(p->win, y, x, d.inner - x + 1, u->attr[THEME_DIM],
			    "%s %s (%s) ", when, user, device_state_name(a->state));
			ui_put_remote(p->win, y, x, d.inner - x + 1,
			    a->note != NULL ? a->note : "", u->attr[THEME_NORMAL]);
		}
		d.line++;
	}
	detail_fit(u, p, d.line);
}

/* ---- a host -------------------------------------------------------------- */

/*
 * Draws everything known of the selected host into logical lines, of which
 * the rows from p->top are shown. Remote strings are sanitised.
 */
