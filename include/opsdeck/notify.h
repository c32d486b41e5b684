/*
 * notify.h: the config's `notify` command, run for every alert raised and
 * cleared (opsdeck.yaml(5)).
 *
 * The publisher (publish.c) collects what each tick raised and cleared
 * (alert_store_sync_events) and posts it here only after the tick's
 * transaction committed; a rolled-back tick posts nothing. A thread of the
 * notifier's own runs the command once per alert, in order, one at a time:
 * argv from the config only (spawn.h: posix_spawn, no shell), the alert as
 * one line of JSON on its stdin, its stdout and stderr appended to
 * notify_log (else /dev/null). A command still running notify_timeout after
 * its start is killed with its process group; nothing waits on it longer.
 * At most notify_rate commands start in any minute: the alerts past that are
 * counted, and when the minute allows again one command gets a summary,
 * {"event":"suppressed","count":N,"message":"N more alerts suppressed"}.
 * A raise of a snoozed alert (alert.h) runs nothing; its clear does.
 */
#ifndef OPSDECK_NOTIFY_H
#define OPSDECK_NOTIFY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "opsdeck/alert.h"
#include "opsdeck/config.h"

#define NOTIFY_QUEUE_MAX	4096		/* alerts waiting; past it they count as suppressed */
#define NOTIFY_WINDOW_MS	(60 * 1000)	/* notify_rate is per this window */

struct notifier;

/*
 * A notifier for cfg's notify command (cfg borrowed, must outlive it), its
 * thread started; NULL when cfg has no notify command.
 */
struct notifier *notifier_new(const struct config *cfg);

/*
 * Queues copies of v[0..n) (alerts with cleared_ms 0 are raises, others
 * clears) in order. Any thread; never waits on a command. n may be 0.
 */
void notifier_post(struct notifier *nt, const struct alert *v, size_t n);

/*
 * Stops the thread after it ran what was queued and frees nt: commands
 * start for the queue during one notify_timeout from now, within the rate;
 * what is left then is summed up in one last summary, so this returns
 * within about two timeouts. NULL is fine.
 */
void notifier_free(struct notifier *nt);

/* The JSON line an alert's command reads, written to fp with a newline. Pure. */
void notify_json(FILE *fp, const struct alert *a);

#endif
