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
 * Read into yamltree's node tree (yamltree.h, the one YAML loop of the
 * tree): depth is counted and capped at TESTBED_MAX_DEPTH before libyaml can
 * go quadratic, anchors and aliases are refused, the nodes are capped at
 * TESTBED_MAX_NODES; then the tree is walked against the contract, where
 * every length and count has a limit and every string is sanitised before it
 * is kept. Unknown keys are skipped. The first error is the cause, as
 * "line L, column C: message" (1-based); the collector puts the host before it.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/probe.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/testbed.h"
#include "opsdeck/util.h"
#include "opsdeck/yamltree.h"

#define QUOTE_MAX	40

/* Walker state: the first error, malloc'd. */
struct tp {
	char		*cause;
};

/* Sets the error (the first one wins) at a 1-based line and column. */
static int OD_PRINTF(4, 5)
tp_fail_at(struct tp *t, int line, int col, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (t->cause != NULL)
		return -1;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	t->cause = xasprintf("line %d, column %d: %s", line, col, msg);
	free(msg);
	return -1;
}

#define tp_fail(t, n, ...) tp_fail_at((t), (n)->line, (n)->col, __VA_ARGS__)

static const char *
node_kind(const struct ynode *n)
{
	switch (n->type) {
	case YN_SCALAR:
		return "text";
	case YN_SEQ:
		return "a list";
	case YN_MAP:
		return "a map";
	default:
		return "nothing";
	}
}

/*
 * Requires n to be a scalar of at most max bytes for key; null reads as "".
 * Returns 0 with *s, *len, or -1.
 */
static int
want_scalar(struct tp *t, const struct ynode *n, const char *key, size_t max, const char **s,
    size_t *len)
{
	if (n->type != YN_SCALAR)
		return tp_fail(t, n, "'%s' must be text, not %s", key, node_kind(n));
	if (yn_is_null(n)) {
		*s = "";
		*len = 0;
		return 0;
	}
	*s = n->s;
	*len = n->len;
	if (*len > max)
		return tp_fail(t, n, "'%s' is %zu bytes long; the limit is %zu", key, *len, max);
	return 0;
}

/* A sanitised copy of scalar n into a fixed field of size max+1. */
static int
get_text(struct tp *t, const struct ynode *n, const char *key, char *dst, size_t max)
{
	const char *s;
	size_t len;

	if (want_scalar(t, n, key, max, &s, &len) != 0)
		return -1;
	sanitize_text(dst, max + 1, s, len);
	return 0;
}

/* A sanitised malloc'd copy of scalar n (at most max bytes). */
static int
get_dup(struct tp *t, const struct ynode *n, const char *key, char **dst, size_t max)
{
	const char *s;
	size_t len;

	if (want_scalar(t, n, key, max, &s, &len) != 0)
		return -1;
	free(*dst);
	*dst = sanitize_dup(s, len, max);
	return 0;
}

/*
 * An identifier: non-empty, at most max bytes of `allowed` characters
 * ("id": printable ASCII without blanks; "word": letters, digits, '_', '-').
 */
static int
get_ident(struct tp *t, const struct ynode *nd, const char *key, char *dst, size_t max,
    int word)
{
	const char *s;
	size_t n;
	char q[QUOTE_MAX];

	if (want_scalar(t, nd, key, max, &s, &n) != 0)
		return -1;
	if (n == 0)
		return tp_fail(t, nd, "'%s' is empty", key);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int ok = word ? (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-' : c > 0x20 && c < 0x7f;
		if (!ok)
			return tp_fail(t, nd, "'%s' \"%s\" may only contain %s",
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
 * The key at kids[i] of map m, for a map whose keys are `keys`
 * (NULL-terminated, at most 32). Returns 0 with *bit set to the key's bit (0
 * for a key not in the list), or -1 on an error (a key that is not text, or
 * one seen before; *seen collects the bits).
 */
static int
tp_map_key(struct tp *t, const struct ynode *m, size_t i, const char *const *keys,
    unsigned *seen, unsigned *bit)
{
	const struct ynode *k = m->kids[i];

	if (k->type != YN_SCALAR)
		return tp_fail(t, k, "a key must be text, not %s", node_kind(k));
	*bit = 0;
	for (size_t j = 0; keys[j] != NULL; j++)
		if (probe_tok_eq(k->s, k->len, keys[j]))
			*bit = 1u << j;
	if (*bit & *seen)
		return tp_fail(t, k, "key '%s' appears twice", keys[__builtin_ctz(*bit)]);
	*seen |= *bit;
	return 0;
}

enum { MK_VALUE = 1, MK_UNIT = 2 };
static const char *const metric_keys[] = { "value", "unit", NULL };

/* One metric's value map: {value: NUMBER|null, unit: TEXT}. */
static int
parse_metric(struct tp *t, const struct ynode *mv, struct device_metric *m)
{
	unsigned seen = 0, bit;
	char q[QUOTE_MAX];

	for (size_t i = 0; i + 1 < mv->nkids; i += 2) {
		const struct ynode *v = mv->kids[i + 1];
		const char *s;
		size_t n;
		if (tp_map_key(t, mv, i, metric_keys, &seen, &bit) != 0)
			return -1;
		if (bit == MK_VALUE) {
			if (want_scalar(t, v, "value", 64, &s, &n) != 0)
				return -1;
			if (yn_is_null(v))
				m->value = NAN;
			else if (parse_number(s, n, &m->value) != 0)
				return tp_fail(t, v, "metric '%s': value \"%s\" is not a number",
				    m->name, probe_quote(q, sizeof q, s, n));
		} else if (bit == MK_UNIT) {
			if (get_text(t, v, "unit", m->unit, TESTBED_UNIT_MAX) != 0)
				return -1;
		}
	}
	if (!(seen & MK_VALUE))
		return tp_fail(t, mv, "metric '%s' has no 'value'", m->name);
	return 0;
}

/* The metrics map of a device: the value of the key `metrics`. */
static int
parse_metrics(struct tp *t, const struct ynode *ms, struct device *d)
{
	int cap = 0;

	if (ms->type == YN_SCALAR && yn_is_null(ms))
		return 0;
	if (ms->type != YN_MAP)
		return tp_fail(t, ms,
		    "'metrics' must be a map from a metric name to {value, unit}, not %s",
		    node_kind(ms));
	for (size_t i = 0; i + 1 < ms->nkids; i += 2) {
		const struct ynode *k = ms->kids[i], *v = ms->kids[i + 1];
		char name[TESTBED_METRIC_MAX + 1];
		if (get_ident(t, k, "metric name", name, TESTBED_METRIC_MAX, 1) != 0)
			return -1;
		for (int j = 0; j < d->nmetrics; j++)
			if (strcmp(d->metrics[j].name, name) == 0)
				return tp_fail(t, k, "metric '%s' appears twice", name);
		if (d->nmetrics >= TESTBED_MAX_METRICS)
			return tp_fail(t, k, "more than %d metrics on device '%s'",
			    TESTBED_MAX_METRICS, d->id);
		if (v->type != YN_MAP)
			return tp_fail(t, v,
			    "metric '%s' must be a map {value: NUMBER, unit: TEXT}, not %s",
			    name, node_kind(v));
		if (d->nmetrics >= cap) {
			cap = cap ? cap * 2 : 4;
			d->metrics = xreallocarray(d->metrics, (size_t)cap, sizeof *d->metrics);
		}
		struct device_metric *m = &d->metrics[d->nmetrics++];
		memset(m, 0, sizeof *m);
		memcpy(m->name, name, sizeof m->name);
		m->value = NAN;
		if (parse_metric(t, v, m) != 0)
			return -1;
	}
	return 0;
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

/* One value v of a device map; bit is the DK_ of its key. */
static int
parse_device_value(struct tp *t, const struct ynode *v, struct device *d, unsigned bit)
{
	const char *s;
	size_t n;
	char q[QUOTE_MAX];

	switch (bit) {
	case DK_ID:
		return get_ident(t, v, "id", d->id, TESTBED_ID_MAX, 0);
	case DK_NAME:
		return get_dup(t, v, "name", &d->name, TESTBED_NAME_MAX);
	case DK_KIND:
		return get_ident(t, v, "kind", d->kind, TESTBED_KIND_MAX, 1);
	case DK_MESSAGE:
		return get_dup(t, v, "message", &d->message, TESTBED_MESSAGE_MAX);
	case DK_FIRMWARE:
		return get_text(t, v, "firmware", d->firmware, TESTBED_FIRMWARE_MAX);
	case DK_METRICS:
		return parse_metrics(t, v, d);
	case DK_STATE:
		if (want_scalar(t, v, "state", 32, &s, &n) != 0)
			return -1;
		for (size_t i = 0; i < OD_ARRAY_LEN(reported_states); i++)
			if (probe_tok_eq(s, n, reported_states[i])) {
				d->state = d->reported = (enum device_state)i;
				return 0;
			}
		return tp_fail(t, v, "unknown state \"%s\" (ok, degraded, "
		    "fault, offline or maintenance)", probe_quote(q, sizeof q, s, n));
	case DK_SINCE:
	case DK_CALIBRATED:
		if (want_scalar(t, v, bit == DK_SINCE ? "since" : "calibrated", TESTBED_DATE_MAX,
		    &s, &n) != 0)
			return -1;
		if (n == 0)
			return 0;
		struct time_parsed tp;
		if (time_parse(s, n, 0, &tp) != 0)
			return tp_fail(t, v, "'%s' \"%s\" is not an ISO 8601 %s",
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
	return 0;	/* an unknown key: skipped */
}

/* One item of `devices`. */
static int
parse_device(struct tp *t, const struct ynode *dn, struct device *d)
{
	unsigned seen = 0, bit;

	d->line = dn->line;
	if (dn->type != YN_MAP)
		return tp_fail(t, dn, "each device must be a map with id, kind and state, "
		    "not %s", node_kind(dn));
	for (size_t i = 0; i + 1 < dn->nkids; i += 2) {
		if (tp_map_key(t, dn, i, device_keys, &seen, &bit) != 0 ||
		    parse_device_value(t, dn->kids[i + 1], d, bit) != 0)
			return -1;
	}
	static const struct {
		unsigned bit;
		const char *key;
	} need[] = { { DK_ID, "id" }, { DK_KIND, "kind" }, { DK_STATE, "state" } };
	for (size_t i = 0; i < OD_ARRAY_LEN(need); i++)
		if (!(seen & need[i].bit))
			return tp_fail(t, dn, "device%s%s has no '%s'", d->id[0] ? " " : "",
			    d->id, need[i].key);
	if (d->name[0] == '\0') {
		free(d->name);
		d->name = xstrdup(d->id);
	}
	return 0;
}

/* The `devices` list: the value of its key. */
static int
parse_devices(struct tp *t, const struct ynode *ds, struct testbed_report *r)
{
	if (ds->type == YN_SCALAR && yn_is_null(ds))
		return 0;
	if (ds->type != YN_SEQ)
		return tp_fail(t, ds, "'devices' must be a list, not %s", node_kind(ds));
	if (ds->nkids > TESTBED_MAX_DEVICES)
		return tp_fail(t, ds->kids[TESTBED_MAX_DEVICES], "more than %d devices on one "
		    "controller", TESTBED_MAX_DEVICES);
	r->devices = xreallocarray(NULL, OD_MAX(ds->nkids, 1), sizeof *r->devices);
	for (size_t i = 0; i < ds->nkids; i++) {
		struct device *d = &r->devices[r->ndevices++];
		device_init(d);
		if (parse_device(t, ds->kids[i], d) != 0)
			return -1;
	}
	return 0;
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
			rc = tp_fail_at(t, v[i]->line, 1, "device id '%s' appears twice (first "
			    "at line %d)", v[i]->id, v[i - 1]->line);
			break;
		}
	free(v);
	return rc;
}

enum { RK_SCHEMA = 1, RK_CONTROLLER = 2, RK_SECTOR = 4, RK_SITE = 8, RK_DEVICES = 16 };
static const char *const report_keys[] = {
	"schema", "controller", "sector", "site", "devices", NULL
};

/* The document's top-level map. */
static int
parse_top(struct tp *t, const struct ynode *top, struct testbed_report *r)
{
	unsigned seen = 0, bit;
	const char *s;
	size_t n;
	char q[QUOTE_MAX];

	for (size_t i = 0; i + 1 < top->nkids; i += 2) {
		const struct ynode *v = top->kids[i + 1];
		int rc = 0;
		if (tp_map_key(t, top, i, report_keys, &seen, &bit) != 0)
			return -1;
		switch (bit) {
		case RK_SCHEMA:
			if (want_scalar(t, v, "schema", 16, &s, &n) != 0)
				return -1;
			if (!probe_tok_eq(s, n, "1"))
				return tp_fail(t, v, "schema \"%s\" is not supported "
				    "(this opsdeck reads schema %d)", probe_quote(q, sizeof q, s, n),
				    TESTBED_SCHEMA);
			r->schema = TESTBED_SCHEMA;
			break;
		case RK_CONTROLLER:
			rc = get_ident(t, v, "controller", r->controller, TESTBED_ID_MAX, 0);
			break;
		case RK_SECTOR:
			rc = get_ident(t, v, "sector", r->sector, TESTBED_SECTOR_MAX, 1);
			break;
		case RK_SITE:
			rc = get_text(t, v, "site", r->site, TESTBED_SITE_MAX);
			break;
		case RK_DEVICES:
			rc = parse_devices(t, v, r);
			break;
		default:
			break;
		}
		if (rc != 0)
			return -1;
	}
	static const struct {
		unsigned bit;
		const char *key;
	} need[] = {
		{ RK_SCHEMA, "schema" }, { RK_CONTROLLER, "controller" },
		{ RK_SECTOR, "sector" }, { RK_DEVICES, "devices" },
	};
	for (size_t i = 0; i < OD_ARRAY_LEN(need); i++)
		if (!(seen & need[i].bit))
			return tp_fail(t, top, "the report has no '%s'", need[i].key);
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
 * command printed nothing. yamltree's errors (syntax, depth, nodes,
 * anchors, aliases, a second document) come first, in file order.
 */
int
testbed_parse(const char *data, size_t len, struct testbed_report *out, char **cause)
{
	struct tp t = { NULL };
	struct diag d;
	struct ynode *root = NULL;
	int failed = 0;
	static const struct yamltree_limits lim = {
		.max_depth = TESTBED_MAX_DEPTH,
		.max_string = PROBE_MAX_OUTPUT,
		.max_nodes = TESTBED_MAX_NODES,
		.one_document = "a report is one YAML document",
		.errors = YAMLTREE_ERR_CONTEXT,
		.allow_nul = 1,		/* sanitised like any other control character */
	};

	memset(out, 0, sizeof *out);
	if (cause != NULL)
		*cause = NULL;
	diag_init(&d, "report");
	if (len > PROBE_MAX_OUTPUT) {
		tp_fail_at(&t, 1, 1, "the report is %zu bytes; the limit is %d", len,
		    PROBE_MAX_OUTPUT);
		goto out;
	}
	root = yamltree_parse(data != NULL ? data : "", data != NULL ? len : 0, &lim, &d,
	    &failed);
	if (diag_count(&d) > 0) {
		yamltree_sort_diag(&d, 0);
		tp_fail_at(&t, OD_MAX(d.v[0].line, 1), OD_MAX(d.v[0].col, 1), "%s", d.v[0].msg);
	} else if (root == NULL) {
		tp_fail_at(&t, 1, 1, "empty report: the controller command printed nothing "
		    "(is %s installed?)", TESTBED_COMMAND);
	} else if (root->type != YN_MAP) {
		tp_fail(&t, root, "a report must be a map with schema, controller, sector, "
		    "site and devices, not %s", node_kind(root));
	} else {
		parse_top(&t, root, out);
	}
out:
	yn_free(root);
	diag_free(&d);
	if (t.cause != NULL) {
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
