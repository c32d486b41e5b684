/*
 * acks.h: acknowledgements and snoozes through the one writer.
 *
 * The console never writes the cache behind a collector's back, and a
 * keypress never waits on the cache's lock:
 * - with its own collector, an acknowledgement is a publish_write
 *   (publish.h) queued for the collector's next tick and written in its
 *   transaction; the outcome comes back through a struct ack_outbox;
 * - --offline beside a headless collector, it is one short write that waits
 *   at most ACK_WAIT_MS for the lock; when the cache stays busy the console
 *   keeps the request and tries again a second later.
 */
#ifndef OPSDECK_ACKS_H
#define OPSDECK_ACKS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "opsdeck/alert.h"
#include "opsdeck/hostlist.h"
#include "opsdeck/publish.h"
#include "opsdeck/testbed.h"

#define ACK_WAIT_MS	50	/* the longest a keypress waits for the cache */

/* What a request writes: an acknowledgement (a note) or a snooze. */
enum ack_kind { ACK_NOTE, ACK_SNOOZE };

/*
 * What to acknowledge: an alert by id, or a controller's device. A snooze
 * names the alert by its key: controller is its host, device its subject
 * ("" for the host itself), rule its rule, until when (0: no more snooze).
 */
struct ack_request {
	enum ack_kind kind;
	int64_t	 alert_id;			/* 0: the device below */
	char	 controller[HOSTNAME_MAX + 1];
	char	 device[TESTBED_ID_MAX + 1];
	char	 rule[ALERT_RULE_MAX];		/* ACK_SNOOZE */
	int64_t	 snooze_until_ms;		/* ACK_SNOOZE; 0: unsnooze */
	char	 note[TESTBED_MESSAGE_MAX + 1];
	char	 what[160];			/* for messages: "dsim-01 (fault)" */
};

/* The outcome of r for the status line: "acknowledged X", "snoozed X until 15:04". */
void ack_describe(const struct ack_request *r, int rc, const char *cause, char *buf,
	    size_t len);

/*
 * The outcomes of acknowledgements written by the collector's thread, for
 * the console's thread: owned by whoever outlives both (the console
 * command), shared under its lock.
 */
struct ack_outbox {
	pthread_mutex_t	 lock;
	int		 have;		/* an outcome not taken yet */
	int		 error;
	char		 msg[320];
	int		 waiting;	/* requests queued, not written yet */
};

void ack_outbox_init(struct ack_outbox *b);
void ack_outbox_free(struct ack_outbox *b);
/* Takes the latest outcome: 1 with msg and *error, 0 when there is none. */
int ack_outbox_take(struct ack_outbox *b, char *msg, size_t len, int *error);
/* One more write queued for b; one fewer (written, given up or refused). */
void ack_outbox_enter(struct ack_outbox *b);
void ack_outbox_leave(struct ack_outbox *b);

/* Writes r now, in st's open tick or a transaction of its own. 0 or -1 with *cause. */
int ack_apply(struct store *st, const struct ack_request *r, int64_t now_ms, char **cause);

/*
 * A publish_write for r (copied) that reports to box when it is written
 * (or given up). Pass it to collector_submit; when that refuses it, call
 * ack_write_refused(w) to free what it holds.
 */
void ack_write(const struct ack_request *r, struct ack_outbox *box, struct publish_write *w);
void ack_write_refused(struct publish_write *w);

/*
 * Without a collector of our own: opens the cache at path for one short
 * write and waits at most wait_ms for another writer's lock. 0 written, 1
 * the cache stayed busy (nothing written; *cause names who holds it), -1
 * with *cause (read-only cache, no such alert, ...).
 */
int ack_write_now(const char *path, const struct ack_request *r, int wait_ms, char **cause);
/*
 * The same short write for any writer of the console's (acks, action
 * records): fn(st, arg, cause) on the cache at path, the same answers.
 */
int ack_store_write_now(const char *path, int wait_ms,
	    int (*fn)(struct store *st, const void *arg, char **cause), const void *arg,
	    char **cause);

#endif
