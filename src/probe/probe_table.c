/*
 * probe_table.c: every probe, in one table (probe.h). A new probe is its
 * parser file plus one line here; the feature that stores what it parses
 * names it in its row of feature_table (feature.h).
 */
#include "config.h"

#include <string.h>

#include "opsdeck/probe.h"

const struct probe *const probe_table[] = {
	&probe_linux,
	&probe_nvidia,
	&probe_ipmi,
	&probe_testbed,
	&probe_slurm,
	NULL,
};

const struct probe *
probe_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; probe_table[i] != NULL; i++)
		if (strcmp(probe_table[i]->name, name) == 0)
			return probe_table[i];
	return NULL;
}
