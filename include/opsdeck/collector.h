/*
 * collector.h: keeps every configured host streaming framed reports and turns
 * them into struct host_status updates.
 *
 * Transports: `local` (the same sh loop run by /bin/sh on this machine, read
 * through a pipe) and `ssh` (libssh: one session and one exec channel per
 * host). A bounded set of threads polls all connections; one slow or dead
 * host never delays another.
 *
 * The collector is the only writer of the store. After each tick that changed
 * something it commits one transaction and writes a byte to wake_fd (when >= 0)
 * so a console can redraw.
 */
#ifndef OPSDECK_COLLECTOR_H
#define OPSDECK_COLLECTOR_H

#include <stdint.h>

#include "opsdeck/config.h"
#include "opsdeck/hoststate.h"
#include "opsdeck/store.h"

struct collector;

struct collector_opts {
	int		 wake_fd;	/* -1: none */
	int64_t		 timeout_ms;	/* 0: the config's */
};

/*
 * Called on the collector's thread for each host whose status changed,
 * before it is written to the store (may be NULL).
 */
typedef void (*collector_cb)(const struct host_status *h, void *arg);

struct collector *collector_new(const struct config *cfg, struct store *st,
	    const struct collector_opts *opts);
void collector_free(struct collector *c);

/* Runs in a thread of its own until collector_stop(). 0 or -1 with *cause. */
int  collector_start(struct collector *c, char **cause);
void collector_stop(struct collector *c);

/*
 * Runs in the calling thread until every host has delivered `frames` complete
 * frames (a CPU % needs 2), or failed, or deadline_ms passed; for snapshot
 * and `collect --cycles`. Returns the number of hosts that answered.
 */
int collector_run(struct collector *c, int frames, int64_t deadline_ms);

/* Asks collector_run() or the thread to finish the current tick and return (signal-safe). */
void collector_interrupt(struct collector *c);

/* Current status of every host (a copy; caller frees with store_free_hosts). */
void collector_hosts(struct collector *c, struct host_status **out, size_t *n);

#endif
