/*
 * store_int.h: what the files of src/store/ share and nothing else sees:
 * struct store itself, its small hash maps, and the one set of SQL helpers
 * (store_sql.c) every store file uses, the core's and those of the modules
 * with tables of their own (devices, alerts, budget). Outside src/store/
 * nothing includes <sqlite3.h>: the rest of the tree reads and writes the
 * cache through store.h and the modules' store functions.
 *
 * Files: store.c (open, lock, schema, migrations, corrupt-file recovery),
 * store_write.c (put_status, transactions, the pending queue),
 * store_read.c (get_hosts, history), store_maintain.c (rollups, retention,
 * WAL checkpoints), store_sql.c (the helpers below), store_vfs.c (the
 * writer's VFS: WAL writes gathered), devices_*.c,
 * alert_store.c, budget_*.c (the modules' tables).
 */
#ifndef OPSDECK_STORE_INT_H
#define OPSDECK_STORE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "opsdeck/chunk.h"
#include "opsdeck/store.h"

/*
 * Samples live in chunks (chunk.h), rows of the table `chunks`: level 0 the
 * raw samples of one host, level 1 its 1-minute rollups, one chunk per
 * host and hour. The writer keeps each host's open raw chunk in memory and
 * rewrites its row at every tick (so a kill -9 loses at most that tick); a
 * raw chunk closes before it outgrows a page (STORE_CHUNK_BYTES, so that it
 * stays on the table's own page), at STORE_CHUNK_POINTS points or when it
 * spans STORE_CHUNK_SPAN.
 */
#define STORE_CHUNK_BYTES	3800
#define STORE_CHUNK_POINTS	4096
#define STORE_CHUNK_SPAN	(15 * 60000LL)	/* a raw chunk's first to last point */
#define STORE_ROLLUP_SPAN	3600000LL	/* a 1-minute chunk's: one hour */

/*
 * The writer's VFS (store_vfs.c): the default one with each transaction's
 * WAL frames gathered into large writes, flushed by the commit frame.
 * Registered at the first call; readers keep the default VFS.
 */
#define STORE_WRITER_VFS	"opsdeck-walbuf"
const char *store_writer_vfs(void);
/*
 * Makes v a VFS named name over base: every call but xOpen (the caller's)
 * goes to base; its files are file_size bytes followed by base's.
 */
void store_vfs_over(sqlite3_vfs *v, sqlite3_vfs *base, const char *name, int file_size);

enum store_level { STORE_LEVEL_RAW = 0, STORE_LEVEL_MINUTE = 1 };

/*
 * The writer's state of one host: its open raw chunk (the encoder and its
 * row, 0: not written yet), and fingerprints of its host_live row as
 * written (each GPU and sensor, the processes together), so that an
 * unchanged row is not written again (rows: NULL until the host's row was
 * written in a committed state).
 */
struct open_chunk {
	struct chunk_enc *enc;
	int64_t		 rowid;
	size_t		 len;		/* bytes of the row as last written */
	size_t		 growth;	/* what the last tick added */
	uint64_t	*rows;		/* fingerprints of the GPUs, then the sensors, */
	int		 ngpus, nsensors;	/* of the host_live row as written, */
	uint64_t	 procs_fp;	/* of its GPU processes as written */
};

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
	SQ_LIVE_PUT,
	SQ_LIVE_DELETE,
	SQ_METRIC_FIND,
	SQ_METRIC_INSERT,
	SQ_SERIES_INSERT,
	SQ_CHUNK_INSERT,
	SQ_CHUNK_UPDATE,
	SQ_COUNT
};

struct store {
	sqlite3		*db;
	char		*path;
	int		 flags;		/* STORE_READONLY, STORE_WRITER */
	int		 lock_fd;	/* PATH.lock when STORE_WRITER, else -1 */
	char		*warning;	/* what happened at open, NULL: nothing */
	int		 inuse;		/* registered in store_inuse as dev/ino */
	dev_t		 dev;
	ino_t		 ino;
	sqlite3_stmt	*stmt[SQ_COUNT];

	/* Caches of ids; cleared on rollback since the rows may be gone. */
	struct smap	 hosts;		/* name -> id, state, sample_ms; bits: series */
	struct smap	 metrics;	/* name -> id */
	struct open_chunk *open;	/* by host id; cleared with the caches */
	size_t		 nopen;

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
	struct host_status **pending;	/* NULL where clean (store_write.c) */
	size_t		 npending, pending_cap;
	struct smap	 pending_idx;	/* name -> index in pending */
	uint64_t	 pending_dropped;
	size_t		 pending_max;	/* 0: STORE_PENDING_MAX */

	/* store_maintain's position in the series table. */
	int64_t		 maint_cursor;
	int		 maint_pass_work;	/* series that had work in the current pass */
	int64_t		 maint_rest_until;	/* idle: nothing to do before this time */
};

/* ---- the SQL helpers (store_sql.c) ---------------------------------------- */

/* The connection; valid until store_close. Only src/store/ sees it. */
sqlite3 *store_db(struct store *st);

/* Prepares (once) and returns statement `which`; fatal on a bad SQL text. */
sqlite3_stmt *store_stmt(struct store *st, enum store_stmt which);
/*
 * Prepares sql into *out (caller finalizes); fatal on a bad SQL text, -1
 * with *cause (when not set already) on other errors, such as a busy cache.
 */
int  store_prepare(struct store *st, const char *sql, sqlite3_stmt **out, char **cause);

/* "cache PATH: what: SQLite's reason" as a malloc'd cause. */
char *store_errmsg(struct store *st, const char *what);

/* 1 when rc means the disk refused a write (full, I/O error, quota, ...). */
int store_rc_is_disk(int rc);

/* Binds a double, or NULL when it is NaN or infinite. */
int store_bind_real(sqlite3_stmt *s, int col, double v);
/* Reads a double column; NULL reads as NaN. */
double store_column_real(sqlite3_stmt *s, int col);
/* Binds text (copied), "" for a NULL v. */
int store_bind_text(sqlite3_stmt *s, int col, const char *v);
/* Binds text (copied), SQL NULL for a NULL v. */
int store_bind_text_or_null(sqlite3_stmt *s, int col, const char *v);
/* A text column, "" for NULL; valid until the next step, reset or finalize. */
const char *store_column_text(sqlite3_stmt *s, int col);
/* A malloc'd copy of a text column ("" for NULL); caller frees. */
char *store_column_dup(sqlite3_stmt *s, int col);
/* Binds at most max bytes of a fixed-size field (it may lack a NUL). */
int store_bind_field(sqlite3_stmt *s, int col, const char *field, size_t max);
/* Copies a text column into a fixed-size field, always NUL-terminated. */
void store_column_field(sqlite3_stmt *s, int col, char *field, size_t size);

/* Steps a prepared statement that returns no rows and resets it; 0 or an SQLite rc. */
int store_step_rc(sqlite3_stmt *s);
/* Runs one statement without results; 0 or an SQLite rc. */
int store_exec(struct store *st, const char *sql);
/* Runs sql (no rows); 0, or -1 with *cause "cache PATH: what: reason". */
int store_run(struct store *st, const char *sql, const char *what, char **cause);
/*
 * Steps s once and resets it; SQLITE_DONE or SQLITE_ROW is success. 0, or
 * -1 with *cause (when not set already) naming `what`.
 */
int store_step_done(struct store *st, sqlite3_stmt *s, const char *what, char **cause);
/* 1 when table `name` exists, 0 when not, -1 when the schema cannot be read. */
int store_has_table(struct store *st, const char *name);

/* ---- store_files.c: the files beside the database -------------------------- */

/*
 * Takes PATH.lock (flock, non-blocking) and writes "PID COMMAND\n" into it.
 * The fd (keep it open while writing), or -1 with *cause naming the holder.
 */
int store_lock_take(const char *path, char **cause);
/*
 * Tightens the cache's files at path to 0600 and the default directory to
 * 0700; a warning naming what was changed (malloc'd), or NULL when nothing.
 */
char *store_tighten(const char *path);
/*
 * *has: whether every table of the NULL-terminated names exists. 0, or -1
 * with *cause "cache PATH: cannot read the schema: reason".
 */
int store_has_tables(struct store *st, const char *const *names, int *has, char **cause);

/*
 * A unit of work of a module with tables of its own, so the same function
 * serves a command and a collector's tick: BEGIN IMMEDIATE when the
 * connection is idle (*nested 0), else it runs inside the caller's
 * transaction (*nested 1), in a SAVEPOINT named `savepoint` when that is
 * not NULL. Refused while the caller's tick is dead (store_tick_dead).
 * 0, or -1 with *cause.
 */
int store_work_begin(struct store *st, const char *savepoint, int *nested, char **cause);
/*
 * Ends the unit: when ok, COMMIT (or RELEASE the savepoint); a failed commit
 * and !ok undo it: ROLLBACK, or ROLLBACK TO the savepoint; nested without a
 * savepoint, what was written stays in the caller's transaction, whose
 * caller rolls it back. 0, or -1 (with *cause "...: what: reason" when the
 * commit failed and *cause was not set). cause may be NULL.
 */
int store_work_end(struct store *st, const char *savepoint, int nested, int ok,
	    const char *what, char **cause);

/* The local user's name (getpwuid, sanitised) or "uid N", as acknowledgements record it. */
void store_user_name(char *buf, size_t len);

/* Deep copy of a host_status into dst, reusing dst's arrays. */
void store_status_assign(struct host_status *dst, const struct host_status *src);
/* Frees the arrays of one status. */
void store_status_release(struct host_status *h);

/* Chunks (store_chunk.c). */
/* The open chunk of host id (grown as needed). */
struct open_chunk *store_open_chunk(struct store *st, int64_t host_id);
/* Forgets every open chunk (after a rollback their rows may be older). */
void store_open_chunks_clear(struct store *st);
/*
 * Starts a point at ts in host_id's open chunk, closing it first when it is
 * full; then the caller adds values and calls store_chunk_save. 0 or an
 * SQLite rc (SQLITE_MISUSE when ts is not after the chunk's last point).
 */
int store_chunk_point(struct store *st, struct open_chunk *oc, int64_t ts);
/* Writes the open chunk's row (insert or update). 0 or an SQLite rc. */
int store_chunk_save(struct store *st, int64_t host_id, struct open_chunk *oc);
/* Inserts a finished chunk of level for host_id; one without points is skipped. */
int store_chunk_insert(struct store *st, int64_t host_id, enum store_level level,
	    struct chunk_enc *enc);
/*
 * The samples of metric (every metric when < 0) of host_id at level with
 * lo <= ts < hi, chunk by chunk in time order. A damaged chunk is skipped
 * (it costs only itself). 0 with *out (caller frees) and *n, or an SQLite rc.
 */
int store_chunks_read(struct store *st, int64_t host_id, enum store_level level,
	    int64_t metric, int64_t lo, int64_t hi, struct chunk_sample **out, size_t *n);
/* Schema step 2: samples and samples_1m into chunks. 0 or an SQLite rc. */
int store_migrate_chunks(struct store *st);
/* Schema step 6: host_gpus and host_sensors into host_live. 0 or an SQLite rc. */
int store_migrate_live(struct store *st);
/* Schema step 8: host_gpu_procs into host_live. 0 or an SQLite rc. */
int store_migrate_procs(struct store *st);

/* A host's cache id and its index in an array of statuses. */
struct id_index {
	int64_t	 id;
	size_t	 idx;
};
/* The status of id in v by ix (n entries sorted by id), or NULL (store_read.c). */
struct host_status *store_host_by_id(struct id_index *ix, size_t n, struct host_status *v,
	    int64_t id);
/*
 * Each host's GPUs, sensors and GPU processes from its host_live row
 * (hostlive.h) into v, for hosts that have none yet. A row that does not
 * decode costs that host its lists, and says so in its warnings; the other
 * hosts read on. 0 or an SQLite rc (store_read.c).
 */
int store_read_live(struct store *st, struct id_index *ix, size_t n, struct host_status *v);

/* An INTEGER column's 64 bits as the unsigned value they were written from. */
static inline uint64_t
store_bits_u64(int64_t v)
{
	uint64_t r;
	memcpy(&r, &v, sizeof r);
	return r;
}

/*
 * Fingerprints of what was last written (GPUs, sensors, GPU processes), to
 * write again only what changed: store_fp continues hash h over n bytes,
 * eight a step, and always ends with a step of the last n % 8 bytes and
 * their count, so that fields hashed one after another cannot run
 * together; store_fp_str over a string in a field of size bytes.
 */
#define STORE_FP_SEED	0xcbf29ce484222325ULL
static inline uint64_t
store_fp(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t w;

	for (; n >= 8; b += 8, n -= 8) {
		memcpy(&w, b, sizeof w);
		h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
		h ^= h >> 29;
	}
	w = (uint64_t)n << 56;
	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)b[i] << (8 * i);
	h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
	return h ^ (h >> 29);
}

static inline uint64_t
store_fp_str(uint64_t h, const char *s, size_t size)
{
	return store_fp(h, s, strnlen(s, size));
}

/* Pending queue (store_write.c). */
void store_pending_free(struct store *st);
/* The statuses not yet on disk after a failure; caller frees the array only. */
size_t store_pending_dirty(const struct store *st, const struct host_status ***out);

/*
 * Cache files this process holds open through SQLite (store_inuse.c), by
 * device and inode, counted. Such a file is never opened or closed outside
 * SQLite: a close() drops every POSIX lock of the process on it.
 */
int store_inuse_has(dev_t dev, ino_t ino);
void store_inuse_add(dev_t dev, ino_t ino);
void store_inuse_del(dev_t dev, ino_t ino);

#endif
