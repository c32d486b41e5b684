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
 * has the older figure). A tick writes at most USAGE_WRITE_MAX jobs; the
 * rest wait in the state's backlog for the next ticks, oldest first (a
 * newer view of a job replaces its waiting one). A part cut at its cap
 * leaves a note for `budget report`; an uncut one clears it.
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
/* Jobs one tick writes at most; more wait for the next ticks (the backlog). */
#define USAGE_WRITE_MAX		5000

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

/* A job to write: borrowed from a part or from the committed backlog. */
struct cand {
	const struct slurm_job *job;
	int32_t		 day;
	uint64_t	 key, fp;
};

/* A job waiting for a later tick (USAGE_WRITE_MAX), owned by the state. */
struct backlog_job {
	struct slurm_job job;
	int32_t		 day;
};

/* The per-host state: jobs as written, and the jobs still to write. */
struct usage_state {
	struct usage_seen *seen;
	struct backlog_job *backlog;
	size_t		 nbacklog;
};

static void
state_free(void *p)
{
	struct usage_state *s = p;
	if (s == NULL)
		return;
	seen_free(s->seen);
	free(s->backlog);
	free(s);
}

/* Adds c to v (n, index by key in idx), replacing an earlier version of its job. */
static void
cand_put(struct cand *v, size_t *n, struct usage_seen *idx, const struct cand *c)
{
	ssize_t at = seen_find(idx, c->key);
	if (at >= 0) {
		v[idx->el[at]] = *c;
		return;
	}
	seen_put(idx, c->key, 0, (int64_t)*n);
	v[(*n)++] = *c;
}

/*
 * Writes cands v[0..n) (in runs of one day) and records each in seen. 0 or
 * -1 with *cause.
 */
static int
cands_write(const struct feature_tick *t, const struct cand *v, size_t n,
    struct usage_seen *seen, char **cause)
{
	const struct slurm_job **jobs = xcalloc(n + 1, sizeof *jobs);
	size_t changed, written;

	for (size_t i = 0; i < n;) {
		size_t k = i;
		for (; k < n && v[k].day == v[i].day; k++)
			jobs[k - i] = v[k].job;
		if (budget_store_put_jobs(t->st, jobs, k - i, v[i].day, &changed, &written,
		    cause) != 0) {
			free(jobs);
			return -1;
		}
		i = k;
	}
	free(jobs);
	for (size_t i = 0; i < n; i++)
		seen_put(seen, v[i].key, v[i].fp, v[i].job->elapsed_s);
	return 0;
}

/* The note of part u (arrived at at_ms) of host: set when cut, else cleared. 0 or -1. */
static int
usage_note(const struct feature_tick *t, const char *host, const struct slurm_usage *u,
    int64_t at_ms, char **cause)
{
	char *note = NULL;
	if (u->cut) {
		char when[TIME_RFC3339_LEN];
		time_format_rfc3339(at_ms, TIME_ZONE_SEOUL_S, 0, when, sizeof when);
		note = xasprintf("sacct answer cut after %zu jobs (line %d) at %s: the use of "
		    "later jobs in the window is not counted until they show again",
		    u->njobs, u->cut_line, when);
	}
	int rc = budget_store_put_note(t->st, host, at_ms, note, cause);
	free(note);
	return rc;
}

/*
 * The jobs of the tick's parts that changed since the committed state old
 * (a job the same but for less than USAGE_WRITE_EVERY_S more ElapsedRaw
 * waits, and goes to nx->seen as written before), and old's backlog jobs no
 * part brought again, into v (at most cap; idx indexes it by job).
 */
static size_t
usage_changed(const struct feature_host *h, const struct usage_state *old,
    struct usage_state *nx, struct cand *v, struct usage_seen *idx)
{
	const struct usage_seen *os = old != NULL ? old->seen : NULL;
	size_t n = 0;

	for (size_t p = 0; p < h->nparts; p++) {
		const struct slurm_usage *u = h->parts[p].part.data;
		int32_t day = budget_day_from_wall_ms(h->parts[p].at_ms);
		for (size_t i = 0; i < u->njobs; i++) {
			const struct slurm_job *j = &u->jobs[i];
			struct cand c = { j, day, job_key(j), job_fp(j) };
			ssize_t at = seen_find(os, c.key);
			if (at >= 0 && os->fp[at] == c.fp && j->elapsed_s >= os->el[at] &&
			    j->elapsed_s - os->el[at] < USAGE_WRITE_EVERY_S) {
				if (seen_find(idx, c.key) < 0)
					seen_put(nx->seen, c.key, c.fp, os->el[at]);
				continue;
			}
			cand_put(v, &n, idx, &c);
		}
	}
	/* the backlog first, oldest first, unless a part brought the job again */
	size_t nb = 0;
	struct cand *bv = xcalloc((old != NULL ? old->nbacklog : 0) + 1, sizeof *bv);
	for (size_t i = 0; old != NULL && i < old->nbacklog; i++) {
		const struct backlog_job *b = &old->backlog[i];
		uint64_t k = job_key(&b->job);
		if (seen_find(idx, k) >= 0 || seen_find(nx->seen, k) >= 0)
			continue;
		bv[nb++] = (struct cand){ &b->job, b->day, k, job_fp(&b->job) };
	}
	if (nb > 0) {
		memmove(v + nb, v, n * sizeof *v);
		memcpy(v, bv, nb * sizeof *v);
		n += nb;
	}
	free(bv);
	return n;
}

/*
 * Writes what changed, USAGE_WRITE_MAX jobs a tick at most (the rest waits
 * in the next state's backlog, so a first answer of 25,000 jobs never holds
 * the tick, and the other hosts, for long), the notes, and the idle GPUs of
 * the newest part with nodes.
 */
static int
usage_ingest(const struct feature_tick *t, const struct feature_host *h, const void *state,
    void **next, char **cause)
{
	const struct usage_state *old = state;
	const struct queued_part *with_nodes = NULL;
	size_t total = old != NULL ? old->nbacklog : 0;

	if (h->nparts == 0 && total == 0)
		return 0;	/* the state stays */
	for (size_t i = 0; i < h->nparts; i++)
		total += ((const struct slurm_usage *)h->parts[i].part.data)->njobs;
	struct usage_state *nx = xcalloc(1, sizeof *nx);
	struct usage_seen *idx = seen_new(total);
	struct cand *v = xcalloc(total + 1, sizeof *v);
	nx->seen = seen_new(total);
	size_t n = usage_changed(h, old, nx, v, idx);
	size_t now = OD_MIN(n, (size_t)USAGE_WRITE_MAX);
	int rc = cands_write(t, v, now, nx->seen, cause);
	if (rc == 0 && n > now) {
		nx->nbacklog = n - now;
		nx->backlog = xcalloc(nx->nbacklog, sizeof *nx->backlog);
		for (size_t i = now; i < n; i++) {
			nx->backlog[i - now].job = *v[i].job;
			nx->backlog[i - now].day = v[i].day;
		}
	}
	free(v);
	seen_free(idx);
	for (size_t i = 0; rc == 0 && i < h->nparts; i++) {
		const struct slurm_usage *u = h->parts[i].part.data;
		rc = usage_note(t, h->status->name, u, h->parts[i].at_ms, cause);
		if (u->has_nodes)
			with_nodes = &h->parts[i];
	}
	if (rc == 0 && with_nodes != NULL)
		rc = put_idle(t, with_nodes->part.data, with_nodes->at_ms, cause);
	if (rc != 0) {
		state_free(nx);
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
	.state_free = state_free,
	.prune = NULL,		/* use per day is kept as long as the budget */
};
