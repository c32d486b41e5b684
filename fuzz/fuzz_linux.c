/*
 * fuzz_linux.c: the linux probe's parser on arbitrary bytes. It must never read
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
check_linux(const struct host_report *r)
{
	const struct linux_sample *s = &r->linux;
	if (s->ncores < 0 || s->ncores > PROBE_MAX_CORES || s->nnets < 0 ||
	    s->nnets > PROBE_MAX_NETS || s->ndisks < 0 || s->ndisks > PROBE_MAX_DISKS)
		abort();
	for (int i = 0; i < s->nnets; i++)
		if (strlen(s->nets[i].name) >= PROBE_NAME_MAX)
			abort();
	for (int i = 0; i < s->ndisks; i++)
		if (strlen(s->disks[i].name) >= PROBE_NAME_MAX)
			abort();
	(void)linux_mem_used(s);
	(void)cpu_util_pct(s, s, -1);
	for (int i = 0; i < s->ncores; i++)
		(void)cpu_util_pct(s, s, i);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct host_report r;
	char *cause = NULL;

	memset(&r, 0, sizeof r);
	int rc = probe_linux.parse((const char *)data, size, &r, &cause);
	if (rc != 0 && cause == NULL)
		abort();	/* an error always says why */
	if (rc == 0 && cause != NULL)
		abort();
	free(cause);
	/* a second parse into the same report replaces the first */
	cause = NULL;
	rc = probe_linux.parse((const char *)data, size, &r, &cause);
	free(cause);
	fuzz_check_warnings(&r, rc);
	check_linux(&r);
	report_free(&r);
	return 0;
}
