/*
 * action_log.c: action records through the one writer (action.h), the way
 * acks.c writes acknowledgements: a publish_write for the console's own
 * collector, written in its next tick's transaction; or, --offline, one
 * short write that waits at most a few milliseconds for another writer.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/acks.h"
#include "opsdeck/action.h"
#include "opsdeck/publish.h"
#include "opsdeck/store.h"
#include "opsdeck/util.h"

/* A queued record and where a failure is told. */
struct action_job {
	struct action_record	 r;
	struct ack_outbox	*box;
};

static int
job_apply(struct store *st, void *arg, int64_t now_ms, char **cause)
{
	const struct action_job *j = arg;

	(void)now_ms;
	return action_store_put(st, &j->r, cause);
}

/* On the collector's thread: a failure goes to the console; the job goes. */
static void
job_done(void *arg, int rc, const char *cause)
{
	struct action_job *j = arg;
	struct ack_outbox *b = j->box;

	pthread_mutex_lock(&b->lock);
	if (rc != 0) {
		b->have = 1;
		b->error = 1;
		snprintf(b->msg, sizeof b->msg, "%s action not recorded: %s",
		    action_kind_name(j->r.kind), cause != NULL ? cause : "?");
	}
	pthread_mutex_unlock(&b->lock);
	ack_outbox_leave(b);
	action_record_free(&j->r);
	free(j);
}

/* See action.h. */
void
action_write(const struct action_record *r, struct ack_outbox *box, struct publish_write *w)
{
	struct action_job *j = xcalloc(1, sizeof *j);

	action_record_copy(&j->r, r);
	j->box = box;
	ack_outbox_enter(box);
	w->apply = job_apply;
	w->done = job_done;
	w->arg = j;
}

/* See action.h. */
void
action_write_refused(struct publish_write *w)
{
	struct action_job *j = w->arg;

	ack_outbox_leave(j->box);
	action_record_free(&j->r);
	free(j);
	w->arg = NULL;
}

/* action_write_now's fn. */
static int
put_now(struct store *st, const void *arg, char **cause)
{
	return action_store_put(st, arg, cause);
}

/* See action.h. */
int
action_write_now(const char *path, const struct action_record *r, int wait_ms, char **cause)
{
	return ack_store_write_now(path, wait_ms, put_now, r, cause);
}
