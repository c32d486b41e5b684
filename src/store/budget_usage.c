/*
 * budget_usage.c: compute use from a scheduler in the cache (budget.h):
 * every Slurm allocation by JobID with the growth of its use added to its
 * account's day (budget_jobs, budget_use), and the GPUs of running jobs on
 * idle nodes per account (budget_idle, created on first write).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "opsdeck/budget.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/store.h"
#include "opsdeck/util.h"
#include "store_int.h"

static const char idle_schema_sql[] =
	"CREATE TABLE IF NOT EXISTS budget_idle ("
	" account TEXT PRIMARY KEY,"
	" gpus_idle INTEGER NOT NULL,"
	" gpus_known INTEGER NOT NULL,"
	" at_ms INTEGER NOT NULL);";

/* See budget.h: budget_store_put_jobs over every job of u. */
int
budget_store_put_usage(struct store *st, const struct slurm_usage *u, int32_t day,
    size_t *changed, char **cause)
{
	const struct slurm_job **v = xcalloc(u->njobs + 1, sizeof *v);
	for (size_t i = 0; i < u->njobs; i++)
		v[i] = &u->jobs[i];
	int rc = budget_store_put_jobs(st, v, u->njobs, day, changed, NULL, cause);
	free(v);
	return rc;
}

/* Whether the budget_jobs row read by `get` (columns as selected there) is j. */
static int
job_row_same(sqlite3_stmt *get, const struct slurm_job *j)
{
	static const int text_cols[] = { 3, 4, 5, 6 };
	const char *const vals[] = { j->account, j->user, j->partition, j->state };

	if (sqlite3_column_int64(get, 0) != j->elapsed_s ||
	    sqlite3_column_int64(get, 1) != j->gpus || sqlite3_column_int64(get, 2) != j->nodes)
		return 0;
	for (size_t k = 0; k < OD_ARRAY_LEN(text_cols); k++) {
		const char *t = (const char *)sqlite3_column_text(get, text_cols[k]);
		if (t == NULL || strcmp(t, vals[k]) != 0)
			return 0;
	}
	return 1;
}

/* One job's growth of use, to be summed per account. */
struct growth {
	const char	*account;	/* borrowed from the job */
	double		 dg, dn;
};

static int
growth_cmp(const void *a, const void *b)
{
	const struct growth *x = a, *y = b;
	return strcmp(x->account, y->account);
}

/*
 * Adds the n growths of g (sorted here) to (account, day) with statement
 * add, one row per account. 0, or -1 with *cause.
 */
static int
growth_add(struct store *st, sqlite3_stmt *add, struct growth *g, size_t n, int32_t day,
    char **cause)
{
	qsort(g, n, sizeof *g, growth_cmp);
	for (size_t i = 0; i < n;) {
		double dg = 0, dn = 0;
		size_t k = i;
		for (; k < n && strcmp(g[k].account, g[i].account) == 0; k++) {
			dg += g[k].dg;
			dn += g[k].dn;
		}
		sqlite3_reset(add);
		store_bind_text_or_null(add, 1, g[i].account);
		sqlite3_bind_int(add, 2, day);
		sqlite3_bind_double(add, 3, dg);
		sqlite3_bind_double(add, 4, dn);
		if (sqlite3_step(add) != SQLITE_DONE) {
			*cause = store_errmsg(st, "cannot record compute use");
			return -1;
		}
		i = k;
	}
	return 0;
}

/*
 * See budget.h. For each job: the use recorded so far (gpus x elapsed) from
 * budget_jobs, the growth added to (account, day) in budget_use (one write
 * per account); a job whose row already says the same is not written; a
 * view with a shorter elapsed time than the recorded one changes nothing.
 */
int
budget_store_put_jobs(struct store *st, const struct slurm_job *const *jobs, size_t n,
    int32_t day, size_t *changed, size_t *written, char **cause)
{
	sqlite3_stmt *get = NULL, *put = NULL, *add = NULL;
	sqlite3 *db = store_db(st);
	struct growth *g = xcalloc(n + 1, sizeof *g);
	size_t ng = 0;
	int nested;

	*changed = 0;
	if (written != NULL)
		*written = 0;
	if (budget_store_init(st, cause) != 0 ||
	    store_work_begin(st, "budget", &nested, cause) != 0) {
		free(g);
		return -1;
	}
	if (sqlite3_prepare_v2(db, "SELECT elapsed_s, gpus, nodes, account, user, partition, "
	    "state FROM budget_jobs WHERE jobid = ?1", -1, &get, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO budget_jobs (jobid, account, user, partition, "
	    "state, elapsed_s, gpus, nodes, first_day, last_day) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7, ?8, ?9, ?9) ON CONFLICT (jobid) DO UPDATE SET account = excluded.account, "
	    "user = excluded.user, partition = excluded.partition, state = excluded.state, "
	    "elapsed_s = excluded.elapsed_s, gpus = excluded.gpus, nodes = excluded.nodes, "
	    "last_day = max(last_day, excluded.last_day) "
	    "WHERE excluded.elapsed_s >= budget_jobs.elapsed_s",
	    -1, &put, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO budget_use (account, day, gpu_hours, "
	    "node_hours) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (account, day) DO UPDATE SET "
	    "gpu_hours = gpu_hours + excluded.gpu_hours, node_hours = node_hours + "
	    "excluded.node_hours", -1, &add, NULL) != SQLITE_OK) {
		*cause = store_errmsg(st, "cannot record compute use");
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		const struct slurm_job *j = jobs[i];
		double old_gpu = 0, old_node = 0;
		sqlite3_reset(get);
		store_bind_text_or_null(get, 1, j->jobid);
		int rc = sqlite3_step(get);
		if (rc == SQLITE_ROW) {
			if (job_row_same(get, j))
				continue;	/* nothing changed since it was written */
			double e = (double)sqlite3_column_int64(get, 0);
			old_gpu = (double)sqlite3_column_int64(get, 1) * e / 3600.0;
			old_node = (double)sqlite3_column_int64(get, 2) * e / 3600.0;
		} else if (rc != SQLITE_DONE) {
			*cause = store_errmsg(st, "cannot read recorded jobs");
			goto fail;
		}
		double dg = j->gpu_hours - old_gpu, dn = j->node_hours - old_node;
		if (dg < 0)
			dg = 0;
		if (dn < 0)
			dn = 0;
		sqlite3_reset(put);
		store_bind_text_or_null(put, 1, j->jobid);
		store_bind_text_or_null(put, 2, j->account);
		store_bind_text_or_null(put, 3, j->user);
		store_bind_text_or_null(put, 4, j->partition);
		store_bind_text_or_null(put, 5, j->state);
		sqlite3_bind_int64(put, 6, j->elapsed_s);
		sqlite3_bind_int64(put, 7, j->gpus);
		sqlite3_bind_int64(put, 8, j->nodes);
		sqlite3_bind_int(put, 9, day);
		if (sqlite3_step(put) != SQLITE_DONE) {
			*cause = store_errmsg(st, "cannot record a job");
			goto fail;
		}
		if (written != NULL)
			(*written)++;
		if (dg <= 0 && dn <= 0)
			continue;
		g[ng].account = j->account;
		g[ng].dg = dg;
		g[ng++].dn = dn;
		(*changed)++;
	}
	if (growth_add(st, add, g, ng, day, cause) != 0)
		goto fail;
	free(g);
	g = NULL;
	sqlite3_finalize(get);
	sqlite3_finalize(put);
	sqlite3_finalize(add);
	get = put = add = NULL;
	if (store_work_end(st, "budget", nested, 1, "cannot commit compute use", cause) != 0)
		goto fail;
	return 0;
fail:
	free(g);
	sqlite3_finalize(get);
	sqlite3_finalize(put);
	sqlite3_finalize(add);
	store_work_end(st, "budget", nested, 0, NULL, NULL);
	*changed = 0;
	if (written != NULL)
		*written = 0;
	return -1;
}

static const char notes_schema_sql[] =
	"CREATE TABLE IF NOT EXISTS budget_notes ("
	" host TEXT PRIMARY KEY,"
	" at_ms INTEGER NOT NULL,"
	" text TEXT NOT NULL);";

/* See budget.h. */
int
budget_store_put_note(struct store *st, const char *host, int64_t at_ms, const char *text,
    char **cause)
{
	sqlite3_stmt *s = NULL;
	int nested;

	if (text == NULL && !store_has_table(st, "budget_notes"))
		return 0;	/* nothing to clear */
	if (store_work_begin(st, "budget", &nested, cause) != 0)
		return -1;
	if (store_run(st, notes_schema_sql, "cannot create the budget notes", cause) != 0)
		goto fail;
	if (sqlite3_prepare_v2(store_db(st), text != NULL ?
	    "INSERT OR REPLACE INTO budget_notes (host, at_ms, text) VALUES (?1, ?2, ?3)" :
	    "DELETE FROM budget_notes WHERE host = ?1", -1, &s, NULL) != SQLITE_OK) {
		*cause = store_errmsg(st, "cannot record a budget note");
		goto fail;
	}
	store_bind_text_or_null(s, 1, host);
	if (text != NULL) {
		sqlite3_bind_int64(s, 2, at_ms);
		store_bind_text_or_null(s, 3, text);
	}
	if (sqlite3_step(s) != SQLITE_DONE) {
		*cause = store_errmsg(st, "cannot record a budget note");
		goto fail;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (store_work_end(st, "budget", nested, 1, "cannot commit a budget note", cause) != 0)
		goto fail;
	return 0;
fail:
	sqlite3_finalize(s);
	store_work_end(st, "budget", nested, 0, NULL, NULL);
	return -1;
}

/* See budget.h. */
int
budget_store_notes(struct store *st, struct budget_note **out, size_t *n, char **cause)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if (!store_has_table(st, "budget_notes"))
		return 0;
	if (sqlite3_prepare_v2(store_db(st), "SELECT host, at_ms, text FROM budget_notes "
	    "ORDER BY host", -1, &s, NULL) != SQLITE_OK) {
		*cause = store_errmsg(st, "cannot read the budget notes");
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < BUDGET_MAX_NOTES) {
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		struct budget_note *b = &(*out)[(*n)++];
		const char *h = (const char *)sqlite3_column_text(s, 0);
		const char *t = (const char *)sqlite3_column_text(s, 2);
		b->host = sanitize_dup(h != NULL ? h : "", h != NULL ? strlen(h) : 0, 256);
		b->at_ms = sqlite3_column_int64(s, 1);
		b->text = sanitize_dup(t != NULL ? t : "", t != NULL ? strlen(t) : 0, 512);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		*cause = store_errmsg(st, "cannot read the budget notes");
		sqlite3_finalize(s);
		budget_notes_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

void
budget_notes_free(struct budget_note *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].host);
		free(v[i].text);
	}
	free(v);
}

/*
 * See budget.h: the table is created when missing, emptied and refilled in
 * one unit of work.
 */
int
budget_store_put_idle(struct store *st, const struct budget_idle *v, size_t n,
    int64_t at_ms, char **cause)
{
	sqlite3_stmt *s = NULL;
	int nested;

	if (store_work_begin(st, "budget", &nested, cause) != 0)
		return -1;
	if (store_run(st, idle_schema_sql, "cannot create the idle GPU table", cause) != 0 ||
	    store_run(st, "DELETE FROM budget_idle", "cannot record idle GPUs", cause) != 0)
		goto fail;
	if (sqlite3_prepare_v2(store_db(st), "INSERT INTO budget_idle (account, gpus_idle, "
	    "gpus_known, at_ms) VALUES (?1, ?2, ?3, ?4)", -1, &s, NULL) != SQLITE_OK) {
		*cause = store_errmsg(st, "cannot record idle GPUs");
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		sqlite3_reset(s);
		store_bind_text_or_null(s, 1, v[i].account);
		sqlite3_bind_int64(s, 2, v[i].gpus_idle);
		sqlite3_bind_int64(s, 3, v[i].gpus_known);
		sqlite3_bind_int64(s, 4, at_ms);
		if (sqlite3_step(s) != SQLITE_DONE) {
			*cause = store_errmsg(st, "cannot record idle GPUs");
			goto fail;
		}
	}
	sqlite3_finalize(s);
	s = NULL;
	if (store_work_end(st, "budget", nested, 1, "cannot commit idle GPUs", cause) != 0)
		goto fail;
	return 0;
fail:
	sqlite3_finalize(s);
	store_work_end(st, "budget", nested, 0, NULL, NULL);
	return -1;
}
