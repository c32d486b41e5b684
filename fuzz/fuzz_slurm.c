/*
 * fuzz_slurm.c: the sacct and squeue parsers on arbitrary bytes, split like
 * the `slurm` probe's output at a line "@@squeue". They must never read
 * outside the input, leak or crash; per-account sums must match the jobs;
 * every running job's nodes are within the caps; idle GPUs never exceed
 * what the jobs hold.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/budget.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every node is idle when its name has an even length, else unknown. */
static int
even_idle(void *arg, const char *node, double *pct)
{
	(void)arg;
	if (strlen(node) % 2 != 0)
		return -1;
	*pct = 1;
	return 0;
}

/* Where the line "@@squeue" starts (size when none); *after: the line after it. */
static size_t
split(const uint8_t *data, size_t size, size_t *after)
{
	static const char m[] = "@@squeue";
	size_t i = 0;

	while (i < size) {
		const uint8_t *nl = memchr(data + i, '\n', size - i);
		size_t e = nl != NULL ? (size_t)(nl - data) : size;
		if (e - i == sizeof m - 1 && memcmp(data + i, m, sizeof m - 1) == 0) {
			*after = nl != NULL ? e + 1 : size;
			return i;
		}
		i = e + 1;
	}
	*after = size;
	return size;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct slurm_usage u;
	char *cause = NULL;

	size_t after, at = split(data, size, &after);
	int rc = slurm_parse_sacct((const char *)data, at, &u, &cause);
	if (rc != 0) {
		if (cause == NULL || u.njobs != 0 || u.jobs != NULL)
			abort();
		free(cause);
		return 0;
	}
	if (cause != NULL)
		abort();
	double gj = 0, ga = 0;
	size_t nj = 0;
	for (size_t i = 0; i < u.njobs; i++) {
		const struct slurm_job *j = &u.jobs[i];
		if (strlen(j->jobid) == 0 || strchr(j->jobid, '.') != NULL ||
		    strlen(j->account) >= SLURM_FIELD_MAX || j->elapsed_s < 0 || j->gpus < 0 ||
		    j->nodes < 0 || !(j->gpu_hours >= 0))
			abort();
		gj += j->gpu_hours;
	}
	for (size_t i = 0; i < u.naccounts; i++) {
		ga += u.accounts[i].gpu_hours;
		nj += u.accounts[i].jobs;
		if (i > 0 && strcmp(u.accounts[i - 1].account, u.accounts[i].account) >= 0)
			abort();
	}
	if (nj != u.njobs || fabs(gj - ga) > 1e-6 * (1 + gj))
		abort();
	if (at < size) {
		rc = slurm_parse_squeue((const char *)data + after, size - after, &u, &cause);
		if (rc != 0) {
			if (cause == NULL || u.nrunning != 0 || u.running != NULL)
				abort();
			free(cause);
			slurm_usage_free(&u);
			return 0;
		}
		size_t total = 0;
		for (size_t i = 0; i < u.nrunning; i++) {
			const struct slurm_running *r = &u.running[i];
			if (strlen(r->jobid) == 0 || r->nnodes > SLURM_MAX_JOB_NODES ||
			    r->nodes == NULL || r->nodes[r->nnodes] != NULL)
				abort();
			for (size_t k = 0; k < r->nnodes; k++)
				if (strlen(r->nodes[k]) == 0)
					abort();
			total += r->nnodes;
		}
		if (total > SLURM_MAX_NODE_NAMES || u.nrunning > SLURM_MAX_RUNNING)
			abort();
		struct budget_idle *v;
		size_t n = budget_idle_compute(&u, even_idle, NULL, &v);
		int64_t held = 0, idle = 0;
		for (size_t i = 0; i < u.njobs; i++)
			if (strcmp(u.jobs[i].state, "RUNNING") == 0)
				held += u.jobs[i].gpus;
		for (size_t i = 0; i < n; i++) {
			if (v[i].gpus_idle < 0 || v[i].gpus_idle > v[i].gpus_known)
				abort();
			idle += v[i].gpus_idle;
		}
		/* a job listed twice by squeue counts twice: bound by that */
		if (idle > held * (int64_t)(u.nrunning + 1))
			abort();
		free(v);
	}
	slurm_usage_free(&u);
	return 0;
}
