/*
 * shard.c: which collector of N watches a host (config.h). The hash is
 * FNV-1a over the host name's bytes, 64 bits: stable across machines,
 * releases and the order of the config, so N collectors given the same
 * file and shards 1/N .. N/N split the fleet with no host twice and none
 * missed.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "opsdeck/config.h"
#include "opsdeck/util.h"

/* The shard key: util.c's FNV-1a, named here because shards depend on it never changing. */
uint64_t
shard_hash(const char *name)
{
	return hash_fnv1a(name);
}

/* 1..n; 1 when n < 2. */
int
shard_of(const char *name, int n)
{
	if (n < 2)
		return 1;
	return (int)(shard_hash(name) % (uint64_t)n) + 1;
}

/* Reads decimal digits only: 0, or -1. */
static int
shard_num(const char *s, size_t n, int *out)
{
	long v = 0;
	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = (int)v;
	return 0;
}

int
shard_parse(const char *s, int *k, int *n, char **cause)
{
	const char *slash = strchr(s, '/');
	int kk, nn;

	if (slash == NULL || shard_num(s, (size_t)(slash - s), &kk) != 0 ||
	    shard_num(slash + 1, strlen(slash + 1), &nn) != 0) {
		*cause = xasprintf("shard '%s' is not K/N (e.g. 2/4)", s);
		return -1;
	}
	if (nn < 1 || nn > SHARD_MAX || kk < 1 || kk > nn) {
		*cause = xasprintf("shard '%s': need 1 <= K <= N <= %d", s, SHARD_MAX);
		return -1;
	}
	*k = kk;
	*n = nn;
	return 0;
}

/*
 * Drops every host of c whose name is not in shard k of n, keeping the
 * order of the rest; c->nhosts is updated. Groups of kind prometheus have
 * no hosts here (their instances are filtered by the collector).
 */
void
config_apply_shard(struct config *c, int k, int n)
{
	if (n < 2)
		return;
	c->nhosts = 0;
	for (size_t i = 0; i < c->ngroups; i++) {
		struct group *g = &c->groups[i];
		size_t kept = 0;
		for (size_t j = 0; j < g->nhosts; j++) {
			if (shard_of(g->hosts[j].name, n) == k)
				g->hosts[kept++] = g->hosts[j];
			else
				free(g->hosts[j].name);
		}
		g->nhosts = kept;
		c->nhosts += kept;
	}
}
