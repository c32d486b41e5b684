/*
 * test_store.c: the SQLite cache: round trip of every field of struct
 * host_status, transitions, schema version and migrations, the writer lock,
 * read-only readers, damaged and foreign files, newer schemas, write
 * failures with the pending queue, rollups, retention and history.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "opsdeck/chunk.h"
#include "opsdeck/hostlive.h"
#include "opsdeck/store.h"
#include "opsdeck/util.h"
#include "store_test.h"

/* ---- fixtures ----------------------------------------------------------- */

struct fx {
	char	 dir[64];
	char	*path;
};

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/opsdeck-test-store.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->path = xasprintf("%s/sub/cache.db", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	test_vfs_fail(0);
	char *cmd = xasprintf("rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", f->dir);
	free(cmd);
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
	assert_non_null(st);
	return st;
}

static char *
open_fails(const char *path, int flags)
{
	struct store *st = NULL;
	char *cause = NULL;
	assert_int_equal(store_open(path, flags, &st, &cause), -1);
	assert_null(st);
	assert_non_null(cause);
	return cause;
}

static void
put_ok(struct store *st, const struct host_status *h)
{
	char *cause = NULL;
	int r = store_put_status(st, h, &cause);
	if (r != 0)
		fprintf(stderr, "# put: %s\n", cause);
	assert_int_equal(r, 0);
}

static void
commit_ok(struct store *st)
{
	char *cause = NULL;
	int r = store_commit(st, &cause);
	if (r != 0)
		fprintf(stderr, "# commit: %s\n", cause);
	assert_int_equal(r, 0);
}

static void
begin_ok(struct store *st)
{
	char *cause = NULL;
	int r = store_begin(st, &cause);
	if (r != 0)
		fprintf(stderr, "# begin: %s\n", cause);
	assert_int_equal(r, 0);
}

static int64_t
sql_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int64_t v = -1;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/*
 * Samples (raw: level 0) or 1-minute rows (level 1) of metric (NULL: every
 * metric) held in the cache's chunks, decoded; a damaged chunk fails.
 */
static int64_t
chunk_count(const char *path, int level, const char *metric)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int64_t mid = -1, total = 0;

	if (metric != NULL) {
		char *sql = xasprintf("SELECT id FROM metrics WHERE name = '%s'", metric);
		mid = sql_int(path, sql);
		free(sql);
		assert_true(mid > 0);
	}
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT data FROM chunks WHERE level = ?1",
	    -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_int(s, 1, level);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct chunk_sample *p;
		size_t n;
		assert_int_equal(chunk_decode(sqlite3_column_blob(s, 0),
		    (size_t)sqlite3_column_bytes(s, 0), mid, NULL, &p, &n), 0);
		total += (int64_t)n;
		free(p);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return total;
}

static void
sql_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* ---- round trip ---------------------------------------------------------- */

static void
assert_real(double a, double b)
{
	if (isnan(a) || isnan(b))
		assert_true(isnan(a) && isnan(b));
	else
		assert_true(a == b);
}

static void
assert_status_equal(const struct host_status *a, const struct host_status *b)
{
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->group, b->group);
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->state, b->state);
	assert_string_equal(a->error, b->error);
	assert_int_equal(a->state_since_ms, b->state_since_ms);
	assert_int_equal(a->sample_ms, b->sample_ms);
	assert_int_equal(a->cores, b->cores);
	assert_real(a->cpu_pct, b->cpu_pct);
	if (a->core_pct == NULL) {
		assert_null(b->core_pct);
	} else {
		assert_non_null(b->core_pct);
		for (int i = 0; i < a->cores; i++)
			assert_real(a->core_pct[i], b->core_pct[i]);
	}
	assert_true(a->mem_total == b->mem_total);
	assert_true(a->mem_used == b->mem_used);
	assert_true(a->swap_total == b->swap_total);
	assert_true(a->swap_used == b->swap_used);
	for (int i = 0; i < 3; i++)
		assert_real(a->load[i], b->load[i]);
	assert_real(a->uptime_s, b->uptime_s);
	assert_real(a->net_rx_bps, b->net_rx_bps);
	assert_real(a->net_tx_bps, b->net_tx_bps);
	assert_real(a->disk_read_bps, b->disk_read_bps);
	assert_real(a->disk_write_bps, b->disk_write_bps);
	assert_int_equal(a->ngpus, b->ngpus);
	for (int i = 0; i < a->ngpus; i++) {
		const struct gpu_sample *x = &a->gpus[i], *y = &b->gpus[i];
		assert_int_equal(x->index, y->index);
		assert_string_equal(x->uuid, y->uuid);
		assert_string_equal(x->name, y->name);
		assert_real(x->util_pct, y->util_pct);
		assert_real(x->mem_util_pct, y->mem_util_pct);
		assert_true(x->mem_used_bytes == y->mem_used_bytes);
		assert_true(x->mem_total_bytes == y->mem_total_bytes);
		assert_real(x->temp_c, y->temp_c);
		assert_real(x->power_w, y->power_w);
		assert_real(x->power_limit_w, y->power_limit_w);
		assert_int_equal(x->ecc_uncorrected, y->ecc_uncorrected);
		assert_true(x->throttle_reasons == y->throttle_reasons);
	}
	assert_int_equal(a->nsensors, b->nsensors);
	for (int i = 0; i < a->nsensors; i++) {
		const struct sensor_sample *x = &a->sensors[i], *y = &b->sensors[i];
		assert_string_equal(x->name, y->name);
		assert_real(x->value, y->value);
		assert_string_equal(x->unit, y->unit);
		assert_string_equal(x->status, y->status);
		assert_int_equal(x->level, y->level);
		assert_string_equal(x->state, y->state);
	}
	if (a->warnings == NULL)
		assert_null(b->warnings);
	else
		assert_string_equal(a->warnings, b->warnings);
}

static void
test_round_trip(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->path, STORE_WRITER);
	struct host_status h[3];

	/* Group order differs from name order: results come by group, then name. */
	test_status_make(&h[0], "node-b", "zeta", 1000, 4, 2, 3);
	test_status_make(&h[1], "node-a", "zeta", 1000, 0, 0, 0);
	test_status_make(&h[2], "gpu01", "alpha", 2000, 128, 8, 40);
	h[1].state = HOST_AUTH_FAILED;
	od_strlcpy(h[1].error, "permission denied (publickey) — 키", sizeof h[1].error);
	h[2].kind = GROUP_TESTBED;
	h[2].mem_total = UINT64_MAX - 5;	/* bit patterns survive */
	h[2].gpus[3].throttle_reasons = 0x8000000000000001ULL;
	h[2].sensors[1].value = NAN;		/* "no reading" */
	od_strlcpy(h[2].sensors[1].state, "No Reading", sizeof h[2].sensors[1].state);
	od_strlcpy(h[2].sensors[2].state, "Presence detected", sizeof h[2].sensors[2].state);
	h[2].gpus[5].mem_used_bytes = -1;	/* [N/A]: unknown, not 0 */
	h[2].gpus[5].mem_total_bytes = -1;
	h[2].gpus[6].throttle_reasons = GPU_THROTTLE_UNKNOWN;
	h[2].warnings = xstrdup("linux: /proc/meminfo line 7: bad number 'x'\n"
	    "ipmi: line 3: expected 'name | id | status | entity | reading': '키'");
	h[2].cpu_pct = -1;			/* "not yet known" */

	begin_ok(st);
	for (int i = 0; i < 3; i++)
		put_ok(st, &h[i]);
	commit_ok(st);

	struct host_status *v;
	size_t n;
	char *cause = NULL;
	assert_int_equal(store_get_hosts(st, &v, &n, &cause), 0);
	assert_int_equal(n, 3);
	assert_status_equal(&v[0], &h[2]);
	assert_status_equal(&v[1], &h[1]);
	assert_status_equal(&v[2], &h[0]);
	store_free_hosts(v, n);
	store_close(st);

	/* And from a read-only reader in a fresh process state. */
	st = open_ok(f->path, STORE_READONLY);
	assert_int_equal(store_get_hosts(st, &v, &n, &cause), 0);
	assert_int_equal(n, 3);
	assert_status_equal(&v[0], &h[2]);
	store_free_hosts(v, n);
	store_close(st);

	/* Fewer GPUs and sensors the next time: the old rows go. */
	st = open_ok(f->path, STORE_WRITER);
	h[2].ngpus = 1;
	h[2].nsensors = 0;
	put_ok(st, &h[2]);
	assert_int_equal(store_get_hosts(st, &v, &n, &cause), 0);
	assert_status_equal(&v[0], &h[2]);
	store_free_hosts(v, n);
	store_close(st);
	for (int i = 0; i < 3; i++)
		host_status_free(&h[i]);
}

static void
test_files_and_schema(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->path, STORE_WRITER);
	struct stat sb;

	assert_string_equal(store_path(st), f->path);
	assert_null(store_warning(st));
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	char *dir = xasprintf("%s/sub", f->dir);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	free(dir);
	store_close(st);

	assert_int_equal(sql_int(f->path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(sql_int(f->path, "PRAGMA journal_mode"), 0);	/* text "wal" */
	static const char *const tables[] = {
		"hosts", "host_live", "host_transitions", "metrics",
		"series", "chunks", "samples_1h",
	};
	for (size_t i = 0; i < OD_ARRAY_LEN(tables); i++) {
		char *sql = xasprintf("SELECT count(*) FROM sqlite_master WHERE type = 'table'"
		    " AND name = '%s'", tables[i]);
		assert_int_equal(sql_int(f->path, sql), 1);
		free(sql);
	}
	/* Samples are in chunks: version 1's row-per-sample tables are gone, */
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM sqlite_master WHERE"
	    " name IN ('samples', 'samples_1m')"), 0);
	/* and a GPU or a sensor is no longer a row (version 6). */
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM sqlite_master WHERE"
	    " name IN ('host_gpus', 'host_sensors')"), 0);

	/* Reopening an up-to-date cache changes nothing. */
	st = open_ok(f->path, 0);
	store_close(st);
	assert_int_equal(sql_int(f->path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);

	char *xdg = xasprintf("%s/state", f->dir);
	setenv("XDG_STATE_HOME", xdg, 1);
	char *p = store_default_path();
	char *want = xasprintf("%s/opsdeck/cache.db", xdg);
	assert_string_equal(p, want);
	free(p);
	free(want);
	unsetenv("XDG_STATE_HOME");
	setenv("HOME", "/home/someone", 1);
	p = store_default_path();
	assert_string_equal(p, "/home/someone/.local/state/opsdeck/cache.db");
	free(p);
	free(xdg);
}

static void
test_newer_schema(void **state)
{
	struct fx *f = *state;
	store_close(open_ok(f->path, STORE_WRITER));
	sql_exec(f->path, "PRAGMA user_version = 99");

	char *cause = open_fails(f->path, STORE_WRITER);
	char *want = xasprintf("cache %s has schema version 99, newer than this opsdeck (%d);"
	    " upgrade opsdeck or use --cache", f->path, STORE_SCHEMA_VERSION);
	assert_string_equal(cause, want);
	free(cause);
	free(want);
	cause = open_fails(f->path, STORE_READONLY);
	assert_non_null(strstr(cause, "newer than this opsdeck"));
	free(cause);
	/* The file was left alone. */
	assert_int_equal(sql_int(f->path, "PRAGMA user_version"), 99);
}

static void
test_writer_lock(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->path, STORE_WRITER);

	/* A second writer in another process is refused, naming the holder. */
	int pfd[2];
	assert_int_equal(pipe(pfd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store *s2 = NULL;
		char *cause = NULL;
		int r = store_open(f->path, STORE_WRITER, &s2, &cause);
		if (r == 0)
			_exit(3);
		if (write(pfd[1], cause, strlen(cause)) < 0)
			_exit(4);
		_exit(0);
	}
	close(pfd[1]);
	char msg[512] = "";
	ssize_t n = read(pfd[0], msg, sizeof msg - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	char *want = xasprintf("cache %s is in use by pid %ld (test_store)", f->path,
	    (long)getpid());
	assert_string_equal(msg, want);
	free(want);

	/* Readers are welcome meanwhile. */
	struct store *r = open_ok(f->path, STORE_READONLY);
	store_close(r);
	store_close(st);
	/* Once it is gone, the next writer gets in. */
	store_close(open_ok(f->path, STORE_WRITER));
}

static void
test_readonly(void **state)
{
	struct fx *f = *state;

	char *cause = open_fails(f->path, STORE_READONLY);
	assert_non_null(strstr(cause, "does not exist"));
	free(cause);

	struct store *w = open_ok(f->path, STORE_WRITER);
	struct host_status h;
	test_status_make(&h, "n1", "g", 5000, 2, 1, 1);
	put_ok(w, &h);

	/* A reader that starts while the writer runs sees committed data and its age. */
	struct store *r = open_ok(f->path, STORE_READONLY);
	struct host_status *v;
	size_t n;
	assert_int_equal(store_get_hosts(r, &v, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].sample_ms, 5000);
	store_free_hosts(v, n);
	assert_int_equal(store_put_status(r, &h, &cause), -1);
	assert_non_null(strstr(cause, "read-only"));
	free(cause);

	/* New ticks become visible to the open reader. */
	h.sample_ms = 7000;
	h.state = HOST_DOWN;
	begin_ok(w);
	put_ok(w, &h);
	commit_ok(w);
	assert_int_equal(store_get_hosts(r, &v, &n, &cause), 0);
	assert_int_equal(v[0].sample_ms, 7000);
	assert_int_equal(v[0].state, HOST_DOWN);
	store_free_hosts(v, n);
	store_close(r);
	store_close(w);

	/* With no writer (no -wal, no -shm left), a reader still opens. */
	char *shm = xasprintf("%s-shm", f->path);
	assert_int_equal(access(shm, F_OK), -1);
	r = open_ok(f->path, STORE_READONLY);
	assert_int_equal(store_get_hosts(r, &v, &n, &cause), 0);
	assert_int_equal(n, 1);
	store_free_hosts(v, n);
	store_close(r);
	free(shm);
	host_status_free(&h);

	/* Transitions: connecting (new) -> up -> down. */
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM host_transitions"), 2);
	assert_int_equal(sql_int(f->path, "SELECT to_state FROM host_transitions"
	    " ORDER BY id DESC LIMIT 1"), HOST_DOWN);
}

/*
 * A reader that may not create PATH-shm (another user's directory) still
 * reads a cache no writer has open. Needs root to become another user.
 */
static void
test_readonly_no_shm(void **state)
{
	struct fx *f = *state;
	if (geteuid() != 0)
		skip();
	struct store *w = open_ok(f->path, STORE_WRITER);
	struct host_status h;
	test_status_make(&h, "n1", "g", 5000, 2, 1, 1);
	put_ok(w, &h);
	host_status_free(&h);
	store_close(w);
	char *dir = xasprintf("%s/sub", f->dir);
	assert_int_equal(chmod(f->dir, 0755), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(chmod(f->path, 0644), 0);

	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store *r = NULL;
		char *cause = NULL;
		struct host_status *v;
		size_t n;
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(10);
		if (store_open(f->path, STORE_READONLY, &r, &cause) != 0) {
			fprintf(stderr, "# %s\n", cause);
			_exit(11);
		}
		if (store_get_hosts(r, &v, &n, &cause) != 0 || n != 1 || v[0].sample_ms != 5000)
			_exit(12);
		store_free_hosts(v, n);
		store_close(r);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	char *shm = xasprintf("%s-shm", f->path);
	assert_int_equal(access(shm, F_OK), -1);
	free(shm);
	free(dir);
}

/* ---- damaged and foreign files -------------------------------------------- */

static void
write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static int
count_corrupt(const char *dir, const char *suffix)
{
	char *cmd = xasprintf("ls '%s' | grep -c"
	    " '^cache.db.corrupt-[0-9T]*\\(-[0-9]*\\)\\{0,1\\}%s$'", dir, suffix);
	FILE *p = popen(cmd, "r");
	int n = 0;
	if (fscanf(p, "%d", &n) != 1)
		n = -1;
	pclose(p);
	free(cmd);
	return n;
}

static void
check_recovers(struct fx *f, const char *what)
{
	char *dir = xasprintf("%s/sub", f->dir);
	int before = count_corrupt(dir, "");
	struct store *st = open_ok(f->path, STORE_WRITER);
	const char *w = store_warning(st);
	assert_non_null(w);
	fprintf(stderr, "# warning: %s\n", w);
	assert_non_null(strstr(w, "damaged"));
	assert_non_null(strstr(w, what));
	assert_non_null(strstr(w, ".corrupt-"));
	/* A usable new cache. */
	struct host_status h;
	test_status_make(&h, "n1", "g", 1000, 1, 0, 0);
	put_ok(st, &h);
	host_status_free(&h);
	store_close(st);
	assert_int_equal(count_corrupt(dir, ""), before + 1);
	assert_int_equal(sql_int(f->path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	free(dir);
}

static void
test_corrupt_files(void **state)
{
	struct fx *f = *state;
	char *dir = xasprintf("%s/sub", f->dir);
	assert_int_equal(mkdir_p(dir, 0700), 0);

	/* A text file. */
	const char *text = "this is my shopping list, not a cache\n";
	write_file(f->path, text, strlen(text));
	char *cause = open_fails(f->path, STORE_READONLY);	/* readers never move files */
	assert_non_null(strstr(cause, "not an SQLite database"));
	free(cause);
	check_recovers(f, "not an SQLite database");

	/* A PNG, with stale -wal and -shm next to it: all three move together. */
	static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
		0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0 };
	unsigned char big[4096] = { 0 };
	memcpy(big, png, sizeof png);
	write_file(f->path, big, sizeof big);
	char *wal = xasprintf("%s-wal", f->path), *shm = xasprintf("%s-shm", f->path);
	write_file(wal, "junk", 4);
	write_file(shm, "junk", 4);
	check_recovers(f, "not an SQLite database");
	assert_int_equal(count_corrupt(dir, "-wal"), 1);
	assert_int_equal(count_corrupt(dir, "-shm"), 1);

	/* A truncated database. */
	struct store *st = open_ok(f->path, STORE_WRITER);
	begin_ok(st);
	for (int i = 0; i < 200; i++) {
		struct host_status h;
		char name[32];
		snprintf(name, sizeof name, "host%03d", i);
		test_status_make(&h, name, "g", 1000 + i, 16, 4, 20);
		put_ok(st, &h);
		host_status_free(&h);
	}
	commit_ok(st);
	store_close(st);
	struct stat sb;
	assert_int_equal(stat(f->path, &sb), 0);
	assert_true(sb.st_size > 64 * 1024);
	assert_int_equal(truncate(f->path, sb.st_size / 2), 0);
	check_recovers(f, "truncated");

	/* A database of some other program. */
	unlink(f->path);
	sql_exec(f->path, "CREATE TABLE t(x); INSERT INTO t VALUES (1)");
	check_recovers(f, "not an opsdeck cache");

	/* Garbage pages behind a valid header: SQLite itself says it is malformed. */
	st = open_ok(f->path, STORE_WRITER);
	store_close(st);
	assert_int_equal(stat(f->path, &sb), 0);
	int fd = open(f->path, O_WRONLY);
	unsigned char junk[4096];
	memset(junk, 0xA5, sizeof junk);
	for (off_t off = 100; off + (off_t)sizeof junk <= sb.st_size; off += sizeof junk)
		assert_int_equal(pwrite(fd, junk, sizeof junk - 100, off),
		    (ssize_t)(sizeof junk - 100));
	close(fd);
	check_recovers(f, "damaged");	/* SQLite: "database disk image is malformed" */

	free(wal);
	free(shm);
	free(dir);
}

/*
 * The writer's VFS (store_vfs.c) gathers a transaction's WAL frames into a
 * few large writes, and the commit's frame puts them on disk before SQLite
 * lets readers see them: a reader open throughout sees every tick whole.
 * Each tick here is 0.3 to 0.9 MB of frames, past the buffer twice or more.
 */
static void
test_wal_gathered(void **state)
{
	struct fx *f = *state;
	struct store *w = open_ok(f->path, STORE_WRITER), *r = NULL;
	char *cause = NULL;

	for (int tick = 1; tick <= 6; tick++) {
		uint64_t c0, b0, c1, b1;
		begin_ok(w);
		for (int i = 0; i < 150; i++) {
			struct host_status h;
			char name[32];
			snprintf(name, sizeof name, "host%03d", i);
			test_status_make(&h, name, "g", tick * 1000, 64, 8, 40);
			h.cpu_pct = tick + i / 1000.0;
			for (int g = 0; g < h.ngpus; g++)
				h.gpus[g].util_pct = (tick * 7 + g + i) % 100;
			put_ok(w, &h);
			host_status_free(&h);
		}
		test_vfs_wal_writes(&c0, &b0);
		commit_ok(w);
		test_vfs_wal_writes(&c1, &b1);
		fprintf(stderr, "# tick %d: %llu bytes in %llu calls\n", tick,
		    (unsigned long long)(b1 - b0), (unsigned long long)(c1 - c0));
		/* SQLite alone: two calls a frame (~2 KB each) */
		assert_true(b1 - b0 > 2 * 128 * 1024);	/* past the buffer */
		assert_true(c1 - c0 <= (b1 - b0) / (64 * 1024) + 4);

		if (r == NULL)
			r = open_ok(f->path, STORE_READONLY);
		struct host_status *v;
		size_t n;
		assert_int_equal(store_get_hosts(r, &v, &n, &cause), 0);
		assert_int_equal(n, 150);
		for (size_t i = 0; i < n; i++) {
			int k = atoi(v[i].name + 4);
			assert_int_equal(v[i].sample_ms, tick * 1000);
			assert_true(v[i].cpu_pct == tick + k / 1000.0);
			assert_int_equal(v[i].ngpus, 8);
			assert_int_equal(v[i].nsensors, 40);
			for (int g = 0; g < 8; g++)
				assert_true(v[i].gpus[g].util_pct == (tick * 7 + g + k) % 100);
		}
		store_free_hosts(v, n);
	}
	store_close(r);
	store_close(w);
}

/* ---- write failures ------------------------------------------------------- */

/*
 * After a commit the store keeps no reference to what it wrote: a status's
 * arrays (a share, as the collector's statuses are) go when the collector
 * moves on, not a tick later. While a tick fails, the store holds them.
 */
static void
test_pending_lets_go(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->path, STORE_WRITER);
	struct host_report r;
	struct host_status h;
	char *cause = NULL;

	memset(&r, 0, sizeof r);
	r.nsensors = 2;
	r.sensors = xcalloc(2, sizeof *r.sensors);
	od_strlcpy(r.sensors[0].name, "Fan1", sizeof r.sensors[0].name);
	od_strlcpy(r.sensors[1].name, "Temp", sizeof r.sensors[1].name);
	r.sensors[0].value = 5000;
	r.sensors[1].value = 40;
	host_status_init(&h);
	od_strlcpy(h.name, "shared", sizeof h.name);
	od_strlcpy(h.group, "g", sizeof h.group);
	h.state = HOST_UP;
	host_status_from_reports(&h, NULL, &r, 0, 0);
	h.sample_ms = 1000;
	assert_int_equal(host_status_share_refs(&h), 1);

	begin_ok(st);
	put_ok(st, &h);
	assert_int_equal(host_status_share_refs(&h), 2);	/* kept until on disk */
	commit_ok(st);
	assert_int_equal(host_status_share_refs(&h), 1);	/* then let go */

	test_vfs_fail(SQLITE_FULL);
	begin_ok(st);
	h.sample_ms = 2000;
	if (store_put_status(st, &h, &cause) != 0) {
		free(cause);
		cause = NULL;
	}
	assert_int_equal(store_commit(st, &cause), -1);
	free(cause);
	assert_int_equal(host_status_share_refs(&h), 2);	/* failed: kept */
	test_vfs_fail(0);
	begin_ok(st);
	commit_ok(st);
	assert_int_equal(host_status_share_refs(&h), 1);
	store_close(st);
	host_status_free(&h);
	report_free(&r);
}

static void
test_disk_full(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->path, STORE_WRITER);
	struct host_status h[4];
	char *cause = NULL;

	for (int i = 0; i < 4; i++) {
		char name[16];
		snprintf(name, sizeof name, "n%d", i);
		test_status_make(&h[i], name, "g", 1000, 8, 2, 10);
	}
	begin_ok(st);
	put_ok(st, &h[0]);
	commit_ok(st);
	assert_int_equal(store_pending(st, NULL), 0);

	/* The disk fills up: the tick fails and is reported, the statuses stay. */
	test_vfs_fail(SQLITE_FULL);
	begin_ok(st);
	/* The pages may stay in SQLite's cache until the commit: then that fails. */
	int failed_puts = 0;
	for (int i = 0; i < 3; i++) {
		if (store_put_status(st, &h[i], &cause) != 0) {
			failed_puts++;	/* reported once; later puts just queue */
			assert_non_null(strstr(cause, "full"));
			free(cause);
			cause = NULL;
		}
	}
	assert_true(failed_puts <= 1);
	assert_int_equal(store_commit(st, &cause), -1);
	assert_non_null(strstr(cause, "full"));
	assert_non_null(strstr(cause, "in memory"));
	free(cause);
	assert_int_equal(store_pending(st, NULL), 3);

	/* Readers on the writer see the latest statuses; another reader sees the disk. */
	struct host_status *v;
	size_t n;
	assert_int_equal(store_get_hosts(st, &v, &n, &cause), 0);
	assert_int_equal(n, 3);
	store_free_hosts(v, n);

	/* Still full: the next tick fails too and keeps everything. */
	h[3].sample_ms = 2000;
	assert_int_equal(store_begin(st, &cause), 0);
	put_ok(st, &h[3]);
	assert_int_equal(store_commit(st, &cause), -1);
	free(cause);
	assert_int_equal(store_pending(st, NULL), 4);

	/* The cap on the queue: new hosts beyond it are dropped and counted. */
	store_set_pending_max(st, 4);
	struct host_status extra;
	test_status_make(&extra, "n9", "g", 1000, 1, 0, 0);
	cause = NULL;
	store_begin(st, &cause);
	free(cause);
	cause = NULL;
	put_ok(st, &extra);
	assert_int_equal(store_commit(st, &cause), -1);
	fprintf(stderr, "# commit: %s\n", cause);
	assert_non_null(strstr(cause, "1 dropped"));
	free(cause);
	uint64_t dropped;
	assert_int_equal(store_pending(st, &dropped), 4);
	assert_int_equal(dropped, 1);

	/* Space returns: the next tick writes everything that was kept. */
	test_vfs_fail(0);
	begin_ok(st);
	commit_ok(st);
	assert_int_equal(store_pending(st, NULL), 0);
	store_close(st);

	st = open_ok(f->path, STORE_READONLY);
	assert_int_equal(store_get_hosts(st, &v, &n, &cause), 0);
	assert_int_equal(n, 4);
	assert_int_equal(v[3].sample_ms, 2000);
	assert_status_equal(&v[2], &h[2]);
	store_free_hosts(v, n);
	store_close(st);
	for (int i = 0; i < 4; i++)
		host_status_free(&h[i]);
	host_status_free(&extra);
	assert_string_equal(sql_int(f->path, "PRAGMA integrity_check") == -1 ? "bad" : "ok",
	    "ok");
}

/* In a child: a file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored) gives SQLITE_IOERR. */
static void
test_file_size_limit(void **state)
{
	struct fx *f = *state;
	store_close(open_ok(f->path, STORE_WRITER));

	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store *st = NULL;
		char *cause = NULL;
		if (store_open(f->path, STORE_WRITER, &st, &cause) != 0)
			_exit(10);
		signal(SIGXFSZ, SIG_IGN);
		struct rlimit rl;
		getrlimit(RLIMIT_FSIZE, &rl);
		struct rlimit small = { 256 * 1024, rl.rlim_max };
		if (setrlimit(RLIMIT_FSIZE, &small) != 0)
			_exit(11);
		int failed = 0;
		for (int tick = 0; tick < 400 && !failed; tick++) {
			if (store_begin(st, &cause) != 0) {
				failed = 1;
				break;
			}
			for (int i = 0; i < 20; i++) {
				struct host_status h;
				char name[32];
				snprintf(name, sizeof name, "host%02d", i);
				test_status_make(&h, name, "g", 1000 + tick * 1000, 64, 8, 40);
				if (store_put_status(st, &h, &cause) != 0) {
					failed = 1;
					free(cause);
				}
				host_status_free(&h);
			}
			if (store_commit(st, &cause) != 0)
				failed = 2;
		}
		if (!failed)
			_exit(12);
		if (strstr(cause, "I/O error") == NULL && strstr(cause, "disk I/O") == NULL) {
			fprintf(stderr, "# cause: %s\n", cause);
			_exit(13);
		}
		free(cause);
		if (store_pending(st, NULL) != 20)
			_exit(14);
		setrlimit(RLIMIT_FSIZE, &rl);
		cause = NULL;
		if (store_begin(st, &cause) != 0 || store_commit(st, &cause) != 0) {
			fprintf(stderr, "# after: %s\n", cause);
			_exit(15);
		}
		if (store_pending(st, NULL) != 0)
			_exit(16);
		store_close(st);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM hosts"), 20);
}

/*
 * GPU and sensor rows are written only when they change: the rows read
 * back follow every change, a shrinking count, and a reopened writer.
 */
static void
test_rows_follow_changes(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->path, STORE_WRITER);
	struct host_status h, *v;
	size_t n;
	char *cause = NULL;

	test_status_make(&h, "n1", "g", 1000, 2, 3, 4);
	put_ok(st, &h);
	h.gpus[1].util_pct = 77;
	od_strlcpy(h.sensors[2].status, "cr", sizeof h.sensors[2].status);
	h.sample_ms += 1000;
	put_ok(st, &h);
	assert_int_equal(store_get_hosts(st, &v, &n, &cause), 0);
	assert_int_equal(v[0].ngpus, 3);
	assert_true(v[0].gpus[1].util_pct == 77 && v[0].gpus[0].util_pct == h.gpus[0].util_pct);
	assert_int_equal(v[0].nsensors, 4);
	assert_string_equal(v[0].sensors[2].status, "cr");
	store_free_hosts(v, n);

	/* Fewer of each: the slots past the new counts go. */
	h.ngpus = 1;
	h.nsensors = 2;
	h.sensors[1].value = 12.5;
	put_ok(st, &h);
	assert_int_equal(store_get_hosts(st, &v, &n, &cause), 0);
	assert_int_equal(v[0].ngpus, 1);
	assert_int_equal(v[0].nsensors, 2);
	assert_true(v[0].sensors[1].value == 12.5);
	store_free_hosts(v, n);
	/* one row a host, rewritten only when a GPU or a sensor moved */
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM host_live"), 1);
	sql_exec(f->path, "UPDATE host_live SET data = x'4c01ff'");	/* damaged */
	h.sample_ms += 1000;
	h.cpu_pct = 3;
	put_ok(st, &h);			/* the same GPUs and sensors: not rewritten */
	assert_int_equal(sql_int(f->path, "SELECT length(data) FROM host_live"), 3);
	assert_int_equal(store_get_hosts(st, &v, &n, &cause), 0);
	/* a row that does not decode costs its host the lists, and says so */
	assert_true(v[0].ngpus == 0 && v[0].nsensors == 0 && v[0].gpus == NULL);
	assert_non_null(v[0].warnings);
	assert_non_null(strstr(v[0].warnings, "GPU and sensor row does not decode"));
	store_free_hosts(v, n);
	h.sensors[0].value = 99;	/* one reading moved: the row is written again */
	put_ok(st, &h);
	assert_int_equal(store_get_hosts(st, &v, &n, &cause), 0);
	assert_true(v[0].ngpus == 1 && v[0].nsensors == 2 && v[0].sensors[0].value == 99);
	store_free_hosts(v, n);
	/* every field counts, to its last byte (the fingerprint reads 8 at a time) */
	static const char *const units[] = { "Volts12345", "Volts12346", "Volts1234" };
	for (size_t i = 0; i < OD_ARRAY_LEN(units); i++) {
		od_strlcpy(h.sensors[1].unit, units[i], sizeof h.sensors[1].unit);
		put_ok(st, &h);
		assert_int_equal(store_get_hosts(st, &v, &n, &cause), 0);
		assert_string_equal(v[0].sensors[1].unit, units[i]);
		store_free_hosts(v, n);
	}
	od_strlcpy(h.gpus[0].name, "NVIDIA H100 80GB HBM3", sizeof h.gpus[0].name);
	put_ok(st, &h);
	od_strlcpy(h.gpus[0].name, "NVIDIA H100 80GB HBM2", sizeof h.gpus[0].name);
	put_ok(st, &h);
	assert_int_equal(store_get_hosts(st, &v, &n, &cause), 0);
	assert_string_equal(v[0].gpus[0].name, "NVIDIA H100 80GB HBM2");
	store_free_hosts(v, n);
	h.ngpus = h.nsensors = 0;	/* neither: no row */
	h.sample_ms += 1000;
	put_ok(st, &h);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM host_live"), 0);
	assert_int_equal(store_get_hosts(st, &v, &n, &cause), 0);
	assert_true(v[0].ngpus == 0 && v[0].nsensors == 0 && v[0].gpus == NULL);
	store_free_hosts(v, n);
	h.ngpus = 1;
	h.nsensors = 2;
	put_ok(st, &h);

	/* A new writer knows nothing of the rows: it rewrites them whole. */
	store_close(st);
	st = open_ok(f->path, STORE_WRITER);
	h.ngpus = 3;
	h.gpus[2].temp_c = 91;
	put_ok(st, &h);
	assert_int_equal(store_get_hosts(st, &v, &n, &cause), 0);
	assert_int_equal(v[0].ngpus, 3);
	assert_true(v[0].gpus[2].temp_c == 91);
	store_free_hosts(v, n);
	host_status_free(&h);
	store_close(st);
}

/* ---- metrics, rollups, history -------------------------------------------- */

#define T0 1789999200000LL	/* 2026-09-21 14:00 UTC, a whole hour */

static void
test_history_raw(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->path, STORE_WRITER);
	struct host_status h;
	char *cause = NULL;

	test_status_make(&h, "n1", "g", 0, 2, 1, 0);
	for (int i = 0; i < 10; i++) {
		h.sample_ms = T0 + i * 2000;
		h.cpu_pct = i * 10.0;
		put_ok(st, &h);
	}
	/* The same sample time again records no second row. */
	h.cpu_pct = 99;
	put_ok(st, &h);

	struct store_point *p;
	size_t n;
	assert_int_equal(store_history(st, "n1", "cpu.util_pct", T0, T0 + 60000, 0, &p, &n,
	    &cause), 0);
	assert_int_equal(n, 10);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(p[i].ts_ms, T0 + i * 2000);
		assert_true(p[i].avg == i * 10.0 && p[i].min == p[i].avg && p[i].max == p[i].avg);
	}
	free(p);
	/* 10 s buckets over raw data. */
	assert_int_equal(store_history(st, "n1", "cpu.util_pct", T0, T0 + 60000, 10000, &p,
	    &n, &cause), 0);
	assert_int_equal(n, 2);
	assert_true(p[0].min == 0 && p[0].max == 40 && p[0].avg == 20);
	assert_true(p[1].min == 50 && p[1].max == 90 && p[1].avg == 70);
	free(p);

	/* Other metric paths exist too. */
	char **names;
	size_t nn;
	assert_int_equal(store_metric_names(st, "n1", &names, &nn, &cause), 0);
	int seen_mem = 0, seen_gpu = 0, seen_load = 0, seen_gpu_mem = 0;
	for (size_t i = 0; i < nn; i++) {
		seen_mem |= strcmp(names[i], "mem.used_bytes") == 0;
		seen_gpu |= strcmp(names[i], "gpus.0.util_pct") == 0;
		seen_load |= strcmp(names[i], "load.2") == 0;
		seen_gpu_mem |= strcmp(names[i], "gpus.0.mem_used_bytes") == 0;
		free(names[i]);
	}
	free(names);
	assert_true(seen_mem && seen_gpu && seen_load && seen_gpu_mem);

	assert_int_equal(store_history(st, "nope", "cpu.util_pct", T0, T0 + 1, 0, &p, &n,
	    &cause), -1);
	assert_non_null(strstr(cause, "no host 'nope'"));
	free(cause);
	assert_int_equal(store_history(st, "n1", "cpu.nope", T0, T0 + 1, 0, &p, &n, &cause),
	    -1);
	assert_non_null(strstr(cause, "no metric 'cpu.nope'"));
	free(cause);
	assert_int_equal(store_history(st, "n1", "cpu.util_pct", T0 + 1, T0, 0, &p, &n,
	    &cause), -1);
	free(cause);
	assert_int_equal(store_history(st, "n1", "cpu.util_pct", T0, T0 + 86400000LL * 365,
	    1, &p, &n, &cause), -1);
	assert_non_null(strstr(cause, "larger step"));
	free(cause);
	host_status_free(&h);
	store_close(st);
}

/* Runs store_maintain until it is idle; returns the calls it took. */
static int
maintain_all(struct store *st, const struct retention *r, int64_t now, size_t budget)
{
	char *cause = NULL;
	int calls = 0, rc;
	do {
		rc = store_maintain(st, r, now, budget, &cause);
		if (rc < 0)
			fprintf(stderr, "# maintain: %s\n", cause);
		assert_true(rc >= 0);
		calls++;
		assert_true(calls < 1000);
	} while (rc == 1);
	return calls;
}

static void
test_rollup_retention(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->path, STORE_WRITER);
	struct host_status h;
	char *cause = NULL;
	const int64_t hours = 5;

	/* Five hours of 2 s samples; cpu = minute-of-hour + 0.5 or + 1.5, alternating. */
	test_status_make(&h, "n1", "g", 0, 2, 0, 0);
	begin_ok(st);
	for (int64_t t = T0; t < T0 + hours * 3600000; t += 2000) {
		h.sample_ms = t;
		h.cpu_pct = (double)((t - T0) / 60000 % 60) + ((t / 2000) % 2 ? 1.5 : 0.5);
		put_ok(st, &h);
	}
	commit_ok(st);
	int64_t now = T0 + hours * 3600000;
	struct retention r = { .raw_ms = 3600000, .minute_ms = 3 * 3600000,
		.hour_ms = 400 * 86400000LL };

	/*
	 * Small budgets: many calls, each a short transaction; past the budget
	 * a call rolls up at most one host-hour (4 here) and then prunes.
	 */
	int calls = maintain_all(st, &r, now, 500);
	assert_true(calls >= 5);
	/* Idle now: the next call does nothing and says so. */
	assert_int_equal(store_maintain(st, &r, now, 500, &cause), 0);

	/*
	 * Raw samples older than an hour are gone, whole chunks (one spans at
	 * most 15 minutes), the rest kept.
	 */
	int64_t nraw = chunk_count(f->path, 0, "cpu.util_pct");
	assert_true(nraw >= 1800 && nraw <= 1800 + 450);
	/* Minute rollups cover the complete hours (the 5th is not), pruned to 3 h. */
	assert_int_equal(chunk_count(f->path, 1, "cpu.util_pct"), 120);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM samples_1h s JOIN metrics m"
	    " ON m.id = s.metric_id WHERE m.name = 'cpu.util_pct'"), hours - 1);

	/* History by hour: from the hour rollups where they exist. */
	struct store_point *p;
	size_t n;
	assert_int_equal(store_history(st, "n1", "cpu.util_pct", T0, now, 3600000, &p, &n,
	    &cause), 0);
	assert_int_equal(n, hours);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(p[i].ts_ms, T0 + (int64_t)i * 3600000);
		assert_true(p[i].min == 0.5 && p[i].max == 60.5);
		assert_true(fabs(p[i].avg - 30.5) < 1e-9);
	}
	free(p);
	/* By minute over the whole range: the first 2 h only exist as hours. */
	assert_int_equal(store_history(st, "n1", "cpu.util_pct", T0, now - 1, 60000, &p, &n,
	    &cause), 0);
	assert_true(n >= 2 + 3 * 60 - 1);
	size_t last = n - 1;
	assert_int_equal(p[last].ts_ms, now - 60000);
	assert_true(p[last].min == 59.5 && p[last].max == 60.5 && p[last].avg == 60);
	free(p);
	/* Raw: only the last hour, and what the chunk that crosses into it holds. */
	assert_int_equal(store_history(st, "n1", "cpu.util_pct", T0, now, 0, &p, &n, &cause), 0);
	assert_true(n == (size_t)nraw);
	free(p);
	/* 1-minute step in the 3rd hour: from 1-minute rows; min/avg/max are exact. */
	assert_int_equal(store_history(st, "n1", "cpu.util_pct", T0 + 3 * 3600000 + 60000 * 7,
	    T0 + 3 * 3600000 + 60000 * 7, 60000, &p, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_true(p[0].min == 7.5 && p[0].max == 8.5 && p[0].avg == 8);
	free(p);

	/* Far in the future everything expires, hour rows last. */
	r.hour_ms = 86400000;
	maintain_all(st, &r, now + 3 * 86400000LL, 0);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM chunks"), 0);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM samples_1h"), 0);

	/* The WAL was checkpointed and truncated when idle. */
	char *wal = xasprintf("%s-wal", f->path);
	struct stat sb;
	assert_int_equal(stat(wal, &sb), 0);
	assert_int_equal(sb.st_size, 0);
	free(wal);
	host_status_free(&h);
	store_close(st);
}

/* A sample from a host whose clock said 1970, then ones from now: no walk over 56 years. */
static void
test_maintain_gaps(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->path, STORE_WRITER);
	struct host_status h;
	char *cause = NULL;

	test_status_make(&h, "n1", "g", 1000, 1, 0, 0);
	put_ok(st, &h);
	begin_ok(st);
	for (int i = 0; i < 300; i++) {
		h.sample_ms = T0 + i * 2000;
		put_ok(st, &h);
	}
	commit_ok(st);
	struct retention r = { .raw_ms = 3600000, .minute_ms = 86400000, .hour_ms = 0 };
	int calls = maintain_all(st, &r, T0 + 3 * 3600000, 200);
	assert_true(calls < 50);
	assert_int_equal(store_maintain(st, &r, T0 + 3 * 3600000, 200, &cause), 0);
	/* The 1970 sample was rolled up and is past every retention window by now. */
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM chunks WHERE level = 0"), 0);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM samples_1h WHERE ts < 86400000"),
	    0);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM samples_1h s JOIN metrics m"
	    " ON m.id = s.metric_id WHERE m.name = 'cpu.util_pct'"), 1);
	assert_int_equal(chunk_count(f->path, 1, "cpu.util_pct"), 10);
	host_status_free(&h);
	store_close(st);
}

static void
test_prune_hosts(void **state)
{
	struct fx *f = *state;
	struct store *st = open_ok(f->path, STORE_WRITER);
	struct host_status a, b;
	char *cause = NULL;

	test_status_make(&a, "keep", "g", T0, 2, 1, 1);
	test_status_make(&b, "gone", "g", T0, 2, 1, 1);
	put_ok(st, &a);
	put_ok(st, &b);

	struct host hosts[1] = { { .name = (char *)"keep" } };
	struct group grp = { .name = (char *)"g", .hosts = hosts, .nhosts = 1 };
	struct config cfg = { .groups = &grp, .ngroups = 1, .nhosts = 1 };
	assert_int_equal(store_prune_hosts(st, &cfg, &cause), 0);

	struct host_status *v;
	size_t n;
	assert_int_equal(store_get_hosts(st, &v, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "keep");
	store_free_hosts(v, n);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM chunks WHERE host_id NOT IN"
	    " (SELECT id FROM hosts)"), 0);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM host_live WHERE host_id NOT IN"
	    " (SELECT id FROM hosts)"), 0);
	/* It can come back later. */
	put_ok(st, &b);
	assert_int_equal(store_get_hosts(st, &v, &n, &cause), 0);
	assert_int_equal(n, 2);
	store_free_hosts(v, n);
	host_status_free(&a);
	host_status_free(&b);
	store_close(st);
}

/*
 * The host_live row (hostlive.h): what is written reads back, NaN and -1
 * and full-length strings included, GPU processes too; a row cut short
 * anywhere, with a byte too many, of another version, with a count the rest
 * cannot hold or a string longer than its field is refused, allocating
 * nothing. A version 1 row (schema 6 and 7: no processes) still reads.
 */
static void
test_host_live_codec(void **state)
{
	(void)state;
	struct host_status h;
	struct host_live l;
	size_t len;

	test_status_make(&h, "n1", "g", 1000, 2, 3, 4);
	h.gpus[0].util_pct = NAN;
	h.gpus[1].mem_used_bytes = -1;
	h.gpus[2].throttle_reasons = UINT64_MAX;
	memset(h.gpus[2].name, 'x', sizeof h.gpus[2].name - 1);
	h.gpus[2].name[sizeof h.gpus[2].name - 1] = '\0';
	h.sensors[3].level = SENSOR_CRIT;
	od_strlcpy(h.sensors[3].state, "Presence detected, Power Supply AC lost",
	    sizeof h.sensors[3].state);
	h.procs = xcalloc(2, sizeof *h.procs);
	h.nprocs = 2;
	h.procs[0] = (struct gpu_proc){ .gpu = 2, .pid = 4194304, .mem_used_bytes = 81LL << 30,
	    .user = "alice", .job = "12345678901234567890", .name = "/usr/bin/python3" };
	h.procs[1] = (struct gpu_proc){ .gpu = -1, .pid = 7, .mem_used_bytes = -1 };
	memset(h.procs[1].name, 'n', sizeof h.procs[1].name - 1);
	const struct host_live in = { h.gpus, h.ngpus, h.sensors, h.nsensors, h.procs,
	    h.nprocs };
	unsigned char *b = host_live_encode(&in, &len);
	assert_int_equal(b[1], 2);
	assert_int_equal(host_live_decode(b, len, &l), 0);
	assert_int_equal(l.ngpus, 3);
	assert_int_equal(l.nsensors, 4);
	assert_int_equal(l.nprocs, 2);
	assert_true(isnan(l.gpus[0].util_pct) && l.gpus[1].mem_used_bytes == -1);
	assert_true(l.gpus[2].throttle_reasons == UINT64_MAX);
	assert_string_equal(l.gpus[2].name, h.gpus[2].name);
	assert_string_equal(l.gpus[1].uuid, h.gpus[1].uuid);
	assert_true(l.gpus[1].temp_c == h.gpus[1].temp_c && l.gpus[0].index == 0 &&
	    l.gpus[2].index == 2);
	assert_string_equal(l.sensors[3].state, "Presence detected, Power Supply AC lost");
	assert_int_equal(l.sensors[3].level, SENSOR_CRIT);
	assert_string_equal(l.sensors[1].name, h.sensors[1].name);
	assert_true(l.sensors[2].value == h.sensors[2].value);
	assert_true(l.procs[0].gpu == 2 && l.procs[0].pid == 4194304 &&
	    l.procs[0].mem_used_bytes == 81LL << 30);
	assert_string_equal(l.procs[0].user, "alice");
	assert_string_equal(l.procs[0].job, "12345678901234567890");
	assert_string_equal(l.procs[0].name, "/usr/bin/python3");
	assert_true(l.procs[1].gpu == -1 && l.procs[1].pid == 7 &&
	    l.procs[1].mem_used_bytes == -1);
	assert_string_equal(l.procs[1].user, "");
	assert_string_equal(l.procs[1].name, h.procs[1].name);
	host_live_free(&l);
	assert_true(l.gpus == NULL && l.sensors == NULL && l.procs == NULL);

	/* cut short anywhere, or a byte too many */
	for (size_t cut = 0; cut < len; cut++) {
		assert_int_equal(host_live_decode(b, cut, &l), -1);
		assert_true(l.gpus == NULL && l.sensors == NULL && l.procs == NULL &&
		    l.ngpus == 0 && l.nsensors == 0 && l.nprocs == 0);
	}
	unsigned char *more = xmalloc(len + 1);
	memcpy(more, b, len);
	more[len] = 0;
	assert_int_equal(host_live_decode(more, len + 1, &l), -1);
	more[1] = 3;	/* another version */
	assert_int_equal(host_live_decode(more, len, &l), -1);
	free(more);
	free(b);

	/* version 1, as schema 6 and 7 wrote it: the sensors end the row */
	const struct host_live nop = { h.gpus, h.ngpus, h.sensors, h.nsensors, NULL, 0 };
	b = host_live_encode(&nop, &len);
	assert_int_equal(b[len - 1], 0);	/* no processes */
	b[1] = 1;
	assert_int_equal(host_live_decode(b, len, &l), -1);	/* a byte too many for 1 */
	assert_int_equal(host_live_decode(b, len - 1, &l), 0);
	assert_true(l.ngpus == 3 && l.nsensors == 4 && l.nprocs == 0 && l.procs == NULL);
	assert_string_equal(l.sensors[3].state, "Presence detected, Power Supply AC lost");
	host_live_free(&l);
	free(b);

	/* nothing: an empty row */
	const struct host_live none = { 0 };
	b = host_live_encode(&none, &len);
	assert_int_equal(host_live_decode(b, len, &l), 0);
	assert_true(l.gpus == NULL && l.sensors == NULL && l.procs == NULL && l.ngpus == 0 &&
	    l.nsensors == 0 && l.nprocs == 0);
	free(b);

	/* 200 GPUs or 200 processes claimed in a few bytes */
	static const unsigned char lie[] = { 'L', 1, 0xc8, 0x01, 0, 0, 0, 0 };
	assert_int_equal(host_live_decode(lie, sizeof lie, &l), -1);
	static const unsigned char lie2[] = { 'L', 2, 0, 0, 0xc8, 0x01, 0, 0, 0, 0, 0, 0 };
	assert_int_equal(host_live_decode(lie2, sizeof lie2, &l), -1);
	/* a 64-byte uuid in a field of 64 */
	unsigned char big[2 + 1 + 1 + 1 + PROBE_NAME_MAX + 1 + 9 * 8 + 1];
	size_t k = 0;
	big[k++] = 'L';
	big[k++] = 1;
	big[k++] = 1;			/* one GPU */
	big[k++] = 0;			/* index 0 */
	big[k++] = PROBE_NAME_MAX;	/* its uuid: one byte too long for the field */
	memset(big + k, 'u', PROBE_NAME_MAX);
	k += PROBE_NAME_MAX;
	big[k++] = 0;			/* an empty name */
	memset(big + k, 0, 9 * 8);
	k += 9 * 8;
	big[k++] = 0;			/* no sensors */
	assert_int_equal(k, sizeof big);
	assert_int_equal(host_live_decode(big, sizeof big, &l), -1);
	big[4] = PROBE_NAME_MAX - 1;	/* one byte shorter, and the name one longer: fits */
	big[4 + PROBE_NAME_MAX] = 1;
	big[5 + PROBE_NAME_MAX] = 'u';
	assert_int_equal(host_live_decode(big, sizeof big, &l), 0);
	assert_int_equal((int)strlen(l.gpus[0].uuid), PROBE_NAME_MAX - 1);
	assert_string_equal(l.gpus[0].name, "u");
	host_live_free(&l);
	host_status_free(&h);
}

int
main(void)
{
	test_vfs_install();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_files_and_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_no_shm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_lets_go, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wal_gathered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_size_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rows_follow_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_raw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollup_retention, setup, teardown),
		cmocka_unit_test_setup_teardown(test_maintain_gaps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune_hosts, setup, teardown),
		cmocka_unit_test(test_host_live_codec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
