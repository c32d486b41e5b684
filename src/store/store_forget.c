/*
 * store_forget.c: `opsdeck forget` (store.h): hosts out of the cache, with
 * everything kept under their name: status, GPUs, sensors, transitions,
 * samples at every resolution, alerts, a controller's devices and a
 * scheduler's budget note. One unit of work (store_work_begin), so it waits
 * for another writer as long as the cache's busy timeout and then fails
 * whole.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "opsdeck/config.h"
#include "opsdeck/store.h"
#include "opsdeck/util.h"
#include "store_int.h"

/* Rows keyed by the hosts table's id. */
static const char *const by_id[] = {
	"DELETE FROM host_live WHERE host_id = ?1",
	"DELETE FROM host_transitions WHERE host_id = ?1",
	"DELETE FROM series WHERE host_id = ?1",
	"DELETE FROM chunks WHERE host_id = ?1",
	"DELETE FROM samples_1h WHERE host_id = ?1",
	"DELETE FROM hosts WHERE id = ?1",
};

/* Tables of the features keyed by the host's name: table, column. */
static const struct {
	const char	*table, *column;
} by_name[] = {
	{ "alert_log", "host" },
	{ "tb_controllers", "controller" },
	{ "tb_devices", "controller" },
	{ "tb_transitions", "controller" },
	{ "tb_metric_samples", "controller" },
	{ "tb_acks", "controller" },
	{ "budget_notes", "host" },
};

/* Adds name to *v (n of them) unless it is there. */
static void
name_add(char ***v, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], name) == 0)
			return;
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = xstrdup(name);
}

/*
 * The names under which the cache keeps anything that cfg does not know
 * (config_knows_host) into *v. SQLite rc.
 */
static int
missing_names(struct store *st, const struct config *cfg, char ***v, size_t *n)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(store_db(st), "SELECT name, grp FROM hosts", -1, &s, NULL);

	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		const char *grp = (const char *)sqlite3_column_text(s, 1);
		if (name != NULL && !config_knows_host(cfg, name, grp != NULL ? grp : ""))
			name_add(v, n, name);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_OK)
		return rc;
	for (size_t t = 0; t < OD_ARRAY_LEN(by_name); t++) {
		if (store_has_table(st, by_name[t].table) != 1)
			continue;
		char *sql = xasprintf("SELECT DISTINCT %s FROM %s", by_name[t].column,
		    by_name[t].table);
		rc = sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL);
		free(sql);
		while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(s, 0);
			/* an alert's group is not kept: known by name alone */
			if (name != NULL && !config_knows_host(cfg, name, ""))
				name_add(v, n, name);
			rc = SQLITE_OK;
		}
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE && rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

/* Deletes everything kept under name; *found when there was something. SQLite rc. */
static int
forget_one(struct store *st, const char *name, int *found)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	int64_t id = -1;
	int rc = sqlite3_prepare_v2(db, "SELECT id FROM hosts WHERE name = ?1", -1, &s, NULL);

	*found = 0;
	if (rc == SQLITE_OK) {
		store_bind_text_or_null(s, 1, name);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			id = sqlite3_column_int64(s, 0);
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
		sqlite3_finalize(s);
	}
	for (size_t d = 0; d < OD_ARRAY_LEN(by_id) && rc == SQLITE_OK && id >= 0; d++) {
		rc = sqlite3_prepare_v2(db, by_id[d], -1, &s, NULL);
		if (rc != SQLITE_OK)
			break;
		sqlite3_bind_int64(s, 1, id);
		rc = store_step_rc(s);
		sqlite3_finalize(s);
		*found = 1;
	}
	for (size_t t = 0; t < OD_ARRAY_LEN(by_name) && rc == SQLITE_OK; t++) {
		if (store_has_table(st, by_name[t].table) != 1)
			continue;
		char *sql = xasprintf("DELETE FROM %s WHERE %s = ?1", by_name[t].table,
		    by_name[t].column);
		rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
		free(sql);
		if (rc != SQLITE_OK)
			break;
		store_bind_text_or_null(s, 1, name);
		rc = store_step_rc(s);
		sqlite3_finalize(s);
		if (sqlite3_changes(db) > 0)
			*found = 1;
	}
	return rc;
}

/* See store.h. */
int
store_forget(struct store *st, const struct config *missing_of, const char *const *names,
    size_t n, char ***gone, size_t *ngone, char **cause)
{
	char **want = NULL;
	size_t nwant = 0;
	int nested, rc;

	*gone = NULL;
	*ngone = 0;
	if (store_work_begin(st, "forget", &nested, cause) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		name_add(&want, &nwant, names[i]);
	rc = missing_of != NULL ? missing_names(st, missing_of, &want, &nwant) : SQLITE_OK;
	for (size_t i = 0; i < nwant && rc == SQLITE_OK; i++) {
		int found;
		rc = forget_one(st, want[i], &found);
		if (rc == SQLITE_OK && found)
			name_add(gone, ngone, want[i]);
	}
	for (size_t i = 0; i < nwant; i++)
		free(want[i]);
	free(want);
	if (rc != SQLITE_OK) {
		*cause = store_errmsg(st, "cannot forget hosts");
		store_work_end(st, "forget", nested, 0, NULL, NULL);
		store_forget_free(*gone, *ngone);
		*gone = NULL;
		*ngone = 0;
		return -1;
	}
	if (store_work_end(st, "forget", nested, 1, "cannot forget hosts", cause) != 0) {
		store_forget_free(*gone, *ngone);
		*gone = NULL;
		*ngone = 0;
		return -1;
	}
	return 0;
}

void
store_forget_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
