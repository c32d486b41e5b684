/*
 * test_collector.c: the collector with the local transport (the real sh loop
 * and /proc of this machine), its store writes, start/stop/interrupt, a local
 * flood and a loop that dies; and the pure ~/.ssh/config lookup of ssh.c.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opsdeck/collector.h"
#include "opsdeck/config.h"
#include "opsdeck/diag.h"
#include "opsdeck/ssh.h"
#include "opsdeck/store.h"
#include "opsdeck/util.h"

/* ---- helpers ------------------------------------------------------------ */

static struct config *
parse(const char *yaml)
{
	struct diag d;
	diag_init(&d, "test.yaml");
	struct config *c = config_parse("test.yaml", yaml, strlen(yaml), &d);
	if (c == NULL)
		diag_print(&d, stderr);
	diag_free(&d);
	assert_non_null(c);
	return c;
}

static const char local_yaml[] =
	"groups:\n"
	"  - name: here\n"
	"    transport: local\n"
	"    hosts: [alpha, beta]\n"
	"    probes: [linux, nvidia, ipmi]\n"
	"    interval: 250ms\n"
	"    timeout: 2s\n";

static uint64_t
meminfo_total(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	unsigned long long kb = 0;
	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb * 1024;
}

/* Number of processes whose command line holds the stream marker. */
static int
stream_processes(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char path[300], buf[512];
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
		FILE *f = fopen(path, "r");
		if (f == NULL)
			continue;
		size_t r = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[r] = '\0';
		for (size_t i = 0; i < r; i++)
			if (buf[i] == '\0')
				buf[i] = ' ';
		/* ours: started by this process (the test) */
		if (strstr(buf, "opsdeck-stream v1 interval_ms=") != NULL) {
			snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
			f = fopen(path, "r");
			if (f == NULL)
				continue;
			int pid, ppid;
			char comm[64], st;
			if (fscanf(f, "%d %63s %c %d", &pid, comm, &st, &ppid) == 4 &&
			    ppid == (int)getpid() && st != 'Z')
				n++;
			fclose(f);
		}
	}
	closedir(d);
	return n;
}

/* Adds a fake tool (a sh script) to dir. */
static void
fake_add(const char *dir, const char *tool, const char *script)
{
	char *p = xasprintf("%s/%s", dir, tool);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", script);
	fclose(f);
	chmod(p, 0755);
	free(p);
}

/* A directory with fake tools put first in PATH; returns it (caller frees). */
static char *
fake_path(const char *tool, const char *script)
{
	char tmpl[] = "/tmp/opsdeck-fake.XXXXXX";
	char *dir = mkdtemp(tmpl);
	assert_non_null(dir);
	fake_add(dir, tool, script);
	return xstrdup(dir);
}

/*
 * An awk that does BODY in place of the linux probe's (its program reads
 * /proc) and is the real awk otherwise: the node's loop uses awk too, to
 * list the processes a deadline kills.
 */
#define PROBE_AWK(body) \
	"case \"$*\" in */proc/*) " body " ;; *) exec /usr/bin/awk \"$@\" ;; esac"

/*
 * Stands in for the linux probe's awk: the six files, each after its
 * "== NAME" line, through cat (a fake one where a test put it on PATH).
 */
#define AWK_VIA_CAT PROBE_AWK( \
	"for f in stat meminfo loadavg uptime net/dev diskstats; do " \
	"echo \"== $f\"; cat \"/proc/$f\"; done")

static void
rm_fake(char *dir, const char *tool)
{
	char *p = xasprintf("%s/%s", dir, tool);
	unlink(p);
	rmdir(dir);
	free(p);
	free(dir);
}

/* ---- local transport -------------------------------------------------------- */

static void
test_local_run(void **state)
{
	(void)state;
	struct config *cfg = parse(local_yaml);
	struct collector *c = collector_new(cfg, NULL, NULL);
	int64_t t0 = now_mono_ms();
	int n = collector_run(c, 2, t0 + 10000);
	int64_t dt = now_mono_ms() - t0;

	assert_int_equal(n, 2);
	assert_true(dt < 5000);
	struct host_status *v;
	size_t nv;
	collector_hosts(c, &v, &nv);
	assert_int_equal(nv, 2);
	assert_string_equal(v[0].name, "alpha");
	assert_string_equal(v[1].name, "beta");
	for (size_t i = 0; i < nv; i++) {
		assert_int_equal(v[i].state, HOST_UP);
		assert_string_equal(v[i].error, "");
		assert_string_equal(v[i].group, "here");
		assert_int_equal(v[i].cores, (int)sysconf(_SC_NPROCESSORS_ONLN));
		assert_true(v[i].mem_total == meminfo_total());
		assert_true(v[i].mem_used > 0 && v[i].mem_used < v[i].mem_total);
		assert_true(v[i].cpu_pct >= 0 && v[i].cpu_pct <= 100);
		assert_true(v[i].sample_ms > 0);
		/* no nvidia-smi or ipmitool here: not an error, just nothing */
		assert_int_equal(v[i].ngpus, 0);
	}
	store_free_hosts(v, nv);
	/* collector_run returned: every local sh was killed and reaped */
	assert_int_equal(stream_processes(), 0);
	collector_free(c);
	config_free(cfg);
}

static void
test_local_store(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/opsdeck-coll.XXXXXX";
	char *dir = mkdtemp(tmpl);
	assert_non_null(dir);
	char *path = xasprintf("%s/cache.db", dir);
	struct store *st = NULL;
	char *cause = NULL;
	if (store_open(path, STORE_WRITER, &st, &cause) != 0)
		fail_msg("store_open: %s", cause);

	struct config *cfg = parse(local_yaml);
	struct collector *c = collector_new(cfg, st, NULL);
	assert_int_equal(collector_run(c, 2, now_mono_ms() + 10000), 2);
	assert_null(collector_store_error(c));
	collector_free(c);

	struct host_status *v;
	size_t nv;
	if (store_get_hosts(st, &v, &nv, &cause) != 0)
		fail_msg("store_get_hosts: %s", cause);
	assert_int_equal(nv, 2);
	for (size_t i = 0; i < nv; i++) {
		assert_int_equal(v[i].state, HOST_UP);
		assert_true(v[i].mem_total == meminfo_total());
		assert_true(v[i].cpu_pct >= 0);
	}
	store_free_hosts(v, nv);
	store_close(st);
	config_free(cfg);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(path);
}

/* Latest sample_ms of host `name` in the store file at path (a reader of its own). */
static int64_t
stored_sample(const char *path, const char *name)
{
	struct store *rd = NULL;
	char *cause = NULL;
	int64_t ms = -1;
	if (store_open(path, STORE_READONLY, &rd, &cause) != 0) {
		free(cause);
		return -1;
	}
	struct host_status *v;
	size_t nv;
	if (store_get_hosts(rd, &v, &nv, &cause) == 0) {
		for (size_t i = 0; i < nv; i++)
			if (strcmp(v[i].name, name) == 0 && v[i].state == HOST_UP)
				ms = v[i].sample_ms;
		store_free_hosts(v, nv);
	} else
		free(cause);
	store_close(rd);
	return ms;
}

static int64_t
memory_sample(struct collector *c, const char *name)
{
	struct host_status *v;
	size_t nv;
	int64_t ms = -1;
	collector_hosts(c, &v, &nv);
	for (size_t i = 0; i < nv; i++)
		if (strcmp(v[i].name, name) == 0 && v[i].state == HOST_UP)
			ms = v[i].sample_ms;
	store_free_hosts(v, nv);
	return ms;
}

/*
 * The disk refuses writes (a file-size limit: SQLite sees EFBIG): collecting
 * goes on in memory, and the statuses reach the store once it can write.
 */
static void
test_store_refuses_writes(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/opsdeck-coll.XXXXXX";
	char *dir = mkdtemp(tmpl);
	assert_non_null(dir);
	char *path = xasprintf("%s/cache.db", dir);
	struct store *st = NULL;
	char *cause = NULL;
	if (store_open(path, STORE_WRITER, &st, &cause) != 0)
		fail_msg("store_open: %s", cause);
	struct config *cfg = parse(local_yaml);
	struct collector *c = collector_new(cfg, st, NULL);
	assert_int_equal(collector_start(c, &cause), 0);

	int64_t end = now_mono_ms() + 5000;
	while (now_mono_ms() < end && stored_sample(path, "alpha") <= 0)
		poll(NULL, 0, 50);
	assert_true(stored_sample(path, "alpha") > 0);

	/* No file may grow any more. */
	struct rlimit old, lim;
	void (*oldsig)(int) = signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 1;
	setrlimit(RLIMIT_FSIZE, &lim);
	int64_t frozen = stored_sample(path, "alpha");
	int64_t t0 = memory_sample(c, "alpha");
	/* at least 1.5 s, longer on a loaded machine, until memory moved on */
	poll(NULL, 0, 1500);
	int64_t t1 = memory_sample(c, "alpha");
	for (end = now_mono_ms() + 8000; t1 <= t0 + 500 && now_mono_ms() < end;
	    t1 = memory_sample(c, "alpha"))
		poll(NULL, 0, 100);
	int64_t during = stored_sample(path, "alpha");
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, oldsig);

	/* collecting went on: several newer samples in memory */
	assert_true(t1 > t0 + 500);
	/* the disk had most of them refused (a tick may have landed before the limit) */
	assert_true(during < t1);
	assert_true(frozen > 0 && during <= t0 + 400);
	/* and once it can write, the latest reach it */
	end = now_mono_ms() + 5000;
	while (now_mono_ms() < end && stored_sample(path, "alpha") < t1)
		poll(NULL, 0, 50);
	assert_true(stored_sample(path, "alpha") >= t1);
	char *err = collector_store_error(c);
	free(err);

	collector_stop(c);
	collector_free(c);
	store_close(st);
	config_free(cfg);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(path);
}

static void
test_local_start_stop_wake(void **state)
{
	(void)state;
	int wake[2];
	assert_int_equal(pipe(wake), 0);
	struct config *cfg = parse(local_yaml);
	struct collector_opts o = { .wake_fd = wake[1], .timeout_ms = 0 };
	struct collector *c = collector_new(cfg, NULL, &o);
	char *cause = NULL;
	assert_int_equal(collector_start(c, &cause), 0);
	assert_int_not_equal(collector_start(c, &cause), 0);	/* only once */
	free(cause);

	/* The wake fd becomes readable after a tick that changed something. */
	struct pollfd p = { .fd = wake[0], .events = POLLIN };
	assert_int_equal(poll(&p, 1, 5000), 1);
	/* Until both are up */
	int64_t end = now_mono_ms() + 5000;
	int up = 0;
	while (now_mono_ms() < end && up < 2) {
		struct host_status *v;
		size_t nv;
		collector_hosts(c, &v, &nv);
		up = 0;
		for (size_t i = 0; i < nv; i++)
			up += v[i].state == HOST_UP;
		store_free_hosts(v, nv);
		poll(NULL, 0, 50);
	}
	assert_int_equal(up, 2);
	assert_int_equal(stream_processes(), 2);
	int64_t t0 = now_mono_ms();
	collector_stop(c);
	assert_true(now_mono_ms() - t0 < 2000);
	assert_int_equal(stream_processes(), 0);
	collector_free(c);
	config_free(cfg);
	close(wake[0]);
	close(wake[1]);
}

static void *
interrupter(void *arg)
{
	poll(NULL, 0, 300);
	collector_interrupt(arg);
	return NULL;
}

static void
test_local_interrupt(void **state)
{
	(void)state;
	struct config *cfg = parse(local_yaml);
	struct collector *c = collector_new(cfg, NULL, NULL);
	pthread_t t;
	int64_t t0 = now_mono_ms();
	pthread_create(&t, NULL, interrupter, c);
	collector_run(c, INT_MAX, INT64_MAX);
	assert_true(now_mono_ms() - t0 < 3000);
	pthread_join(t, NULL);
	assert_int_equal(stream_processes(), 0);
	collector_free(c);
	config_free(cfg);
}

/*
 * Partial reports through the collector: a bad /proc/meminfo line and an
 * nvidia-smi that prints its "driver not loaded" message leave the host up
 * with what parsed and two warnings; a host whose only probe is garbage is
 * parse-error. Real tools, faked on PATH: cat (under an awk that reads
 * through it) and nvidia-smi.
 */
static void
test_local_partial(void **state)
{
	(void)state;
	const char *old = getenv("PATH");
	char *saved = xstrdup(old != NULL ? old : "/usr/bin:/bin");
	char *dir = fake_path("cat",
	    "case \"$1\" in /proc/meminfo) printf 'MemTotal: 100 kB\\nMemFree: x kB\\n"
	    "MemAvailable: 60 kB\\n';; *) exec /bin/cat \"$@\";; esac");
	fake_add(dir, "awk", AWK_VIA_CAT);
	char *smi = xasprintf("%s/nvidia-smi", dir);
	FILE *f = fopen(smi, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\necho \"NVIDIA-SMI has failed because it couldn't communicate "
	    "with the NVIDIA driver.\"\nexit 9\n");
	fclose(f);
	chmod(smi, 0755);
	char *path = xasprintf("%s:%s", dir, saved);
	setenv("PATH", path, 1);

	struct config *cfg = parse(
	    "groups:\n"
	    "  - name: both\n"
	    "    transport: local\n"
	    "    hosts: [partial]\n"
	    "    probes: [linux, nvidia]\n"
	    "    interval: 100ms\n"
	    "  - name: gpu-only\n"
	    "    transport: local\n"
	    "    hosts: [garbage]\n"
	    "    probes: [nvidia]\n"
	    "    interval: 100ms\n");
	struct collector *c = collector_new(cfg, NULL, NULL);
	collector_run(c, 2, now_mono_ms() + 10000);
	setenv("PATH", saved, 1);
	struct host_status *v;
	size_t nv;
	collector_hosts(c, &v, &nv);
	assert_int_equal(nv, 2);
	const struct host_status *p = strcmp(v[0].name, "partial") == 0 ? &v[0] : &v[1];
	const struct host_status *g = p == &v[0] ? &v[1] : &v[0];
	assert_int_equal(p->state, HOST_UP);
	assert_string_equal(p->error, "");
	assert_true(p->mem_total == 100 * 1024 && p->mem_used == 40 * 1024);
	assert_true(p->cores > 0);	/* /proc/stat through the real cat */
	assert_int_equal(p->ngpus, 0);
	assert_non_null(p->warnings);
	assert_string_equal(p->warnings, "linux: /proc/meminfo line 2: bad number 'x'\n"
	    "nvidia: no GPU in nvidia-smi's output; first problem: line 1: expected 12 fields, "
	    "got 1: 'NVIDIA-SMI has failed because it couldn't communicate with t...'");
	assert_int_equal(g->state, HOST_PARSE_ERROR);
	assert_non_null(strstr(g->error, "nvidia: no GPU in nvidia-smi's output"));
	store_free_hosts(v, nv);
	assert_int_equal(stream_processes(), 0);
	collector_free(c);
	config_free(cfg);
	unlink(smi);
	free(smi);
	char *awk = xasprintf("%s/awk", dir);
	unlink(awk);
	free(awk);
	rm_fake(dir, "cat");
	free(path);
	free(saved);
}

/* A probe command that floods: the host is cut off, the other keeps going. */
static void
test_local_flood(void **state)
{
	(void)state;
	const char *old = getenv("PATH");
	char *saved = xstrdup(old != NULL ? old : "/usr/bin:/bin");
	/* the linux probe runs awk over /proc: an awk that prints 10 MB */
	char *dir = fake_path("awk",
	    PROBE_AWK("exec /usr/bin/yes flood | /usr/bin/head -c 10000000"));
	char *path = xasprintf("%s:%s", dir, saved);
	setenv("PATH", path, 1);

	struct config *cfg = parse(
	    "groups:\n"
	    "  - name: here\n"
	    "    transport: local\n"
	    "    hosts: [flood]\n"
	    "    probes: [linux]\n"
	    "    interval: 100ms\n");
	struct collector *c = collector_new(cfg, NULL, NULL);
	int n = collector_run(c, 2, now_mono_ms() + 10000);
	setenv("PATH", saved, 1);
	assert_int_equal(n, 0);
	struct host_status *v;
	size_t nv;
	collector_hosts(c, &v, &nv);
	assert_int_equal(nv, 1);
	assert_int_equal(v[0].state, HOST_CUT_OFF);
	assert_string_equal(v[0].error, "flood: output over 4194304 bytes, cut off");
	store_free_hosts(v, nv);
	assert_int_equal(stream_processes(), 0);
	collector_free(c);
	config_free(cfg);
	rm_fake(dir, "awk");
	free(path);
	free(saved);
}

/* The loop ends after one cycle (its sleep fails): down, with the exit status. */
static void
test_local_loop_dies(void **state)
{
	(void)state;
	const char *old = getenv("PATH");
	char *saved = xstrdup(old != NULL ? old : "/usr/bin:/bin");
	char *dir = fake_path("sleep", "exit 1");
	char *path = xasprintf("%s:%s", dir, saved);
	setenv("PATH", path, 1);

	struct config *cfg = parse(local_yaml);
	struct collector *c = collector_new(cfg, NULL, NULL);
	int n = collector_run(c, 2, now_mono_ms() + 10000);
	setenv("PATH", saved, 1);
	assert_int_equal(n, 0);
	struct host_status *v;
	size_t nv;
	collector_hosts(c, &v, &nv);
	for (size_t i = 0; i < nv; i++) {
		assert_int_equal(v[i].state, HOST_DOWN);
		assert_string_equal(v[i].error, "local sh exited with status 0");
		/* the one good cycle left its figures */
		assert_true(v[i].mem_total == meminfo_total());
	}
	store_free_hosts(v, nv);
	collector_free(c);
	config_free(cfg);
	rm_fake(dir, "sleep");
	free(path);
	free(saved);
}

/* The deadline bounds collector_run when a host never answers. */
static void
test_deadline(void **state)
{
	(void)state;
	const char *old = getenv("PATH");
	char *saved = xstrdup(old != NULL ? old : "/usr/bin:/bin");
	char *dir = fake_path("awk", PROBE_AWK("exec /bin/sleep 30"));
	char *path = xasprintf("%s:%s", dir, saved);
	setenv("PATH", path, 1);
	struct config *cfg = parse(
	    "groups:\n"
	    "  - name: here\n"
	    "    transport: local\n"
	    "    hosts: [hang]\n"
	    "    probes: [linux]\n"
	    "    interval: 100ms\n"
	    "    timeout: 10s\n");
	struct collector *c = collector_new(cfg, NULL, NULL);
	int64_t t0 = now_mono_ms();
	int n = collector_run(c, 2, t0 + 700);
	int64_t dt = now_mono_ms() - t0;
	setenv("PATH", saved, 1);
	assert_int_equal(n, 0);
	assert_true(dt >= 650 && dt < 2500);
	struct host_status *v;
	size_t nv;
	collector_hosts(c, &v, &nv);
	assert_int_equal(v[0].state, HOST_CONNECTING);
	store_free_hosts(v, nv);
	/* the hanging awk was in the sh's process group: killed too */
	assert_int_equal(stream_processes(), 0);
	collector_free(c);
	config_free(cfg);
	rm_fake(dir, "awk");
	free(path);
	free(saved);
}

/* on_change for the retry test: counts transitions to up. */
static atomic_int retry_ups;

static void
count_ups(const struct host_status *h, void *arg)
{
	(void)arg;
	if (h->state == HOST_UP)
		atomic_fetch_add(&retry_ups, 1);
}

/*
 * Every host fails at once and keeps failing after each cycle (the loop's
 * sleep waits 300 ms, longer than a tick, so that the up is published, and
 * exits 1): the collector thread a console runs keeps retrying them
 * with back-off (backoff_max 200ms) and they come up again and again; a
 * bounded collector_run_until runs to its deadline, not ending early;
 * snapshot's collector_run ends once each failed.
 */
static void
test_local_all_fail_retry(void **state)
{
	(void)state;
	const char *old = getenv("PATH");
	char *saved = xstrdup(old != NULL ? old : "/usr/bin:/bin");
	char *dir = fake_path("sleep", "/bin/sleep 0.3; exit 1");
	char *path = xasprintf("%s:%s", dir, saved);
	setenv("PATH", path, 1);
	struct config *cfg = parse(
	    "groups:\n"
	    "  - name: here\n"
	    "    transport: local\n"
	    "    hosts: [alpha, beta]\n"
	    "    probes: [linux]\n"
	    "    interval: 100ms\n"
	    "    backoff_max: 200ms\n");

	atomic_store(&retry_ups, 0);
	struct collector_opts o = { .wake_fd = -1, .timeout_ms = 0, .on_change = count_ups };
	struct collector *c = collector_new(cfg, NULL, &o);
	char *cause = NULL;
	assert_int_equal(collector_start(c, &cause), 0);
	int64_t end = now_mono_ms() + 10000;
	while (atomic_load(&retry_ups) < 8 && now_mono_ms() < end)
		poll(NULL, 0, 50);
	collector_stop(c);
	int ups = atomic_load(&retry_ups);
	collector_free(c);
	if (ups < 8)
		setenv("PATH", saved, 1);	/* for the tests after this one */
	assert_true(ups >= 8);		/* four times up each, at least */

	c = collector_new(cfg, NULL, NULL);
	int64_t t0 = now_mono_ms();
	int silent = -1;
	int n = collector_run_until(c, INT_MAX, t0 + 1500, &silent);
	int64_t dt = now_mono_ms() - t0;
	assert_true(dt >= 1450);		/* never ends early for hosts that fail */
	assert_int_equal(n, 2);
	assert_int_equal(silent, 0);
	collector_free(c);

	c = collector_new(cfg, NULL, NULL);
	t0 = now_mono_ms();
	assert_int_equal(collector_run(c, 2, t0 + 10000), 0);
	assert_true(now_mono_ms() - t0 < 5000);	/* snapshot: each failed once, done */
	collector_free(c);
	setenv("PATH", saved, 1);
	assert_int_equal(stream_processes(), 0);
	config_free(cfg);
	rm_fake(dir, "sleep");
	free(path);
	free(saved);
}

/*
 * A probe command that hangs (an awk that prints a line, then sleeps) is
 * killed at its deadline on the node: the host shows timeout, naming the
 * probe, not parse-error; the stream goes on, and nothing is left running.
 */
static void
test_local_probe_deadline(void **state)
{
	(void)state;
	const char *old = getenv("PATH");
	char *saved = xstrdup(old != NULL ? old : "/usr/bin:/bin");
	char *dir = fake_path("awk",
	    PROBE_AWK("echo '== stat'; exec /bin/sleep 30"));
	char *path = xasprintf("%s:%s", dir, saved);
	setenv("PATH", path, 1);
	struct config *cfg = parse(
	    "groups:\n"
	    "  - name: here\n"
	    "    transport: local\n"
	    "    hosts: [hang]\n"
	    "    probes: [linux]\n"
	    "    interval: 100ms\n"
	    "    timeout: 2s\n"
	    "    probe_timeout: 300ms\n");
	struct collector *c = collector_new(cfg, NULL, NULL);
	int64_t t0 = now_mono_ms();
	/* a cycle came, with the figures of the probes that answered */
	assert_int_equal(collector_run(c, 1, t0 + 10000), 1);
	setenv("PATH", saved, 1);
	assert_true(now_mono_ms() - t0 < 3000);
	struct host_status *v;
	size_t nv;
	collector_hosts(c, &v, &nv);
	assert_int_equal(v[0].state, HOST_TIMEOUT);
	assert_string_equal(v[0].error, "linux: not finished within 300ms, killed");
	store_free_hosts(v, nv);
	collector_free(c);
	assert_int_equal(stream_processes(), 0);
	config_free(cfg);
	rm_fake(dir, "awk");
	free(path);
	free(saved);
}

/* ---- ~/.ssh/config ---------------------------------------------------------- */

static void
test_pattern(void **state)
{
	(void)state;
	assert_true(ssh_pattern_match("*", "anything"));
	assert_true(ssh_pattern_match("gpu*", "gpu001"));
	assert_true(ssh_pattern_match("GPU0?1", "gpu001"));
	assert_false(ssh_pattern_match("gpu0?1", "gpu0001"));
	assert_true(ssh_pattern_match("*.example.com", "a.b.example.com"));
	assert_false(ssh_pattern_match("*.example.com", "example.com"));
	assert_true(ssh_pattern_match("a*b*c", "axxbyyc"));
	assert_false(ssh_pattern_match("a*b*c", "axxbyy"));
	assert_true(ssh_pattern_match("", ""));
	assert_false(ssh_pattern_match("", "x"));
	assert_true(ssh_pattern_match("**?", "x"));
}

static const char sshcfg[] =
	"# a comment\n"
	"User alluser\n"
	"Host gpu* !gpu013\n"
	"    HostName %h.dc.example\n"
	"    Port=2200\n"
	"    IdentityFile ~/.ssh/gpu_key\n"
	"    IdentityFile \"/keys/%u/%r@%h\"\n"
	"Host gpu*\n"
	"    User late\n"
	"    Port 9999\n"
	"    ProxyJump bastion\n"
	"Match host gpu001\n"
	"    User matched\n"
	"Host other\n"
	"    ProxyJump none\n"
	"    StrictHostKeyChecking no\n"
	"    UserKnownHostsFile /dev/null\n";

static void
test_ssh_config(void **state)
{
	(void)state;
	struct ssh_host_config hc;

	memset(&hc, 0, sizeof hc);
	ssh_config_lookup(sshcfg, strlen(sshcfg), "gpu001", "/home/me", "me", &hc);
	assert_string_equal(hc.hostname, "gpu001.dc.example");
	assert_string_equal(hc.user, "alluser");	/* first value wins */
	assert_int_equal(hc.port, 2200);
	assert_int_equal(hc.nidentity, 2);
	assert_string_equal(hc.identity[0], "/home/me/.ssh/gpu_key");
	assert_string_equal(hc.identity[1], "/keys/me/alluser@gpu001.dc.example");
	assert_string_equal(hc.proxyjump, "bastion");
	ssh_host_config_free(&hc);

	/* negated pattern: only the second block applies */
	memset(&hc, 0, sizeof hc);
	ssh_config_lookup(sshcfg, strlen(sshcfg), "gpu013", "/home/me", "me", &hc);
	assert_null(hc.hostname);
	assert_int_equal(hc.port, 9999);
	assert_int_equal(hc.nidentity, 0);
	ssh_host_config_free(&hc);

	memset(&hc, 0, sizeof hc);
	ssh_config_lookup(sshcfg, strlen(sshcfg), "other", "/home/me", "me", &hc);
	assert_string_equal(hc.proxyjump, "none");
	assert_int_equal(hc.port, 0);
	ssh_host_config_free(&hc);

	/* garbage and an unbalanced quote do not crash or leak */
	static const char junk[] = "Host\n=\n\"\nHostName \"unterminated\nPort x\nPort 70000\n";
	memset(&hc, 0, sizeof hc);
	ssh_config_lookup(junk, sizeof junk - 1, "h", "/h", "u", &hc);
	assert_int_equal(hc.port, 0);
	ssh_host_config_free(&hc);
}

static void
test_target_resolve(void **state)
{
	(void)state;
	struct conn_settings cs;
	struct ssh_target t;

	memset(&cs, 0, sizeof cs);
	cs.port = 22;
	cs.hostkey_policy = HOSTKEY_ACCEPT_NEW;
	setenv("HOME", "/home/me", 1);
	ssh_target_resolve(&t, "gpu001", NULL, &cs, sshcfg, strlen(sshcfg), 3000);
	assert_string_equal(t.hostname, "gpu001.dc.example");
	assert_string_equal(t.user, "alluser");
	assert_int_equal(t.port, 2200);	/* the default 22 yields to ssh_config */
	assert_string_equal(t.known_hosts, "/home/me/.ssh/known_hosts");
	assert_int_equal(t.known_hosts_explicit, 0);
	assert_int_equal(t.nidentity, 2);
	assert_string_equal(t.proxyjump, "bastion");
	assert_int_equal(t.policy, HOSTKEY_ACCEPT_NEW);
	ssh_target_free(&t);

	/* opsdeck's own settings win */
	cs.user = (char *)"ops";
	cs.port = 2022;
	cs.identity = (char *)"/keys/ops";
	cs.known_hosts = (char *)"/etc/opsdeck/known_hosts";
	ssh_target_resolve(&t, "other", NULL, &cs, sshcfg, strlen(sshcfg), 0);
	assert_string_equal(t.hostname, "other");
	assert_string_equal(t.user, "ops");
	assert_int_equal(t.port, 2022);
	assert_string_equal(t.identity[0], "/keys/ops");
	assert_int_equal(t.nidentity, 1);
	assert_string_equal(t.known_hosts, "/etc/opsdeck/known_hosts");
	assert_int_equal(t.known_hosts_explicit, 1);
	assert_null(t.proxyjump);	/* ProxyJump none */
	assert_int_equal(t.timeout_ms, 10000);
	ssh_target_free(&t);

	/* no ssh_config: the default key files */
	memset(&cs, 0, sizeof cs);
	ssh_target_resolve(&t, "plain", NULL, &cs, NULL, 0, 1000);
	assert_int_equal(t.port, 22);
	assert_int_equal(t.nidentity, 3);
	assert_string_equal(t.identity[0], "/home/me/.ssh/id_ed25519");
	assert_string_equal(t.identity[2], "/home/me/.ssh/id_rsa");
	ssh_target_free(&t);

	/* the config's address wins over HostName; ssh_config still by the name */
	memset(&cs, 0, sizeof cs);
	cs.port = 22;
	ssh_target_resolve(&t, "gpu001", "10.0.0.7", &cs, sshcfg, strlen(sshcfg), 0);
	assert_string_equal(t.name, "gpu001");
	assert_string_equal(t.hostname, "10.0.0.7");
	assert_string_equal(t.user, "alluser");
	assert_int_equal(t.port, 2200);
	ssh_target_free(&t);
}

/* ssh_host_address: what Detail and snapshot JSON show for a host. */
static void
test_host_address(void **state)
{
	(void)state;
	struct group g;
	struct host h = { .name = (char *)"gpu001" };
	char *a;

	memset(&g, 0, sizeof g);
	g.conn.port = 22;
	setenv("HOME", "/home/me", 1);
	a = ssh_host_address(&g, &h, sshcfg, strlen(sshcfg));
	assert_string_equal(a, "gpu001.dc.example:2200");	/* HostName and Port */
	free(a);
	h.address = (char *)"10.0.0.7";
	a = ssh_host_address(&g, &h, sshcfg, strlen(sshcfg));
	assert_string_equal(a, "10.0.0.7:2200");
	free(a);
	h.name = (char *)"other";
	a = ssh_host_address(&g, &h, NULL, 0);
	assert_string_equal(a, "10.0.0.7");
	free(a);
	h.address = NULL;
	a = ssh_host_address(&g, &h, NULL, 0);
	assert_string_equal(a, "other");
	free(a);
	g.local = 1;
	a = ssh_host_address(&g, &h, NULL, 0);
	assert_string_equal(a, "local");
	free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_local_run),
		cmocka_unit_test(test_host_address),
		cmocka_unit_test(test_local_store),
		cmocka_unit_test(test_store_refuses_writes),
		cmocka_unit_test(test_local_start_stop_wake),
		cmocka_unit_test(test_local_interrupt),
		cmocka_unit_test(test_local_flood),
		cmocka_unit_test(test_local_partial),
		cmocka_unit_test(test_local_loop_dies),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_local_all_fail_retry),
		cmocka_unit_test(test_local_probe_deadline),
		cmocka_unit_test(test_pattern),
		cmocka_unit_test(test_ssh_config),
		cmocka_unit_test(test_target_resolve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
