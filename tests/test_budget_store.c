/*
 * test_budget_store.c: the budget tables in a real cache file: a ledger
 * imported twice counts once, a failing import leaves nothing, compute use
 * only adds its growth, and the facts and ledger lines read back.
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
#include <unistd.h>

#include <sqlite3.h>

#include "opsdeck/budget.h"
#include "opsdeck/buf.h"
#include "opsdeck/feature.h"
#include "opsdeck/store.h"
#include "opsdeck/timeutil.h"
#include "opsdeck/util.h"
#include "store/store_int.h"	/* store_db: the tables as they are */

#define EOK ((int64_t)100000000)

struct ctx {
	char		 dir[64];
	char		*path;
	struct store	*st;
	struct budget_plan *plan;
};

static int
setup(void **state)
{
	struct ctx *c = xcalloc(1, sizeof *c);
	char *cause = NULL;
	struct diag d;
	const char *top = getenv("top_srcdir");
	char *plan = xasprintf("%s/examples/budget.yaml", top != NULL ? top : ".");

	snprintf(c->dir, sizeof c->dir, "/tmp/opsdeck-budget-XXXXXX");
	if (mkdtemp(c->dir) == NULL)
		return -1;
	c->path = xasprintf("%s/cache.db", c->dir);
	if (store_open(c->path, 0, &c->st, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		return -1;
	}
	diag_init(&d, plan);
	c->plan = budget_plan_load(plan, &d);
	diag_free(&d);
	free(plan);
	*state = c;
	return c->plan != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	struct ctx *c = *state;
	store_close(c->st);
	budget_plan_free(c->plan);
	char *cmd = xasprintf("rm -rf '%s'", c->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", c->dir);
	free(cmd);
	free(c->path);
	free(c);
	return 0;
}

static void
ledger_text(struct ctx *c, const char *text, struct ledger *l)
{
	char *cause = NULL;
	if (ledger_parse(text, strlen(text), l, &cause) != 0 ||
	    ledger_resolve(l, c->plan, &cause) != 0)
		fail_msg("%s", cause);
}

static void
ledger_fixture(struct ctx *c, const char *name, struct ledger *l)
{
	const char *f = getenv("FIXTURES");
	char *path = xasprintf("%s/ledger/%s", f != NULL ? f : "tests/fixtures", name);
	char *text, *cause;
	size_t len;
	if (read_file(path, LEDGER_MAX_BYTES, &text, &len, &cause) != 0)
		fail_msg("%s", cause);
	if (ledger_parse(text, len, l, &cause) != 0 || ledger_resolve(l, c->plan, &cause) != 0)
		fail_msg("%s", cause);
	free(text);
	free(path);
}

static int64_t
facts_spent(struct ctx *c, const char *programme)
{
	struct budget_facts f;
	char *cause = NULL;
	int64_t sum = 0;
	if (budget_store_facts(c->st, &f, &cause) != 0)
		fail_msg("%s", cause);
	for (size_t i = 0; i < f.nspend; i++)
		if (programme == NULL || strcmp(f.spend[i].programme, programme) == 0)
			sum += f.spend[i].amount;
	budget_facts_free(&f);
	return sum;
}

static void
test_no_tables(void **state)
{
	struct ctx *c = *state;
	struct budget_facts f;
	struct budget_ledger_line *v;
	size_t n;
	char *cause = NULL;

	assert_int_equal(budget_store_facts(c->st, &f, &cause), 0);
	assert_int_equal(f.nspend, 0);
	assert_int_equal(f.nuse, 0);
	budget_facts_free(&f);
	assert_int_equal(budget_store_ledger_lines(c->st, "infra", NULL, 99999, 10, &v, &n,
	    &cause), 0);
	assert_int_equal(n, 0);
	assert_int_equal(budget_store_init(c->st, &cause), 0);
	assert_int_equal(budget_store_init(c->st, &cause), 0);	/* idempotent */
}

static void
test_import_twice(void **state)
{
	struct ctx *c = *state;
	struct ledger l;
	size_t added, dup;
	char *cause = NULL;

	ledger_fixture(c, "bom_crlf.csv", &l);
	assert_int_equal(budget_store_import(c->st, c->plan, &l, "bom_crlf.csv", &added, &dup,
	    &cause), 0);
	assert_int_equal(added, 6);
	assert_int_equal(dup, 0);
	int64_t total = facts_spent(c, NULL);
	/* 125억 + 35억 + 1.2억 x 2 + 5억 - 0.2억 */
	assert_int_equal(total, 12500000000LL + 35 * EOK + 240000000 + 5 * EOK - 20000000);
	assert_int_equal(budget_store_import(c->st, c->plan, &l, "bom_crlf.csv", &added, &dup,
	    &cause), 0);
	assert_int_equal(added, 0);
	assert_int_equal(dup, 6);
	assert_int_equal(facts_spent(c, NULL), total);
	ledger_free(&l);

	/* a later file sharing one row adds only the new one */
	ledger_text(c, "date,programme,item,amount,vendor,memo\n"
	    "2021-03-31,infra,datacenter,35억,누리정보시스템,GPU 서버 1차 납품\n"
	    "2021-09-30,infra,datacenter,40억,누리정보시스템,"
	    "GPU 서버 2차 납품\n", &l);
	assert_int_equal(budget_store_import(c->st, c->plan, &l, "q3.csv", &added, &dup, &cause),
	    0);
	assert_int_equal(added, 1);
	assert_int_equal(dup, 1);
	assert_int_equal(facts_spent(c, "infra"), 12500000000LL + 75 * EOK - 20000000);
	ledger_free(&l);

	/* the plan's lines are recorded */
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(store_db(c->st), "SELECT count(*), sum(allocation) "
	    "FROM budget_plan_lines WHERE item = ''", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 4);
	assert_int_equal(sqlite3_column_int64(s, 1), 3938 * EOK);
	sqlite3_finalize(s);

	/* drill down: newest first, with source and line */
	struct budget_ledger_line *v;
	size_t n;
	assert_int_equal(budget_store_ledger_lines(c->st, "infra", "datacenter",
	    time_days_from_civil(2021, 12, 31), 10, &v, &n, &cause), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].amount, 40 * EOK);
	assert_string_equal(v[0].source, "q3.csv");
	assert_int_equal(v[0].line, 3);
	assert_int_equal(v[1].amount, -20000000);
	assert_string_equal(v[1].memo, "납품 지연 지체상금 (계약 제12조)");
	assert_int_equal(v[2].amount, 35 * EOK);
	budget_ledger_lines_free(v, n);
	assert_int_equal(budget_store_ledger_lines(c->st, "infra", NULL,
	    time_days_from_civil(2021, 5, 1), 1, &v, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].day, time_days_from_civil(2021, 3, 31));
	budget_ledger_lines_free(v, n);
}

static void
test_import_atomic(void **state)
{
	struct ctx *c = *state;
	struct ledger l;
	size_t added = 99, dup = 99;
	char *cause = NULL;

	assert_int_equal(budget_store_init(c->st, &cause), 0);
	/* the database refuses the third row: nothing of the file stays */
	assert_int_equal(sqlite3_exec(store_db(c->st), "CREATE TRIGGER refuse BEFORE INSERT ON "
	    "budget_spend WHEN NEW.amount = 777 BEGIN SELECT RAISE(ABORT, 'refused'); END",
	    NULL, NULL, NULL), SQLITE_OK);
	int64_t before = facts_spent(c, NULL);
	ledger_text(c, "date,programme,item,amount,vendor,memo\n"
	    "2021-10-01,talent,training,1억,a,b\n"
	    "2021-10-02,talent,training,2억,a,b\n"
	    "2021-10-03,talent,training,777,a,b\n"
	    "2021-10-04,talent,training,3억,a,b\n", &l);
	assert_int_equal(budget_store_import(c->st, c->plan, &l, "bad.csv", &added, &dup, &cause),
	    -1);
	assert_non_null(strstr(cause, "4: cache"));
	assert_non_null(strstr(cause, "refused"));
	free(cause);
	assert_int_equal(added, 0);
	assert_int_equal(facts_spent(c, NULL), before);
	assert_int_equal(facts_spent(c, "talent"), 0);
	ledger_free(&l);
	assert_int_equal(sqlite3_exec(store_db(c->st), "DROP TRIGGER refuse", NULL, NULL, NULL),
	    SQLITE_OK);
}

static double
use_of(struct ctx *c, const char *account, int32_t day, int node)
{
	struct budget_facts f;
	char *cause = NULL;
	double sum = 0;
	if (budget_store_facts(c->st, &f, &cause) != 0)
		fail_msg("%s", cause);
	for (size_t i = 0; i < f.nuse; i++)
		if (strcmp(f.use[i].account, account) == 0 && (day < 0 || f.use[i].day == day))
			sum += node ? f.use[i].node_hours : f.use[i].gpu_hours;
	budget_facts_free(&f);
	return sum;
}

static void
put(struct ctx *c, const char *text, int32_t day, size_t *changed)
{
	struct slurm_usage u;
	char *cause = NULL;
	if (slurm_parse_sacct(text, strlen(text), &u, &cause) != 0 ||
	    budget_store_put_usage(c->st, &u, day, changed, &cause) != 0)
		fail_msg("%s", cause);
	slurm_usage_free(&u);
}

static void
test_usage(void **state)
{
	struct ctx *c = *state;
	size_t changed;
	int32_t d1 = time_days_from_civil(2021, 3, 1), d2 = d1 + 1;
	char *cause = NULL;
	const char *day1 =
	    "100|auto03|hanys|gpu|3600|billing=32,cpu=32,gres/gpu=4,mem=500G,node=1|RUNNING\n"
	    "101|cfd|choiws|hpc|7200|billing=256,cpu=256,mem=1000G,node=4|COMPLETED\n"
	    "102|auto03|hanys|gpu|0||PENDING\n";
	const char *day2 =
	    "100|auto03|hanys|gpu|9000|billing=32,cpu=32,gres/gpu=4,mem=500G,node=1|COMPLETED\n"
	    "101|cfd|choiws|hpc|7200|billing=256,cpu=256,mem=1000G,node=4|COMPLETED\n"
	    "102|auto03|hanys|gpu|1800|billing=8,cpu=8,gres/gpu=1,mem=64G,node=1|RUNNING\n";
	(void)state;

	put(c, day1, d1, &changed);
	assert_int_equal(changed, 2);
	assert_true(fabs(use_of(c, "auto03", d1, 0) - 4.0) < 1e-9);
	assert_true(fabs(use_of(c, "cfd", d1, 1) - 8.0) < 1e-9);
	/* the same output again adds nothing */
	put(c, day1, d1, &changed);
	assert_int_equal(changed, 0);
	assert_true(fabs(use_of(c, "auto03", -1, 0) - 4.0) < 1e-9);
	/* the next day only the growth counts, on that day */
	put(c, day2, d2, &changed);
	assert_int_equal(changed, 2);
	assert_true(fabs(use_of(c, "auto03", d1, 0) - 4.0) < 1e-9);
	assert_true(fabs(use_of(c, "auto03", d2, 0) - (4.0 * 5400 / 3600 + 0.5)) < 1e-9);
	assert_true(fabs(use_of(c, "cfd", -1, 1) - 8.0) < 1e-9);
	/* what running jobs hold, as of the latest import */
	struct budget_facts f;
	assert_int_equal(budget_store_facts(c->st, &f, &cause), 0);
	assert_int_equal(f.nalloc, 1);
	assert_string_equal(f.alloc[0].account, "auto03");
	assert_int_equal(f.alloc[0].gpus, 1);
	assert_int_equal(f.alloc[0].nodes, 1);
	assert_int_equal(f.alloc[0].jobs, 1);
	budget_facts_free(&f);
	/* an older, shorter view of a job never takes use back */
	put(c, day1, d2, &changed);
	assert_int_equal(changed, 0);
	assert_true(fabs(use_of(c, "auto03", -1, 0) - (4.0 * 9000 / 3600 + 0.5)) < 1e-9);
}

/* Inside a collector's open transaction: a savepoint, rolled back alone. */
static void
test_nested(void **state)
{
	struct ctx *c = *state;
	struct ledger l;
	size_t changed, added, dup;
	char *cause = NULL;
	int32_t d = time_days_from_civil(2021, 4, 1);

	assert_int_equal(sqlite3_exec(store_db(c->st), "CREATE TRIGGER refuse BEFORE INSERT ON "
	    "budget_spend WHEN NEW.amount = 777 BEGIN SELECT RAISE(ABORT, 'refused'); END",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(store_db(c->st), "BEGIN IMMEDIATE", NULL, NULL, NULL),
	    SQLITE_OK);
	put(c, "200|health06|u|gpu|3600|gres/gpu=2,node=1|COMPLETED\n", d, &changed);
	assert_int_equal(changed, 1);
	ledger_text(c, "date,programme,item,amount,vendor,memo\n"
	    "2021-04-01,talent,training,5억,a,b\n"
	    "2021-04-02,talent,training,777,a,b\n", &l);
	assert_int_equal(budget_store_import(c->st, c->plan, &l, "x.csv", &added, &dup, &cause),
	    -1);
	free(cause);
	ledger_free(&l);
	assert_false(sqlite3_get_autocommit(store_db(c->st)));	/* still the caller's */
	assert_int_equal(sqlite3_exec(store_db(c->st), "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	assert_true(fabs(use_of(c, "health06", d, 0) - 2.0) < 1e-9);
	assert_int_equal(facts_spent(c, "talent"), 0);
	assert_int_equal(sqlite3_exec(store_db(c->st), "DROP TRIGGER refuse", NULL, NULL, NULL),
	    SQLITE_OK);
}

/* ---- the usage feature: only jobs that changed are written --------------- */

static const struct host_status *
no_fleet(const struct feature_tick *t, size_t *n)
{
	(void)t;
	*n = 0;
	return NULL;
}

/* n jobs 1000.. of account acct at elapsed el, job `odd` at odd_el in odd_state. */
static char *
jobs_text(int n, int64_t el, int odd, int64_t odd_el, const char *odd_state)
{
	struct buf b;
	buf_init(&b, 0);
	for (int i = 0; i < n; i++)
		buf_printf(&b, "%d|inc01|u|gpu|%lld|gres/gpu=1,node=1|%s\n", 1000 + i,
		    (long long)(i == odd ? odd_el : el), i == odd ? odd_state : "RUNNING");
	char *s = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return s;
}

/*
 * One tick of feature_usage for host "slurm-head" with the part text
 * (parsed with max_jobs), from committed state *state (replaced by the
 * next one). Returns the rows the tick changed in the cache.
 */
static int
usage_tick(struct ctx *c, const char *text, size_t max_jobs, void **state)
{
	struct slurm_usage *u = xcalloc(1, sizeof *u);
	struct host_status hs;
	char *cause = NULL;
	void *next = NULL;

	if (slurm_parse_sacct_max(text, strlen(text), max_jobs, u, &cause) != 0)
		fail_msg("%s", cause);
	memset(&hs, 0, sizeof hs);
	snprintf(hs.name, sizeof hs.name, "slurm-head");
	struct queued_part qp = { { &probe_slurm, u }, now_wall_ms() };
	struct feature_tick t = { .st = c->st, .now_ms = qp.at_ms, .fleet = no_fleet };
	struct feature_host h = { .status = &hs, .parts = &qp, .nparts = 1 };
	int before = sqlite3_total_changes(store_db(c->st));
	if (feature_usage.ingest(&t, &h, *state, &next, &cause) != 0)
		fail_msg("%s", cause);
	int changes = sqlite3_total_changes(store_db(c->st)) - before;
	if (next != NULL) {
		feature_usage.state_free(*state);
		*state = next;
	}
	report_part_free(&qp.part);
	return changes;
}

/* The note about host "slurm-head", or "" (static buffer). */
static const char *
note_of(struct ctx *c)
{
	static char text[512];
	struct budget_note *v;
	size_t n;
	char *cause = NULL;

	text[0] = '\0';
	if (budget_store_notes(c->st, &v, &n, &cause) != 0)
		fail_msg("%s", cause);
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].host, "slurm-head") == 0)
			snprintf(text, sizeof text, "%s", v[i].text);
	budget_notes_free(v, n);
	return text;
}

static void
test_usage_incremental(void **state)
{
	struct ctx *c = *state;
	void *st = NULL;
	char *t;

	/* the first answer: 1,000 jobs written */
	t = jobs_text(1000, 600, -1, 0, NULL);
	assert_true(usage_tick(c, t, SLURM_SACCT_MAX_JOBS, &st) >= 1000);
	/* the same answer again: nothing read or written */
	assert_int_equal(usage_tick(c, t, SLURM_SACCT_MAX_JOBS, &st), 0);
	/* a restart (no state): read back from the cache, still nothing written */
	feature_usage.state_free(st);
	st = NULL;
	assert_int_equal(usage_tick(c, t, SLURM_SACCT_MAX_JOBS, &st), 0);
	free(t);
	/* one job ended (same elapsed): that row alone */
	t = jobs_text(1000, 600, 7, 600, "COMPLETED");
	assert_int_equal(usage_tick(c, t, SLURM_SACCT_MAX_JOBS, &st), 1);
	free(t);
	/* every running job 30 s longer: waits for a minute's growth */
	t = jobs_text(1000, 630, 7, 600, "COMPLETED");
	assert_int_equal(usage_tick(c, t, SLURM_SACCT_MAX_JOBS, &st), 0);
	free(t);
	/* 60 s longer than written: the 999 running rows and the account's day once */
	t = jobs_text(1000, 660, 7, 600, "COMPLETED");
	assert_int_equal(usage_tick(c, t, SLURM_SACCT_MAX_JOBS, &st), 1000);
	free(t);
	assert_true(fabs(use_of(c, "inc01", -1, 0) - (999 * 660 + 600) / 3600.0) < 1e-6);
	assert_string_equal(note_of(c), "");
	/* an answer over the cap: the jobs before it count, and a note says so */
	t = jobs_text(1000, 720, 7, 600, "COMPLETED");
	assert_true(usage_tick(c, t, 10, &st) > 0);
	assert_non_null(strstr(note_of(c), "sacct answer cut after 10 jobs (line 11)"));
	assert_true(fabs(use_of(c, "inc01", -1, 0) -
	    (9 * 720 + 990 * 660 + 600) / 3600.0) < 1e-6);
	/* the next whole answer clears it */
	assert_true(usage_tick(c, t, SLURM_SACCT_MAX_JOBS, &st) > 0);
	assert_string_equal(note_of(c), "");
	assert_true(fabs(use_of(c, "inc01", -1, 0) - (999 * 720 + 600) / 3600.0) < 1e-6);
	/*
	 * 5,500 new jobs: a tick writes 5,000 (USAGE_WRITE_MAX) and their
	 * account's day once; the next tick, whatever its part, the other 500.
	 */
	struct buf b;
	buf_init(&b, 0);
	for (int i = 0; i < 5500; i++)
		buf_printf(&b, "%d|big01|u|gpu|60|gres/gpu=1,node=1|COMPLETED\n", 50000 + i);
	assert_int_equal(usage_tick(c, buf_cstr(&b), SLURM_SACCT_MAX_JOBS, &st), 5001);
	assert_true(fabs(use_of(c, "big01", -1, 0) - 5000 * 60 / 3600.0) < 1e-6);
	buf_free(&b);
	assert_int_equal(usage_tick(c, t, SLURM_SACCT_MAX_JOBS, &st), 501);
	assert_true(fabs(use_of(c, "big01", -1, 0) - 5500 * 60 / 3600.0) < 1e-6);
	assert_int_equal(usage_tick(c, t, SLURM_SACCT_MAX_JOBS, &st), 0);
	free(t);
	feature_usage.state_free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_tables),
		cmocka_unit_test(test_import_twice),
		cmocka_unit_test(test_import_atomic),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_usage_incremental),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
