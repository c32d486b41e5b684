/*
 * prom_graph.h: the Detail graphs of a host of a prometheus group, from the
 * server's /api/v1/query_range, fetched on a thread of their own so that the
 * console never waits on HTTP. The console asks (the latest ask wins), and
 * takes the answer when the fetcher's descriptor turns readable.
 */
#ifndef OPSDECK_PROM_GRAPH_H
#define OPSDECK_PROM_GRAPH_H

#include <stdint.h>

#include "opsdeck/promapi.h"

#define PROM_GRAPH_TIMEOUT_MS	5000	/* every query of one ask together */

struct prom_graph_answer {
	char	 instance[HOSTNAME_MAX + 1];
	int64_t	 from_ms, to_ms, step_ms;	/* as asked */
	struct prom_matrix m[PG_COUNT];		/* by enum prom_graph */
	char	*error;		/* NULL, or why some graph did not come */
};

struct prom_graphs;

/* Starts the fetcher's thread. Free with prom_graphs_free. */
struct prom_graphs *prom_graphs_new(void);
/* Readable when an answer waits (prom_graphs_take drains it). */
int  prom_graphs_fd(const struct prom_graphs *pg);
/*
 * Asks for instance's graphs (the server url, the group's selector or NULL)
 * over [from_ms, to_ms] every step_ms; replaces an ask not yet started.
 * Copies everything; never blocks on the network.
 */
void prom_graphs_ask(struct prom_graphs *pg, const char *url, const char *sel,
	    const char *instance, int64_t from_ms, int64_t to_ms, int64_t step_ms);
/* The newest answer (caller frees with prom_graph_answer_free), or NULL. */
struct prom_graph_answer *prom_graphs_take(struct prom_graphs *pg);
void prom_graph_answer_free(struct prom_graph_answer *a);
/* Stops the thread (a transfer under way gives up within about a second). */
void prom_graphs_free(struct prom_graphs *pg);

#endif
