/*
 * dbx.c: SQL helpers for the modules that keep tables of their own in the
 * cache (devices_store.c, alert_store.c; dbx.h).
 */
#include "config.h"

#include <math.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbx.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/util.h"

char *
dbx_cause(struct store *st, const char *what)
{
	return xasprintf("cache %s: %s: %s", store_path(st), what, sqlite3_errmsg(store_db(st)));
}

int
dbx_begin(struct store *st, int *own, char **cause)
{
	sqlite3 *db = store_db(st);

	*own = 0;
	if (store_tick_dead(st, cause))
		return -1;
	if (!sqlite3_get_autocommit(db))
		return 0;	/* inside the caller's transaction */
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		if (cause != NULL)
			*cause = dbx_cause(st, "begin");
		return -1;
	}
	*own = 1;
	return 0;
}

int
dbx_end(struct store *st, int own, int ok, char **cause)
{
	sqlite3 *db = store_db(st);

	if (!own)
		return ok ? 0 : -1;
	if (ok && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	if (ok && cause != NULL && *cause == NULL)
		*cause = dbx_cause(st, "commit");
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int
dbx_prepare(struct store *st, const char *sql, sqlite3_stmt **out, char **cause)
{
	int rc = sqlite3_prepare_v2(store_db(st), sql, -1, out, NULL);

	if (rc == SQLITE_OK)
		return 0;
	*out = NULL;
	if (rc == SQLITE_ERROR && strstr(sqlite3_errmsg(store_db(st)), "syntax") != NULL)
		fatal("bad SQL: %s: %s", sqlite3_errmsg(store_db(st)), sql);
	if (cause != NULL && *cause == NULL)
		*cause = dbx_cause(st, "prepare");
	return -1;
}

int
dbx_has_table(struct store *st, const char *name)
{
	sqlite3_stmt *s;
	int found = 0;

	if (sqlite3_prepare_v2(store_db(st),
	    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", -1, &s,
	    NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return found;
}

int
dbx_text(sqlite3_stmt *s, int col, const char *v)
{
	return sqlite3_bind_text(s, col, v != NULL ? v : "", -1, SQLITE_TRANSIENT);
}

int
dbx_real(sqlite3_stmt *s, int col, double v)
{
	if (isnan(v) || isinf(v))
		return sqlite3_bind_null(s, col);
	return sqlite3_bind_double(s, col, v);
}

const char *
dbx_col_text(sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	return t != NULL ? (const char *)t : "";
}

double
dbx_col_real(sqlite3_stmt *s, int col)
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return NAN;
	return sqlite3_column_double(s, col);
}

int
dbx_step_done(struct store *st, sqlite3_stmt *s, const char *what, char **cause)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	if (cause != NULL && *cause == NULL)
		*cause = dbx_cause(st, what);
	return -1;
}

void
dbx_user(char *buf, size_t len)
{
	struct passwd *pw = getpwuid(getuid());

	if (pw != NULL && pw->pw_name != NULL && pw->pw_name[0] != '\0')
		sanitize_text(buf, len, pw->pw_name, strlen(pw->pw_name));
	else
		snprintf(buf, len, "uid %lu", (unsigned long)getuid());
}

