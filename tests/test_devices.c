/*
 * test_devices.c: the device tracker (devices.c): first reports, state
 * changes and their times, a device missing from 3 reports in a row going
 * stale, an unreachable controller's devices showing unknown (never their
 * last ok), a flapping device, 10,000 devices, the cap on tracked devices.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "opsdeck/testbed.h"
#include "opsdeck/util.h"

#define T0 1795684500000LL	/* 2026-11-26T09:15:00Z */

/* A report of n devices "d0".."d(n-1)" in state st (device i in states[i] when given). */
static void
make_report(struct testbed_report *r, size_t n, const int *states, int st)
{
	memset(r, 0, sizeof *r);
	r->schema = 1;
	strcpy(r->controller, "ctl-1");
	strcpy(r->sector, "energy");
	strcpy(r->site, "광주 에너지 실증센터");
	r->devices = xcalloc(n ? n : 1, sizeof *r->devices);
	r->ndevices = n;
	for (size_t i = 0; i < n; i++) {
		struct device *d = &r->devices[i];
		device_init(d);
		snprintf(d->id, sizeof d->id, "d%zu", i);
		free(d->name);
		d->name = xasprintf("ESS 모니터 %zu호기", i);
		strcpy(d->kind, "ess-monitor");
		d->state = d->reported = (enum device_state)(states != NULL ? states[i] : st);
	}
}

/* Replaces *known with the update's list (moves it) and frees the rest. */
static void
adopt(struct device **known, size_t *n, struct device_update *u)
{
	devices_free(*known, *n);
	*known = u->devices;
	*n = u->ndevices;
	u->devices = NULL;
	u->ndevices = 0;
	device_update_free(u);
}

static const struct device *
find(const struct device *v, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0)
			return &v[i];
	return NULL;
}

static void
test_first_report(void **state)
{
	struct testbed_report r;
	struct device_update u;
	int st[] = { DEVICE_OK, DEVICE_FAULT, DEVICE_DEGRADED };
	(void)state;
	make_report(&r, 3, st, 0);
	r.devices[1].since_ms = T0 - 60000;		/* fault since a minute ago */
	r.devices[2].since_ms = T0 + 3600000;		/* a clock an hour ahead */
	devices_track_report(NULL, 0, &r, T0, &u);
	assert_int_equal(u.ndevices, 3);
	assert_int_equal(u.ntr, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(u.tr[i].from, DEVICE_NONE);
		assert_true(u.devices[i].changed);
		assert_int_equal(u.devices[i].missed, 0);
		assert_int_equal(u.devices[i].seen_ms, T0);
	}
	const struct device *d = find(u.devices, u.ndevices, "d1");
	assert_int_equal(d->state, DEVICE_FAULT);
	assert_int_equal(d->since_ms, T0 - 60000);
	assert_string_equal(d->name, "ESS 모니터 1호기");
	assert_int_equal(u.tr[1].to, DEVICE_FAULT);
	assert_int_equal(u.tr[1].ts_ms, T0 - 60000);
	/* a time in the future is replaced by ours */
	d = find(u.devices, u.ndevices, "d2");
	assert_int_equal(d->since_ms, T0);
	assert_int_equal(u.tr[2].ts_ms, T0);
	size_t counts[DEVICE_STATE_COUNT];
	devices_count(u.devices, u.ndevices, counts);
	assert_int_equal(counts[DEVICE_OK], 1);
	assert_int_equal(counts[DEVICE_FAULT], 1);
	assert_int_equal(counts[DEVICE_DEGRADED], 1);
	device_update_free(&u);
	testbed_report_free(&r);
}

static void
test_state_change(void **state)
{
	struct testbed_report r;
	struct device_update u;
	struct device *known = NULL;
	size_t nknown = 0;
	(void)state;
	make_report(&r, 2, NULL, DEVICE_OK);
	devices_track_report(known, nknown, &r, T0, &u);
	adopt(&known, &nknown, &u);

	/* the same report: nothing changes, no transition */
	devices_track_report(known, nknown, &r, T0 + 2000, &u);
	assert_int_equal(u.ntr, 0);
	assert_false(u.devices[0].changed);
	assert_int_equal(u.devices[0].since_ms, T0);
	assert_int_equal(u.devices[0].seen_ms, T0 + 2000);
	adopt(&known, &nknown, &u);

	/* d1 goes fault with a reported time between the reports */
	r.devices[1].state = DEVICE_FAULT;
	r.devices[1].since_ms = T0 + 3000;
	free(r.devices[1].message);
	r.devices[1].message = xstrdup("cell 12 over-temperature");
	devices_track_report(known, nknown, &r, T0 + 4000, &u);
	assert_int_equal(u.ntr, 1);
	assert_string_equal(u.tr[0].device, "d1");
	assert_int_equal(u.tr[0].from, DEVICE_OK);
	assert_int_equal(u.tr[0].to, DEVICE_FAULT);
	assert_int_equal(u.tr[0].ts_ms, T0 + 3000);
	assert_string_equal(u.tr[0].message, "cell 12 over-temperature");
	assert_true(u.devices[1].changed);
	assert_false(u.devices[0].changed);
	assert_int_equal(u.devices[1].since_ms, T0 + 3000);
	adopt(&known, &nknown, &u);

	/* back to ok with a `since` before the fault: recorded at our time */
	r.devices[1].state = DEVICE_OK;
	r.devices[1].since_ms = T0 - 1000;
	devices_track_report(known, nknown, &r, T0 + 6000, &u);
	assert_int_equal(u.ntr, 1);
	assert_int_equal(u.tr[0].ts_ms, T0 + 6000);
	adopt(&known, &nknown, &u);
	devices_free(known, nknown);
	testbed_report_free(&r);
}

/* A device missing from 3 reports in a row becomes stale, and comes back. */
static void
test_stale(void **state)
{
	struct testbed_report full, partial;
	struct device_update u;
	struct device *known = NULL;
	size_t nknown = 0;
	(void)state;
	make_report(&full, 3, NULL, DEVICE_OK);
	make_report(&partial, 2, NULL, DEVICE_OK);
	strcpy(partial.devices[1].id, "d2");	/* d1 is missing */
	devices_track_report(known, nknown, &full, T0, &u);
	adopt(&known, &nknown, &u);
	for (int k = 1; k <= 3; k++) {
		devices_track_report(known, nknown, &partial, T0 + k * 1000, &u);
		const struct device *d = find(u.devices, u.ndevices, "d1");
		assert_non_null(d);
		assert_int_equal(d->missed, k);
		if (k < DEVICES_STALE_MISSED) {
			assert_int_equal(d->state, DEVICE_OK);
			assert_int_equal(u.ntr, 0);
		} else {
			assert_int_equal(d->state, DEVICE_STALE);
			assert_int_equal(d->since_ms, T0 + 3000);
			assert_int_equal(d->seen_ms, T0);
			assert_int_equal(u.ntr, 1);
			assert_int_equal(u.tr[0].from, DEVICE_OK);
			assert_int_equal(u.tr[0].to, DEVICE_STALE);
			assert_string_equal(u.tr[0].message, "missing from the last 3 reports");
		}
		adopt(&known, &nknown, &u);
	}
	/* a fourth miss: still stale, no new transition */
	devices_track_report(known, nknown, &partial, T0 + 4000, &u);
	assert_int_equal(u.ntr, 0);
	adopt(&known, &nknown, &u);
	/* it comes back */
	devices_track_report(known, nknown, &full, T0 + 5000, &u);
	assert_int_equal(u.ntr, 1);
	assert_int_equal(u.tr[0].from, DEVICE_STALE);
	assert_int_equal(u.tr[0].to, DEVICE_OK);
	assert_int_equal(find(u.devices, u.ndevices, "d1")->missed, 0);
	adopt(&known, &nknown, &u);
	devices_free(known, nknown);
	testbed_report_free(&full);
	testbed_report_free(&partial);
}

/* A controller that goes silent: its devices show unknown, never their last ok. */
static void
test_unreachable(void **state)
{
	struct testbed_report r;
	struct device_update u;
	struct device *known = NULL;
	size_t nknown = 0;
	int st[] = { DEVICE_OK, DEVICE_FAULT, DEVICE_MAINTENANCE };
	(void)state;
	make_report(&r, 3, st, 0);
	devices_track_report(known, nknown, &r, T0, &u);
	adopt(&known, &nknown, &u);

	devices_track_unknown(known, nknown, T0 + 10000, "connection timed out", &u);
	assert_int_equal(u.ndevices, 3);
	assert_int_equal(u.ntr, 3);
	for (size_t i = 0; i < u.ndevices; i++) {
		const struct device *d = &u.devices[i];
		assert_int_equal(d->state, DEVICE_UNKNOWN);
		assert_int_equal(d->reported, st[i]);	/* kept for the next change */
		assert_int_equal(d->since_ms, T0 + 10000);
		assert_string_equal(d->message, "controller unreachable: connection timed out");
		assert_int_equal(u.tr[i].to, DEVICE_UNKNOWN);
		assert_int_equal(u.tr[i].from, st[i]);
		assert_int_equal(d->missed, 0);
	}
	adopt(&known, &nknown, &u);
	/* still unreachable: no new transitions, nothing to store */
	devices_track_unknown(known, nknown, T0 + 20000, "connection timed out", &u);
	assert_int_equal(u.ntr, 0);
	for (size_t i = 0; i < u.ndevices; i++)
		assert_false(u.devices[i].changed);
	adopt(&known, &nknown, &u);
	/* a different reason updates the message only */
	devices_track_unknown(known, nknown, T0 + 21000, "line 8, column 15: bad\x1b[2J", &u);
	assert_int_equal(u.ntr, 0);
	assert_true(u.devices[0].changed);
	assert_null(strchr(u.devices[0].message, 0x1b));
	adopt(&known, &nknown, &u);
	/* it answers again: unknown -> reported, each device */
	devices_track_report(known, nknown, &r, T0 + 30000, &u);
	assert_int_equal(u.ntr, 3);
	for (size_t i = 0; i < u.ndevices; i++) {
		assert_int_equal(u.tr[i].from, DEVICE_UNKNOWN);
		assert_int_equal(u.tr[i].to, st[i]);
		assert_int_equal(u.devices[i].state, st[i]);
	}
	adopt(&known, &nknown, &u);
	devices_free(known, nknown);
	testbed_report_free(&r);
	/* nothing known yet: nothing to mark */
	devices_track_unknown(NULL, 0, T0, NULL, &u);
	assert_int_equal(u.ndevices, 0);
	device_update_free(&u);
}

/* A device that flaps between ok and fault: every change is recorded with its time. */
static void
test_flapping(void **state)
{
	struct testbed_report r;
	struct device_update u;
	struct device *known = NULL;
	size_t nknown = 0;
	size_t ntr = 0;
	(void)state;
	make_report(&r, 4, NULL, DEVICE_OK);
	for (int k = 0; k < 20; k++) {
		r.devices[2].state = k % 2 ? DEVICE_FAULT : DEVICE_OK;
		r.devices[2].since_ms = T0 + k * 1000 - 500;
		devices_track_report(known, nknown, &r, T0 + k * 1000, &u);
		if (k > 0) {
			assert_int_equal(u.ntr, 1);
			assert_int_equal(u.tr[0].ts_ms, T0 + k * 1000 - 500);
			assert_int_equal(u.tr[0].to, k % 2 ? DEVICE_FAULT : DEVICE_OK);
			ntr++;
		}
		adopt(&known, &nknown, &u);
	}
	assert_int_equal(ntr, 19);
	devices_free(known, nknown);
	testbed_report_free(&r);
}

/* 10,000 devices on one controller, tracked twice, in well under a second. */
static void
test_ten_thousand(void **state)
{
	struct testbed_report r;
	struct device_update u;
	struct device *known = NULL;
	size_t nknown = 0;
	(void)state;
	make_report(&r, 10000, NULL, DEVICE_OK);
	/* report order is not id order */
	for (size_t i = 0; i < 5000; i++) {
		struct device t = r.devices[i];
		r.devices[i] = r.devices[9999 - i];
		r.devices[9999 - i] = t;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	devices_track_report(known, nknown, &r, T0, &u);
	adopt(&known, &nknown, &u);
	r.devices[17].state = DEVICE_FAULT;
	devices_track_report(known, nknown, &r, T0 + 1000, &u);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# 10,000 devices tracked twice in %.1f ms\n",
	    (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	assert_int_equal(u.ndevices, 10000);
	assert_int_equal(u.ntr, 1);
	assert_string_equal(u.tr[0].device, r.devices[17].id);
	for (size_t i = 1; i < u.ndevices; i++)
		assert_true(strcmp(u.devices[i - 1].id, u.devices[i].id) < 0);
	adopt(&known, &nknown, &u);
	devices_free(known, nknown);
	testbed_report_free(&r);
}

/* Past DEVICES_MAX_TRACKED the stale devices missing longest are dropped. */
static void
test_cap(void **state)
{
	struct device *prev;
	size_t n = DEVICES_MAX_TRACKED + 5;
	struct testbed_report r;
	struct device_update u;
	(void)state;
	prev = xcalloc(n, sizeof *prev);
	for (size_t i = 0; i < n; i++) {
		device_init(&prev[i]);
		snprintf(prev[i].id, sizeof prev[i].id, "p%06zu", i);
		strcpy(prev[i].kind, "k");
		prev[i].state = i < 10 ? DEVICE_STALE : DEVICE_OK;
		prev[i].missed = i < 10 ? (int)(100 + i) : 0;
	}
	make_report(&r, 0, NULL, DEVICE_OK);
	devices_track_report(prev, n, &r, T0, &u);
	/* every ok device missed once; the 5 stale ones missing longest are gone */
	assert_int_equal(u.ndevices, DEVICES_MAX_TRACKED);
	assert_int_equal(u.nremoved, 5);
	for (size_t i = 0; i < 5; i++) {
		char want[16];
		snprintf(want, sizeof want, "p%06zu", 5 + i);
		assert_string_equal(u.removed[i], want);
	}
	assert_non_null(find(u.devices, u.ndevices, "p000004"));
	device_update_free(&u);
	devices_free(prev, n);
	testbed_report_free(&r);
}

static void
test_names(void **state)
{
	(void)state;
	for (int s = 0; s < DEVICE_STATE_COUNT; s++)
		assert_int_equal(device_state_parse(device_state_name(s)), s);
	assert_string_equal(device_state_name(DEVICE_NONE), "none");
	assert_int_equal(device_state_parse("broken"), -1);
	assert_true(device_state_rank(DEVICE_FAULT) < device_state_rank(DEVICE_OFFLINE));
	assert_true(device_state_rank(DEVICE_STALE) < device_state_rank(DEVICE_OK));
	assert_int_equal(testbed_sector_parse("healthcare"), TESTBED_HEALTHCARE);
	assert_int_equal(testbed_sector_parse("space"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_report),
		cmocka_unit_test(test_state_change),
		cmocka_unit_test(test_stale),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_flapping),
		cmocka_unit_test(test_ten_thousand),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
