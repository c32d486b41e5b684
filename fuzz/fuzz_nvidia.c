/*
 * fuzz_nvidia.c: the nvidia probe's parser on arbitrary bytes. It must never read
 * outside the input, leak, or crash; a result must be self-consistent.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/probe.h"
#include "fuzz_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_nvidia(const struct host_report *r)
{
	if (r->ngpus < 0 || r->ngpus > PROBE_MAX_GPUS || (r->ngpus > 0 && !r->has_gpu_probe))
		abort();
	for (int i = 0; i < r->ngpus; i++)
		if (strlen(r->gpus[i].name) >= PROBE_NAME_MAX ||
		    strlen(r->gpus[i].uuid) >= PROBE_NAME_MAX)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct host_report r;
	char *cause = NULL;

	memset(&r, 0, sizeof r);
	int rc = probe_nvidia.parse((const char *)data, size, &r, &cause);
	if (rc != 0 && cause == NULL)
		abort();	/* an error always says why */
	if (rc == 0 && cause != NULL)
		abort();
	free(cause);
	/* a second parse into the same report replaces the first */
	cause = NULL;
	rc = probe_nvidia.parse((const char *)data, size, &r, &cause);
	free(cause);
	fuzz_check_warnings(&r, rc);
	check_nvidia(&r);
	report_free(&r);
	return 0;
}
