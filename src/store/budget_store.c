/*
 * budget_store.c: the budget's tables in the cache (store.h's store_db).
 *
 *   budget_spend       one row per ledger line; `key` (ledger.c's dedup key)
 *                      is UNIQUE, so importing a file twice adds nothing
 *   budget_plan_lines  the plan's programmes and items at the last import
 *   budget_jobs        every Slurm allocation seen, by JobID, with the use
 *                      already counted (an older, shorter view of a job
 *                      changes nothing)
 *   budget_use         GPU-hours and node-hours per account and day
 *   budget_idle        GPUs of running jobs on idle nodes per account, with
 *                      when the collector saw them (created on first write)
 *   budget_imports     one row per ledger import that added rows: id, file,
 *                      rows, total, when; budget_spend.import_id points at
 *                      it (both made by imports_init, which also gives the
 *                      rows of a cache from before them one import per
 *                      file and time)
 *
 * Money: the ledger rows of the whole cache, taken without sign, add up to
 * at most BUDGET_MAX_AMOUNT (an import that would pass it is refused at the
 * row that tips it), so no sum of them can overflow; the facts are still
 * added in C with budget_add_sat, so a cache written before that rule never
 * makes a report fail.
 *
 * Tables are created with CREATE TABLE IF NOT EXISTS in a short transaction
 * of our own; every write is one BEGIN IMMEDIATE ... COMMIT, rolled back on
 * any error, so a failed import leaves nothing behind. Called inside the
 * caller's transaction (a collector's tick), the same work is a SAVEPOINT
 * that is rolled back alone. Every value is bound.
 * The connection is the caller's store: use it from one thread at a time.
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

/* The tables a cache has once a budget command or collector touched it. */
static const char *const budget_tables[] = {
	"budget_spend", "budget_use", "budget_jobs", NULL
};

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS budget_spend ("
	" key TEXT NOT NULL UNIQUE,"
	" day INTEGER NOT NULL,"
	" programme TEXT NOT NULL,"
	" item TEXT NOT NULL,"
	" amount INTEGER NOT NULL,"
	" vendor TEXT NOT NULL,"
	" memo TEXT NOT NULL,"
	" source TEXT NOT NULL,"
	" line INTEGER NOT NULL,"
	" imported_ms INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS budget_spend_line ON budget_spend(programme, item, day);"
	"CREATE TABLE IF NOT EXISTS budget_plan_lines ("
	" programme TEXT NOT NULL,"
	" item TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" allocation INTEGER NOT NULL,"
	" PRIMARY KEY (programme, item));"
	"CREATE TABLE IF NOT EXISTS budget_jobs ("
	" jobid TEXT PRIMARY KEY,"
	" account TEXT NOT NULL,"
	" user TEXT NOT NULL,"
	" partition TEXT NOT NULL,"
	" state TEXT NOT NULL,"
	" elapsed_s INTEGER NOT NULL,"
	" gpus INTEGER NOT NULL,"
	" nodes INTEGER NOT NULL,"
	" first_day INTEGER NOT NULL,"
	" last_day INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS budget_use ("
	" account TEXT NOT NULL,"
	" day INTEGER NOT NULL,"
	" gpu_hours REAL NOT NULL,"
	" node_hours REAL NOT NULL,"
	" PRIMARY KEY (account, day));";

static const char imports_schema_sql[] =
	"CREATE TABLE IF NOT EXISTS budget_imports ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" source TEXT NOT NULL,"
	" rows INTEGER NOT NULL,"
	" total INTEGER NOT NULL,"
	" imported_ms INTEGER NOT NULL);";

/*
 * See budget.h. A cache that has the tables is not written to (a read-only
 * connection can call this).
 */
int
budget_store_init(struct store *st, char **cause)
{
	int has, nested;

	if (store_has_tables(st, budget_tables, &has, cause) != 0)
		return -1;
	if (has)
		return 0;
	if (store_work_begin(st, "budget", &nested, cause) != 0)
		return -1;
	if (store_run(st, schema_sql, "cannot create the budget tables", cause) != 0) {
		store_work_end(st, "budget", nested, 0, NULL, NULL);
		return -1;
	}
	if (store_work_end(st, "budget", nested, 1, "cannot create the budget tables", cause) != 0)
		return -1;	/* and rolled back */
	return 0;
}

/*
 * Inside the caller's unit of work: makes budget_imports and the column
 * budget_spend.import_id when missing, and gives rows that have none (a
 * cache from before them) one import per (file, time of import), with its
 * total summed saturating. 0, or -1 with *cause.
 */
static int
imports_init(struct store *st, char **cause)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s = NULL, *u = NULL;
	int has = 0, rc;

	if (store_run(st, imports_schema_sql, "cannot create the imports table", cause) != 0)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info('budget_spend') WHERE "
	    "name = 'import_id'", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	rc = sqlite3_step(s);
	has = rc == SQLITE_ROW;
	sqlite3_finalize(s);
	s = NULL;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		goto fail;
	if (has)
		return 0;
	if (store_run(st, "ALTER TABLE budget_spend ADD COLUMN import_id INTEGER;"
	    "CREATE INDEX IF NOT EXISTS budget_spend_import ON budget_spend(import_id);"
	    "INSERT INTO budget_imports (source, rows, total, imported_ms) "
	    " SELECT source, count(*), 0, imported_ms FROM budget_spend "
	    " GROUP BY source, imported_ms ORDER BY min(rowid);"
	    "UPDATE budget_spend SET import_id = (SELECT id FROM budget_imports i WHERE "
	    " i.source = budget_spend.source AND i.imported_ms = budget_spend.imported_ms);",
	    "cannot record the earlier imports", cause) != 0)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT import_id, amount FROM budget_spend ORDER BY "
	    "import_id", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "UPDATE budget_imports SET total = ?2 WHERE id = ?1", -1, &u,
	    NULL) != SQLITE_OK)
		goto fail;
	int64_t id = -1, total = 0;
	for (;;) {
		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			goto fail;
		int64_t next = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
		if (id >= 0 && next != id) {
			sqlite3_reset(u);
			sqlite3_bind_int64(u, 1, id);
			sqlite3_bind_int64(u, 2, total);
			if (sqlite3_step(u) != SQLITE_DONE)
				goto fail;
			total = 0;
		}
		if (rc == SQLITE_DONE)
			break;
		id = next;
		total = budget_add_sat(total, sqlite3_column_int64(s, 1));
	}
	sqlite3_finalize(s);
	sqlite3_finalize(u);
	return 0;
fail:
	*cause = store_errmsg(st, "cannot record the earlier imports");
	sqlite3_finalize(s);
	sqlite3_finalize(u);
	return -1;
}

/*
 * The ledger rows of the cache, taken without sign, added up (saturating:
 * a cache from before the rule may hold more). 0, or -1 with *cause.
 */
static int
spend_magnitude(struct store *st, int64_t *mag, char **cause)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*mag = 0;
	if (sqlite3_prepare_v2(store_db(st), "SELECT amount FROM budget_spend", -1, &s,
	    NULL) != SQLITE_OK) {
		*cause = store_errmsg(st, "cannot read the ledger");
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t a = sqlite3_column_int64(s, 0);
		*mag = budget_add_sat(*mag, a == INT64_MIN ? INT64_MAX : a < 0 ? -a : a);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = store_errmsg(st, "cannot read the ledger");
		return -1;
	}
	return 0;
}

/* Replaces the plan lines with p's; inside the caller's transaction. */
static int
put_plan_lines(struct store *st, const struct budget_plan *p, char **cause)
{
	sqlite3_stmt *s = NULL;

	if (store_run(st, "DELETE FROM budget_plan_lines", "cannot record the plan", cause) != 0)
		return -1;
	if (sqlite3_prepare_v2(store_db(st), "INSERT INTO budget_plan_lines (programme, item, "
	    "name, allocation) VALUES (?1, ?2, ?3, ?4)", -1, &s, NULL) != SQLITE_OK) {
		*cause = store_errmsg(st, "cannot record the plan");
		return -1;
	}
	for (size_t i = 0; i < p->nprogrammes; i++) {
		const struct budget_programme *pg = &p->programmes[i];
		for (size_t j = 0; j <= pg->nitems; j++) {
			sqlite3_reset(s);
			store_bind_text_or_null(s, 1, pg->id);
			store_bind_text_or_null(s, 2, j == 0 ? "" : pg->items[j - 1].id);
			store_bind_text_or_null(s, 3, j == 0 ? pg->name : pg->items[j - 1].name);
			sqlite3_bind_int64(s, 4, j == 0 ? pg->allocation :
			    pg->items[j - 1].allocation);
			if (sqlite3_step(s) != SQLITE_DONE) {
				*cause = store_errmsg(st, "cannot record the plan");
				sqlite3_finalize(s);
				return -1;
			}
		}
	}
	sqlite3_finalize(s);
	return 0;
}

/*
 * See budget.h: INSERT OR IGNORE on the UNIQUE key, all in one BEGIN
 * IMMEDIATE, under an import of budget_imports; each added row's amount
 * (without sign) goes onto the cache's with budget_add, and the row that
 * would pass BUDGET_MAX_AMOUNT fails the import. Any failure rolls
 * everything back and zeroes the counts. An import that adds no row leaves
 * no import behind.
 */
int
budget_store_import(struct store *st, const struct budget_plan *p, const struct ledger *l,
    const char *source, size_t *added, size_t *dup, char **cause)
{
	sqlite3_stmt *s = NULL;
	int64_t now = now_wall_ms(), mag, total = 0, import_id;
	char *src = sanitize_dup(source, strlen(source), 1024);
	int nested;

	*added = *dup = 0;
	if (budget_store_init(st, cause) != 0) {
		free(src);
		return -1;
	}
	if (store_work_begin(st, "budget", &nested, cause) != 0) {
		free(src);
		return -1;
	}
	if (imports_init(st, cause) != 0 || spend_magnitude(st, &mag, cause) != 0)
		goto fail;
	if (p != NULL && put_plan_lines(st, p, cause) != 0)
		goto fail;
	if (sqlite3_prepare_v2(store_db(st), "INSERT INTO budget_imports (source, rows, total, "
	    "imported_ms) VALUES (?1, 0, 0, ?2)", -1, &s, NULL) != SQLITE_OK) {
		*cause = store_errmsg(st, "cannot import the ledger");
		goto fail;
	}
	store_bind_text_or_null(s, 1, src);
	sqlite3_bind_int64(s, 2, now);
	if (sqlite3_step(s) != SQLITE_DONE) {
		*cause = store_errmsg(st, "cannot import the ledger");
		goto fail;
	}
	import_id = sqlite3_last_insert_rowid(store_db(st));
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(store_db(st), "INSERT OR IGNORE INTO budget_spend (key, day, "
	    "programme, item, amount, vendor, memo, source, line, imported_ms, import_id) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", -1, &s, NULL) != SQLITE_OK) {
		*cause = store_errmsg(st, "cannot import the ledger");
		goto fail;
	}
	for (size_t i = 0; i < l->nrows; i++) {
		const struct ledger_row *r = &l->rows[i];
		char *vendor = sanitize_dup(r->vendor, strlen(r->vendor), LEDGER_MAX_FIELD);
		char *memo = sanitize_dup(r->memo, strlen(r->memo), LEDGER_MAX_FIELD);
		sqlite3_reset(s);
		store_bind_text_or_null(s, 1, r->key);
		sqlite3_bind_int64(s, 2, r->day);
		store_bind_text_or_null(s, 3, r->programme);
		store_bind_text_or_null(s, 4, r->item);
		sqlite3_bind_int64(s, 5, r->amount);
		store_bind_text_or_null(s, 6, vendor);
		store_bind_text_or_null(s, 7, memo);
		store_bind_text_or_null(s, 8, src);
		sqlite3_bind_int(s, 9, r->line);
		sqlite3_bind_int64(s, 10, now);
		sqlite3_bind_int64(s, 11, import_id);
		int rc = sqlite3_step(s);
		free(vendor);
		free(memo);
		if (rc != SQLITE_DONE) {
			char *c = store_errmsg(st, "cannot import the ledger");
			*cause = xasprintf("%d: %s", r->line, c);
			free(c);
			goto fail;
		}
		if (sqlite3_changes(store_db(st)) == 0) {
			(*dup)++;
			continue;
		}
		(*added)++;
		/* ledger_parse bounds each amount by BUDGET_MAX_AMOUNT: no INT64_MIN here */
		if (budget_add(&mag, r->amount < 0 ? -r->amount : r->amount) != 0) {
			*cause = xasprintf("%d: with this row the ledger in the cache would add up "
			    "to more than %lld won (amounts taken without sign)", r->line,
			    (long long)BUDGET_MAX_AMOUNT);
			goto fail;
		}
		total += r->amount;	/* |total| <= mag <= BUDGET_MAX_AMOUNT */
	}
	sqlite3_finalize(s);
	s = NULL;
	/* the import's figures, or no import at all when it added nothing */
	if (sqlite3_prepare_v2(store_db(st), *added == 0 ?
	    "DELETE FROM budget_imports WHERE id = ?1" :
	    "UPDATE budget_imports SET rows = ?2, total = ?3 WHERE id = ?1", -1, &s,
	    NULL) != SQLITE_OK) {
		*cause = store_errmsg(st, "cannot import the ledger");
		goto fail;
	}
	sqlite3_bind_int64(s, 1, import_id);
	if (*added > 0) {
		sqlite3_bind_int64(s, 2, (int64_t)*added);
		sqlite3_bind_int64(s, 3, total);
	}
	if (sqlite3_step(s) != SQLITE_DONE) {
		*cause = store_errmsg(st, "cannot import the ledger");
		goto fail;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (store_work_end(st, "budget", nested, 1, "cannot commit the import", cause) != 0)
		goto fail;
	free(src);
	return 0;
fail:
	sqlite3_finalize(s);
	store_work_end(st, "budget", nested, 0, NULL, NULL);
	free(src);
	*added = *dup = 0;
	return -1;
}

/* See budget.h. */
int
budget_store_imports(struct store *st, struct budget_import **out, size_t *n, char **cause)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 0;
	int nested, rc;

	*out = NULL;
	*n = 0;
	if (budget_store_init(st, cause) != 0 || store_work_begin(st, "budget", &nested, cause) != 0)
		return -1;
	if (imports_init(st, cause) != 0)
		goto fail;
	if (sqlite3_prepare_v2(store_db(st), "SELECT id, source, rows, total, imported_ms FROM "
	    "budget_imports ORDER BY id", -1, &s, NULL) != SQLITE_OK) {
		*cause = store_errmsg(st, "cannot read the imports");
		goto fail;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		struct budget_import *im = &(*out)[(*n)++];
		im->id = sqlite3_column_int64(s, 0);
		im->source = store_column_dup(s, 1);
		im->rows = sqlite3_column_int64(s, 2);
		im->total = sqlite3_column_int64(s, 3);
		im->imported_ms = sqlite3_column_int64(s, 4);
	}
	if (rc != SQLITE_DONE) {
		*cause = store_errmsg(st, "cannot read the imports");
		goto fail;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (store_work_end(st, "budget", nested, 1, "cannot read the imports", cause) != 0)
		goto fail;
	return 0;
fail:
	sqlite3_finalize(s);
	store_work_end(st, "budget", nested, 0, NULL, NULL);
	budget_imports_free(*out, *n);
	*out = NULL;
	*n = 0;
	return -1;
}

void
budget_imports_free(struct budget_import *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].source);
	free(v);
}

/* See budget.h: both deletes in one unit of work. */
int
budget_store_undo(struct store *st, int64_t id, int64_t *rows, char **cause)
{
	sqlite3_stmt *s = NULL;
	int nested, found;

	*rows = 0;
	if (budget_store_init(st, cause) != 0 || store_work_begin(st, "budget", &nested, cause) != 0)
		return -1;
	if (imports_init(st, cause) != 0)
		goto fail;
	if (sqlite3_prepare_v2(store_db(st), "DELETE FROM budget_imports WHERE id = ?1", -1, &s,
	    NULL) != SQLITE_OK)
		goto fail_db;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail_db;
	found = sqlite3_changes(store_db(st)) > 0;
	sqlite3_finalize(s);
	s = NULL;
	if (!found) {
		*cause = xasprintf("no import %lld in the cache %s (see 'opsdeck budget imports')",
		    (long long)id, store_path(st));
		goto fail;
	}
	if (sqlite3_prepare_v2(store_db(st), "DELETE FROM budget_spend WHERE import_id = ?1",
	    -1, &s, NULL) != SQLITE_OK)
		goto fail_db;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail_db;
	*rows = sqlite3_changes(store_db(st));
	sqlite3_finalize(s);
	s = NULL;
	if (store_work_end(st, "budget", nested, 1, "cannot commit the undo", cause) != 0)
		goto fail;
	return 0;
fail_db:
	*cause = store_errmsg(st, "cannot undo the import");
fail:
	sqlite3_finalize(s);
	store_work_end(st, "budget", nested, 0, NULL, NULL);
	*rows = 0;
	return -1;
}

