/*
 * slurm.c: the Slurm cluster that opsdeck-fleetsim's head node reports on.
 *
 * Every account submits jobs as a Poisson process in simulated time; a job
 * waits in the queue, runs, and ends in one of the states sacct prints
 * (COMPLETED, FAILED, TIMEOUT, CANCELLED by UID, OUT_OF_MEMORY), or is
 * cancelled while still pending. All of a job is drawn when it is submitted
 * (size, wait, time limit, outcome, run time), so what sacct shows at a
 * simulated time is a function of the seed and that time alone, and a job's
 * ElapsedRaw never shrinks as the time moves on. Submission rates follow
 * the plan: an account's tenant uses on average its allocation per period
 * times a factor between 0.5 and 1.6 drawn per account, so some tenants
 * burn faster than their plan and some slower.
 *
 * squeue: each running job is on as many GPU nodes as its node= count,
 * picked from its JobID. One GPU account, the one that submits the most
 * work, is "idle-prone": with two GPU nodes or more its jobs get the last
 * eighth of them (at least one) to themselves, and a GPU node running one of
 * its jobs shows its GPUs at a few percent (slurm_sim_gpu_idle), so the
 * console has GPUs allocated but idle to show. Deterministic like the rest.
 *
 * Jobs that ended before the sacct window are retired; what the outputs had
 * shown of them stays in their account's totals, the "truth" a collector
 * that saw every output must agree with (slurm_sim_truth, the slurm-truth
 * file).
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fleetsim.h"
#include "opsdeck/budget.h"

#define HOUR	3600.0

/* Job shapes. GPU jobs on partition gpu (8 GPUs a node). */
static const int gpu_sizes[] = { 1, 2, 4, 8, 16 };
static const double gpu_size_p[] = { 0.30, 0.20, 0.20, 0.20, 0.10 };
/* CPU-only jobs of a node-hours tenant, partition hpc (64 cores a node). */
static const int hpc_nodes[] = { 1, 2, 4, 8 };
static const double hpc_nodes_p[] = { 0.30, 0.30, 0.30, 0.10 };
/* Time limits in hours. */
static const double limits_h[] = { 1, 4, 12, 24, 48 };
static const double limits_p[] = { 0.25, 0.30, 0.25, 0.15, 0.05 };
/* Outcomes: probability and the run time as a fraction of the limit. */
static const struct {
	double	 p, lo, hi;
} outcomes[] = {
	[SLURM_SIM_COMPLETED]	= { 0.70, 0.10, 0.95 },
	[SLURM_SIM_FAILED]	= { 0.10, 0.00, 0.50 },
	[SLURM_SIM_TIMEOUT]	= { 0.07, 1.00, 1.00 },
	[SLURM_SIM_CANCELLED]	= { 0.08, 0.00, 0.80 },
	[SLURM_SIM_OOM]		= { 0.05, 0.01, 0.30 },
};
#define CPU_JOB_SHARE		0.10	/* of a GPU account's jobs, on partition cpu */
#define CANCEL_PENDING_SHARE	0.30	/* of cancelled jobs, before they started */
#define ARRAY_SHARE		0.05	/* submissions that are arrays of 2-4 tasks */
#define QUEUE_MEAN_S		900.0
#define QUEUE_MAX_S		(6 * 3600.0)
#define MIN_RUN_S		30
#define TIMEOUT_GRACE_S		60	/* KillWait: a timed-out job runs a little over */
#define MIN_PACE		0.25	/* GPUs (or nodes) of a tenant with no allocation */

static const char *const partitions[] = { "gpu", "cpu", "hpc" };
static const char *const surnames[] = {
	"kim", "lee", "park", "choi", "jung", "kang", "cho", "yoon", "jang", "lim",
	"han", "oh", "seo", "shin", "kwon", "hwang", "ahn", "song", "jeon", "hong",
};

/* splitmix64: seeds the per-account xorshift states apart from each other. */
static uint64_t
mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x != 0 ? x : 1;
}

/* An index into a table of n probabilities summing to 1. */
static int
pick(uint64_t *rng, const double *p, int n)
{
	double u = sim_uniform(rng);

	for (int i = 0; i < n - 1; i++) {
		if (u < p[i])
			return i;
		u -= p[i];
	}
	return n - 1;
}

/* An exponential variate of the given mean. */
static double
expo(uint64_t *rng, double mean)
{
	return -mean * log(1.0 - sim_uniform(rng));
}

/* Mean run time of a job in seconds, from the tables. */
static double
mean_run_s(void)
{
	double lim = 0, frac = 0;

	for (size_t i = 0; i < OD_ARRAY_LEN(limits_h); i++)
		lim += limits_p[i] * limits_h[i] * HOUR;
	for (size_t i = 0; i < OD_ARRAY_LEN(outcomes); i++) {
		double f = (outcomes[i].lo + outcomes[i].hi) / 2;
		if (i == SLURM_SIM_CANCELLED)
			f *= 1.0 - CANCEL_PENDING_SHARE;
		frac += outcomes[i].p * f;
	}
	return lim * frac;
}

static double
mean_of(const int *v, const double *p, size_t n)
{
	double m = 0;

	for (size_t i = 0; i < n; i++)
		m += p[i] * v[i];
	return m;
}

/* Hours in a period of a plan. */
static double
period_hours(const struct budget_plan *p, enum budget_period per)
{
	switch (per) {
	case PERIOD_MONTH:
		return 730.5;
	case PERIOD_QUARTER:
		return 2191.5;
	case PERIOD_YEAR:
		return 8766.0;
	default: {
		double days = (double)p->end_day - (double)p->start_day + 1;
		return days > 0 ? days * 24.0 : 8766.0;
	}
	}
}

/* 1 when Slurm would take s as an account name. */
static int
account_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof ((struct slurm_sim_account *)0)->name)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* Appends a warning line to *warn. */
static void
warn_add(char **warn, const char *account)
{
	char *w = xasprintf("%s%sleaving out account '%.64s': not a Slurm account name",
	    *warn ? *warn : "", *warn ? "\n" : "", account);
	free(*warn);
	*warn = w;
}

/*
 * Adds account `name` (of tenant t, -1 for none) at `pace` GPUs (cpu_only:
 * nodes) busy on average. Duplicates and bad names are left out.
 */
static void
account_add(struct slurm_sim *s, const char *name, int t, double pace, int cpu_only,
    uint64_t seed, int64_t start_s, char **warn)
{
	struct slurm_sim_account *a;

	if (!account_ok(name)) {
		warn_add(warn, name);
		return;
	}
	for (int i = 0; i < s->naccts; i++)
		if (strcmp(s->accts[i].name, name) == 0)
			return;
	if (s->naccts >= SLURM_SIM_MAX_ACCOUNTS)
		return;
	s->accts = xreallocarray(s->accts, (size_t)s->naccts + 1, sizeof *s->accts);
	a = &s->accts[s->naccts];
	memset(a, 0, sizeof *a);
	snprintf(a->name, sizeof a->name, "%s", name);
	a->tenant = t;
	a->cpu_only = cpu_only;
	a->rng = mix(seed * 0x100000001b3ULL + (uint64_t)s->naccts);
	for (size_t i = 0; i < OD_ARRAY_LEN(a->users); i++) {
		const char *sn = surnames[sim_rand(&a->rng) % OD_ARRAY_LEN(surnames)];
		snprintf(a->users[i], sizeof a->users[i], "%s%c%c", sn,
		    'a' + (int)(sim_rand(&a->rng) % 26), 'a' + (int)(sim_rand(&a->rng) % 26));
		a->uids[i] = 20000 + (int)(sim_rand(&a->rng) % 10000);
	}
	if (pace < MIN_PACE)
		pace = MIN_PACE;
	pace *= 0.5 + 1.1 * sim_uniform(&a->rng);	/* this account's burn against plan */
	double per_job = cpu_only ?
	    mean_of(hpc_nodes, hpc_nodes_p, OD_ARRAY_LEN(hpc_nodes)) * mean_run_s() :
	    (1.0 - CPU_JOB_SHARE) * mean_of(gpu_sizes, gpu_size_p, OD_ARRAY_LEN(gpu_sizes)) *
	    mean_run_s();
	/* arrays submit 3 tasks on average: fewer submissions for the same use */
	a->rate = pace / per_job / (1.0 + 2.0 * ARRAY_SHARE);
	a->next_submit = (double)(start_s - SLURM_SIM_HISTORY_S) + expo(&a->rng, 1.0 / a->rate);
	s->naccts++;
}

/* See fleetsim.h. */
int
slurm_sim_init(struct slurm_sim *s, const struct budget_plan *p, char **accounts,
    int naccounts, uint64_t seed, int64_t start_s, char **warn, char **cause)
{
	memset(s, 0, sizeof *s);
	*warn = NULL;
	s->next_id = 100000 + mix(seed) % 800000;
	s->now = start_s - SLURM_SIM_HISTORY_S;
	if (p != NULL) {
		s->tenants = xcalloc(p->ntenants + 1, sizeof *s->tenants);
		for (size_t i = 0; i < p->ntenants; i++) {
			const struct budget_tenant *t = &p->tenants[i];
			int cpu_only = !(t->gpu_hours > 0) && t->node_hours > 0;
			double alloc = cpu_only ? t->node_hours : t->gpu_hours;
			double pace = alloc / period_hours(p, t->period);
			int ti = s->ntenants++;
			s->tenants[ti] = xstrdup(t->id);
			if (t->naccounts == 0) {
				account_add(s, t->id, ti, pace, cpu_only, seed, start_s, warn);
				continue;
			}
			for (size_t k = 0; k < t->naccounts; k++)
				account_add(s, t->accounts[k], ti, pace / (double)t->naccounts,
				    cpu_only, seed, start_s, warn);
		}
	} else {
		for (int i = 0; i < naccounts; i++)
			account_add(s, accounts[i], -1, SLURM_SIM_DEFAULT_GPUS, 0, seed, start_s,
			    warn);
	}
	if (s->naccts == 0) {
		*cause = xasprintf("no Slurm account to simulate");
		slurm_sim_free(s);
		return -1;
	}
	s->ring = xcalloc((size_t)SLURM_SIM_TRUTH_RING * (size_t)s->naccts * 2, sizeof *s->ring);
	s->idle_account = -1;
	for (int i = 0; i < s->naccts; i++)
		if (!s->accts[i].cpu_only && (s->idle_account < 0 ||
		    s->accts[i].rate > s->accts[s->idle_account].rate))
			s->idle_account = i;
	return 0;
}

void
slurm_sim_free(struct slurm_sim *s)
{
	for (int i = 0; i < s->ntenants; i++)
		free(s->tenants[i]);
	free(s->tenants);
	free(s->accts);
	free(s->jobs);
	free(s->ring);
	memset(s, 0, sizeof *s);
}

/* Draws the shape of a submission of account ai: user, partition, size, limit. */
static void
job_shape(struct slurm_sim *s, int ai, struct slurm_sim_job *j, double *limit)
{
	struct slurm_sim_account *a = &s->accts[ai];
	uint64_t *r = &a->rng;

	memset(j, 0, sizeof *j);
	j->account = ai;
	j->user = (int)(sim_rand(r) % OD_ARRAY_LEN(a->users));
	if (a->cpu_only) {
		j->partition = 2;
		j->nodes = hpc_nodes[pick(r, hpc_nodes_p, OD_ARRAY_LEN(hpc_nodes))];
		j->cpus = 64 * j->nodes;
		j->mem_g = 250 * j->nodes;
	} else if (sim_uniform(r) < CPU_JOB_SHARE) {
		j->partition = 1;
		j->nodes = 1;
		j->cpus = 4 << (sim_rand(r) % 4);
		j->mem_g = 4 * j->cpus;
	} else {
		j->partition = 0;
		j->gpus = gpu_sizes[pick(r, gpu_size_p, OD_ARRAY_LEN(gpu_sizes))];
		j->nodes = (j->gpus + 7) / 8;
		j->cpus = 8 * j->gpus;
		j->mem_g = j->gpus >= 8 ? 1000 * j->nodes : 120 * j->gpus;
	}
	*limit = limits_h[pick(r, limits_p, OD_ARRAY_LEN(limits_h))] * HOUR;
}

/*
 * Adds one allocation of shape j (an array task when task >= 0) submitted at
 * time t: its queue wait, outcome and run time are drawn here.
 */
static void
job_add(struct slurm_sim *s, const struct slurm_sim_job *shape, double limit, int64_t t,
    uint64_t id, int task)
{
	uint64_t *r = &s->accts[shape->account].rng;
	struct slurm_sim_job j = *shape;
	double po[OD_ARRAY_LEN(outcomes)];

	j.id = id;
	j.task = task;
	for (size_t i = 0; i < OD_ARRAY_LEN(outcomes); i++)
		po[i] = outcomes[i].p;
	j.outcome = pick(r, po, OD_ARRAY_LEN(outcomes));
	double wait = expo(r, QUEUE_MEAN_S);
	if (wait > QUEUE_MAX_S)
		wait = QUEUE_MAX_S;
	double f = outcomes[j.outcome].lo +
	    (outcomes[j.outcome].hi - outcomes[j.outcome].lo) * sim_uniform(r);
	int64_t run = (int64_t)(f * limit);
	if (j.outcome == SLURM_SIM_TIMEOUT)
		run = (int64_t)limit + (int64_t)(sim_rand(r) % TIMEOUT_GRACE_S);
	if (run < MIN_RUN_S)
		run = MIN_RUN_S;
	if (j.outcome == SLURM_SIM_CANCELLED && sim_uniform(r) < CANCEL_PENDING_SHARE)
		run = 0;	/* cancelled in the queue: never allocated */
	j.submit = t;
	j.start = t + (int64_t)wait;
	j.end = j.start + run;
	if (s->njobs >= SLURM_SIM_MAX_POOL)
		return;
	if (s->njobs == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->jobs = xreallocarray(s->jobs, s->cap, sizeof *s->jobs);
	}
	s->jobs[s->njobs++] = j;
}

/* Submits, in time order over all accounts, every job due by time t. */
static void
submit_until(struct slurm_sim *s, int64_t t)
{
	for (;;) {
		int best = -1;
		for (int i = 0; i < s->naccts; i++)
			if (best < 0 || s->accts[i].next_submit < s->accts[best].next_submit)
				best = i;
		struct slurm_sim_account *a = &s->accts[best];
		if (a->next_submit > (double)t)
			break;
		int64_t when = (int64_t)a->next_submit;
		uint64_t id = s->next_id++;
		struct slurm_sim_job shape;
		double limit;
		job_shape(s, best, &shape, &limit);
		if (sim_uniform(&a->rng) < ARRAY_SHARE) {
			int ntasks = 2 + (int)(sim_rand(&a->rng) % 3);
			for (int k = 1; k <= ntasks; k++)
				job_add(s, &shape, limit, when, id, k);
		} else {
			job_add(s, &shape, limit, when, id, -1);
		}
		a->next_submit += expo(&a->rng, 1.0 / a->rate);
	}
}

/* Drops jobs that ended before the window of time t, keeping their shown use. */
static void
retire(struct slurm_sim *s, int64_t t)
{
	size_t k = 0;

	for (size_t i = 0; i < s->njobs; i++) {
		struct slurm_sim_job *j = &s->jobs[i];
		if (j->end >= t - SLURM_SIM_WINDOW_S) {
			s->jobs[k++] = *j;
			continue;
		}
		if (j->shown) {
			s->accts[j->account].retired_gpu_s += j->gpus * j->shown_elapsed;
			s->accts[j->account].retired_node_s += j->nodes * j->shown_elapsed;
		}
	}
	s->njobs = k;
}

/* The State field of job j at time t; NULL for "CANCELLED by UID". */
static const char *
state_of(const struct slurm_sim_job *j, int64_t t)
{
	static const char *const names[] = {
		[SLURM_SIM_COMPLETED] = "COMPLETED", [SLURM_SIM_FAILED] = "FAILED",
		[SLURM_SIM_TIMEOUT] = "TIMEOUT", [SLURM_SIM_OOM] = "OUT_OF_MEMORY",
	};

	if (t < j->start)
		return "PENDING";
	if (t < j->end)
		return "RUNNING";
	if (j->outcome == SLURM_SIM_CANCELLED)
		return NULL;
	return names[j->outcome];
}

/* See fleetsim.h. */
void
slurm_sim_scale_rate(struct slurm_sim *s, double factor)
{
	for (int i = 0; i < s->naccts; i++) {
		struct slurm_sim_account *a = &s->accts[i];
		a->rate *= factor;
		a->next_submit = (double)s->now + (a->next_submit - (double)s->now) / factor;
	}
}

/* See fleetsim.h. */
void
slurm_sim_sacct(struct slurm_sim *s, int64_t now_s, struct buf *out)
{
	slurm_sim_sacct_window(s, now_s, SLURM_SIM_WINDOW_S, 0, out);
}

/* See fleetsim.h. */
void
slurm_sim_sacct_window(struct slurm_sim *s, int64_t now_s, int64_t window_s,
    size_t max_lines, struct buf *out)
{
	size_t lines = 0;

	if (now_s < s->now)
		now_s = s->now;
	if (window_s > SLURM_SIM_WINDOW_S || window_s < 0)
		window_s = SLURM_SIM_WINDOW_S;
	s->now = now_s;
	submit_until(s, now_s);
	retire(s, now_s);
	for (size_t i = 0; i < s->njobs; i++) {
		struct slurm_sim_job *j = &s->jobs[i];
		const struct slurm_sim_account *a = &s->accts[j->account];
		char id[32], tres[128];
		if (j->submit > now_s || (max_lines > 0 && lines >= max_lines))
			break;		/* JobID order is submission order */
		if (j->end < now_s - window_s)
			continue;	/* over before the window */
		lines++;
		if (j->task >= 0)
			snprintf(id, sizeof id, "%llu_%d", (unsigned long long)j->id, j->task);
		else
			snprintf(id, sizeof id, "%llu", (unsigned long long)j->id);
		int ran = now_s >= j->start && j->end > j->start;
		int64_t elapsed = !ran ? 0 : (now_s < j->end ? now_s : j->end) - j->start;
		tres[0] = '\0';
		if (ran && j->gpus > 0)
			snprintf(tres, sizeof tres, "billing=%d,cpu=%d,gres/gpu=%d,mem=%dG,node=%d",
			    j->cpus, j->cpus, j->gpus, j->mem_g, j->nodes);
		else if (ran)
			snprintf(tres, sizeof tres, "billing=%d,cpu=%d,mem=%dG,node=%d",
			    j->cpus, j->cpus, j->mem_g, j->nodes);
		const char *st = state_of(j, now_s);
		if (st != NULL)
			sim_printf(out, "%s|%s|%s|%s|%lld|%s|%s\n", id, a->name, a->users[j->user],
			    partitions[j->partition], (long long)elapsed, tres, st);
		else
			sim_printf(out, "%s|%s|%s|%s|%lld|%s|CANCELLED by %d\n", id, a->name,
			    a->users[j->user], partitions[j->partition], (long long)elapsed,
			    tres, a->uids[j->user]);
		j->shown = 1;
		if (elapsed > j->shown_elapsed)
			j->shown_elapsed = elapsed;
	}
	/* the totals as of this output */
	int slot = (int)(s->outputs % SLURM_SIM_TRUTH_RING);
	int64_t *r = s->ring + (size_t)slot * (size_t)s->naccts * 2;
	for (int a = 0; a < s->naccts; a++) {
		r[2 * a] = s->accts[a].retired_gpu_s;
		r[2 * a + 1] = s->accts[a].retired_node_s;
	}
	for (size_t i = 0; i < s->njobs; i++) {
		const struct slurm_sim_job *j = &s->jobs[i];
		if (!j->shown)
			continue;
		r[2 * j->account] += j->gpus * j->shown_elapsed;
		r[2 * j->account + 1] += j->nodes * j->shown_elapsed;
	}
	s->ring_seq[slot] = ++s->outputs;
	if (s->nring < SLURM_SIM_TRUTH_RING)
		s->nring++;
}

/*
 * The GPU nodes job j may use out of ngpu: [*first, *first + *count). The
 * idle-prone account's jobs get the last eighth (at least one node), the
 * others the rest, when there are two GPU nodes or more.
 */
static void
job_pool(const struct slurm_sim *s, const struct slurm_sim_job *j, int ngpu, int *first,
    int *count)
{
	int idle = ngpu >= 2 ? OD_MAX(1, ngpu / 8) : 0;

	if (idle > 0 && j->account == s->idle_account) {
		*first = ngpu - idle;
		*count = idle;
	} else {
		*first = 0;
		*count = ngpu - idle;
	}
}

/* The k-th GPU node (index) of job j (k below min(j->nodes, pool size)). */
static int
job_node(const struct slurm_sim *s, const struct slurm_sim_job *j, int ngpu, int k)
{
	int first, count;

	job_pool(s, j, ngpu, &first, &count);
	uint64_t h = mix(j->id * 64 + (uint64_t)(j->task + 1));
	return first + (int)((h + (uint64_t)k) % (uint64_t)count);
}

/* Whether job j runs at time t. */
static int
job_running(const struct slurm_sim_job *j, int64_t t)
{
	return t >= j->start && t < j->end;
}

/* See fleetsim.h. */
void
slurm_sim_squeue(const struct slurm_sim *s, int64_t now_s, char *const *gpu_names, int ngpu,
    struct buf *out)
{
	sim_printf(out, "%s\n", SLURM_SQUEUE_MARKER);
	if (ngpu <= 0)
		return;
	for (size_t i = 0; i < s->njobs; i++) {
		const struct slurm_sim_job *j = &s->jobs[i];
		if (j->submit > now_s)
			break;
		if (!job_running(j, now_s))
			continue;
		int first, count;
		job_pool(s, j, ngpu, &first, &count);
		if (j->task >= 0)
			sim_printf(out, "%llu_%d|", (unsigned long long)j->id, j->task);
		else
			sim_printf(out, "%llu|", (unsigned long long)j->id);
		int nn = OD_MIN(j->nodes, count);
		for (int k = 0; k < nn; k++)
			sim_printf(out, "%s%s", k ? "," : "", gpu_names[job_node(s, j, ngpu, k)]);
		sim_printf(out, "\n");
	}
}

/* See fleetsim.h. */
void
slurm_sim_gpu_idle(struct slurm_sim *s, int64_t now_s, int ngpu, unsigned char *idle,
    uint64_t *jobs, const char **users)
{
	memset(idle, 0, ngpu > 0 ? (size_t)ngpu : 0);
	if (ngpu < 2 || s->idle_account < 0)
		return;
	if (now_s < s->now)
		now_s = s->now;
	submit_until(s, now_s);		/* the same jobs sacct will show: a function of time */
	for (size_t i = 0; i < s->njobs; i++) {
		const struct slurm_sim_job *j = &s->jobs[i];
		if (j->submit > now_s)
			break;
		if (j->account != s->idle_account || j->gpus == 0 || !job_running(j, now_s))
			continue;
		int first, count;
		job_pool(s, j, ngpu, &first, &count);
		for (int k = 0; k < OD_MIN(j->nodes, count); k++) {
			int node = job_node(s, j, ngpu, k);
			idle[node] = 1;
			if (jobs != NULL)
				jobs[node] = j->id;
			if (users != NULL)
				users[node] = s->accts[j->account].users[j->user];
		}
	}
}

/* See fleetsim.h. */
int
slurm_sim_truth(const struct slurm_sim *s, int k, int a, int64_t *gpu_s, int64_t *node_s)
{
	if (k < 0 || k >= s->nring || a < 0 || a >= s->naccts)
		return -1;
	int slot = (int)((s->outputs - 1 - (uint64_t)k) % SLURM_SIM_TRUTH_RING);
	const int64_t *r = s->ring + (size_t)slot * (size_t)s->naccts * 2;
	*gpu_s = r[2 * a];
	*node_s = r[2 * a + 1];
	return 0;
}

/* See fleetsim.h. */
int
slurm_sim_write_truth(const struct slurm_sim *s, const char *path, char **cause)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	int64_t g, n;

	if (f == NULL) {
		*cause = xasprintf("%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	fprintf(f, "# opsdeck-fleetsim: use of the simulated Slurm jobs as shown by the last\n"
	    "# %d sacct outputs, oldest first, counted as a collector that saw every\n"
	    "# output counts it (each job's latest ElapsedRaw).\n"
	    "# OUTPUT tenant|account ID GPU_HOURS NODE_HOURS\n", SLURM_SIM_TRUTH_RING);
	if (s->idle_account >= 0) {
		const struct slurm_sim_account *ia = &s->accts[s->idle_account];
		fprintf(f, "# idle-prone %s %s\n", ia->tenant >= 0 ? s->tenants[ia->tenant] : "-",
		    ia->name);
	}
	for (int k = s->nring - 1; k >= 0; k--) {
		unsigned long long seq = (unsigned long long)(s->outputs - (uint64_t)k);
		for (int t = 0; t < s->ntenants; t++) {
			int64_t tg = 0, tn = 0;
			for (int a = 0; a < s->naccts; a++)
				if (s->accts[a].tenant == t && slurm_sim_truth(s, k, a, &g, &n) == 0) {
					tg += g;
					tn += n;
				}
			fprintf(f, "%llu tenant %s %.6f %.6f\n", seq, s->tenants[t],
			    (double)tg / HOUR, (double)tn / HOUR);
		}
		for (int a = 0; a < s->naccts; a++)
			if (slurm_sim_truth(s, k, a, &g, &n) == 0)
				fprintf(f, "%llu account %s %.6f %.6f\n", seq, s->accts[a].name,
				    (double)g / HOUR, (double)n / HOUR);
	}
	if (ferror(f) | (fclose(f) != 0)) {
		*cause = xasprintf("%s: write error", tmp);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}
