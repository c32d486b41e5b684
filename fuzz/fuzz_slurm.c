/*
 * fuzz_slurm.c: the sacct parser on arbitrary bytes. It must never read
 * outside the input, leak or crash; per-account sums must match the jobs.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/budget.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct slurm_usage u;
	char *cause = NULL;

	int rc = slurm_parse_sacct((const char *)data, size, &u, &cause);
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
	slurm_usage_free(&u);
	return 0;
}
