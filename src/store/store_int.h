/*
 * store_int.h: what the store_*.c files share and nothing else sees:
 * struct store itself, its small hash maps, and SQL helpers.
 *
 * Files: store.c (open, lock, schema, migrations, corrupt-file recovery),
 * store_write.c (put_status, transactions, the pending queue),
 * store_read.c (get_hosts, history), store_maintain.c (rollups, retention,
 * WAL checkpoints).
 */
#ifndef OPSDECK_STORE_INT_H
#define OPSDECK_STORE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "opsdeck/store.h"

/*
 * A string-keyed open-addressing hash map to three int64 values and an
 * optional bitset (the host cache keeps the ids of the metrics it has seen).
 */
struct smap_ent {
	char		*key;		/* owned, NULL: empty slot */
	int64_t		 v[3];
	uint64_t	*bits;		/* owned, may be NULL */
	size_t		 nwords;
};

struct smap {
	struct smap_ent	*e;
	size_t		 cap, n;	/* cap is 0 or a power of two */
};

void		 smap_clear(struct smap *m);
/* The entry for key, or NULL. Valid until the next smap_put or smap_clear. */
struct smap_ent	*smap_get(const struct smap *m, const char *key);
/* The entry for key, created with zero values if absent. Same validity. */
struct smap_ent	*smap_put(struct smap *m, const char *key);
/* Bit i of an entry's bitset. */
int		 smap_bit(const struct smap_ent *e, int64_t i);
void		 smap_set_bit(struct smap_ent *e, int64_t i);

/* The prepared statements kept for the life of a store. */
enum store_stmt {
	SQ_HOST_FIND,
	SQ_HOST_INSERT,
	SQ_HOST_UPDATE,
	SQ_TRANSITION_INSERT,
	SQ_GPU_DELETE,
	SQ_GPU_INSERT,
	SQ_SENSOR_DELETE,
	SQ_SENSOR_INSERT,
	SQ_METRIC_FIND,
	SQ_METRIC_INSERT,
	SQ_SERIES_INSERT,
	SQ_SAMPLE_INSERT,
	SQ_SAMPLE_INSERT4,	/* 4 rows per statement, SQL built by store_write.c */
	SQ_SAMPLE_INSERT16,	/* 16 rows */
	SQ_COUNT
};

struct store {
	sqlite3		*db;
	char		*path;
	int		 flags;		/* STORE_READONLY, STORE_WRITER */
	int		 lock_fd;	/* PATH.lock when STORE_WRITER, else -1 */
	char		*warning;	/* what happened at open, NULL: nothing */
	sqlite3_stmt	*stmt[SQ_COUNT];

	/* Caches of ids; cleared on rollback since the rows may be gone. */
	struct smap	 hosts;		/* name -> id, state, sample_ms; bits: series */
	struct smap	 metrics;	/* name -> id */

	/* Transaction state for the current tick. */
	int		 in_tx;
	int		 tx_dead;	/* a write failed: the tick goes on in memory */
	int		 failed;	/* the last tick did not reach the disk */
	char		*fail_msg;	/* why, for store_commit */

	/*
	 * Statuses not yet durable: every status put since the last successful
	 * commit, latest per host. Written again at the next store_begin after
	 * a failure; capped at STORE_PENDING_MAX hosts.
	 */
	struct host_status *pending;
	size_t		 npending, pending_cap;
	struct smap	 pending_idx;	/* name -> index in pending */
	uint64_t	 pending_dropped;
	size_t		 pending_max;	/* 0: STORE_PENDING_MAX */

	/* store_maintain's position in the series table. */
	int64_t		 maint_cursor;
	int		 maint_pass_work;	/* series that had work in the current pass */
	int64_t		 maint_rest_until;	/* idle: nothing to do before this time */
};

/* Prepares (once) and returns statement `which`; fatal on a bad SQL text. */
sqlite3_stmt *store_stmt(struct store *st, enum store_stmt which);

/* "cache PATH: what: SQLite's reason" as a malloc'd cause. */
char *store_errmsg(struct store *st, const char *what);

/* 1 when rc means the disk refused a write (full, I/O error, quota, ...). */
int store_rc_is_disk(int rc);

/* Binds a double, or NULL when it is NaN. */
int store_bind_real(sqlite3_stmt *s, int col, double v);
/* Reads a double column; NULL reads as NaN. */
double store_column_real(sqlite3_stmt *s, int col);
/* Binds at most max bytes of a fixed-size field (it may lack a NUL). */
int store_bind_field(sqlite3_stmt *s, int col, const char *field, size_t max);
/* Copies a text column into a fixed-size field, always NUL-terminated. */
void store_column_field(sqlite3_stmt *s, int col, char *field, size_t size);

/* Runs one statement without results; 0 or an SQLite rc. */
int store_exec(struct store *st, const char *sql);

/* Deep copy of a host_status into dst, reusing dst's arrays. */
void store_status_assign(struct host_status *dst, const struct host_status *src);
/* Frees the arrays of one status. */
void store_status_release(struct host_status *h);

/* Pending queue (store_write.c). */
void store_pending_free(struct store *st);
/* The statuses not yet on disk after a failure; caller frees the array only. */
size_t store_pending_dirty(const struct store *st, const struct host_status ***out);

#endif
