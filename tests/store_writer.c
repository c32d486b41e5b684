/*
 * store_writer.c: a small writer of the cache for the store's shell tests.
 *
 *   store_writer loop PATH           write ticks of 50 hosts forever (prints "ready"
 *                                    after the first commit); for kill -9 tests
 *   store_writer fill PATH HOSTS START_MS TICKS INTERVAL_MS
 *                                    write TICKS ticks (cpu = tick % 60, mem =
 *                                    tick * 1 MiB), then maintain with now = the end
 *   store_writer try PATH            open as a writer; print the error and exit 1
 *                                    when refused, exit 0 when it got the lock
 *   store_writer check PATH HOSTS    open read-only: integrity_check, every chunk
 *                                    decodes, HOSTS hosts, and every host at the
 *                                    same tick (no torn batch)
 *   store_writer maintain PATH NOW_MS
 *                                    open as a writer (upgrading an older cache) and
 *                                    run store_maintain with now = NOW_MS until idle
 *   store_writer live PATH           open read-only; print each host's GPUs,
 *                                    sensors and GPU processes as store_get_hosts
 *                                    reads them, a line each ("NAME gpu INDEX UUID
 *                                    NAME UTIL ..." / "NAME sensor NAME VALUE UNIT
 *                                    STATUS LEVEL STATE" / "NAME proc GPU PID MEM
 *                                    USER JOB NAME")
 */
#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/chunk.h"
#include "opsdeck/store.h"
#include "opsdeck/util.h"
#include "store_test.h"

#define LOOP_HOSTS 50

static void
make_host(struct host_status *h, int i, int64_t tick, int64_t sample_ms)
{
	char name[32];

	snprintf(name, sizeof name, "node%03d", i);
	test_status_make(h, name, "rack1", sample_ms, 16, 4, 8);
	h->cpu_pct = (double)(tick % 60);
	h->mem_used = (uint64_t)tick << 20;
	/* The tick, recoverable from each host for the torn-batch check. */
	h->uptime_s = (double)tick;
}

static int
do_loop(const char *path)
{
	struct store *st;
	char *cause = NULL;

	if (store_open(path, STORE_WRITER, &st, &cause) != 0) {
		fprintf(stderr, "store_writer: %s\n", cause);
		return 1;
	}
	int64_t tick = 0;
	/* Continue where the killed predecessor left off. */
	struct host_status *v;
	size_t n;
	if (store_get_hosts(st, &v, &n, &cause) == 0) {
		for (size_t i = 0; i < n; i++)
			if ((int64_t)v[i].uptime_s >= tick)
				tick = (int64_t)v[i].uptime_s + 1;
		store_free_hosts(v, n);
	} else {
		free(cause);
	}
	int64_t base = now_wall_ms() - 3600000;
	for (;; tick++) {
		if (store_begin(st, &cause) != 0) {
			fprintf(stderr, "store_writer: %s\n", cause);
			return 1;
		}
		for (int i = 0; i < LOOP_HOSTS; i++) {
			struct host_status h;
			make_host(&h, i, tick, base + tick * 1000);
			if (store_put_status(st, &h, &cause) != 0) {
				fprintf(stderr, "store_writer: %s\n", cause);
				return 1;
			}
			host_status_free(&h);
		}
		if (store_commit(st, &cause) != 0) {
			fprintf(stderr, "store_writer: %s\n", cause);
			return 1;
		}
		if (tick % 20 == 0 && store_maintain(st, NULL, base + tick * 1000, 2000,
		    &cause) < 0) {
			fprintf(stderr, "store_writer: %s\n", cause);
			return 1;
		}
		if (tick % 10 == 0) {
			printf("ready %lld\n", (long long)tick);
			fflush(stdout);
		}
	}
}

static int
do_fill(const char *path, int hosts, int64_t start, int64_t ticks, int64_t interval)
{
	struct store *st;
	char *cause = NULL;

	if (store_open(path, STORE_WRITER, &st, &cause) != 0) {
		fprintf(stderr, "store_writer: %s\n", cause);
		return 1;
	}
	for (int64_t t = 0; t < ticks; t++) {
		if (store_begin(st, &cause) != 0)
			goto fail;
		for (int i = 0; i < hosts; i++) {
			struct host_status h;
			make_host(&h, i, t, start + t * interval);
			int r = store_put_status(st, &h, &cause);
			host_status_free(&h);
			if (r != 0)
				goto fail;
		}
		if (store_commit(st, &cause) != 0)
			goto fail;
	}
	int r;
	while ((r = store_maintain(st, NULL, start + ticks * interval, 0, &cause)) == 1)
		;
	if (r < 0)
		goto fail;
	store_close(st);
	return 0;
fail:
	fprintf(stderr, "store_writer: %s\n", cause);
	store_close(st);
	return 1;
}

static int
do_try(const char *path)
{
	struct store *st;
	char *cause = NULL;

	if (store_open(path, STORE_WRITER, &st, &cause) != 0) {
		printf("%s\n", cause);
		free(cause);
		return 1;
	}
	store_close(st);
	return 0;
}

static int
do_live(const char *path)
{
	struct store *st;
	struct host_status *v;
	size_t n;
	char *cause = NULL;

	if (store_open(path, STORE_READONLY, &st, &cause) != 0 ||
	    store_get_hosts(st, &v, &n, &cause) != 0) {
		printf("%s\n", cause);
		free(cause);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		for (int k = 0; k < v[i].ngpus; k++) {
			const struct gpu_sample *g = &v[i].gpus[k];
			printf("%s gpu %d %s %s %g %g %lld %lld %g %g %g %lld %llu\n", v[i].name,
			    g->index, g->uuid, g->name, g->util_pct, g->mem_util_pct,
			    (long long)g->mem_used_bytes, (long long)g->mem_total_bytes,
			    g->temp_c, g->power_w, g->power_limit_w,
			    (long long)g->ecc_uncorrected,
			    (unsigned long long)g->throttle_reasons);
		}
		for (int k = 0; k < v[i].nsensors; k++) {
			const struct sensor_sample *x = &v[i].sensors[k];
			printf("%s sensor %s %g %s %s %d %s\n", v[i].name, x->name, x->value,
			    x->unit, x->status, (int)x->level, x->state);
		}
		for (int k = 0; k < v[i].nprocs; k++) {
			const struct gpu_proc *x = &v[i].procs[k];
			printf("%s proc %d %d %lld %s %s %s\n", v[i].name, x->gpu, x->pid,
			    (long long)x->mem_used_bytes, x->user, x->job, x->name);
		}
	}
	store_free_hosts(v, n);
	store_close(st);
	return 0;
}

static int
do_check(const char *path, size_t want_hosts)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int ok = 0;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "store_writer: %s: %s\n", path, sqlite3_errmsg(db));
		return 1;
	}
	if (sqlite3_step(s) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(s, 0), "ok") == 0)
		ok = 1;
	else
		fprintf(stderr, "store_writer: integrity_check: %s\n",
		    (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	/* Every chunk decodes: a torn write would show here. */
	size_t nchunks = 0, bad = 0;
	if (ok && sqlite3_prepare_v2(db, "SELECT data FROM chunks", -1, &s, NULL) == SQLITE_OK) {
		while (sqlite3_step(s) == SQLITE_ROW) {
			struct chunk_sample *p;
			size_t np;
			nchunks++;
			if (chunk_decode(sqlite3_column_blob(s, 0),
			    (size_t)sqlite3_column_bytes(s, 0), -1, NULL, &p, &np) != 0)
				bad++;
			free(p);
		}
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	if (bad > 0) {
		fprintf(stderr, "store_writer: %zu of %zu chunks do not decode\n", bad, nchunks);
		ok = 0;
	}
	if (!ok)
		return 1;

	struct store *st;
	char *cause = NULL;
	if (store_open(path, STORE_READONLY, &st, &cause) != 0) {
		fprintf(stderr, "store_writer: %s\n", cause);
		return 1;
	}
	struct host_status *v;
	size_t n;
	if (store_get_hosts(st, &v, &n, &cause) != 0) {
		fprintf(stderr, "store_writer: %s\n", cause);
		return 1;
	}
	int rc = 0;
	if (n != want_hosts) {
		fprintf(stderr, "store_writer: %zu hosts, want %zu\n", n, want_hosts);
		rc = 1;
	}
	for (size_t i = 1; i < n; i++) {
		if (v[i].uptime_s != v[0].uptime_s || v[i].sample_ms != v[0].sample_ms) {
			fprintf(stderr, "store_writer: torn tick: %s at %.0f, %s at %.0f\n",
			    v[0].name, v[0].uptime_s, v[i].name, v[i].uptime_s);
			rc = 1;
			break;
		}
	}
	if (rc == 0)
		printf("ok: %zu hosts at tick %.0f\n", n, n ? v[0].uptime_s : 0.0);
	store_free_hosts(v, n);
	store_close(st);
	return rc;
}

static int
do_maintain(const char *path, int64_t now)
{
	struct store *st;
	char *cause = NULL;
	struct retention r = { STORE_RAW_MS, STORE_MINUTE_MS, STORE_HOUR_MS };
	int rc;

	if (store_open(path, STORE_WRITER, &st, &cause) != 0) {
		fprintf(stderr, "store_writer: %s\n", cause);
		return 1;
	}
	while ((rc = store_maintain(st, &r, now, 0, &cause)) == 1)
		;
	if (rc < 0)
		fprintf(stderr, "store_writer: %s\n", cause);
	store_close(st);
	return rc < 0;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "loop") == 0)
		return do_loop(argv[2]);
	if (argc == 7 && strcmp(argv[1], "fill") == 0)
		return do_fill(argv[2], atoi(argv[3]), strtoll(argv[4], NULL, 10),
		    strtoll(argv[5], NULL, 10), strtoll(argv[6], NULL, 10));
	if (argc == 3 && strcmp(argv[1], "try") == 0)
		return do_try(argv[2]);
	if (argc == 4 && strcmp(argv[1], "check") == 0)
		return do_check(argv[2], (size_t)atoi(argv[3]));
	if (argc == 4 && strcmp(argv[1], "maintain") == 0)
		return do_maintain(argv[2], strtoll(argv[3], NULL, 10));
	if (argc == 3 && strcmp(argv[1], "live") == 0)
		return do_live(argv[2]);
	fprintf(stderr, "usage: store_writer loop|fill|try|check|maintain|live PATH ...\n");
	return 2;
}
