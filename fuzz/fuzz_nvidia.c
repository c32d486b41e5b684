/*
 * fuzz_nvidia.c: the nvidia probe's parser on arbitrary bytes. It must never read
 * outside the input, leak, or crash; a result must be self-consistent: the
 * processes of the compute-apps and owners sections (probe_nvidia_procs.c)
 * too, each on a GPU of the report, with a positive pid, sanitised and
 * capped text and a job of digits only. The seeds (tests/fixtures/nvidia)
 * hold real compute-apps captures with owners sections.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/probe.h"
#include "fuzz_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless text is a NUL-terminated string of fewer than max bytes, no C0 or DEL. */
static void
check_text(const char *text, size_t max)
{
	size_t l = strnlen(text, max);
	if (l >= max)
		abort();
	for (size_t i = 0; i < l; i++)
		if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
			abort();
}

/* Aborts unless every process of r is on one of r's GPUs, in GPU order, and well formed. */
static void
check_procs(const struct host_report *r)
{
	if (r->nprocs < 0 || r->nprocs > PROBE_MAX_GPU_PROCS || (r->nprocs > 0) != (r->procs != NULL))
		abort();
	for (int i = 0; i < r->nprocs; i++) {
		const struct gpu_proc *p = &r->procs[i];
		int on = 0;
		for (int g = 0; g < r->ngpus; g++)
			on |= r->gpus[g].index == p->gpu;
		if (!on || p->pid <= 0 || p->mem_used_bytes < -1 ||
		    (i > 0 && r->procs[i - 1].gpu > p->gpu))
			abort();
		check_text(p->name, sizeof p->name);
		check_text(p->user, sizeof p->user);
		check_text(p->job, sizeof p->job);
		for (const char *c = p->job; *c; c++)
			if (*c < '0' || *c > '9')
				abort();
	}
}

static void
check_nvidia(const struct host_report *r)
{
	if (r->ngpus < 0 || r->ngpus > PROBE_MAX_GPUS || (r->ngpus > 0 && !r->has_gpu_probe))
		abort();
	for (int i = 0; i < r->ngpus; i++)
		if (strlen(r->gpus[i].name) >= PROBE_NAME_MAX ||
		    strlen(r->gpus[i].uuid) >= PROBE_NAME_MAX)
			abort();
	check_procs(r);
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
