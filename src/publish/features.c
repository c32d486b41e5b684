/*
 * features.c: the feature table (feature.h), in the order a tick ingests
 * them: the status first, so that devices, usage and alerts never refer to
 * a host the cache does not have. Add a feature here with its own file.
 */
#include "config.h"

#include <string.h>

#include "opsdeck/feature.h"
#include "opsdeck/store.h"

const struct feature *const feature_table[] = {
	&feature_hosts,
	&feature_devices,
	&feature_usage,
	&feature_alerts,
	NULL,
};

int
feature_owns(const struct feature *f, const struct probe *p)
{
	if (f->probes == NULL || p == NULL)
		return 0;
	for (size_t i = 0; f->probes[i] != NULL; i++)
		if (strcmp(f->probes[i], p->name) == 0)
			return 1;
	return 0;
}

/* ---- host metrics: the status, its samples, GPUs and sensors ------------- */

static int
hosts_ingest(const struct feature_tick *t, const struct feature_host *h, const void *state,
    void **next, char **cause)
{
	(void)state;
	(void)next;
	return store_put_status(t->st, h->status, cause);
}

/* The linux, nvidia and ipmi probes fill the status itself, not parts. */
const struct feature feature_hosts = {
	.name = "hosts",
	.probes = NULL,
	.init = NULL,		/* the store's own, versioned tables */
	.ingest = hosts_ingest,
	.state_free = NULL,
	.prune = NULL,		/* retention is the store's (store_maintain) */
};
