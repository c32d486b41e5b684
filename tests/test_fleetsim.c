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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/fleetsim/fleetsim.h"
#include "opsdeck/budget.h"
#include "opsdeck/frame.h"
#include "opsdeck/probe.h"

#define STR_(x)	#x
#define STR(x)	STR_(x)

#define NONCE "0a1b2c3d4e5f60718293a4b5c6d7e8f9"

/* What a collector sends a node: frame_script and the line that starts it. */
static char *
node_script(int64_t interval_ms)
{
	const char *cmds[3] = { probe_linux.command, probe_nvidia.command, probe_ipmi.command };
	const char *names[3] = { "linux", "nvidia", "ipmi" };
	char *script = frame_script(cmds, names, 3, interval_ms);
	char *cmd = frame_command(script, NONCE);
	free(script);
	return cmd;
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
	/* the markers it answers with carry the session's nonce */
	assert_string_equal(req.nonce, NONCE " ");
	/* the fields come from the nvidia probe's own command */
	assert_non_null(strstr(probe_nvidia.command, req.gpu_fields));
	assert_non_null(strstr(req.gpu_fields, "index,uuid,name"));
	free(s);
}

/*
 * The exec request of a script that follows on stdin, as frame_stdin_command
 * writes it: the length is read; another command is 0; a marker with no
 * length, a length of 0 or over FLEETSIM_MAX_CMD, or no end of line is -1.
 */
static void
test_stdin_marker(void **state)
{
	char *s = node_script(1000);
	char *boot = frame_stdin_command(strlen(s));
	assert_int_equal(stdin_script_len(boot, strlen(boot)), (long long)strlen(s));
	free(boot);
	assert_int_equal(stdin_script_len(s, strlen(s)), 0);
	free(s);
	assert_int_equal(stdin_script_len("echo hi", 7), 0);
	assert_int_equal(stdin_script_len("", 0), 0);
	static const char *bad[] = {
		FRAME_STDIN_MARKER " bytes=\n",
		FRAME_STDIN_MARKER " bytes=0\n",
		FRAME_STDIN_MARKER " bytes=12",
		FRAME_STDIN_MARKER " bytes=12x\n",
		FRAME_STDIN_MARKER " bytes=-5\n",
		FRAME_STDIN_MARKER " bytes=262145\n",
		FRAME_STDIN_MARKER " bytes=99999999999999999999999\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(stdin_script_len(bad[i], strlen(bad[i])), -1);
	const char ok[] = FRAME_STDIN_MARKER " bytes=262144\n";
	assert_int_equal(stdin_script_len(ok, sizeof ok - 1), 262144);
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
		/* no line starting the loop, or a nonce sh would refuse */
		"# opsdeck-stream v1 interval_ms=5 probes=ipmi\n",
		"# opsdeck-stream v1 interval_ms=5 probes=ipmi\nopsdeck_stream\n",
		"# opsdeck-stream v1 interval_ms=5 probes=ipmi\nopsdeck_stream 0a1b\n",
		"# opsdeck-stream v1 interval_ms=5 probes=ipmi\n"
		    "opsdeck_stream 0A1B2C3D4E5F60718293A4B5C6D7E8F9\n",
		"# opsdeck-stream v1 interval_ms=5 probes=ipmi\n"
		    "opsdeck_stream " NONCE "0\n",
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
	const char *ok = "\n  # opsdeck-stream v1 future=1 interval_ms=5 probes=ipmi\n"
	    "opsdeck_stream " NONCE;
	assert_int_equal(stream_parse(ok, strlen(ok), &req, &cause), 1);
	assert_string_equal(req.nonce, NONCE " ");
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
			sim_linux(&n, t, 0, &out);
			parse_ok(&probe_linux, &out, &a);
			assert_int_equal(a.linux.ncores, gpu ? 96 : ctl ? 8 : 64);
			assert_int_equal(a.linux.nnets, gpu ? 6 : ctl ? 2 : 3);
			uint64_t gib = gpu ? 2000 : ctl ? 30 : 500;
			assert_true(a.linux.mem_total > gib << 30);
			assert_true(linux_mem_used(&a.linux) < a.linux.mem_total);

			sim_node_advance(&n, t + 5000);
			buf_reset(&out);
			sim_linux(&n, t + 5000, 0, &out);
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
			/* the cores as the awk's sums: every core's use the same */
			struct host_report bs;
			memset(&bs, 0, sizeof bs);
			buf_reset(&out);
			sim_linux(&n, t + 5000, 1, &out);
			assert_non_null(strstr(buf_cstr(&out), "\ncpu0 "));
			parse_ok(&probe_linux, &out, &bs);
			assert_null(bs.linux.cores);
			assert_int_equal(bs.linux.ncores, b.linux.ncores);
			for (int k = -1; k < b.linux.ncores; k++)
				assert_true(cpu_util_pct(&a.linux, &bs.linux, k) ==
				    cpu_util_pct(&a.linux, &b.linux, k));
			report_free(&bs);

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
	sim_linux(&n, t, 0, &a);
	sim_node_advance(&n, t + 1000);
	sim_linux(&n, t + 1000, 0, &b);
	assert_true(a.len > 5000);
	assert_false(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
	/* the same seed gives the same node */
	struct sim_node m;
	sim_node_init(&m, 1, 3, 5000);
	buf_reset(&a);
	sim_linux(&m, 5000, 0, &a);
	struct sim_node o;
	sim_node_init(&o, 1, 3, 5000);
	buf_reset(&b);
	sim_linux(&o, 5000, 0, &b);
	assert_int_equal(a.len, b.len);
	/* btime depends on the wall clock; compare the cpu lines only */
	assert_memory_equal(a.data, b.data, (size_t)(strstr(a.data, "ctxt") - a.data));
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
		sim_garbage(&rng, (uint64_t)i, NONCE " ", &out);
	frame_reader_init(&fr, 0, NONCE);
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


/* ---- the simulated Slurm cluster ----------------------------------------- */

#define T0 ((int64_t)1764100000)	/* 2025-11-25, any time does */

struct seen_job {
	char	 id[SLURM_FIELD_MAX];
	int64_t	 elapsed, gpus, nodes;
};

/*
 * A collector in miniature: keeps each JobID's latest use and adds only the
 * growth per account, as budget_store_put_usage does.
 */
struct mini_collector {
	struct seen_job *v;
	size_t	 n;
	double	 gpu_h[8], node_h[8];
	int	 states;	/* bit per state seen: 1 RUNNING 2 COMPLETED 4 PENDING 8 other */
	int	 nonmonotonic;
};

static void
mini_take(struct mini_collector *m, const struct slurm_sim *s, const struct buf *out)
{
	struct slurm_usage u;
	char *cause = NULL;

	assert_int_equal(slurm_parse_sacct(out->data, out->len, &u, &cause), 0);
	assert_null(cause);
	assert_int_equal(u.skipped_steps, 0);
	for (size_t i = 0; i < u.njobs; i++) {
		const struct slurm_job *j = &u.jobs[i];
		int a = -1;
		for (int k = 0; k < s->naccts; k++)
			if (strcmp(s->accts[k].name, j->account) == 0)
				a = k;
		assert_true(a >= 0 && a < 8);
		if (strcmp(j->state, "RUNNING") == 0)
			m->states |= 1;
		else if (strcmp(j->state, "COMPLETED") == 0)
			m->states |= 2;
		else if (strcmp(j->state, "PENDING") == 0)
			m->states |= 4;
		else
			m->states |= 8;
		if (strcmp(j->state, "PENDING") == 0)
			assert_int_equal(j->elapsed_s, 0);
		size_t k;
		for (k = 0; k < m->n; k++)
			if (strcmp(m->v[k].id, j->jobid) == 0)
				break;
		if (k == m->n) {
			m->v = realloc(m->v, (m->n + 1) * sizeof *m->v);
			assert_non_null(m->v);
			memset(&m->v[k], 0, sizeof m->v[k]);
			snprintf(m->v[k].id, sizeof m->v[k].id, "%s", j->jobid);
			m->n++;
		}
		struct seen_job *sj = &m->v[k];
		if (j->elapsed_s < sj->elapsed)
			m->nonmonotonic++;
		double og = (double)sj->gpus * (double)sj->elapsed / 3600.0;
		double on = (double)sj->nodes * (double)sj->elapsed / 3600.0;
		if (j->elapsed_s >= sj->elapsed) {
			if (j->gpu_hours > og)
				m->gpu_h[a] += j->gpu_hours - og;
			if (j->node_hours > on)
				m->node_h[a] += j->node_hours - on;
			sj->elapsed = j->elapsed_s;
			sj->gpus = j->gpus;
			sj->nodes = j->nodes;
		}
	}
	slurm_usage_free(&u);
}

/*
 * sacct output every simulated 20 minutes over four days: the real parser
 * takes it, ElapsedRaw never shrinks, jobs run and end, retire, and a
 * collector that keeps only growth ends up with the simulator's own totals.
 */
static void
test_slurm_sacct(void **state)
{
	char *accounts[] = { "alpha", "beta", "bad|name" };
	struct slurm_sim s;
	struct mini_collector m;
	char *warn = NULL, *cause = NULL;
	struct buf out;
	size_t most = 0;

	memset(&m, 0, sizeof m);
	assert_int_equal(slurm_sim_init(&s, NULL, accounts, 3, 5, T0, &warn, &cause), 0);
	assert_non_null(warn);
	assert_non_null(strstr(warn, "bad|name"));
	free(warn);
	assert_int_equal(s.naccts, 2);
	buf_init(&out, 0);
	for (int64_t t = T0; t <= T0 + 4 * 86400; t += 1200) {
		buf_reset(&out);
		slurm_sim_sacct(&s, t, &out);
		if (s.njobs > most)
			most = s.njobs;
		mini_take(&m, &s, &out);
		for (int a = 0; a < s.naccts; a++) {
			int64_t g, n;
			assert_int_equal(slurm_sim_truth(&s, 0, a, &g, &n), 0);
			assert_true(fabs((double)g / 3600.0 - m.gpu_h[a]) < 1e-6);
			assert_true(fabs((double)n / 3600.0 - m.node_h[a]) < 1e-6);
		}
	}
	assert_int_equal(m.nonmonotonic, 0);
	assert_int_equal(m.states & 3, 3);
	assert_true(m.gpu_h[0] > 0 && m.gpu_h[1] > 0);
	/* jobs that ended before the window left the pool, their use stayed */
	assert_true(s.accts[0].retired_gpu_s + s.accts[1].retired_gpu_s > 0);
	assert_true(m.n > most);
	/* about SLURM_SIM_DEFAULT_GPUS busy per account over the 4 days shown */
	double busy = (m.gpu_h[0] + m.gpu_h[1]) / (2 * 7 * 24.0);
	print_message("# GPUs busy per account: %.2f (%zu jobs)\n", busy, m.n);
	assert_true(busy > 0.5 && busy < 20);
	/* time does not go back */
	uint64_t outputs = s.outputs;
	buf_reset(&out);
	slurm_sim_sacct(&s, T0, &out);
	mini_take(&m, &s, &out);
	assert_int_equal(m.nonmonotonic, 0);
	assert_int_equal(s.outputs, outputs + 1);
	int64_t g, n;
	assert_int_equal(slurm_sim_truth(&s, SLURM_SIM_TRUTH_RING - 1, 0, &g, &n), 0);
	assert_int_equal(slurm_sim_truth(&s, SLURM_SIM_TRUTH_RING, 0, &g, &n), -1);
	free(m.v);
	buf_free(&out);
	slurm_sim_free(&s);
}

/* The same seed and times give the same bytes; another seed other jobs. */
static void
test_slurm_deterministic(void **state)
{
	char *accounts[] = { "p1", "p2", "p3" };
	struct slurm_sim a, b, c;
	struct buf oa, ob, oc;
	char *warn = NULL, *cause = NULL;

	assert_int_equal(slurm_sim_init(&a, NULL, accounts, 3, 9, T0, &warn, &cause), 0);
	assert_int_equal(slurm_sim_init(&b, NULL, accounts, 3, 9, T0, &warn, &cause), 0);
	assert_int_equal(slurm_sim_init(&c, NULL, accounts, 3, 10, T0, &warn, &cause), 0);
	assert_null(warn);
	buf_init(&oa, 0);
	buf_init(&ob, 0);
	buf_init(&oc, 0);
	for (int64_t t = T0; t < T0 + 86400; t += 3600) {
		slurm_sim_sacct(&a, t, &oa);
		slurm_sim_sacct(&b, t, &ob);
		slurm_sim_sacct(&c, t, &oc);
	}
	assert_true(oa.len > 0);
	assert_int_equal(oa.len, ob.len);
	assert_memory_equal(oa.data, ob.data, oa.len);
	assert_false(oa.len == oc.len && memcmp(oa.data, oc.data, oa.len) == 0);
	buf_free(&oa);
	buf_free(&ob);
	buf_free(&oc);
	slurm_sim_free(&a);
	slurm_sim_free(&b);
	slurm_sim_free(&c);
	/* nothing to simulate */
	char *bad[] = { "" };
	assert_int_equal(slurm_sim_init(&a, NULL, bad, 1, 1, T0, &warn, &cause), -1);
	assert_non_null(cause);
	free(cause);
	free(warn);
}

/*
 * From a plan: every tenant's accounts (the id when none), CPU-only tenants
 * on partition hpc without GPUs, a bigger allocation burning more.
 */
static void
test_slurm_plan(void **state)
{
	static const char plan_text[] =
	    "start: 2025-01-01\nend: 2026-12-31\n"
	    "programmes: [{id: rnd, allocation: 10억}]\n"
	    "tenants:\n"
	    "  - {id: big, programme: rnd, gpu_hours: 20000}\n"
	    "  - {id: small, programme: rnd, accounts: [small-a, small-b], gpu_hours: 400}\n"
	    "  - {id: cfd, programme: rnd, accounts: [hpc1], node_hours: 3000}\n";
	struct diag d;
	struct slurm_sim s;
	char *warn = NULL, *cause = NULL;
	struct buf out;

	diag_init(&d, "plan");
	struct budget_plan *p = budget_plan_parse("plan", plan_text, sizeof plan_text - 1, &d);
	assert_non_null(p);
	diag_free(&d);
	assert_int_equal(slurm_sim_init(&s, p, NULL, 0, 3, T0, &warn, &cause), 0);
	assert_null(warn);
	assert_int_equal(s.naccts, 4);
	assert_int_equal(s.ntenants, 3);
	assert_string_equal(s.accts[0].name, "big");
	assert_string_equal(s.accts[2].name, "small-b");
	assert_int_equal(s.accts[2].tenant, 1);
	assert_true(s.accts[3].cpu_only);
	assert_true(s.accts[0].rate > s.accts[1].rate);
	buf_init(&out, 0);
	for (int64_t t = T0; t <= T0 + 2 * 86400; t += 3600) {
		buf_reset(&out);
		slurm_sim_sacct(&s, t, &out);
	}
	/* the CPU-only account's jobs: partition hpc, no gres/gpu */
	const char *l = out.data;
	int hpc = 0;
	while (l < out.data + out.len) {
		const char *e = memchr(l, '\n', (size_t)(out.data + out.len - l));
		assert_non_null(e);
		if (strncmp(strchr(l, '|'), "|hpc1|", 6) == 0) {
			hpc++;
			char line[512];
			snprintf(line, sizeof line, "%.*s", (int)(e - l), l);
			assert_non_null(strstr(line, "|hpc|"));
			assert_null(strstr(line, "gres/gpu"));
		}
		l = e + 1;
	}
	assert_true(hpc > 0);
	int64_t g, n;
	assert_int_equal(slurm_sim_truth(&s, 0, 3, &g, &n), 0);
	assert_int_equal(g, 0);
	assert_true(n > 0);
	const char *tmp = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/test_fleetsim_truth.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(slurm_sim_write_truth(&s, path, &cause), 0);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[256];
	int tenant_lines = 0, last_cfd = 0;
	while (fgets(line, sizeof line, f) != NULL) {
		unsigned long long seq;
		char kind[16], id[64];
		double gh, nh;
		if (line[0] == '#')
			continue;
		assert_int_equal(sscanf(line, "%llu %15s %63s %lf %lf", &seq, kind, id, &gh, &nh), 5);
		if (strcmp(kind, "tenant") == 0)
			tenant_lines++;
		if (seq == s.outputs && strcmp(id, "cfd") == 0) {
			assert_true(fabs(nh - (double)n / 3600.0) < 1e-5);
			last_cfd = 1;
		}
	}
	fclose(f);
	unlink(path);
	assert_int_equal(tenant_lines, 3 * SLURM_SIM_TRUTH_RING);
	assert_true(last_cfd);
	buf_free(&out);
	slurm_sim_free(&s);
	budget_plan_free(p);
}

/*
 * The sizes of the writes `dd ibs=4096 obs=FRAME_WRITE_MAX` makes of the n
 * bytes at p (what the node's loop sends each frame through), its stdout a
 * SOCK_SEQPACKET socket so that each write(2) arrives as one record.
 */
static size_t
dd_writes(const char *p, size_t n, size_t *sizes, size_t max)
{
	int sv[2], in[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(pipe(in), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(sv[1], 1);
		close(in[0]);
		close(in[1]);
		close(sv[0]);
		close(sv[1]);
		execlp("dd", "dd", "ibs=4096", "obs=" STR(FRAME_WRITE_MAX), "status=none",
		    (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(sv[1]);
	/* a line at a time, as a command writes: dd gathers them */
	for (size_t off = 0; off < n;) {
		const char *nl = memchr(p + off, '\n', n - off);
		size_t k = nl != NULL ? (size_t)(nl - (p + off)) + 1 : n - off;
		assert_int_equal(write(in[1], p + off, k), (ssize_t)k);
		off += k;
	}
	close(in[1]);
	size_t nw = 0;
	char rec[65536];
	ssize_t r;
	while ((r = recv(sv[0], rec, sizeof rec, 0)) > 0) {
		assert_true(nw < max);
		sizes[nw++] = (size_t)r;
	}
	close(sv[0]);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return nw;
}

/*
 * sim_piece_len cuts a cycle where the node's loop writes (and a real sshd
 * sends packets): each frame as the real dd writes it, frame by frame; a
 * window-cut tail whole.
 */
static void
test_piece_len(void **state)
{
	(void)state;
	struct buf big;
	buf_init(&big, 0);
	buf_printf(&big, "@@opsdeck n 1 linux\n== stat\n");
	for (int i = 0; i < 300; i++)
		buf_printf(&big, "cpu%d 1 2 3 4 5 6 7 8 9 10\n", i);	/* 8.9 KB */
	buf_printf(&big, "== meminfo\nMemTotal: 1 kB\n\n@@end n 0\n@@opsdeck n 1 nvidia\n");
	for (int i = 0; i < 150; i++)
		buf_printf(&big, "%d, GPU-%d, NVIDIA H100 80GB HBM3, 5\n", i, i);	/* 5.6 KB */
	buf_printf(&big, "== compute-apps\nGPU-1, 7, 10, python\n"
	    "== owners\n7 user a\n\n@@end n 0\n@@opsdeck n 1 ipmi\nFan1 | 3000 RPM | ok\n"
	    "\n@@end n 0\n");
	const char *cycle = buf_cstr(&big);
	size_t len = strlen(cycle), want[32], nwant = 0;
	for (const char *f = cycle; *f != '\0';) {
		const char *e = strstr(f, "\n@@end ");
		assert_non_null(e);
		e = strchr(e + 1, '\n') + 1;
		nwant += dd_writes(f, (size_t)(e - f), want + nwant, 32 - nwant);
		f = e;
	}
	assert_int_equal(nwant, 3 + 2 + 1);	/* 9.0, 5.7 and 0.1 KB */
	size_t off = 0;
	for (size_t i = 0; i < nwant; i++) {
		size_t k = sim_piece_len(cycle + off, len - off);
		if (k != want[i])
			fail_msg("piece %zu: %zu bytes, want %zu", i, k, want[i]);
		off += k;
	}
	assert_int_equal(off, len);
	buf_free(&big);
	assert_int_equal(sim_piece_len("cpu  1 2", 5), 5);	/* cut by the window */
	assert_int_equal(sim_piece_len("no newline", 10), 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marker_real_script),
		cmocka_unit_test(test_marker_other_and_bad),
		cmocka_unit_test(test_stdin_marker),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_model_parses),
		cmocka_unit_test(test_model_drifts),
		cmocka_unit_test(test_nvidia_fields),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_slurm_sacct),
		cmocka_unit_test(test_slurm_deterministic),
		cmocka_unit_test(test_slurm_plan),
		cmocka_unit_test(test_piece_len),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
