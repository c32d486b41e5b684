/*
 * budget_facts.c: the reads of the budget's tables (budget.h): the facts a
 * report is computed from (spending, use, running allocations, idle GPUs)
 * and the ledger lines behind a programme or item. A cache without the
 * tables reads as empty.
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

static const char *
keep(struct budget_facts *f, const unsigned char *s, size_t *cap)
{
	if (f->nstrings == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		f->strings = xreallocarray(f->strings, *cap, sizeof *f->strings);
	}
	f->strings[f->nstrings] = xstrdup(s != NULL ? (const char *)s : "");
	return f->strings[f->nstrings++];
}

void
budget_facts_free(struct budget_facts *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->nstrings; i++)
		free(f->strings[i]);
	free(f->strings);
	free(f->spend);
	free(f->use);
	free(f->alloc);
	memset(f, 0, sizeof *f);
}

/*
 * Adds the idle GPUs recorded within BUDGET_IDLE_MAX_AGE_MS to f->alloc (an
 * account with no running job left in budget_jobs gets a row of its own).
 * A cache without the table has none. 0, or -1 (the caller names the cause).
 */
static int
facts_idle(struct store *st, struct budget_facts *f, size_t *scap, size_t *cap)
{
	sqlite3_stmt *s;
	int rc, has = store_has_table(st, "budget_idle");

	if (has != 1)
		return has;	/* 0: none; -1: the schema cannot be read */
	if (sqlite3_prepare_v2(store_db(st), "SELECT account, gpus_idle FROM budget_idle "
	    "WHERE at_ms >= ?1 AND gpus_idle > 0", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, now_wall_ms() - BUDGET_IDLE_MAX_AGE_MS);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *acct = (const char *)sqlite3_column_text(s, 0);
		struct budget_alloc *a = NULL;
		for (size_t i = 0; acct != NULL && i < f->nalloc; i++)
			if (strcmp(f->alloc[i].account, acct) == 0)
				a = &f->alloc[i];
		if (a == NULL) {
			if (f->nalloc >= *cap) {
				*cap = *cap ? *cap * 2 : 32;
				f->alloc = xreallocarray(f->alloc, *cap, sizeof *f->alloc);
			}
			a = &f->alloc[f->nalloc++];
			memset(a, 0, sizeof *a);
			a->account = keep(f, sqlite3_column_text(s, 0), scap);
		}
		a->gpus_idle = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * See budget.h: spending summed per (programme, item, day), use per
 * (account, day). The strings are owned by f.
 */
int
budget_store_facts(struct store *st, struct budget_facts *f, char **cause)
{
	sqlite3_stmt *s = NULL;
	size_t scap = 0, cap = 0;
	int has, rc;

	memset(f, 0, sizeof *f);
	if (store_has_tables(st, budget_tables, &has, cause) != 0)
		return -1;
	if (!has)
		return 0;
	/*
	 * Summed here, saturating, rather than by SQLite's sum(), which fails
	 * the whole query with "integer overflow" on a cache filled before
	 * imports were checked.
	 */
	if (sqlite3_prepare_v2(store_db(st), "SELECT programme, item, day, amount FROM "
	    "budget_spend ORDER BY programme, item, day", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *pg = (const char *)sqlite3_column_text(s, 0);
		const char *it = (const char *)sqlite3_column_text(s, 1);
		int32_t day = sqlite3_column_int(s, 2);
		int64_t amount = sqlite3_column_int64(s, 3);
		struct budget_spend *sp = f->nspend > 0 ? &f->spend[f->nspend - 1] : NULL;
		if (sp != NULL && sp->day == day && strcmp(sp->programme, pg ? pg : "") == 0 &&
		    strcmp(sp->item, it ? it : "") == 0) {
			sp->amount = budget_add_sat(sp->amount, amount);
			continue;
		}
		if (f->nspend == cap) {
			cap = cap ? cap * 2 : 256;
			f->spend = xreallocarray(f->spend, cap, sizeof *f->spend);
		}
		sp = &f->spend[f->nspend++];
		sp->programme = keep(f, (const unsigned char *)pg, &scap);
		sp->item = keep(f, (const unsigned char *)it, &scap);
		sp->day = day;
		sp->amount = amount;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(s);
	cap = 0;
	if (sqlite3_prepare_v2(store_db(st), "SELECT account, day, gpu_hours, node_hours FROM "
	    "budget_use", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (f->nuse == cap) {
			cap = cap ? cap * 2 : 256;
			f->use = xreallocarray(f->use, cap, sizeof *f->use);
		}
		struct budget_use *u = &f->use[f->nuse++];
		u->account = keep(f, sqlite3_column_text(s, 0), &scap);
		u->day = sqlite3_column_int(s, 1);
		u->gpu_hours = sqlite3_column_double(s, 2);
		u->node_hours = sqlite3_column_double(s, 3);
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(s);
	cap = 0;
	if (sqlite3_prepare_v2(store_db(st), "SELECT account, sum(gpus), sum(nodes), count(*) "
	    "FROM budget_jobs WHERE state = 'RUNNING' AND last_day = (SELECT max(last_day) "
	    "FROM budget_jobs) GROUP BY account", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (f->nalloc == cap) {
			cap = cap ? cap * 2 : 32;
			f->alloc = xreallocarray(f->alloc, cap, sizeof *f->alloc);
		}
		struct budget_alloc *a = &f->alloc[f->nalloc++];
		a->account = keep(f, sqlite3_column_text(s, 0), &scap);
		a->gpus = sqlite3_column_int64(s, 1);
		a->nodes = sqlite3_column_int64(s, 2);
		a->jobs = (size_t)sqlite3_column_int64(s, 3);
		a->gpus_idle = 0;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(s);
	s = NULL;
	if (facts_idle(st, f, &scap, &cap) != 0)
		goto fail;
	return 0;
fail:
	*cause = store_errmsg(st, "cannot read the budget tables");
	sqlite3_finalize(s);
	budget_facts_free(f);
	return -1;
}

void
budget_ledger_lines_free(struct budget_ledger_line *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].programme);
		free(v[i].item);
		free(v[i].vendor);
		free(v[i].memo);
		free(v[i].source);
	}
	free(v);
}

/*
 * See budget.h. Every value is bound; item NULL matches every item.
 */
int
budget_store_ledger_lines(struct store *st, const char *programme, const char *item,
    int32_t as_of, size_t limit, struct budget_ledger_line **out, size_t *n, char **cause)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 0;
	int has, rc;

	*out = NULL;
	*n = 0;
	if (store_has_tables(st, budget_tables, &has, cause) != 0)
		return -1;
	if (!has)
		return 0;
	if (sqlite3_prepare_v2(store_db(st), "SELECT day, programme, item, amount, vendor, memo, "
	    "source, line FROM budget_spend WHERE programme = ?1 AND (?2 IS NULL OR item = ?2) "
	    "AND day <= ?3 ORDER BY day DESC, rowid DESC LIMIT ?4", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	store_bind_text_or_null(s, 1, programme);
	if (item != NULL)
		store_bind_text_or_null(s, 2, item);
	else
		sqlite3_bind_null(s, 2);
	sqlite3_bind_int(s, 3, as_of);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)OD_MIN(limit, (size_t)INT64_MAX));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		struct budget_ledger_line *l = &(*out)[(*n)++];
		l->day = sqlite3_column_int(s, 0);
		l->programme = store_column_dup(s, 1);
		l->item = store_column_dup(s, 2);
		l->amount = sqlite3_column_int64(s, 3);
		l->vendor = store_column_dup(s, 4);
		l->memo = store_column_dup(s, 5);
		l->source = store_column_dup(s, 6);
		l->line = sqlite3_column_int(s, 7);
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(s);
	return 0;
fail:
	*cause = store_errmsg(st, "cannot read the ledger");
	sqlite3_finalize(s);
	budget_ledger_lines_free(*out, *n);
	*out = NULL;
	*n = 0;
	return -1;
}
