/*
 * ssh_jump_pump.c: the pump thread of one hop session (ssh_jump_int.h).
 *
 * It alone touches the session once logged in (libssh sessions are never
 * shared between threads). One ssh_event waits on the session's socket,
 * the wake-up pipe and our end of every channel's socket pair; nothing in
 * it blocks: the session is non-blocking and every channel open carries the
 * asker's deadline.
 *
 * Bytes from a channel are written to its socket pair straight from
 * libssh's data callback; what does not fit stays in libssh's channel
 * buffer (its window then closes, so the far side waits) and is read out
 * once the socket pair takes more. Bytes from the socket pair go into the
 * channel only as far as its window allows, so a host that reads slowly
 * stalls only its own channel. A channel ends when the host's side closes
 * its socket, or when the far side closes and everything was delivered.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libssh/callbacks.h>

#include "ssh_int.h"
#include "ssh_jump_int.h"
#include "opsdeck/util.h"

#define JUMP_BUF	32768	/* bytes moved per read */
#define JUMP_WAIT_SLICE_MS	100	/* waits look at abort_fd this often */

pthread_mutex_t jump_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t jump_cond;
static pthread_once_t jump_once = PTHREAD_ONCE_INIT;

static void
cond_init(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&jump_cond, &a);
	pthread_condattr_destroy(&a);
}

void
jump_signal(void)
{
	pthread_once(&jump_once, cond_init);
	pthread_cond_broadcast(&jump_cond);
}

int
jump_wait(int64_t deadline, int abort_fd)
{
	int64_t now = now_mono_ms();
	if (now >= deadline)
		return 1;
	if (abort_fd >= 0) {
		struct pollfd p = { .fd = abort_fd, .events = POLLIN };
		if (poll(&p, 1, 0) > 0)
			return 1;
	}
	pthread_once(&jump_once, cond_init);
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int64_t ms = OD_MIN(deadline - now, JUMP_WAIT_SLICE_MS);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&jump_cond, &jump_lock, &ts);
	return 0;
}

void
jump_poke(int fd)
{
	ssize_t r;
	do
		r = write(fd, "x", 1);
	while (r < 0 && errno == EINTR);
}

struct jchan {
	struct jchan	*next;
	struct jreq	*rq;		/* while opening; then NULL */
	ssh_channel	 ch;
	int		 fd;		/* our end of the socket pair; -1 while opening */
	struct ssh_channel_callbacks_struct cb;
	char		*out;		/* channel bytes read out that the pair did not take */
	size_t		 nout, oout;
	char		*in;		/* pair bytes the channel did not take (re-keying) */
	size_t		 nin, oin;
	int		 out_blocked;	/* the pair is full: data waits in libssh */
	int		 in_eof;	/* the host's side closed */
	int		 wr_shut;	/* the far side's EOF passed on */
	int		 counted;	/* in js->nopen */
	int		 dead;
	short		 events, revents;
};

/* libssh's data callback: straight into the socket pair, as far as it goes. */
static int
on_data(ssh_session s, ssh_channel c, void *data, uint32_t len, int is_stderr, void *ud)
{
	struct jchan *jc = ud;

	(void)s;
	(void)c;
	if (is_stderr || jc->dead || jc->fd < 0)
		return (int)len;
	if (jc->out_blocked || jc->nout > 0)
		return 0;
	ssize_t w = send(jc->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			jc->dead = 1;
			return (int)len;
		}
		w = 0;
	}
	if ((uint32_t)w < len)
		jc->out_blocked = 1;
	return (int)w;
}

/* ssh_event's callback for a socket pair: only notes what happened. */
static int
on_fd(socket_t fd, int revents, void *ud)
{
	struct jchan *jc = ud;

	(void)fd;
	jc->revents |= (short)revents;
	return 0;
}

static int
on_wake(socket_t fd, int revents, void *ud)
{
	(void)fd;
	(void)revents;
	(void)ud;
	return 0;
}

/*
 * Answers jc's request (jump_lock taken here). An asker that gave up gets
 * nothing: its request is freed and the channel ends.
 */
static void
answer(struct jsess *js, struct jchan *jc, enum jreq_status st, int peer_fd,
    enum host_state state, char *cause, int refused)
{
	struct jreq *rq = jc->rq;

	jc->rq = NULL;
	pthread_mutex_lock(&jump_lock);
	if (rq->abandoned) {
		free(rq->host);
		free(rq->cause);
		free(rq);
		free(cause);
		if (peer_fd >= 0)
			close(peer_fd);
		jc->dead = 1;
	} else {
		rq->status = st;
		rq->fd = peer_fd;
		rq->state = state;
		rq->cause = cause;
		rq->refused = refused;
		if (st == JREQ_OK) {
			js->nopen++;
			jc->counted = 1;
		}
		jump_signal();
	}
	pthread_mutex_unlock(&jump_lock);
}

/* Sets O_NONBLOCK and FD_CLOEXEC. */
static void
fd_setup(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
}

/* Drives the open of jc's channel one step; answers when it is decided. */
static void
open_step(struct jsess *js, ssh_event ev, struct jchan *jc)
{
	struct jreq *rq = jc->rq;
	int rc = ssh_channel_open_forward(jc->ch, rq->host, rq->port, "127.0.0.1", 22);

	if (rc == SSH_AGAIN) {
		if (now_mono_ms() < rq->deadline)
			return;
		char d[32];
		duration_format(js->timeout_ms, d, sizeof d);
		answer(js, jc, JREQ_FAILED, -1, HOST_TIMEOUT, xasprintf("%s: no answer to a "
		    "channel to %s port %d within %s", js->label, rq->host, rq->port, d), 0);
		jc->dead = 1;
		return;
	}
	if (rc != SSH_OK) {
		const char *e = ssh_get_error(js->ss);
		int alive = ssh_is_connected(js->ss);
		answer(js, jc, JREQ_FAILED, -1, HOST_DOWN, alive ?
		    xasprintf("%s: channel to %s port %d refused: %s", js->label, rq->host,
		    rq->port, e != NULL && *e ? e : "no reason given") :
		    xasprintf("%s: connection lost: %s", js->label, e != NULL && *e ? e : "closed"),
		    alive);
		jc->dead = 1;
		return;
	}
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		answer(js, jc, JREQ_FAILED, -1, HOST_DOWN, xasprintf("%s: cannot make a socket "
		    "pair: %s", js->label, strerror(errno)), 0);
		jc->dead = 1;
		return;
	}
	fd_setup(sv[0]);
	fd_setup(sv[1]);
	jc->fd = sv[0];
	ssh_callbacks_init(&jc->cb);
	jc->cb.userdata = jc;
	jc->cb.channel_data_function = on_data;
	ssh_set_channel_callbacks(jc->ch, &jc->cb);
	/* What came with the confirmation waits in libssh's buffer: read it out. */
	jc->out_blocked = 1;
	jc->events = POLLIN;
	ssh_event_add_fd(ev, jc->fd, POLLIN, on_fd, jc);
	answer(js, jc, JREQ_OK, sv[1], HOST_UP, NULL, 0);
}

/* Channel to pair: what waits in jc->out, then in libssh's buffer. */
static void
flush_out(struct jchan *jc)
{
	char buf[JUMP_BUF];

	for (;;) {
		while (jc->oout < jc->nout) {
			ssize_t w = send(jc->fd, jc->out + jc->oout, jc->nout - jc->oout,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				return;
			if (w < 0) {
				jc->dead = 1;
				return;
			}
			jc->oout += (size_t)w;
		}
		jc->nout = jc->oout = 0;
		int r = ssh_channel_read_nonblocking(jc->ch, buf, sizeof buf, 0);
		if (r <= 0) {
			jc->out_blocked = 0;
			return;
		}
		if (jc->out == NULL)
			jc->out = xmalloc(JUMP_BUF);
		memcpy(jc->out, buf, (size_t)r);
		jc->nout = (size_t)r;
	}
}

/* Pair to channel, within the channel's window. */
static void
push_in(struct jchan *jc, int readable)
{
	if (jc->oin < jc->nin) {
		int w = ssh_channel_write(jc->ch, jc->in + jc->oin, (uint32_t)(jc->nin - jc->oin));
		if (w < 0) {
			jc->dead = 1;
			return;
		}
		jc->oin += (size_t)w;
		if (jc->oin < jc->nin)
			return;
		jc->nin = jc->oin = 0;
	}
	if (!readable || jc->in_eof)
		return;
	uint32_t win = ssh_channel_window_size(jc->ch);
	if (win == 0)
		return;
	if (jc->in == NULL)
		jc->in = xmalloc(JUMP_BUF);
	ssize_t r = recv(jc->fd, jc->in, OD_MIN((size_t)win, (size_t)JUMP_BUF), MSG_DONTWAIT);
	if (r == 0) {
		jc->in_eof = 1;
		return;
	}
	if (r < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			jc->dead = 1;
		return;
	}
	jc->nin = (size_t)r;
	jc->oin = 0;
	push_in(jc, 0);
}

/* One look at an open channel after a wait; sets its poll interest. */
static void
chan_service(ssh_event ev, struct jchan *jc)
{
	short rev = jc->revents;

	jc->revents = 0;
	if (jc->out_blocked || jc->nout > 0)
		flush_out(jc);
	if (!jc->dead)
		push_in(jc, (rev & (POLLIN | POLLHUP | POLLERR)) != 0);
	if (jc->dead)
		return;
	if (jc->in_eof && jc->nin == 0) {
		/* The host's session is gone: nothing more to deliver either way. */
		jc->dead = 1;
		return;
	}
	int flushed = !jc->out_blocked && jc->nout == 0;
	if (flushed && ssh_channel_is_eof(jc->ch) && !jc->wr_shut) {
		shutdown(jc->fd, SHUT_WR);
		jc->wr_shut = 1;
	}
	if (flushed && ssh_channel_is_closed(jc->ch)) {
		jc->dead = 1;
		return;
	}
	short want = 0;
	if (jc->nin == 0 && !jc->in_eof && ssh_channel_window_size(jc->ch) > 0)
		want |= POLLIN;
	if (!flushed)
		want |= POLLOUT;
	if (want != jc->events) {
		if (jc->events != 0)
			ssh_event_remove_fd(ev, jc->fd);
		if (want != 0)
			ssh_event_add_fd(ev, jc->fd, want, on_fd, jc);
		jc->events = want;
	}
}

/* Ends jc: its channel (politely while the session lives), its fd, its count. */
static void
chan_free(struct jsess *js, ssh_event ev, struct jchan *jc)
{
	if (jc->rq != NULL)
		answer(js, jc, JREQ_FAILED, -1, HOST_DOWN, xasprintf("%s: connection lost",
		    js->label), 0);
	if (jc->fd >= 0) {
		if (jc->events != 0)
			ssh_event_remove_fd(ev, jc->fd);
		ssh_remove_channel_callbacks(jc->ch, &jc->cb);
		close(jc->fd);
	}
	if (ssh_channel_is_open(jc->ch) && ssh_is_connected(js->ss))
		ssh_channel_close(jc->ch);
	ssh_channel_free(jc->ch);
	if (jc->counted) {
		pthread_mutex_lock(&jump_lock);
		js->nopen--;
		pthread_mutex_unlock(&jump_lock);
	}
	free(jc->out);
	free(jc->in);
	free(jc);
}

/* New requests into channels being opened. */
static void
take_requests(struct jsess *js, int *stop)
{
	pthread_mutex_lock(&jump_lock);
	struct jreq *rq = js->reqs;
	js->reqs = NULL;
	*stop = js->stop;
	pthread_mutex_unlock(&jump_lock);
	while (rq != NULL) {
		struct jreq *next = rq->next;
		struct jchan *jc = xcalloc(1, sizeof *jc);
		rq->next = NULL;
		jc->rq = rq;
		jc->fd = -1;
		jc->ch = ssh_channel_new(js->ss);
		if (jc->ch == NULL)
			fatal("ssh_channel_new: out of memory");
		jc->next = js->chans;
		js->chans = jc;
		rq = next;
	}
}

void *
jump_pump_main(void *arg)
{
	struct jsess *js = arg;
	ssh_event ev = ssh_event_new();
	int stop = 0;

	if (ev == NULL)
		fatal("ssh_event_new: out of memory");
	ssh_event_add_session(ev, js->ss);
	ssh_event_add_fd(ev, js->wake[0], POLLIN, on_wake, NULL);
	for (;;) {
		char b[64];
		while (read(js->wake[0], b, sizeof b) > 0)
			;
		take_requests(js, &stop);
		if (stop)
			break;
		int64_t until = now_mono_ms() + 1000;
		int hurry = 0;
		for (struct jchan *jc = js->chans; jc != NULL; jc = jc->next) {
			if (jc->rq != NULL) {
				open_step(js, ev, jc);
				if (jc->rq != NULL)
					until = OD_MIN(until, jc->rq->deadline);
			} else if (!jc->dead)
				chan_service(ev, jc);
			hurry |= jc->nin > 0;
		}
		for (struct jchan **pp = &js->chans; *pp != NULL;) {
			struct jchan *jc = *pp;
			if (jc->dead) {
				*pp = jc->next;
				chan_free(js, ev, jc);
			} else
				pp = &jc->next;
		}
		if (!ssh_is_connected(js->ss))
			break;
		int wait = (int)OD_MAX(OD_MIN(until - now_mono_ms(), 1000), 0);
		ssh_event_dopoll(ev, hurry ? OD_MIN(wait, 20) : wait);
	}
	/* No new hosts on it; those waiting for an answer hear why. */
	const char *e = ssh_get_error(js->ss);
	pthread_mutex_lock(&jump_lock);
	js->dead = 1;
	if (js->fail_cause == NULL) {
		js->fail_state = HOST_DOWN;
		js->fail_cause = stop ? xasprintf("%s: session closed", js->label) :
		    xasprintf("%s: connection lost: %s", js->label, e != NULL && *e ? e : "closed");
	}
	pthread_mutex_unlock(&jump_lock);
	take_requests(js, &stop);
	while (js->chans != NULL) {
		struct jchan *jc = js->chans;
		js->chans = jc->next;
		chan_free(js, ev, jc);
	}
	ssh_event_remove_fd(ev, js->wake[0]);
	ssh_event_remove_session(ev, js->ss);
	ssh_event_free(ev);
	ssh_login_end(js->ss, 1);
	js->ss = NULL;
	return NULL;
}
