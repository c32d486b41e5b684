/*
 * store_chunk.c: the rows of the `chunks` table (store_int.h): each host's
 * open raw chunk, written at every tick; finished chunks; reading the
 * samples of a time range back; and the schema step that turns a version 1
 * cache's `samples` and `samples_1m` rows into chunks in place. Uses only
 * store_sql.c and chunk.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/chunk.h"
#include "opsdeck/store.h"
#include "opsdeck/util.h"
#include "store_int.h"

#define HOUR	3600000LL

/* See store_int.h. */
struct open_chunk *
store_open_chunk(struct store *st, int64_t host_id)
{
	if (host_id <= 0 || host_id > INT32_MAX)
		fatal("store: host id %lld out of range", (long long)host_id);
	if ((size_t)host_id >= st->nopen) {
		size_t n = st->nopen ? st->nopen : 64;
		while (n <= (size_t)host_id)
			n *= 2;
		st->open = xreallocarray(st->open, n, sizeof *st->open);
		memset(st->open + st->nopen, 0, (n - st->nopen) * sizeof *st->open);
		st->nopen = n;
	}
	return &st->open[host_id];
}

void
store_open_chunks_clear(struct store *st)
{
	for (size_t i = 0; i < st->nopen; i++) {
		chunk_enc_free(st->open[i].enc);
		free(st->open[i].rows);
	}
	free(st->open);
	st->open = NULL;
	st->nopen = 0;
}

/*
 * Whether oc's chunk takes no further point: another tick like the last
 * would outgrow STORE_CHUNK_BYTES, or it is full of points or time.
 */
static int
chunk_full(const struct open_chunk *oc, int64_t ts)
{
	return oc->len + oc->growth > STORE_CHUNK_BYTES ||
	    chunk_enc_points(oc->enc) >= STORE_CHUNK_POINTS ||
	    ts - chunk_enc_first(oc->enc) > STORE_CHUNK_SPAN;
}

/* See store_int.h. */
int
store_chunk_point(struct store *st, struct open_chunk *oc, int64_t ts)
{
	(void)st;
	if (oc->enc != NULL && chunk_enc_points(oc->enc) > 0 &&
	    (ts <= chunk_enc_last(oc->enc) || chunk_full(oc, ts))) {
		chunk_enc_free(oc->enc);
		oc->enc = NULL;
	}
	if (oc->enc == NULL) {
		oc->enc = chunk_enc_new(CHUNK_RAW);
		oc->rowid = 0;
		oc->len = oc->growth = 0;
	}
	return chunk_enc_point(oc->enc, ts) == 0 ? SQLITE_OK : SQLITE_MISUSE;
}

static int
insert(struct store *st, int64_t host_id, enum store_level level, struct chunk_enc *enc,
    const unsigned char *data, size_t len)
{
	sqlite3_stmt *s = store_stmt(st, SQ_CHUNK_INSERT);
	sqlite3_bind_int64(s, 1, host_id);
	sqlite3_bind_int(s, 2, (int)level);
	sqlite3_bind_int64(s, 3, chunk_enc_first(enc));
	sqlite3_bind_int64(s, 4, chunk_enc_last(enc));
	sqlite3_bind_int64(s, 5, (int64_t)chunk_enc_points(enc));
	sqlite3_bind_blob(s, 6, data, (int)len, SQLITE_STATIC);
	int rc = store_step_rc(s);
	sqlite3_clear_bindings(s);
	return rc;
}

/* See store_int.h. */
int
store_chunk_save(struct store *st, int64_t host_id, struct open_chunk *oc)
{
	size_t len;
	const unsigned char *data = chunk_enc_data(oc->enc, &len);
	int rc;

	oc->growth = len > oc->len ? len - oc->len : 0;
	oc->len = len;
	if (oc->rowid != 0) {
		sqlite3_stmt *s = store_stmt(st, SQ_CHUNK_UPDATE);
		sqlite3_bind_int64(s, 1, oc->rowid);
		sqlite3_bind_int64(s, 2, chunk_enc_last(oc->enc));
		sqlite3_bind_int64(s, 3, (int64_t)chunk_enc_points(oc->enc));
		sqlite3_bind_blob(s, 4, data, (int)len, SQLITE_STATIC);
		rc = store_step_rc(s);
		sqlite3_clear_bindings(s);
		if (rc != SQLITE_OK || sqlite3_changes(st->db) == 1) {
			chunk_enc_release(oc->enc);
			return rc;
		}
		/* Pruned under us (a host silent past the raw window): a new row. */
	}
	rc = insert(st, host_id, STORE_LEVEL_RAW, oc->enc, data, len);
	if (rc == SQLITE_OK)
		oc->rowid = sqlite3_last_insert_rowid(st->db);
	chunk_enc_release(oc->enc);
	return rc;
}

/* See store_int.h. */
int
store_chunk_insert(struct store *st, int64_t host_id, enum store_level level,
    struct chunk_enc *enc)
{
	size_t len;

	if (chunk_enc_points(enc) == 0)
		return SQLITE_OK;
	const unsigned char *data = chunk_enc_data(enc, &len);
	return insert(st, host_id, level, enc, data, len);
}

/* See store_int.h. */
int
store_chunks_read(struct store *st, int64_t host_id, enum store_level level, int64_t metric,
    int64_t lo, int64_t hi, struct chunk_sample **out, size_t *n)
{
	int64_t span = level == STORE_LEVEL_RAW ? STORE_CHUNK_SPAN : STORE_ROLLUP_SPAN;
	int64_t from = lo < INT64_MIN + span ? INT64_MIN : lo - span;
	struct chunk_sample *v = NULL;
	size_t nv = 0, cap = 0;
	sqlite3_stmt *s;

	*out = NULL;
	*n = 0;
	if (lo >= hi)
		return SQLITE_OK;
	/* Chunks start at most `span` before their last point: a bounded seek. */
	int rc = sqlite3_prepare_v2(st->db, "SELECT data FROM chunks WHERE host_id = ?1"
	    " AND level = ?2 AND t0 >= ?3 AND t0 < ?4 AND t1 >= ?5 ORDER BY t0", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(s, 1, host_id);
	sqlite3_bind_int(s, 2, (int)level);
	sqlite3_bind_int64(s, 3, from);
	sqlite3_bind_int64(s, 4, hi);
	sqlite3_bind_int64(s, 5, lo);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct chunk_sample *p;
		size_t np;
		const void *data = sqlite3_column_blob(s, 0);
		size_t len = (size_t)sqlite3_column_bytes(s, 0);
		if (data == NULL || chunk_decode(data, len, metric, NULL, &p, &np) != 0)
			continue;	/* a damaged chunk costs only itself */
		for (size_t i = 0; i < np; i++) {
			if (p[i].ts < lo || p[i].ts >= hi)
				continue;
			if (nv == cap) {
				cap = cap ? cap * 2 : 256;
				v = xreallocarray(v, cap, sizeof *v);
			}
			v[nv++] = p[i];
		}
		free(p);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return rc;
	}
	*out = v;
	*n = nv;
	return SQLITE_OK;
}

/* ---- schema step 2 ------------------------------------------------------- */

/*
 * The version 1 raw rows (keyed host, ts, metric) into raw chunks, host by
 * host, closing chunks as the writer does.
 */
static int
migrate_raw(struct store *st)
{
	sqlite3_stmt *s;
	struct open_chunk oc;
	int64_t host = 0, ts = INT64_MIN;
	int rc = sqlite3_prepare_v2(st->db, "SELECT host_id, ts, metric_id, value FROM samples"
	    " ORDER BY host_id, ts, metric_id", -1, &s, NULL);

	memset(&oc, 0, sizeof oc);

	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t h = sqlite3_column_int64(s, 0), t = sqlite3_column_int64(s, 1);
		if (h != host || t != ts) {
			if (oc.enc != NULL) {
				/* Sizes as the writer sees them, a tick at a time. */
				size_t len;
				chunk_enc_data(oc.enc, &len);
				oc.growth = len > oc.len ? len - oc.len : 0;
				oc.len = len;
				if (h != host || chunk_full(&oc, t)) {
					rc = store_chunk_save(st, host, &oc);
					if (rc != SQLITE_OK)
						break;
					chunk_enc_free(oc.enc);
					oc.enc = NULL;
				}
			}
			if (oc.enc == NULL) {
				oc.enc = chunk_enc_new(CHUNK_RAW);
				oc.rowid = 0;
				oc.len = oc.growth = 0;
			}
			if (chunk_enc_point(oc.enc, t) != 0) {
				rc = SQLITE_CORRUPT;
				break;
			}
			host = h;
			ts = t;
		}
		chunk_enc_value(oc.enc, sqlite3_column_int64(s, 2), sqlite3_column_double(s, 3));
		rc = SQLITE_OK;
	}
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(s);
	if (rc == SQLITE_OK && oc.enc != NULL)
		rc = store_chunk_save(st, host, &oc);
	chunk_enc_free(oc.enc);
	return rc;
}

/* The version 1 minute rows into one rollup chunk per host and hour. */
static int
migrate_minutes(struct store *st)
{
	sqlite3_stmt *s;
	struct chunk_enc *enc = NULL;
	int64_t host = 0, hour = INT64_MIN, ts = INT64_MIN;
	int rc = sqlite3_prepare_v2(st->db, "SELECT host_id, ts, metric_id, min, avg, max, n"
	    " FROM samples_1m ORDER BY host_id, ts, metric_id", -1, &s, NULL);

	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t h = sqlite3_column_int64(s, 0), t = sqlite3_column_int64(s, 1);
		int64_t hr = t >= 0 ? t / HOUR * HOUR : -((-t + HOUR - 1) / HOUR) * HOUR;
		if (enc != NULL && (h != host || hr != hour)) {
			if ((rc = store_chunk_insert(st, host, STORE_LEVEL_MINUTE, enc)) !=
			    SQLITE_OK)
				break;
			chunk_enc_free(enc);
			enc = NULL;
		}
		if (enc == NULL)
			enc = chunk_enc_new(CHUNK_ROLLUP);
		if (h != host || t != ts) {
			if (chunk_enc_point(enc, t) != 0) {
				rc = SQLITE_CORRUPT;
				break;
			}
		}
		host = h;
		hour = hr;
		ts = t;
		chunk_enc_rollup(enc, sqlite3_column_int64(s, 2), sqlite3_column_double(s, 3),
		    sqlite3_column_double(s, 4), sqlite3_column_double(s, 5),
		    sqlite3_column_int64(s, 6));
		rc = SQLITE_OK;
	}
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(s);
	if (rc == SQLITE_OK && enc != NULL)
		rc = store_chunk_insert(st, host, STORE_LEVEL_MINUTE, enc);
	chunk_enc_free(enc);
	return rc;
}

/*
 * See store_int.h. Runs inside store_migrate's transaction after the step's
 * SQL created `chunks`; the watermarks keep their meaning, so nothing else
 * changes. The freed pages are reused by later chunks.
 */
int
store_migrate_chunks(struct store *st)
{
	int rc = migrate_raw(st);
	if (rc == SQLITE_OK)
		rc = migrate_minutes(st);
	if (rc == SQLITE_OK)
		rc = store_exec(st, "DROP TABLE samples");
	if (rc == SQLITE_OK)
		rc = store_exec(st, "DROP TABLE samples_1m");
	return rc;
}
