/*
 * fuzz_promapi.c: the reader of Prometheus API answers on arbitrary bytes,
 * and what it read filed into host statuses. It must never read outside the
 * input, leak, or crash (deep nesting included); a result must be
 * self-consistent.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/promapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prom_vector v;
	char *cause = NULL;

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
