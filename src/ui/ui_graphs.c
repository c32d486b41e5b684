/*
 * ui_graphs.c: the Detail graphs of hosts of prometheus groups come from the
 * server's /api/v1/query_range (prom_graph.h), not from the cache, which
 * holds only what opsdeck polled. The fetcher runs on its own thread: the
 * console asks, keeps drawing what it has, and takes the answer when the
 * fetcher's descriptor wakes the loop.
 */
#include "config.h"

#include <string.h>

#include "opsdeck/config.h"
#include "opsdeck/prom_graph.h"
#include "opsdeck/ui_priv.h"
#include "opsdeck/util.h"

/* See ui_priv.h. */
const struct group *
ui_graphs_group(const struct ui *u, const struct host_status *h)
{
	const struct config *cfg = u->o->cfg;

	if (cfg == NULL)
		return NULL;
	for (size_t i = 0; i < cfg->ngroups; i++) {
		const struct group *g = &cfg->groups[i];
		size_t gl = strlen(g->name);
		if (g->kind != GROUP_PROMETHEUS || g->url == NULL || strcmp(g->name, h->group) != 0)
			continue;
		/* the server's own row (GROUP@HOST:PORT) is not an instance */
		if (strncmp(h->name, g->name, gl) == 0 && h->name[gl] == '@')
			return NULL;
		return g;
	}
	return NULL;
}

/* See ui_priv.h. */
void
ui_graphs_ask(struct ui *u, const struct group *g, const char *host, int64_t from_ms,
    int64_t to_ms, int width)
{
	int64_t now = now_mono_ms();

	if (strcmp(u->graph_host, host) == 0 && u->graph_width == width &&
	    now - u->graph_asked < UI_GRAPHS_EVERY_MS)
		return;
	if (u->graphs == NULL)
		u->graphs = prom_graphs_new();
	od_strlcpy(u->graph_host, host, sizeof u->graph_host);
	u->graph_width = width;
	u->graph_asked = now;
	prom_graphs_ask(u->graphs, g->url, g->selector, host, from_ms, to_ms,
	    (to_ms - from_ms) / OD_MAX(width, 1));
}

/* See ui_priv.h. */
const struct prom_graph_answer *
ui_graphs_answer(const struct ui *u, const char *host)
{
	if (u->graph_ans == NULL || strcmp(u->graph_ans->instance, host) != 0)
		return NULL;
	return u->graph_ans;
}

/* See ui_priv.h. */
int
ui_graphs_fd(const struct ui *u)
{
	return u->graphs != NULL ? prom_graphs_fd(u->graphs) : -1;
}

/* See ui_priv.h. */
void
ui_graphs_poll(struct ui *u)
{
	struct prom_graph_answer *a;

	if (u->graphs == NULL || (a = prom_graphs_take(u->graphs)) == NULL)
		return;
	prom_graph_answer_free(u->graph_ans);
	u->graph_ans = a;
	u->graph_gen++;
	ui_dirty_all(u);
}

/* See ui_priv.h. */
void
ui_graphs_free(struct ui *u)
{
	prom_graphs_free(u->graphs);
	u->graphs = NULL;
	prom_graph_answer_free(u->graph_ans);
	u->graph_ans = NULL;
}

static const struct {
	const char	*name;
	int64_t		 ms;
} ranges[] = {
	{ "1h", 3600000LL }, { "6h", 6 * 3600000LL }, { "24h", 24 * 3600000LL },
	{ "7d", 7 * 86400000LL }, { "30d", 30 * 86400000LL },
};

/* See ui_priv.h. */
const char *
ui_graph_range_name(int r)
{
	return r >= 0 && (size_t)r < OD_ARRAY_LEN(ranges) ? ranges[r].name : NULL;
}

/* See ui_priv.h. */
int64_t
ui_graph_range_ms(const struct ui *u)
{
	return ranges[u->graph_range >= 0 && (size_t)u->graph_range < OD_ARRAY_LEN(ranges) ?
	    u->graph_range : 0].ms;
}

/* See ui_priv.h. */
void
ui_graph_range_next(struct ui *u)
{
	u->graph_range = (u->graph_range + 1) % (int)OD_ARRAY_LEN(ranges);
	u->pane[PANE_DETAIL].dirty = 1;
	ui_message(u, 0, "graphs over %s", ranges[u->graph_range].name);
}

/* See ui_priv.h. */
int
ui_graph_range_set(struct ui *u, const char *word)
{
	for (size_t i = 0; i < OD_ARRAY_LEN(ranges); i++) {
		if (strcmp(word, ranges[i].name) == 0) {
			u->graph_range = (int)i;
			u->pane[PANE_DETAIL].dirty = 1;
			ui_message(u, 0, "graphs over %s", ranges[i].name);
			return 0;
		}
	}
	ui_message(u, 1, "range: '%s' is not one of 1h 6h 24h 7d 30d", word);
	return -1;
}
