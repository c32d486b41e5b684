/*
 * alert.c: the alert rules (alert.h): host state and host metric thresholds,
 * device states and device metric thresholds, and the diff that turns two
 * evaluations into raised, cleared and changed alerts. Pure.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/alert.h"
#include "opsdeck/metrics.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/util.h"

void
alert_set_init(struct alert_set *s)
{
	memset(s, 0, sizeof *s);
}

void
alert_set_free(struct alert_set *s)
{
	free(s->v);
	memset(s, 0, sizeof *s);
}

struct alert *
alert_set_add(struct alert_set *s, const struct alert *a)
{
	if (s->n >= s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xreallocarray(s->v, s->cap, sizeof *s->v);
	}
	s->v[s->n] = *a;
	return &s->v[s->n++];
}

const char *
alert_sev_name(enum alert_sev s)
{
	switch (s) {
	case ALERT_WARN:
		return "warn";
	case ALERT_CRIT:
		return "crit";
	default:
		return "none";
	}
}

int
threshold_lower(const struct threshold *t)
{
	return t->lower || (t->has_warn && t->has_crit && t->warn > t->crit);
}

/* See alert.h: upward unless lower is worse; NaN never fires. */
enum alert_sev
threshold_level(const struct threshold *t, double value, double *limit)
{
	int lower = threshold_lower(t);
	enum alert_sev sev = ALERT_NONE;
	double lim = NAN;

	if (isnan(value))
		goto out;
	if (lower) {
		if (value <= t->crit) {
			sev = ALERT_CRIT;
			lim = t->crit;
		} else if (value <= t->warn) {
			sev = ALERT_WARN;
			lim = t->warn;
		}
	} else {
		if (t->has_crit && value >= t->crit) {
			sev = ALERT_CRIT;
			lim = t->crit;
		} else if (t->has_warn && value >= t->warn) {
			sev = ALERT_WARN;
			lim = t->warn;
		}
	}
out:
	if (limit != NULL)
		*limit = lim;
	return sev;
}

/* A new alert with its key and a sanitised message from fmt. */
static void OD_PRINTF(6, 7)
emit(struct alert_set *out, enum alert_source src, const char *host, const char *device,
    const char *rule, const char *fmt, ...)
{
	struct alert a;
	char raw[ALERT_MESSAGE_MAX * 2];
	va_list ap;

	memset(&a, 0, sizeof a);
	od_strlcpy(a.host, host, sizeof a.host);
	od_strlcpy(a.device, device, sizeof a.device);
	od_strlcpy(a.rule, rule, sizeof a.rule);
	a.source = src;
	a.value = NAN;
	a.limit = NAN;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	sanitize_text(a.message, sizeof a.message, raw, strlen(raw));
	alert_set_add(out, &a);
}

/* "%g" without a locale's decimal comma, short. */
static void
fmt_num(char *buf, size_t len, double v)
{
	snprintf(buf, len, "%.4g", v);
	for (char *p = buf; *p; p++)
		if (*p == ',')
			*p = '.';
}

/* ---- host rules -------------------------------------------------------------- */

/*
 * One host threshold against every value its metric (metrics.h) has on h:
 * one alert per subject over the line ("" for the host, "gpu0", a sensor).
 */
static void
host_threshold(const struct host_status *h, const struct threshold *t,
    struct metric_value *vals, struct alert_set *out)
{
	const struct metric_def *m = metric_find(t->metric);
	if (m == NULL)
		return;
	size_t n = m->values(m, h, vals, METRIC_MAX_VALUES);
	for (size_t i = 0; i < n; i++) {
		double limit;
		enum alert_sev sev = threshold_level(t, vals[i].value, &limit);
		if (sev == ALERT_NONE)
			continue;
		char v[32], l[32];
		fmt_num(v, sizeof v, vals[i].value);
		fmt_num(l, sizeof l, limit);
		const char *subj = vals[i].subject;
		emit(out, ALERT_SRC_HOST, h->name, subj, t->metric, "%s%s%s %s %s %s %s",
		    h->name, subj[0] ? " " : "", subj, vals[i].path, v,
		    threshold_lower(t) ? "<=" : ">=", l);
		struct alert *a = &out->v[out->n - 1];
		a->sev = sev;
		a->value = vals[i].value;
		a->limit = limit;
	}
}

/*
 * See alert.h. The state rule, then, for a host that is up, every threshold
 * that names a metric of metrics.h.
 */
void
alert_eval_host(const struct host_status *h, const struct threshold *th, size_t nth,
    struct alert_set *out)
{
	enum alert_sev sev = ALERT_CRIT;

	if (h->state == HOST_UP || h->state == HOST_CONNECTING)
		sev = ALERT_NONE;
	else if (h->state == HOST_STALE)
		sev = ALERT_WARN;
	if (sev != ALERT_NONE) {
		emit(out, ALERT_SRC_HOST, h->name, "", "host.state", "%s is %s%s%s", h->name,
		    host_state_name(h->state), h->error[0] ? ": " : "", h->error);
		out->v[out->n - 1].sev = sev;
	}
	if (h->state != HOST_UP || nth == 0)
		return;
	/* not zeroed: a reader fills what it returns (87 KB per up host and tick) */
	struct metric_value *vals = xreallocarray(NULL, METRIC_MAX_VALUES, sizeof *vals);
	for (size_t i = 0; i < nth; i++)
		if (th[i].metric != NULL && !metric_is_device_path(th[i].metric))
			host_threshold(h, &th[i], vals, out);
	free(vals);
}

/* ---- device rules ------------------------------------------------------------ */

/*
 * Whether the path part p[0..n) names `name`: config paths are lower case
 * with '_' (opsdeck.yaml(5)), kinds and metric names may have upper case
 * and '-', so "ess_monitor" names the kind "ess-monitor" and "ESS-Monitor".
 */
static int
part_names(const char *p, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n && name[i] != '\0'; i++) {
		char c = name[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (c == '-')
			c = '_';
		if (c != p[i])
			return 0;
	}
	return i == n && name[i] == '\0';
}

/* See alert.h. The kind-specific path wins whatever the order in th. */
const struct threshold *
alert_device_threshold(const struct threshold *th, size_t nth, const char *kind,
    const char *metric)
{
	const struct threshold *generic = NULL;

	for (size_t i = 0; i < nth; i++) {
		const char *p = th[i].metric;
		if (p == NULL || strncmp(p, "devices.", 8) != 0)
			continue;
		p += 8;
		const char *dot = strchr(p, '.');
		if (dot != NULL) {
			if (strchr(dot + 1, '.') == NULL && part_names(p, (size_t)(dot - p), kind) &&
			    part_names(dot + 1, strlen(dot + 1), metric))
				return &th[i];
		} else if (generic == NULL && part_names(p, strlen(p), metric))
			generic = &th[i];
	}
	return generic;
}

/*
 * See alert.h. One device.state alert per device in fault, offline or stale
 * (unknown: as last reported), one per metric over its threshold.
 */
void
alert_eval_devices(const char *host, const struct device *v, size_t n,
    const struct threshold *th, size_t nth, struct alert_set *out)
{
	for (size_t i = 0; i < n; i++) {
		const struct device *d = &v[i];
		/* an unreachable controller's device keeps its last reported alerts */
		enum device_state st = d->state == DEVICE_UNKNOWN ? d->reported : d->state;
		enum alert_sev sev = ALERT_NONE;

		if (st == DEVICE_FAULT)
			sev = ALERT_CRIT;
		else if (st == DEVICE_OFFLINE || st == DEVICE_STALE)
			sev = ALERT_WARN;
		if (sev != ALERT_NONE) {
			emit(out, ALERT_SRC_DEVICE, host, d->id, "device.state", "%s (%s) %s%s%s",
			    d->name, d->id, device_state_name(st), d->message[0] ? ": " : "",
			    d->message);
			out->v[out->n - 1].sev = sev;
		}
		for (int k = 0; nth > 0 && k < d->nmetrics; k++) {
			const struct device_metric *m = &d->metrics[k];
			const struct threshold *t = alert_device_threshold(th, nth, d->kind, m->name);
			double limit;
			if (t == NULL)
				continue;
			sev = threshold_level(t, m->value, &limit);
			if (sev == ALERT_NONE)
				continue;
			char vs[32], ls[32];
			fmt_num(vs, sizeof vs, m->value);
			fmt_num(ls, sizeof ls, limit);
			emit(out, ALERT_SRC_DEVICE, host, d->id, t->metric, "%s (%s) %s %s%s%s %s %s",
			    d->name, d->id, m->name, vs, m->unit[0] ? " " : "", m->unit,
			    threshold_lower(t) ? "<=" : ">=", ls);
			struct alert *a = &out->v[out->n - 1];
			a->sev = sev;
			a->value = m->value;
			a->limit = limit;
		}
	}
}

/* ---- diff ------------------------------------------------------------------------ */

static int
key_cmp(const struct alert *a, const struct alert *b)
{
	int c = strcmp(a->host, b->host);
	if (c == 0)
		c = strcmp(a->device, b->device);
	if (c == 0)
		c = strcmp(a->rule, b->rule);
	return c;
}

static int
cmp_alertp(const void *x, const void *y)
{
	return key_cmp(*(const struct alert *const *)x, *(const struct alert *const *)y);
}

static const struct alert **
sorted(const struct alert *v, size_t n)
{
	const struct alert **p = xreallocarray(NULL, n ? n : 1, sizeof *p);
	for (size_t i = 0; i < n; i++)
		p[i] = &v[i];
	qsort(p, n, sizeof *p, cmp_alertp);
	return p;
}

/* See alert.h. A merge of both sets sorted by key. */
void
alert_diff(const struct alert *prev, size_t nprev, const struct alert *cur, size_t ncur,
    struct alert_set *raised, struct alert_set *cleared, struct alert_set *changed)
{
	const struct alert **p = sorted(prev, nprev), **c = sorted(cur, ncur);
	size_t i = 0, j = 0;

	while (i < nprev || j < ncur) {
		int k = i >= nprev ? 1 : j >= ncur ? -1 : key_cmp(p[i], c[j]);
		if (k < 0) {
			if (cleared != NULL)
				alert_set_add(cleared, p[i]);
			i++;
		} else if (k > 0) {
			/* a repeated key in one evaluation counts once */
			if (raised != NULL && (j == 0 || key_cmp(c[j - 1], c[j]) != 0))
				alert_set_add(raised, c[j]);
			j++;
		} else {
			if (changed != NULL && (p[i]->sev != c[j]->sev ||
			    strcmp(p[i]->message, c[j]->message) != 0)) {
				struct alert *a = alert_set_add(changed, c[j]);
				a->id = p[i]->id;
				a->raised_ms = p[i]->raised_ms;
			}
			i++;
			j++;
			while (j < ncur && key_cmp(c[j - 1], c[j]) == 0)
				j++;
		}
	}
	free(p);
	free(c);
}
