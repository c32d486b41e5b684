/*
 * test_alert.c: the alert rules (alert.c): threshold levels in both
 * directions, device states and device metric thresholds (by kind and
 * generic), host state and host metrics (cpu, memory, every GPU), and the
 * diff that raises, clears and changes alerts; every metric of metrics.h
 * raised and cleared through the cache.
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

#include "opsdeck/alert.h"
#include "opsdeck/metrics.h"
#include "opsdeck/store.h"
#include "opsdeck/util.h"

static struct threshold
th(const char *metric, int has_warn, double warn, int has_crit, double crit)
{
	struct threshold t;
	memset(&t, 0, sizeof t);
	t.metric = (char *)(uintptr_t)metric;
	t.has_warn = has_warn;
	t.warn = warn;
	t.has_crit = has_crit;
	t.crit = crit;
	return t;
}

static const struct alert *
find(const struct alert_set *s, const char *device, const char *rule)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].device, device) == 0 && strcmp(s->v[i].rule, rule) == 0)
			return &s->v[i];
	return NULL;
}

static void
test_levels(void **state)
{
	double lim;
	(void)state;
	struct threshold up = th("x", 1, 80, 1, 90);
	assert_int_equal(threshold_level(&up, 79.9, &lim), ALERT_NONE);
	assert_true(isnan(lim));
	assert_int_equal(threshold_level(&up, 80, &lim), ALERT_WARN);
	assert_true(lim == 80);
	assert_int_equal(threshold_level(&up, 95, &lim), ALERT_CRIT);
	assert_true(lim == 90);
	assert_int_equal(threshold_level(&up, NAN, NULL), ALERT_NONE);
	/* warn above crit: lower is worse */
	struct threshold down = th("soc", 1, 20, 1, 10);
	assert_int_equal(threshold_level(&down, 50, NULL), ALERT_NONE);
	assert_int_equal(threshold_level(&down, 20, &lim), ALERT_WARN);
	assert_true(lim == 20);
	assert_int_equal(threshold_level(&down, 5, &lim), ALERT_CRIT);
	assert_true(lim == 10);
	/* one level only */
	struct threshold w = th("x", 1, 50, 0, 0);
	assert_int_equal(threshold_level(&w, 60, NULL), ALERT_WARN);
	assert_int_equal(threshold_level(&w, -60, NULL), ALERT_NONE);
	struct threshold c = th("x", 0, 0, 1, 50);
	assert_int_equal(threshold_level(&c, 50, NULL), ALERT_CRIT);
	assert_int_equal(threshold_level(&c, 49, NULL), ALERT_NONE);
}

static void
test_device_threshold_lookup(void **state)
{
	struct threshold t[] = {
		th("cpu.util_pct", 1, 90, 0, 0),
		th("devices.temp_c", 1, 60, 1, 70),
		th("devices.ess_monitor.temp_c", 1, 45, 1, 55),
		th("devices.ess", 1, 1, 1, 2),
	};
	(void)state;
	assert_ptr_equal(alert_device_threshold(t, 4, "ess-monitor", "temp_c"), &t[2]);
	assert_ptr_equal(alert_device_threshold(t, 4, "v2x-unit", "temp_c"), &t[1]);
	assert_null(alert_device_threshold(t, 4, "v2x-unit", "temp"));
	assert_null(alert_device_threshold(t, 4, "v2x-unit", "util_pct"));
	/* "devices.ess" is the generic metric "ess", not the kind prefix of ess-monitor */
	assert_ptr_equal(alert_device_threshold(t, 4, "k", "ess"), &t[3]);
	assert_null(alert_device_threshold(t, 1, "ess-monitor", "temp_c"));
	/* upper case and '-' in reported names */
	assert_ptr_equal(alert_device_threshold(t, 4, "ESS-Monitor", "Temp-C"), &t[2]);
	assert_ptr_equal(alert_device_threshold(t, 4, "ess-monitorx", "temp_c"), &t[1]);
}

static void
add_device(struct device *d, const char *id, const char *name, enum device_state st,
    enum device_state reported, const char *message)
{
	device_init(d);
	od_strlcpy(d->id, id, sizeof d->id);
	free(d->name);
	d->name = xstrdup(name);
	strcpy(d->kind, "ess-monitor");
	d->state = st;
	d->reported = reported;
	free(d->message);
	d->message = xstrdup(message);
}

static void
test_device_rules(void **state)
{
	struct device v[6];
	struct alert_set out;
	(void)state;
	add_device(&v[0], "ok-1", "정상 장비", DEVICE_OK, DEVICE_OK, "");
	add_device(&v[1], "ess-01", "ESS 모니터 1호기", DEVICE_FAULT, DEVICE_FAULT,
	    "cell 12 over-temperature");
	add_device(&v[2], "off-1", "off", DEVICE_OFFLINE, DEVICE_OFFLINE, "no response");
	add_device(&v[3], "gone-1", "gone", DEVICE_STALE, DEVICE_OK, "missing");
	add_device(&v[4], "unk-1", "unk", DEVICE_UNKNOWN, DEVICE_FAULT, "controller unreachable");
	add_device(&v[5], "unk-2", "unk2", DEVICE_UNKNOWN, DEVICE_OK, "controller unreachable");
	v[0].metrics = xcalloc(2, sizeof *v[0].metrics);
	v[0].nmetrics = 2;
	strcpy(v[0].metrics[0].name, "temp_c");
	strcpy(v[0].metrics[0].unit, "°C");
	v[0].metrics[0].value = 58.9;
	strcpy(v[0].metrics[1].name, "soc_pct");
	v[0].metrics[1].value = 8;
	struct threshold t[] = {
		th("devices.ess_monitor.temp_c", 1, 45, 1, 55),
		th("devices.soc_pct", 1, 20, 1, 10),
		th("cpu.util_pct", 1, 1, 1, 2),
	};

	alert_set_init(&out);
	alert_eval_devices("ctl-energy-01", v, 6, t, 3, &out);
	assert_int_equal(out.n, 6);
	const struct alert *a = find(&out, "ess-01", "device.state");
	assert_non_null(a);
	assert_int_equal(a->sev, ALERT_CRIT);
	assert_int_equal(a->source, ALERT_SRC_DEVICE);
	assert_string_equal(a->host, "ctl-energy-01");
	assert_string_equal(a->message, "ESS 모니터 1호기 (ess-01) fault: cell 12 over-temperature");
	assert_int_equal(find(&out, "off-1", "device.state")->sev, ALERT_WARN);
	assert_int_equal(find(&out, "gone-1", "device.state")->sev, ALERT_WARN);
	/* unknown keeps the alert of the last reported state, and only that */
	assert_int_equal(find(&out, "unk-1", "device.state")->sev, ALERT_CRIT);
	assert_null(find(&out, "unk-2", "device.state"));
	assert_null(find(&out, "ok-1", "device.state"));
	a = find(&out, "ok-1", "devices.ess_monitor.temp_c");
	assert_non_null(a);
	assert_int_equal(a->sev, ALERT_CRIT);
	assert_true(a->value == 58.9 && a->limit == 55);
	assert_string_equal(a->message, "정상 장비 (ok-1) temp_c 58.9 °C >= 55");
	a = find(&out, "ok-1", "devices.soc_pct");
	assert_int_equal(a->sev, ALERT_CRIT);
	assert_string_equal(a->message, "정상 장비 (ok-1) soc_pct 8 <= 10");
	alert_set_free(&out);
	for (int i = 0; i < 6; i++)
		device_free(&v[i]);
}

static void
test_host_rules(void **state)
{
	struct host_status h;
	struct alert_set out;
	(void)state;
	host_status_init(&h);
	strcpy(h.name, "gpu001");
	h.state = HOST_UP;
	h.cpu_pct = 97.5;
	h.mem_total = 100;
	h.mem_used = 85;
	h.gpus = xcalloc(2, sizeof *h.gpus);
	h.ngpus = 2;
	for (int i = 0; i < 2; i++) {
		h.gpus[i].index = i;
		h.gpus[i].util_pct = 50;
		h.gpus[i].mem_util_pct = -1;
		h.gpus[i].power_w = -1;
		h.gpus[i].temp_c = i == 0 ? 60 : 88;
	}
	struct threshold t[] = {
		th("cpu.util_pct", 1, 90, 1, 95),
		th("mem.used_pct", 1, 80, 1, 95),
		th("gpus.temp_c", 1, 80, 1, 87),
		th("devices.temp_c", 1, 1, 1, 2),
	};
	alert_set_init(&out);
	alert_eval_host(&h, t, 4, &out);
	assert_int_equal(out.n, 3);
	const struct alert *a = find(&out, "", "cpu.util_pct");
	assert_int_equal(a->sev, ALERT_CRIT);
	assert_int_equal(a->source, ALERT_SRC_HOST);
	assert_string_equal(a->message, "gpu001 cpu.util_pct 97.5 >= 95");
	assert_int_equal(find(&out, "", "mem.used_pct")->sev, ALERT_WARN);
	a = find(&out, "gpu1", "gpus.temp_c");
	assert_non_null(a);
	assert_int_equal(a->sev, ALERT_CRIT);
	assert_string_equal(a->message, "gpu001 gpu1 gpus.1.temp_c 88 >= 87");
	assert_null(find(&out, "gpu0", "gpus.temp_c"));
	alert_set_free(&out);

	/* a host that is down: crit with its error; stale: warn; connecting: none */
	h.state = HOST_DOWN;
	strcpy(h.error, "connection refused");
	h.cpu_pct = 10;
	h.mem_used = 1;
	h.gpus[1].temp_c = 40;
	alert_set_init(&out);
	alert_eval_host(&h, t, 4, &out);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.v[0].sev, ALERT_CRIT);
	assert_string_equal(out.v[0].rule, "host.state");
	assert_string_equal(out.v[0].message, "gpu001 is down: connection refused");
	alert_set_free(&out);
	h.state = HOST_STALE;
	alert_set_init(&out);
	alert_eval_host(&h, NULL, 0, &out);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.v[0].sev, ALERT_WARN);
	alert_set_free(&out);
	h.state = HOST_CONNECTING;
	alert_set_init(&out);
	alert_eval_host(&h, NULL, 0, &out);
	assert_int_equal(out.n, 0);
	alert_set_free(&out);
	host_status_free(&h);
}

static struct alert
mk(const char *device, const char *rule, enum alert_sev sev, const char *msg, int64_t id)
{
	struct alert a;
	memset(&a, 0, sizeof a);
	strcpy(a.host, "h");
	strcpy(a.device, device);
	strcpy(a.rule, rule);
	a.sev = sev;
	strcpy(a.message, msg);
	a.id = id;
	return a;
}

static void
test_diff(void **state)
{
	struct alert prev[] = {
		mk("a", "device.state", ALERT_CRIT, "a fault", 1),
		mk("b", "device.state", ALERT_WARN, "b offline", 2),
		mk("c", "devices.temp_c", ALERT_WARN, "c 61", 3),
	};
	struct alert cur[] = {
		mk("c", "devices.temp_c", ALERT_CRIT, "c 72", 0),
		mk("a", "device.state", ALERT_CRIT, "a fault", 0),
		mk("d", "device.state", ALERT_CRIT, "d fault", 0),
		mk("d", "device.state", ALERT_CRIT, "d fault", 0),	/* repeated key */
	};
	struct alert_set r, c, ch;
	(void)state;
	alert_set_init(&r);
	alert_set_init(&c);
	alert_set_init(&ch);
	alert_diff(prev, 3, cur, 4, &r, &c, &ch);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.v[0].device, "d");
	assert_int_equal(c.n, 1);
	assert_string_equal(c.v[0].device, "b");
	assert_int_equal(c.v[0].id, 2);
	assert_int_equal(ch.n, 1);
	assert_string_equal(ch.v[0].device, "c");
	assert_int_equal(ch.v[0].id, 3);
	assert_int_equal(ch.v[0].sev, ALERT_CRIT);
	alert_set_free(&r);
	alert_set_free(&c);
	alert_set_free(&ch);
	/* nothing before, nothing now */
	alert_diff(NULL, 0, NULL, 0, NULL, NULL, NULL);
	assert_string_equal(alert_sev_name(ALERT_WARN), "warn");
	assert_string_equal(alert_sev_name(ALERT_CRIT), "crit");
}

/*
 * Makes h show `value` for the metric at path (one GPU, one BMC sensor):
 * 0, or -1 when this test does not know the row (add it here).
 */
static int
set_metric(struct host_status *h, const char *path, double value)
{
	static struct gpu_sample gpu;
	static struct sensor_sample sensor;

	memset(&gpu, 0, sizeof gpu);
	gpu.util_pct = gpu.mem_util_pct = gpu.temp_c = gpu.power_w = -1;
	gpu.ecc_uncorrected = -1;
	memset(&sensor, 0, sizeof sensor);
	h->gpus = NULL;
	h->ngpus = 0;
	h->sensors = NULL;
	h->nsensors = 0;
	if (strcmp(path, "cpu.util_pct") == 0)
		h->cpu_pct = value;
	else if (strcmp(path, "mem.used_pct") == 0) {
		h->mem_total = 1000000;
		h->mem_used = (uint64_t)(value * 10000);
	} else if (strcmp(path, "mem.used_bytes") == 0) {
		h->mem_total = UINT64_C(1) << 40;
		h->mem_used = (uint64_t)value;
	} else if (strcmp(path, "mem.available_bytes") == 0) {
		h->mem_total = UINT64_C(1) << 40;
		h->mem_used = h->mem_total - (uint64_t)value;
	} else if (strcmp(path, "swap.used_pct") == 0) {
		h->swap_total = 1000000;
		h->swap_used = (uint64_t)(value * 10000);
	} else if (strcmp(path, "swap.used_bytes") == 0) {
		h->swap_total = UINT64_C(1) << 40;
		h->swap_used = (uint64_t)value;
	} else if (strncmp(path, "load.", 5) == 0)
		h->load[path[5] - '0'] = value;
	else if (strcmp(path, "net.rx_bps") == 0)
		h->net_rx_bps = value;
	else if (strcmp(path, "net.tx_bps") == 0)
		h->net_tx_bps = value;
	else if (strcmp(path, "disk.read_bps") == 0)
		h->disk_read_bps = value;
	else if (strcmp(path, "disk.write_bps") == 0)
		h->disk_write_bps = value;
	else if (strncmp(path, "gpus.", 5) == 0) {
		const char *f = path + 5;
		gpu.index = 3;
		gpu.mem_total_bytes = 1000000;
		if (strcmp(f, "util_pct") == 0)
			gpu.util_pct = value;
		else if (strcmp(f, "mem_util_pct") == 0)
			gpu.mem_util_pct = value;
		else if (strcmp(f, "mem_used_pct") == 0)
			gpu.mem_used_bytes = (uint64_t)(value * 10000);
		else if (strcmp(f, "mem_used_bytes") == 0) {
			gpu.mem_total_bytes = UINT64_C(1) << 40;
			gpu.mem_used_bytes = (uint64_t)value;
		} else if (strcmp(f, "temp_c") == 0)
			gpu.temp_c = value;
		else if (strcmp(f, "power_w") == 0)
			gpu.power_w = value;
		else if (strcmp(f, "ecc_uncorrected") == 0)
			gpu.ecc_uncorrected = (int64_t)value;
		else
			return -1;
		h->gpus = &gpu;
		h->ngpus = 1;
	} else if (strncmp(path, "sensors.", 8) == 0) {
		const char *f = path + 8;
		const char *unit = strcmp(f, "temp_c") == 0 ? "degrees C" :
		    strcmp(f, "fan_rpm") == 0 ? "RPM" : strcmp(f, "power_w") == 0 ? "Watts" : NULL;
		if (unit == NULL)
			return -1;
		od_strlcpy(sensor.name, "Probe 1", sizeof sensor.name);
		od_strlcpy(sensor.unit, unit, sizeof sensor.unit);
		sensor.value = value;
		h->sensors = &sensor;
		h->nsensors = 1;
	} else
		return -1;
	return 0;
}

/* Active alerts of host `h` on `rule` in the cache. */
static size_t
active(struct store *st, const char *rule)
{
	struct alert_set s;
	char *cause = NULL;
	size_t n = 0;

	alert_set_init(&s);
	assert_int_equal(alert_store_list(st, "h", 0, 0, &s, &cause), 0);
	for (size_t i = 0; i < s.n; i++)
		n += strcmp(s.v[i].rule, rule) == 0 && s.v[i].cleared_ms == 0;
	alert_set_free(&s);
	return n;
}

/*
 * Every metric a threshold may name raises (warn, then crit) and clears in
 * its own direction, through the one engine and the cache, as under
 * `collect` and in the console.
 */
static void
test_every_metric(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/od-alertm-XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	char *path = xasprintf("%s/cache.db", tmpl);
	struct store *st;
	char *cause = NULL;
	assert_int_equal(store_open(path, STORE_WRITER, &st, &cause), 0);
	assert_int_equal(alert_store_init(st, &cause), 0);
	size_t rows = 0;

	for (const struct metric_def *m = metric_table; m->path != NULL; m++, rows++) {
		int lower = m->dir == METRIC_LOWER_WORSE;
		struct threshold t = lower ? th(m->path, 1, 50, 1, 10) : th(m->path, 1, 50, 1, 90);
		t.lower = lower;
		const double vals[] = { lower ? 30 : 60, lower ? 5 : 95, lower ? 80 : 10 };
		const enum alert_sev want[] = { ALERT_WARN, ALERT_CRIT, ALERT_NONE };
		for (int k = 0; k < 3; k++) {
			struct host_status h;
			struct alert_set s;
			host_status_init(&h);
			od_strlcpy(h.name, "h", sizeof h.name);
			h.state = HOST_UP;
			if (set_metric(&h, m->path, vals[k]) != 0)
				fail_msg("no test case for metric %s", m->path);
			alert_set_init(&s);
			alert_eval_host(&h, &t, 1, &s);
			const struct alert *a = NULL;
			for (size_t i = 0; i < s.n; i++)
				if (strcmp(s.v[i].rule, m->path) == 0)
					a = &s.v[i];
			if (want[k] == ALERT_NONE && a != NULL)
				fail_msg("%s = %g raised %s", m->path, vals[k], a->message);
			if (want[k] != ALERT_NONE && (a == NULL || a->sev != want[k]))
				fail_msg("%s = %g: want %s, got %s", m->path, vals[k],
				    alert_sev_name(want[k]), a ? alert_sev_name(a->sev) : "none");
			assert_int_equal(alert_store_sync(st, "h", ALERT_SRC_HOST, s.v, s.n,
			    1000 + k, &cause), 0);
			assert_int_equal(active(st, m->path), want[k] == ALERT_NONE ? 0 : 1);
			alert_set_free(&s);
		}
	}
	assert_true(rows >= 20);
	store_close(st);
	char *cmd = xasprintf("rm -rf '%s'", tmpl);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_device_threshold_lookup),
		cmocka_unit_test(test_device_rules),
		cmocka_unit_test(test_host_rules),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_every_metric),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
