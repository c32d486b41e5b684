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

/*
 * See budget.h. For each job: the use recorded so far (gpus x elapsed) from
 * budget_jobs, the growth added to (account, day) in budget_use; a view with
 * a shorter elapsed time than the recorded one changes nothing.
 */
int
budget_store_put_usage(struct store *st, const struct slurm_usage *u, int32_t day,
    size_t *changed, char **cause)
{
	sqlite3_stmt *get = NULL, *put = NULL, *add = NULL;
	sqlite3 *db = store_db(st);
	int nested;

	*changed = 0;
	if (budget_store_init(st, cause) != 0)
		return -1;
	if (store_work_begin(st, "budget", &nested, cause) != 0)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT elapsed_s, gpus, nodes FROM budget_jobs WHERE "
	    "jobid = ?1", -1, &get, NULL) != SQLITE_OK ||
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
	for (size_t i = 0; i < u->njobs; i++) {
		const struct slurm_job *j = &u->jobs[i];
		double old_gpu = 0, old_node = 0;
		sqlite3_reset(get);
		store_bind_text_or_null(get, 1, j->jobid);
		int rc = sqlite3_step(get);
		if (rc == SQLITE_ROW) {
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
		if (dg <= 0 && dn <= 0)
			continue;
		sqlite3_reset(add);
		store_bind_text_or_null(add, 1, j->account);
		sqlite3_bind_int(add, 2, day);
		sqlite3_bind_double(add, 3, dg);
		sqlite3_bind_double(add, 4, dn);
		if (sqlite3_step(add) != SQLITE_DONE) {
			*cause = store_errmsg(st, "cannot record compute use");
			goto fail;
		}
		(*changed)++;
	}
	sqlite3_finalize(get);
	sqlite3_finalize(put);
	sqlite3_finalize(add);
	get = put = add = NULL;
	if (store_work_end(st, "budget", nested, 1, "cannot commit compute use", cause) != 0)
		goto fail;
	return 0;
fail:
	sqlite3_finalize(get);
	sqlite3_finalize(put);
	sqlite3_finalize(add);
	store_work_end(st, "budget", nested, 0, NULL, NULL);
	*changed = 0;
	return -1;
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
