/*
 * budget_db.c: the SQL helpers of the budget's table files (budget_db.h):
 * units of work that are a transaction of their own or a SAVEPOINT inside
 * the caller's (a collector's tick), messages naming the cache, binding and
 * copying text.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "opsdeck/budget.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/store.h"
#include "opsdeck/util.h"
#include "budget_db.h"

char *
db_cause(struct store *st, const char *what)
{
	return xasprintf("cache %s: %s: %s", store_path(st), what,
	    sqlite3_errmsg(store_db(st)));
}

int
db_exec(struct store *st, const char *sql, const char *what, char **cause)
{
	char *err = NULL;
	if (sqlite3_exec(store_db(st), sql, NULL, NULL, &err) != SQLITE_OK) {
		*cause = xasprintf("cache %s: %s: %s", store_path(st), what,
		    err != NULL ? err : "unknown error");
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

/*
 * Starts a unit of work: BEGIN IMMEDIATE when the connection is idle, or a
 * SAVEPOINT inside the caller's transaction (the collector's tick), so the
 * same functions serve `opsdeck budget` and a collector. *nested says which.
 */
int
db_begin(struct store *st, int *nested, char **cause)
{
	if (store_tick_dead(st, cause))
		return -1;
	*nested = !sqlite3_get_autocommit(store_db(st));
	return db_exec(st, *nested ? "SAVEPOINT budget" : "BEGIN IMMEDIATE",
	    "cannot start a transaction", cause);
}

int
db_commit(struct store *st, int nested, const char *what, char **cause)
{
	return db_exec(st, nested ? "RELEASE budget" : "COMMIT", what, cause);
}

/* Undoes the unit of work; the caller's transaction, if any, goes on. */
void
db_rollback(struct store *st, int nested)
{
	if (nested)
		sqlite3_exec(store_db(st), "ROLLBACK TO budget; RELEASE budget", NULL, NULL,
		    NULL);
	else
		sqlite3_exec(store_db(st), "ROLLBACK", NULL, NULL, NULL);
}

/* Whether the budget tables exist (a cache no budget command has touched has none). */
int
db_has_tables(struct store *st, int *has, char **cause)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM sqlite_master WHERE "
	    "type = 'table' AND name IN ('budget_spend', 'budget_use', 'budget_jobs')", -1, &s,
	    NULL) != SQLITE_OK) {
		*cause = db_cause(st, "cannot read the schema");
		return -1;
	}
	int rc = sqlite3_step(s);
	*has = rc == SQLITE_ROW && sqlite3_column_int(s, 0) == 3;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW) {
		*cause = db_cause(st, "cannot read the schema");
		return -1;
	}
	return 0;
}

int
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	return sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

/* A malloc'd copy of column i of the current row ("" for NULL). */
char *
col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return xstrdup(t != NULL ? (const char *)t : "");
}
