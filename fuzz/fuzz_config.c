/*
 * fuzz_config.c: config_parse on arbitrary bytes. It either returns a config
 * that keeps the documented invariants (no errors; at least one group unless
 * a budget plan is named, since `budget:` alone is a valid file; groups and
 * thresholds within their limits; hosts within limits and valid, groups
 * named, probes NULL-terminated, durations at least 100ms) or NULL with at
 * least one error, each with a message and a sane position.
 * Thresholds name a metric of the table or a device path, and a host
 * metric's warn and crit are in the order of its direction (`lower`).
 * The seeds include every documented valid file (examples/config.yaml,
 * which is opsdeck.yaml(5)'s EXAMPLE, and a budget-only file).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/config.h"
#include "opsdeck/hostlist.h"
#include "opsdeck/metrics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_config(const struct config *c)
{
	size_t total = 0;

	if ((c->ngroups == 0 && c->budget == NULL) || c->ngroups > CONFIG_MAX_GROUPS ||
	    c->nhosts > CONFIG_MAX_HOSTS || c->nthresholds > CONFIG_MAX_THRESHOLDS)
		abort();
	if (c->budget != NULL && c->budget[0] == '\0')
		abort();
	for (size_t i = 0; i < c->ngroups; i++) {
		const struct group *g = &c->groups[i];
		if (g->name == NULL || g->name[0] == '\0' || strlen(g->name) > CONFIG_NAME_MAX)
			abort();
		if (g->probes == NULL || g->probes[g->nprobes] != NULL)
			abort();
		if (g->conn.interval_ms < CONFIG_MIN_INTERVAL_MS ||
		    g->conn.timeout_ms < CONFIG_MIN_INTERVAL_MS ||
		    g->conn.port < 1 || g->conn.port > 65535)
			abort();
		for (size_t j = 0; j < g->nhosts; j++) {
			const struct host *h = &g->hosts[j];
			size_t len = strlen(h->name);
			if (len == 0 || len > HOSTNAME_MAX || h->group != g || h->line < 1)
				abort();
		}
		total += g->nhosts;
	}
	if (total != c->nhosts)
		abort();
	for (size_t i = 0; i < c->nthresholds; i++) {
		const struct threshold *t = &c->thresholds[i];
		const struct metric_def *m = metric_find(t->metric);
		if (m == NULL && !metric_is_device_path(t->metric))
			abort();
		if (!t->has_warn && !t->has_crit)
			abort();
		if (m != NULL && t->lower != ((m->dir == METRIC_LOWER_WORSE) != t->reverse))
			abort();
		if (t->has_warn && t->has_crit &&
		    (t->lower ? t->warn < t->crit : t->warn > t->crit))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d;

	diag_init(&d, "fuzz.yaml");
	struct config *c = config_parse("fuzz.yaml", (const char *)data, size, &d);
	if (c != NULL) {
		if (diag_count(&d) != 0)
			abort();
		check_config(c);
		config_free(c);
	} else {
		if (diag_count(&d) == 0)
			abort();
		for (size_t i = 0; i < d.n; i++)
			if (d.v[i].msg == NULL || d.v[i].line < 0 || d.v[i].col < 0)
				abort();
	}
	diag_free(&d);
	return 0;
}
