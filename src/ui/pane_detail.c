/*
 * pane_detail.c: the Detail pane: everything known of the selected host
 * (state and error, per-core CPU, memory, load, uptime, net and disk rates,
 * GPUs, sensors, age of the data) and an hour of CPU history from the store.
 * Content taller than the pane scrolls (the panel's keys, panel.c).
 * After Enter in the Devices pane it shows the selected device instead
 * (detail_device.c).
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
#include "opsdeck/prom_graph.h"
#include "opsdeck/ui_priv.h"
#include "detail_int.h"


static void
rate(char *buf, size_t len, double bps)
{
	char b[16];

	if (bps < 0 || isnan(bps)) {
		snprintf(buf, len, "-");
		return;
	}
	text_bytes(b, sizeof b, bps);
	snprintf(buf, len, "%s/s", b);
}

/* Per-core CPU: small gauges in columns, or one block character per core. */
static void
draw_cores(struct dctx *d, const struct host_status *h)
{
	struct ui *u = d->u;
	int colw = 18, ncol = d->inner / colw;

	if (h->core_pct == NULL || h->cores <= 0)
		return;
	if (ncol < 1)
		ncol = 1;
	if (h->cores <= ncol * 8) {
		for (int c = 0; c < h->cores; c += ncol) {
			int y = drow(d);
			for (int k = 0; k < ncol && c + k < h->cores && y >= 0; k++) {
				int x = 1 + k * colw;
				double v = h->core_pct[c + k];
				ui_putf(d->p->win, y, x, 4, u->attr[THEME_DIM], "%3d", c + k);
				ui_gauge(u, d->p->win, y, x + 4, colw - 5, v, ui_pct_role(v));
			}
			d->line++;
		}
		return;
	}
	/* many cores: a strip, one cell per core */
	static const char *const blocks[] = {
		"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
		"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
	};
	int per = d->inner - 6;
	if (per < 1)
		return;
	for (int c = 0; c < h->cores; c += per) {
		int y = drow(d);
		if (y >= 0) {
			ui_putf(d->p->win, y, 1, 6, u->attr[THEME_DIM], "%4d ", c);
			for (int k = 0; k < per && c + k < h->cores; k++) {
				double v = h->core_pct[c + k];
				int b = v < 0 ? 0 : (int)(v / 100.0 * 7.0 + 0.5);
				if (b > 7)
					b = 7;
				ui_put(d->p->win, y, 7 + k, 1, blocks[b], u->attr[ui_pct_role(v)]);
			}
		}
		d->line++;
	}
}

/* The graphs of the host: detail_graphs.c (detail_draw_history). */

/*
 * "Warnings (N)" and a line each: what the parsers skipped of the latest
 * report ("linux: /proc/meminfo line 7: bad number 'x'"); remote text,
 * drawn through ui_put_remote.
 */
static void
draw_warnings(struct ui *u, struct pane *p, struct dctx *d, const struct host_status *h)
{
	int n = 0;
	for (const char *q = h->warnings; q != NULL; q = strchr(q + 1, '\n'))
		n++;
	if (n == 0)
		return;
	dline(d, THEME_WARN, "Warnings (%d)", n);
	for (const char *q = h->warnings; q != NULL && *q != '\0';) {
		const char *nl = strchr(q, '\n');
		size_t l = nl != NULL ? (size_t)(nl - q) : strlen(q);
		int y = drow(d);
		if (y >= 0) {
			char *one = xstrndup(q, l);
			ui_put_remote(p->win, y, 2, d->inner - 1, one, u->attr[THEME_WARN]);
			free(one);
		}
		d->line++;
		q = nl != NULL ? nl + 1 : NULL;
	}
}

static void
detail_draw(struct ui *u, struct pane *p)
{
	const struct host_status *h = ui_selected(u);
	struct dctx d = { u, p, 0, p->w - 2 };
	char a1[32], a2[32], a3[32], when[32], age[16];
	int64_t now = u->at_ms > 0 ? u->at_ms : now_wall_ms();	/* ages at the cursor */

	if (u->detail_dev) {
		const struct device_row *r = ui_selected_device(u);
		if (r != NULL) {
			detail_draw_device(u, p, r);
			return;
		}
	}
	if (h == NULL) {
		ui_box(u, p, u->focus == PANE_DETAIL, NULL);
		ui_put(p->win, 1, 2, p->w - 4, u->nhosts ? "select a host in Compute" :
		    "no host yet", u->attr[THEME_DIM]);
		panel_fit(p, 0, p->h - 2, 0);
		return;
	}
	{
		char t[HOSTNAME_MAX + 8];
		sanitize_text(t, sizeof t, h->name, strlen(h->name));
		ui_box(u, p, u->focus == PANE_DETAIL, t);
	}
	time_format(h->state_since_ms, 0, when, sizeof when);
	{
		int y = drow(&d);
		char grp[160];
		sanitize_text(grp, sizeof grp, h->group, strlen(h->group));
		if (y >= 0) {
			int x = 1;
			attr_t sa = u->attr[ui_state_role(h->state)] | A_BOLD;
			x += ui_putf(p->win, y, x, d.inner, sa, "%s %s", ui_state_glyph(h->state), host_state_name(h->state));
			ui_putf(p->win, y, x, d.inner - x + 1, u->attr[THEME_NORMAL],
			    " since %s  group %s (%s)", h->state_since_ms > 0 ? when + 11 : "-",
			    grp, group_kind_name(h->kind));
		}
		d.line++;
	}
	{
		const char *addr = ui_host_address(u, h);
		if (addr[0] != '\0')
			dline(&d, THEME_DIM, "address %s", addr);
	}
	if (h->error[0] != '\0') {
		int y = drow(&d);
		if (y >= 0) {
			ui_put(p->win, y, 1, 7, "error:", u->attr[THEME_CRIT]);
			ui_put_remote(p->win, y, 8, d.inner - 7, h->error, u->attr[THEME_CRIT]);
		}
		d.line++;
	}
	draw_warnings(u, p, &d, h);
	detail_draw_actions(&d, h);
	if (h->sample_ms > 0) {
		time_format(h->sample_ms, 0, when, sizeof when);
		ui_age(age, sizeof age, now - h->sample_ms);
		dline(&d, now - h->sample_ms > 30000 ? THEME_STALE : THEME_DIM,
		    "data %s old (sample %s)", age, when + 11);
	} else {
		dline(&d, THEME_STALE, "no sample yet");
	}
	if (h->sample_ms <= 0) {
		detail_fit(u, p, d.line);
		return;
	}

	/* CPU */
	{
		int y = drow(&d);
		if (y >= 0) {
			ui_put(p->win, y, 1, 5, "CPU", u->attr[THEME_HEADER]);
			ui_gauge(u, p->win, y, 6, d.inner / 2 - 6, h->cpu_pct,
			    ui_pct_role(h->cpu_pct));
			ui_putf(p->win, y, d.inner / 2 + 1, d.inner - d.inner / 2,
			    u->attr[THEME_NORMAL], "%d cores  load %.2f %.2f %.2f", h->cores, h->load[0], h->load[1],
			    h->load[2]);
		}
		d.line++;
	}
	draw_cores(&d, h);
	/* memory */
	if (h->mem_total > 0) {
		double pct = 100.0 * (double)h->mem_used / (double)h->mem_total;
		int y = drow(&d);
		text_bytes(a1, sizeof a1, (double)h->mem_used);
		text_bytes(a2, sizeof a2, (double)h->mem_total);
		if (y >= 0) {
			ui_put(p->win, y, 1, 5, "Mem", u->attr[THEME_HEADER]);
			ui_gauge(u, p->win, y, 6, d.inner / 2 - 6, pct, ui_pct_role(pct));
			char sw[64] = "no swap";
			if (h->swap_total > 0) {
				char st[16];
				text_bytes(a3, sizeof a3, (double)h->swap_used);
				text_bytes(st, sizeof st, (double)h->swap_total);
				snprintf(sw, sizeof sw, "swap %s / %s", a3, st);
			}
			ui_putf(p->win, y, d.inner / 2 + 1, d.inner - d.inner / 2,
			    u->attr[THEME_NORMAL], "%s / %s  %s", a1, a2, sw);
		}
		d.line++;
	}
	{
		long up = (long)h->uptime_s;
		char nr[24], nt[24], dr[24], dw[24];
		rate(nr, sizeof nr, h->net_rx_bps);
		rate(nt, sizeof nt, h->net_tx_bps);
		rate(dr, sizeof dr, h->disk_read_bps);
		rate(dw, sizeof dw, h->disk_write_bps);
		char ut[32] = "-";	/* not kept as a series: unknown at the cursor */
		if (h->uptime_s >= 0)
			snprintf(ut, sizeof ut, "%ldd %02ld:%02ld", up / 86400, up / 3600 % 24,
			    up / 60 % 60);
		dline(&d, THEME_NORMAL, "up %s  net rx %s tx %s  disk r %s w %s", ut, nr, nt, dr,
		    dw);
	}
	/* GPUs */
	if (h->ngpus > 0) {
		dline(&d, THEME_HEADER, "GPUs (%d)", h->ngpus);
		for (int i = 0; i < h->ngpus; i++) {
			const struct gpu_sample *g = &h->gpus[i];
			int y = drow(&d);
			if (y >= 0) {
				int x = 1;
				attr_t na = u->attr[THEME_NORMAL];
				x += ui_putf(p->win, y, x, 4, u->attr[THEME_DIM], "%2d ",
				    g->index);
				int nw = d.inner / 3 > 12 ? d.inner / 3 : 12;
				ui_put_remote(p->win, y, x, nw - 1, g->name, na);
				x += nw;
				int gw = 14;
				ui_gauge(u, p->win, y, x, gw, g->util_pct,
				    ui_pct_role(g->util_pct));
				x += gw + 1;
				snprintf(a1, sizeof a1, "-");
				snprintf(a2, sizeof a2, "-");
				if (g->mem_used_bytes >= 0)	/* [N/A]: shown as -, never 0 */
					text_bytes(a1, sizeof a1, (double)g->mem_used_bytes);
				if (g->mem_total_bytes >= 0)
					text_bytes(a2, sizeof a2, (double)g->mem_total_bytes);
				char t[16] = "-", pw[32] = "";
				if (g->temp_c >= 0)
					snprintf(t, sizeof t, "%.0fC", g->temp_c);
				if (g->power_w >= 0)
					snprintf(pw, sizeof pw, g->power_limit_w >= 0 ?
					    " %.0f/%.0fW" : " %.0fW", g->power_w, g->power_limit_w);
				x += ui_putf(p->win, y, x, d.inner - x + 1, u->attr[THEME_NORMAL],
				    "%s/%s ", a1, a2);
				x += ui_put(p->win, y, x, d.inner - x + 1, t,
				    u->attr[g->temp_c >= 85 ? THEME_CRIT : g->temp_c >= 75 ?
				    THEME_WARN : THEME_NORMAL]);
				x += ui_put(p->win, y, x, d.inner - x + 1, pw, na);
				if (g->ecc_uncorrected > 0)
					ui_putf(p->win, y, x, d.inner - x + 1, u->attr[THEME_CRIT],
					    " ECC %lld", (long long)g->ecc_uncorrected);
			}
			d.line++;
			detail_draw_gpu_procs(&d, h, g->index);
		}
	}
	/* sensors */
	if (h->nsensors > 0) {
		dline(&d, THEME_HEADER, "Sensors (%d)", h->nsensors);
		for (int i = 0; i < h->nsensors; i++) {
			const struct sensor_sample *s = &h->sensors[i];
			int y = drow(&d);
			if (y >= 0) {
				enum theme_role r = s->level == SENSOR_CRIT ? THEME_CRIT :
				    s->level == SENSOR_WARN ? THEME_WARN :
				    s->level == SENSOR_NA ? THEME_DIM : THEME_NORMAL;
				int nw = d.inner / 2 > 20 ? 24 : d.inner / 2;
				ui_put_remote(p->win, y, 2, nw - 1, s->name,
				    u->attr[THEME_NORMAL]);
				char v[64], unit[32];
				sanitize_text(unit, sizeof unit, s->unit, strlen(s->unit));
				int x = 2 + nw;
				if (isnan(s->value))	/* a discrete sensor: its state words */
					x += ui_put_remote(p->win, y, x, 20,
					    s->state[0] != '\0' ? s->state : "-", u->attr[r]) + 1;
				else {
					snprintf(v, sizeof v, "%.2f %s", s->value, unit);
					x += ui_put(p->win, y, x, 20, v, u->attr[r]) + 1;
				}
				x = x > 2 + nw + 20 ? x : 2 + nw + 20;
				x += ui_put_remote(p->win, y, x, d.inner - x, s->status,
				    u->attr[r]) + 1;
				if (!isnan(s->value) && s->state[0] != '\0' && x < d.inner)
					ui_put_remote(p->win, y, x, d.inner - x, s->state,
					    u->attr[r]);
			}
			d.line++;
		}
	}
	/* the graphs last: the lists above stay in view on a small pane */
	detail_draw_history(&d, h);
	detail_fit(u, p, d.line);
}

/* `a` on a device's Detail acknowledges it; the panel scrolls (panel.c). */
static int
detail_key(struct ui *u, struct pane *p, int key)
{
	(void)p;
	if (key != 'a' || !u->detail_dev)
		return 0;
	ui_ack_start(u);
	return 1;
}

/* The pane's own data: the actions read for Detail. */
static void
detail_free(struct ui *u, struct pane *p)
{
	(void)u;
	(void)p;
	detail_actions_free();
}

const struct pane_ops pane_detail_ops = {
	.name = "Detail",
	.draw = detail_draw,
	.key = detail_key,
	.free = detail_free,
	.click = NULL,
};
