/*
 * test_expo.c: the Prometheus exposition (expo.c) of statuses built from
 * real probe output (tests/fixtures/linux, nvidia, ipmi): the values of
 * node_exporter's and dcgm-exporter's names, label escaping, families kept
 * together, the OpenMetrics form and the Accept header negotiation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/expo.h"
#include "opsdeck/hoststate.h"
#include "opsdeck/util.h"

/* Parses fixture DIR/NAME with probe p into r. */
static void
parse_fixture(const struct probe *p, const char *dir, const char *name, struct host_report *r)
{
	const char *top = getenv("FIXTURES");
	char *path = xasprintf("%s/%s/%s", top != NULL ? top : "tests/fixtures", dir, name);
	char *data, *cause = NULL;
	size_t len;
	if (read_file(path, 1 << 22, &data, &len, &cause) != 0)
		fail_msg("%s", cause);
	if (p->parse(data, len, r, &cause) != 0)
		fail_msg("%s: %s", name, cause);
	free(data);
	free(path);
}

/* A status from vm-2core-a then -b (plus 8 H100s and a Dell's sensors). */
static void
fixture_status(struct host_status *h, const char *name, const char *group)
{
	struct host_report a, b;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	parse_fixture(&probe_linux, "linux", "vm-2core-a.txt", &a);
	parse_fixture(&probe_linux, "linux", "vm-2core-b.txt", &b);
	parse_fixture(&probe_nvidia, "nvidia", "h100-8gpu.csv", &b);
	parse_fixture(&probe_ipmi, "ipmi", "dell-r750.txt", &b);
	host_status_init(h);
	od_strlcpy(h->name, name, sizeof h->name);
	od_strlcpy(h->group, group, sizeof h->group);
	h->state = HOST_UP;
	h->sample_ms = 1765000000000;
	host_status_from_reports(h, &a, &b, 2000, HS_COUNTERS);
	report_free(&a);
	report_free(&b);
}

static char *
render(const struct host_status *v, size_t n, enum expo_format f)
{
	struct expo_input in;
	memset(&in, 0, sizeof in);
	in.hosts = v;
	in.nhosts = n;
	size_t len;
	char *s = expo_render(&in, f, &len);
	assert_int_equal(strlen(s), len);
	return s;
}

static void
assert_has(const char *text, const char *line)
{
	char *want = xasprintf("\n%s\n", line);
	if (strstr(text, want) == NULL)
		fail_msg("missing line: %s", line);
	free(want);
}

static size_t
count(const char *text, const char *needle)
{
	size_t n = 0;
	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void
test_node_exporter_names(void **state)
{
	(void)state;
	struct host_status h;
	fixture_status(&h, "vm1", "edge");
	char *s = render(&h, 1, EXPO_TEXT);

	/* cpu0 of vm-2core-b.txt: user 1486 jiffies; MemTotal 24684096 kB. */
	assert_has(s, "node_cpu_seconds_total{instance=\"vm1\",group=\"edge\",cpu=\"0\","
	    "mode=\"user\"} 14.86");
	assert_has(s, "node_cpu_seconds_total{instance=\"vm1\",group=\"edge\",cpu=\"0\","
	    "mode=\"idle\"} 473.45");
	assert_int_equal(count(s, "node_cpu_seconds_total{"), 2 * 8);
	assert_has(s, "node_memory_MemTotal_bytes{instance=\"vm1\",group=\"edge\"} 25276514304");
	assert_has(s, "node_memory_MemAvailable_bytes{instance=\"vm1\",group=\"edge\"} 24860721152");
	assert_has(s, "node_network_receive_bytes_total{instance=\"vm1\",group=\"edge\","
	    "device=\"eth0\"} 22770534");
	assert_has(s, "node_disk_read_bytes_total{instance=\"vm1\",group=\"edge\","
	    "device=\"vda\"} 1433986048");
	assert_has(s, "opsdeck_host_up{instance=\"vm1\",group=\"edge\"} 1");
	assert_has(s, "opsdeck_host_state{instance=\"vm1\",group=\"edge\",state=\"up\"} 1");
	assert_has(s, "opsdeck_host_state{instance=\"vm1\",group=\"edge\",state=\"down\"} 0");
	assert_has(s, "# TYPE node_cpu_seconds_total counter");
	/* Eight H100s, with dcgm-exporter's labels; FB in MiB. */
	assert_int_equal(count(s, "\nDCGM_FI_DEV_GPU_UTIL{"), 8);
	assert_has(s, "DCGM_FI_DEV_FB_USED{instance=\"vm1\",group=\"edge\",gpu=\"0\","
	    "UUID=\"GPU-4c3b2a1f-0e9d-8c7b-6a59-483726150f4e\",modelName=\"NVIDIA H100 80GB HBM3\"} "
	    "62345");
	assert_has(s, "DCGM_FI_DEV_POWER_USAGE{instance=\"vm1\",group=\"edge\",gpu=\"0\","
	    "UUID=\"GPU-4c3b2a1f-0e9d-8c7b-6a59-483726150f4e\",modelName=\"NVIDIA H100 80GB HBM3\"} "
	    "687.23");
	assert_has(s, "ipmi_fan_speed_rpm{instance=\"vm1\",group=\"edge\",id=\"0\",name=\"Fan1A\"} "
	    "5880");
	assert_null(strstr(s, "# EOF"));
	free(s);
	host_status_free(&h);
}

/* Every family's samples follow its # TYPE line, and no family comes twice. */
static void
check_families(const char *s, int om)
{
	char cur[128] = "";
	char seen[64][128];
	size_t nseen = 0;
	const char *p = s;
	while (*p != '\0') {
		const char *e = strchr(p, '\n');
		assert_non_null(e);
		if (strncmp(p, "# TYPE ", 7) == 0) {
			size_t n = strcspn(p + 7, " ");
			assert_true(n < sizeof cur);
			memcpy(cur, p + 7, n);
			cur[n] = '\0';
			for (size_t i = 0; i < nseen; i++)
				assert_string_not_equal(seen[i], cur);
			assert_true(nseen < 64);
			strcpy(seen[nseen++], cur);
		} else if (p[0] != '#') {
			size_t n = strcspn(p, "{ ");
			size_t c = strlen(cur);
			/* the family, or (OpenMetrics counters) the family + _total */
			assert_true(n == c || (om && n == c + 6 && strncmp(p + c, "_total", 6) == 0));
			assert_memory_equal(p, cur, c);
		}
		p = e + 1;
	}
}

static void
test_families_and_openmetrics(void **state)
{
	(void)state;
	struct host_status v[3];
	fixture_status(&v[0], "a", "g1");
	fixture_status(&v[1], "b", "g1");
	fixture_status(&v[2], "c", "g2");
	v[2].state = HOST_TIMEOUT;

	char *t = render(v, 3, EXPO_TEXT);
	check_families(t, 0);
	assert_has(t, "opsdeck_host_up{instance=\"c\",group=\"g2\"} 0");
	assert_int_equal(count(t, "state=\"timeout\"} 1"), 1);
	assert_int_equal(count(t, "} 1\n") > 0, 1);

	char *o = render(v, 3, EXPO_OPENMETRICS);
	check_families(o, 1);
	size_t n = strlen(o);
	assert_true(n > 6);
	assert_string_equal(o + n - 6, "# EOF\n");
	assert_non_null(strstr(o, "\n# TYPE node_cpu_seconds counter\n"));
	assert_null(strstr(o, "# TYPE node_cpu_seconds_total"));
	assert_non_null(strstr(o, "\nnode_cpu_seconds_total{instance=\"a\""));
	free(t);
	free(o);
	for (int i = 0; i < 3; i++)
		host_status_free(&v[i]);
}

static void
test_escaping_and_other_series(void **state)
{
	(void)state;
	struct host_status h;
	host_status_init(&h);
	od_strlcpy(h.name, "n1", sizeof h.name);
	od_strlcpy(h.group, "a\"b\\c\nd", sizeof h.group);
	h.state = HOST_DOWN;
	struct expo_device d = { "ctl1", "dev\"1", "laser", "s1", "fault" };
	struct expo_budget b[2] = { { "p1", NULL, 1000000000000, 5 },
				    { "p1", "i1", 400, -3 } };
	struct expo_tenant t = { "lab", 12.5, 100 };
	struct expo_input in = { &h, 1, &d, 1, b, 2, &t, 1 };
	size_t len;
	char *s = expo_render(&in, EXPO_TEXT, &len);
	assert_has(s, "opsdeck_host_up{instance=\"n1\",group=\"a\\\"b\\\\c\\nd\"} 0");
	assert_has(s, "opsdeck_device_state{controller=\"ctl1\",device=\"dev\\\"1\",kind=\"laser\","
	    "sector=\"s1\",state=\"fault\"} 1");
	assert_has(s, "opsdeck_budget_allocated_won{programme=\"p1\"} 1000000000000");
	assert_has(s, "opsdeck_budget_spent_won{programme=\"p1\",item=\"i1\"} -3");
	assert_has(s, "opsdeck_tenant_gpu_used_seconds{tenant=\"lab\"} 45000");
	assert_has(s, "opsdeck_tenant_gpu_allocated_seconds{tenant=\"lab\"} 360000");
	/* No figures for a host that never reported: no node_ series for it. */
	assert_null(strstr(s, "node_memory_MemTotal_bytes{"));
	free(s);
	host_status_free(&h);
}

/*
 * Copies of a status built from reports share its arrays (no copy at every
 * tick): each copy outlives the others, and writing to one (set_metric,
 * through host_status_unshare) leaves the others as they were.
 */
static void
test_status_copies_share(void **state)
{
	(void)state;
	struct host_status h, a, b;
	fixture_status(&h, "vm1", "edge");
	char *before = render(&h, 1, EXPO_TEXT);
	host_status_copy(&a, &h);
	host_status_copy(&b, &a);
	assert_ptr_equal(a.counters, h.counters);
	assert_ptr_equal(b.gpus, h.gpus);
	assert_ptr_equal(b.sensors, h.sensors);
	host_status_free(&h);
	char *s = render(&a, 1, EXPO_TEXT);
	assert_string_equal(s, before);
	free(s);
	double a_util1 = a.gpus[1].util_pct;
	assert_int_equal(host_status_set_metric(&b, "gpus.0.util_pct", 12), 0);
	assert_true(b.gpus != a.gpus && b.counters != a.counters);
	assert_true(b.gpus[0].util_pct == 12 && a.gpus[0].util_pct != 12);
	host_status_free(&a);
	assert_true(b.gpus[1].util_pct == a_util1);	/* b owns what it read */
	host_status_copy(&a, &b);	/* an unshared status: a deep copy */
	assert_true(a.gpus != b.gpus);
	host_status_free(&a);
	host_status_free(&b);
	free(before);
}

static void
test_negotiate(void **state)
{
	(void)state;
	/* What Prometheus 2.42 sends (scrape.go acceptHeader). */
	assert_int_equal(expo_negotiate("application/openmetrics-text;version=1.0.0,"
	    "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,"
	    "*/*;q=0.1"), EXPO_OPENMETRICS);
	assert_int_equal(expo_negotiate("text/plain;version=0.0.4"), EXPO_TEXT);
	assert_int_equal(expo_negotiate(NULL), EXPO_TEXT);
	assert_int_equal(expo_negotiate("*/*"), EXPO_TEXT);
	assert_int_equal(expo_negotiate("application/openmetrics-text; q=0"), EXPO_TEXT);
	assert_int_equal(expo_negotiate("text/plain, application/openmetrics-text; q=0.3"),
	    EXPO_OPENMETRICS);
	assert_non_null(strstr(expo_content_type(EXPO_TEXT), "version=0.0.4"));
	assert_non_null(strstr(expo_content_type(EXPO_OPENMETRICS), "openmetrics-text"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_exporter_names),
		cmocka_unit_test(test_families_and_openmetrics),
		cmocka_unit_test(test_escaping_and_other_series),
		cmocka_unit_test(test_negotiate),
		cmocka_unit_test(test_status_copies_share),
	};
	return cmocka_run_group_tests_name("expo", tests, NULL, NULL);
}
