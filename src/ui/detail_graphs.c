/*
 * detail_graphs.c: the Detail pane's graphs of a host (issue 15): CPU,
 * memory, and each GPU's utilisation, memory and temperature, full width,
 * GRAPH_ROWS rows of block elements each (eight levels a cell), over the
 * range `R` and `:range` choose (1h 6h 24h 7d 30d), with min / avg / max
 * over what is shown, and gaps where there was no data. They end at the time
 * cursor while it is not live. From the store (store_history picks raw
 * samples or rollups for the step), or for a host of a prometheus group
 * from the server's query_range (ui_graphs.c), asked for on a thread.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/prom_graph.h"
#include "opsdeck/store.h"
#include "opsdeck/textwidth.h"
#include "opsdeck/ui_priv.h"
#include "detail_int.h"

#define GRAPH_ROWS		3	/* rows of one graph: 24 levels */
#define GRAPH_EVERY_MS		10000	/* live: the same host, range and width re-read after */
#define GRAPH_SERIES		(2 + 3 * PROBE_MAX_GPUS)

enum graph_unit { GU_PCT, GU_BYTES, GU_CELSIUS };

struct graph {
	char		 metric[48];
	char		 label[24];
	enum graph_unit	 unit;
	double		 top;		/* the scale's top: 100 %, a GPU's memory, ... */
	struct store_point *pts;
	size_t		 n;
};

static struct {
	char		 host[HOSTNAME_MAX + 1];
	int64_t		 at_ms, range_ms;	/* the graphs end at at_ms */
	int		 width, n;
	struct graph	 g[GRAPH_SERIES];
	const char	*source;	/* NULL: the cache; else the Prometheus server */
	char		 error[160];	/* "asking ...", or why the server's graphs did not come */
	int		 failed;
	unsigned	 gen;		/* ui graph_gen they came with */
} gs;

static void
graphs_clear(void)
{
	for (int i = 0; i < gs.n; i++) {
		free(gs.g[i].pts);
		gs.g[i].pts = NULL;
		gs.g[i].n = 0;
	}
	gs.n = 0;
}

/* Adds a graph to fill; NULL when full. */
static struct graph *
graph_add(const char *metric, enum graph_unit unit, double top, const char *label)
{
	if (gs.n >= GRAPH_SERIES)
		return NULL;
	struct graph *g = &gs.g[gs.n++];
	snprintf(g->metric, sizeof g->metric, "%s", metric);
	snprintf(g->label, sizeof g->label, "%s", label);
	g->unit = unit;
	g->top = top;
	return g;
}

/* One series of a Prometheus answer into g: NaN and infinities are gaps. */
static void
graph_from_prom(struct graph *g, const struct prom_series *ps)
{
	g->pts = xcalloc(ps->n + 1, sizeof *g->pts);
	g->n = 0;
	for (size_t i = 0; i < ps->n; i++) {
		double v = ps->pts[i].value;
		if (isnan(v) || isinf(v))
			continue;
		g->pts[g->n++] = (struct store_point){ ps->pts[i].ts_ms, v, v, v, 1 };
	}
}

/*
 * A host of a prometheus group: its graphs from the server's query_range,
 * asked for on a thread and drawn once they came; until then, and when they
 * fail, the line above them says so.
 */
static void
graphs_from_prom(struct ui *u, const struct group *grp, const struct host_status *h,
    int width, int64_t now, int64_t range)
{
	ui_graphs_ask(u, grp, h->name, now - range, now, width);
	const struct prom_graph_answer *a = ui_graphs_answer(u, h->name);
	if (strcmp(gs.host, h->name) == 0 && gs.width == width && gs.source != NULL &&
	    gs.gen == u->graph_gen && gs.range_ms == range)
		return;
	graphs_clear();
	od_strlcpy(gs.host, h->name, sizeof gs.host);
	gs.width = width;
	gs.range_ms = range;
	gs.source = grp->url;
	gs.gen = u->graph_gen;
	gs.at_ms = now;
	snprintf(gs.error, sizeof gs.error, "asking %s ...", grp->url);
	gs.failed = 0;
	if (a == NULL || a->to_ms - a->from_ms != range)
		return;
	gs.at_ms = a->to_ms;
	gs.error[0] = '\0';
	if (a->error != NULL) {
		snprintf(gs.error, sizeof gs.error, "%s", a->error);
		gs.failed = 1;
	}
	struct graph *g;
	char label[24];
	if (a->m[PG_CPU].n > 0 && (g = graph_add("", GU_PCT, 100, "CPU")) != NULL)
		graph_from_prom(g, &a->m[PG_CPU].s[0]);
	if (a->m[PG_MEM].n > 0 && (g = graph_add("", GU_PCT, 100, "Mem")) != NULL)
		graph_from_prom(g, &a->m[PG_MEM].s[0]);
	for (size_t i = 0; i < a->m[PG_GPU_UTIL].n; i++) {
		snprintf(label, sizeof label, "GPU%.4s", a->m[PG_GPU_UTIL].s[i].gpu);
		if ((g = graph_add("", GU_PCT, 100, label)) != NULL)
			graph_from_prom(g, &a->m[PG_GPU_UTIL].s[i]);
	}
}

/* The graphs of h from the store, over range ending now, width points. */
static void
graphs_fetch(struct ui *u, const struct host_status *h, int width)
{
	int64_t now = u->at_ms > 0 ? u->at_ms : now_wall_ms();	/* they end at the cursor */
	int64_t range = ui_graph_range_ms(u);
	const struct group *grp = ui_graphs_group(u, h);

	if (grp != NULL) {
		graphs_from_prom(u, grp, h, width, now, range);
		return;
	}
	if (strcmp(gs.host, h->name) == 0 && gs.width == width && gs.source == NULL &&
	    gs.range_ms == range &&
	    (u->at_ms > 0 ? gs.at_ms == now : now - gs.at_ms < GRAPH_EVERY_MS))
		return;
	graphs_clear();
	gs.source = NULL;
	gs.error[0] = '\0';
	od_strlcpy(gs.host, h->name, sizeof gs.host);
	gs.at_ms = now;
	gs.width = width;
	gs.range_ms = range;
	if (u->store == NULL || width < 4)
		return;
	graph_add("cpu.util_pct", GU_PCT, 100, "CPU");
	graph_add("mem.used_pct", GU_PCT, 100, "Mem");
	for (int k = 0; k < h->ngpus; k++) {
		const struct gpu_sample *gp = &h->gpus[k];
		char m[48], label[24];
		snprintf(m, sizeof m, "gpus.%d.util_pct", gp->index);
		snprintf(label, sizeof label, "GPU%d", gp->index);
		graph_add(m, GU_PCT, 100, label);
		snprintf(m, sizeof m, "gpus.%d.mem_used_bytes", gp->index);
		snprintf(label, sizeof label, "GPU%d mem", gp->index);
		graph_add(m, GU_BYTES, gp->mem_total_bytes > 0 ? (double)gp->mem_total_bytes : 0,
		    label);
		snprintf(m, sizeof m, "gpus.%d.temp_c", gp->index);
		snprintf(label, sizeof label, "GPU%d temp", gp->index);
		graph_add(m, GU_CELSIUS, 100, label);
	}
	for (int i = 0; i < gs.n; i++) {
		struct graph *g = &gs.g[i];
		char *cause = NULL;
		if (store_history(u->store, h->name, g->metric, now - range, now, range / width,
		    &g->pts, &g->n, &cause) != 0) {
			free(cause);	/* a metric this host does not have: no graph */
			g->pts = NULL;
			g->n = 0;
		}
	}
}

/* v in g's unit, short, into buf. */
static void
fmt_value(char *buf, size_t len, const struct graph *g, double v)
{
	if (g->unit == GU_BYTES)
		text_bytes(buf, len, v);
	else
		snprintf(buf, len, g->unit == GU_PCT ? "%.0f%%" : "%.0fC", v);
}

/*
 * One graph: a heading with the range and min / avg / max of the points
 * shown, then GRAPH_ROWS rows; a column without a point stays blank.
 */
static void
draw_graph(struct dctx *d, const struct graph *g, int width)
{
	static const char *const eighths[] = {
		" ", "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
		"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
	};
	struct ui *u = d->u;
	double *col = xcalloc((size_t)width, sizeof *col);
	double lo = INFINITY, hi = -INFINITY, sum = 0, top = g->top;
	int64_t from = gs.at_ms - gs.range_ms, n = 0;	/* n: samples, not columns */

	for (int i = 0; i < width; i++)
		col[i] = NAN;
	for (size_t i = 0; i < g->n; i++) {
		const struct store_point *p = &g->pts[i];
		int x = (int)((p->ts_ms - from) * width / gs.range_ms);
		if (x == width && p->ts_ms <= gs.at_ms)
			x = width - 1;	/* a point at the very end: the last column */
		if (x < 0 || x >= width || isnan(p->avg))
			continue;
		col[x] = p->avg;
		lo = OD_MIN(lo, p->min);
		hi = OD_MAX(hi, p->max);
		int64_t w = p->n > 0 ? p->n : 1;	/* the same avg however buckets fall */
		sum += p->avg * (double)w;
		n += w;
	}
	if (top <= 0 || hi > top)
		top = hi > 0 ? hi : 1;	/* no known scale: the largest value */
	char a[16], b[16], c[16];
	if (n > 0) {
		fmt_value(a, sizeof a, g, lo);
		fmt_value(b, sizeof b, g, sum / (double)n);
		fmt_value(c, sizeof c, g, hi);
	}
	int y = drow(d);
	if (y >= 0) {
		int x = ui_putf(d->p->win, y, 1, d->inner, u->attr[THEME_HEADER], "%s %s",
		    g->label, ui_graph_range_name(u->graph_range));
		ui_putf(d->p->win, y, 1 + x, d->inner - x, u->attr[THEME_DIM], n > 0 ?
		    "  min %s  avg %s  max %s" : "  no data in this range", a, b, c);
	}
	d->line++;
	for (int r = GRAPH_ROWS - 1; r >= 0; r--) {
		y = drow(d);
		for (int x = 0; x < width && y >= 0; x++) {
			if (isnan(col[x])) {
				ui_put(d->p->win, y, 1 + x, 1, " ", u->attr[THEME_STALE]);
				continue;
			}
			int level = (int)(col[x] / top * GRAPH_ROWS * 8 + 0.5);
			int fill = OD_MAX(0, OD_MIN(8, level - r * 8));
			/* the bottom row never blank for a point: a zero still shows */
			if (r == 0 && fill == 0)
				fill = 1;
			ui_put(d->p->win, y, 1 + x, 1, eighths[fill], u->attr[THEME_SPARK]);
		}
		d->line++;
	}
	free(col);
}

/* See detail_int.h. */
void
detail_draw_history(struct dctx *d, const struct host_status *h)
{
	struct ui *u = d->u;
	int width = d->inner - 1;

	if (width < 8)
		return;
	graphs_fetch(u, h, width);
	if (gs.source != NULL) {
		int y = drow(d);
		if (y >= 0)
			ui_putf(d->p->win, y, 1, d->inner - 1, gs.failed ? u->attr[THEME_WARN] :
			    u->attr[THEME_DIM], "graphs: %s%s", gs.error[0] ? gs.error :
			    "query_range of ", gs.error[0] ? "" : gs.source);
		d->line++;
	}
	for (int k = 0; k < gs.n; k++)
		if (gs.g[k].n > 0)
			draw_graph(d, &gs.g[k], width);
}
