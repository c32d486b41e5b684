/*
 * fuzz_report.h: checks shared by the probe harnesses: the warnings a parse
 * leaves in a report are bounded, one safe line each, and absent when the
 * parse refused the output.
 */
#ifndef OPSDECK_FUZZ_REPORT_H
#define OPSDECK_FUZZ_REPORT_H

#include <stdlib.h>
#include <string.h>

#include "opsdeck/probe.h"

/* Aborts unless r's warnings are consistent with a parse that returned rc. */
static inline void
fuzz_check_warnings(const struct host_report *r, int rc)
{
	if (r->nwarnings < 0 || r->nwarnings > REPORT_MAX_WARNINGS ||
	    r->warnings_total < r->nwarnings || (r->warnings == NULL) != (r->nwarnings == 0))
		abort();
	if (rc != 0 && r->warnings != NULL)
		abort();	/* a refused output leaves no warnings */
	int lines = 0;
	for (const char *p = r->warnings; p != NULL; lines++) {
		const char *nl = strchr(p, '\n');
		size_t l = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (l == 0 || l >= REPORT_WARNING_MAX)
			abort();
		for (size_t i = 0; i < l; i++)
			if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
				abort();	/* sanitised: no control characters */
		p = nl != NULL ? nl + 1 : NULL;
	}
	if (lines != r->nwarnings)
		abort();
}

#endif
