/*
 * publish.h: one tick of the collector into the store, over feature_table.
 *
 * The collector's engine hands the publisher what changed since the last
 * tick: a copy of each changed host's status and the report parts queued for
 * it (oldest first). publisher_tick writes them all in one transaction,
 * every feature in turn, together with the write requests (acknowledgements)
 * queued by the console. After a commit the parts are freed and each
 * feature's new per-host state is installed; after a failure nothing is
 * freed: the caller puts the parts back at the head of each host's queue and
 * retries on the next tick, so every part is stored exactly once.
 *
 * One thread (the collector's publisher) calls everything here.
 */
#ifndef OPSDECK_PUBLISH_H
#define OPSDECK_PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include "opsdeck/config.h"
#include "opsdeck/probe.h"
#include "opsdeck/hoststate.h"

struct store;
struct publisher;

/* One host's change for a tick: owned by the caller. */
struct publish_item {
	size_t			 idx;		/* the host's index in the collector */
	const struct group	*group;
	struct host_status	 status;	/* a copy */
	struct queued_part	*parts;		/* oldest first; emptied on commit */
	size_t			 nparts;
};

/*
 * A write the console asks of the collector's writer (an acknowledgement):
 * apply runs inside a tick's transaction; done runs on the collector's
 * thread after the commit (rc 0) or when the request is given up (rc -1,
 * cause), never both; it must not touch curses.
 */
struct publish_write {
	int		(*apply)(struct store *st, void *arg, int64_t now_ms, char **cause);
	void		(*done)(void *arg, int rc, const char *cause);
	void		*arg;
};

/* A publisher for nhosts hosts of cfg into st (both borrowed). Never NULL. */
struct publisher *publisher_new(const struct config *cfg, struct store *st, size_t nhosts);
void publisher_free(struct publisher *p);

/* Creates every feature's tables. 0 or -1 with *cause. */
int publisher_init(struct publisher *p, char **cause);

/*
 * Writes items[0..n) and the queued writes in one transaction. fleet gives
 * every host's status (a copy the caller frees with store_free_hosts) for
 * features that look across hosts; called at most once. 0: committed, every
 * item's parts freed (nparts 0). -1 with *cause: rolled back, items and
 * writes untouched (the caller requeues parts; writes stay queued here).
 */
int publisher_tick(struct publisher *p, struct publish_item *items, size_t n,
	    void (*fleet)(void *arg, struct host_status **v, size_t *n), void *fleet_arg,
	    char **cause);

/*
 * Queues a write for the next tick (any thread). At most PUBLISH_MAX_WRITES
 * wait; past that -1 and the request is refused (done is not called).
 */
#define PUBLISH_MAX_WRITES	256
int publisher_submit(struct publisher *p, const struct publish_write *w);

/*
 * Housekeeping between ticks: rollups and retention in bounded slices, and
 * hourly every feature's prune. 0, 1 when there is a backlog (call again
 * soon), -1 with *cause.
 */
int publisher_maintain(struct publisher *p, int64_t now_mono_ms, char **cause);

#endif
