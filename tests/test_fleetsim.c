/*
 * test_fleetsim.c: the pure parts of opsdeck-fleetsim. The stream marker
 * parser on frame_script()'s real output; the metric model's output through
 * the real probe parsers, for many seeds, GPU and CPU nodes; counters that
 * only grow; garbage that the frame reader and parsers must reject.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../src/fleetsim/fleetsim.h"
#include "opsdeck/frame.h"
#include "opsdeck/probe.h"

static char *
node_script(int64_t interval_ms)
{
	const char *cmds[3] = { probe_linux.command, probe_nvidia.command, probe_ipmi.command };
	const char *names[3] = { "linux", "nvidia", "ipmi" };
	return frame_script(cmds, names, 3, interval_ms);
}

static void
test_marker_real_script(void **state)
{
	struct stream_req req;
	char *cause = NULL;
	char *s = node_script(1500);

	assert_int_equal(stream_parse(s, strlen(s), &req, &cause), 1);
	assert_int_equal(req.interval_ms, 1500);
	assert_int_equal(req.nprobes, 3);
	assert_string_equal(req.probes[0], "linux");
	assert_string_equal(req.probes[1], "nvidia");
	assert_string_equal(req.probes[2], "ipmi");
	/* the fields come from the nvidia probe's own command */
	assert_non_null(strstr(probe_nvidia.command, req.gpu_fields));
	assert_non_null(strstr(req.gpu_fields, "index,uuid,name"));
	free(s);
}

static void
test_marker_other_and_bad(void **state)
{
	struct stream_req req;
	char *cause = NULL;
	static const char *bad[] = {
		"# opsdeck-stream v1 probes=linux\n",
		"# opsdeck-stream v1 interval_ms=0 probes=linux\n",
		"# opsdeck-stream v1 interval_ms=12x probes=linux\n",
		"# opsdeck-stream v1 interval_ms=1000\n",
		"# opsdeck-stream v1 interval_ms=1000 probes=linux,,ipmi\n",
		"# opsdeck-stream v1 interval_ms=1000 probes=lin/ux\n",
		"# opsdeck-stream v1 interval_ms=1000 probes=a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q\n",
		"# opsdeck-stream v1 interval_ms=99999999999999999999999 probes=linux\n",
	};

	assert_int_equal(stream_parse("echo hi", 7, &req, &cause), 0);
	assert_int_equal(stream_parse("", 0, &req, &cause), 0);
	assert_int_equal(stream_parse("# opsdeck-stream", 16, &req, &cause), 0);
	assert_int_equal(stream_parse("# opsdeck-stream v10 interval_ms=1 probes=a", 43, &req,
	    &cause), 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		assert_int_equal(stream_parse(bad[i], strlen(bad[i]), &req, &cause), -1);
		assert_non_null(cause);
		free(cause);
	}
	/* no newline at all, leading blank lines, unknown keys: fine */
	const char *ok = "\n  # opsdeck-stream v1 future=1 interval_ms=5 probes=ipmi";
	assert_int_equal(stream_parse(ok, strlen(ok), &req, &cause), 1);
	assert_int_equal(req.interval_ms, 5);
	assert_int_equal(req.nprobes, 1);
	assert_string_equal(req.gpu_fields, "");
}

static void
test_faults(void **state)
{
	enum fs_fault f;
	for (int i = 0; i < FAULT_COUNT; i++) {
		assert_int_equal(fault_parse(fault_name((enum fs_fault)i), &f), 0);
		assert_int_equal((int)f, i);
	}
	assert_int_equal(fault_parse("melt", &f), -1);
	assert_null(fault_name(FAULT_COUNT));
}

/* Parses out with probe p; fails the test on a parse error. */
static void
parse_ok(const struct probe *p, struct buf *out, struct host_report *r)
{
	char *cause = NULL;
	int rc = p->parse(out->data ? out->data : "", out->len, r, &cause);
	if (rc != 0)
		fail_msg("%s: %s", p->name, cause);
}

static uint64_t
jiffies(const struct cpu_times *t)
{
	return t->user + t->nice + t->system + t->idle + t->iowait + t->irq + t->softirq;
}

static void
test_model_parses(void **state)
{
	for (uint64_t seed = 1; seed <= 40; seed++) {
		for (int kind = SIM_CPU; kind <= SIM_CONTROLLER; kind++) {
			int gpu = kind == SIM_GPU, ctl = kind == SIM_CONTROLLER;
			struct sim_node n;
			struct buf out;
			struct host_report a, b;
			int64_t t = 1000000;

			sim_node_init(&n, kind, seed, t);
			buf_init(&out, 0);
			memset(&a, 0, sizeof a);
			memset(&b, 0, sizeof b);
			sim_linux(&n, t, &out);
			parse_ok(&probe_linux, &out, &a);
			assert_int_equal(a.linux.ncores, gpu ? 96 : ctl ? 8 : 64);
			assert_int_equal(a.linux.nnets, gpu ? 6 : ctl ? 2 : 3);
			uint64_t gib = gpu ? 2000 : ctl ? 30 : 500;
			assert_true(a.linux.mem_total > gib << 30);
			assert_true(linux_mem_used(&a.linux) < a.linux.mem_total);

			sim_node_advance(&n, t + 5000);
			buf_reset(&out);
			sim_linux(&n, t + 5000, &out);
			parse_ok(&probe_linux, &out, &b);
			double u = cpu_util_pct(&a.linux, &b.linux, -1);
			assert_true(u >= 0 && u <= 100);
			assert_true(b.linux.total.user >= a.linux.total.user);
			assert_true(b.linux.total.idle >= a.linux.total.idle);
			/* 5 s of 96 or 64 CPUs at USER_HZ 100, within rounding */
			uint64_t ja = jiffies(&a.linux.total), jb = jiffies(&b.linux.total);
			double want = 5.0 * 100 * a.linux.ncores;
			assert_true(fabs((double)(jb - ja) - want) < want * 0.02 + 200);
			for (int k = 0; k < b.linux.nnets; k++)
				assert_true(b.linux.nets[k].rx_bytes >= a.linux.nets[k].rx_bytes);

			buf_reset(&out);
			sim_nvidia(&n, "", &out);
			parse_ok(&probe_nvidia, &out, &b);
			assert_int_equal(b.ngpus, gpu ? 8 : 0);
			for (int g = 0; g < b.ngpus; g++) {
				assert_string_equal(b.gpus[g].name, "NVIDIA H100 80GB HBM3");
				assert_true(b.gpus[g].util_pct >= 0 && b.gpus[g].util_pct <= 100);
				assert_true(b.gpus[g].temp_c > 15 && b.gpus[g].temp_c < 95);
				assert_true(b.gpus[g].power_w > 0 && b.gpus[g].power_w <= 700);
				assert_true(b.gpus[g].mem_used_bytes <= b.gpus[g].mem_total_bytes);
			}

			buf_reset(&out);
			sim_ipmi(&n, &out);
			parse_ok(&probe_ipmi, &out, &b);
			if (ctl) {
				assert_int_equal(b.nsensors, 0);	/* no BMC */
			} else {
				assert_true(b.nsensors >= 15);
				assert_string_equal(b.sensors[0].name, "Inlet Temp");
				assert_true(b.sensors[0].value > 15 && b.sensors[0].value < 35);
			}

			report_free(&a);
			report_free(&b);
			buf_free(&out);
		}
	}
}

static void
test_model_drifts(void **state)
{
	struct sim_node n;
	struct buf a, b;
	int64_t t = 5000;

	sim_node_init(&n, 1, 3, t);
	buf_init(&a, 0);
	buf_init(&b, 0);
	sim_linux(&n, t, &a);
	sim_node_advance(&n, t + 1000);
	sim_linux(&n, t + 1000, &b);
	assert_true(a.len > 5000);
	assert_false(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
	/* the same seed gives the same node */
	struct sim_node m;
	sim_node_init(&m, 1, 3, 5000);
	buf_reset(&a);
	sim_linux(&m, 5000, &a);
	struct sim_node o;
	sim_node_init(&o, 1, 3, 5000);
	buf_reset(&b);
	sim_linux(&o, 5000, &b);
	assert_int_equal(a.len, b.len);
	/* btime depends on the wall clock; compare the cpu lines only */
	assert_memory_equal(a.data, b.data, (size_t)(strstr(a.data, "intr") - a.data));
	buf_free(&a);
	buf_free(&b);
}

static void
test_nvidia_fields(void **state)
{
	struct sim_node n;
	struct buf out;

	sim_node_init(&n, 1, 9, 0);
	buf_init(&out, 0);
	sim_nvidia(&n, "index,fan.speed,name,pci.bus_id", &out);
	assert_non_null(strstr(out.data, "0, [N/A], NVIDIA H100 80GB HBM3, 00000000:18:00.0\n"));
	assert_non_null(strstr(out.data, "7, [N/A], NVIDIA H100 80GB HBM3, 00000000:DB:00.0\n"));
	buf_free(&out);
}

struct garbage_seen {
	int frames, errors;
};

static void
on_frame(const struct frame *f, void *arg)
{
	struct garbage_seen *g = arg;
	const struct probe *p = probe_find(f->probe);
	struct host_report r;
	char *cause = NULL;

	g->frames++;
	memset(&r, 0, sizeof r);
	if (p == NULL || p->parse(f->body, f->len, &r, &cause) != 0)
		g->errors++;
	free(cause);
	report_free(&r);
}

static void
test_garbage(void **state)
{
	uint64_t rng = 42;
	struct buf out;
	struct frame_reader fr;
	struct garbage_seen g = { 0, 0 };

	buf_init(&out, 0);
	for (int i = 1; i <= 20; i++)
		sim_garbage(&rng, (uint64_t)i, &out);
	frame_reader_init(&fr, 0);
	frame_reader_feed(&fr, out.data, out.len, on_frame, &g);
	assert_true(fr.garbage > 0);
	assert_true(g.frames >= 20);
	assert_true(g.errors >= 20);
	frame_reader_free(&fr);
	buf_free(&out);

	uint64_t line = 0;
	buf_init(&out, 0);
	sim_flood(&line, 100000, &out);
	assert_true(out.len <= 100000 && out.len > 99000);
	assert_true(line > 500);
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marker_real_script),
		cmocka_unit_test(test_marker_other_and_bad),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_model_parses),
		cmocka_unit_test(test_model_drifts),
		cmocka_unit_test(test_nvidia_fields),
		cmocka_unit_test(test_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
