/*
 * connect.c: the connector threads of the collector (collector_int.h). A
 * host whose source opens with blocking calls (ssh: TCP connect, key
 * exchange, host key, authentication, exec) waits in a queue; up to
 * connect_window (the config's) threads take hosts from it, open them with the
 * source's own deadlines and hand the result (a connection, or a state and
 * a message) to the host's worker through its inbox. A source in reports
 * mode polls here instead, and its answer goes the same way.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collector_int.h"
#include "opsdeck/util.h"

void
drain_fd(int fd)
{
	char b[256];
	while (read(fd, b, sizeof b) > 0)
		;
}

void
poke_fd(int fd)
{
	ssize_t r;
	do
		r = write(fd, "x", 1);
	while (r < 0 && errno == EINTR);
}

void
connect_enqueue(struct chost *ch)
{
	struct collector *c = ch->c;

	ch->phase = PH_CONNECTING;
	pthread_mutex_lock(&c->qlock);
	if (c->qlen == c->qcap) {
		size_t ncap = c->qcap ? c->qcap * 2 : 64;
		size_t *nq = xreallocarray(NULL, ncap, sizeof *nq);
		for (size_t i = 0; i < c->qlen; i++)
			nq[i] = c->queue[(c->qhead + i) % c->qcap];
		free(c->queue);
		c->queue = nq;
		c->qcap = ncap;
		c->qhead = 0;
	}
	c->queue[(c->qhead + c->qlen) % c->qcap] = ch->idx;
	c->qlen++;
	pthread_cond_signal(&c->qcond);
	pthread_mutex_unlock(&c->qlock);
}

void
worker_post(struct worker *w, const struct inbox_item *it)
{
	pthread_mutex_lock(&w->inbox_lock);
	if (w->ninbox == w->capinbox) {
		w->capinbox = w->capinbox ? w->capinbox * 2 : 16;
		w->inbox = xreallocarray(w->inbox, w->capinbox, sizeof *w->inbox);
	}
	w->inbox[w->ninbox++] = *it;
	pthread_mutex_unlock(&w->inbox_lock);
	poke_fd(w->wake[1]);
}

/*
 * source_open_ctx's on_socket: remembers the socket a connector is setting
 * up so that transports_stop can shut it down under a blocking call; one
 * that shows up after stopping began is shut down at once.
 */
static void
on_socket(void *arg, int sock)
{
	struct chost *ch = arg;
	struct collector *c = ch->c;

	pthread_mutex_lock(&c->lock);
	ch->sock = sock;
	if (sock >= 0 && atomic_load(&c->stopping))
		shutdown(sock, SHUT_RDWR);
	pthread_mutex_unlock(&c->lock);
}

void *
connector_main(void *arg)
{
	struct collector *c = arg;

	for (;;) {
		pthread_mutex_lock(&c->qlock);
		while (c->qlen == 0 && !atomic_load(&c->stopping))
			pthread_cond_wait(&c->qcond, &c->qlock);
		if (c->qlen == 0) {
			pthread_mutex_unlock(&c->qlock);
			break;
		}
		size_t idx = c->queue[c->qhead];
		c->qhead = (c->qhead + 1) % c->qcap;
		c->qlen--;
		pthread_mutex_unlock(&c->qlock);

		struct chost *ch = &c->hosts[idx];
		if (!ch->begun) {
			ch->begun = 1;
			if (atomic_fetch_add(&c->nbegun, 1) + 1 == c->nblocking)
				atomic_store(&c->all_begun_mono, (long long)now_mono_ms());
		}
		struct inbox_item it = { .idx = idx, .conn = NULL, .poll = NULL,
		    .state = HOST_DOWN, .cause = NULL };
		if (!atomic_load(&c->stopping)) {
			struct source_open_ctx ctx = { c->abort_pipe[0], on_socket, ch };
			if (ch->cg->src->poll != NULL) {
				/* reports mode: one poll, its answer to the worker */
				struct source_poll_opts o = { ch->cg->nslots, c->cfg->shard_k,
					c->cfg->shard_n };
				it.poll = xcalloc(1, sizeof *it.poll);
				if (ch->cg->src->poll(ch->hd, &ctx, &o, it.poll, &it.state,
				    &it.cause) != 0) {
					free(it.poll);
					it.poll = NULL;
				}
			} else {
				/* this stream's */
				char *cmd = frame_command(ch->cg->script, ch->fr.nonce);
				if (ch->cg->src->open(ch->hd, cmd, &ctx, &it.conn, &it.state,
				    &it.cause) != 0)
					it.conn = NULL;
				free(cmd);
			}
		}
		worker_post(ch->w, &it);
	}
	return NULL;
}
