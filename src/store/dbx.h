/*
 * dbx.h: SQL helpers shared by devices_store.c and alert_store.c (dbx.c),
 * the modules that keep tables of their own in the cache (store_db()).
 */
#ifndef OPSDECK_DBX_H
#define OPSDECK_DBX_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "opsdeck/store.h"

/* "cache PATH: what: SQLite's reason", malloc'd. */
char *dbx_cause(struct store *st, const char *what);

/*
 * Starts a write transaction unless one is open (the collector's tick);
 * *own says whether it did. 0 or -1 with *cause.
 */
int  dbx_begin(struct store *st, int *own, char **cause);
/* Commits (ok) or rolls back our own transaction; nothing when !own. 0 or -1. */
int  dbx_end(struct store *st, int own, int ok, char **cause);

/* Prepares sql; fatal on a bad SQL text, -1 with *cause on other errors. */
int  dbx_prepare(struct store *st, const char *sql, sqlite3_stmt **out, char **cause);
/* Whether table `name` exists. */
int  dbx_has_table(struct store *st, const char *name);

/* Binds text (never NULL: "" instead) and a double (NaN as NULL). */
int  dbx_text(sqlite3_stmt *s, int col, const char *v);
int  dbx_real(sqlite3_stmt *s, int col, double v);
/* A text column as a NUL-terminated string ("" for NULL); valid until the next step. */
const char *dbx_col_text(sqlite3_stmt *s, int col);
/* A real column; NULL reads as NaN. */
double dbx_col_real(sqlite3_stmt *s, int col);

/* Runs a statement to completion; SQLITE_DONE or SQLITE_ROW is success. 0 or -1. */
int  dbx_step_done(struct store *st, sqlite3_stmt *s, const char *what, char **cause);

/* The local user's name (getpwuid), or "uid N". */
void dbx_user(char *buf, size_t len);

#endif
