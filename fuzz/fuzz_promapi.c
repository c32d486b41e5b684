/*
 * fuzz_promapi.c: the readers of Prometheus API answers (instant vectors
 * and range matrices) on arbitrary bytes, and what they read filed into
 * host statuses. It must never read outside the
 * input, leak, or crash (deep nesting included); a result must be
 * self-consistent.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/promapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The same bytes as a query_range answer: points in time order, capped. */
static void
matrix(const uint8_t *data, size_t size)
{
	struct prom_matrix m;
	char *cause = NULL;
	size_t total = 0;

	int rc = promapi_parse_matrix((const char *)data, size, &m, &cause);
	if ((rc != 0) != (cause != NULL) || (rc != 0 && (m.s != NULL || m.n != 0)))
		abort();
	free(cause);
	for (size_t i = 0; i < m.n; i++) {
		const struct prom_series *s = &m.s[i];
		if (strlen(s->instance) >= sizeof s->instance || strlen(s->gpu) >= sizeof s->gpu)
			abort();
		for (size_t k = 1; k < s->n; k++)
			if (s->pts[k].ts_ms <= s->pts[k - 1].ts_ms)
				abort();
		total += s->n;
	}
	if (total > PROMAPI_MAX_POINTS)
		abort();
	prom_matrix_free(&m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prom_vector v;
	char *cause = NULL;

	matrix(data, size);
	int rc = promapi_parse_vector((const char *)data, size, &v, &cause);
	if ((rc != 0) != (cause != NULL))
		abort();	/* an error always says why, and only an error */
	free(cause);
	if (rc != 0) {
		if (v.v != NULL || v.n != 0)
			abort();
		return 0;
	}
	for (size_t i = 0; i < v.n; i++) {
		const struct prom_sample *s = &v.v[i];
		if (strlen(s->instance) >= sizeof s->instance || strlen(s->gpu) >= sizeof s->gpu ||
		    strlen(s->uuid) >= sizeof s->uuid || strlen(s->model) >= sizeof s->model)
			abort();
	}
	/* the same answer as `up` and as every field: a bounded, consistent fleet */
	struct prom_fleet fl;
	prom_fleet_init(&fl, &v, 64, "g", 0, NULL, NULL);
	for (int f = 1; f < PF_COUNT; f++)
		prom_fleet_apply(&fl, (enum prom_field)f, &v);
	prom_fleet_finish(&fl);
	if (fl.n > 64 || fl.n + fl.over > v.n)
		abort();
	for (size_t k = 0; k < fl.n; k++) {
		const struct host_status *h = &fl.hosts[k];
		if (h->ngpus < 0 || h->ngpus > PROBE_MAX_GPUS || h->mem_used > h->mem_total ||
		    (h->cpu_pct > 100) || h->cores < 0)
			abort();
	}
	prom_fleet_free(&fl);
	prom_vector_free(&v);
	return 0;
}
