/*
 * test_store_locks.c: a second connection of the same process never drops
 * the first one's SQLite locks (store_inuse.c); and the fleet as of a past
 * time (store_at.c) read from what the writer put.
 *
 * The console holds the cache open read-only while its collector, an
 * --offline acknowledgement or the exporter opens it again. store_open used
 * to read the file's header through a descriptor of its own and close it,
 * which drops every POSIX lock of the process on the file. Another process
 * closing its last connection could then checkpoint and delete the WAL under
 * our connections, and the next commit was lost (seen as an acknowledged
 * note that never reached tb_acks). Here: the lock is still held after the
 * second open, seen from another process with F_GETLK; and a commit made
 * after another process opened and closed the cache is on disk.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "opsdeck/store.h"
#include "opsdeck/util.h"
#include "store_test.h"

/* SQLite's lock bytes (os_unix.c): SHARED is a read lock on 510 bytes. */
#define SQ_PENDING_BYTE	0x40000000
#define SQ_SHARED_FIRST	(SQ_PENDING_BYTE + 2)
#define SQ_SHARED_SIZE	510

static char *self;	/* argv[0]: the child that opens and closes the cache */

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
put_tick(struct store *st, const char *name)
{
	struct host_status h;
	char *cause = NULL;

	host_status_init(&h);
	test_status_make(&h, name, "g", now_wall_ms(), 2, 0, 0);
	assert_int_equal(store_begin(st, &cause), 0);
	assert_int_equal(store_put_status(st, &h, &cause), 0);
	int r = store_commit(st, &cause);
	if (r != 0)
		fprintf(stderr, "# commit: %s\n", cause);
	assert_int_equal(r, 0);
	host_status_free(&h);
}

/* 1 when some other process holds a lock on path's SHARED bytes (asked from a child). */
static int
shared_held(const char *path)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(path, O_RDWR);
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
		    .l_start = SQ_SHARED_FIRST, .l_len = SQ_SHARED_SIZE };
		if (fd < 0 || fcntl(fd, F_GETLK, &fl) != 0)
			_exit(2);
		_exit(fl.l_type != F_UNLCK ? 1 : 0);
	}
	int ws;
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_true(WIFEXITED(ws) && WEXITSTATUS(ws) != 2);
	return WEXITSTATUS(ws);
}

/*
 * Another process opens the cache, counts its hosts and closes its
 * connection (its last: it may checkpoint and delete the WAL). The count,
 * or -1.
 */
static int
other_process_count(const char *path)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl(self, self, "--count", path, (char *)NULL);
		_exit(127);
	}
	int ws;
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_true(WIFEXITED(ws));
	return WEXITSTATUS(ws) < 100 ? WEXITSTATUS(ws) : -1;
}

static int64_t
host_count(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int64_t v = -1;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM hosts", -1, &s, NULL),
	    SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void
test_second_open_keeps_locks(void **state)
{
	char dir[] = "/tmp/opsdeck-test-locks.XXXXXX";
	(void)state;
	assert_non_null(mkdtemp(dir));
	char *path = xasprintf("%s/cache.db", dir);

	struct store *w = open_ok(path, STORE_WRITER);
	put_tick(w, "a");
	struct store *r = open_ok(path, STORE_READONLY);
	struct host_status *v = NULL;
	size_t n = 0;
	char *cause = NULL;
	assert_int_equal(store_get_hosts(r, &v, &n, &cause), 0);	/* a read: SHARED */
	store_free_hosts(v, n);
	assert_int_equal(shared_held(path), 1);

	/* What an --offline acknowledgement does beside the console's reader. */
	struct store *again = open_ok(path, 0);
	assert_int_equal(shared_held(path), 1);
	store_close(again);
	assert_int_equal(shared_held(path), 1);

	/* Another process's last close must not take the WAL from under us. */
	assert_int_equal(other_process_count(path), 1);
	put_tick(w, "b");
	/* seen by other processes while ours still run (before, only after our last close) */
	assert_int_equal(other_process_count(path), 2);
	store_close(r);
	store_close(w);
	assert_int_equal(host_count(path), 2);

	char *cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(path);
}

/* h as the collector would put it: state since `since`, a sample at sample_ms. */
static void
put_at(struct store *st, const char *name, enum host_state state, int64_t since,
    int64_t sample_ms, double cpu)
{
	struct host_status h;
	char *cause = NULL;

	test_status_make(&h, name, "g", sample_ms, 2, 2, 0);
	h.state = state;
	h.state_since_ms = since;
	h.cpu_pct = cpu;
	if (state != HOST_UP)
		snprintf(h.error, sizeof h.error, "connection refused");
	assert_int_equal(store_begin(st, &cause), 0);
	assert_int_equal(store_put_status(st, &h, &cause), 0);
	assert_int_equal(store_commit(st, &cause), 0);
	host_status_free(&h);
}

static const struct host_status *
find(const struct host_status *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

static void
test_hosts_at(void **state)
{
	char dir[] = "/tmp/opsdeck-test-at.XXXXXX";
	(void)state;
	assert_non_null(mkdtemp(dir));
	char *path = xasprintf("%s/cache.db", dir);
	struct store *w = open_ok(path, STORE_WRITER);
	const int64_t t0 = 1796000000000LL;	/* 2026-12 */

	put_at(w, "n1", HOST_UP, t0, t0, 10);
	put_at(w, "n1", HOST_UP, t0, t0 + 10000, 20);
	put_at(w, "n2", HOST_UP, t0 + 50000, t0 + 50000, 70);
	put_at(w, "n1", HOST_DOWN, t0 + 100000, t0 + 10000, 20);	/* no new sample */

	struct host_status *v;
	size_t n, unknown;
	char *cause = NULL;
	assert_int_equal(store_hosts_at(w, t0 + 5000, 300000, &v, &n, &unknown, &cause), 0);
	assert_int_equal(n, 1);
	assert_int_equal(unknown, 1);		/* n2 came later */
	assert_string_equal(v[0].name, "n1");
	assert_int_equal(v[0].state, HOST_UP);
	assert_true(v[0].cpu_pct == 10);	/* the sample before, not the one after */
	assert_true(v[0].sample_ms == t0);
	assert_true(v[0].mem_total == 512ULL << 30 && v[0].mem_used == 123456789012ULL);
	assert_true(v[0].load[2] == 3.125);
	assert_int_equal(v[0].ngpus, 2);
	assert_true(v[0].gpus[1].util_pct == 10.0);
	store_free_hosts(v, n);

	assert_int_equal(store_hosts_at(w, t0 + 60000, 300000, &v, &n, &unknown, &cause), 0);
	assert_int_equal(n, 2);
	assert_int_equal(unknown, 0);
	assert_true(find(v, n, "n1")->cpu_pct == 20 && find(v, n, "n1")->state == HOST_UP);
	assert_true(find(v, n, "n2")->cpu_pct == 70);
	store_free_hosts(v, n);

	assert_int_equal(store_hosts_at(w, t0 + 200000, 300000, &v, &n, &unknown, &cause), 0);
	const struct host_status *h = find(v, n, "n1");
	assert_int_equal(h->state, HOST_DOWN);
	assert_string_equal(h->error, "connection refused");
	assert_true(h->state_since_ms == t0 + 100000);
	store_free_hosts(v, n);

	/* past the window: the state stands, the figures are unknown */
	assert_int_equal(store_hosts_at(w, t0 + 1000000, 300000, &v, &n, &unknown, &cause), 0);
	h = find(v, n, "n1");
	assert_int_equal(h->state, HOST_DOWN);
	assert_true(h->cpu_pct < 0 && h->mem_total == 0 && h->sample_ms == 0);
	store_free_hosts(v, n);
	store_close(w);

	char *cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(path);
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--count") == 0) {
		sqlite3 *db;
		sqlite3_stmt *s;
		int n = 100;
		if (sqlite3_open(argv[2], &db) != SQLITE_OK ||
		    sqlite3_prepare_v2(db, "SELECT count(*) FROM hosts", -1, &s, NULL) != SQLITE_OK)
			return 101;
		if (sqlite3_step(s) == SQLITE_ROW)
			n = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
		return sqlite3_close(db) == SQLITE_OK && n < 100 ? n : 102;
	}
	self = argv[0];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_second_open_keeps_locks),
		cmocka_unit_test(test_hosts_at),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
