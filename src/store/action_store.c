/*
 * action_store.c: the operator's actions in the cache (action.h), tables
 * `actions` and `action_hosts` of schema version 4 (store.c). Every value
 * is bound; text is sanitised and cut to its field before it is bound.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/action.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/util.h"
#include "store_int.h"

/* Binds s sanitised (remote text may be in a result) at col. */
static void
bind_clean(sqlite3_stmt *s, int col, const char *v, size_t max)
{
	char *c = sanitize_dup(v, strlen(v), max);
	store_bind_text(s, col, c);
	free(c);
}

/* See action.h. */
int
action_store_put(struct store *st, const struct action_record *r, char **cause)
{
	sqlite3_stmt *s = NULL;
	char user[ACTION_USER_MAX];
	int nested, ok;

	if (r->nhosts > ACTION_HOSTS_MAX) {
		*cause = xasprintf("an action names %zu hosts, at most %d", r->nhosts,
		    ACTION_HOSTS_MAX);
		return -1;
	}
	if (r->user[0] != '\0')
		od_strlcpy(user, r->user, sizeof user);
	else
		store_user_name(user, sizeof user);
	if (store_work_begin(st, NULL, &nested, cause) != 0)
		return -1;
	ok = store_prepare(st, "INSERT OR REPLACE INTO actions(id, ts_ms, end_ms, user, kind,"
	    " what, via) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &s, cause) == 0;
	if (ok) {
		sqlite3_bind_int64(s, 1, r->id);
		sqlite3_bind_int64(s, 2, r->ts_ms);
		sqlite3_bind_int64(s, 3, r->end_ms);
		bind_clean(s, 4, user, ACTION_USER_MAX - 1);
		store_bind_text(s, 5, action_kind_name(r->kind));
		bind_clean(s, 6, r->what, ACTION_WHAT_MAX - 1);
		bind_clean(s, 7, r->via, HOSTNAME_MAX);
		ok = store_step_done(st, s, "recording an action", cause) == 0;
		sqlite3_finalize(s);
		s = NULL;
	}
	if (ok)
		ok = store_prepare(st, "INSERT OR REPLACE INTO action_hosts(action_id, host,"
		    " status, result) VALUES (?1, ?2, ?3, ?4)", &s, cause) == 0;
	for (size_t i = 0; ok && i < r->nhosts; i++) {
		const struct action_host *h = &r->hosts[i];
		sqlite3_bind_int64(s, 1, r->id);
		bind_clean(s, 2, h->host, HOSTNAME_MAX);
		if (h->status >= 0)
			sqlite3_bind_int(s, 3, h->status);
		else
			sqlite3_bind_null(s, 3);
		bind_clean(s, 4, h->result, ACTION_RESULT_MAX - 1);
		ok = store_step_done(st, s, "recording an action's host", cause) == 0;
	}
	if (s != NULL)
		sqlite3_finalize(s);
	return store_work_end(st, NULL, nested, ok, "commit", cause);
}

/* See action.h. */
int
action_store_recent(struct store *st, const char *host, size_t max,
    struct action_record **out, size_t *n, char **cause)
{
	sqlite3_stmt *s;
	struct action_record *v = NULL;
	size_t k = 0;

	*out = NULL;
	*n = 0;
	int has = store_has_table(st, "action_hosts");
	if (has <= 0) {
		if (has < 0)
			*cause = store_errmsg(st, "cannot read the schema");
		return has < 0 ? -1 : 0;
	}
	if (store_prepare(st, "SELECT a.id, a.ts_ms, a.end_ms, a.user, a.kind, a.what, a.via,"
	    " h.status, h.result FROM action_hosts h JOIN actions a ON a.id = h.action_id"
	    " WHERE h.host = ?1 ORDER BY a.ts_ms DESC, a.id DESC LIMIT ?2", &s, cause) != 0)
		return -1;
	store_bind_text(s, 1, host);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)max);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && k < max) {
		if (v == NULL)
			v = xcalloc(max, sizeof *v);
		struct action_record *r = &v[k++];
		r->id = sqlite3_column_int64(s, 0);
		r->ts_ms = sqlite3_column_int64(s, 1);
		r->end_ms = sqlite3_column_int64(s, 2);
		store_column_field(s, 3, r->user, sizeof r->user);
		int kind = action_kind_parse(store_column_text(s, 4));
		r->kind = kind >= 0 ? kind : ACTION_RUN;
		store_column_field(s, 5, r->what, sizeof r->what);
		store_column_field(s, 6, r->via, sizeof r->via);
		r->hosts = xcalloc(1, sizeof *r->hosts);
		r->nhosts = 1;
		od_strlcpy(r->hosts[0].host, host, sizeof r->hosts[0].host);
		r->hosts[0].status = sqlite3_column_type(s, 7) == SQLITE_NULL ? -1 :
		    sqlite3_column_int(s, 7);
		store_column_field(s, 8, r->hosts[0].result, sizeof r->hosts[0].result);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		*cause = store_errmsg(st, "reading actions");
		sqlite3_finalize(s);
		action_records_free(v, k);
		return -1;
	}
	sqlite3_finalize(s);
	*out = v;
	*n = k;
	return 0;
}
