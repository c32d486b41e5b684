/*
 * bench/store.c: figures for the SQLite cache (DESIGN.md's targets):
 *   - ingest: metric rows per second through store_put_status, one
 *     transaction per tick of 1,000 GPU nodes whose GPUs, their processes'
 *     memory and a third of whose BMC sensors move every tick (target >=
 *     200,000 rows/s);
 *   - bytes per host-day: a day of 2 s samples of ~20 metrics for a few
 *     hosts, rolled up and pruned by store_maintain, then the file's size;
 *   - first frame: store_open (read-only) + store_get_hosts on a cache of
 *     1,000 hosts with 128 cores, 8 GPUs and 40 sensors each (target <= 150 ms);
 *   - a day of one metric at a 1-minute step through store_history.
 * Prints figures; never fails on a threshold. Usage: bench/store [DIR [ingest|frame|day]]
 */
#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "opsdeck/chunk.h"
#include "opsdeck/store.h"
#include "opsdeck/util.h"
#include "../tests/store_test.h"

#define DAY_MS		86400000LL
#define INGEST_HOSTS	1000
#define INGEST_TICKS	30
#define INGEST_SENSORS	30	/* a GPU server's BMC (opsdeck-fleetsim's has 29-31) */
#define INGEST_HISTORY	360	/* finished chunks a host already has: 6 h of minute chunks */
#define DAY_HOSTS	4
#define FRAME_HOSTS	1000

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, char *cause)
{
	fprintf(stderr, "bench/store: %s: %s\n", what, cause ? cause : "failed");
	exit(1);
}

static struct store *
open_store(const char *path, int flags)
{
	struct store *st;
	char *cause = NULL;
	if (store_open(path, flags, &st, &cause) != 0)
		die("open", cause);
	return st;
}

static void
remove_db(const char *path)
{
	static const char *const sfx[] = { "", "-wal", "-shm", ".lock" };
	for (size_t i = 0; i < OD_ARRAY_LEN(sfx); i++) {
		char *p = xasprintf("%s%s", path, sfx[i]);
		unlink(p);
		free(p);
	}
}

/* Counts metric rows the way the store writes them. */
static void
count_metric(const char *metric, double value, void *arg)
{
	(void)metric;
	(void)value;
	(*(size_t *)arg)++;
}

static int64_t
file_size(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

static int64_t
sql_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int64_t v = -1;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return v;
}

/* Samples (level 0) or 1-minute rows (level 1) held in the chunks, decoded. */
static int64_t
chunk_samples(const char *path, int level, int64_t *bytes)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int64_t total = 0;

	*bytes = 0;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT data FROM chunks WHERE level = ?1", -1, &s,
	    NULL) == SQLITE_OK) {
		sqlite3_bind_int(s, 1, level);
		while (sqlite3_step(s) == SQLITE_ROW) {
			struct chunk_sample *p;
			size_t n, len = (size_t)sqlite3_column_bytes(s, 0);
			if (chunk_decode(sqlite3_column_blob(s, 0), len, -1, NULL, &p, &n) == 0)
				total += (int64_t)n;
			*bytes += (int64_t)len;
			free(p);
		}
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return total;
}

/*
 * Gives every host of the cache at path `n` finished raw chunks in the hours
 * before t0, written time by time as a collector would have (their data is
 * a stand-in: ingest never reads them). A fresh cache holds one chunk a
 * host, and its index fits in a few pages: a tick then writes far fewer
 * pages than it does in a cache that has run for hours.
 */
static void
seed_history(const char *path, int n, int64_t t0)
{
	sqlite3 *db;
	char *err = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		die("seed", xstrdup(sqlite3_errmsg(db)));
	sqlite3_busy_timeout(db, 5000);
	char *sql = sqlite3_mprintf(
	    "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < %d) "
	    "INSERT INTO chunks(host_id, level, t0, t1, n, data) "
	    "SELECT h.id, 0, %lld - k.i * 60000, %lld - k.i * 60000 + 59000, 60, zeroblob(16) "
	    "FROM k, hosts h ORDER BY k.i DESC, h.id", n, (long long)t0, (long long)t0);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		die("seed", xstrdup(err));
	sqlite3_free(sql);
	sqlite3_close(db);
}

static void
bench_ingest(const char *dir)
{
	char *path = xasprintf("%s/ingest.db", dir);
	remove_db(path);
	struct store *st = open_store(path, STORE_WRITER);
	struct host_status *h = xcalloc(INGEST_HOSTS, sizeof *h);
	char *cause = NULL;
	size_t per_host = 0;
	int64_t t0 = now_wall_ms() - 3600000;

	for (int i = 0; i < INGEST_HOSTS; i++) {
		char name[32];
		snprintf(name, sizeof name, "gpu%04d", i);
		test_status_make(&h[i], name, "compute", t0, 128, 8, INGEST_SENSORS);
		/* a training job's process on each GPU, as opsdeck-fleetsim's busy nodes */
		h[i].procs = xcalloc(8, sizeof *h[i].procs);
		h[i].nprocs = 8;
		for (int g = 0; g < 8; g++) {
			struct gpu_proc *p = &h[i].procs[g];
			p->gpu = g;
			p->pid = 20000 + 64 * (i % 512) + g;
			snprintf(p->user, sizeof p->user, "user%d", i % 5);
			snprintf(p->job, sizeof p->job, "%d", 700000 + i);
			snprintf(p->name, sizeof p->name, "/usr/bin/python3");
		}
	}
	host_status_metrics(&h[0], count_metric, &per_host);

	/* A first tick creates the hosts and series; the figure is the steady state. */
	double start = 0, cstart = 0;
	for (int tick = 0; tick <= INGEST_TICKS; tick++) {
		if (tick == 1) {
			seed_history(path, INGEST_HISTORY, t0);
			start = now_s();
			cstart = cpu_s();
		}
		if (store_begin(st, &cause) != 0)
			die("begin", cause);
		for (int i = 0; i < INGEST_HOSTS; i++) {
			h[i].sample_ms = t0 + tick * 1000;
			h[i].cpu_pct = (i + tick) % 100;
			/*
			 * As a busy GPU node: every GPU's use, power and temperature
			 * move each second, a third of the BMC's readings too.
			 */
			for (int g = 0; g < h[i].ngpus; g++) {
				h[i].gpus[g].util_pct = (i + g + tick) % 101;
				h[i].gpus[g].power_w = 300 + (i * 7 + g + tick) % 400;
				h[i].gpus[g].temp_c = 40 + (i + g * 3 + tick) % 40;
				h[i].procs[g].mem_used_bytes = (60LL << 30) + ((i + g + tick) % 64 << 20);
			}
			for (int k = 0; k < h[i].nsensors; k += 3)
				h[i].sensors[k].value = 5000 + (i + k + tick) % 97 * 120;
			if (store_put_status(st, &h[i], &cause) != 0)
				die("put", cause);
		}
		if (store_commit(st, &cause) != 0)
			die("commit", cause);
	}
	double el = now_s() - start, cpu = cpu_s() - cstart;
	double rows = (double)INGEST_TICKS * INGEST_HOSTS * (double)per_host;
	printf("ingest: %d hosts x %zu metrics (+ host row, 8 GPUs and their processes, %d of %d sensors"
	    " moving; %d chunks of history each), %d ticks of one"
	    " transaction each: %.0f metric rows/s wall (%.1f ms per tick), %.0f rows per"
	    " CPU second (%.1f ms CPU per tick)  [target >= 200000]\n", INGEST_HOSTS, per_host,
	    (INGEST_SENSORS + 2) / 3, INGEST_SENSORS, INGEST_HISTORY, INGEST_TICKS, rows / el, el * 1000 / INGEST_TICKS, rows / cpu,
	    cpu * 1000 / INGEST_TICKS);
	store_close(st);
	for (int i = 0; i < INGEST_HOSTS; i++)
		host_status_free(&h[i]);
	free(h);
	remove_db(path);
	free(path);
}

static void
bench_host_day(const char *dir)
{
	char *path = xasprintf("%s/day.db", dir);
	remove_db(path);
	struct store *st = open_store(path, STORE_WRITER);
	struct host_status h[DAY_HOSTS];
	char *cause = NULL;
	size_t per_host = 0;
	int64_t start = (now_wall_ms() / DAY_MS - 2) * DAY_MS;
	const int64_t step = 2000;
	struct retention r = { STORE_RAW_MS, STORE_MINUTE_MS, STORE_HOUR_MS };

	for (int i = 0; i < DAY_HOSTS; i++) {
		char name[32];
		snprintf(name, sizeof name, "node%02d", i);
		test_status_make(&h[i], name, "compute", start, 64, 2, 0);
	}
	host_status_metrics(&h[0], count_metric, &per_host);
	double t = now_s();
	int maint_calls = 0;
	/* A minute of ticks per transaction keeps this part short; the rows are the same. */
	for (int64_t ts = start; ts < start + DAY_MS; ts += step) {
		if ((ts / step) % 30 == 0 && store_begin(st, &cause) != 0)
			die("begin", cause);
		for (int i = 0; i < DAY_HOSTS; i++) {
			h[i].sample_ms = ts;
			/* Values that vary like real ones (so rows do not compress to nothing). */
			h[i].cpu_pct = (double)((ts / step * 7 + i * 13) % 1000) / 10.0;
			h[i].load[0] = (double)((ts / step) % 400) / 100.0;
			h[i].mem_used = (uint64_t)(ts / step % 100000) * 4096 + (100ULL << 30);
			h[i].net_rx_bps = (double)(ts / step % 9973) * 1000.5;
			h[i].gpus[0].util_pct = (double)((ts / step) % 101);
			h[i].gpus[1].temp_c = 40 + (double)((ts / step) % 37);
			if (store_put_status(st, &h[i], &cause) != 0)
				die("put", cause);
		}
		if ((ts / step) % 30 != 29)
			continue;
		if (store_commit(st, &cause) != 0)
			die("commit", cause);
		/* As the collector would: a slice of housekeeping now and then. */
		{
			if (store_maintain(st, &r, ts, 0, &cause) < 0)
				die("maintain", cause);
			maint_calls++;
		}
	}
	int64_t end = start + DAY_MS;
	int rc;
	while ((rc = store_maintain(st, &r, end, 0, &cause)) == 1)
		maint_calls++;
	if (rc < 0)
		die("maintain", cause);
	double el = now_s() - t;
	store_close(st);

	int64_t size = file_size(path);
	int64_t live = sql_int(path, "SELECT (SELECT page_count FROM pragma_page_count) -"
	    " (SELECT freelist_count FROM pragma_freelist_count)") *
	    sql_int(path, "PRAGMA page_size");
	int64_t raw_bytes, m1_bytes;
	int64_t raw = chunk_samples(path, 0, &raw_bytes);
	int64_t m1 = chunk_samples(path, 1, &m1_bytes);
	int64_t h1 = sql_int(path, "SELECT count(*) FROM samples_1h");
	int64_t rollup_bytes = m1_bytes + sql_int(path, "SELECT sum(pgsize) FROM dbstat WHERE"
	    " name = 'samples_1h'");
	printf("host-day: %d hosts x %zu metrics, a day of %llds samples in %.1f s"
	    " (%d maintain calls)\n", DAY_HOSTS, per_host, (long long)(step / 1000), el,
	    maint_calls);
	printf("host-day: after rollup and pruning: %lld raw rows (last 6h), %lld 1-minute,"
	    " %lld 1-hour\n", (long long)raw, (long long)m1, (long long)h1);
	printf("host-day: file %.2f MiB, %.2f MiB in use: %.2f MiB per host-day"
	    " (6h raw + 1 day of rollups)\n", size / 1048576.0, live / 1048576.0,
	    live / 1048576.0 / DAY_HOSTS);
	printf("host-day: raw chunks %.2f bytes per raw sample (chunk data alone)\n",
	    raw > 0 ? (double)raw_bytes / (double)raw : 0.0);
	/* Every page in use, hosts and indexes included, over every value held. */
	printf("bytes per sample: %.2f (%.2f MiB in use / %lld stored samples: raw"
	    " samples + 1-minute rows + 1-hour rows)  [must <= 6, goal <= 4]\n",
	    (double)live / (double)(raw + m1 + h1), live / 1048576.0,
	    (long long)(raw + m1 + h1));
	if (rollup_bytes > 0)
		printf("host-day: rollups alone %.0f KiB per host-day (what each further"
		    " day adds for 30 days; 1-hour rows %.1f KiB/day for 2 years)\n",
		    rollup_bytes / 1024.0 / DAY_HOSTS,
		    rollup_bytes / 1024.0 / DAY_HOSTS * (double)h1 / (double)(m1 + h1));

	/* A day of one metric at 1-minute steps. */
	st = open_store(path, STORE_READONLY);
	struct store_point *p;
	size_t n;
	double q = now_s();
	if (store_history(st, "node01", "cpu.util_pct", start, end, 60000, &p, &n, &cause) != 0)
		die("history", cause);
	printf("history: a day of cpu.util_pct at 1m: %zu points in %.1f ms\n", n,
	    (now_s() - q) * 1000);
	free(p);
	q = now_s();
	if (store_history(st, "node01", "cpu.util_pct", end - 3600000, end, 0, &p, &n,
	    &cause) != 0)
		die("history", cause);
	printf("history: the last hour raw: %zu points in %.1f ms\n", n, (now_s() - q) * 1000);
	free(p);
	store_close(st);
	for (int i = 0; i < DAY_HOSTS; i++)
		host_status_free(&h[i]);
	remove_db(path);
	free(path);
}

static void
bench_first_frame(const char *dir)
{
	char *path = xasprintf("%s/frame.db", dir);
	remove_db(path);
	struct store *st = open_store(path, STORE_WRITER);
	char *cause = NULL;
	int64_t t0 = now_wall_ms();

	if (store_begin(st, &cause) != 0)
		die("begin", cause);
	for (int i = 0; i < FRAME_HOSTS; i++) {
		struct host_status h;
		char name[32];
		snprintf(name, sizeof name, "gpu%04d", i);
		test_status_make(&h, name, i < 900 ? "compute" : "testbed", t0, 128, 8, 40);
		if (store_put_status(st, &h, &cause) != 0)
			die("put", cause);
		host_status_free(&h);
	}
	if (store_commit(st, &cause) != 0)
		die("commit", cause);

	/* While the writer keeps it open (as `opsdeck collect` would). */
	double best = 1e9, worst = 0, cbest = 1e9;
	for (int run = 0; run < 5; run++) {
		double t = now_s(), c = cpu_s();
		struct store *r = open_store(path, STORE_READONLY);
		struct host_status *v;
		size_t n;
		if (store_get_hosts(r, &v, &n, &cause) != 0)
			die("get_hosts", cause);
		double el = now_s() - t;
		c = cpu_s() - c;
		cbest = c < cbest ? c : cbest;
		if (n != FRAME_HOSTS)
			die("get_hosts", xasprintf("%zu hosts", n));
		store_free_hosts(v, n);
		store_close(r);
		best = el < best ? el : best;
		worst = el > worst ? el : worst;
	}
	printf("first frame: open + store_get_hosts, %d hosts (128 cores, 8 GPUs, 40 sensors"
	    " each): best %.1f ms, worst %.1f ms of 5 (best CPU %.1f ms)  [target <= 150 ms]\n",
	    FRAME_HOSTS, best * 1000, worst * 1000, cbest * 1000);
	store_close(st);
	remove_db(path);
	free(path);
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	char tmpl[] = "/tmp/opsdeck-bench-store.XXXXXX";
	const char *dir = argc > 1 ? argv[1] : mkdtemp(tmpl);

	if (dir == NULL) {
		perror("mkdtemp");
		return 1;
	}
	const char *only = argc > 2 ? argv[2] : "";
	printf("sqlite %s\n", sqlite3_libversion());
	if (!*only || strcmp(only, "ingest") == 0)
		bench_ingest(dir);
	if (!*only || strcmp(only, "frame") == 0)
		bench_first_frame(dir);
	if (!*only || strcmp(only, "day") == 0)
		bench_host_day(dir);
	if (argc <= 1)
		rmdir(dir);
	return 0;
}
