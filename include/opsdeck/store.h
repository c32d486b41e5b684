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
 */
#ifndef OPSDECK_STORE_H
#define OPSDECK_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "opsdeck/config.h"
#include "opsdeck/hoststate.h"

#define STORE_SCHEMA_VERSION 1

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

int  store_open(const char *path, int flags, struct store **out, char **cause);
void store_close(struct store *st);
const char *store_path(const struct store *st);

/* One BEGIN IMMEDIATE ... COMMIT per collector tick. */
int store_begin(struct store *st, char **cause);
int store_commit(struct store *st, char **cause);
int store_rollback(struct store *st);

/*
 * Records the host's latest status (state, error, figures, GPUs, sensors)
 * and, when h->sample_ms is newer than the last one stored, a row per metric
 * in the samples table. Inside store_begin/commit for speed.
 */
int store_put_status(struct store *st, const struct host_status *h, char **cause);

/* Latest status of every host, sorted by group then name. Caller frees with store_free_hosts. */
int  store_get_hosts(struct store *st, struct host_status **out, size_t *n, char **cause);
void store_free_hosts(struct host_status *v, size_t n);

/* Forgets hosts that are no longer in the configuration. */
int store_prune_hosts(struct store *st, const struct config *cfg, char **cause);

struct store_point {
	int64_t	ts_ms;
	double	min, avg, max;
};

/*
 * Points of one metric of one host in [from_ms, to_ms], one per step_ms
 * bucket (step_ms 0: raw samples). Caller frees *out.
 */
int store_history(struct store *st, const char *host, const char *metric,
	    int64_t from_ms, int64_t to_ms, int64_t step_ms,
	    struct store_point **out, size_t *n, char **cause);

#endif
