/*
 * config_thresholds.c: the `thresholds` map of opsdeck.yaml(5), checked for
 * meaning as well as form.
 *
 * A host metric path must be a row of the metric table (metrics.h), with a
 * did-you-mean over metric_paths(); a device path ("devices.KIND.METRIC",
 * "devices.METRIC") is named by the controllers and only its form is
 * checked. The keys of one threshold come from the key table
 * (CONFIG_AT_THRESHOLD). Warn and crit must be in the order of the metric's
 * direction (warn <= crit when higher is worse) unless `reverse: true`
 * turns the direction around; struct threshold's `lower` is set from the
 * direction and `reverse` (host metrics) or from `reverse` and the order
 * (device metrics, whose direction the config does not know).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "opsdeck/config.h"
#include "opsdeck/config_keys.h"
#include "opsdeck/config_priv.h"
#include "opsdeck/metrics.h"
#include "opsdeck/util.h"
#include "opsdeck/yamltree.h"

/*
 * How many parts "cpu.util_pct" or "load.0" has: words of [a-z0-9_] joined
 * by dots, the first starting with a letter, at most 64 bytes. 0 when s is
 * not of that form or has a single part.
 */
static int
metric_path_parts(const char *s)
{
	int parts = 0;
	size_t len = strlen(s);

	if (len == 0 || len > 64 || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (const char *p = s; *p != '\0'; p++) {
		const char *start = p;
		while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')
			p++;
		if (p == start)
			return 0;	/* an empty part: "a..b", ".a" */
		parts++;
		if (*p == '\0')
			break;
		if (*p != '.')
			return 0;
	}
	return parts >= 2 && s[len - 1] != '.' ? parts : 0;
}

/*
 * Whether key k (a scalar of valid form) names a metric a threshold may
 * watch; adds the error when it does not. *m is set to the host metric's row,
 * NULL for a device path. Returns 0 or -1.
 */
static int
cfg_threshold_metric(struct cfg *x, const struct ynode *k, int parts,
    const struct metric_def **m)
{
	const char *paths[METRIC_TABLE_MAX + 1];
	const char *sug;

	*m = NULL;
	if (metric_is_device_path(k->s)) {
		if (parts <= 3)
			return 0;
		yn_err(x->d, k, "'%s' is not a device metric path: devices.KIND.METRIC or "
		    "devices.METRIC", cfg_show(x, k));
		return -1;
	}
	if ((*m = metric_find(k->s)) != NULL)
		return 0;
	metric_paths(paths, OD_ARRAY_LEN(paths));
	if ((sug = yamltree_suggest(k->s, paths)) != NULL)
		yn_err(x->d, k, "unknown metric '%s'; did you mean '%s'?", cfg_show(x, k), sug);
	else
		yn_err(x->d, k, "unknown metric '%s'; 'opsdeck check-config --metrics' lists "
		    "them", cfg_show(x, k));
	return -1;
}

/*
 * Sets t->lower and checks that warn and crit are in the order of the
 * direction that results (see the top of this file); the error goes to key k.
 * m is the host metric's row, NULL for a device path. Returns 0 or -1.
 */
static int
cfg_threshold_order(struct cfg *x, const struct ynode *k, const struct metric_def *m,
    struct threshold *t)
{
	int both = t->has_warn && t->has_crit;

	if (m != NULL)
		t->lower = (m->dir == METRIC_LOWER_WORSE) != (t->reverse != 0);
	else
		t->lower = t->reverse || (both && t->warn > t->crit);
	if (!both || (t->lower ? t->warn >= t->crit : t->warn <= t->crit))
		return 0;
	if (!t->reverse)	/* a host metric: a device path sets lower from the order */
		yn_err(x->d, k, "%s is worse for %s: warn %g is %s crit %g; swap them or add "
		    "'reverse: true'", t->lower ? "lower" : "higher", k->s, t->warn,
		    t->lower ? "below" : "above", t->crit);
	else
		yn_err(x->d, k, "with 'reverse: true' %s is worse for %s: warn %g is %s crit "
		    "%g; swap them", t->lower ? "lower" : "higher", k->s, t->warn,
		    t->lower ? "below" : "above", t->crit);
	return -1;
}

/*
 * `thresholds`: metric path -> {warn, crit, reverse}, into x->c->thresholds
 * in file order (config_priv.h). Every error is reported: an unknown metric
 * does not stop the check of its value. A threshold is kept with errors in
 * its value (so that a later duplicate is named; the config is not returned
 * then) and left out when its path or value is not of the right form.
 */
void
cfg_thresholds(struct cfg *x, const struct ynode *v)
{
	struct config *c = x->c;

	if (!cfg_is_map(x, "thresholds", v, "metric paths to {warn, crit}"))
		return;
	for (size_t i = 0; i < v->nkids / 2; i++) {
		const struct ynode *k = v->kids[2 * i], *tv = v->kids[2 * i + 1];
		const struct metric_def *m = NULL;
		int parts, bad = 0;

		if (i == CONFIG_MAX_THRESHOLDS) {
			yn_err(x->d, k, "more than %d thresholds", CONFIG_MAX_THRESHOLDS);
			break;
		}
		if (k->type == YN_BAD)
			continue;
		if (k->type != YN_SCALAR || (parts = metric_path_parts(k->s)) == 0) {
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
		bad = cfg_threshold_metric(x, k, parts, &m) != 0;
		if (tv->type != YN_MAP) {
			if (tv->type != YN_BAD)
				yn_err(x->d, tv, "threshold '%s' must be a map with 'warn' and/or "
				    "'crit', not %s", k->s, yn_type_name(tv));
			continue;
		}
		struct threshold t;
		memset(&t, 0, sizeof t);
		char *where = xasprintf("in threshold '%s'", k->s);
		char *use = cfg_keys(x, tv, where, CONFIG_AT_THRESHOLD);
		free(where);
		int levels = 0, unknown = 0;
		for (size_t j = 0; j < tv->nkids / 2; j++) {
			if (!use[j]) {
				unknown = 1;
				continue;
			}
			const struct config_key *row = cfg_row(tv, j, CONFIG_AT_THRESHOLD);
			levels += row->id == CK_WARN || row->id == CK_CRIT;
			if (cfg_set(x, row, tv->kids[2 * j + 1], &t) != 0)
				bad = 1;
		}
		free(use);
		if (levels == 0 && !unknown) {
			yn_err(x->d, tv, "threshold '%s' needs 'warn' or 'crit'", k->s);
			bad = 1;
		}
		if (!bad && cfg_threshold_order(x, k, m, &t) != 0)
			bad = 1;
		t.metric = xstrdup(k->s);
		t.at.line = k->line;
		t.at.col = k->col;
		c->thresholds = xreallocarray(c->thresholds, c->nthresholds + 1,
		    sizeof *c->thresholds);
		c->thresholds[c->nthresholds++] = t;
	}
}
