/*
 * fuzz_ipmi.c: the ipmi probe's parser on arbitrary bytes. It must never read
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
check_ipmi(const struct host_report *r)
{
	if (r->nsensors < 0 || r->nsensors > PROBE_MAX_SENSORS)
		abort();
	for (int i = 0; i < r->nsensors; i++) {
		const struct sensor_sample *s = &r->sensors[i];
		if (strlen(s->name) >= sizeof s->name || strlen(s->unit) >= sizeof s->unit ||
		    strlen(s->status) >= sizeof s->status || strlen(s->state) >= sizeof s->state)
			abort();
		if (s->level < SENSOR_OK || s->level > SENSOR_OTHER)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct host_report r;
	char *cause = NULL;

	memset(&r, 0, sizeof r);
	int rc = probe_ipmi.parse((const char *)data, size, &r, &cause);
	if (rc != 0 && cause == NULL)
		abort();	/* an error always says why */
	if (rc == 0 && cause != NULL)
		abort();
	free(cause);
	/* a second parse into the same report replaces the first */
	cause = NULL;
	rc = probe_ipmi.parse((const char *)data, size, &r, &cause);
	free(cause);
	fuzz_check_warnings(&r, rc);
	check_ipmi(&r);
	report_free(&r);
	return 0;
}
