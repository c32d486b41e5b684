/*
 * test_promapi.c: the readers of the Prometheus HTTP API (promapi.c) on
 * answers captured from a real Prometheus 2.42 scraping a real node_exporter
 * 1.5 and opsdeck's own exporter (tests/fixtures/promapi/README), and on
 * broken, deep and huge JSON; the PromQL of each figure with and without a
 * selector; and answers filed into host statuses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/promapi.h"
#include "opsdeck/util.h"

static char *
fixture(const char *name, size_t *len)
{
	const char *top = getenv("FIXTURES");
	char *path = xasprintf("%s/promapi/%s", top != NULL ? top : "tests/fixtures", name);
	char *data, *cause = NULL;
	if (read_file(path, PROMAPI_MAX_BYTES, &data, len, &cause) != 0)
		fail_msg("%s", cause);
	free(path);
	return data;
}

/* Parses fixture name; it must succeed. */
static void
parse_ok(const char *name, struct prom_vector *v)
{
	size_t len;
	char *data = fixture(name, &len), *cause = NULL;
	if (promapi_parse_vector(data, len, v, &cause) != 0)
		fail_msg("%s: %s", name, cause);
	assert_null(cause);
	free(data);
}

/* Parses text; it must fail with a cause containing want. */
static void
parse_err(const char *text, size_t len, const char *want)
{
	struct prom_vector v;
	char *cause = NULL;
	assert_int_equal(promapi_parse_vector(text, len, &v, &cause), -1);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("cause '%s' lacks '%s'", cause, want);
	assert_null(v.v);
	assert_int_equal(v.n, 0);
	free(cause);
}

static void
test_vectors(void **state)
{
	(void)state;
	struct prom_vector v;

	parse_ok("up.json", &v);
	assert_int_equal(v.n, 3);
	assert_string_equal(v.v[0].instance, "127.0.0.1:19100");
	assert_true(v.v[0].value == 1);
	assert_string_equal(v.v[2].instance, "127.0.0.1:19999");
	assert_true(v.v[2].value == 0);
	prom_vector_free(&v);

	parse_ok("memtotal.json", &v);
	assert_int_equal(v.n, 1);
	assert_true(v.v[0].value == 25276157952.0);
	prom_vector_free(&v);

	parse_ok("cpu.json", &v);
	assert_int_equal(v.n, 1);
	assert_true(fabs(v.v[0].value - 98.98351666666679) < 1e-9);
	prom_vector_free(&v);

	parse_ok("empty.json", &v);
	assert_int_equal(v.n, 0);
	prom_vector_free(&v);

	parse_ok("dcgm_util.json", &v);
	assert_int_equal(v.n, 8);
	assert_string_equal(v.v[0].instance, "127.0.9.1");
	assert_string_equal(v.v[0].gpu, "1");
	assert_string_equal(v.v[0].uuid, "GPU-08e25466-e4d3-c73b-60e1-26928851c878");
	assert_string_equal(v.v[0].model, "NVIDIA H100 80GB HBM3");
	prom_vector_free(&v);
}

static void
test_errors(void **state)
{
	(void)state;
	size_t len;
	char *data = fixture("error_parse.json", &len);
	/* Prometheus's own error, as it said it */
	parse_err(data, len, "bad_data: invalid parameter \"query\": 1:4: parse error");
	free(data);

	data = fixture("up.json", &len);
	parse_err(data, len / 2, "not JSON");
	free(data);
	static const char *const bad[][2] = {
		{ "", "not JSON" },
		{ "[]", "no \"status\"" },
		{ "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}",
		  "not an instant vector: resultType: matrix" },
		{ "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\"}}", "no \"result\"" },
		{ "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
		  "[{\"metric\":{},\"value\":[1,2]}]}}", "sample 1" },
		{ "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
		  "[{\"metric\":{},\"value\":[1,\"12abc\"]}]}}", "sample 1" },
		{ "{\"status\":\"error\",\"errorType\":\"timeout\",\"error\":\"x\\u001b[31mred\"}",
		  "timeout: x" },
	};
	for (size_t i = 0; i < OD_ARRAY_LEN(bad); i++)
		parse_err(bad[i][0], strlen(bad[i][0]), bad[i][1]);

	/* an escape sequence in the server's message does not reach the screen */
	struct prom_vector v;
	char *cause = NULL;
	promapi_parse_vector(bad[6][0], strlen(bad[6][0]), &v, &cause);
	assert_null(strchr(cause, 0x1b));
	free(cause);

	/* deep nesting is refused before yajl (whose tree frees recursively) */
	size_t n = 1000000;
	char *deep = xmalloc(n);
	memset(deep, '[', n);
	parse_err(deep, n, "nested over 32 deep");
	free(deep);
	/* a NUL byte, and an answer over the cap */
	parse_err("{\"status\"\0}", 11, "NUL");
	parse_err("x", (size_t)PROMAPI_MAX_BYTES + 1, "over 16 MiB");
}

static void
test_queries(void **state)
{
	(void)state;
	char *q = promapi_query(PF_UP, "{job=\"node\"}");
	assert_string_equal(q, "up{job=\"node\"}");
	free(q);
	q = promapi_query(PF_UP, NULL);
	assert_string_equal(q, "up and on (job) group by (job) (node_uname_info)");
	free(q);
	q = promapi_query(PF_CPU, "{job=\"node\",dc=\"a\"}");
	assert_string_equal(q, "100 * (1 - avg by (instance) "
	    "(rate(node_cpu_seconds_total{mode=\"idle\",job=\"node\",dc=\"a\"}[1m])))");
	free(q);
	q = promapi_query(PF_CPU, NULL);
	assert_string_equal(q, "100 * (1 - avg by (instance) "
	    "(rate(node_cpu_seconds_total{mode=\"idle\"}[1m])))");
	free(q);
	q = promapi_query(PF_MEM_TOTAL, "{}");
	assert_string_equal(q, "node_memory_MemTotal_bytes{}");
	free(q);
	/* dcgm-exporter is a job of its own: no selector */
	q = promapi_query(PF_GPU_UTIL, "{job=\"node\"}");
	assert_string_equal(q, "DCGM_FI_DEV_GPU_UTIL");
	free(q);
}

static void
apply_fixture(struct prom_fleet *fl, enum prom_field f, const char *name)
{
	struct prom_vector v;
	parse_ok(name, &v);
	prom_fleet_apply(fl, f, &v);
	prom_vector_free(&v);
}

static int
not_19464(const char *name, void *arg)
{
	(void)arg;
	return strstr(name, ":19464") == NULL;
}

static void
test_fleet(void **state)
{
	(void)state;
	struct prom_vector up;
	struct prom_fleet fl;

	parse_ok("up.json", &up);
	prom_fleet_init(&fl, &up, 100, "site", 1234, not_19464, NULL);
	assert_int_equal(fl.n, 2);	/* :19464 left out by keep */
	apply_fixture(&fl, PF_CPU, "cpu.json");
	apply_fixture(&fl, PF_CORES, "cores.json");
	apply_fixture(&fl, PF_MEM_TOTAL, "memtotal.json");
	apply_fixture(&fl, PF_MEM_AVAIL, "memavail.json");
	apply_fixture(&fl, PF_LOAD1, "load1.json");
	apply_fixture(&fl, PF_UPTIME, "uptime.json");
	apply_fixture(&fl, PF_DISK_READ, "disk_read.json");
	apply_fixture(&fl, PF_NET_RX, "net_rx.json");
	prom_fleet_finish(&fl);

	const struct host_status *h = &fl.hosts[0];
	assert_string_equal(h->name, "127.0.0.1:19100");
	assert_string_equal(h->group, "site");
	assert_int_equal(h->state, HOST_UP);
	assert_int_equal(h->sample_ms, 1234);
	assert_int_equal(h->cores, 2);
	assert_true(fabs(h->cpu_pct - 98.98351666666679) < 1e-9);
	assert_true(h->mem_total == 25276157952ULL);
	assert_true(h->mem_used == 25276157952ULL - 24307269632ULL);
	assert_true(h->load[0] == 3.68);
	assert_true(h->load[1] < 0);	/* not asked: unknown */
	assert_true(fabs(h->uptime_s - 3984.2780001163483) < 1e-9);
	assert_true(fabs(h->disk_read_bps - 5796.477155555555) < 1e-6);
	assert_true(h->net_rx_bps < 0);	/* an empty answer: unknown */
	const struct host_status *d = &fl.hosts[1];
	assert_string_equal(d->name, "127.0.0.1:19999");
	assert_int_equal(d->state, HOST_DOWN);
	assert_non_null(strstr(d->error, "up is 0"));
	assert_true(d->mem_total == 0);	/* nothing known of it */
	prom_fleet_free(&fl);

	/* the cap: at most max instances, the rest counted */
	prom_fleet_init(&fl, &up, 1, "site", 0, NULL, NULL);
	assert_int_equal(fl.n, 1);
	assert_int_equal(fl.over, 2);
	prom_fleet_free(&fl);
	prom_vector_free(&up);
}

/* dcgm-exporter's series join the host of the same address on another port. */
static void
test_gpus_join(void **state)
{
	(void)state;
	struct prom_sample s[2];
	memset(s, 0, sizeof s);
	strcpy(s[0].instance, "127.0.9.1:9100");
	s[0].value = 1;
	strcpy(s[1].instance, "127.0.9.2:9100");
	s[1].value = 1;
	struct prom_vector up = { s, 2 };
	struct prom_fleet fl;
	prom_fleet_init(&fl, &up, 10, "g", 0, NULL, NULL);
	apply_fixture(&fl, PF_GPU_UTIL, "dcgm_util.json");
	apply_fixture(&fl, PF_GPU_FB_USED, "dcgm_fb_used.json");
	prom_fleet_finish(&fl);
	const struct host_status *h = &fl.hosts[0];
	assert_int_equal(h->ngpus, 8);
	assert_int_equal(fl.hosts[1].ngpus, 0);
	int seen = 0;
	for (int i = 0; i < h->ngpus; i++) {
		const struct gpu_sample *g = &h->gpus[i];
		assert_string_equal(g->name, "NVIDIA H100 80GB HBM3");
		assert_true(g->util_pct >= 0 && g->util_pct <= 100);
		assert_true(g->mem_used_bytes > 0 && g->mem_used_bytes % (1 << 20) == 0);
		assert_true(g->mem_total_bytes == -1);	/* FB_FREE not asked: unknown */
		if (g->index == 1) {
			seen = 1;
			assert_string_equal(g->uuid, "GPU-08e25466-e4d3-c73b-60e1-26928851c878");
			assert_true(g->util_pct == 93);
			assert_true(g->mem_used_bytes == 72817ULL << 20);
		}
	}
	assert_true(seen);
	prom_fleet_free(&fl);
}

/* A range answer of the fixtures: parses, n series; returns them (caller frees). */
static struct prom_matrix
matrix_ok(const char *name, size_t nseries)
{
	size_t len;
	char *data = fixture(name, &len), *cause = NULL;
	struct prom_matrix m;
	int rc = promapi_parse_matrix(data, len, &m, &cause);
	if (rc != 0)
		fprintf(stderr, "# %s: %s\n", name, cause);
	assert_int_equal(rc, 0);
	assert_int_equal(m.n, nseries);
	free(data);
	return m;
}

static void
test_matrix(void **state)
{
	(void)state;
	struct prom_matrix m = matrix_ok("range_mem.json", 1);
	assert_string_equal(m.s[0].instance, "127.0.0.1:19100");
	assert_int_equal(m.s[0].n, 9);
	assert_int_equal(m.bad, 0);
	assert_true(m.s[0].pts[0].ts_ms == 1796569924000LL);
	assert_true(m.s[0].pts[0].value > 4.004011 && m.s[0].pts[0].value < 4.004012);
	for (size_t i = 1; i < m.s[0].n; i++)
		assert_true(m.s[0].pts[i].ts_ms == m.s[0].pts[i - 1].ts_ms + 2000);
	prom_matrix_free(&m);

	m = matrix_ok("range_cpu.json", 1);
	assert_true(m.s[0].pts[8].ts_ms == 1796569940000LL && m.s[0].pts[8].value == 100);
	prom_matrix_free(&m);

	/* fractional timestamps (step 1.5 s from .25) */
	m = matrix_ok("range_load_frac.json", 1);
	assert_true(m.s[0].pts[0].ts_ms == 1796569936250LL);
	assert_true(m.s[0].pts[1].ts_ms == 1796569937750LL);
	assert_true(m.s[0].pts[3].value == 15.44);
	prom_matrix_free(&m);

	m = matrix_ok("range_gpu_none.json", 0);
	prom_matrix_free(&m);

	/* Prometheus's own refusal, and an instant answer where a range was asked */
	size_t len;
	char *data = fixture("range_too_many.json", &len), *cause = NULL;
	assert_int_equal(promapi_parse_matrix(data, len, &m, &cause), -1);
	assert_non_null(strstr(cause, "bad_data: exceeded maximum resolution of 11,000 points"));
	free(cause);
	free(data);
	data = fixture("up.json", &len);
	cause = NULL;
	assert_int_equal(promapi_parse_matrix(data, len, &m, &cause), -1);
	assert_non_null(strstr(cause, "not a range matrix: resultType: vector"));
	free(cause);
	free(data);

	/* a bad point or series costs only itself; NaN is kept (a gap when drawn) */
	static const char mixed[] = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
	    "\"result\":[{\"metric\":{\"instance\":\"a:1\"},\"values\":[[10,\"1\"],[11,\"x\"],"
	    "[\"12\",\"3\"],[13],[9,\"4\"],[14,\"NaN\"],[15,\"5\"]]},{\"metric\":7},"
	    "{\"metric\":{\"instance\":\"b\\u001b[2J\",\"gpu\":\"3\"},\"values\":[[1,\"2\"]]}]}}";
	cause = NULL;
	assert_int_equal(promapi_parse_matrix(mixed, sizeof mixed - 1, &m, &cause), 0);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.s[0].n, 3);		/* 10, 14 (NaN), 15 */
	assert_true(m.s[0].pts[0].ts_ms == 10000 && m.s[0].pts[0].value == 1);
	assert_true(m.s[0].pts[1].ts_ms == 14000 && isnan(m.s[0].pts[1].value));
	assert_true(m.s[0].pts[2].ts_ms == 15000 && m.s[0].pts[2].value == 5);
	assert_int_equal(m.bad, 5);	/* "x", "12", [13], 9 (out of order), series 7 */
	assert_null(strchr(m.s[1].instance, 0x1b));
	assert_string_equal(m.s[1].gpu, "3");
	prom_matrix_free(&m);
}

static void
test_graph_queries(void **state)
{
	(void)state;
	char *q = promapi_graph_query(PG_CPU, "{job=\"node\"}", "10.0.0.5:9100", 36);
	assert_string_equal(q, "100 * (1 - avg by (instance) (rate(node_cpu_seconds_total"
	    "{mode=\"idle\",job=\"node\",instance=\"10.0.0.5:9100\"}[72s])))");
	free(q);
	q = promapi_graph_query(PG_MEM, NULL, "n1:9100", 10);
	assert_string_equal(q, "100 * (1 - node_memory_MemAvailable_bytes{instance=\"n1:9100\"} /"
	    " node_memory_MemTotal_bytes{instance=\"n1:9100\"})");
	free(q);
	/* the same address on dcgm-exporter's port: the dots are literal */
	q = promapi_graph_query(PG_GPU_UTIL, "{job=\"node\"}", "10.0.0.5:9100", 36);
	assert_string_equal(q, "DCGM_FI_DEV_GPU_UTIL{instance=~\"10\\\\.0\\\\.0\\\\.5(:[0-9]+)?\"}");
	free(q);
	/* an instance from the server cannot close the string or add a matcher */
	q = promapi_graph_query(PG_MEM, NULL, "x\"} or vector(1) or up{a=\"\\", 10);
	assert_string_equal(q, "100 * (1 - node_memory_MemAvailable_bytes{instance=\"x\\\"} or "
	    "vector(1) or up{a=\\\"\\\\\"} / node_memory_MemTotal_bytes{instance=\"x\\\"} or "
	    "vector(1) or up{a=\\\"\\\\\"})");
	free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_queries),
		cmocka_unit_test(test_fleet),
		cmocka_unit_test(test_gpus_join),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_graph_queries),
	};
	return cmocka_run_group_tests_name("promapi", tests, NULL, NULL);
}
