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
	if (b->waiting > 0)
		b->waiting--;
	pthread_mutex_unlock(&b->lock);
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
	pthread_mutex_lock(&box->lock);
	box->waiting++;
	pthread_mutex_unlock(&box->lock);
	w->apply = job_apply;
	w->done = job_done;
	w->arg = j;
}

/* See action.h. */
void
action_write_refused(struct publish_write *w)
{
	struct action_job *j = w->arg;

	pthread_mutex_lock(&j->box->lock);
	if (j->box->waiting > 0)
		j->box->waiting--;
	pthread_mutex_unlock(&j->box->lock);
	action_record_free(&j->r);
	free(j);
	w->arg = NULL;
}

/* See action.h. */
int
action_write_now(const char *path, const struct action_record *r, int wait_ms, char **cause)
{
	struct store *w = NULL;

	if (store_open(path, 0, &w, cause) != 0)
		return -1;
	store_set_busy_ms(w, wait_ms);
	int rc = action_store_put(w, r, cause);
	if (rc != 0 && store_last_busy(w)) {
		char *who = store_writer_holder(path);
		free(*cause);
		*cause = xasprintf("the cache is busy%s%s", who != NULL ? ": written by " : "",
		    who != NULL ? who : "");
		free(who);
		rc = 1;
	}
	store_close(w);
	return rc;
}
