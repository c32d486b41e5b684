/*
 * detail_hist.c: the Detail pane's lines (detail.h) and a host's history
 * there: an hour of CPU, memory and each GPU's utilisation from the store,
 * or, for a host of a prometheus group, from the server (ui_graphs.c);
 * ending at the time cursor while not live.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/prom_graph.h"
#include "opsdeck/store.h"
#include "detail.h"

/* Screen row of the current logical line, or -1 when scrolled out of view. */
/* See detail.h. */
int
detail_row(struct dctx *d)
{
	int y = d->line - d->p->top;

	if (y < 0 || y >= d->p->h - 2)
		return -1;
	return y + 1;
}

/* See detail.h. */
void
detail_line(struct dctx *d, enum theme_role r, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int y = detail_row(d);

	if (y >= 0) {
		va_start(ap, fmt);
		vsnprintf(buf, sizeof buf, fmt, ap);
		va_end(ap);
		ui_put(d->p->win, y, 1, d->inner, buf, d->u->attr[r]);
	}
	d->line++;
}

/*
 * An hour of the selection's history from the store, one series per line:
 * CPU, memory and each GPU's utilisation; re-read every 10 s or on a new
 * selection or width.
 */
#define HIST_SERIES	(2 + PROBE_MAX_GPUS)

struct hist_series {
	char		 metric[48];
	char		 label[16];
	struct store_point *pts;
	size_t		 n;
};

static struct {
	char		 host[HOSTNAME_MAX + 1];
	int64_t		 at_ms;
	int		 width, nseries;
	struct hist_series s[HIST_SERIES];
	const char	*source;	/* NULL: the cache; else the Prometheus server */
	char		 error[160];	/* "asking ...", or why the server's graphs did not come */
	int		 failed;
	unsigned	 gen;		/* ui graph_gen they came with */
} hist;

static void
history_clear(void)
{
	for (int i = 0; i < hist.nseries; i++) {
		free(hist.s[i].pts);
		hist.s[i].pts = NULL;
		hist.s[i].n = 0;
	}
	hist.nseries = 0;
}

/* One series of a Prometheus answer into hs: NaN and infinities are gaps. */
static void
series_from_prom(struct hist_series *hs, const struct prom_series *ps, const char *label)
{
	snprintf(hs->label, sizeof hs->label, "%s", label);
	hs->pts = xcalloc(ps->n + 1, sizeof *hs->pts);
	hs->n = 0;
	for (size_t i = 0; i < ps->n; i++) {
		double v = ps->pts[i].value;
		if (v != v || v > 1e300 || v < -1e300)
			continue;
		hs->pts[hs->n++] = (struct store_point){ ps->pts[i].ts_ms, v, v, v };
	}
}

/*
 * A host of a prometheus group: its graphs from the server's query_range
 * (ui_graphs.c), asked for on a thread and drawn once they came; until
 * then, and when they fail, the line says so.
 */
static void
history_from_prom(struct ui *u, const struct group *g, const struct host_status *h,
    int width, int64_t now)
{
	ui_graphs_ask(u, g, h->name, now - DETAIL_HISTORY_MS, now, width);
	const struct prom_graph_answer *a = ui_graphs_answer(u, h->name);
	if (strcmp(hist.host, h->name) == 0 && hist.width == width && hist.source != NULL &&
	    hist.gen == u->graph_gen)
		return;
	history_clear();
	od_strlcpy(hist.host, h->name, sizeof hist.host);
	hist.width = width;
	hist.source = g->url;
	hist.gen = u->graph_gen;
	hist.at_ms = now;
	snprintf(hist.error, sizeof hist.error, "asking %s ...", g->url);
	hist.failed = 0;
	if (a == NULL)
		return;
	hist.at_ms = a->to_ms;
	hist.error[0] = '\0';
	if (a->error != NULL) {
		snprintf(hist.error, sizeof hist.error, "%s", a->error);
		hist.failed = 1;
	}
	if (a->m[PG_CPU].n > 0)
		series_from_prom(&hist.s[hist.nseries++], &a->m[PG_CPU].s[0], "CPU 1h");
	if (a->m[PG_MEM].n > 0)
		series_from_prom(&hist.s[hist.nseries++], &a->m[PG_MEM].s[0], "Mem 1h");
	for (size_t i = 0; i < a->m[PG_GPU_UTIL].n && hist.nseries < HIST_SERIES; i++) {
		char label[16];
		snprintf(label, sizeof label, "GPU%.4s 1h", a->m[PG_GPU_UTIL].s[i].gpu);
		series_from_prom(&hist.s[hist.nseries++], &a->m[PG_GPU_UTIL].s[i], label);
	}
}

static void
history_fetch(struct ui *u, const struct host_status *h, int width)
{
	int64_t now = u->at_ms > 0 ? u->at_ms : now_wall_ms();	/* the graphs end at the cursor */
	const struct group *pg = ui_graphs_group(u, h);

	if (pg != NULL) {
		history_from_prom(u, pg, h, width, now);
		return;
	}
	if (strcmp(hist.host, h->name) == 0 && hist.width == width && hist.source == NULL &&
	    (u->at_ms > 0 ? hist.at_ms == now : now - hist.at_ms < DETAIL_HISTORY_EVERY_MS))
		return;
	history_clear();
	hist.source = NULL;
	hist.error[0] = '\0';
	od_strlcpy(hist.host, h->name, sizeof hist.host);
	hist.at_ms = now;
	hist.width = width;
	if (u->store == NULL || width < 4)
		return;
	struct hist_series *want = hist.s;
	int n = 0;
	snprintf(want[n].metric, sizeof want[n].metric, "cpu.util_pct");
	snprintf(want[n++].label, sizeof want[0].label, "CPU 1h");
	snprintf(want[n].metric, sizeof want[n].metric, "mem.used_pct");
	snprintf(want[n++].label, sizeof want[0].label, "Mem 1h");
	for (int g = 0; g < h->ngpus && n < HIST_SERIES; g++) {
		snprintf(want[n].metric, sizeof want[n].metric, "gpus.%d.util_pct", h->gpus[g].index);
		snprintf(want[n++].label, sizeof want[0].label, "GPU%d 1h", h->gpus[g].index);
	}
	hist.nseries = n;
	for (int i = 0; i < n; i++) {
		char *cause = NULL;
		if (store_history(u->store, h->name, want[i].metric, now - DETAIL_HISTORY_MS, now,
		    DETAIL_HISTORY_MS / width, &want[i].pts, &want[i].n, &cause) != 0) {
			free(cause);
			want[i].pts = NULL;
			want[i].n = 0;
		}
	}
}

/* See detail.h. */
void
detail_draw_history(struct dctx *d, const struct host_status *h)
{
	struct ui *u = d->u;
	int width = d->inner - 12;

	if (width < 8)
		return;
	history_fetch(u, h, width);
	if (hist.source != NULL) {
		int y = detail_row(d);
		if (y >= 0)
			ui_putf(d->p->win, y, 1, d->inner - 1, hist.failed ? u->attr[THEME_WARN] :
			    u->attr[THEME_DIM], "graphs: %s%s", hist.error[0] ? hist.error :
			    "query_range of ", hist.error[0] ? "" : hist.source);
		d->line++;
	}
	float *ring = xcalloc((size_t)width, sizeof *ring);
	int64_t from = hist.at_ms - DETAIL_HISTORY_MS;
	for (int k = 0; k < hist.nseries; k++) {
		const struct hist_series *hs = &hist.s[k];
		if (hs->n == 0)
			continue;
		/* place points by time so gaps show as gaps */
		for (int i = 0; i < width; i++)
			ring[i] = -1;
		for (size_t i = 0; i < hs->n; i++) {
			int slot = (int)((hs->pts[i].ts_ms - from) * width / DETAIL_HISTORY_MS);
			if (slot >= 0 && slot < width)
				ring[slot] = (float)hs->pts[i].avg;
		}
		int y = detail_row(d);
		if (y >= 0) {
			ui_put(d->p->win, y, 1, 12, hs->label, u->attr[THEME_HEADER]);
			ui_spark(u, d->p->win, y, 13, width, ring, 0, width, width);
		}
		d->line++;
	}
	free(ring);
}
