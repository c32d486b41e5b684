/*
 * acks.c: acknowledgements through the one writer (acks.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/acks.h"
#include "opsdeck/alert.h"
#include "opsdeck/store.h"
#include "opsdeck/util.h"

void
ack_outbox_init(struct ack_outbox *b)
{
	memset(b, 0, sizeof *b);
	pthread_mutex_init(&b->lock, NULL);
}

void
ack_outbox_free(struct ack_outbox *b)
{
	pthread_mutex_destroy(&b->lock);
}

int
ack_outbox_take(struct ack_outbox *b, char *msg, size_t len, int *error)
{
	int have;

	pthread_mutex_lock(&b->lock);
	have = b->have;
	if (have) {
		od_strlcpy(msg, b->msg, len);
		*error = b->error;
		b->have = 0;
	}
	pthread_mutex_unlock(&b->lock);
	return have;
}

int
ack_apply(struct store *st, const struct ack_request *r, int64_t now_ms, char **cause)
{
	if (r->alert_id != 0)
		return alert_store_ack(st, r->alert_id, r->note, now_ms, cause);
	return devices_store_ack(st, r->controller, r->device, r->note, now_ms, cause);
}

/* A queued acknowledgement: the request and where its outcome goes. */
struct ack_job {
	struct ack_request	 r;
	struct ack_outbox	*box;
};

static int
job_apply(struct store *st, void *arg, int64_t now_ms, char **cause)
{
	const struct ack_job *j = arg;
	return ack_apply(st, &j->r, now_ms, cause);
}

/* On the collector's thread: the outcome for the console, then the job goes. */
static void
job_done(void *arg, int rc, const char *cause)
{
	struct ack_job *j = arg;
	struct ack_outbox *b = j->box;

	pthread_mutex_lock(&b->lock);
	b->have = 1;
	b->error = rc != 0;
	if (rc == 0)
		snprintf(b->msg, sizeof b->msg, "acknowledged %s", j->r.what);
	else
		snprintf(b->msg, sizeof b->msg, "acknowledgement of %s not stored: %s",
		    j->r.what, cause != NULL ? cause : "?");
	if (b->waiting > 0)
		b->waiting--;
	pthread_mutex_unlock(&b->lock);
	free(j);
}

void
ack_write(const struct ack_request *r, struct ack_outbox *box, struct publish_write *w)
{
	struct ack_job *j = xcalloc(1, sizeof *j);

	j->r = *r;
	j->box = box;
	pthread_mutex_lock(&box->lock);
	box->waiting++;
	pthread_mutex_unlock(&box->lock);
	w->apply = job_apply;
	w->done = job_done;
	w->arg = j;
}

void
ack_write_refused(struct publish_write *w)
{
	struct ack_job *j = w->arg;

	pthread_mutex_lock(&j->box->lock);
	if (j->box->waiting > 0)
		j->box->waiting--;
	pthread_mutex_unlock(&j->box->lock);
	free(j);
	w->arg = NULL;
}

int
ack_write_now(const char *path, const struct ack_request *r, int wait_ms, char **cause)
{
	struct store *w = NULL;

	if (store_open(path, 0, &w, cause) != 0)
		return -1;
	store_set_busy_ms(w, wait_ms);
	int rc = ack_apply(w, r, now_wall_ms(), cause);
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
