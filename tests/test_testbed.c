/*
 * test_testbed.c: the test-bed controller contract parser (probe_testbed.c)
 * on one report per sector, Korean names, a malformed report with a known
 * line, 10,000 devices, every limit, aliases and deep nesting, times, and
 * the simulated controllers' reports (testbed_sim.c).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "opsdeck/buf.h"
#include "opsdeck/probe.h"
#include "opsdeck/testbed.h"
#include "opsdeck/util.h"

#define buf_puts(b, s) buf_append((b), (s), strlen(s))

/* Reads fixture tests/fixtures/testbed/NAME into an exact-size buffer. */
static char *
load_fixture(const char *name, size_t *len)
{
	const char *dir = getenv("FIXTURES");
	char *path = xasprintf("%s/testbed/%s", dir != NULL ? dir : "tests/fixtures", name);
	char *data, *cause = NULL;
	if (read_file(path, 1 << 22, &data, len, &cause) != 0)
		fail_msg("%s", cause);
	char *exact = xmalloc(*len ? *len : 1);	/* no NUL after the bytes */
	memcpy(exact, data, *len);
	free(data);
	free(path);
	return exact;
}

static void
parse_fixture(const char *name, struct testbed_report *r)
{
	size_t len;
	char *data = load_fixture(name, &len), *cause = NULL;
	if (testbed_parse(data, len, r, &cause) != 0)
		fail_msg("%s: %s", name, cause);
	assert_null(cause);
	free(data);
}

/* Parses s; returns rc and leaves *cause (caller frees). */
static int
parse_str(const char *s, struct testbed_report *r, char **cause)
{
	*cause = NULL;
	return testbed_parse(s, strlen(s), r, cause);
}

/* Expects s to fail with a cause that contains want. */
static void
expect_error(const char *s, const char *want)
{
	struct testbed_report r;
	char *cause = NULL;
	int rc = parse_str(s, &r, &cause);
	if (rc == 0)
		fail_msg("parsed, expected error containing '%s'", want);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("cause '%s' lacks '%s'", cause, want);
	assert_int_equal(r.ndevices, 0);
	assert_null(r.devices);
	free(cause);
	testbed_report_free(&r);
}

static const struct device *
find(const struct testbed_report *r, const char *id)
{
	for (size_t i = 0; i < r->ndevices; i++)
		if (strcmp(r->devices[i].id, id) == 0)
			return &r->devices[i];
	return NULL;
}

static int64_t
ms_of(const char *iso)
{
	int64_t ms;
	if (time_parse_rfc3339(iso, strlen(iso), &ms) != 0)
		fail_msg("bad time %s", iso);
	return ms;
}

static void
test_energy(void **state)
{
	struct testbed_report r;
	(void)state;
	parse_fixture("energy.yaml", &r);
	assert_int_equal(r.schema, 1);
	assert_string_equal(r.controller, "ctl-energy-01");
	assert_string_equal(r.sector, "energy");
	assert_string_equal(r.site, "광주 에너지 실증센터");
	assert_int_equal(r.ndevices, 6);
	/* report order is kept */
	assert_string_equal(r.devices[0].id, "ediag-01");
	assert_string_equal(r.devices[5].id, "smeter-07");

	const struct device *d = find(&r, "ess-01");
	assert_non_null(d);
	assert_string_equal(d->name, "ESS 모니터 1호기");
	assert_string_equal(d->kind, "ess-monitor");
	assert_int_equal(d->state, DEVICE_FAULT);
	assert_int_equal(d->reported, DEVICE_FAULT);
	assert_string_equal(d->message, "BMS: cell 12 over-temperature, string 2 isolated");
	assert_string_equal(d->firmware, "3.2.1");
	assert_string_equal(d->calibrated, "2026-05-10");
	/* 10:02:11 KST is 01:02:11 UTC */
	assert_int_equal(d->since_ms, ms_of("2026-11-26T01:02:11Z"));
	assert_int_equal(d->nmetrics, 3);
	const struct device_metric *m = device_metric_find(d, "power_kw");
	assert_non_null(m);
	assert_true(m->value == -120.4);
	assert_string_equal(m->unit, "kW");
	m = device_metric_find(d, "cell_temp_c");
	assert_string_equal(m->unit, "°C");

	d = find(&r, "edet-02");
	assert_int_equal(d->state, DEVICE_DEGRADED);
	assert_string_equal(d->name, "에너지 검출·분석 장비");
	m = device_metric_find(d, "samples_per_s");
	assert_true(m->value == 96000.0);
	d = find(&r, "pv-inv-03");
	assert_int_equal(d->state, DEVICE_MAINTENANCE);
	m = device_metric_find(d, "irradiance_wm2");
	assert_true(isnan(m->value));
	assert_string_equal(m->unit, "W/m²");
	d = find(&r, "smeter-07");
	assert_int_equal(d->state, DEVICE_OFFLINE);
	assert_int_equal(d->nmetrics, 0);
	d = find(&r, "ediag-01");
	assert_string_equal(d->message, "");
	assert_int_equal(d->line, 8);
	testbed_report_free(&r);
	assert_int_equal(r.ndevices, 0);
}

static void
test_automotive(void **state)
{
	struct testbed_report r;
	(void)state;
	parse_fixture("automotive.yaml", &r);
	assert_string_equal(r.sector, "automotive");
	assert_string_equal(r.site, "광주 자율주행 실증단지");
	assert_int_equal(r.ndevices, 5);
	const struct device *d = find(&r, "dsim-01");
	assert_string_equal(d->name, "대형 주행 시뮬레이터");
	assert_string_equal(d->kind, "driving-simulator");
	/* a quoted time is a time too */
	assert_int_equal(d->since_ms, ms_of("2026-11-24T00:00:00Z"));
	assert_true(device_metric_find(d, "frame_rate_hz")->value == 119.8);
	d = find(&r, "v2x-01");
	assert_string_equal(d->name, "V2X 통신 장비 (RSU)");
	assert_int_equal(d->state, DEVICE_DEGRADED);
	d = find(&r, "hil-01");
	assert_int_equal(d->state, DEVICE_FAULT);
	assert_true(device_metric_find(d, "overruns")->value == 37);
	testbed_report_free(&r);
}

static void
test_healthcare(void **state)
{
	struct testbed_report r;
	(void)state;
	parse_fixture("healthcare.yaml", &r);
	assert_string_equal(r.sector, "healthcare");
	assert_int_equal(r.ndevices, 4);
	const struct device *d = find(&r, "hlink-01");
	assert_string_equal(d->name, "병원 연계 데이터 수집 게이트웨이");
	d = find(&r, "mia-02");
	assert_string_equal(d->calibrated, "");
	assert_int_equal(d->state, DEVICE_OFFLINE);
	d = find(&r, "emo-01");
	assert_string_equal(d->name, "감정인식 분석 장비");
	assert_true(device_metric_find(d, "confidence_pct")->value == 72.4);
	testbed_report_free(&r);
}

static void
test_minimal(void **state)
{
	struct testbed_report r;
	(void)state;
	parse_fixture("minimal.yaml", &r);
	assert_string_equal(r.controller, "c1");
	assert_string_equal(r.site, "");
	assert_int_equal(r.ndevices, 0);
	testbed_report_free(&r);

	/* optional device keys: name falls back to the id */
	char *cause;
	assert_int_equal(parse_str("schema: 1\ncontroller: c\nsector: energy\ndevices:\n"
	    "- {id: a, kind: k, state: ok}\n", &r, &cause), 0);
	assert_string_equal(r.devices[0].name, "a");
	assert_string_equal(r.devices[0].message, "");
	assert_int_equal(r.devices[0].since_ms, 0);
	testbed_report_free(&r);
}

/* The malformed fixture: the error names line 8, where `kind: energy: diagnosis` is. */
static void
test_malformed(void **state)
{
	struct testbed_report r;
	size_t len;
	char *data = load_fixture("malformed.yaml", &len), *cause = NULL;
	(void)state;
	assert_int_equal(testbed_parse(data, len, &r, &cause), -1);
	assert_non_null(cause);
	if (strncmp(cause, "line 8, column ", 15) != 0)
		fail_msg("cause: %s", cause);
	assert_non_null(strstr(cause, "mapping values are not allowed"));
	free(cause);
	testbed_report_free(&r);
	free(data);
}

static void
test_errors(void **state)
{
	(void)state;
	expect_error("", "line 1, column 1: empty report");
	expect_error("# only a comment\n", "empty report");
	expect_error("- a\n- b\n", "line 1, column 1: a report must be a map");
	expect_error("schema: 2\ncontroller: c\nsector: e\ndevices: []\n",
	    "line 1, column 9: schema \"2\" is not supported");
	expect_error("controller: c\nsector: e\ndevices: []\n", "line 1, column 1: the report has no 'schema'");
	expect_error("schema: 1\nsector: e\ndevices: []\n", "has no 'controller'");
	expect_error("schema: 1\ncontroller: c\ndevices: []\n", "has no 'sector'");
	expect_error("schema: 1\ncontroller: c\nsector: e\n", "has no 'devices'");
	expect_error("schema: 1\ncontroller: c\ncontroller: d\nsector: e\ndevices: []\n",
	    "line 3, column 1: key 'controller' appears twice");
	expect_error("schema: 1\ncontroller: c d\nsector: e\ndevices: []\n",
	    "line 2, column 13: 'controller' \"c d\" may only contain printable ASCII");
	expect_error("schema: 1\ncontroller: c\nsector: e\ndevices: {a: 1}\n",
	    "line 4, column 10: 'devices' must be a list, not a map");
	expect_error("schema: 1\ncontroller: c\nsector: e\ndevices:\n- 3\n",
	    "line 5, column 3: each device must be a map");
	expect_error("schema: 1\ncontroller: c\nsector: e\ndevices:\n- {id: a, kind: k}\n",
	    "line 5, column 3: device a has no 'state'");
	expect_error("schema: 1\ncontroller: c\nsector: e\ndevices:\n- {kind: k, state: ok}\n",
	    "device has no 'id'");
	expect_error("schema: 1\ncontroller: c\nsector: e\ndevices:\n"
	    "- {id: a, kind: k, state: broken}\n",
	    "line 5, column 27: unknown state \"broken\" (ok, degraded");
	expect_error("schema: 1\ncontroller: c\nsector: e\ndevices:\n"
	    "- {id: a, kind: k, state: stale}\n", "unknown state \"stale\"");
	expect_error("schema: 1\ncontroller: c\nsector: e\ndevices:\n"
	    "- {id: a, kind: k, state: ok}\n- {id: b, kind: k, state: ok}\n"
	    "- {id: a, kind: k, state: ok}\n",
	    "line 7, column 1: device id 'a' appears twice (first at line 5)");
	expect_error("schema: 1\ncontroller: c\nsector: e\ndevices:\n"
	    "- {id: a, kind: k, state: ok, since: yesterday}\n",
	    "'since' \"yesterday\" is not an ISO 8601 time");
	expect_error("schema: 1\ncontroller: c\nsector: e\ndevices:\n"
	    "- {id: a, kind: k, state: ok, calibrated: 2026-02-30}\n",
	    "'calibrated' \"2026-02-30\" is not an ISO 8601 date");
	expect_error("schema: 1\ncontroller: c\nsector: e\ndevices:\n"
	    "- {id: a, kind: 'a.b', state: ok}\n",
	    "'kind' \"a.b\" may only contain letters, digits");
	expect_error("schema: 1\ncontroller: c\nsector: e\ndevices:\n"
	    "- {id: a, kind: k, state: ok, metrics: {t: {value: hot}}}\n",
	    "metric 't': value \"hot\" is not a number");
	expect_error("schema: 1\ncontroller: c\nsector: e\ndevices:\n"
	    "- {id: a, kind: k, state: ok, metrics: {t: {unit: C}}}\n",
	    "metric 't' has no 'value'");
	expect_error("schema: 1\ncontroller: c\nsector: e\ndevices:\n"
	    "- {id: a, kind: k, state: ok, metrics: {t: 5}}\n",
	    "metric 't' must be a map {value: NUMBER, unit: TEXT}, not text");
	expect_error("schema: 1\ncontroller: c\nsector: e\ndevices:\n"
	    "- {id: a, kind: k, state: ok, metrics: [1]}\n", "'metrics' must be a map");
	expect_error("schema: 1\ncontroller: c\nsector: e\ndevices:\n"
	    "- {id: a, kind: k, state: ok, metrics: {t: {value: 1}, t: {value: 2}}}\n",
	    "metric 't' appears twice");
	expect_error("schema: 1\ncontroller: c\nsector: e\ndevices:\n"
	    "- {id: a, kind: k, state: [ok]}\n", "'state' must be text, not a list");
	expect_error("schema: 1\ncontroller: c\nsector: e\ndevices: []\n---\nschema: 1\n",
	    "line 5, column 1: more than one YAML document; a report is one YAML document");
	expect_error("schema: 1\ncontroller: c\nsector: e\ndevices: [\n",
	    "line 5, column 1: YAML syntax error: did not find expected node content");
	expect_error("\tschema: 1\n",
	    "line 1, column 1: YAML syntax error: found character that cannot start");
}

static void
test_aliases_and_depth(void **state)
{
	(void)state;
	/* yamltree refuses anchors as well as aliases, the first one in the file first */
	expect_error("schema: 1\ncontroller: &c ctl\nsector: *c\ndevices: []\n",
	    "line 2, column 13: anchors are not allowed ('&c')");
	expect_error("schema: 1\ncontroller: c\nsector: *c\ndevices: []\n",
	    "line 3, column 9: aliases are not allowed ('*c')");
	/* an alias inside an ignored key is refused too */
	expect_error("schema: 1\ncontroller: c\nsector: e\nx: [1, *a]\ndevices: []\n",
	    "line 4, column 8: aliases are not allowed ('*a')");
	/* unknown keys at depth 16 pass, 17 fail */
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "schema: 1\ncontroller: c\nsector: e\ndevices: []\nx: ");
	for (int i = 0; i < TESTBED_MAX_DEPTH - 1; i++)
		buf_puts(&b, "[");
	for (int i = 0; i < TESTBED_MAX_DEPTH - 1; i++)
		buf_puts(&b, "]");
	buf_puts(&b, "\n");
	struct testbed_report r;
	char *cause = NULL;
	assert_int_equal(testbed_parse(b.data, b.len, &r, &cause), 0);
	testbed_report_free(&r);
	buf_reset(&b);
	buf_puts(&b, "schema: 1\ncontroller: c\nsector: e\ndevices: []\nx: ");
	for (int i = 0; i < TESTBED_MAX_DEPTH; i++)
		buf_puts(&b, "[");
	assert_int_equal(testbed_parse(b.data, b.len, &r, &cause), -1);
	assert_non_null(strstr(cause, "line 5, column 19: nesting deeper than 16 levels"));
	free(cause);
	/* 100,000 open brackets stop at once (libyaml alone is quadratic) */
	buf_reset(&b);
	buf_puts(&b, "x: ");
	for (int i = 0; i < 100000; i++)
		buf_puts(&b, "[");
	clock_t t0 = clock();
	assert_int_equal(testbed_parse(b.data, b.len, &r, &cause), -1);
	double s = (double)(clock() - t0) / CLOCKS_PER_SEC;
	assert_true(s < 1.0);
	assert_non_null(strstr(cause, "nesting deeper"));
	free(cause);
	buf_free(&b);
}

/* A report with one device whose key `key` has a value of n bytes of c. */
static char *
report_with(const char *key, size_t n, char c)
{
	const char *keys[] = { "controller", "id", "kind", "name", "message", "firmware" };
	const char *val[OD_ARRAY_LEN(keys)] = { "c", "a", "k", "", "", "" };
	char *v = xmalloc(n + 1);
	memset(v, c, n);
	v[n] = '\0';
	for (size_t i = 0; i < OD_ARRAY_LEN(keys); i++)
		if (strcmp(keys[i], key) == 0)
			val[i] = v;
	char *s = xasprintf("schema: 1\ncontroller: %s\nsector: e\ndevices:\n"
	    "- {id: %s, kind: %s, state: ok, name: \"%s\", message: \"%s\", "
	    "firmware: \"%s\"}\n", val[0], val[1], val[2], val[3], val[4], val[5]);
	free(v);
	return s;
}

static void
test_string_limits(void **state)
{
	static const struct {
		const char *key;
		size_t max;
	} lim[] = {
		{ "controller", TESTBED_ID_MAX }, { "id", TESTBED_ID_MAX },
		{ "name", TESTBED_NAME_MAX }, { "message", TESTBED_MESSAGE_MAX },
		{ "firmware", TESTBED_FIRMWARE_MAX }, { "kind", TESTBED_KIND_MAX },
	};
	(void)state;
	for (size_t i = 0; i < OD_ARRAY_LEN(lim); i++) {
		struct testbed_report r;
		char *cause = NULL;
		char *ok = report_with(lim[i].key, lim[i].max, 'x');
		if (testbed_parse(ok, strlen(ok), &r, &cause) != 0)
			fail_msg("%s at the limit: %s", lim[i].key, cause);
		testbed_report_free(&r);
		char *bad = report_with(lim[i].key, lim[i].max + 1, 'x');
		assert_int_equal(testbed_parse(bad, strlen(bad), &r, &cause), -1);
		char *want = xasprintf("bytes long; the limit is %zu", lim[i].max);
		if (strstr(cause, want) == NULL)
			fail_msg("%s: %s", lim[i].key, cause);
		free(want);
		free(cause);
		free(ok);
		free(bad);
	}
	/* a Korean name at the limit: 42 syllables of 3 bytes = 126 bytes */
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "schema: 1\ncontroller: c\nsector: e\ndevices:\n- {id: a, kind: k, state: ok, name: ");
	for (int i = 0; i < 42; i++)
		buf_puts(&b, "광");
	buf_puts(&b, "}\n");
	struct testbed_report r;
	char *cause = NULL;
	assert_int_equal(testbed_parse(b.data, b.len, &r, &cause), 0);
	assert_int_equal(strlen(r.devices[0].name), 126);
	testbed_report_free(&r);
	buf_free(&b);
	/* the whole report */
	char *big = xmalloc(PROBE_MAX_OUTPUT + 1);
	memset(big, '#', PROBE_MAX_OUTPUT + 1);
	assert_int_equal(testbed_parse(big, PROBE_MAX_OUTPUT + 1, &r, &cause), -1);
	assert_non_null(strstr(cause, "the limit is 4194304"));
	free(cause);
	free(big);
	/* too many metrics */
	buf_init(&b, 0);
	buf_puts(&b, "schema: 1\ncontroller: c\nsector: e\ndevices:\n- id: a\n  kind: k\n"
	    "  state: ok\n  metrics:\n");
	for (int i = 0; i <= TESTBED_MAX_METRICS; i++)
		buf_printf(&b, "    m%d: {value: %d}\n", i, i);
	assert_int_equal(testbed_parse(b.data, b.len, &r, &cause), -1);
	assert_non_null(strstr(cause, "line 73, column 5: more than 64 metrics on device 'a'"));
	free(cause);
	buf_free(&b);
}

/* Control characters, escapes and bidi overrides never survive. */
static void
test_sanitised(void **state)
{
	struct testbed_report r;
	char *cause = NULL;
	(void)state;
	const char *s = "schema: 1\ncontroller: c\nsector: e\nsite: \"A\\e[2J\\u202eB\"\n"
	    "devices:\n- id: a\n  kind: k\n  state: fault\n"
	    "  name: \"\\e]0;pwned\\a이름\"\n  message: \"line1\\nline2\\r\\tend\\0x\"\n"
	    "  firmware: \"1.0\\x9b\"\n  metrics: {t: {value: 1, unit: \"\\e[31mC\"}}\n";
	assert_int_equal(parse_str(s, &r, &cause), 0);
	const char *fields[] = { r.site, r.devices[0].name, r.devices[0].message,
		r.devices[0].firmware, r.devices[0].metrics[0].unit };
	for (size_t i = 0; i < OD_ARRAY_LEN(fields); i++) {
		for (const unsigned char *p = (const unsigned char *)fields[i]; *p; p++)
			if (*p < 0x20 || *p == 0x7f)
				fail_msg("control 0x%02x in field %zu: %s", *p, i, fields[i]);
		assert_null(strstr(fields[i], "\xe2\x80\xae"));	/* U+202E */
		assert_null(strstr(fields[i], "\xc2\x9b"));	/* C1 CSI */
	}
	assert_non_null(strstr(r.devices[0].name, "이름"));
	assert_non_null(strstr(r.devices[0].message, "end"));
	testbed_report_free(&r);
}

static void
test_unknown_keys(void **state)
{
	struct testbed_report r;
	char *cause = NULL;
	(void)state;
	const char *s = "schema: 1\nvendor: {name: X, tags: [a, {b: c}]}\ncontroller: c\n"
	    "sector: healthcare\ndevices:\n- id: a\n  kind: k\n  state: ok\n"
	    "  serial: [1, 2, 3]\n  extra: {deep: {deeper: 1}}\n"
	    "  metrics: {t: {value: 2.5e-3, unit: V, note: calibrated}}\nfooter: 1\n";
	assert_int_equal(parse_str(s, &r, &cause), 0);
	assert_int_equal(r.ndevices, 1);
	assert_true(fabs(r.devices[0].metrics[0].value - 0.0025) < 1e-12);
	testbed_report_free(&r);
}

/* 10,000 devices on one controller: all parsed, fast. */
static char *
many_devices(size_t n, size_t *len)
{
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "schema: 1\ncontroller: ctl-big\nsector: automotive\nsite: 광주\ndevices:\n");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "  - id: dev-%05zu\n    name: 차량 데이터 수집 장치 %zu\n"
		    "    kind: vehicle-data-logger\n    state: %s\n"
		    "    since: 2026-11-26T09:00:00+09:00\n    message: \"\"\n"
		    "    firmware: 3.3.0\n    calibrated: 2026-09-09\n"
		    "    metrics:\n      disk_used_pct: {value: %zu.5, unit: \"%%\"}\n"
		    "      write_mbps: {value: %zu, unit: MB/s}\n", i, i,
		    i % 97 == 0 ? "fault" : "ok", i % 100, i % 700);
	*len = b.len;
	return b.data;
}

static void
test_ten_thousand(void **state)
{
	struct testbed_report r;
	size_t len;
	char *data = many_devices(10000, &len), *cause = NULL;
	(void)state;
	assert_true(len < PROBE_MAX_OUTPUT);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (testbed_parse(data, len, &r, &cause) != 0)
		fail_msg("%s", cause);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	printf("# 10,000 devices: %zu bytes parsed in %.1f ms\n", len, ms);
	assert_int_equal(r.ndevices, 10000);
	assert_string_equal(r.devices[9999].id, "dev-09999");
	assert_string_equal(r.devices[1234].name, "차량 데이터 수집 장치 1234");
	assert_int_equal(r.devices[97].state, DEVICE_FAULT);
	assert_true(r.devices[42].metrics[0].value == 42.5);
	testbed_report_free(&r);
	free(data);

	/* one past TESTBED_MAX_DEVICES is refused at the item that passes it */
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "schema: 1\ncontroller: c\nsector: e\ndevices:\n");
	for (int i = 0; i <= TESTBED_MAX_DEVICES; i++)
		buf_printf(&b, "- {id: d%d, kind: k, state: ok}\n", i);
	assert_int_equal(testbed_parse(b.data, b.len, &r, &cause), -1);
	assert_non_null(strstr(cause, "line 20005, column 3: more than 20000 devices"));
	free(cause);
	buf_free(&b);
}

static void
test_probe_entry(void **state)
{
	struct host_report hr;
	char *cause = NULL;
	size_t len;
	char *data = load_fixture("healthcare.yaml", &len);
	(void)state;
	const struct probe *p = &probe_testbed;
	assert_string_equal(p->name, "testbed");
	assert_non_null(strstr(p->command, TESTBED_COMMAND));
	memset(&hr, 0, sizeof hr);
	assert_int_equal(p->parse(data, len, &hr, &cause), 0);
	assert_int_equal(p->parse("x: [", 4, &hr, &cause), -1);
	assert_non_null(strstr(cause, "line 2, column 1: YAML syntax error: did not find expected node"));
	free(cause);
	report_free(&hr);
	free(data);
}

/* Every sector's simulated controller, with every scripted fault, parses. */
static void
test_sim_reports(void **state)
{
	(void)state;
	for (int sec = 0; sec < TESTBED_SECTOR_COUNT; sec++) {
		for (int mode = 0; mode < 32; mode++) {
			int64_t now = TESTBED_SIM_EPOCH_MS + 90000;
			char *y = testbed_sim_report("ctl-x", sec, 7, now, mode);
			struct testbed_report r;
			char *cause = NULL;
			int rc = testbed_parse(y, strlen(y), &r, &cause);
			if (mode & TESTBED_SIM_MALFORMED) {
				assert_int_equal(rc, -1);
				char *want = xasprintf("line %d,", TESTBED_SIM_MALFORMED_LINE);
				if (strncmp(cause, want, strlen(want)) != 0)
					fail_msg("sector %d mode %d: %s", sec, mode, cause);
				free(want);
				free(cause);
			} else {
				if (rc != 0)
					fail_msg("sector %d mode %d: %s\n%s", sec, mode, cause, y);
				assert_string_equal(r.sector, testbed_sector_name(sec));
				assert_true(r.ndevices >= 8);
				/* faults at 90 s: the fault device is in fault, the vanished one gone */
				int nfault = 0;
				for (size_t i = 0; i < r.ndevices; i++)
					nfault += r.devices[i].state == DEVICE_FAULT;
				if (mode & TESTBED_SIM_FAULT)
					assert_true(nfault >= 1);
				assert_int_equal(r.ndevices, (mode & TESTBED_SIM_VANISH) ? 9 : 10);
				const struct device_metric *m = device_metric_find(&r.devices[1],
				    "temp_c");
				assert_non_null(m);
				if (mode & TESTBED_SIM_HOT)
					assert_true(m->value > 80 && m->value <= 95);
				else
					assert_true(m->value > 30 && m->value < 50);
			}
			testbed_report_free(&r);
			free(y);
		}
	}
	/* the flapping device changes state every 30 s */
	int prev_state = -1;
	for (int k = 0; k < 4; k++) {
		char *y = testbed_sim_report("c", TESTBED_AUTOMOTIVE, 9,
		    TESTBED_SIM_EPOCH_MS + k * 30000, TESTBED_SIM_FLAP);
		struct testbed_report r;
		char *cause = NULL;
		assert_int_equal(testbed_parse(y, strlen(y), &r, &cause), 0);
		assert_true(r.devices[2].state == DEVICE_OK || r.devices[2].state == DEVICE_FAULT);
		if (prev_state >= 0)
			assert_int_not_equal(r.devices[2].state, prev_state);
		prev_state = r.devices[2].state;
		testbed_report_free(&r);
		free(y);
	}
	/* deterministic for a seed and a time */
	char *a = testbed_sim_report("c", TESTBED_ENERGY, 1, TESTBED_SIM_EPOCH_MS + 5000, 0);
	char *b = testbed_sim_report("c", TESTBED_ENERGY, 1, TESTBED_SIM_EPOCH_MS + 5000, 0);
	assert_string_equal(a, b);
	free(a);
	free(b);
	/* the natural set grows to 10,000 */
	char *y = testbed_sim_report_n("ctl-big", TESTBED_HEALTHCARE, 3,
	    TESTBED_SIM_EPOCH_MS, 0, 10000);
	struct testbed_report r;
	char *cause = NULL;
	if (testbed_parse(y, strlen(y), &r, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(r.ndevices, 10000);
	testbed_report_free(&r);
	free(y);
}

/* The examples of man/opsdeck-testbed.5 are valid reports, one per sector. */
static void
test_man_examples(void **state)
{
	const char *top = getenv("top_srcdir");
	char *path = xasprintf("%s/man/opsdeck-testbed.5", top != NULL ? top : ".");
	char *text, *cause = NULL;
	size_t len;
	int seen[TESTBED_SECTOR_COUNT] = { 0 };
	(void)state;
	if (read_file(path, 1 << 20, &text, &len, &cause) != 0)
		fail_msg("%s", cause);
	const char *p = text, *end = text + len;
	int examples = 0;
	while ((p = strstr(p, "\n.EX\n")) != NULL && p < end) {
		p += 5;
		const char *e = strstr(p, "\n.EE\n");
		assert_non_null(e);
		if (strncmp(p, "schema: 1\n", 10) == 0) {
			/* roff escapes used in examples: "\-" is '-' */
			struct buf b;
			buf_init(&b, 0);
			for (const char *q = p; q <= e; q++) {
				if (q[0] == '\\' && q[1] == '-')
					continue;
				buf_append(&b, q, 1);
			}
			struct testbed_report r;
			if (testbed_parse(b.data, b.len, &r, &cause) != 0)
				fail_msg("example %d: %s", examples + 1, cause);
			int sec = testbed_sector_parse(r.sector);
			assert_true(sec >= 0);
			seen[sec]++;
			assert_true(r.ndevices >= 4);
			testbed_report_free(&r);
			buf_free(&b);
			examples++;
		}
		p = e;
	}
	assert_int_equal(examples, 3);
	for (int i = 0; i < TESTBED_SECTOR_COUNT; i++)
		assert_int_equal(seen[i], 1);
	free(text);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_energy),
		cmocka_unit_test(test_automotive),
		cmocka_unit_test(test_healthcare),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_aliases_and_depth),
		cmocka_unit_test(test_string_limits),
		cmocka_unit_test(test_sanitised),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_ten_thousand),
		cmocka_unit_test(test_probe_entry),
		cmocka_unit_test(test_sim_reports),
		cmocka_unit_test(test_man_examples),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
