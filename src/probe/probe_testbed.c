/*
 * probe_testbed.c: the `testbed` probe, a controller's report in the contract
 * of man/opsdeck-testbed.5:
 *
 *   schema: 1
 *   controller: ctl-energy-01
 *   sector: energy
 *   site: 광주 에너지 실증센터
 *   devices:
 *     - id: ess-01
 *       name: ESS 모니터 1호기
 *       kind: ess-monitor
 *       state: degraded
 *       since: 2026-11-26T09:15:00+09:00
 *       message: cell 12 voltage deviation 41 mV
 *       firmware: 3.2.1
 *       calibrated: 2026-03-02
 *       metrics:
 *         soc_pct: {value: 71.5, unit: "%"}
 *
 * Parsed over libyaml's event API (never the document API): depth is
 * counted and capped at TESTBED_MAX_DEPTH before libyaml can go quadratic,
 * aliases are refused, every length and count has a limit, and every string
 * is sanitised before it is kept. Unknown keys are skipped. Errors name the
 * 1-based line and column.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "opsdeck/probe.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/testbed.h"
#include "opsdeck/util.h"

#define QUOTE_MAX	40

/* Parser state: libyaml's parser, the current event, depth and the error. */
struct tp {
	yaml_parser_t	 p;
	yaml_event_t	 ev;
	int		 have;		/* ev holds an event to delete */
	int		 depth;
	char		*cause;		/* first error, malloc'd */
};

/* Sets the error (the first one wins) at a 0-based libyaml mark. */
static int OD_PRINTF(3, 4)
tp_fail(struct tp *t, const yaml_mark_t *m, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (t->cause != NULL)
		return -1;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	t->cause = xasprintf("line %zu, column %zu: %s", m->line + 1, m->column + 1, msg);
	free(msg);
	return -1;
}

/*
 * Replaces the current event with the next one. Returns 0, or -1 with the
 * error set for a libyaml error, an alias, or nesting past TESTBED_MAX_DEPTH.
 */
static int
tp_next(struct tp *t)
{
	if (t->have)
		yaml_event_delete(&t->ev);
	t->have = 0;
	if (!yaml_parser_parse(&t->p, &t->ev)) {
		const char *what = t->p.problem != NULL ? t->p.problem : "malformed YAML";
		if (t->p.context != NULL)
			return tp_fail(t, &t->p.problem_mark, "%s %s", what, t->p.context);
		return tp_fail(t, &t->p.problem_mark, "%s", what);
	}
	t->have = 1;
	switch (t->ev.type) {
	case YAML_ALIAS_EVENT:
		return tp_fail(t, &t->ev.start_mark, "aliases (*name) are not allowed in a report");
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (++t->depth > TESTBED_MAX_DEPTH)
			return tp_fail(t, &t->ev.start_mark, "nested deeper than %d levels",
			    TESTBED_MAX_DEPTH);
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		t->depth--;
		break;
	default:
		break;
	}
	return 0;
}

/* Skips the node whose first event is current (a scalar, or a whole collection). */
static int
tp_skip(struct tp *t)
{
	if (t->ev.type != YAML_SEQUENCE_START_EVENT && t->ev.type != YAML_MAPPING_START_EVENT)
		return 0;
	int base = t->depth - 1;
	while (t->depth > base)
		if (tp_next(t) != 0)
			return -1;
	return 0;
}

static const char *
node_kind(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return "text";
	case YAML_SEQUENCE_START_EVENT:
		return "a list";
	case YAML_MAPPING_START_EVENT:
		return "a map";
	default:
		return "nothing";
	}
}

/* The current scalar's bytes. */
static const char *
sv(const struct tp *t, size_t *n)
{
	*n = t->ev.data.scalar.length;
	return (const char *)t->ev.data.scalar.value;
}

static int
is_plain(const struct tp *t)
{
	return t->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* A plain empty, "~", "null", "Null" or "NULL" scalar. */
static int
is_null(const struct tp *t)
{
	size_t n;
	const char *s = sv(t, &n);

	if (!is_plain(t))
		return 0;
	return n == 0 || (n == 1 && s[0] == '~') ||
	    (n == 4 && (memcmp(s, "null", 4) == 0 || memcmp(s, "Null", 4) == 0 ||
	    memcmp(s, "NULL", 4) == 0));
}

/*
 * Requires the current event to be a scalar of at most max bytes for key;
 * null reads as "". Returns 0 with *s, *n, or -1.
 */
static int
want_scalar(struct tp *t, const char *key, size_t max, const char **s, size_t *n)
{
	if (t->ev.type != YAML_SCALAR_EVENT)
		return tp_fail(t, &t->ev.start_mark, "'%s' must be text, not %s", key,
		    node_kind(&t->ev));
	if (is_null(t)) {
		*s = "";
		*n = 0;
		return 0;
	}
	*s = sv(t, n);
	if (*n > max)
		return tp_fail(t, &t->ev.start_mark, "'%s' is %zu bytes long; the limit is %zu",
		    key, *n, max);
	return 0;
}

/* A sanitised copy of the current scalar into a fixed field of size max+1. */
static int
get_text(struct tp *t, const char *key, char *dst, size_t max)
{
	const char *s;
	size_t n;

	if (want_scalar(t, key, max, &s, &n) != 0)
		return -1;
	sanitize_text(dst, max + 1, s, n);
	return 0;
}

/* A sanitised malloc'd copy of the current scalar (at most max bytes). */
static int
get_dup(struct tp *t, const char *key, char **dst, size_t max)
{
	const char *s;
	size_t n;

	if (want_scalar(t, key, max, &s, &n) != 0)
		return -1;
	free(*dst);
	*dst = sanitize_dup(s, n, max);
	return 0;
}

/*
 * An identifier: non-empty, at most max bytes of `allowed` characters
 * ("id": printable ASCII without blanks; "word": letters, digits, '_', '-').
 */
static int
get_ident(struct tp *t, const char *key, char *dst, size_t max, int word)
{
	const char *s;
	size_t n;
	char q[QUOTE_MAX];

	if (want_scalar(t, key, max, &s, &n) != 0)
		return -1;
	if (n == 0)
		return tp_fail(t, &t->ev.start_mark, "'%s' is empty", key);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int ok = word ? (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-' : c > 0x20 && c < 0x7f;
		if (!ok)
			return tp_fail(t, &t->ev.start_mark, "'%s' \"%s\" may only contain %s",
			    key, probe_quote(q, sizeof q, s, n),
			    word ? "letters, digits, '_' and '-'" :
			    "printable ASCII characters without blanks");
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

/* ---- numbers and times --------------------------------------------------- */

/* Decimal digits s[0..n) into *v (saturating far above any use). */
static int
digits(const char *s, size_t n, int64_t *v)
{
	int64_t x = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (x < INT64_MAX / 20)
			x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 0;
}

/*
 * A YAML number without locale: [-+]digits[.digits][(e|E)[-+]digits], also
 * ".5" forms and YAML 1.1's "1_000" is not accepted. 0 or -1; never inf/NaN.
 */
static int
parse_number(const char *s, size_t n, double *out)
{
	size_t e = n;
	double m;

	for (size_t i = 0; i < n; i++)
		if (s[i] == 'e' || s[i] == 'E') {
			e = i;
			break;
		}
	if (probe_parse_double(s, e, &m) != 0)
		return -1;
	if (e < n) {
		const char *x = s + e + 1;
		size_t xn = n - e - 1;
		int neg = 0;
		int64_t ex;
		if (xn > 0 && (*x == '-' || *x == '+')) {
			neg = *x == '-';
			x++;
			xn--;
		}
		if (digits(x, xn, &ex) != 0)
			return -1;
		if (ex > 400)
			ex = 400;
		m *= pow(10.0, neg ? -(double)ex : (double)ex);
	}
	if (!isfinite(m))
		return -1;
	*out = m;
	return 0;
}

/* ---- the report ---------------------------------------------------------- */

static const char *const reported_states[] = {
	[DEVICE_OK] = "ok", [DEVICE_DEGRADED] = "degraded", [DEVICE_FAULT] = "fault",
	[DEVICE_OFFLINE] = "offline", [DEVICE_MAINTENANCE] = "maintenance",
};

/*
 * The next key of the map being read, for a map whose keys are `keys`
 * (NULL-terminated, at most 32). Returns 1 with *bit set to the key's bit (0
 * for a key not in the list) and the key's value event current; 0 at the end
 * of the map; -1 on an error (a key that is not text, or one seen before;
 * *seen collects the bits).
 */
static int
tp_map_key(struct tp *t, const char *const *keys, unsigned *seen, unsigned *bit)
{
	if (tp_next(t) != 0)
		return -1;
	if (t->ev.type == YAML_MAPPING_END_EVENT)
		return 0;
	if (t->ev.type != YAML_SCALAR_EVENT)
		return tp_fail(t, &t->ev.start_mark, "a key must be text, not %s",
		    node_kind(&t->ev));
	size_t kn;
	const char *k = sv(t, &kn);
	*bit = 0;
	for (size_t i = 0; keys[i] != NULL; i++)
		if (probe_tok_eq(k, kn, keys[i]))
			*bit = 1u << i;
	if (*bit & *seen)
		return tp_fail(t, &t->ev.start_mark, "key '%s' appears twice",
		    keys[__builtin_ctz(*bit)]);
	*seen |= *bit;
	if (tp_next(t) != 0)
		return -1;
	return 1;
}

/* One metric's value map: {value: NUMBER|null, unit: TEXT}. Current: MAPPING_START. */
static int
parse_metric(struct tp *t, struct device_metric *m)
{
	int have_value = 0;
	yaml_mark_t start = t->ev.start_mark;

	for (;;) {
		if (tp_next(t) != 0)
			return -1;
		if (t->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (t->ev.type != YAML_SCALAR_EVENT)
			return tp_fail(t, &t->ev.start_mark, "a key must be text, not %s",
			    node_kind(&t->ev));
		size_t kn;
		const char *k = sv(t, &kn);
		int is_value = probe_tok_eq(k, kn, "value");
		int is_unit = probe_tok_eq(k, kn, "unit");
		if (tp_next(t) != 0)
			return -1;
		if (is_value) {
			const char *s;
			size_t n;
			char q[QUOTE_MAX];
			if (want_scalar(t, "value", 64, &s, &n) != 0)
				return -1;
			if (is_null(t))
				m->value = NAN;
			else if (parse_number(s, n, &m->value) != 0)
				return tp_fail(t, &t->ev.start_mark,
				    "metric '%s': value \"%s\" is not a number", m->name,
				    probe_quote(q, sizeof q, s, n));
			have_value = 1;
		} else if (is_unit) {
			if (get_text(t, "unit", m->unit, TESTBED_UNIT_MAX) != 0)
				return -1;
		} else if (tp_skip(t) != 0)
			return -1;
	}
	if (!have_value)
		return tp_fail(t, &start, "metric '%s' has no 'value'", m->name);
	return 0;
}

/* The metrics map of a device. Current: the value after the key `metrics`. */
static int
parse_metrics(struct tp *t, struct device *d)
{
	int cap = 0;

	if (t->ev.type == YAML_SCALAR_EVENT && is_null(t))
		return 0;
	if (t->ev.type != YAML_MAPPING_START_EVENT)
		return tp_fail(t, &t->ev.start_mark,
		    "'metrics' must be a map from a metric name to {value, unit}, not %s",
		    node_kind(&t->ev));
	for (;;) {
		if (tp_next(t) != 0)
			return -1;
		if (t->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		yaml_mark_t km = t->ev.start_mark;
		char name[TESTBED_METRIC_MAX + 1];
		if (get_ident(t, "metric name", name, TESTBED_METRIC_MAX, 1) != 0)
			return -1;
		for (int i = 0; i < d->nmetrics; i++)
			if (strcmp(d->metrics[i].name, name) == 0)
				return tp_fail(t, &km, "metric '%s' appears twice", name);
		if (d->nmetrics >= TESTBED_MAX_METRICS)
			return tp_fail(t, &km, "more than %d metrics on device '%s'",
			    TESTBED_MAX_METRICS, d->id);
		if (tp_next(t) != 0)
			return -1;
		if (t->ev.type != YAML_MAPPING_START_EVENT)
			return tp_fail(t, &t->ev.start_mark,
			    "metric '%s' must be a map {value: NUMBER, unit: TEXT}, not %s",
			    name, node_kind(&t->ev));
		if (d->nmetrics >= cap) {
			cap = cap ? cap * 2 : 4;
			d->metrics = xreallocarray(d->metrics, (size_t)cap, sizeof *d->metrics);
		}
		struct device_metric *m = &d->metrics[d->nmetrics++];
		memset(m, 0, sizeof *m);
		memcpy(m->name, name, sizeof m->name);
		m->value = NAN;
		if (parse_metric(t, m) != 0)
			return -1;
	}
}

enum {
	DK_ID = 1 << 0, DK_NAME = 1 << 1, DK_KIND = 1 << 2, DK_STATE = 1 << 3,
	DK_SINCE = 1 << 4, DK_MESSAGE = 1 << 5, DK_FIRMWARE = 1 << 6,
	DK_CALIBRATED = 1 << 7, DK_METRICS = 1 << 8,
};

static const char *const device_keys[] = {
	"id", "name", "kind", "state", "since", "message", "firmware", "calibrated",
	"metrics", NULL
};

/* One value of a device map; bit is the DK_ of key. */
static int
parse_device_value(struct tp *t, struct device *d, unsigned bit)
{
	const char *s;
	size_t n;
	char q[QUOTE_MAX];

	switch (bit) {
	case DK_ID:
		return get_ident(t, "id", d->id, TESTBED_ID_MAX, 0);
	case DK_NAME:
		return get_dup(t, "name", &d->name, TESTBED_NAME_MAX);
	case DK_KIND:
		return get_ident(t, "kind", d->kind, TESTBED_KIND_MAX, 1);
	case DK_MESSAGE:
		return get_dup(t, "message", &d->message, TESTBED_MESSAGE_MAX);
	case DK_FIRMWARE:
		return get_text(t, "firmware", d->firmware, TESTBED_FIRMWARE_MAX);
	case DK_METRICS:
		return parse_metrics(t, d);
	case DK_STATE:
		if (want_scalar(t, "state", 32, &s, &n) != 0)
			return -1;
		for (size_t i = 0; i < OD_ARRAY_LEN(reported_states); i++)
			if (probe_tok_eq(s, n, reported_states[i])) {
				d->state = d->reported = (enum device_state)i;
				return 0;
			}
		return tp_fail(t, &t->ev.start_mark, "unknown state \"%s\" (ok, degraded, "
		    "fault, offline or maintenance)", probe_quote(q, sizeof q, s, n));
	case DK_SINCE:
	case DK_CALIBRATED:
		if (want_scalar(t, bit == DK_SINCE ? "since" : "calibrated", TESTBED_DATE_MAX,
		    &s, &n) != 0)
			return -1;
		if (n == 0)
			return 0;
		struct time_parsed tp;
		if (time_parse(s, n, 0, &tp) != 0)
			return tp_fail(t, &t->ev.start_mark, "'%s' \"%s\" is not an ISO 8601 %s",
			    bit == DK_SINCE ? "since" : "calibrated", probe_quote(q, sizeof q, s, n),
			    bit == DK_SINCE ? "time (2026-11-26T09:15:00+09:00)" :
			    "date (2026-03-02)");
		if (bit == DK_SINCE)
			d->since_ms = time_parsed_ms(&tp, 0);	/* no zone: UTC */
		else {
			memcpy(d->calibrated, s, 10);	/* the date as written */
			d->calibrated[10] = '\0';
		}
		return 0;
	}
	return tp_skip(t);
}

/* One item of `devices`. Current: its first event. */
static int
parse_device(struct tp *t, struct device *d)
{
	unsigned seen = 0;
	yaml_mark_t start = t->ev.start_mark;

	d->line = (int)start.line + 1;
	if (t->ev.type != YAML_MAPPING_START_EVENT)
		return tp_fail(t, &start, "each device must be a map with id, kind and state, "
		    "not %s", node_kind(&t->ev));
	unsigned bit;
	int more;
	while ((more = tp_map_key(t, device_keys, &seen, &bit)) == 1) {
		if (parse_device_value(t, d, bit) != 0)
			return -1;
	}
	if (more < 0)
		return -1;
	static const struct {
		unsigned bit;
		const char *key;
	} need[] = { { DK_ID, "id" }, { DK_KIND, "kind" }, { DK_STATE, "state" } };
	for (size_t i = 0; i < OD_ARRAY_LEN(need); i++)
		if (!(seen & need[i].bit))
			return tp_fail(t, &start, "device%s%s has no '%s'", d->id[0] ? " " : "",
			    d->id, need[i].key);
	if (d->name[0] == '\0') {
		free(d->name);
		d->name = xstrdup(d->id);
	}
	return 0;
}

/* The `devices` list. Current: the value after the key. */
static int
parse_devices(struct tp *t, struct testbed_report *r)
{
	size_t cap = 0;

	if (t->ev.type == YAML_SCALAR_EVENT && is_null(t))
		return 0;
	if (t->ev.type != YAML_SEQUENCE_START_EVENT)
		return tp_fail(t, &t->ev.start_mark, "'devices' must be a list, not %s",
		    node_kind(&t->ev));
	for (;;) {
		if (tp_next(t) != 0)
			return -1;
		if (t->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		if (r->ndevices >= TESTBED_MAX_DEVICES)
			return tp_fail(t, &t->ev.start_mark, "more than %d devices on one controller",
			    TESTBED_MAX_DEVICES);
		if (r->ndevices >= cap) {
			cap = cap ? cap * 2 : 16;
			r->devices = xreallocarray(r->devices, cap, sizeof *r->devices);
		}
		struct device *d = &r->devices[r->ndevices++];
		device_init(d);
		if (parse_device(t, d) != 0)
			return -1;
	}
}

static int
cmp_devp(const void *a, const void *b)
{
	const struct device *x = *(const struct device *const *)a;
	const struct device *y = *(const struct device *const *)b;
	int c = strcmp(x->id, y->id);
	return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

/* A duplicate device id is an error at the later item. */
static int
check_unique(struct tp *t, const struct testbed_report *r)
{
	int rc = 0;

	if (r->ndevices < 2)
		return 0;
	const struct device **v = xreallocarray(NULL, r->ndevices, sizeof *v);
	for (size_t i = 0; i < r->ndevices; i++)
		v[i] = &r->devices[i];
	qsort(v, r->ndevices, sizeof *v, cmp_devp);
	for (size_t i = 1; i < r->ndevices; i++)
		if (strcmp(v[i - 1]->id, v[i]->id) == 0) {
			yaml_mark_t m = { 0, (size_t)v[i]->line - 1, 0 };
			rc = tp_fail(t, &m, "device id '%s' appears twice (first at line %d)",
			    v[i]->id, v[i - 1]->line);
			break;
		}
	free(v);
	return rc;
}

enum { RK_SCHEMA = 1, RK_CONTROLLER = 2, RK_SECTOR = 4, RK_SITE = 8, RK_DEVICES = 16 };
static const char *const report_keys[] = {
	"schema", "controller", "sector", "site", "devices", NULL
};

/* The document's top-level map. Current: its MAPPING_START. */
static int
parse_top(struct tp *t, struct testbed_report *r)
{
	unsigned seen = 0;
	yaml_mark_t start = t->ev.start_mark;
	const char *s;
	size_t n;
	char q[QUOTE_MAX];

	unsigned bit;
	int more;
	while ((more = tp_map_key(t, report_keys, &seen, &bit)) == 1) {
		int rc = 0;
		switch (bit) {
		case RK_SCHEMA:
			if (want_scalar(t, "schema", 16, &s, &n) != 0)
				return -1;
			if (!probe_tok_eq(s, n, "1"))
				return tp_fail(t, &t->ev.start_mark, "schema \"%s\" is not supported "
				    "(this opsdeck reads schema %d)", probe_quote(q, sizeof q, s, n),
				    TESTBED_SCHEMA);
			r->schema = TESTBED_SCHEMA;
			break;
		case RK_CONTROLLER:
			rc = get_ident(t, "controller", r->controller, TESTBED_ID_MAX, 0);
			break;
		case RK_SECTOR:
			rc = get_ident(t, "sector", r->sector, TESTBED_SECTOR_MAX, 1);
			break;
		case RK_SITE:
			rc = get_text(t, "site", r->site, TESTBED_SITE_MAX);
			break;
		case RK_DEVICES:
			rc = parse_devices(t, r);
			break;
		default:
			rc = tp_skip(t);
			break;
		}
		if (rc != 0)
			return -1;
	}
	if (more < 0)
		return -1;
	static const struct {
		unsigned bit;
		const char *key;
	} need[] = {
		{ RK_SCHEMA, "schema" }, { RK_CONTROLLER, "controller" },
		{ RK_SECTOR, "sector" }, { RK_DEVICES, "devices" },
	};
	for (size_t i = 0; i < OD_ARRAY_LEN(need); i++)
		if (!(seen & need[i].bit))
			return tp_fail(t, &start, "the report has no '%s'", need[i].key);
	return check_unique(t, r);
}

/* Frees what r owns and zeroes it; r itself belongs to the caller. */
void
testbed_report_free(struct testbed_report *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->ndevices; i++)
		device_free(&r->devices[i]);
	free(r->devices);
	memset(r, 0, sizeof *r);
}

/*
 * Parses one report (see testbed.h). The stream must hold exactly one
 * document whose root is a map; an empty stream is an error that says the
 * command printed nothing.
 */
int
testbed_parse(const char *data, size_t len, struct testbed_report *out, char **cause)
{
	struct tp t;
	yaml_mark_t zero = { 0, 0, 0 };
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (cause != NULL)
		*cause = NULL;
	memset(&t, 0, sizeof t);
	if (len > PROBE_MAX_OUTPUT) {
		tp_fail(&t, &zero, "the report is %zu bytes; the limit is %d", len,
		    PROBE_MAX_OUTPUT);
		goto out;
	}
	if (!yaml_parser_initialize(&t.p))
		fatal("yaml_parser_initialize: out of memory");
	yaml_parser_set_input_string(&t.p, (const unsigned char *)(data != NULL ? data : ""),
	    data != NULL ? len : 0);
	if (tp_next(&t) != 0 || tp_next(&t) != 0)	/* STREAM_START, DOCUMENT_START */
		goto done;
	if (t.ev.type == YAML_STREAM_END_EVENT) {
		tp_fail(&t, &t.ev.start_mark, "empty report: the controller command printed "
		    "nothing (is %s installed?)", TESTBED_COMMAND);
		goto done;
	}
	if (tp_next(&t) != 0)
		goto done;
	if (t.ev.type != YAML_MAPPING_START_EVENT) {
		tp_fail(&t, &t.ev.start_mark, "a report must be a map with schema, controller, "
		    "sector, site and devices, not %s", node_kind(&t.ev));
		goto done;
	}
	if (parse_top(&t, out) != 0)
		goto done;
	if (tp_next(&t) != 0 || tp_next(&t) != 0)	/* DOCUMENT_END, STREAM_END or more */
		goto done;
	if (t.ev.type != YAML_STREAM_END_EVENT) {
		tp_fail(&t, &t.ev.start_mark, "a report is one YAML document; a second one "
		    "starts here");
		goto done;
	}
	rc = 0;
done:
	if (t.have)
		yaml_event_delete(&t.ev);
	yaml_parser_delete(&t.p);
out:
	if (rc != 0) {
		testbed_report_free(out);
		if (cause != NULL)
			*cause = t.cause;
		else
			free(t.cause);
		return -1;
	}
	return 0;
}

/* ---- the probe ------------------------------------------------------------ */

int
testbed_probe_parse(const char *data, size_t len, struct host_report *r, char **cause)
{
	struct testbed_report *t = xcalloc(1, sizeof *t);

	if (testbed_parse(data, len, t, cause) != 0) {
		testbed_report_free(t);
		free(t);
		return -1;
	}
	report_part_put(r, &probe_testbed, t);
	return 0;
}

/* probe_testbed's free_part: a struct testbed_report of testbed_probe_parse. */
static void
testbed_part_free(void *data)
{
	testbed_report_free(data);
	free(data);
}

/* The group's `command:` replaces this one (config.h, struct group). */
const struct probe probe_testbed = {
	.name = "testbed",
	.command = TESTBED_COMMAND " 2>/dev/null || true",
	.parse = testbed_probe_parse,
	.free_part = testbed_part_free,
};
