/*
 * test_store_procs.c: who is on each GPU, through a real cache file. The
 * processes a writer puts come back from a reader of another connection,
 * field by field ([N/A] memory stays -1, no job stays ""); the host's
 * host_live row (schema 8: GPUs, sensors and processes) is written only
 * when they change (a trigger counts its writes); fewer, more, and none
 * replace them whole; a new writer rewrites them; `forget` takes them with
 * the host.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opsdeck/store.h"
#include "opsdeck/util.h"
#include "store_test.h"

struct fx {
	char	*dir, *path;
};

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	char tmpl[] = "/tmp/opsdeck-procs-XXXXXX";
	f->dir = xstrdup(mkdtemp(tmpl));
	f->path = xasprintf("%s/c.db", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char *cmd = xasprintf("rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", f->dir);
	free(cmd);
	free(f->dir);
	free(f->path);
	free(f);
	return 0;
}

static struct store *
open_ok(const char *path, int flags)
{
	struct store *st = NULL;
	char *cause = NULL;
	int r = store_open(path, flags, &st, &cause);
	if (r != 0)
		fprintf(stderr, "# store_open: %s\n", cause);
	assert_int_equal(r, 0);
	return st;
}

static void
put_ok(struct store *st, struct host_status *h)
{
	char *cause = NULL;
	h->sample_ms += 1000;
	assert_int_equal(store_begin(st, &cause), 0);
	assert_int_equal(store_put_status(st, h, &cause), 0);
	assert_int_equal(store_commit(st, &cause), 0);
}

/* One integer from the cache file, through a connection of sqlite's own. */
static int64_t
sql_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int64_t v = -999;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* Gives h n processes: pid 100+i on GPU i % ngpus, every other one in job 4242. */
static void
make_procs(struct host_status *h, int n)
{
	free(h->procs);
	h->procs = n > 0 ? xcalloc((size_t)n, sizeof *h->procs) : NULL;
	h->nprocs = n;
	for (int i = 0; i < n; i++) {
		struct gpu_proc *p = &h->procs[i];
		p->gpu = h->gpus[i % h->ngpus].index;
		p->pid = 100 + i;
		p->mem_used_bytes = i == 1 ? -1 : (int64_t)(i + 1) << 30;
		snprintf(p->user, sizeof p->user, "user%d", i);
		if (i % 2 == 0)
			snprintf(p->job, sizeof p->job, "4242");
		snprintf(p->name, sizeof p->name, "/opt/app/bin/train-%d", i);
	}
}

/* The hosts a reader sees; host 0 is h's. */
static void
read_back(const char *path, struct host_status **v, size_t *n)
{
	struct store *rd = open_ok(path, STORE_READONLY);
	char *cause = NULL;
	assert_int_equal(store_get_hosts(rd, v, n, &cause), 0);
	assert_true(*n >= 1);
	store_close(rd);
}

static void
test_round_trip(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->path, STORE_WRITER);
	struct host_status h, *v;
	size_t n;

	host_status_init(&h);
	test_status_make(&h, "gpu001", "gpu", now_wall_ms(), 2, 2, 0);
	make_procs(&h, 3);
	put_ok(st, &h);
	read_back(f->path, &v, &n);
	assert_int_equal(v[0].nprocs, 3);
	for (int i = 0; i < 3; i++) {
		const struct gpu_proc *a = &v[0].procs[i], *b = &h.procs[i];
		assert_int_equal(a->gpu, b->gpu);
		assert_int_equal(a->pid, b->pid);
		assert_int_equal(a->mem_used_bytes, b->mem_used_bytes);
		assert_string_equal(a->user, b->user);
		assert_string_equal(a->job, b->job);
		assert_string_equal(a->name, b->name);
	}
	assert_int_equal(v[0].procs[1].mem_used_bytes, -1);	/* [N/A] stays unknown */
	assert_string_equal(v[0].procs[1].job, "");		/* outside Slurm */
	store_free_hosts(v, n);

	/* unchanged: not written again (a trigger of our own counts the row's writes) */
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE n(k INTEGER); INSERT INTO n VALUES (0);"
	    "CREATE TRIGGER c AFTER INSERT ON host_live BEGIN UPDATE n SET k = k + 1; END;",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	put_ok(st, &h);
	put_ok(st, &h);
	assert_int_equal(sql_int(f->path, "SELECT k FROM n"), 0);
	/* one field changes: the host's row is written again, once */
	od_strlcpy(h.procs[2].job, "77", sizeof h.procs[2].job);
	put_ok(st, &h);
	assert_int_equal(sql_int(f->path, "SELECT k FROM n"), 1);
	read_back(f->path, &v, &n);
	assert_string_equal(v[0].procs[2].job, "77");
	store_free_hosts(v, n);
	/* the memory of one moves (every tick on a busy node): written again */
	h.procs[0].mem_used_bytes += 1 << 20;
	put_ok(st, &h);
	assert_int_equal(sql_int(f->path, "SELECT k FROM n"), 2);
	read_back(f->path, &v, &n);
	assert_int_equal(v[0].procs[0].mem_used_bytes, h.procs[0].mem_used_bytes);
	store_free_hosts(v, n);

	/* more, fewer, none */
	make_procs(&h, 7);
	put_ok(st, &h);
	read_back(f->path, &v, &n);
	assert_int_equal(v[0].nprocs, 7);
	store_free_hosts(v, n);
	make_procs(&h, 1);
	put_ok(st, &h);
	read_back(f->path, &v, &n);
	assert_int_equal(v[0].nprocs, 1);
	store_free_hosts(v, n);
	make_procs(&h, 0);
	put_ok(st, &h);
	read_back(f->path, &v, &n);
	assert_int_equal(v[0].nprocs, 0);
	assert_null(v[0].procs);
	store_free_hosts(v, n);

	/* a host with processes alone (no GPUs, no sensors) still has its row */
	struct host_status bare;
	test_status_make(&bare, "gpu000", "gpu", now_wall_ms(), 2, 0, 0);
	bare.procs = xcalloc(1, sizeof *bare.procs);
	bare.nprocs = 1;
	bare.procs[0].pid = 9;
	put_ok(st, &bare);
	read_back(f->path, &v, &n);
	assert_string_equal(v[0].name, "gpu000");
	assert_true(v[0].nprocs == 1 && v[0].procs[0].pid == 9 && v[0].ngpus == 0);
	store_free_hosts(v, n);
	host_status_free(&bare);

	/* a new writer remembers nothing: it writes the row whole */
	make_procs(&h, 2);
	put_ok(st, &h);
	store_close(st);
	int64_t before = sql_int(f->path, "SELECT k FROM n");
	st = open_ok(f->path, STORE_WRITER);
	put_ok(st, &h);
	assert_int_equal(sql_int(f->path, "SELECT k FROM n"), before + 1);
	store_close(st);
	host_status_free(&h);
}

static void
test_forget_takes_them(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->path, STORE_WRITER);
	struct host_status h;
	char *cause = NULL;

	host_status_init(&h);
	test_status_make(&h, "gone", "gpu", now_wall_ms(), 2, 1, 0);
	make_procs(&h, 2);
	put_ok(st, &h);
	host_status_free(&h);
	host_status_init(&h);
	test_status_make(&h, "kept", "gpu", now_wall_ms(), 2, 1, 0);
	make_procs(&h, 3);
	put_ok(st, &h);
	host_status_free(&h);
	store_close(st);
	struct host_status *v;
	size_t n;
	read_back(f->path, &v, &n);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].nprocs + v[1].nprocs, 5);
	store_free_hosts(v, n);
	const char *names[] = { "gone" };
	st = open_ok(f->path, STORE_WRITER);
	char **gone = NULL;
	size_t ngone = 0;
	assert_int_equal(store_forget(st, NULL, names, 1, &gone, &ngone, &cause), 0);
	assert_int_equal(ngone, 1);
	store_forget_free(gone, ngone);
	store_close(st);
	read_back(f->path, &v, &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "kept");
	assert_int_equal(v[0].nprocs, 3);
	store_free_hosts(v, n);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM host_live WHERE host_id NOT IN"
	    " (SELECT id FROM hosts)"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forget_takes_them, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
