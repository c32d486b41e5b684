/*
 * feature_usage.c: a scheduler's compute use (budget.h) as a feature. Each
 * queued `slurm` part (sacct, and squeue's nodes of running jobs) adds the
 * growth of each job's use to its tenant's day, in the Asia/Seoul day the
 * part arrived; the newest part with nodes gives the GPUs allocated but idle
 * per tenant, from the GPU use of the nodes this collector watches.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "opsdeck/budget.h"
#include "opsdeck/feature.h"
#include "opsdeck/util.h"

static const char *const usage_probes[] = { "slurm", NULL };

/* A host's name and mean GPU utilisation, for budget_idle_compute. */
struct node_util {
	const char	*name;		/* borrowed from the tick's fleet */
	double		 pct;
};

struct node_utils {
	struct node_util *v;		/* sorted by name (the fleet is) */
	size_t		 n;
};

static int
node_util_cmp(const void *a, const void *b)
{
	const struct node_util *x = a, *y = b;
	return strcmp(x->name, y->name);
}

/* budget_idle_compute's lookup: 0 with *pct for a host named exactly node, else -1. */
static int
node_util_find(void *arg, const char *node, double *pct)
{
	const struct node_utils *nu = arg;
	const struct node_util key = { node, 0 };
	const struct node_util *hit = nu->n ? bsearch(&key, nu->v, nu->n, sizeof *nu->v,
	    node_util_cmp) : NULL;
	if (hit == NULL)
		return -1;
	*pct = hit->pct;
	return 0;
}

/* Idle GPUs per tenant from u's running jobs and the fleet's GPU use. 0 or -1. */
static int
put_idle(const struct feature_tick *t, const struct slurm_usage *u, int64_t at_ms,
    char **cause)
{
	size_t nf, nu = 0;
	const struct host_status *fleet = t->fleet(t, &nf);
	struct node_util *nv = xcalloc(nf + 1, sizeof *nv);
	struct budget_idle *idle;

	for (size_t k = 0; k < nf; k++) {
		const struct host_status *h = &fleet[k];
		double sum = 0;
		int ng = 0;
		for (int g = 0; h->state == HOST_UP && g < h->ngpus; g++) {
			if (h->gpus[g].util_pct >= 0) {
				sum += h->gpus[g].util_pct;
				ng++;
			}
		}
		if (ng > 0) {
			nv[nu].name = h->name;
			nv[nu++].pct = sum / ng;
		}
	}
	struct node_utils look = { nv, nu };
	size_t n = budget_idle_compute(u, node_util_find, &look, &idle);
	free(nv);
	int rc = budget_store_put_idle(t->st, idle, n, at_ms, cause);
	free(idle);
	return rc;
}

static int
usage_ingest(const struct feature_tick *t, const struct feature_host *h, const void *state,
    void **next, char **cause)
{
	const struct queued_part *with_nodes = NULL;
	size_t changed;

	(void)state;
	(void)next;
	for (size_t i = 0; i < h->nparts; i++) {
		const struct slurm_usage *u = h->parts[i].part.data;
		if (budget_store_put_usage(t->st, u, budget_day_from_wall_ms(h->parts[i].at_ms),
		    &changed, cause) != 0)
			return -1;
		if (u->has_nodes)
			with_nodes = &h->parts[i];
	}
	if (with_nodes != NULL)
		return put_idle(t, with_nodes->part.data, with_nodes->at_ms, cause);
	return 0;
}

const struct feature feature_usage = {
	.name = "usage",
	.probes = usage_probes,
	.init = NULL,		/* budget_store_put_usage creates its tables */
	.ingest = usage_ingest,
	.state_free = NULL,
	.prune = NULL,		/* use per day is kept as long as the budget */
};
