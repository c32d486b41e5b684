/*
 * feature_usage.c: a scheduler's compute use (budget.h) as a feature. Each
 * queued `slurm` part (sacct, and squeue's nodes of running jobs) adds the
 * growth of each job's use to its tenant's day, in the Asia/Seoul day the
 * part arrived; the newest part with nodes gives the GPUs allocated but idle
 * per tenant, from the GPU use of the nodes this collector watches.
 *
 * Incremental: the per-host state holds every job of the last committed
 * parts as it was last written (jobid hash -> hash of its other fields and
 * its ElapsedRaw), so a job that looks as it did is neither read nor
 * written; only jobs that changed reach the store (budget_store_put_jobs).
 * A running job whose only change is less than USAGE_WRITE_EVERY_S more
 * ElapsedRaw waits: every sacct answer holds a job's whole use so far, so
 * the growth is added when it is written, a minute later at most, and a
 * collector killed meanwhile adds it after its restart (the cache still
 * has the older figure). A part cut at its cap leaves a note for `budget
 * report`; an uncut one clears it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "opsdeck/budget.h"
#include "opsdeck/feature.h"
#include "opsdeck/timeutil.h"
#include "opsdeck/util.h"

static const char *const usage_probes[] = { "slurm", NULL };

/* A running job's growth is written at least this often (seconds). */
#define USAGE_WRITE_EVERY_S	60

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

/*
 * The jobs of the committed parts as written, as open addressing: key[i] a
 * jobid's hash (0: empty slot), fp[i] the hash of its other fields but
 * ElapsedRaw, el[i] its ElapsedRaw. cap is a power of two, at most half full.
 */
struct usage_seen {
	uint64_t	*key;
	uint64_t	*fp;
	int64_t		*el;
	size_t		 cap, n;
};

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t
job_key(const struct slurm_job *j)
{
	uint64_t h = fnv(0xcbf29ce484222325ULL, j->jobid, strlen(j->jobid));
	return h != 0 ? h : 1;
}

/* The hash of every stored field of j but elapsed; with their NULs, so fields stay apart. */
static uint64_t
job_fp(const struct slurm_job *j)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	h = fnv(h, j->account, strlen(j->account) + 1);
	h = fnv(h, j->user, strlen(j->user) + 1);
	h = fnv(h, j->partition, strlen(j->partition) + 1);
	h = fnv(h, j->state, strlen(j->state) + 1);
	h = fnv(h, &j->gpus, sizeof j->gpus);
	return fnv(h, &j->nodes, sizeof j->nodes);
}

/* A table for up to n jobs. Caller frees with seen_free. */
static struct usage_seen *
seen_new(size_t n)
{
	struct usage_seen *s = xcalloc(1, sizeof *s);
	s->cap = 16;
	while (s->cap < 2 * n + 2)
		s->cap *= 2;
	s->key = xcalloc(s->cap, sizeof *s->key);
	s->fp = xcalloc(s->cap, sizeof *s->fp);
	s->el = xcalloc(s->cap, sizeof *s->el);
	return s;
}

static void
seen_free(void *p)
{
	struct usage_seen *s = p;
	if (s == NULL)
		return;
	free(s->key);
	free(s->fp);
	free(s->el);
	free(s);
}

/* The slot of key in s: where it is, or the empty one where it would go. */
static size_t
seen_slot(const struct usage_seen *s, uint64_t key)
{
	size_t i = (size_t)(key ^ (key >> 29)) & (s->cap - 1);
	while (s->key[i] != 0 && s->key[i] != key)
		i = (i + 1) & (s->cap - 1);
	return i;
}

/* key's slot in s (may be NULL), or -1 when s does not hold it. */
static ssize_t
seen_find(const struct usage_seen *s, uint64_t key)
{
	if (s == NULL || s->n == 0)
		return -1;
	size_t i = seen_slot(s, key);
	return s->key[i] != 0 ? (ssize_t)i : -1;
}

/* Sets key's entry; s was made for enough jobs. */
static void
seen_put(struct usage_seen *s, uint64_t key, uint64_t fp, int64_t el)
{
	size_t i = seen_slot(s, key);
	if (s->key[i] == 0) {
		if (2 * (s->n + 1) > s->cap)
			fatal("usage_seen: table full");
		s->key[i] = key;
		s->n++;
	}
	s->fp[i] = fp;
	s->el[i] = el;
}

/*
 * Records part u (arrived at at_ms) of host `host`: the jobs that differ
 * from what *next (this tick's earlier parts) or else `old` (committed)
 * holds, then their fingerprints into *next; the note of a cut answer. 0 or
 * -1 with *cause.
 */
static int
usage_put_part(const struct feature_tick *t, const char *host, const struct slurm_usage *u,
    int64_t at_ms, const struct usage_seen *old, struct usage_seen *next, char **cause)
{
	const struct slurm_job **v = xcalloc(u->njobs + 1, sizeof *v);
	size_t n = 0, changed, written;

	for (size_t i = 0; i < u->njobs; i++) {
		const struct slurm_job *j = &u->jobs[i];
		uint64_t k = job_key(j), f = job_fp(j);
		const struct usage_seen *in = next;
		ssize_t at = seen_find(next, k);
		if (at < 0) {
			in = old;
			at = seen_find(old, k);
		}
		/* the same job, no more than a little longer: wait (see the top) */
		if (at >= 0 && in->fp[at] == f && j->elapsed_s >= in->el[at] &&
		    j->elapsed_s - in->el[at] < USAGE_WRITE_EVERY_S) {
			seen_put(next, k, f, in->el[at]);
			continue;
		}
		v[n++] = j;
		seen_put(next, k, f, j->elapsed_s);
	}
	int rc = budget_store_put_jobs(t->st, v, n, budget_day_from_wall_ms(at_ms), &changed,
	    &written, cause);
	free(v);
	if (rc != 0)
		return -1;
	char *note = NULL;
	if (u->cut) {
		char when[TIME_RFC3339_LEN];
		time_format_rfc3339(at_ms, TIME_ZONE_SEOUL_S, 0, when, sizeof when);
		note = xasprintf("sacct answer cut after %zu jobs (line %d) at %s: the use of "
		    "later jobs in the window is not counted until they show again",
		    u->njobs, u->cut_line, when);
	}
	rc = budget_store_put_note(t->st, host, at_ms, note, cause);
	free(note);
	return rc;
}

static int
usage_ingest(const struct feature_tick *t, const struct feature_host *h, const void *state,
    void **next, char **cause)
{
	const struct queued_part *with_nodes = NULL;
	size_t total = 0;

	if (h->nparts == 0)
		return 0;	/* the state stays */
	for (size_t i = 0; i < h->nparts; i++)
		total += ((const struct slurm_usage *)h->parts[i].part.data)->njobs;
	struct usage_seen *nx = seen_new(total);
	for (size_t i = 0; i < h->nparts; i++) {
		const struct slurm_usage *u = h->parts[i].part.data;
		if (usage_put_part(t, h->status->name, u, h->parts[i].at_ms, state, nx,
		    cause) != 0) {
			seen_free(nx);
			return -1;
		}
		if (u->has_nodes)
			with_nodes = &h->parts[i];
	}
	if (with_nodes != NULL &&
	    put_idle(t, with_nodes->part.data, with_nodes->at_ms, cause) != 0) {
		seen_free(nx);
		return -1;
	}
	*next = nx;
	return 0;
}

const struct feature feature_usage = {
	.name = "usage",
	.probes = usage_probes,
	.init = NULL,		/* budget_store_put_jobs creates its tables */
	.ingest = usage_ingest,
	.state_free = seen_free,
	.prune = NULL,		/* use per day is kept as long as the budget */
};
