/*
 * budget_db.h: SQL helpers shared by the budget's table files
 * (budget_store.c, budget_usage.c, budget_facts.c; defined in budget_db.c).
 */
#ifndef OPSDECK_BUDGET_DB_H
#define OPSDECK_BUDGET_DB_H

#include <sqlite3.h>

#include "opsdeck/store.h"
#include "store_int.h"

/* "cache PATH: what: SQLite's reason", malloc'd. */
char *db_cause(struct store *st, const char *what);
/* Runs sql (no rows); 0, or -1 with *cause "...: what: reason". */
int  db_exec(struct store *st, const char *sql, const char *what, char **cause);
/*
 * Starts a unit of work: BEGIN IMMEDIATE when the connection is idle, or a
 * SAVEPOINT inside the caller's transaction; *nested says which. Refused
 * while the caller's tick is dead (store_tick_dead).
 */
int  db_begin(struct store *st, int *nested, char **cause);
int  db_commit(struct store *st, int nested, const char *what, char **cause);
void db_rollback(struct store *st, int nested);
/* *has: whether the budget's tables exist. 0 or -1. */
int  db_has_tables(struct store *st, int *has, char **cause);
/* Binds text, "" for NULL. */
int  bind_text(sqlite3_stmt *s, int i, const char *v);
/* A malloc'd copy of column i of the current row ("" for NULL). */
char *col_dup(sqlite3_stmt *s, int i);

#endif
