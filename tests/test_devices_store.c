/*
 * test_devices_store.c: the device and alert tables in a real SQLite cache
 * (devices_store.c, alert_store.c) driven through the devices feature
 * (feature_devices.c) as the publisher drives it: three sectors' controllers, one sending malformed
 * YAML (parse-error with the line; the others unaffected), a controller
 * that goes silent, a flapping device's history, acknowledgements with the
 * local user, alerts raised and cleared, metric history, a restart, and
 * 10,000 devices on one controller.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "opsdeck/alert.h"
#include "opsdeck/feature.h"
#include "opsdeck/store.h"
#include "opsdeck/testbed.h"
#include "opsdeck/util.h"
#include "store/store_int.h"	/* store_db: the tables as they are */

#define T0 1795684500000LL	/* 2026-11-26T09:15:00Z */

struct ctx {
	char		 dir[64];
	char		*path;
	struct store	*st;
	struct config	*cfg;
};

static int
setup(void **state)
{
	struct ctx *c = xcalloc(1, sizeof *c);
	char *cause = NULL;

	strcpy(c->dir, "/tmp/od-devstore-XXXXXX");
	if (mkdtemp(c->dir) == NULL)
		return -1;
	c->path = xasprintf("%s/cache.db", c->dir);
	if (store_open(c->path, STORE_WRITER, &c->st, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		return -1;
	}
	/* thresholds as a user writes them, through the real config parser */
	static const char yaml[] =
	    "groups:\n"
	    "  - {name: tb, kind: testbed, hosts: 'tb-x'}\n"
	    "thresholds:\n"
	    "  devices.ess_monitor.cell_temp_c: {warn: 45, crit: 55}\n"
	    "  devices.temp_c: {crit: 80}\n";
	struct diag d;
	diag_init(&d, "test.yaml");
	c->cfg = config_parse("test.yaml", yaml, sizeof yaml - 1, &d);
	if (c->cfg == NULL) {
		diag_print(&d, stderr);
		return -1;
	}
	diag_free(&d);
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct ctx *c = *state;
	store_close(c->st);
	char *cmd = xasprintf("rm -rf '%s'", c->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup failed: %s\n", cmd);
	free(cmd);
	config_free(c->cfg);
	free(c->path);
	free(c);
	return 0;
}

static char *
load_fixture(const char *name, size_t *len)
{
	const char *dir = getenv("FIXTURES");
	char *path = xasprintf("%s/testbed/%s", dir != NULL ? dir : "tests/fixtures", name);
	char *data, *cause = NULL;
	if (read_file(path, 1 << 22, &data, len, &cause) != 0)
		fail_msg("%s", cause);
	free(path);
	return data;
}

/* One controller as the publisher keeps it. */
struct ctl {
	const char	*host;
	void		*state;		/* the devices feature's committed state */
	char		*error;		/* the parse error of the last frame, if any */
	const struct device *known;	/* the state's list */
	size_t		 nknown;
};

/*
 * One step of the devices feature as a tick runs it: rep queued at now, or
 * none with the controller in `hstate` for `why`; the new state is
 * installed as after a commit. 0 or -1 with *cause.
 */
static int
devices_step(struct ctx *c, struct ctl *k, struct testbed_report *rep, enum host_state hstate,
    const char *why, int64_t now, char **cause)
{
	struct host_status hs;
	struct group g;
	struct queued_part qp = { { &probe_testbed, rep }, now };

	host_status_init(&hs);
	od_strlcpy(hs.name, k->host, sizeof hs.name);
	hs.state = rep != NULL ? HOST_UP : hstate;
	od_strlcpy(hs.error, why != NULL ? why : "", sizeof hs.error);
	memset(&g, 0, sizeof g);
	g.kind = GROUP_TESTBED;
	struct feature_host fh = { &g, &hs, &qp, rep != NULL ? 1 : 0 };
	struct feature_tick t = { c->st, c->cfg, now, NULL, NULL, NULL };
	void *next = NULL;
	int rc = feature_devices.ingest(&t, &fh, k->state, &next, cause);
	if (rc == 0 && next != NULL) {
		feature_devices.state_free(k->state);
		k->state = next;
	}
	k->nknown = feature_devices_list(k->state, &k->known);
	host_status_free(&hs);
	return rc;
}

/* A frame of YAML from a controller: parse, then ingest (or mark unknown). */
static int
feed(struct ctx *c, struct ctl *k, const char *data, size_t len, int64_t now)
{
	struct testbed_report r;
	char *cause = NULL;
	int rc;

	free(k->error);
	k->error = NULL;
	if (testbed_parse(data, len, &r, &k->error) != 0)
		rc = devices_step(c, k, NULL, HOST_PARSE_ERROR, k->error, now, &cause);
	else
		rc = devices_step(c, k, &r, HOST_UP, NULL, now, &cause);
	if (rc != 0)
		fail_msg("ingest %s: %s", k->host, cause);
	testbed_report_free(&r);
	return rc;
}

static void
feed_fixture(struct ctx *c, struct ctl *k, const char *name, int64_t now)
{
	size_t len;
	char *data = load_fixture(name, &len);
	feed(c, k, data, len, now);
	free(data);
}

static void
silent(struct ctx *c, struct ctl *k, const char *why, int64_t now)
{
	char *cause = NULL;
	if (devices_step(c, k, NULL, HOST_DOWN, why, now, &cause) != 0)
		fail_msg("%s", cause);
}

static void
ctl_free(struct ctl *k)
{
	feature_devices.state_free(k->state);
	free(k->error);
}

static const struct device_row *
row(const struct devices_view *v, const char *ctl, const char *id)
{
	for (size_t i = 0; i < v->ndevices; i++)
		if (strcmp(v->devices[i].controller, ctl) == 0 &&
		    strcmp(v->devices[i].dev.id, id) == 0)
			return &v->devices[i];
	return NULL;
}

static const struct controller_row *
ctlrow(const struct devices_view *v, const char *ctl)
{
	for (size_t i = 0; i < v->ncontrollers; i++)
		if (strcmp(v->controllers[i].controller, ctl) == 0)
			return &v->controllers[i];
	return NULL;
}

static void
view(struct ctx *c, const struct devices_filter *f, struct devices_view *v)
{
	char *cause = NULL;
	if (devices_store_view(c->st, f, v, &cause) != 0)
		fail_msg("%s", cause);
}

/* Three sectors and a malformed controller: grouping, counts, filters. */
static void
test_sectors_and_malformed(void **state)
{
	struct ctx *c = *state;
	struct ctl e = { "tb-energy-01", NULL, NULL, NULL, 0 }, a = { "tb-auto-01", NULL, NULL, NULL, 0 };
	struct ctl h = { "tb-health-01", NULL, NULL, NULL, 0 }, bad = { "tb-bad-01", NULL, NULL, NULL, 0 };
	struct devices_view v;

	feed_fixture(c, &e, "energy.yaml", T0);
	feed_fixture(c, &a, "automotive.yaml", T0);
	feed_fixture(c, &h, "healthcare.yaml", T0);
	/* the bad controller was fine once, then sends malformed YAML */
	feed_fixture(c, &bad, "minimal.yaml", T0);
	const char *ok1 = "schema: 1\ncontroller: ctl-bad-01\nsector: energy\ndevices:\n"
	    "- {id: x-01, kind: energy-diagnosis, state: ok}\n";
	feed(c, &bad, ok1, strlen(ok1), T0 + 1000);
	feed_fixture(c, &bad, "malformed.yaml", T0 + 2000);
	assert_non_null(bad.error);
	assert_int_equal(strncmp(bad.error, "line 8, column ", 15), 0);

	view(c, NULL, &v);
	assert_int_equal(v.nsectors, 3);
	assert_string_equal(v.sectors[0].sector, "automotive");
	assert_string_equal(v.sectors[1].sector, "energy");
	assert_string_equal(v.sectors[2].sector, "healthcare");
	assert_int_equal(v.sectors[1].ncontrollers, 2);
	assert_int_equal(v.sectors[1].ndevices, 7);
	assert_int_equal(v.ncontrollers, 4);
	assert_int_equal(v.ndevices, 16);
	const struct controller_row *cr = ctlrow(&v, "tb-energy-01");
	assert_int_equal(cr->reachable, 1);
	assert_string_equal(cr->report_id, "ctl-energy-01");
	assert_string_equal(cr->site, "광주 에너지 실증센터");
	assert_int_equal(cr->counts[DEVICE_OK], 2);
	assert_int_equal(cr->counts[DEVICE_FAULT], 1);
	assert_int_equal(cr->counts[DEVICE_DEGRADED], 1);
	assert_int_equal(cr->counts[DEVICE_MAINTENANCE], 1);
	assert_int_equal(cr->counts[DEVICE_OFFLINE], 1);
	assert_int_equal(cr->reported_ms, T0);
	/* the malformed one: unreachable with the parse error, its device unknown */
	cr = ctlrow(&v, "tb-bad-01");
	assert_int_equal(cr->reachable, 0);
	assert_int_equal(strncmp(cr->error, "line 8, column ", 15), 0);
	assert_string_equal(cr->sector, "energy");	/* from the last good report */
	const struct device_row *r = row(&v, "tb-bad-01", "x-01");
	assert_int_equal(r->dev.state, DEVICE_UNKNOWN);
	assert_non_null(strstr(r->dev.message, "controller unreachable: line 8, column"));
	/* the others are unaffected */
	r = row(&v, "tb-energy-01", "ess-01");
	assert_int_equal(r->dev.state, DEVICE_FAULT);
	assert_string_equal(r->dev.name, "ESS 모니터 1호기");
	assert_string_equal(r->sector, "energy");
	assert_int_equal(r->dev.nmetrics, 3);
	assert_true(r->dev.metrics[2].value == -120.4);
	assert_string_equal(r->dev.metrics[1].unit, "°C");
	r = row(&v, "tb-energy-01", "pv-inv-03");
	assert_true(isnan(device_metric_find(&r->dev, "irradiance_wm2")->value));
	assert_int_equal(row(&v, "tb-auto-01", "hil-01")->dev.state, DEVICE_FAULT);
	/* ordered by sector, controller, device */
	assert_string_equal(v.devices[0].controller, "tb-auto-01");
	assert_string_equal(v.devices[0].dev.id, "ccgw-02");
	devices_view_free(&v);

	/* filters: state, sector, kind */
	struct devices_filter f = { 0 };
	f.state_mask = 1u << DEVICE_FAULT | 1u << DEVICE_OFFLINE;
	view(c, &f, &v);
	assert_int_equal(v.ndevices, 4);	/* 2 fault + 2 offline */
	for (size_t i = 0; i < v.ndevices; i++)
		assert_true(v.devices[i].dev.state == DEVICE_FAULT ||
		    v.devices[i].dev.state == DEVICE_OFFLINE);
	assert_int_equal(v.ncontrollers, 4);	/* counts stay complete */
	devices_view_free(&v);
	memset(&f, 0, sizeof f);
	f.sector = "healthcare";
	view(c, &f, &v);
	assert_int_equal(v.ndevices, 4);
	devices_view_free(&v);
	f.sector = NULL;
	f.kind = "driving-simulator";
	view(c, &f, &v);
	assert_int_equal(v.ndevices, 1);
	assert_string_equal(v.devices[0].dev.name, "대형 주행 시뮬레이터");
	devices_view_free(&v);

	/* alerts: the faults are crit, the offline ones warn, the ess cell temperature crit */
	struct alert_set al;
	char *cause = NULL;
	alert_set_init(&al);
	assert_int_equal(alert_store_list(c->st, NULL, 0, 0, &al, &cause), 0);
	int crit = 0, warn = 0, temp = 0;
	for (size_t i = 0; i < al.n; i++) {
		crit += al.v[i].sev == ALERT_CRIT;
		warn += al.v[i].sev == ALERT_WARN;
		temp += strcmp(al.v[i].rule, "devices.ess_monitor.cell_temp_c") == 0;
		assert_int_equal(al.v[i].cleared_ms, 0);
	}
	assert_int_equal(crit, 3);	/* ess-01, hil-01 faults; ess-01 cell 58.9 >= 55 */
	assert_int_equal(warn, 2);	/* smeter-07, mia-02 offline */
	assert_int_equal(temp, 1);
	alert_set_free(&al);
	ctl_free(&e);
	ctl_free(&a);
	ctl_free(&h);
	ctl_free(&bad);
}

static int
count_rows(struct ctx *c, const char *sql)
{
	sqlite3_stmt *s;
	int n = -1;
	if (sqlite3_prepare_v2(store_db(c->st), sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* A controller that goes silent, then returns; alerts clear when their cause does. */
static void
test_silent_and_alerts(void **state)
{
	struct ctx *c = *state;
	struct ctl k = { "tb-energy-02", NULL, NULL, NULL, 0 };
	struct devices_view v;
	struct devices_filter f = { 0 };
	struct alert_set al;
	char *cause = NULL;

	f.controller = k.host;
	feed_fixture(c, &k, "energy.yaml", T0);
	silent(c, &k, "connection timed out", T0 + 10000);
	view(c, &f, &v);
	assert_int_equal(v.ndevices, 6);
	for (size_t i = 0; i < v.ndevices; i++) {
		assert_int_equal(v.devices[i].dev.state, DEVICE_UNKNOWN);	/* never "ok" */
		assert_string_equal(v.devices[i].dev.message,
		    "controller unreachable: connection timed out");
	}
	assert_int_equal(v.controllers[0].counts[DEVICE_UNKNOWN], 6);
	assert_int_equal(ctlrow(&v, k.host)->reachable, 0);
	assert_string_equal(ctlrow(&v, k.host)->error, "connection timed out");
	devices_view_free(&v);
	/* the fault alert stays while we cannot know */
	alert_set_init(&al);
	assert_int_equal(alert_store_list(c->st, k.host, 0, 0, &al, &cause), 0);
	assert_int_equal(al.n, 3);
	alert_set_free(&al);

	/* it answers again with ess-01 repaired and cooled down */
	size_t len;
	char *y = load_fixture("energy.yaml", &len);
	char *p = strstr(y, "    state: fault\n");
	assert_non_null(p);
	memcpy(p, "    state: ok   \n", 17);
	p = strstr(y, "value: 58.9");
	memcpy(p, "value: 38.9", 11);
	feed(c, &k, y, len, T0 + 20000);
	free(y);
	alert_set_init(&al);
	assert_int_equal(alert_store_list(c->st, k.host, T0, 0, &al, &cause), 0);
	/* active first: smeter-07 offline; then the two cleared ones */
	assert_int_equal(al.n, 3);
	assert_int_equal(al.v[0].cleared_ms, 0);
	assert_string_equal(al.v[0].device, "smeter-07");
	assert_int_equal(al.v[1].cleared_ms, T0 + 20000);
	assert_int_equal(al.v[2].cleared_ms, T0 + 20000);
	assert_int_equal(al.v[1].raised_ms, T0);
	alert_set_free(&al);
	/* cleared ones drop out of the list without `since` */
	alert_set_init(&al);
	assert_int_equal(alert_store_list(c->st, k.host, 0, 0, &al, &cause), 0);
	assert_int_equal(al.n, 1);
	alert_set_free(&al);

	/* the history of ess-01: none -> fault -> unknown -> ok, newest first */
	struct device_transition *tr;
	size_t ntr;
	assert_int_equal(devices_store_transitions(c->st, k.host, "ess-01", 0, &tr, &ntr,
	    &cause), 0);
	assert_int_equal(ntr, 3);
	assert_int_equal(tr[0].from, DEVICE_UNKNOWN);
	assert_int_equal(tr[0].to, DEVICE_OK);
	assert_int_equal(tr[0].ts_ms, T0 + 20000);
	assert_int_equal(tr[1].to, DEVICE_UNKNOWN);
	assert_int_equal(tr[1].ts_ms, T0 + 10000);
	assert_int_equal(tr[2].from, DEVICE_NONE);
	assert_int_equal(tr[2].to, DEVICE_FAULT);
	assert_string_equal(tr[2].message, "BMS: cell 12 over-temperature, string 2 isolated");
	devices_transitions_free(tr, ntr);
	/* metric history: one sample per step */
	struct device_point *pt;
	size_t npt;
	assert_int_equal(devices_store_metric(c->st, k.host, "ess-01", "cell_temp_c", 0,
	    T0 + 60000, &pt, &npt, &cause), 0);
	assert_int_equal(npt, 2);
	assert_true(pt[0].ts_ms == T0 && pt[0].value == 58.9);
	assert_true(pt[1].ts_ms == T0 + 20000 && pt[1].value == 38.9);
	free(pt);
	ctl_free(&k);
	assert_true(count_rows(c, "SELECT count(*) FROM tb_metric_samples") > 0);
}

/* A flapping device: every change in the history; prune keeps the recent ones. */
static void
test_flapping(void **state)
{
	struct ctx *c = *state;
	struct ctl k = { "tb-flap", NULL, NULL, NULL, 0 };
	char *cause = NULL;

	for (int i = 0; i < 40; i++) {
		char *y = xasprintf("schema: 1\ncontroller: f\nsector: automotive\ndevices:\n"
		    "- {id: v2x-01, name: V2X 통신 장비, kind: v2x-unit, state: %s}\n"
		    "- {id: dsim-01, kind: driving-simulator, state: ok}\n",
		    i % 2 ? "fault" : "ok");
		feed(c, &k, y, strlen(y), T0 + i * 1000);
		free(y);
	}
	struct device_transition *tr;
	size_t ntr;
	assert_int_equal(devices_store_transitions(c->st, k.host, "v2x-01", 0, &tr, &ntr,
	    &cause), 0);
	assert_int_equal(ntr, 40);
	for (size_t i = 0; i + 1 < ntr; i++)
		assert_true(tr[i].ts_ms > tr[i + 1].ts_ms);
	assert_int_equal(tr[0].to, DEVICE_FAULT);
	devices_transitions_free(tr, ntr);
	assert_int_equal(devices_store_transitions(c->st, k.host, "v2x-01", 5, &tr, &ntr,
	    &cause), 0);
	assert_int_equal(ntr, 5);
	devices_transitions_free(tr, ntr);
	/* each fault raised an alert and each ok cleared it: 20 rows, one active */
	char *q = xasprintf("SELECT count(*) FROM alert_log WHERE host = 'tb-flap'");
	assert_int_equal(count_rows(c, q), 20);
	free(q);
	assert_int_equal(count_rows(c, "SELECT count(*) FROM alert_log WHERE host = 'tb-flap'"
	    " AND cleared_ms IS NULL"), 1);
	assert_int_equal(devices_store_prune(c->st, T0 + 30000, &cause), 0);
	assert_int_equal(devices_store_transitions(c->st, k.host, "v2x-01", 0, &tr, &ntr,
	    &cause), 0);
	assert_int_equal(ntr, 10);
	devices_transitions_free(tr, ntr);
	assert_int_equal(alert_store_prune(c->st, T0 + 30000, &cause), 0);
	assert_int_equal(count_rows(c, "SELECT count(*) FROM alert_log WHERE host = 'tb-flap'"),
	    6);
	ctl_free(&k);
}

/* Acknowledging a fault: the note, the local user, the time; a new state un-acks. */
static void
test_ack(void **state)
{
	struct ctx *c = *state;
	struct ctl k = { "tb-health-02", NULL, NULL, NULL, 0 };
	struct devices_view v;
	struct devices_filter f = { 0 };
	char *cause = NULL;
	char user[64];
	struct passwd *pw = getpwuid(getuid());

	od_strlcpy(user, pw != NULL ? pw->pw_name : "", sizeof user);
	f.controller = k.host;
	feed_fixture(c, &k, "healthcare.yaml", T0);
	assert_int_equal(devices_store_ack(c->st, k.host, "mia-02",
	    "병동 이전 중, 12월 1일 재가동 \x1b[2J", T0 + 5000, &cause), 0);
	assert_int_equal(devices_store_ack(c->st, k.host, "nope", "x", T0, &cause), -1);
	assert_string_equal(cause, "no device 'nope' on controller tb-health-02 in the cache");
	free(cause);
	cause = NULL;
	view(c, &f, &v);
	const struct device_row *r = row(&v, k.host, "mia-02");
	assert_true(r->acked);
	assert_non_null(r->ack.note);
	assert_non_null(strstr(r->ack.note, "병동 이전 중"));
	assert_null(strchr(r->ack.note, 0x1b));
	assert_string_equal(r->ack.user, user);
	assert_int_equal(r->ack.ts_ms, T0 + 5000);
	assert_int_equal(r->ack.state, DEVICE_OFFLINE);
	assert_false(row(&v, k.host, "bio-01")->acked);
	assert_null(row(&v, k.host, "bio-01")->ack.note);
	devices_view_free(&v);
	/* its open alert carries the acknowledgement */
	struct alert_set al;
	alert_set_init(&al);
	assert_int_equal(alert_store_list(c->st, k.host, 0, 0, &al, &cause), 0);
	assert_int_equal(al.n, 1);
	assert_string_equal(al.v[0].device, "mia-02");
	assert_string_equal(al.v[0].ack_user, user);
	assert_int_equal(al.v[0].ack_ms, T0 + 5000);
	/* acknowledging the alert by id works too */
	assert_int_equal(alert_store_ack(c->st, al.v[0].id, "again", T0 + 6000, &cause), 0);
	assert_int_equal(alert_store_ack(c->st, 999999, "x", T0, &cause), -1);
	free(cause);
	cause = NULL;
	alert_set_free(&al);
	/* the device goes silent: the acknowledgement no longer covers the state */
	silent(c, &k, "connection refused", T0 + 10000);
	view(c, &f, &v);
	r = row(&v, k.host, "mia-02");
	assert_false(r->acked);
	assert_non_null(r->ack.note);	/* still shown as the latest */
	devices_view_free(&v);
	/* it answers again, offline since the same time: the same episode, still acknowledged */
	feed_fixture(c, &k, "healthcare.yaml", T0 + 20000);
	view(c, &f, &v);
	assert_true(row(&v, k.host, "mia-02")->acked);
	devices_view_free(&v);
	/* back to ok, then offline again: a new episode, not acknowledged */
	const char *okr = "schema: 1\ncontroller: h\nsector: healthcare\ndevices:\n"
	    "- {id: mia-02, kind: medical-image-annotator, state: ok}\n";
	const char *offr = "schema: 1\ncontroller: h\nsector: healthcare\ndevices:\n"
	    "- {id: mia-02, kind: medical-image-annotator, state: offline}\n";
	feed(c, &k, okr, strlen(okr), T0 + 30000);
	feed(c, &k, offr, strlen(offr), T0 + 40000);
	view(c, &f, &v);
	r = row(&v, k.host, "mia-02");
	assert_int_equal(r->dev.state, DEVICE_OFFLINE);
	assert_int_equal(r->dev.since_ms, T0 + 40000);
	assert_false(r->acked);
	devices_view_free(&v);
	struct device_ack *acks;
	size_t nacks;
	assert_int_equal(devices_store_acks(c->st, k.host, "mia-02", 0, &acks, &nacks, &cause), 0);
	assert_int_equal(nacks, 1);
	devices_acks_free(acks, nacks);
	ctl_free(&k);
}

/* After a restart the tracker continues from the cache: misses count on. */
static void
test_restart(void **state)
{
	struct ctx *c = *state;
	struct ctl k = { "tb-restart", NULL, NULL, NULL, 0 };
	char *cause = NULL;
	const char *two = "schema: 1\ncontroller: r\nsector: energy\ndevices:\n"
	    "- {id: a, kind: k, state: ok, metrics: {t: {value: 1.5, unit: V}}}\n"
	    "- {id: b, kind: k, state: degraded, message: \"it's -- '; DROP TABLE tb_devices;\"}\n";
	const char *one = "schema: 1\ncontroller: r\nsector: energy\ndevices:\n"
	    "- {id: a, kind: k, state: ok, metrics: {t: {value: 1.5, unit: V}}}\n";

	feed(c, &k, two, strlen(two), T0);
	feed(c, &k, one, strlen(one), T0 + 1000);
	feed(c, &k, one, strlen(one), T0 + 2000);
	/* "restart": a new collector knows nothing; the feature loads the cache */
	struct ctl k2 = { "tb-restart", NULL, NULL, NULL, 0 };
	struct device *got;
	size_t n;
	assert_int_equal(devices_store_get(c->st, k.host, &got, &n, &cause), 0);
	assert_int_equal(n, 2);
	assert_int_equal(got[1].missed, 2);
	assert_int_equal(got[1].reported, DEVICE_DEGRADED);
	assert_string_equal(got[1].message, "it's -- '; DROP TABLE tb_devices;");
	assert_int_equal(got[0].nmetrics, 1);
	assert_true(got[0].metrics[0].value == 1.5);
	assert_string_equal(got[0].metrics[0].unit, "V");
	devices_free(got, n);
	feed(c, &k2, one, strlen(one), T0 + 3000);
	const struct device *b = &k2.known[1];
	assert_string_equal(b->id, "b");
	assert_int_equal(b->missed, 3);
	assert_int_equal(b->state, DEVICE_STALE);
	/* stale is a warn alert */
	assert_int_equal(count_rows(c, "SELECT count(*) FROM alert_log WHERE host = 'tb-restart'"
	    " AND device = 'b' AND severity = 'warn' AND cleared_ms IS NULL"), 1);
	ctl_free(&k);
	ctl_free(&k2);
	/* unknown controllers and devices read as empty */
	assert_int_equal(devices_store_get(c->st, "nobody", &got, &n, &cause), 0);
	assert_int_equal(n, 0);
}

/* Inside the collector's own transaction, nothing commits early. */
static void
test_in_tick(void **state)
{
	struct ctx *c = *state;
	struct ctl k = { "tb-tick", NULL, NULL, NULL, 0 };
	char *cause = NULL;
	struct store *ro;

	/* the collector creates the tables once at start, outside its ticks */
	assert_int_equal(devices_store_init(c->st, &cause), 0);
	assert_int_equal(alert_store_init(c->st, &cause), 0);
	assert_int_equal(alert_store_has_log(c->st), 1);
	/* a reader (the console) sees the tables, no controller yet, and then
	 * another connection's commit in the data version */
	assert_int_equal(store_open(c->path, STORE_READONLY, &ro, &cause), 0);
	assert_int_equal(devices_store_any(ro), 0);
	int64_t v0 = store_data_version(ro);
	assert_true(v0 >= 0);
	assert_int_equal(store_data_version(ro), v0);
	assert_int_equal(store_begin(c->st, &cause), 0);
	feed_fixture(c, &k, "automotive.yaml", T0);
	assert_false(sqlite3_get_autocommit(store_db(c->st)));
	assert_int_equal(store_rollback(c->st), 0);
	assert_int_equal(count_rows(c, "SELECT count(*) FROM tb_devices WHERE controller = 'tb-tick'"), 0);
	/* rolled back: the publisher never installs the state of that tick */
	feature_devices.state_free(k.state);
	k.state = NULL;
	k.known = NULL;
	k.nknown = 0;
	assert_int_equal(store_begin(c->st, &cause), 0);
	feed_fixture(c, &k, "automotive.yaml", T0);
	assert_int_equal(store_commit(c->st, &cause), 0);
	assert_int_equal(count_rows(c, "SELECT count(*) FROM tb_devices WHERE controller = 'tb-tick'"), 5);
	assert_int_equal(devices_store_any(ro), 1);
	assert_true(store_data_version(ro) != v0);
	store_close(ro);
	ctl_free(&k);
}

/* A cache written before these tables existed, opened read-only, reads as empty. */
static void
test_readonly_empty(void **state)
{
	struct ctx *c = *state;
	char *path = xasprintf("%s/old.db", c->dir), *cause = NULL;
	struct store *w, *ro;
	(void)state;
	assert_int_equal(store_open(path, STORE_WRITER, &w, &cause), 0);
	store_close(w);
	assert_int_equal(store_open(path, STORE_READONLY, &ro, &cause), 0);
	assert_int_equal(devices_store_any(ro), 0);	/* no device tables */
	assert_int_equal(alert_store_has_log(ro), 0);
	struct devices_view v;
	assert_int_equal(devices_store_view(ro, NULL, &v, &cause), 0);
	assert_int_equal(v.ndevices + v.ncontrollers + v.nsectors, 0);
	devices_view_free(&v);
	struct alert_set al;
	alert_set_init(&al);
	assert_int_equal(alert_store_list(ro, NULL, 0, 0, &al, &cause), 0);
	assert_int_equal(al.n, 0);
	/* writing needs a writable cache, and says so */
	struct device_update u;
	memset(&u, 0, sizeof u);
	assert_int_equal(devices_store_put(ro, "x", NULL, "e", &u, T0, &cause), -1);
	assert_non_null(cause);
	free(cause);
	store_close(ro);
	free(path);
}

/* 10,000 devices on one controller: ingest and view times. */
static void
test_ten_thousand(void **state)
{
	struct ctx *c = *state;
	struct ctl k = { "tb-big", NULL, NULL, NULL, 0 };
	struct timespec t0, t1, t2, t3;
	struct devices_view v;
	struct devices_filter f = { 0 };

	char *y = testbed_sim_report_n("ctl-big", TESTBED_AUTOMOTIVE, 5, T0, 0, 10000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	feed(c, &k, y, strlen(y), T0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	free(y);
	y = testbed_sim_report_n("ctl-big", TESTBED_AUTOMOTIVE, 5, T0 + 2000, TESTBED_SIM_FAULT,
	    10000);
	feed(c, &k, y, strlen(y), T0 + 2000);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	free(y);
	f.controller = k.host;
	view(c, &f, &v);
	clock_gettime(CLOCK_MONOTONIC, &t3);
#define MS(a, b) ((double)((b).tv_sec - (a).tv_sec) * 1e3 + (double)((b).tv_nsec - (a).tv_nsec) / 1e6)
	printf("# 10,000 devices: first parse+ingest %.0f ms, next %.0f ms, view %.0f ms\n",
	    MS(t0, t1), MS(t1, t2), MS(t2, t3));
	assert_int_equal(v.ndevices, 10000);
	assert_int_equal(v.controllers[0].ndevices, 10000);
	assert_int_equal(k.nknown, 10000);
	devices_view_free(&v);
	ctl_free(&k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sectors_and_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silent_and_alerts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_tick, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ten_thousand, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
