/*
 * config_hosts.c: the `hosts` of a group (opsdeck.yaml(5)): pdsh-style
 * ranges expanded (hostlist.h), or maps of `host` and `address` expanded
 * side by side; every name once in the whole file (an open-addressing set
 * in struct cfg), at most CONFIG_MAX_HOSTS in all. Errors go to the diag
 * at the value's position, the column of a bad range included.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "opsdeck/config.h"
#include "opsdeck/config_keys.h"
#include "opsdeck/config_priv.h"
#include "opsdeck/hostlist.h"
#include "opsdeck/util.h"
#include "opsdeck/yamltree.h"

/* The earlier entry for name (valid until the next call), or NULL after adding it. */
static const struct seen_host *
cfg_seen(struct cfg *x, const char *name, int line, int col)
{
	if (2 * (x->nseen + 1) > x->seencap) {
		size_t ncap = x->seencap ? x->seencap * 2 : 256;
		struct seen_host *n = xcalloc(ncap, sizeof *n);
		for (size_t i = 0; i < x->seencap; i++) {
			if (x->seen[i].name == NULL)
				continue;
			size_t j = hash_fnv1a(x->seen[i].name) & (ncap - 1);
			while (n[j].name != NULL)
				j = (j + 1) & (ncap - 1);
			n[j] = x->seen[i];
		}
		free(x->seen);
		x->seen = n;
		x->seencap = ncap;
	}
	size_t j = hash_fnv1a(name) & (x->seencap - 1);
	while (x->seen[j].name != NULL) {
		if (strcmp(x->seen[j].name, name) == 0)
			return &x->seen[j];
		j = (j + 1) & (x->seencap - 1);
	}
	x->seen[j].name = name;
	x->seen[j].line = line;
	x->seen[j].col = col;
	x->nseen++;
	return NULL;
}

/* Characters of s[0..off) as a column offset. */
static int
cfg_chars(const char *s, size_t off)
{
	int n = 0;
	for (size_t i = 0; i < off && s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * Expands pattern v (a scalar) into *names (caller frees each and the array)
 * and *count; -1 with the error at its column in d.
 */
static int
cfg_expand(struct cfg *x, const struct ynode *v, char ***names, size_t *count)
{
	char *cause;
	size_t errcol;

	if (hostlist_expand(v->s, names, count, &cause, &errcol) != 0) {
		struct ynode at = *v;
		if (!v->block)
			at.col += (v->plain ? 0 : 1) + cfg_chars(v->s, errcol);
		yn_err(x->d, &at, "%s", cause);
		free(cause);
		return -1;
	}
	return 0;
}

/*
 * Expands one host pattern (scalar v) onto g. addrs, when not NULL, holds
 * one address per name the pattern expands to (checked by the caller):
 * the i-th name takes the i-th (moved out of addrs).
 */
static void
cfg_host_pattern(struct cfg *x, struct group *g, const struct ynode *v, char **addrs)
{
	char **names;
	size_t count;

	if (v->type == YN_BAD || x->hosts_over)
		return;
	if (v->type != YN_SCALAR || yn_is_null(v)) {
		yn_err(x->d, v, "'hosts' must be a list of strings or maps of 'host' and "
		    "'address'");
		return;
	}
	if (cfg_expand(x, v, &names, &count) != 0)
		return;
	/* The first duplicate of a pattern is named, the others counted. */
	const char *dupname = NULL;
	int dupline = 0, dupcol = 0;	/* copied: the set may grow and move */
	size_t ndup = 0;
	for (size_t i = 0; i < count; i++) {
		/* Duplicates count too: they cost as much to expand and check. */
		if (x->nexpanded++ >= CONFIG_MAX_HOSTS) {
			x->hosts_over = 1;
			break;
		}
		const struct seen_host *first = cfg_seen(x, names[i], v->line, v->col);
		if (first != NULL) {
			if (ndup++ == 0) {
				dupname = names[i];
				dupline = first->line;
				dupcol = first->col;
			}
			continue;
		}
		if (g->nhosts == 0 || (g->nhosts >= 8 && (g->nhosts & (g->nhosts - 1)) == 0))
			g->hosts = xreallocarray(g->hosts, OD_MAX(g->nhosts * 2, 8),
			    sizeof *g->hosts);
		struct host *h = &g->hosts[g->nhosts++];
		h->name = names[i];
		names[i] = NULL;
		h->address = addrs != NULL ? addrs[i] : NULL;
		if (addrs != NULL)
			addrs[i] = NULL;
		h->group = NULL;
		h->line = v->line;
		h->col = v->col;
		x->c->nhosts++;	/* the set borrows the name, now the host's */
	}
	if (ndup == 1)
		yn_err(x->d, v, "duplicate host '%s' (first at %s:%d:%d)", dupname, x->name,
		    dupline, dupcol);
	else if (ndup > 1)
		yn_err(x->d, v, "duplicate host '%s' (first at %s:%d:%d) and %zu more from "
		    "this pattern", dupname, x->name, dupline, dupcol, ndup - 1);
	if (x->hosts_over)
		yn_err(x->d, v, "more than %d hosts in all groups", CONFIG_MAX_HOSTS);
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

/*
 * An item of hosts written as a map: `host` (a pattern) and `address` (a
 * pattern that expands to as many addresses, the i-th for the i-th name).
 */
static void
cfg_host_map(struct cfg *x, struct group *g, const struct ynode *m)
{
	const struct ynode *hostv = NULL, *addrv = NULL;
	char **addrs = NULL;
	size_t naddrs = 0;

	char *use = cfg_keys(x, m, "in a host", CONFIG_AT_HOST);
	for (size_t i = 0; i < m->nkids / 2; i++) {
		if (!use[i])
			continue;
		const struct config_key *k = cfg_row(m, i, CONFIG_AT_HOST);
		if (k->id == CK_HOST)
			hostv = m->kids[2 * i + 1];
		else
			addrv = m->kids[2 * i + 1];
	}
	free(use);
	if (hostv == NULL) {
		yn_err(x->d, m, "a host map has no 'host'");
		return;
	}
	if (addrv != NULL) {
		char *one = NULL;
		if (cfg_string(x, "address", addrv, &one) != 0)
			return;
		free(one);
		if (cfg_expand(x, addrv, &addrs, &naddrs) != 0)
			return;
		if (hostv->type == YN_SCALAR && !yn_is_null(hostv)) {
			char **names;
			size_t count;
			if (cfg_expand(x, hostv, &names, &count) != 0)
				goto out;
			for (size_t i = 0; i < count; i++)
				free(names[i]);
			free(names);
			if (count != naddrs) {
				yn_err(x->d, addrv, "'address' expands to %zu address%s but "
				    "'host' to %zu name%s", naddrs, naddrs == 1 ? "" : "es",
				    count, count == 1 ? "" : "s");
				goto out;
			}
		}
	}
	cfg_host_pattern(x, g, hostv, addrs);
out:
	for (size_t i = 0; i < naddrs; i++)
		free(addrs[i]);
	free(addrs);
}

/* See config_priv.h. */
void
cfg_hosts(struct cfg *x, struct group *g, const struct ynode *v)
{
	if (v->type == YN_BAD)
		return;
	if (v->type == YN_SCALAR) {
		if (yn_is_null(v))
			yn_err(x->d, v, "'hosts' has no value");
		else
			cfg_host_pattern(x, g, v, NULL);
		return;
	}
	if (v->type != YN_SEQ) {
		yn_err(x->d, v, "'hosts' must be a list of strings or maps of 'host' and "
		    "'address'");
		return;
	}
	if (v->nkids == 0)
		yn_err(x->d, v, "'hosts' is empty");
	for (size_t i = 0; i < v->nkids; i++) {
		if (v->kids[i]->type == YN_MAP)
			cfg_host_map(x, g, v->kids[i]);
		else
			cfg_host_pattern(x, g, v->kids[i], NULL);
	}
}


/*
 * See config.h. A linear walk: callers check a cache's hosts against the
 * configuration once per read, a few thousand names at most.
 */
int
config_knows_host(const struct config *cfg, const char *name, const char *group)
{
	int prom = 0;

	for (size_t g = 0; g < cfg->ngroups; g++) {
		const struct group *gr = &cfg->groups[g];
		if (gr->kind == GROUP_PROMETHEUS) {
			prom = 1;
			if (group != NULL && gr->name != NULL && strcmp(gr->name, group) == 0)
				return 1;	/* an instance its server named */
		}
		for (size_t i = 0; i < gr->nhosts; i++)
			if (strcmp(gr->hosts[i].name, name) == 0)
				return 1;
	}
	return group == NULL && prom;
}
