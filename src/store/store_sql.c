/*
 * store_sql.c: the one set of SQL helpers of src/store/ (store_int.h): the
 * prepared statements of the hot paths, error messages naming the cache,
 * binding and reading columns, plain statements, table checks, and units of
 * work for the modules with tables of their own (devices, alerts, budget).
 * Depends on no other store file, so every store file uses it and none of
 * them uses another in a circle.
 */
#include "config.h"

#include <math.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opsdeck/sanitize.h"
#include "opsdeck/store.h"
#include "opsdeck/util.h"
#include "store_int.h"

static const char *const stmt_sql[SQ_COUNT] = {
	[SQ_HOST_FIND] = "SELECT id, state, sample_ms FROM hosts WHERE name = ?1",
	[SQ_HOST_INSERT] = "INSERT INTO hosts(name, state_since_ms) VALUES (?1, ?2)",
	[SQ_HOST_UPDATE] =
	    "UPDATE hosts SET grp = ?2, kind = ?3, state = ?4, error = ?5,"
	    " state_since_ms = ?6, sample_ms = ?7, updated_ms = ?8, cores = ?9,"
	    " cpu_pct = ?10, core_pct = ?11, mem_total = ?12, mem_used = ?13,"
	    " swap_total = ?14, swap_used = ?15, load1 = ?16, load5 = ?17, load15 = ?18,"
	    " uptime_s = ?19, net_rx_bps = ?20, net_tx_bps = ?21,"
	    " disk_read_bps = ?22, disk_write_bps = ?23, warnings = ?24 WHERE id = ?1",
	[SQ_TRANSITION_INSERT] =
	    "INSERT INTO host_transitions(host_id, ts_ms, from_state, to_state, error)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)",
	[SQ_LIVE_PUT] = "INSERT OR REPLACE INTO host_live(host_id, data) VALUES (?1, ?2)",
	[SQ_LIVE_DELETE] = "DELETE FROM host_live WHERE host_id = ?1",
	[SQ_METRIC_FIND] = "SELECT id FROM metrics WHERE name = ?1",
	[SQ_METRIC_INSERT] = "INSERT INTO metrics(name) VALUES (?1)",
	[SQ_SERIES_INSERT] = "INSERT OR IGNORE INTO series(host_id, metric_id) VALUES (?1, ?2)",
	[SQ_CHUNK_INSERT] =
	    "INSERT INTO chunks(host_id, level, t0, t1, n, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[SQ_CHUNK_UPDATE] = "UPDATE chunks SET t1 = ?2, n = ?3, data = ?4 WHERE id = ?1",
};

/* See store_int.h. */
sqlite3 *
store_db(struct store *st)
{
	return st->db;
}

sqlite3_stmt *
store_stmt(struct store *st, enum store_stmt which)
{
	if (st->stmt[which] == NULL) {
		if (stmt_sql[which] == NULL)
			fatal("store: statement %d has no SQL", (int)which);
		if (sqlite3_prepare_v3(st->db, stmt_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
		    &st->stmt[which], NULL) != SQLITE_OK)
			fatal("store: cannot prepare statement %d: %s", (int)which,
			    sqlite3_errmsg(st->db));
	}
	return st->stmt[which];
}

char *
store_errmsg(struct store *st, const char *what)
{
	int rc = st->db != NULL ? sqlite3_extended_errcode(st->db) : SQLITE_ERROR;
	const char *msg = st->db != NULL ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc);
	return xasprintf("cache %s: %s: %s", st->path, what, msg);
}

int
store_rc_is_disk(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_NOMEM:
		return 1;
	}
	return 0;
}

/* See store_int.h. */
int
store_prepare(struct store *st, const char *sql, sqlite3_stmt **out, char **cause)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, out, NULL);

	if (rc == SQLITE_OK)
		return 0;
	*out = NULL;
	if (rc == SQLITE_ERROR && strstr(sqlite3_errmsg(st->db), "syntax") != NULL)
		fatal("bad SQL: %s: %s", sqlite3_errmsg(st->db), sql);
	if (cause != NULL && *cause == NULL)
		*cause = store_errmsg(st, "prepare");
	return -1;
}

int
store_bind_real(sqlite3_stmt *s, int col, double v)
{
	if (!isfinite(v))
		return sqlite3_bind_null(s, col);
	return sqlite3_bind_double(s, col, v);
}

double
store_column_real(sqlite3_stmt *s, int col)
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return NAN;
	return sqlite3_column_double(s, col);
}

/* See store_int.h. */
int
store_bind_text(sqlite3_stmt *s, int col, const char *v)
{
	return sqlite3_bind_text(s, col, v != NULL ? v : "", -1, SQLITE_TRANSIENT);
}

/* See store_int.h. */
int
store_bind_text_or_null(sqlite3_stmt *s, int col, const char *v)
{
	return sqlite3_bind_text(s, col, v, -1, SQLITE_TRANSIENT);
}

/* See store_int.h. */
const char *
store_column_text(sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	return t != NULL ? (const char *)t : "";
}

/* See store_int.h. */
char *
store_column_dup(sqlite3_stmt *s, int col)
{
	return xstrdup(store_column_text(s, col));
}

int
store_bind_field(sqlite3_stmt *s, int col, const char *field, size_t max)
{
	return sqlite3_bind_text(s, col, field, (int)strnlen(field, max), SQLITE_TRANSIENT);
}

void
store_column_field(sqlite3_stmt *s, int col, char *field, size_t size)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	int n = sqlite3_column_bytes(s, col);

	if (t == NULL || size == 0) {
		if (size > 0)
			field[0] = '\0';
		return;
	}
	if ((size_t)n >= size)
		n = (int)size - 1;
	memcpy(field, t, (size_t)n);
	field[n] = '\0';
}

/* See store_int.h. */
int
store_step_rc(sqlite3_stmt *s)
{
	int r = sqlite3_step(s);
	sqlite3_reset(s);
	return r == SQLITE_DONE ? SQLITE_OK : r;
}

int
store_exec(struct store *st, const char *sql)
{
	return sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

/* See store_int.h. */
int
store_run(struct store *st, const char *sql, const char *what, char **cause)
{
	char *err = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &err) == SQLITE_OK)
		return 0;
	if (cause != NULL && *cause == NULL)
		*cause = xasprintf("cache %s: %s: %s", st->path, what,
		    err != NULL ? err : "unknown error");
	sqlite3_free(err);
	return -1;
}

/* See store_int.h. */
int
store_step_done(struct store *st, sqlite3_stmt *s, const char *what, char **cause)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	if (cause != NULL && *cause == NULL)
		*cause = store_errmsg(st, what);
	return -1;
}

/* See store_int.h. */
int
store_has_table(struct store *st, const char *name)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db,
	    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", -1, &s,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* See store_int.h. */
int
store_has_tables(struct store *st, const char *const *names, int *has, char **cause)
{
	*has = 1;
	for (size_t i = 0; names[i] != NULL && *has; i++) {
		int rc = store_has_table(st, names[i]);
		if (rc < 0) {
			*cause = store_errmsg(st, "cannot read the schema");
			return -1;
		}
		*has = rc == 1;
	}
	return 0;
}

/* See store_int.h. */
int
store_work_begin(struct store *st, const char *savepoint, int *nested, char **cause)
{
	char sql[64];

	*nested = 0;
	/*
	 * store_tick_dead's test, on the fields: this file calls no other store
	 * file. A tick whose transaction SQLite itself rolled back (an I/O
	 * error, a full disk: autocommit is on again while the tick is open)
	 * is dead too: a BEGIN here would commit this unit on its own, outside
	 * the tick that the publisher then reports failed.
	 */
	if (st->in_tx && (st->tx_dead || sqlite3_get_autocommit(st->db))) {
		if (cause != NULL)
			*cause = xasprintf("%s", st->fail_msg != NULL ? st->fail_msg :
			    "the tick's transaction was rolled back");
		return -1;
	}
	if (!sqlite3_get_autocommit(st->db)) {
		*nested = 1;	/* inside the caller's transaction */
		if (savepoint == NULL)
			return 0;
		snprintf(sql, sizeof sql, "SAVEPOINT %s", savepoint);
		return store_run(st, sql, "cannot start a transaction", cause);
	}
	return store_run(st, "BEGIN IMMEDIATE", "cannot start a transaction", cause);
}

/* See store_int.h. */
int
store_work_end(struct store *st, const char *savepoint, int nested, int ok,
    const char *what, char **cause)
{
	char sql[96];

	if (nested && savepoint == NULL)
		return ok ? 0 : -1;
	if (ok) {
		if (nested)
			snprintf(sql, sizeof sql, "RELEASE %s", savepoint);
		if (store_run(st, nested ? sql : "COMMIT", what != NULL ? what : "commit",
		    cause) == 0)
			return 0;
	}
	if (nested)
		snprintf(sql, sizeof sql, "ROLLBACK TO %s; RELEASE %s", savepoint, savepoint);
	sqlite3_exec(st->db, nested ? sql : "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* See store_int.h. */
void
store_user_name(char *buf, size_t len)
{
	struct passwd *pw = getpwuid(getuid());

	if (pw != NULL && pw->pw_name != NULL && pw->pw_name[0] != '\0')
		sanitize_text(buf, len, pw->pw_name, strlen(pw->pw_name));
	else
		snprintf(buf, len, "uid %lu", (unsigned long)getuid());
}

/* See store.h. */
int64_t
store_data_version(struct store *st)
{
	sqlite3_stmt *s;
	int64_t v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA data_version", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}
