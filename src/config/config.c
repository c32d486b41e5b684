/*
 * config.c: the YAML configuration (man/opsdeck.yaml.5) to struct config.
 *
 * Two steps. yamltree_parse() (yamltree.h) builds a small node tree with
 * 1-based positions, refusing what the format does not need and what can
 * hurt: anchors and aliases, nesting deeper than CONFIG_MAX_DEPTH, scalars
 * longer than CONFIG_MAX_STRING, more than one document. Then the cfg_*
 * walkers check the tree against the schema and fill the structs, adding
 * every problem to the struct diag instead of stopping at the first.
 *
 * config_parse() does no I/O; it reads $HOME only to expand a leading "~/".
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opsdeck/config.h"
#include "opsdeck/hostlist.h"
#include "opsdeck/util.h"
#include "opsdeck/yamltree.h"

/* ---- context and messages ----------------------------------------------- */

struct seen_host {
	const char	*name;		/* borrowed from the config */
	int		 line, col;
};

struct cfg {
	const char	*name;		/* file name for "first at FILE:L:C" */
	struct diag	*d;
	struct config	*c;
	const char	*home;		/* $HOME for "~/", or NULL */
	struct seen_host *seen;		/* open-addressing set of host names */
	size_t		 seencap, nseen;
	size_t		 nexpanded;	/* names from all patterns, duplicates too */
	int		 hosts_over;	/* CONFIG_MAX_HOSTS reported */
	char		 show[4][160];	/* cfg_show() buffers, used round-robin */
	int		 nshow;
};

/* yamltree_show() of s (len bytes) into x's buffers: valid until four more calls. */
static const char *
cfg_show_bytes(struct cfg *x, const char *s, size_t len)
{
	return yamltree_show(x->show[x->nshow++ % 4], s, len);
}

static const char *
cfg_show(struct cfg *x, const struct ynode *n)
{
	return cfg_show_bytes(x, n->s, n->len);
}

/* "a, b, c" of words[]; static buffer in x. */
static const char *
cfg_join(struct cfg *x, const char *const *words, const char *last_sep)
{
	return yamltree_join(x->show[x->nshow++ % 4], sizeof x->show[0], words, last_sep);
}

/* Reports a value of key that is none of words[] ("node, testbed or scheduler"). */
static void
cfg_err_choice(struct cfg *x, const char *key, const struct ynode *v, const char *const *words)
{
	const char *sug = yamltree_suggest(v->s, words);
	if (sug != NULL)
		yn_err(x->d, v, "'%s' must be %s, not '%s'; did you mean '%s'?", key,
		    cfg_join(x, words, " or "), cfg_show(x, v), sug);
	else
		yn_err(x->d, v, "'%s' must be %s, not '%s'", key, cfg_join(x, words, " or "),
		    cfg_show(x, v));
}

/* ---- schema ----------------------------------------------------------- */

static const char *const top_keys[] = {
	"defaults", "groups", "cache", "theme", "budget", "thresholds", "retention", NULL
};
static const char *const conn_keys[] = {
	"user", "port", "identity", "known_hosts", "host_key_policy", "interval",
	"timeout", NULL
};
static const char *const group_keys[] = {
	"name", "kind", "hosts", "probes", "transport", "command",
	"user", "port", "identity", "known_hosts", "host_key_policy", "interval",
	"timeout", NULL
};
static const char *const threshold_keys[] = { "warn", "crit", NULL };
static const char *const retention_keys[] = { "raw", "minute", "hour", NULL };
static const char *const kind_names[] = { "node", "testbed", "scheduler", NULL };
static const char *const policy_names[] = { "strict", "accept-new", NULL };
static const char *const transport_names[] = { "ssh", "local", NULL };
static const char *const probe_names[] = {
	"linux", "nvidia", "ipmi", "testbed", "slurm", NULL
};

static const char *const node_probes[] = { "linux", "nvidia", "ipmi", NULL };
static const char *const testbed_probes[] = { "linux", "testbed", NULL };
static const char *const scheduler_probes[] = { "linux", "slurm", NULL };

const char *const *
group_default_probes(enum group_kind k)
{
	switch (k) {
	case GROUP_TESTBED:
		return testbed_probes;
	case GROUP_SCHEDULER:
		return scheduler_probes;
	default:
		return node_probes;
	}
}

const char *
group_kind_name(enum group_kind k)
{
	return (unsigned)k < OD_ARRAY_LEN(kind_names) - 1 ? kind_names[k] : "?";
}

const char *
hostkey_policy_name(enum hostkey_policy p)
{
	return (unsigned)p < OD_ARRAY_LEN(policy_names) - 1 ? policy_names[p] : "?";
}

/*
 * Checks the keys of map m (yamltree_keys, with suggestions). Returns a
 * malloc'd array of m->nkids/2 flags: 1 for a pair the caller should use, 0
 * for one already reported. `where` is "in group", ...
 */
static char *
cfg_keys(struct cfg *x, const struct ynode *m, const char *where, const char *const *words)
{
	const struct yamltree_keys_style style = { .file = x->name, .suggest = 1 };

	return yamltree_keys(m, words, where, &style, x->d);
}

/* A leading "~/" replaced by $HOME/; malloc'd. */
static char *
cfg_tilde(struct cfg *x, const char *s)
{
	if (s[0] == '~' && s[1] == '/' && x->home != NULL && x->home[0] != '\0')
		return xasprintf("%s%s", x->home, s + 1);
	return xstrdup(s);
}

/*
 * The string value of key (node v) into *out (replacing and freeing what was
 * there). Reports non-scalars, null, empty strings and control characters.
 * Returns 0 or -1.
 */
static int
cfg_string(struct cfg *x, const char *key, const struct ynode *v, char **out)
{
	if (v->type == YN_BAD)
		return -1;
	if (v->type != YN_SCALAR) {
		yn_err(x->d, v, "'%s' must be a string, not %s", key, yn_type_name(v));
		return -1;
	}
	if (yn_is_null(v)) {
		yn_err(x->d, v, "'%s' has no value", key);
		return -1;
	}
	if (v->len == 0) {
		yn_err(x->d, v, "'%s' must not be empty", key);
		return -1;
	}
	for (size_t i = 0; i < v->len; i++) {
		unsigned char c = (unsigned char)v->s[i];
		if (c < 0x20 || c == 0x7f) {
			if (v->block && c == '\n' && i + 1 == v->len)
				continue;	/* the final newline of "|" */
			yn_err(x->d, v, "'%s' contains a control character (\\x%02x)", key, c);
			return -1;
		}
	}
	free(*out);
	*out = xstrndup(v->s, v->block && v->len > 0 && v->s[v->len - 1] == '\n' ?
	    v->len - 1 : v->len);
	return 0;
}

/* A string that names a file: as cfg_string, with a leading "~/" expanded. */
static int
cfg_path(struct cfg *x, const char *key, const struct ynode *v, char **out)
{
	char *s = NULL;
	if (cfg_string(x, key, v, &s) != 0)
		return -1;
	free(*out);
	*out = cfg_tilde(x, s);
	free(s);
	return 0;
}

/* An integer from lo to hi. */
static int
cfg_int(struct cfg *x, const char *key, const struct ynode *v, long lo, long hi, int *out)
{
	if (v->type == YN_BAD)
		return -1;
	long n = 0;
	int ok = v->type == YN_SCALAR && v->len > 0 && v->len <= 9;
	for (size_t i = 0; ok && i < v->len; i++) {
		if (v->s[i] < '0' || v->s[i] > '9')
			ok = 0;
		else
			n = n * 10 + (v->s[i] - '0');
	}
	if (!ok || n < lo || n > hi) {
		if (v->type == YN_SCALAR && !yn_is_null(v))
			yn_err(x->d, v, "'%s' must be an integer from %ld to %ld, not '%s'",
			    key, lo, hi, cfg_show(x, v));
		else
			yn_err(x->d, v, "'%s' must be an integer from %ld to %ld, not %s",
			    key, lo, hi, yn_type_name(v));
		return -1;
	}
	*out = (int)n;
	return 0;
}

/* A duration of at least min_ms. */
static int
cfg_duration(struct cfg *x, const char *key, const struct ynode *v, int64_t min_ms, int64_t *out)
{
	int64_t ms;

	if (v->type == YN_BAD)
		return -1;
	if (v->type != YN_SCALAR || yn_is_null(v)) {
		yn_err(x->d, v, "'%s' must be a duration such as 500ms, 2s or 5m, not %s",
		    key, yn_type_name(v));
		return -1;
	}
	if (v->len == 0 || v->s[0] == ' ' || duration_parse(v->s, &ms) != 0) {
		yn_err(x->d, v, "'%s' must be a duration such as 500ms, 2s or 5m, not '%s'",
		    key, cfg_show(x, v));
		return -1;
	}
	if (ms < min_ms) {
		char buf[32];
		duration_format(min_ms, buf, sizeof buf);
		yn_err(x->d, v, "'%s' must be at least %s, not '%s'", key, buf, cfg_show(x, v));
		return -1;
	}
	*out = ms;
	return 0;
}

/*
 * A decimal number: [-+]digits[.digits][e[-+]digits], parsed without the
 * locale (strtod would follow LC_NUMERIC).
 */
static int
cfg_number(struct cfg *x, const char *key, const struct ynode *v, double *out)
{
	const char *p;
	double m = 0;
	int neg = 0, digits = 0, frac = 0, exp = 0, eneg = 0, edigits = 0;

	if (v->type == YN_BAD)
		return -1;
	if (v->type != YN_SCALAR || yn_is_null(v)) {
		yn_err(x->d, v, "'%s' must be a number, not %s", key, yn_type_name(v));
		return -1;
	}
	p = v->s;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	for (; *p >= '0' && *p <= '9'; p++, digits++)
		m = m * 10 + (*p - '0');
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, digits++, frac++)
			m = m * 10 + (*p - '0');
	if (digits > 0 && (*p == 'e' || *p == 'E')) {
		p++;
		if (*p == '-' || *p == '+')
			eneg = *p++ == '-';
		for (; *p >= '0' && *p <= '9' && edigits < 4; p++, edigits++)
			exp = exp * 10 + (*p - '0');
		if (edigits == 0)
			digits = 0;
	}
	if (digits == 0 || digits > 30 || *p != '\0' || exp > 300) {
		yn_err(x->d, v, "'%s' must be a number, not '%s'", key, cfg_show(x, v));
		return -1;
	}
	exp = (eneg ? -exp : exp) - frac;
	for (; exp > 0; exp--)
		m *= 10;
	for (; exp < 0; exp++)
		m /= 10;
	*out = neg ? -m : m;
	return 0;
}

/* A string that must be one of words[]; returns its index or -1. */
static int
cfg_choice(struct cfg *x, const char *key, const struct ynode *v, const char *const *words)
{
	if (v->type == YN_BAD)
		return -1;
	if (v->type != YN_SCALAR || yn_is_null(v)) {
		yn_err(x->d, v, "'%s' must be %s, not %s", key, cfg_join(x, words, " or "),
		    yn_type_name(v));
		return -1;
	}
	int i = yamltree_word_index(v->s, words);
	if (i < 0)
		cfg_err_choice(x, key, v, words);
	return i;
}

/*
 * Applies key: v to conn when key is a connection setting. Returns 1 when it
 * was one (valid or not), 0 when key is something else.
 */
static int
cfg_conn_key(struct cfg *x, struct conn_settings *cs, const char *key, const struct ynode *v)
{
	int i;

	if (strcmp(key, "user") == 0)
		cfg_string(x, key, v, &cs->user);
	else if (strcmp(key, "port") == 0)
		cfg_int(x, key, v, 1, 65535, &cs->port);
	else if (strcmp(key, "identity") == 0)
		cfg_path(x, key, v, &cs->identity);
	else if (strcmp(key, "known_hosts") == 0)
		cfg_path(x, key, v, &cs->known_hosts);
	else if (strcmp(key, "host_key_policy") == 0) {
		if ((i = cfg_choice(x, key, v, policy_names)) >= 0)
			cs->hostkey_policy = (enum hostkey_policy)i;
	} else if (strcmp(key, "interval") == 0)
		cfg_duration(x, key, v, CONFIG_MIN_INTERVAL_MS, &cs->interval_ms);
	else if (strcmp(key, "timeout") == 0)
		cfg_duration(x, key, v, CONFIG_MIN_INTERVAL_MS, &cs->timeout_ms);
	else
		return 0;
	return 1;
}

/* The built-in connection settings (port 22, strict, 2s, 10s). */
static void
conn_defaults(struct conn_settings *cs)
{
	memset(cs, 0, sizeof *cs);
	cs->port = 22;
	cs->hostkey_policy = HOSTKEY_STRICT;
	cs->interval_ms = 2000;
	cs->timeout_ms = 10000;
}

/* A deep copy of src into dst (dst owns its strings). */
static void
conn_copy(struct conn_settings *dst, const struct conn_settings *src)
{
	*dst = *src;
	dst->user = src->user != NULL ? xstrdup(src->user) : NULL;
	dst->identity = src->identity != NULL ? xstrdup(src->identity) : NULL;
	dst->known_hosts = src->known_hosts != NULL ? xstrdup(src->known_hosts) : NULL;
}

static void
conn_free(struct conn_settings *cs)
{
	free(cs->user);
	free(cs->identity);
	free(cs->known_hosts);
}

/* Accepts null for an optional map ("defaults:" with nothing under it). */
static int
cfg_is_map(struct cfg *x, const char *key, const struct ynode *v, const char *what)
{
	if (v->type == YN_MAP)
		return 1;
	if (v->type != YN_BAD && !yn_is_null(v))
		yn_err(x->d, v, "'%s' must be a map of %s, not %s", key, what, yn_type_name(v));
	return 0;
}

/* `defaults`: connection settings into x->c->defaults. */
static void
cfg_defaults(struct cfg *x, const struct ynode *v)
{
	if (!cfg_is_map(x, "defaults", v, "connection settings"))
		return;
	char *use = cfg_keys(x, v, "in defaults", conn_keys);
	for (size_t i = 0; i < v->nkids / 2; i++)
		if (use[i])
			cfg_conn_key(x, &x->c->defaults, v->kids[2 * i]->s, v->kids[2 * i + 1]);
	free(use);
}

/* ---- hosts ------------------------------------------------------------ */

static uint64_t
cfg_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

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
			size_t j = cfg_hash(x->seen[i].name) & (ncap - 1);
			while (n[j].name != NULL)
				j = (j + 1) & (ncap - 1);
			n[j] = x->seen[i];
		}
		free(x->seen);
		x->seen = n;
		x->seencap = ncap;
	}
	size_t j = cfg_hash(name) & (x->seencap - 1);
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

/* Expands one host pattern (scalar v) onto g. */
static void
cfg_host_pattern(struct cfg *x, struct group *g, const struct ynode *v)
{
	char **names, *cause;
	size_t count, errcol;

	if (v->type == YN_BAD || x->hosts_over)
		return;
	if (v->type != YN_SCALAR || yn_is_null(v)) {
		yn_err(x->d, v, "'hosts' must be a list of strings");
		return;
	}
	if (hostlist_expand(v->s, &names, &count, &cause, &errcol) != 0) {
		struct ynode at = *v;
		if (!v->block)
			at.col += (v->plain ? 0 : 1) + cfg_chars(v->s, errcol);
		yn_err(x->d, &at, "%s", cause);
		free(cause);
		return;
	}
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

/* hosts: a string or a list of strings, each a pattern. */
static void
cfg_hosts(struct cfg *x, struct group *g, const struct ynode *v)
{
	if (v->type == YN_BAD)
		return;
	if (v->type == YN_SCALAR) {
		if (yn_is_null(v))
			yn_err(x->d, v, "'hosts' has no value");
		else
			cfg_host_pattern(x, g, v);
		return;
	}
	if (v->type != YN_SEQ) {
		yn_err(x->d, v, "'hosts' must be a list of strings");
		return;
	}
	if (v->nkids == 0)
		yn_err(x->d, v, "'hosts' is empty");
	for (size_t i = 0; i < v->nkids; i++)
		cfg_host_pattern(x, g, v->kids[i]);
}

/* Appends probe name v to g after checking it is known and not listed yet. */
static void
cfg_add_probe(struct cfg *x, struct group *g, const struct ynode *v)
{
	if (v->type == YN_BAD)
		return;
	if (v->type != YN_SCALAR || yn_is_null(v)) {
		yn_err(x->d, v, "'probes' must be a list of probe names");
		return;
	}
	if (yamltree_word_index(v->s, probe_names) < 0) {
		const char *sug = yamltree_suggest(v->s, probe_names);
		if (sug != NULL)
			yn_err(x->d, v, "unknown probe '%s'; did you mean '%s'?",
			    cfg_show(x, v), sug);
		else
			yn_err(x->d, v, "unknown probe '%s'; the probes are %s", cfg_show(x, v),
			    cfg_join(x, probe_names, " and "));
		return;
	}
	for (size_t i = 0; i < g->nprobes; i++) {
		if (strcmp(g->probes[i], v->s) == 0) {
			yn_err(x->d, v, "probe '%s' is listed twice", v->s);
			return;
		}
	}
	g->probes = xreallocarray(g->probes, g->nprobes + 2, sizeof *g->probes);
	g->probes[g->nprobes++] = xstrdup(v->s);
	g->probes[g->nprobes] = NULL;
}

/* probes: a list of probe names (or one name). */
static void
cfg_probes(struct cfg *x, struct group *g, const struct ynode *v)
{
	if (v->type == YN_BAD)
		return;
	if (v->type == YN_SCALAR) {
		if (yn_is_null(v))
			yn_err(x->d, v, "'probes' has no value");
		else
			cfg_add_probe(x, g, v);
		return;
	}
	if (v->type != YN_SEQ) {
		yn_err(x->d, v, "'probes' must be a list of probe names");
		return;
	}
	if (v->nkids == 0)
		yn_err(x->d, v, "'probes' is empty");
	for (size_t i = 0; i < v->nkids; i++)
		cfg_add_probe(x, g, v->kids[i]);
}

static void
group_set_probes(struct group *g, const char *const *names)
{
	size_t n = 0;
	while (names[n] != NULL)
		n++;
	g->probes = xcalloc(n + 1, sizeof *g->probes);
	for (size_t i = 0; i < n; i++)
		g->probes[i] = xstrdup(names[i]);
	g->nprobes = n;
}

/* Frees what g owns (not g itself: groups live in an array). */
static void
group_free(struct group *g)
{
	free(g->name);
	for (size_t i = 0; i < g->nprobes; i++)
		free(g->probes[i]);
	free(g->probes);
	free(g->command);
	conn_free(&g->conn);
	for (size_t i = 0; i < g->nhosts; i++)
		free(g->hosts[i].name);
	free(g->hosts);
}

/*
 * One item of `groups`. The group is appended to x->c even when it has
 * errors, so that config_free() frees it; name_at[] (one per group) keeps
 * where each name was written for the duplicate-name message.
 */
static void
cfg_group(struct cfg *x, const struct ynode *gm, const struct ynode ***name_at)
{
	const struct ynode *namev = NULL, *hostsv = NULL, *probesv = NULL, *commandv = NULL;
	struct config *c = x->c;
	struct group g;

	if (gm->type != YN_MAP) {
		if (gm->type != YN_BAD)
			yn_err(x->d, gm, "a group must be a map with 'name' and 'hosts', not %s",
			    yn_type_name(gm));
		return;
	}
	memset(&g, 0, sizeof g);
	g.kind = GROUP_NODE;
	conn_copy(&g.conn, &c->defaults);

	char *use = cfg_keys(x, gm, "in group", group_keys);
	for (size_t i = 0; i < gm->nkids / 2; i++) {
		if (!use[i])
			continue;
		const char *key = gm->kids[2 * i]->s;
		const struct ynode *v = gm->kids[2 * i + 1];
		int k;
		if (cfg_conn_key(x, &g.conn, key, v))
			continue;
		if (strcmp(key, "name") == 0) {
			namev = v;
			if (cfg_string(x, key, v, &g.name) == 0 &&
			    strlen(g.name) > CONFIG_NAME_MAX) {
				yn_err(x->d, v, "group name longer than %d bytes",
				    CONFIG_NAME_MAX);
				free(g.name);
				g.name = NULL;
			}
		} else if (strcmp(key, "kind") == 0) {
			if ((k = cfg_choice(x, key, v, kind_names)) >= 0)
				g.kind = (enum group_kind)k;
		} else if (strcmp(key, "hosts") == 0) {
			hostsv = v;
		} else if (strcmp(key, "probes") == 0) {
			probesv = v;
		} else if (strcmp(key, "transport") == 0) {
			if ((k = cfg_choice(x, key, v, transport_names)) >= 0)
				g.local = k == 1;
		} else if (strcmp(key, "command") == 0) {
			commandv = v;
			cfg_string(x, key, v, &g.command);
		}
	}
	free(use);

	if (namev == NULL) {
		yn_err(x->d, gm, "group has no 'name'");
	} else if (g.name != NULL) {
		for (size_t i = 0; i < c->ngroups; i++) {
			if (c->groups[i].name != NULL && strcmp(c->groups[i].name, g.name) == 0) {
				yn_err(x->d, namev, "duplicate group name '%s' "
				    "(first at %s:%d:%d)",
				    cfg_show(x, namev), x->name, (*name_at)[i]->line,
				    (*name_at)[i]->col);
				free(g.name);
				g.name = NULL;
				break;
			}
		}
	}
	if (hostsv == NULL) {
		if (g.name != NULL)
			yn_err(x->d, gm, "group '%s' has no 'hosts'", cfg_show_bytes(x, g.name,
			    strlen(g.name)));
		else
			yn_err(x->d, gm, "group has no 'hosts'");
	} else {
		cfg_hosts(x, &g, hostsv);
	}
	if (probesv != NULL)
		cfg_probes(x, &g, probesv);
	else
		group_set_probes(&g, group_default_probes(g.kind));
	if (g.probes == NULL)
		g.probes = xcalloc(1, sizeof *g.probes);
	if (commandv != NULL && g.kind != GROUP_TESTBED)
		yn_err(x->d, commandv, "'command' is only for groups of kind testbed");

	c->groups = xreallocarray(c->groups, c->ngroups + 1, sizeof *c->groups);
	*name_at = xreallocarray(*name_at, c->ngroups + 1, sizeof **name_at);
	(*name_at)[c->ngroups] = namev;
	c->groups[c->ngroups++] = g;
}

/* `groups`: a non-empty list of group maps, each into x->c->groups. */
static void
cfg_groups(struct cfg *x, const struct ynode *v)
{
	const struct ynode **name_at = NULL;

	if (v->type == YN_BAD)
		return;
	if (v->type != YN_SEQ) {
		if (yn_is_null(v))
			yn_err(x->d, v, "'groups' is empty: list at least one group");
		else
			yn_err(x->d, v, "'groups' must be a list of groups, not %s",
			    yn_type_name(v));
		return;
	}
	if (v->nkids == 0)
		yn_err(x->d, v, "'groups' is empty: list at least one group");
	for (size_t i = 0; i < v->nkids; i++) {
		if (i == CONFIG_MAX_GROUPS) {
			yn_err(x->d, v->kids[i], "more than %d groups", CONFIG_MAX_GROUPS);
			break;
		}
		cfg_group(x, v->kids[i], &name_at);
	}
	free(name_at);
}

/* "cpu.util_pct": two or more [a-z][a-z0-9_]* parts joined by dots. */
static int
metric_path_ok(const char *s)
{
	int parts = 0;
	size_t len = strlen(s);

	if (len == 0 || len > 64)
		return 0;
	for (const char *p = s; *p != '\0'; p++) {
		if (*p < 'a' || *p > 'z')
			return 0;
		parts++;
		while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')
			p++;
		if (*p == '\0')
			break;
		if (*p != '.')
			return 0;
	}
	return parts >= 2 && s[len - 1] != '.';
}

/*
 * `thresholds`: metric path -> {warn, crit}, into x->c->thresholds in file
 * order. A threshold with errors is left out.
 */
static void
cfg_thresholds(struct cfg *x, const struct ynode *v)
{
	struct config *c = x->c;

	if (!cfg_is_map(x, "thresholds", v, "metric paths to {warn, crit}"))
		return;
	for (size_t i = 0; i < v->nkids / 2; i++) {
		const struct ynode *k = v->kids[2 * i], *tv = v->kids[2 * i + 1];
		if (i == CONFIG_MAX_THRESHOLDS) {
			yn_err(x->d, k, "more than %d thresholds", CONFIG_MAX_THRESHOLDS);
			break;
		}
		if (k->type == YN_BAD)
			continue;
		if (k->type != YN_SCALAR || !metric_path_ok(k->s)) {
			if (k->type == YN_SCALAR)
				yn_err(x->d, k, "'%s' is not a metric path such as cpu.util_pct "
				    "or gpus.temp_c", cfg_show(x, k));
			else
				yn_err(x->d, k, "a metric path in thresholds must be a string, "
				    "not %s", yn_type_name(k));
			continue;
		}
		int dup = 0;
		for (size_t j = 0; j < c->nthresholds && !dup; j++)
			dup = strcmp(c->thresholds[j].metric, k->s) == 0;
		if (dup) {
			yn_err(x->d, k, "duplicate threshold '%s'", k->s);
			continue;
		}
		if (tv->type != YN_MAP) {
			if (tv->type != YN_BAD)
				yn_err(x->d, tv, "threshold '%s' must be a map with 'warn' and/or "
				    "'crit', not %s", k->s, yn_type_name(tv));
			continue;
		}
		struct threshold t;
		memset(&t, 0, sizeof t);
		char *where = xasprintf("in threshold '%s'", k->s);
		char *use = cfg_keys(x, tv, where, threshold_keys);
		free(where);
		for (size_t j = 0; j < tv->nkids / 2; j++) {
			if (!use[j])
				continue;
			const char *key = tv->kids[2 * j]->s;
			const struct ynode *nv = tv->kids[2 * j + 1];
			if (strcmp(key, "warn") == 0)
				t.has_warn = cfg_number(x, key, nv, &t.warn) == 0;
			else
				t.has_crit = cfg_number(x, key, nv, &t.crit) == 0;
		}
		if (tv->nkids == 0)
			yn_err(x->d, tv, "threshold '%s' needs 'warn' or 'crit'", k->s);
		free(use);
		t.metric = xstrdup(k->s);
		c->thresholds = xreallocarray(c->thresholds, c->nthresholds + 1,
		    sizeof *c->thresholds);
		c->thresholds[c->nthresholds++] = t;
	}
}

/* `retention`: raw, minute and hour, each a duration of at least 1m. */
static void
cfg_retention(struct cfg *x, const struct ynode *v)
{
	struct retention *r = &x->c->retention;

	if (!cfg_is_map(x, "retention", v, "durations"))
		return;
	char *use = cfg_keys(x, v, "in retention", retention_keys);
	for (size_t i = 0; i < v->nkids / 2; i++) {
		if (!use[i])
			continue;
		const char *key = v->kids[2 * i]->s;
		const struct ynode *dv = v->kids[2 * i + 1];
		if (strcmp(key, "raw") == 0)
			cfg_duration(x, key, dv, 60000, &r->raw_ms);
		else if (strcmp(key, "minute") == 0)
			cfg_duration(x, key, dv, 60000, &r->minute_ms);
		else
			cfg_duration(x, key, dv, 60000, &r->hour_ms);
	}
	free(use);
}

/* The top-level map. */
static void
cfg_top(struct cfg *x, const struct ynode *root)
{
	const struct ynode *v;

	if (root == NULL || yn_is_null(root)) {
		diag_add(x->d, 0, 0, "empty configuration: expected a map with 'groups'");
		return;
	}
	if (root->type == YN_BAD)
		return;
	if (root->type != YN_MAP) {
		yn_err(x->d, root, "the top level must be a map with 'groups', not %s",
		    yn_type_name(root));
		return;
	}
	char *use = cfg_keys(x, root, "at top level", top_keys);
	/* defaults first: groups inherit them wherever they are written. */
	for (size_t i = 0; i < root->nkids / 2; i++)
		if (use[i] && strcmp(root->kids[2 * i]->s, "defaults") == 0)
			cfg_defaults(x, root->kids[2 * i + 1]);
	for (size_t i = 0; i < root->nkids / 2; i++) {
		if (!use[i])
			continue;
		const char *key = root->kids[2 * i]->s;
		v = root->kids[2 * i + 1];
		if (strcmp(key, "groups") == 0)
			cfg_groups(x, v);
		else if (strcmp(key, "cache") == 0)
			cfg_path(x, key, v, &x->c->cache);
		else if (strcmp(key, "theme") == 0)
			cfg_path(x, key, v, &x->c->theme);
		else if (strcmp(key, "budget") == 0)
			cfg_path(x, key, v, &x->c->budget);
		else if (strcmp(key, "thresholds") == 0)
			cfg_thresholds(x, v);
		else if (strcmp(key, "retention") == 0)
			cfg_retention(x, v);
	}
	free(use);
	/* A manager reading budgets needs no hosts: `budget:` alone is a valid file. */
	if (yn_get(root, "groups") == NULL && yn_get(root, "budget") == NULL)
		yn_err(x->d, root, "missing 'groups': list at least one group to watch, "
		    "or name a 'budget' plan");
}

/* An empty config with the built-in defaults. Caller frees with config_free. */
static struct config *
config_new(void)
{
	struct config *c = xcalloc(1, sizeof *c);
	conn_defaults(&c->defaults);
	c->retention.raw_ms = 6 * 3600 * 1000LL;
	c->retention.minute_ms = 30 * 86400 * 1000LL;
	c->retention.hour_ms = 2 * 365 * 86400 * 1000LL;
	return c;
}

/* Points every host at its group once the groups array no longer moves. */
static void
config_link_hosts(struct config *c)
{
	for (size_t i = 0; i < c->ngroups; i++)
		for (size_t j = 0; j < c->groups[i].nhosts; j++)
			c->groups[i].hosts[j].group = &c->groups[i];
}

static const struct yamltree_limits cfg_limits = {
	.max_depth = CONFIG_MAX_DEPTH,
	.max_string = CONFIG_MAX_STRING,
	.one_document = "a configuration is a single document",
	.errors = YAMLTREE_ERR_CONTEXT,
};

/*
 * Parses len bytes of text (see config.h). The tree is checked only when
 * libyaml read it to the end; the errors added to d are sorted by position.
 * Returns a config the caller frees with config_free(), or NULL when d got
 * at least one error.
 */
struct config *
config_parse(const char *name, const char *text, size_t len, struct diag *d)
{
	struct cfg x;
	size_t before = diag_count(d), first = d->n;
	int failed;

	if (name == NULL)
		name = "(config)";
	memset(&x, 0, sizeof x);
	x.name = name;
	x.d = d;
	x.home = getenv("HOME");
	if (len > CONFIG_MAX_BYTES) {
		diag_add(d, 0, 0, "configuration is larger than the limit of %d bytes",
		    CONFIG_MAX_BYTES);
		return NULL;
	}
	x.c = config_new();
	x.c->path = xstrdup(name);

	struct ynode *root = yamltree_parse(text, len, &cfg_limits, d, &failed);
	if (!failed)
		cfg_top(&x, root);
	yn_free(root);
	free(x.seen);
	yamltree_sort_diag(d, first);
	if (diag_count(d) != before) {
		config_free(x.c);
		return NULL;
	}
	config_link_hosts(x.c);
	return x.c;
}

/*
 * Reads path (at most CONFIG_MAX_BYTES) and parses it. A file that cannot be
 * read is one error without a position ("is a directory, not a file").
 */
struct config *
config_load(const char *path, struct diag *d)
{
	char *text, *cause;
	size_t len, plen = strlen(path);

	if (read_file(path, CONFIG_MAX_BYTES, &text, &len, &cause) != 0) {
		/* read_file says "PATH: why"; diag prints the path itself. */
		const char *msg = cause;
		if (strncmp(cause, path, plen) == 0 && cause[plen] == ':' &&
		    cause[plen + 1] == ' ')
			msg = cause + plen + 2;
		diag_add(d, 0, 0, "%s", msg);
		free(cause);
		return NULL;
	}
	struct config *c = config_parse(path, text, len, d);
	free(text);
	return c;
}

/* The built-in default (config.h). Caller frees with config_free(). */
struct config *
config_default(void)
{
	struct config *c = config_new();
	char host[HOSTNAME_MAX + 1];

	if (gethostname(host, sizeof host) != 0 || host[0] == '\0')
		od_strlcpy(host, "localhost", sizeof host);
	host[HOSTNAME_MAX] = '\0';

	c->groups = xcalloc(1, sizeof *c->groups);
	c->ngroups = 1;
	struct group *g = &c->groups[0];
	g->name = xstrdup("local");
	g->kind = GROUP_NODE;
	g->local = 1;
	static const char *const local_probes[] = { "linux", NULL };
	group_set_probes(g, local_probes);
	conn_copy(&g->conn, &c->defaults);
	g->hosts = xcalloc(1, sizeof *g->hosts);
	g->hosts[0].name = xstrdup(host);
	g->nhosts = 1;
	c->nhosts = 1;
	config_link_hosts(c);
	return c;
}

/* Frees c and everything it owns; NULL is fine. */
void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->ngroups; i++)
		group_free(&c->groups[i]);
	free(c->groups);
	conn_free(&c->defaults);
	for (size_t i = 0; i < c->nthresholds; i++)
		free(c->thresholds[i].metric);
	free(c->thresholds);
	free(c->path);
	free(c->cache);
	free(c->theme);
	free(c->budget);
	free(c);
}

/*
 * The configuration file to use (config.h): a malloc'd path the caller
 * frees, or NULL for the built-in default. Only stat()s the candidate.
 */
char *
config_find(const char *explicit_path)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	struct stat sb;
	char *p;

	if (explicit_path != NULL)
		return xstrdup(explicit_path);
	/* XDG: a relative XDG_CONFIG_HOME is invalid and ignored. */
	if (xdg != NULL && xdg[0] == '/')
		p = xasprintf("%s/opsdeck/config.yaml", xdg);
	else if (home != NULL && home[0] != '\0')
		p = xasprintf("%s/.config/opsdeck/config.yaml", home);
	else
		return NULL;
	if (stat(p, &sb) == 0)
		return p;
	free(p);
	return NULL;
}
