/*
 * ssh_jump.c: ProxyJump chains (ssh_jump.h): the registry of hops and their
 * shared sessions, hop logins, channel requests and the references hosts
 * hold. The bytes are moved by each session's pump (ssh_jump_pump.c).
 *
 * A hop is known by its place in the chain (every hop before it, and its
 * user, address, port, key files, known_hosts and policy): the same bastion
 * reached another way, or with another policy, is another hop. Its sessions
 * are reused while they have room; the first asker that finds none logs in
 * while later askers wait for that login (bounded by their own deadlines)
 * instead of making their own. A failed login is remembered for
 * JUMP_FAIL_HOLD_MS so that hundreds of hosts behind a refusing bastion do
 * not each try it at once.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ssh_int.h"
#include "ssh_jump_int.h"
#include "opsdeck/buf.h"
#include "opsdeck/source.h"
#include "opsdeck/util.h"

#define JUMP_FAIL_HOLD_MS	1000	/* a failed login answers later askers this long */

/* A hop as reached through the hops before it. Under jump_lock. */
struct jhop {
	struct jhop	*next;
	char		*key;
	struct jsess	*sessions;
	int64_t		 fail_until;
	enum host_state	 fail_state;
	char		*fail_cause;
};

struct jump_ref {
	struct jsess	*js;
};

static struct jhop *hops;

/* ctx's abort fd, -1 without one. */
static int
abort_of(const struct source_open_ctx *ctx)
{
	return ctx != NULL ? ctx->abort_fd : -1;
}

/* Tells ctx (if any) which socket a blocking login waits on now; -1: none. */
static void
announce(const struct source_open_ctx *ctx, int fd)
{
	if (ctx != NULL && ctx->on_socket != NULL)
		ctx->on_socket(ctx->arg, fd);
}

/* The registry key of hop n (1-based) of t's chain. malloc'd. */
static char *
hop_key(const struct ssh_target *t, size_t n)
{
	struct buf b;
	const struct ssh_hop *h = &t->hops[n - 1];

	buf_init(&b, 0);
	buf_printf(&b, "%d|%s|", (int)t->policy, t->known_hosts);
	for (size_t i = 0; i < h->nidentity; i++)
		buf_printf(&b, "%s,", h->identity[i]);
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "|%s@%s:%d", t->hops[i].user, t->hops[i].hostname, t->hops[i].port);
	char *k = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return k;
}

/* The hop of key (created when missing). jump_lock held. */
static struct jhop *
hop_get(const char *key)
{
	for (struct jhop *h = hops; h != NULL; h = h->next)
		if (strcmp(h->key, key) == 0)
			return h;
	struct jhop *h = xcalloc(1, sizeof *h);
	h->key = xstrdup(key);
	h->next = hops;
	hops = h;
	return h;
}

/* Drops hop h from the registry when nothing of it is left. jump_lock held. */
static void
hop_tidy(struct jhop *h)
{
	if (h->sessions != NULL || h->fail_until > now_mono_ms())
		return;
	for (struct jhop **pp = &hops; *pp != NULL; pp = &(*pp)->next)
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	free(h->key);
	free(h->fail_cause);
	free(h);
}

/*
 * A session of h with room for one more host (at most cap), not `avoid`;
 * NULL when none. jump_lock held.
 */
static struct jsess *
sess_pick(struct jhop *h, int cap, const struct jsess *avoid)
{
	for (struct jsess *s = h->sessions; s != NULL; s = s->next)
		if (s != avoid && !s->dead && !s->full && !s->stop && s->users < cap)
			return s;
	return NULL;
}

/*
 * Gives up one use of js (jump_lock held). Returns js when that was the
 * last: it is out of the registry and the caller must sess_end() it after
 * unlocking; else NULL.
 */
static struct jsess *
sess_unuse(struct jsess *js)
{
	if (--js->users > 0 || js->logging_in)
		return NULL;
	for (struct jsess **pp = &js->hop->sessions; *pp != NULL; pp = &(*pp)->next)
		if (*pp == js) {
			*pp = js->next;
			break;
		}
	js->stop = 1;
	if (js->started)
		jump_poke(js->wake[1]);
	hop_tidy(js->hop);
	js->hop = NULL;
	return js;
}

/* Ends a session out of the registry: its pump, its login, what it runs over. */
static void
sess_end(struct jsess *js)
{
	if (js == NULL)
		return;
	if (js->started)
		pthread_join(js->thr, NULL);
	ssh_login_end(js->ss, 0);	/* NULL once the pump has ended it */
	if (js->wake[0] >= 0) {
		close(js->wake[0]);
		close(js->wake[1]);
	}
	jump_release(js->via);
	free(js->label);
	free(js->fail_cause);
	free(js);
}

void
jump_release(struct jump_ref *ref)
{
	if (ref == NULL)
		return;
	pthread_mutex_lock(&jump_lock);
	struct jsess *end = sess_unuse(ref->js);
	pthread_mutex_unlock(&jump_lock);
	sess_end(end);
	free(ref);
}

static int chan_open(const struct ssh_target *t, size_t n, const char *host, int port,
    int64_t deadline, const struct source_open_ctx *ctx, int *fd, struct jump_ref **ref,
    enum host_state *state, char **cause);

/*
 * Logs in to hop n of t for js (jump_lock not held): TCP for the first hop,
 * else a channel of hop n-1; then the pump starts. 0, or -1 with *state and
 * *cause (naming the hop).
 */
static int
sess_login(struct jsess *js, const struct ssh_target *t, size_t n, int64_t deadline,
    const struct source_open_ctx *ctx, enum host_state *state, char **cause)
{
	const struct ssh_hop *h = &t->hops[n - 1];
	struct ssh_peer p = { .label = js->label, .hostname = h->hostname, .port = h->port,
	    .user = h->user, .identity = h->identity, .nidentity = h->nidentity,
	    .known_hosts = t->known_hosts, .known_hosts_explicit = t->known_hosts_explicit,
	    .policy = t->policy, .deadline = deadline, .timeout_ms = t->timeout_ms };
	int fd = -1, rc;

	if (n == 1)
		rc = ssh_tcp_connect(&p, abort_of(ctx), &fd, state, cause);
	else
		rc = chan_open(t, n - 1, h->hostname, h->port, deadline, ctx, &fd, &js->via,
		    state, cause);
	if (rc != 0)
		return -1;
	/* Stopping the collector shuts it down under the blocking login. */
	announce(ctx, fd);
	rc = ssh_login(&p, fd, &js->ss, state, cause);
	announce(ctx, -1);
	if (rc != 0)
		return -1;
	ssh_set_blocking(js->ss, 0);
	if (pipe2(js->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
		js->wake[0] = js->wake[1] = -1;
		*state = HOST_DOWN;
		*cause = ssh_peer_msg(&p, "cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	if (pthread_create(&js->thr, NULL, jump_pump_main, js) != 0) {
		*state = HOST_DOWN;
		*cause = ssh_peer_msg(&p, "cannot start a thread");
		return -1;
	}
	js->started = 1;
	return 0;
}

/*
 * Takes a session of hop n for one more host (jump_lock held; it may be
 * released while logging in). 0 with *out reserved (users counted) and
 * ready, or -1 with *state and *cause. *end gets a session to sess_end()
 * after unlocking, or NULL.
 */
static int
sess_take(const struct ssh_target *t, size_t n, const struct jsess *avoid, int64_t deadline,
    const struct source_open_ctx *ctx, struct jsess **out, struct jsess **end,
    enum host_state *state, char **cause)
{
	char *key = hop_key(t, n);
	struct jhop *h = hop_get(key);
	int cap = t->jump_channels > 0 ? t->jump_channels : SSH_JUMP_CHANNELS;

	free(key);
	*end = NULL;
	if (h->fail_until > now_mono_ms()) {
		*state = h->fail_state;
		*cause = xstrdup(h->fail_cause);
		return -1;
	}
	struct jsess *js = sess_pick(h, cap, avoid);
	if (js == NULL) {
		js = xcalloc(1, sizeof *js);
		js->hop = h;
		js->label = xasprintf("hop %s", t->hops[n - 1].label);
		js->timeout_ms = t->timeout_ms;
		js->wake[0] = js->wake[1] = -1;
		js->users = 1;
		js->logging_in = 1;
		js->next = h->sessions;
		h->sessions = js;
		pthread_mutex_unlock(&jump_lock);
		int rc = sess_login(js, t, n, deadline, ctx, state, cause);
		pthread_mutex_lock(&jump_lock);
		js->logging_in = 0;
		if (rc != 0) {
			js->dead = 1;
			js->fail_state = *state;
			js->fail_cause = xstrdup(*cause);
			free(h->fail_cause);
			h->fail_state = *state;
			h->fail_cause = xstrdup(*cause);
			h->fail_until = now_mono_ms() + JUMP_FAIL_HOLD_MS;
			jump_signal();
			*end = sess_unuse(js);
			return -1;
		}
		js->ready = 1;
		jump_signal();
		*out = js;
		return 0;
	}
	js->users++;
	while (js->logging_in)
		if (jump_wait(deadline, abort_of(ctx)))
			break;
	if (js->logging_in || js->dead) {
		if (js->dead) {
			*state = js->fail_state;
			*cause = xstrdup(js->fail_cause != NULL ? js->fail_cause : "hop lost");
		} else {
			char d[32];
			duration_format(t->timeout_ms, d, sizeof d);
			*state = HOST_TIMEOUT;
			*cause = xasprintf("%s: login not done after %s", js->label, d);
		}
		*end = sess_unuse(js);
		return -1;
	}
	*out = js;
	return 0;
}

/*
 * Asks js's pump for a channel to host:port and waits for the answer
 * (jump_lock held). 0 with *fd, or -1 with *state, *cause and *refused.
 */
static int
chan_ask(struct jsess *js, const char *host, int port, int64_t deadline,
    const struct source_open_ctx *ctx, int *fd, int *refused, enum host_state *state, char **cause)
{
	struct jreq *rq = xcalloc(1, sizeof *rq);
	rq->host = xstrdup(host);
	rq->port = port;
	rq->deadline = deadline;
	rq->fd = -1;
	struct jreq **pp = &js->reqs;
	while (*pp != NULL)
		pp = &(*pp)->next;
	*pp = rq;
	jump_poke(js->wake[1]);
	while (rq->status == JREQ_PENDING)
		if (jump_wait(deadline, abort_of(ctx)))
			break;
	*refused = 0;
	if (rq->status == JREQ_PENDING) {
		/* The pump frees it; a hop that does not answer takes no more hosts. */
		rq->abandoned = 1;
		js->full = 1;
		char d[32];
		duration_format(js->timeout_ms, d, sizeof d);
		*state = HOST_TIMEOUT;
		*cause = xasprintf("%s: no answer to a channel to %s port %d within %s", js->label,
		    host, port, d);
		return -1;
	}
	int rc = rq->status == JREQ_OK ? 0 : -1;
	if (rc == 0)
		*fd = rq->fd;
	else {
		*state = rq->state;
		*cause = rq->cause;
		rq->cause = NULL;
		*refused = rq->refused;
	}
	free(rq->host);
	free(rq->cause);
	free(rq);
	return rc;
}

/*
 * A channel to host:port through hops 1..n of t. A refusal by a session
 * that carries other channels is tried once more on another session; when
 * that one accepts, the first takes no more hosts (its sshd's limit).
 */
static int
chan_open(const struct ssh_target *t, size_t n, const char *host, int port, int64_t deadline,
    const struct source_open_ctx *ctx, int *fd, struct jump_ref **ref, enum host_state *state,
    char **cause)
{
	struct jsess *held = NULL, *js = NULL, *end[3] = { NULL, NULL, NULL };
	size_t nend = 0;
	int rc;

	pthread_mutex_lock(&jump_lock);
	for (;;) {
		struct jsess *e = NULL;
		rc = sess_take(t, n, held, deadline, ctx, &js, &e, state, cause);
		if (e != NULL)
			end[nend++] = e;
		if (rc != 0)
			break;
		int busy = js->nopen > 0, refused = 0;
		rc = chan_ask(js, host, port, deadline, ctx, fd, &refused, state, cause);
		if (rc == 0) {
			*ref = xcalloc(1, sizeof **ref);
			(*ref)->js = js;
			if (held != NULL)
				held->full = 1;
			break;
		}
		if (refused && busy && held == NULL) {
			/* Its reservation stays, so that the retry goes elsewhere. */
			held = js;
			free(*cause);
			*cause = NULL;
			continue;
		}
		if ((e = sess_unuse(js)) != NULL)
			end[nend++] = e;
		break;
	}
	if (held != NULL && (held = sess_unuse(held)) != NULL)
		end[nend++] = held;
	pthread_mutex_unlock(&jump_lock);
	for (size_t i = 0; i < nend; i++)
		sess_end(end[i]);
	return rc;
}

int
jump_open(const struct ssh_target *t, int64_t deadline, const struct source_open_ctx *ctx,
    int *fd, struct jump_ref **ref, enum host_state *state, char **cause)
{
	*ref = NULL;
	*fd = -1;
	return chan_open(t, t->nhops, t->hostname, t->port, deadline, ctx, fd, ref, state,
	    cause);
}
