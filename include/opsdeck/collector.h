/*
 * collector.h: keeps every configured host streaming framed reports and turns
 * them into struct host_status updates.
 *
 * Transports: `local` (the same sh loop run by /bin/sh on this machine, in a
 * process group of its own, read through a pipe) and `ssh` (libssh, ssh.h:
 * one session and one exec channel per host). Threads are bounded whatever
 * the number of hosts: the config's connect_window (CONFIG_CONNECT_WINDOW)
 * doing blocking connect, key exchange and authentication, so that a start
 * of many hosts comes as a paced stream of connections, and up to
 * COLLECTOR_MAX_WORKERS waiting on every stream; one slow or dead host never
 * delays another. The open-file limit is raised to what the hosts need, up
 * to the hard limit (collector_warning says how many hosts fit below it).
 *
 * Per host: a cycle (one SEQ's frames of every probe of its group) gives
 * HOST_UP, or HOST_PARSE_ERROR with the probe's cause, or HOST_TIMEOUT
 * "ipmi: no output within 8s" when the loop killed a command at its
 * deadline (probe_timeout; the stream goes on). No cycle for 2 intervals:
 * HOST_STALE; no frame for interval + timeout: HOST_TIMEOUT and the stream
 * is dropped. More than PROBE_MAX_OUTPUT bytes in a frame (or between
 * frames), or more frames or bytes than its budget (per interval, with
 * bursts): HOST_CUT_OFF "flood: ..." and dropped. A dropped or failed host
 * is retried after an exponential back-off with jitter, 1 s doubling up to
 * the group's backoff_max (60 s by default) and never past it, for as long
 * as the collector runs, however many hosts are down; it starts again
 * after a stream that lasted an interval.
 *
 * A tick that fails to write the store is rolled back and retried on the
 * next one; collecting goes on and collector_hosts() has the statuses. The
 * report parts of test-bed controllers and schedulers wait, in order, until
 * a tick commits them (at most COLLECTOR_MAX_QUEUED per host; past that the
 * oldest are dropped and counted in collector_store_error).
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

#define COLLECTOR_MAX_WORKERS	4	/* stream threads, each owns a fixed share of the hosts */
/* Files a host may hold open (its socket, or behind a ProxyJump its socket pair) and spare. */
#define COLLECTOR_FDS_PER_HOST	3
#define COLLECTOR_FDS_RESERVE	64

struct collector;

/*
 * Called on the collector's thread for each host whose status changed,
 * before it is written to the store (may be NULL).
 */
typedef void (*collector_cb)(const struct host_status *h, void *arg);

struct collector_opts {
	int		 wake_fd;	/* -1: none; set non-blocking by collector_new */
	int64_t		 timeout_ms;	/* 0: the config's */
	collector_cb	 on_change;	/* NULL: none */
	void		*on_change_arg;
	int		 counters;	/* keep raw counters in statuses (an exporter's) */
};

/*
 * A collector for every host of cfg. cfg and st are borrowed and must outlive
 * it; st may be NULL (statuses are then only kept in memory); opts may be
 * NULL (no wake fd). Reads ~/.ssh/config once. Starts nothing. Never NULL.
 */
struct collector *collector_new(const struct config *cfg, struct store *st,
	    const struct collector_opts *opts);
/*
 * What collector_new found wrong with the machine's limits, for the caller to
 * print: "the open-file limit (hard, N) leaves room for about M of the K
 * configured hosts ..."; NULL when nothing. Valid until collector_free.
 */
const char *collector_warning(const struct collector *c);
/*
 * How many of nhosts fit below an open-file limit, at COLLECTOR_FDS_PER_HOST
 * each plus COLLECTOR_FDS_RESERVE; *need (when not NULL) what all need.
 */
size_t collector_nofile_fit(uint64_t limit, size_t nhosts, uint64_t *need);
/* Stops whatever runs (sessions closed, local sh killed and reaped) and frees c. */
void collector_free(struct collector *c);

/* Runs in a thread of its own until collector_stop(). 0 or -1 with *cause. */
int  collector_start(struct collector *c, char **cause);
void collector_stop(struct collector *c);

/*
 * Runs in the calling thread until every host has delivered `frames` complete
 * cycles (a CPU % needs 2), or failed, or deadline_ms (CLOCK_MONOTONIC,
 * now_mono_ms() based) passed, or collector_interrupt; for snapshot. A
 * cycle is the frames of one SEQ for every probe of the host's group.
 * "Failed" means the host reached any state but connecting, up or stale at
 * least once. With frames INT_MAX a failure ends nothing: it runs until the
 * deadline or collector_interrupt. Every session and local sh is closed
 * before it returns; statuses are kept (collector_hosts). Returns the number
 * of hosts that delivered `frames` cycles; with frames INT_MAX, those that
 * delivered at least one.
 */
int collector_run(struct collector *c, int frames, int64_t deadline_ms);
/*
 * The same for `collect`, where hosts that fail are retried (back-off) and
 * never end the run early: it returns when every host has delivered
 * `frames` cycles (INT_MAX: never), at deadline_ms, or on
 * collector_interrupt. With frames below INT_MAX the time up to deadline_ms
 * counts from when the last host's connection began (connect_window paces
 * them), up to four times that time from the call. *silent (may be NULL) gets the number of hosts that
 * never delivered a cycle.
 */
int collector_run_until(struct collector *c, int frames, int64_t deadline_ms, int *silent);

/* Asks collector_run() or the thread to finish the current tick and return (signal-safe). */
void collector_interrupt(struct collector *c);

/* Current status of every host (a copy; caller frees with store_free_hosts). */
void collector_hosts(struct collector *c, struct host_status **out, size_t *n);

/*
 * The store's latest write failure (malloc'd, caller frees), or NULL when the
 * last tick's transaction committed and no report part was ever dropped.
 * Failed ticks are retried on the next one.
 */
char *collector_store_error(struct collector *c);

/*
 * Queues a write for the collector's next tick, in its transaction (the
 * console's acknowledgements go through the one writer this way). Any
 * thread. 0, or -1 when PUBLISH_MAX_WRITES already wait.
 */
struct publish_write;
int collector_submit(struct collector *c, const struct publish_write *w);

#endif
