/*
 * test_publish.c: nothing is dropped before it is committed (publish.c,
 * feature_devices.c, feature_usage.c), with the real collector, real local
 * streams and a real SQLite cache.
 *
 * A test-bed controller (a local sh script) changes its device's state at
 * every report and logs what it sent; a scheduler's `sacct` (a script on
 * PATH) reports a job whose use grows for 15 calls. While both run, another
 * connection holds the cache's write lock for two seconds, so every tick in
 * that window fails at BEGIN (SQLITE_BUSY past the timeout); then the disk
 * refuses to grow files for two seconds, so every tick fails at COMMIT
 * (SQLITE_IOERR) after the features ingested. After both, every transition
 * the controller sent is in the cache exactly once and in order, and the
 * job's use is counted exactly once. The config's notify command (a script
 * that appends its stdin to a file) was told of every alert raised and
 * cleared exactly once, each as it was committed, and of nothing that was
 * rolled back (a rolled-back raise would have been told with a row id and
 * time that the cache does not have, or its id told twice).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opsdeck/collector.h"
#include "opsdeck/config.h"
#include "opsdeck/diag.h"
#include "opsdeck/store.h"
#include "opsdeck/timeutil.h"
#include "opsdeck/util.h"

#define SACCT_CALLS	15	/* the job grows for this many reports, then stays */

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

/* The lines of dir/name ("N STATE" each), as states in order; how many. */
static size_t
read_log(const char *dir, const char *name, char states[][16], size_t max)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	size_t n = 0;
	char line[64], st[16];
	int k;

	free(path);
	if (f == NULL)
		return 0;
	while (n < max && fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "%d %15s", &k, st) == 2)
			memcpy(states[n++], st, sizeof st);
	fclose(f);
	return n;
}

/* 1 when the collector's last tick committed. */
static int
collector_store_error_clear(struct collector *c)
{
	char *e = collector_store_error(c);
	free(e);
	return e == NULL;
}

/* The number in dir/name, or 0. */
static int
read_count(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	int n = 0;

	free(path);
	if (f != NULL) {
		if (fscanf(f, "%d", &n) != 1)
			n = 0;
		fclose(f);
	}
	return n;
}

/*
 * The notifications in dir/notified (one JSON object a line) against the
 * cache's alert log: each raise is a row with that id and raise time, told
 * once; each clear a row with that id and clear time, told once; every row
 * was told. Returns how many raises were told.
 */
static size_t
check_notified(const char *dir, sqlite3 *db)
{
	char *path = xasprintf("%s/notified", dir);
	FILE *f = fopen(path, "r");
	char line[2048];
	size_t raises = 0, clears = 0;

	free(path);
	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		char ev[16], when[64];
		long long id;
		const char *t;
		assert_int_equal(sscanf(line, "{\"event\":\"%15[a-z]\",\"id\":%lld", ev, &id), 2);
		int raise = strcmp(ev, "raise") == 0;
		assert_true(raise || strcmp(ev, "clear") == 0);
		const char *key = raise ? "\"since\":\"" : "\"cleared\":\"";
		t = strstr(line, key);
		assert_non_null(t);
		assert_int_equal(sscanf(t + strlen(key), "%63[^\"]", when), 1);
		sqlite3_stmt *s;
		assert_int_equal(sqlite3_prepare_v2(db, raise ?
		    "SELECT raised_ms, notified FROM alert_log WHERE id = ?1" :
		    "SELECT cleared_ms, notified_clear FROM alert_log WHERE id = ?1", -1, &s, NULL),
		    SQLITE_OK);
		sqlite3_bind_int64(s, 1, id);
		if (sqlite3_step(s) != SQLITE_ROW)
			fail_msg("told of alert %lld (%s), which the cache does not have", id, ev);
		char want[TIME_RFC3339_LEN];
		time_format_rfc3339(sqlite3_column_int64(s, 0), 0, 1, want, sizeof want);
		if (strcmp(want, when) != 0)
			fail_msg("alert %lld: told %s at %s, the cache says %s", id, ev, when, want);
		if (sqlite3_column_int(s, 1) != 0)
			fail_msg("alert %lld: %s told twice", id, ev);
		sqlite3_finalize(s);
		char *sql = xasprintf("UPDATE alert_log SET %s = 1 WHERE id = %lld",
		    raise ? "notified" : "notified_clear", id);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
		free(sql);
		raises += raise;
		clears += !raise;
	}
	fclose(f);
	sqlite3_stmt *s;
	/* what was never told, for the failure's message */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT id, rule, raised_ms, cleared_ms, notified,"
	    " notified_clear FROM alert_log WHERE notified = 0 OR (cleared_ms IS NOT NULL AND"
	    " notified_clear = 0)", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW)
		printf("# not told: alert %lld %s raised %lld cleared %lld (%s)\n",
		    (long long)sqlite3_column_int64(s, 0), sqlite3_column_text(s, 1),
		    (long long)sqlite3_column_int64(s, 2), (long long)sqlite3_column_int64(s, 3),
		    sqlite3_column_int(s, 4) ? "its clear" : "its raise");
	sqlite3_finalize(s);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*), sum(notified),"
	    " count(cleared_ms), sum(notified_clear) FROM alert_log", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	printf("# %d alerts raised, %d told; %d cleared, %d told\n", sqlite3_column_int(s, 0),
	    sqlite3_column_int(s, 1), sqlite3_column_int(s, 2), sqlite3_column_int(s, 3));
	assert_int_equal(sqlite3_column_int(s, 0), (int)raises);
	assert_int_equal(sqlite3_column_int(s, 1), (int)raises);
	assert_int_equal(sqlite3_column_int(s, 2), (int)clears);
	assert_int_equal(sqlite3_column_int(s, 3), (int)clears);
	sqlite3_finalize(s);
	return raises;
}

static struct config *
parse(const char *yaml)
{
	struct diag d;
	diag_init(&d, "test.yaml");
	struct config *cfg = config_parse("test.yaml", yaml, strlen(yaml), &d);
	if (cfg == NULL) {
		diag_print(&d, stderr);
		fail_msg("config");
	}
	diag_free(&d);
	return cfg;
}

static void
test_failed_commits_lose_nothing(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/opsdeck-publish.XXXXXX";
	char *dir = mkdtemp(tmpl);
	assert_non_null(dir);

	/* the controller: one device whose state changes at every report */
	char *tb = xasprintf("%s/tb.sh", dir);
	char *script = xasprintf(
	    "d=%s\n"
	    "n=$(cat $d/tb.n 2>/dev/null || echo 0); n=$((n + 1)); echo $n > $d/tb.n\n"
	    "case $((n %% 4)) in 1) s=fault;; 2) s=ok;; 3) s=offline;; *) s=ok;; esac\n"
	    "echo \"$n $s\" >> $d/tb.log\n"
	    "printf 'schema: 1\\ncontroller: tb1\\nsector: energy\\ndevices:\\n"
	    "  - {id: dev-1, name: ESS one, kind: ess-monitor, state: %%s}\\n' $s\n", dir);
	write_file(tb, script, 0644);
	free(script);
	/* the scheduler: sacct and squeue on PATH */
	char *bin = xasprintf("%s/bin", dir);
	assert_int_equal(mkdir(bin, 0755), 0);
	char *p = xasprintf("%s/sacct", bin);
	script = xasprintf("#!/bin/sh\nd=%s\n"
	    "n=$(cat $d/sacct.n 2>/dev/null || echo 0); n=$((n + 1)); echo $n > $d/sacct.n\n"
	    "[ $n -gt %d ] && n=%d\n"
	    "echo \"51001|acc-a|kim|gpu|$((n * 60))|cpu=8,gres/gpu=1,node=1|RUNNING\"\n",
	    dir, SACCT_CALLS, SACCT_CALLS);
	write_file(p, script, 0755);
	free(script);
	free(p);
	p = xasprintf("%s/squeue", bin);
	write_file(p, "#!/bin/sh\necho '51001|tb1'\n", 0755);
	free(p);
	char *path = xasprintf("%s:%s", bin, getenv("PATH"));
	setenv("PATH", path, 1);
	free(path);

	/*
	 * the notify command: a script that appends what it reads to
	 * dir/notified; first it lifts the file-size limit it inherits when
	 * started during a "full disk" spell below (the soft limit only)
	 */
	char *notify = xasprintf("%s/notify.sh", dir);
	script = xasprintf("#!/bin/sh\nulimit -S -f unlimited\ncat >> %s/notified\n", dir);
	write_file(notify, script, 0755);
	free(script);
	char *yaml = xasprintf(
	    "notify: ['%s']\n"
	    "notify_rate: 10000\n"
	    "groups:\n"
	    "  - {name: beds, kind: testbed, transport: local, hosts: [tb1], interval: 200ms,\n"
	    "     timeout: 5s, command: 'sh %s'}\n"
	    "  - {name: hpc, kind: scheduler, transport: local, hosts: [head1], interval: 200ms,\n"
	    "     timeout: 5s}\n", notify, tb);
	free(notify);
	struct config *cfg = parse(yaml);
	free(yaml);
	char *cache = xasprintf("%s/cache.db", dir);
	struct store *st = NULL;
	char *cause = NULL;
	if (store_open(cache, STORE_WRITER, &st, &cause) != 0)
		fail_msg("store_open: %s", cause);
	store_set_busy_ms(st, 50);	/* a failed tick fails fast */
	struct collector *c = collector_new(cfg, st, NULL);
	assert_int_equal(collector_start(c, &cause), 0);

	/* a few reports of each in, then the lock for two seconds */
	char states[512][16];
	int64_t end = now_mono_ms() + 10000;
	while (now_mono_ms() < end && read_log(dir, "tb.log", states, 512) < 4)
		poll(NULL, 0, 50);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(cache, &db), SQLITE_OK);
	/* the collector may be inside a tick's transaction: wait for its end */
	sqlite3_busy_timeout(db, 10000);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	size_t before = read_log(dir, "tb.log", states, 512);
	/* two seconds, and at least three reports in the window (a loaded machine) */
	int saw_error = 0;
	end = now_mono_ms() + 15000;
	for (int i = 0; now_mono_ms() < end &&
	    (i < 40 || read_log(dir, "tb.log", states, 512) < before + 3); i++) {
		poll(NULL, 0, 50);
		char *err = collector_store_error(c);
		saw_error |= err != NULL;
		free(err);
	}
	size_t during = read_log(dir, "tb.log", states, 512);
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	/* every tick in the window failed, and reports went on arriving */
	assert_true(saw_error);
	assert_true(during >= before + 3);

	/*
	 * Then the disk refuses to grow any file for two seconds (a file-size
	 * limit on this process: SQLite's writes fail with EFBIG, the commit
	 * with SQLITE_IOERR after every feature ingested). The sh loops were
	 * started before and keep their own limits.
	 */
	end = now_mono_ms() + 5000;
	while (now_mono_ms() < end && collector_store_error_clear(c) == 0)
		poll(NULL, 0, 50);
	/*
	 * Several short spells, so that some tick fails at its COMMIT after
	 * every feature ingested a controller's report (the first tick of a
	 * spell); the later ones fail at BEGIN.
	 */
	struct rlimit old, lim;
	void (*oldsig)(int) = signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 1;
	saw_error = 0;
	end = now_mono_ms() + 20000;
	for (int spell = 0; spell < 6 || (now_mono_ms() < end &&
	    read_log(dir, "tb.log", states, 512) < during + 3); spell++) {
		setrlimit(RLIMIT_FSIZE, &lim);
		for (int i = 0; i < 6; i++) {
			poll(NULL, 0, 50);
			char *e = collector_store_error(c);
			saw_error |= e != NULL;
			free(e);
		}
		setrlimit(RLIMIT_FSIZE, &old);
		poll(NULL, 0, 400);
	}
	signal(SIGXFSZ, oldsig);
	size_t full = read_log(dir, "tb.log", states, 512);
	assert_true(saw_error);
	assert_true(full >= during + 3);

	/* the job stops growing after SACCT_CALLS; let it, then stop */
	end = now_mono_ms() + 15000;
	while (now_mono_ms() < end && read_count(dir, "sacct.n") < SACCT_CALLS + 3)
		poll(NULL, 0, 50);
	poll(NULL, 0, 500);	/* two ticks */
	char *err = collector_store_error(c);
	assert_null(err);
	collector_stop(c);
	collector_free(c);
	store_close(st);

	/* the cache: transitions in order, each once; use counted once */
	size_t sent = read_log(dir, "tb.log", states, 512);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT from_state, to_state FROM tb_transitions"
	    " WHERE controller = 'tb1' AND device_id = 'dev-1' ORDER BY id", -1, &s, NULL),
	    SQLITE_OK);
	size_t stored = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *from = (const char *)sqlite3_column_text(s, 0);
		const char *to = (const char *)sqlite3_column_text(s, 1);
		assert_true(stored < sent);
		if (strcmp(to, states[stored]) != 0)
			fail_msg("transition %zu: stored %s, sent %s", stored + 1, to,
			    states[stored]);
		const char *want = stored == 0 ? "none" : states[stored - 1];
		if (strcmp(from, want) != 0)
			fail_msg("transition %zu: from %s, the state before was %s", stored + 1,
			    from, want);
		stored++;
	}
	sqlite3_finalize(s);
	/* all but those sent after the last tick; surely all from the window */
	printf("# %zu reports sent (%zu before the lock, %zu after it, %zu after the full "
	    "disk), %zu transitions stored\n", sent, before, during, full, stored);
	assert_true(stored >= full);
	assert_true(stored + 3 >= sent);

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT sum(gpu_hours) FROM budget_use"
	    " WHERE account = 'acc-a'", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	double gh = sqlite3_column_double(s, 0);
	sqlite3_finalize(s);
	printf("# acc-a: %.4f GPU-hours (expected %.4f)\n", gh, SACCT_CALLS * 60 / 3600.0);
	assert_true(gh > SACCT_CALLS * 60 / 3600.0 - 1e-9 && gh < SACCT_CALLS * 60 / 3600.0 + 1e-9);

	/* notifications: exactly the committed raises and clears, each once */
	assert_int_equal(sqlite3_exec(db, "ALTER TABLE alert_log ADD notified INTEGER DEFAULT 0;"
	    "ALTER TABLE alert_log ADD notified_clear INTEGER DEFAULT 0", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_true(check_notified(dir, db) >= 3);
	sqlite3_close(db);

	config_free(cfg);
	free(cache);
	free(tb);
	free(bin);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failed_commits_lose_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
