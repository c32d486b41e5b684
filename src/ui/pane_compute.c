/*
 * pane_compute.c: the Compute pane: one row per host under group headers
 * with totals; columns fitted to the pane width from 80 to 300 cells. In
 * :idle mode (ui_idle.c) a row under a host for each GPU it holds idle.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "opsdeck/sanitize.h"
#include "opsdeck/textwidth.h"
#include "opsdeck/ui_priv.h"

/* Column widths for one draw; 0: column not shown. */
struct ccols {
	int name, state, cpu, mem, load, gpu, cspark, gspark;
};

/*
 * Fits the columns into `inner` cells: the essentials first (name, state,
 * CPU %, memory, 1-min load), then, while there is room, a CPU bar, the 5 and
 * 15 min loads, the GPU summary and the sparklines; the name gets the rest.
 */
static void
ccols_fit(struct ccols *c, int inner, int have_gpus)
{
	int left;

	memset(c, 0, sizeof *c);
	c->name = 12;
	c->state = 10;
	c->cpu = 5;
	c->mem = 10;
	c->load = 4;
	left = inner - (c->name + c->state + c->cpu + c->mem + c->load + 4);
	if (have_gpus && left >= 26) {
		c->gpu = 25;
		left -= 26;
	}
	if (left >= 10) {
		c->cpu += 10;
		left -= 10;
	}
	if (left >= 10) {
		c->load += 10;
		left -= 10;
	}
	if (left >= 18) {
		c->cspark = 12;
		left -= 13;
	}
	if (have_gpus && c->gpu && left >= 18) {
		c->gspark = 12;
		left -= 13;
	}
	if (left > 0) {
		int add = left < 20 ? left : 20;
		c->name += add;
		left -= add;
	}
	/* wide screens: longer history */
	if (left > 0 && c->cspark) {
		int nsp = c->gspark ? 2 : 1, add = left / nsp;
		if (add > UI_RING - 12)
			add = UI_RING - 12;
		c->cspark += add;
		if (c->gspark)
			c->gspark += add;
	}
}

/* One group header row: name, kind, hosts up, mean CPU, GPUs busy. */
static void
draw_group(struct ui *u, WINDOW *w, int y, int x, int cells, const struct ui_group *g,
    int selected)
{
	char buf[512], name[160];
	attr_t a = selected ? u->attr[THEME_SELECTION] : u->attr[THEME_GROUP];
	const char *kind = g->kind == GROUP_TESTBED ? "test-bed" :
	    g->kind == GROUP_SCHEDULER ? "scheduler" : "nodes";

	sanitize_text(name, sizeof name, g->name, strlen(g->name));
	/* ▾ unfolded, ▸ folded (Space, - and + fold and unfold it) */
	const char *glyph = ui_folded(&u->folds, g->name) ? "\xe2\x96\xb8" : "\xe2\x96\xbe";
	if (g->cpu_n > 0)
		snprintf(buf, sizeof buf, "%s %s (%s)  up %d/%d  cpu %.0f%%", glyph, name, kind,
		    g->up, g->total, g->cpu_sum / g->cpu_n);
	else
		snprintf(buf, sizeof buf, "%s %s (%s)  up %d/%d  cpu -", glyph, name, kind,
		    g->up, g->total);
	if (g->gpus > 0) {
		size_t l = strlen(buf);
		snprintf(buf + l, sizeof buf - l, "  GPUs busy %d/%d", g->gpus_busy, g->gpus);
	}
	ui_fill(w, y, x, cells, a);
	ui_put(w, y, x, cells, buf, a | A_BOLD);
}

/* A load average in 4 cells: 0.52, 12.5, 128 */
static void
load_fmt(char *buf, size_t len, double v)
{
	if (v < 0)
		snprintf(buf, len, "   -");
	else if (v < 9.995)
		snprintf(buf, len, "%4.2f", v);
	else if (v < 99.95)
		snprintf(buf, len, "%4.1f", v);
	else if (v < 9999.5)
		snprintf(buf, len, "%4.0f", v);
	else
		snprintf(buf, len, "%3.0fk", v / 1000);
}

/*
 * One host row in the columns of c at (y, x0), `cells` wide; the selected
 * row takes the selection role throughout. Remote strings are sanitised.
 */
static void
draw_host(struct ui *u, WINDOW *w, int y, int x0, const struct ccols *c,
    const struct host_status *h, const struct ui_ring *ring, int selected, int cells)
{
	char buf[128], a1[16], a2[16];
	attr_t sel = u->attr[THEME_SELECTION];
	int x = x0, up = h->state == HOST_UP;
#define ROLE(r) (selected ? sel : u->attr[(r)])

	if (selected)
		ui_fill(w, y, x0, cells, sel);
	ui_put_remote(w, y, x, c->name - 1, h->name, ROLE(up ? THEME_NORMAL : THEME_STALE));
	x += c->name;
	snprintf(buf, sizeof buf, "%s %s", ui_state_glyph(h->state), ui_state_word(h->state));
	ui_put(w, y, x, c->state, buf, ROLE(ui_state_role(h->state)));
	x += c->state + 1;
	if (!up || h->cpu_pct < 0) {
		ui_put(w, y, x + c->cpu - 1, 1, "-", ROLE(THEME_STALE));
	} else if (c->cpu > 5) {
		ui_gauge(u, w, y, x, c->cpu, h->cpu_pct,
		    selected ? THEME_SELECTION : ui_pct_role(h->cpu_pct));
	} else {
		snprintf(buf, sizeof buf, "%*.0f%%", c->cpu - 1, h->cpu_pct);
		ui_put(w, y, x, c->cpu, buf, ROLE(ui_pct_role(h->cpu_pct) == THEME_GAUGE_FILL ?
		    THEME_NORMAL : ui_pct_role(h->cpu_pct)));
	}
	x += c->cpu + 1;
	if (h->mem_total > 0) {
		text_bytes(a1, sizeof a1, (double)h->mem_used);
		text_bytes(a2, sizeof a2, (double)h->mem_total);
		snprintf(buf, sizeof buf, "%s/%s", a1, a2);
		double pct = 100.0 * (double)h->mem_used / (double)h->mem_total;
		ui_fit_right(w, y, x, c->mem, buf, ROLE(pct >= 90 ? THEME_CRIT :
		    pct >= 80 ? THEME_WARN : up ? THEME_NORMAL : THEME_STALE));
	} else {
		ui_put(w, y, x + c->mem - 1, 1, "-", ROLE(THEME_STALE));
	}
	x += c->mem + 1;
	if (h->sample_ms > 0) {
		char l0[16], l1[16], l2[16];
		load_fmt(l0, sizeof l0, h->load[0]);
		load_fmt(l1, sizeof l1, h->load[1]);
		load_fmt(l2, sizeof l2, h->load[2]);
		if (c->load > 4)
			snprintf(buf, sizeof buf, "%s %s %s", l0, l1, l2);
		else
			snprintf(buf, sizeof buf, "%s", l0);
		ui_fit_right(w, y, x, c->load, buf, ROLE(up ? THEME_NORMAL : THEME_STALE));
	}
	x += c->load + 1;
	if (c->gpu) {
		if (h->ngpus > 0) {
			double util = 0, tmax = -1;
			uint64_t mu = 0, mt = 0;
			int nu = 0, nm = 0;
			for (int i = 0; i < h->ngpus; i++) {
				const struct gpu_sample *g = &h->gpus[i];
				if (g->util_pct >= 0) {
					util += g->util_pct;
					nu++;
				}
				if (g->temp_c > tmax)
					tmax = g->temp_c;
				if (g->mem_used_bytes >= 0 && g->mem_total_bytes >= 0) {
					mu += (uint64_t)g->mem_used_bytes;
					mt += (uint64_t)g->mem_total_bytes;
					nm++;
				}
			}
			text_bytes(a1, sizeof a1, (double)mu);
			text_bytes(a2, sizeof a2, (double)mt);
			if (nm == 0)	/* no GPU told its memory: unknown, not 0 */
				snprintf(a1, sizeof a1, "-"), snprintf(a2, sizeof a2, "-");
			char t[8] = "   -", u4[8] = "   -", m[40];
			if (tmax >= 0)
				snprintf(t, sizeof t, "%3.0fC", tmax);
			if (nu > 0)
				snprintf(u4, sizeof u4, "%3.0f%%", util / nu);
			snprintf(m, sizeof m, "%s/%s", a1, a2);
			snprintf(buf, sizeof buf, "%2dx %4s %11s %4s", h->ngpus, u4, m, t);
			ui_put(w, y, x, c->gpu, buf, ROLE(!up ? THEME_STALE : tmax >= 85 ?
			    THEME_CRIT : THEME_NORMAL));
		} else {
			ui_put(w, y, x, c->gpu, " -", ROLE(THEME_DIM));
		}
		x += c->gpu + 1;
	}
	if (c->cspark && ring != NULL) {
		ui_spark(u, w, y, x, c->cspark, ring->cpu, ring->head, ring->count, UI_RING);
		x += c->cspark + 1;
	}
	if (c->gspark && ring != NULL && h->ngpus > 0)
		ui_spark(u, w, y, x, c->gspark, ring->gpu, ring->head, ring->count, UI_RING);
#undef ROLE
}

/*
 * One held-but-idle GPU under its host (:idle): "└ GPU 3   2%  job 48219
 * alice  python3 +1": its utilisation, then the job, user and name of its
 * first process ("-" for what the node could not say), and how many more
 * processes it holds. Remote text is sanitised.
 */
static void
draw_idle_gpu(struct ui *u, WINDOW *w, int y, int x, int cells, const struct host_status *h,
    int gi)
{
	const struct gpu_sample *g = &h->gpus[gi];
	const struct gpu_proc *first = NULL;
	char buf[256], more[24] = "";
	int n = 0;

	for (int i = 0; i < h->nprocs; i++) {
		if (h->procs[i].gpu != g->index)
			continue;
		if (first == NULL)
			first = &h->procs[i];
		n++;
	}
	if (first == NULL)
		return;
	if (n > 1)
		snprintf(more, sizeof more, " +%d", n - 1);
	snprintf(buf, sizeof buf, "  \xe2\x94\x94 GPU %-2d %3.0f%%  job %-9s %-12s %s%s", g->index,
	    g->util_pct, first->job[0] ? first->job : "-", first->user[0] ? first->user : "-",
	    first->name[0] ? first->name : "-", more);
	ui_put_remote(w, y, x, cells, buf, u->attr[THEME_WARN]);
}

/*
 * Draws the Compute pane: border with counts, the column header (the sort
 * column marked), and the visible rows, scrolled so the selection shows.
 */
static void
compute_draw(struct ui *u, struct pane *p)
{
	struct ccols c;
	char extra[128];
	int inner = p->w - 2, vis = p->h - 3, have_gpus = 0, x;
	size_t shown = 0;

	for (size_t i = 0; i < u->nhosts && !have_gpus; i++)
		have_gpus = u->hosts[i].ngpus > 0;
	for (size_t g = 0; g < u->ngroups; g++)
		shown += (size_t)u->groups[g].shown;	/* folded ones too */
	if (u->idle_gpus)
		snprintf(extra, sizeof extra, "%d idle GPU%s held, %zu/%zu hosts, :idle",
		    u->nidle_gpus, u->nidle_gpus == 1 ? "" : "s", shown, u->nhosts);
	else if (u->filter[0] != '\0')
		snprintf(extra, sizeof extra, "%zu/%zu hosts, filter%s", shown, u->nhosts,
		    u->grouped ? "" : ", ungrouped");
	else
		snprintf(extra, sizeof extra, "%zu host%s%s", u->nhosts, u->nhosts == 1 ? "" : "s",
		    u->grouped ? "" : ", ungrouped");
	ui_box(u, p, u->focus == PANE_COMPUTE, extra);
	ccols_fit(&c, inner, have_gpus);
	if (vis < 1)
		return;

	/* header */
	x = 1;
	attr_t ha = u->attr[THEME_HEADER];
	const char *arrow = u->sort_rev ? "\xe2\x96\xb2" : "\xe2\x96\xbc";
#define HDR(label, width, key, right) do { \
	char hb[96]; \
	snprintf(hb, sizeof hb, "%s%s", label, u->sort == (key) ? arrow : ""); \
	if (right) ui_fit_right(p->win, 1, x, width, hb, ha); \
	else ui_put(p->win, 1, x, width, hb, ha); \
} while (0)
	ui_fill(p->win, 1, 1, inner, ha);
	HDR("NAME", c.name, SORT_NAME, 0);
	x += c.name;
	HDR("STATE", c.state, SORT_STATE, 0);
	x += c.state + 1;
	HDR("CPU", c.cpu, SORT_CPU, 1);
	x += c.cpu + 1;
	HDR("MEM", c.mem, SORT_MEM, 1);
	x += c.mem + 1;
	HDR(c.load > 4 ? "LOAD 1/5/15" : "LOAD", c.load, SORT_LOAD, 1);
	x += c.load + 1;
	if (c.gpu) {
		char gh[64];
		snprintf(gh, sizeof gh, "%3s %4s %11s %4s", "GPU", "UTIL", "MEM", "TEMP");
		HDR(gh, c.gpu, SORT_GPU, 0);
		x += c.gpu + 1;
	}
	if (c.cspark) {
		ui_put(p->win, 1, x, c.cspark, "CPU HIST", ha);
		x += c.cspark + 1;
	}
	if (c.gspark)
		ui_put(p->win, 1, x, c.gspark, "GPU HIST", ha);
#undef HDR

	panel_fit(p, (int)u->nrows, vis, 1);
	panel_footer(u, p, u->filter);
	if (u->nrows == 0) {
		ui_put(p->win, 2, 2, inner - 2, u->nhosts == 0 ? "no hosts in the cache yet" :
		    u->idle_gpus && u->filter[0] == '\0' ? "no GPU is held but idle (:idle "
		    "shows every host)" : "no host matches the filter", u->attr[THEME_DIM]);
		return;
	}
	for (int i = 0; i < vis && p->top + i < (int)u->nrows; i++) {
		const struct ui_row *r = &u->rows[p->top + i];
		int selected = p->top + i == p->sel;
		if (r->kind == ROW_GROUP)
			draw_group(u, p->win, 2 + i, 1, inner, &u->groups[r->idx], selected);
		else if (r->kind == ROW_GPU)
			draw_idle_gpu(u, p->win, 2 + i, 1, inner, &u->hosts[r->idx], r->gpu);
		else
			draw_host(u, p->win, 2 + i, 1, &c, &u->hosts[r->idx],
			    ui_ring_of(u, (size_t)r->idx), selected, inner);
	}
}

/* The panel's selection: group headers are skipped (ui_select_row). */
static void
compute_select(struct ui *u, struct pane *p, int row)
{
	(void)p;
	ui_select_row(u, row);
}

/*
 * Space toggles the fold of the selected host's group, `-` folds it, `+`
 * unfolds it; Enter on a folded group's header unfolds it.
 */
static int
compute_key(struct ui *u, struct pane *p, int key)
{
	(void)p;
	switch (key) {
	case '\n': case '\r': case KEY_ENTER:
		if (ui_selected(u) != NULL)
			return 0;
		ui_fold(u, 1);
		return 1;
	case ' ':
		ui_fold(u, 0);
		return 1;
	case '-':
		ui_fold(u, -1);
		return 1;
	case '+':
		ui_fold(u, 1);
		return 1;
	default:
		return 0;
	}
}

/* A click on a row selects it (row 0 is the header). */
static void
compute_click(struct ui *u, struct pane *p, int row)
{
	if (row >= 1)
		ui_select_row(u, p->top + row - 1);
}

const struct pane_ops pane_compute_ops = {
	.name = "Compute",
	.draw = compute_draw,
	.key = compute_key,
	.click = compute_click,
	.select = compute_select,
};
