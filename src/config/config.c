/*
 * config.c: the YAML configuration (man/opsdeck.yaml.5) to struct config.
 *
 * Two steps. yamltree_parse() (yamltree.h) builds a small node tree with
 * 1-based positions, refusing what the format does not need and what can
 * hurt: anchors and aliases, nesting deeper than CONFIG_MAX_DEPTH, scalars
 * longer than CONFIG_MAX_STRING, more than one document. Then the cfg_*
 * walkers check the tree against the key table (config_keys.h): each map's
 * keys against the names of its place, each value by its row (cfg_set in
 * config_value.c) or, for lists and sections, by the walker of its place.
 * Every problem goes to the struct diag instead of stopping at the first.
 * The thresholds and their metric checks are in config_thresholds.c, the
 * items of `hosts` (ranges, maps of host and address) in config_hosts.c.
 *
 * config_parse() does no I/O; it reads $HOME only to expand a leading "~/".
 * config_check_files() (config_check.c) is the part of check-config that
 * looks at the files a config names.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opsdeck/budget.h"
#include "opsdeck/config.h"
#include "opsdeck/config_keys.h"
#include "opsdeck/config_priv.h"
#include "opsdeck/hostlist.h"	/* HOSTNAME_MAX */
#include "opsdeck/probe.h"
#include "opsdeck/util.h"
#include "opsdeck/yamltree.h"

/* ---- schema ----------------------------------------------------------- */

#define CONFIG_MAX_PROBES	32	/* rows of probe_table a message lists */

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
	return (unsigned)k <= GROUP_PROMETHEUS ? config_kind_names[k] : "?";
}

const char *
hostkey_policy_name(enum hostkey_policy p)
{
	return (unsigned)p <= HOSTKEY_ACCEPT_NEW ? config_policy_names[p] : "?";
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
	cs->jump_channels = 128;	/* SSH_JUMP_CHANNELS */
	cs->backoff_max_ms = CONFIG_BACKOFF_MAX_MS;
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


/* `defaults`: connection settings into x->c->defaults, each by its table row. */
static void
cfg_defaults(struct cfg *x, const struct ynode *v)
{
	if (!cfg_is_map(x, "defaults", v, "connection settings"))
		return;
	char *use = cfg_keys(x, v, "in defaults", CONFIG_AT_DEFAULTS);
	for (size_t i = 0; i < v->nkids / 2; i++)
		if (use[i])
			cfg_set(x, cfg_row(v, i, CONFIG_AT_DEFAULTS), v->kids[2 * i + 1],
			    &x->c->defaults);
	free(use);
}

/*
 * Appends probe name v to g after checking it is a probe of probe_table
 * (probe.h: a new probe is a row there, nothing here) not listed yet.
 */
static void
cfg_add_probe(struct cfg *x, struct group *g, const struct ynode *v)
{
	const char *names[CONFIG_MAX_PROBES + 1];
	size_t n = 0;

	if (v->type == YN_BAD)
		return;
	if (v->type != YN_SCALAR || yn_is_null(v)) {
		yn_err(x->d, v, "'probes' must be a list of probe names");
		return;
	}
	if (probe_find(v->s) == NULL) {
		for (; probe_table[n] != NULL && n < CONFIG_MAX_PROBES; n++)
			names[n] = probe_table[n]->name;
		names[n] = NULL;
		const char *sug = yamltree_suggest(v->s, names);
		if (sug != NULL)
			yn_err(x->d, v, "unknown probe '%s'; did you mean '%s'?",
			    cfg_show(x, v), sug);
		else
			yn_err(x->d, v, "unknown probe '%s'; the probes are %s", cfg_show(x, v),
			    cfg_join(x, names, " and "));
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
	free(g->url);
	free(g->selector);
	free(g->scheduler);
	conn_free(&g->conn);
	for (size_t i = 0; i < g->nhosts; i++) {
		free(g->hosts[i].name);
		free(g->hosts[i].address);
	}
	free(g->hosts);
}

/*
 * A group of kind prometheus: a `url` (http or https, no blanks) and an
 * optional `selector` of the form {label matchers}; no hosts (one host per
 * instance the server knows) and no probes (the server's exporters are them).
 */
static void
cfg_prometheus_group(struct cfg *x, struct group *g, const struct ynode *gm,
    const struct ynode *hostsv, const struct ynode *probesv)
{
	const struct ynode *urlv = yn_get(gm, "url"), *selv = yn_get(gm, "selector");

	if (hostsv != NULL)
		yn_err(x->d, hostsv, "a group of kind prometheus has no 'hosts': it shows one "
		    "host per instance its server watches");
	if (probesv != NULL)
		yn_err(x->d, probesv, "a group of kind prometheus has no 'probes'");
	if (urlv == NULL) {
		yn_err(x->d, gm, "a group of kind prometheus needs a 'url' "
		    "(e.g. http://127.0.0.1:9090)");
	} else if (g->url != NULL && ((strncmp(g->url, "http://", 7) != 0 &&
	    strncmp(g->url, "https://", 8) != 0) || strpbrk(g->url, " \t\"'<>") != NULL ||
	    strlen(g->url) > 1024)) {
		yn_err(x->d, urlv, "'url' must be an http:// or https:// URL, not '%s'",
		    cfg_show(x, urlv));
	}
	if (selv != NULL && g->selector != NULL) {
		size_t n = strlen(g->selector);
		if (n < 2 || g->selector[0] != '{' || g->selector[n - 1] != '}' ||
		    strchr(g->selector + 1, '{') != NULL || n > 1024)
			yn_err(x->d, selv, "'selector' must be label matchers in braces, "
			    "e.g. '{job=\"node\"}', not '%s'", cfg_show(x, selv));
	}
	g->local = 0;
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

	char *use = cfg_keys(x, gm, "in group", CONFIG_AT_GROUP);
	for (size_t i = 0; i < gm->nkids / 2; i++) {
		if (!use[i])
			continue;
		const struct config_key *k = cfg_row(gm, i, CONFIG_AT_GROUP);
		const struct ynode *v = gm->kids[2 * i + 1];
		switch (k->id) {
		case CK_NAME:
			namev = v;
			if (cfg_string(x, k->name, v, &g.name) == 0 &&
			    strlen(g.name) > CONFIG_NAME_MAX) {
				yn_err(x->d, v, "group name longer than %d bytes",
				    CONFIG_NAME_MAX);
				free(g.name);
				g.name = NULL;
			}
			break;
		case CK_HOSTS:
			hostsv = v;
			break;
		case CK_PROBES:
			probesv = v;
			break;
		default:
			if (k->id == CK_COMMAND)
				commandv = v;
			/* a connection setting or a field of the group */
			cfg_set(x, k, v, (k->places & CONFIG_AT_DEFAULTS) ? (void *)&g.conn :
			    (void *)&g);
			break;
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
	if (g.kind == GROUP_PROMETHEUS) {
		cfg_prometheus_group(x, &g, gm, hostsv, probesv);
		hostsv = probesv = NULL;
	} else if (g.url != NULL || g.selector != NULL) {
		yn_err(x->d, gm, "'url' and 'selector' are only for groups of kind prometheus");
	} else if (hostsv == NULL) {
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
	else if (g.kind != GROUP_PROMETHEUS)
		group_set_probes(&g, group_default_probes(g.kind));
	if (g.probes == NULL)
		g.probes = xcalloc(1, sizeof *g.probes);
	for (size_t i = 0; i < g.nprobes; i++)
		if (strcmp(g.probes[i], "slurm") == 0 &&
		    g.conn.interval_ms > SLURM_MAX_INTERVAL_MS)
			yn_err(x->d, gm, "the slurm probe looks back %d minutes after its first "
			    "run: an interval of at most %lld minutes, please",
			    SLURM_WINDOW_NEXT_S / 60, (long long)(SLURM_MAX_INTERVAL_MS / 60000));
	if (commandv != NULL && g.kind != GROUP_TESTBED)
		yn_err(x->d, commandv, "'command' is only for groups of kind testbed");

	c->groups = xreallocarray(c->groups, c->ngroups + 1, sizeof *c->groups);
	*name_at = xreallocarray(*name_at, c->ngroups + 1, sizeof **name_at);
	(*name_at)[c->ngroups] = namev;
	c->groups[c->ngroups++] = g;
}

/* See config.h. */
const struct group *
config_scheduler_of(const struct config *c, const struct group *g)
{
	const struct group *only = NULL;
	size_t n = 0;

	for (size_t i = 0; i < c->ngroups; i++) {
		const struct group *s = &c->groups[i];
		if (s->kind != GROUP_SCHEDULER)
			continue;
		if (g->scheduler != NULL && s->name != NULL && strcmp(s->name, g->scheduler) == 0)
			return s;
		only = s;
		n++;
	}
	return g->scheduler == NULL && n == 1 ? only : NULL;
}

/* Every group's `scheduler` names a group of kind scheduler (after all groups). */
static void
cfg_schedulers(struct cfg *x)
{
	struct config *c = x->c;

	for (size_t i = 0; i < c->ngroups; i++) {
		const struct group *g = &c->groups[i];
		if (g->scheduler == NULL)
			continue;
		if (g->kind == GROUP_SCHEDULER || g->kind == GROUP_PROMETHEUS) {
			diag_add(x->d, g->scheduler_at.line, g->scheduler_at.col, "'scheduler' is "
			    "for groups of compute nodes, not of kind %s", group_kind_name(g->kind));
			continue;
		}
		if (config_scheduler_of(c, g) == NULL)
			diag_add(x->d, g->scheduler_at.line, g->scheduler_at.col, "no group of kind "
			    "scheduler is named '%s'", cfg_show_bytes(x, g->scheduler,
			    strlen(g->scheduler)));
	}
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


/* `retention`: raw, minute and hour (durations of at least 1m, by their rows). */
static void
cfg_retention(struct cfg *x, const struct ynode *v)
{
	struct retention *r = &x->c->retention;

	if (!cfg_is_map(x, "retention", v, "durations"))
		return;
	char *use = cfg_keys(x, v, "in retention", CONFIG_AT_RETENTION);
	for (size_t i = 0; i < v->nkids / 2; i++)
		if (use[i])
			cfg_set(x, cfg_row(v, i, CONFIG_AT_RETENTION), v->kids[2 * i + 1], r);
	free(use);
}

/*
 * notify: a list of words, the program then its arguments, as argv (no
 * shell reads it); the program is an absolute path or a name looked up in
 * $PATH, "~/" expanded. One word may be written as a scalar.
 */
static void
cfg_notify(struct cfg *x, const struct ynode *v)
{
	const struct ynode *one[1] = { v }, *const *w = one;
	size_t n = 1;

	if (v->type == YN_BAD)
		return;
	if (v->type == YN_SEQ) {
		w = (const struct ynode *const *)v->kids;
		n = v->nkids;
	} else if (v->type != YN_SCALAR) {
		yn_err(x->d, v, "'notify' must be a list: the program, then its arguments");
		return;
	}
	if (n == 0 || n > CONFIG_NOTIFY_MAX_ARGS) {
		yn_err(x->d, v, "'notify' needs a program and at most %d words",
		    CONFIG_NOTIFY_MAX_ARGS - 1);
		return;
	}
	char **argv = xcalloc(n + 1, sizeof *argv);
	int ok = 1;
	for (size_t i = 0; i < n; i++) {
		if (w[i]->type != YN_SCALAR) {
			yn_err(x->d, w[i], "'notify' words are strings, not %s",
			    yn_type_name(w[i]));
			ok = 0;
		} else if ((i == 0 ? cfg_path(x, "notify", w[i], &argv[i]) :
		    cfg_string(x, "notify", w[i], &argv[i])) != 0) {
			ok = 0;
		}
	}
	if (ok && strchr(argv[0], '/') == NULL && strpbrk(argv[0], " \t") != NULL) {
		yn_err(x->d, w[0], "'notify' is a list [program, argument, ...], not a shell "
		    "line: '%s'", cfg_show(x, w[0]));
		ok = 0;
	} else if (ok && strchr(argv[0], '/') != NULL && argv[0][0] != '/') {
		yn_err(x->d, w[0], "the notify program is an absolute path or a name in $PATH, "
		    "not '%s'", cfg_show(x, w[0]));
		ok = 0;
	}
	if (!ok) {
		for (size_t i = 0; i < n; i++)
			free(argv[i]);
		free(argv);
		return;
	}
	x->c->notify = argv;
	x->c->notify_at.line = v->line;
	x->c->notify_at.col = v->col;
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
	char *use = cfg_keys(x, root, "at top level", CONFIG_AT_TOP);
	/* defaults first: groups inherit them wherever they are written. */
	for (size_t i = 0; i < root->nkids / 2; i++)
		if (use[i] && cfg_row(root, i, CONFIG_AT_TOP)->id == CK_DEFAULTS)
			cfg_defaults(x, root->kids[2 * i + 1]);
	for (size_t i = 0; i < root->nkids / 2; i++) {
		if (!use[i])
			continue;
		const struct config_key *k = cfg_row(root, i, CONFIG_AT_TOP);
		v = root->kids[2 * i + 1];
		switch (k->id) {
		case CK_DEFAULTS:
			break;
		case CK_GROUPS:
			cfg_groups(x, v);
			break;
		case CK_THRESHOLDS:
			cfg_thresholds(x, v);
			break;
		case CK_RETENTION:
			cfg_retention(x, v);
			break;
		case CK_NOTIFY:
			cfg_notify(x, v);
			break;
		case CK_SHARD: {
			char *s = NULL, *cause = NULL;
			if (cfg_string(x, k->name, v, &s) == 0 &&
			    shard_parse(s, &x->c->shard_k, &x->c->shard_n, &cause) != 0) {
				yn_err(x->d, v, "%s", cause);
				free(cause);
			} else if (s != NULL) {
				x->c->shard_at.line = v->line;
				x->c->shard_at.col = v->col;
			}
			free(s);
			break;
		}
		default:
			cfg_set(x, k, v, x->c);
			break;
		}
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
	c->connect_window = CONFIG_CONNECT_WINDOW;
	c->notify_rate = CONFIG_NOTIFY_RATE;
	c->notify_timeout_ms = CONFIG_NOTIFY_TIMEOUT_MS;
	c->action_timeout_ms = CONFIG_ACTION_TIMEOUT_MS;
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
	if (!failed)
		cfg_schedulers(&x);
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
	free(c->listen);
	free(c->theme);
	free(c->budget);
	for (size_t i = 0; c->notify != NULL && c->notify[i] != NULL; i++)
		free(c->notify[i]);
	free(c->notify);
	free(c->notify_log);
	free(c);
}

/*
 * The configuration file to use (config.h): a malloc'd path the caller
 * frees, or NULL for the built-in default. Only stat()s the candidate.
 */
char *
config_find(const char *explicit_path)
{
	struct stat sb;
	char *p;

	if (explicit_path != NULL)
		return xstrdup(explicit_path);
	p = xdg_path(XDG_CONFIG, "config.yaml");
	if (stat(p, &sb) == 0)
		return p;
	free(p);
	return NULL;
}
