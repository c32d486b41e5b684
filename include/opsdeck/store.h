/*
 * store.h: the SQLite cache, the spine of DESIGN.md.
 *
 * One writer (the collector: `opsdeck collect`, the console's own collector,
 * `snapshot`) and any number of readers (panes, `history`, `--offline`).
 * WAL mode, busy_timeout, synchronous=NORMAL, schema versioned by
 * PRAGMA user_version with forward migrations. The file is created 0600 in a
 * 0700 directory. Every value from a host is bound as a parameter.
 *
 * Errors: functions return 0 or -1 and set *cause (malloc'd) naming the file
 * and SQLite's reason.
 *
 * A struct store is one SQLite connection: use it from one thread at a
 * time (the console's collector and its panes each open their own).
 * Layout: hosts (latest state and maintenance watermarks), host_gpus,
 * host_sensors, host_transitions; metrics (names), series (which host has
 * which metric), chunks (the raw samples and the 1-minute min/avg/max/n
 * rollups, compact: chunk.h) and samples_1h (min/avg/max/n, keyed host,
 * metric, ts); devices,
 * device_transitions, alerts, budget_plan, budget_ledger, tenant_usage for
 * the later issues. src/store.c holds the schema and its migrations.
 */
#ifndef OPSDECK_STORE_H
#define OPSDECK_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "opsdeck/config.h"
#include "opsdeck/hoststate.h"

#define STORE_SCHEMA_VERSION 8

#define STORE_PENDING_MAX	CONFIG_MAX_HOSTS	/* statuses in memory while writes fail */
#define STORE_MAX_METRICS	65536	/* metric names; further ones are not recorded */
#define STORE_METRIC_NAME_MAX	128	/* longer metric names are not recorded */
#define STORE_HISTORY_MAX_POINTS 1000000	/* points one store_history call may return */

/* Retention defaults (struct retention in config.h). */
#define STORE_RAW_MS		(6 * 3600 * 1000LL)		/* raw samples: 6h */
#define STORE_MINUTE_MS		(30 * 86400 * 1000LL)	/* 1-minute rollups: 30d */
#define STORE_HOUR_MS		(2 * 365 * 86400 * 1000LL)	/* 1-hour rollups: 2y */
#define STORE_MAINTAIN_BUDGET	20000	/* rows one store_maintain call touches */

enum {
	STORE_READONLY	= 1 << 0,	/* never writes; fails if the file does not exist */
	STORE_WRITER	= 1 << 1,	/* takes the single-writer lock */
};

struct store;

/*
 * Default location: $XDG_STATE_HOME/opsdeck/cache.db, else
 * ~/.local/state/opsdeck/cache.db. malloc'd.
 */
char *store_default_path(void);
/*
 * The cache of the configuration file at config_path when it names none
 * (malloc'd): store_default_path() for the built-in default (NULL) and for
 * $XDG_CONFIG_HOME/opsdeck/config.yaml; for any other file
 * $XDG_STATE_HOME/opsdeck/cache-NAME-HASH.db, NAME from the file's name and
 * HASH from its real path, so that another configuration never writes its
 * hosts and alerts into the default console's cache.
 */
char *store_path_for_config(const char *config_path);

/*
 * Opens the cache at path, creating it (and its directory) unless
 * STORE_READONLY. STORE_WRITER takes PATH.lock (flock; it holds "PID
 * COMMAND"); a second writer gets "cache PATH is in use by pid N (opsdeck
 * collect)". A read-only reader works while the writer runs and, when it may
 * not create PATH-shm and no writer runs, opens the file immutable. A file
 * that is not an SQLite database, is truncated or malformed, or is another
 * program's database is moved aside with its -wal and -shm as
 * PATH.corrupt-TIMESTAMP and a new cache started (store_warning says so);
 * read-only, it is an error. A cache whose user_version is above
 * STORE_SCHEMA_VERSION is refused: "cache PATH has schema version N, newer
 * than this opsdeck (M); upgrade opsdeck or use --cache". 0 and *out
 * (store_close it), or -1 with *cause.
 */
int  store_open(const char *path, int flags, struct store **out, char **cause);
/* Commits an open tick (else rolls it back), releases the lock. NULL is fine. */
void store_close(struct store *st);
const char *store_path(const struct store *st);
/*
 * What store_open had to do, e.g. "cache PATH was damaged (not an SQLite
 * database); moved it to PATH.corrupt-20261126T101500 and started a new
 * cache", for the caller to print; NULL when nothing. Valid until store_close.
 */
const char *store_warning(const struct store *st);

/*
 * One BEGIN IMMEDIATE ... COMMIT per collector tick. A tick whose writes
 * fail goes on in memory: store_begin may return -1 (and store_put_status
 * once) with *cause, store_commit then returns -1 with "...; keeping the
 * latest statuses in memory (N pending)", and the next store_begin writes
 * them first. store_put_status outside a tick makes a transaction of its own.
 */
int store_begin(struct store *st, char **cause);
/*
 * Whether the open tick's transaction already failed and was rolled back
 * (1, with *cause when not NULL): the modules with tables of their own must
 * then not write in a transaction of their own, or their rows would commit
 * while the tick that holds them is retried. 0 otherwise.
 */
int store_tick_dead(struct store *st, char **cause);
int store_commit(struct store *st, char **cause);
int store_rollback(struct store *st);

/*
 * Records the host's latest status (state, error, figures, GPUs, sensors)
 * and, when h->sample_ms is newer than the last one stored, its metrics in
 * the host's open raw chunk. Inside store_begin/commit for speed.
 */
int store_put_status(struct store *st, const struct host_status *h, char **cause);

/*
 * While the disk refuses writes (SQLITE_FULL, SQLITE_IOERR, ...) the writer
 * keeps the latest status of each host in memory (at most STORE_PENDING_MAX
 * hosts; more are dropped and counted) and writes them at the first
 * store_begin that succeeds; store_get_hosts on that store shows them.
 * Returns how many statuses are in memory only (0 when all are on disk).
 */
size_t store_pending(const struct store *st, uint64_t *dropped);
/* Lowers the cap on the pending queue (tests, small machines); 0: the default. */
void store_set_pending_max(struct store *st, size_t max);

/*
 * How long a statement waits for another connection's lock before it fails
 * with SQLITE_BUSY: STORE_BUSY_MS by default; the console's own short writes
 * use less, so that a keypress never waits long.
 */
#define STORE_BUSY_MS	5000
void store_set_busy_ms(struct store *st, int ms);
/* Whether st's last failure was another connection's lock (SQLITE_BUSY). */
int store_last_busy(struct store *st);
/*
 * The process holding the writer lock of the cache at path: malloc'd
 * "pid N (COMMAND)", or NULL when no writer holds it.
 */
char *store_writer_holder(const char *path);

/* Latest status of every host, sorted by group then name. Caller frees with store_free_hosts. */
int  store_get_hosts(struct store *st, struct host_status **out, size_t *n, char **cause);
void store_free_hosts(struct host_status *v, size_t n);
/*
 * Every host as it stood at at_ms (store_at.c): state, message and since
 * from its last transition at or before at_ms; figures from its newest
 * samples in (at_ms - window_ms, at_ms] (1-minute rollups when the raw
 * samples are gone). Hosts the cache did not know yet at at_ms are left out
 * and counted in *unknown. Sorted by group then name. 0 with *out (free
 * with store_free_hosts) and *n, or -1 with *cause.
 */
int  store_hosts_at(struct store *st, int64_t at_ms, int64_t window_ms,
	    struct host_status **out, size_t *n, size_t *unknown, char **cause);

/*
 * Names of the metrics recorded for host, sorted; a malloc'd array of
 * malloc'd strings (free each, then the array). 0, or -1 with *cause when the
 * host is unknown.
 */
int store_metric_names(struct store *st, const char *host, char ***names, size_t *n,
	    char **cause);

/* Forgets hosts that are no longer in the configuration. */
int store_prune_hosts(struct store *st, const struct config *cfg, char **cause);
/*
 * `opsdeck forget`: removes the hosts named (n of them) and, when missing_of
 * is not NULL, every host that configuration does not know
 * (config_knows_host), with everything kept under their names: status,
 * GPUs, sensors, transitions, samples, alerts, a controller's devices, a
 * budget note. One unit of work that waits for another writer at most the
 * busy timeout (store_last_busy says so after a failure). *gone: the names
 * that had something (caller frees with store_forget_free). 0, or -1 with
 * *cause and nothing changed.
 */
int store_forget(struct store *st, const struct config *missing_of, const char *const *names,
	    size_t n, char ***gone, size_t *ngone, char **cause);
void store_forget_free(char **v, size_t n);

struct store_point {
	int64_t	ts_ms;
	double	min, avg, max;
	int64_t	n;		/* samples behind it (a raw sample: 1) */
};

/*
 * Points of one metric of one host in [from_ms, to_ms], one per step_ms
 * bucket (buckets start at multiples of step_ms since the epoch; step_ms 0:
 * the raw samples, min = avg = max). Each bucket is computed from the finest
 * data the step calls for (raw below 1m, 1-minute rollups below 1h, else
 * 1-hour rollups) and, where that resolution has been pruned or not rolled
 * up yet, from the others. Buckets without data are left out. Caller frees
 * *out. -1 with *cause for an unknown host or metric, from_ms > to_ms, or more
 * than STORE_HISTORY_MAX_POINTS points.
 */
int store_history(struct store *st, const char *host, const char *metric,
	    int64_t from_ms, int64_t to_ms, int64_t step_ms,
	    struct store_point **out, size_t *n, char **cause);

/*
 * A number that changes when another connection (a collector, `opsdeck
 * budget import`) commits to the cache (PRAGMA data_version); -1 when it
 * cannot be read. A reader compares two to skip re-reading an unchanged cache.
 */
int64_t store_data_version(struct store *st);

/*
 * Housekeeping, a bounded slice per call so the write lock is never held
 * long: rolls raw samples up into 1-minute min/avg/max rows and those into
 * 1-hour rows (complete buckets only, a little behind now_ms so late
 * samples still count), deletes what is older than r's windows (raw only
 * once rolled up), and checkpoints the WAL (PASSIVE; TRUNCATE when there was
 * nothing left to do). Work is done in transactions of about `budget` rows
 * (0: STORE_MAINTAIN_BUDGET); must not be called inside a tick. Returns 1
 * when more work remains, 0 when it is idle, -1 with *cause on failure.
 */
int store_maintain(struct store *st, const struct retention *r, int64_t now_ms,
	    size_t budget, char **cause);

#endif
