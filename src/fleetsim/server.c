/*
 * server.c: the libssh side of opsdeck-fleetsim.
 *
 * One thread, one epoll. Every node has its own listening socket; accepted
 * connections become non-blocking libssh sessions (ssh_bind_accept_fd with
 * the node's ssh_bind, whose only job is to hold the host key), each in an
 * ssh_event of its own that is polled (one fd) only when epoll says its
 * socket is ready. Key exchange, public-key auth and channel requests run
 * in callbacks that only record what happened. All real work (accepting,
 * answering exec requests, writing frames, faults, freeing) happens in the
 * loop, and only for sessions that had I/O or have a frame due: at 1,000
 * sessions the loop does not scan the fleet with libssh calls or poll().
 *
 * Output is written only as far as the client's channel window allows; the
 * rest waits in the channel's buffer, and a channel with output still queued
 * makes no new frame (as a real `sh` loop blocks on a full pipe).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fleetsim.h"
#include "server_int.h"
#include "opsdeck/budget.h"
#include "opsdeck/testbed.h"

#define CHAN_OUT_LIMIT		(8 * 1024 * 1024)
#define FLOOD_CHUNK		(256 * 1024)
#define TIMER_SLACK_MS		10


static void
logv(struct fleetsim *fs, const char *fmt, ...) OD_PRINTF(2, 3);

static void
logv(struct fleetsim *fs, const char *fmt, ...)
{
	va_list ap;

	if (!fs->verbose)
		return;
	va_start(ap, fmt);
	fputs("opsdeck-fleetsim: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Reads what the control FIFO has into fs->control_line. */
static void
control_read(struct fleetsim *fs)
{
	char tmp[4096];
	ssize_t r;

	while ((r = read(fs->control_fd, tmp, sizeof tmp)) > 0)
		buf_append(&fs->control_line, tmp, (size_t)r);
}

/* A signal arrived through the self-pipe: stop. */
static void
signal_read(struct fleetsim *fs)
{
	char tmp[64];

	while (read(fs->sig_fd, tmp, sizeof tmp) > 0)
		;
	fs->stop = 1;
}

/* epoll_ctl with w as the event's data; errors are ignored (a closed fd). */
static void
watch_ctl(struct fleetsim *fs, int op, int fd, uint32_t mask, struct fs_watch *w)
{
	struct epoll_event e;

	memset(&e, 0, sizeof e);
	e.events = mask;
	e.data.ptr = w;
	epoll_ctl(fs->epfd, op, fd, &e);
}

/* Takes a session out of epoll, unless libssh already closed its socket. */
static void
session_unwatch(struct fleetsim *fs, struct fs_session *sess)
{
	if (!sess->in_epoll)
		return;
	sess->in_epoll = 0;
	/* the fd number may already belong to a newer connection */
	if (ssh_get_fd(sess->s) == sess->fd)
		watch_ctl(fs, EPOLL_CTL_DEL, sess->fd, 0, NULL);
}

static void
session_watch(struct fleetsim *fs, struct fs_session *sess)
{
	if (sess->in_epoll || ssh_get_fd(sess->s) != sess->fd)
		return;
	sess->in_epoll = 1;
	sess->epmask = EPOLLIN;
	sess->active = 1;
	watch_ctl(fs, EPOLL_CTL_ADD, sess->fd, sess->epmask, &sess->watch);
}

/* ---- sessions ----------------------------------------------------------- */

/* Frees our side of a channel; libssh may keep the ssh_channel a while longer. */
static void
chan_free(struct fs_chan *c)
{
	if (c->ch != NULL)
		ssh_remove_channel_callbacks(c->ch, &c->cb);
	free(c->cmd);
	buf_free(&c->out);
	free(c);
}

/*
 * Ends a session: polite sends SSH_MSG_DISCONNECT, otherwise the socket is
 * just closed (a node that died). Frees everything; sess is gone afterwards.
 */
static void
session_destroy(struct fleetsim *fs, struct fs_session *sess, int polite)
{
	struct fs_session **pp;

	logv(fs, "%s: session closed", sess->node->name);
	for (pp = &sess->node->sessions; *pp != NULL; pp = &(*pp)->next)
		if (*pp == sess) {
			*pp = sess->next;
			break;
		}
	session_unwatch(fs, sess);
	if (sess->ev != NULL) {
		ssh_event_remove_session(sess->ev, sess->s);
		ssh_event_free(sess->ev);
	}
	/* ours first: ssh_disconnect() frees the ssh_channels */
	while (sess->chans != NULL) {
		struct fs_chan *c = sess->chans;
		sess->chans = c->next;
		chan_free(c);
	}
	if (polite)
		ssh_disconnect(sess->s);
	else
		ssh_silent_disconnect(sess->s);
	ssh_free(sess->s);
	struct fs_node *n = sess->node;
	free(sess);
	fs->nsessions--;
	/* frugal: the node's last session ended, it listens again */
	if (fs->frugal && !fs->shutting && n->sessions == NULL && n->listen_fd < 0 &&
	    n->fault != FAULT_REFUSE) {
		char *cause = NULL;
		if (server_listen(fs, n, &cause) != 0) {
			fprintf(stderr, "opsdeck-fleetsim: %s: %s\n", n->name, cause);
			free(cause);
		}
	}
}

/* Starts a session on an accepted socket fd (owned from here on). */
static void
session_start(struct fleetsim *fs, struct fs_node *n, int fd)
{
	struct fs_session *sess;
	ssh_bind b = n->fault == FAULT_BADKEY ? fs->badkey_bind : n->bind;
	ssh_session s = ssh_new();

	if (s == NULL) {
		close(fd);
		return;
	}
	if (ssh_bind_accept_fd(b, s, fd) != SSH_OK) {
		logv(fs, "%s: accept: %s", n->name, ssh_get_error(b));
		int owned = ssh_get_fd(s) == fd;	/* then ssh_free() closes it */
		ssh_free(s);
		if (!owned)
			close(fd);
		return;
	}
	sess = xcalloc(1, sizeof *sess);
	sess->node = n;
	sess->fs = fs;
	sess->s = s;
	sess->fd = fd;
	sess->watch.kind = WATCH_SESSION;
	sess->watch.obj = sess;
	sess->accepted_ms = now_mono_ms();
	ssh_callbacks_init(&sess->scb);
	sess->scb.userdata = sess;
	sess->scb.auth_pubkey_function = cb_auth_pubkey;
	sess->scb.channel_open_request_session_function = cb_channel_open;
	ssh_set_server_callbacks(s, &sess->scb);
	ssh_set_auth_methods(s, SSH_AUTH_METHOD_PUBLICKEY);
	ssh_set_blocking(s, 0);
	sess->next = n->sessions;
	n->sessions = sess;
	fs->nsessions++;
	n->accepted++;
	if (ssh_handle_key_exchange(s) == SSH_ERROR) {
		logv(fs, "%s: key exchange: %s", n->name, ssh_get_error(s));
		session_destroy(fs, sess, 0);
		return;
	}
	sess->ev = ssh_event_new();
	if (sess->ev == NULL || ssh_event_add_session(sess->ev, s) != SSH_OK) {
		session_destroy(fs, sess, 0);
		return;
	}
	session_watch(fs, sess);
}

static void listen_close(struct fleetsim *fs, struct fs_node *n);

/*
 * Accepts every pending connection of node n: a session each, or, under
 * drop, an immediate close, or, under hang, a held socket that gets nothing.
 */
static void
accept_all(struct fleetsim *fs, struct fs_node *n)
{
	int fd;

	if (n->listen_fd < 0)
		return;
	while ((fd = accept4(n->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (n->fault == FAULT_DROP) {
			close(fd);
		} else if (n->fault == FAULT_HANG) {
			if (n->nheld < FLEETSIM_HELD_MAX)
				n->held[n->nheld++] = fd;
			else
				close(fd);
		} else {
			session_start(fs, n, fd);
			if (fs->frugal && n->sessions != NULL) {
				listen_close(fs, n);	/* one file a node (fs->frugal) */
				return;
			}
		}
	}
}

/*
 * Opens node n's listening socket on its address and fs->port and adds it to
 * the event. Returns 0, or -1 with *cause (malloc'd).
 */
int
server_listen(struct fleetsim *fs, struct fs_node *n, char **cause)
{
	struct sockaddr_in sin;
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		*cause = xasprintf("socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)fs->port);
	if (inet_pton(AF_INET, n->addr, &sin.sin_addr) != 1) {
		close(fd);
		*cause = xasprintf("%s: bad address", n->addr);
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0 || listen(fd, 512) < 0) {
		int e = errno;
		*cause = xasprintf("%s port %d: %s", n->addr, fs->port, strerror(e));
		close(fd);
		errno = e;	/* main tells a taken port (EADDRINUSE) apart */
		return -1;
	}
	n->watch.kind = WATCH_LISTEN;
	n->watch.obj = n;
	watch_ctl(fs, EPOLL_CTL_ADD, fd, EPOLLIN, &n->watch);
	n->listen_fd = fd;
	return 0;
}

static void
listen_close(struct fleetsim *fs, struct fs_node *n)
{
	if (n->listen_fd < 0)
		return;
	watch_ctl(fs, EPOLL_CTL_DEL, n->listen_fd, 0, NULL);
	close(n->listen_fd);
	n->listen_fd = -1;
}

static void
held_close(struct fs_node *n)
{
	for (int i = 0; i < n->nheld; i++)
		close(n->held[i]);
	n->nheld = 0;
}

/*
 * Applies fault f to node n now; FAULT_NONE clears. hang takes the node's
 * sessions out of the loop (no reads, no writes, no keepalive answers);
 * drop and refuse close them without a word; badkey and authfail disconnect
 * them so that clients reconnect into the fault.
 */
void
server_set_fault(struct fleetsim *fs, struct fs_node *n, enum fs_fault f)
{
	enum fs_fault old = n->fault;
	struct fs_session *sess, *next;
	char *cause = NULL;

	if (old == f)
		return;
	n->fault = f;
	if (old == FAULT_HANG) {
		held_close(n);
		for (sess = n->sessions; sess != NULL; sess = sess->next)
			session_watch(fs, sess);
	}
	if (old == FAULT_REFUSE && n->listen_fd < 0 && server_listen(fs, n, &cause) != 0) {
		fprintf(stderr, "opsdeck-fleetsim: %s: %s\n", n->name, cause);
		free(cause);
	}
	switch (f) {
	case FAULT_HANG:
		for (sess = n->sessions; sess != NULL; sess = sess->next)
			session_unwatch(fs, sess);
		break;
	case FAULT_REFUSE:
		listen_close(fs, n);
		/* FALLTHROUGH */
	case FAULT_DROP:
		for (sess = n->sessions; sess != NULL; sess = next) {
			next = sess->next;
			session_destroy(fs, sess, 0);
		}
		break;
	case FAULT_BADKEY:
	case FAULT_AUTHFAIL:
		for (sess = n->sessions; sess != NULL; sess = next) {
			next = sess->next;
			session_destroy(fs, sess, 1);
		}
		break;
	default:
		break;
	}
}

/* ---- exec ---------------------------------------------------------------- */

/* Starts what an exec (or shell) request asked for. */
static void
chan_begin(struct fleetsim *fs, struct fs_chan *c)
{
	char *cause = NULL;
	int rc = c->cmd ? stream_parse(c->cmd, c->cmdlen, &c->req, &cause) : 0;

	if (rc == 1) {
		c->streaming = 1;
		c->next_ms = now_mono_ms();
		logv(fs, "%s: streaming every %lld ms", c->sess->node->name,
		    (long long)c->req.interval_ms);
	} else if (rc < 0) {
		char *msg = xasprintf("opsdeck-fleetsim: %s\n", cause);
		ssh_channel_write_stderr(c->ch, msg, (uint32_t)strlen(msg));
		free(msg);
		free(cause);
		c->finishing = 1;
		c->exit_status = 2;
	} else {
		answer_oneshot(fs, c);
	}
	free(c->cmd);
	c->cmd = NULL;
}

/* Appends one cycle's frames (or what the node's fault makes of them). */
static void
chan_frame(struct fleetsim *fs, struct fs_chan *c, int64_t now)
{
	struct fs_node *n = c->sess->node;

	sim_node_advance(&n->sim, now);
	c->seq++;
	fs->frames++;
	if (n->fault == FAULT_GARBAGE) {
		sim_garbage(&n->sim.rng, c->seq, c->req.nonce, &c->out);
		return;
	}
	for (int i = 0; i < c->req.nprobes; i++) {
		const char *p = c->req.probes[i];
		int status = 0;

		sim_printf(&c->out, "@@opsdeck %s%llu %s\n", c->req.nonce,
		    (unsigned long long)c->seq, p);
		if (n->fault == FAULT_FLOOD) {
			c->flood_left = FLEETSIM_FLOOD_BYTES;
			return;		/* the body and its end come from chan_flush */
		}
		if (strcmp(p, "linux") == 0)
			sim_linux(&n->sim, now, c->req.linux_sums, &c->out);
		else if (strcmp(p, "nvidia") == 0)
			answer_nvidia(fs, n, c->req.gpu_fields, c->req.gpu_procs, &c->out,
			    now);
		else if (strcmp(p, "ipmi") == 0)
			sim_ipmi(&n->sim, &c->out);
		else if (strcmp(p, "testbed") == 0)
			answer_ctl_report(fs, n, &c->out);
		else if (strcmp(p, "slurm") == 0 && n->scheduler && c->req.sacct_windowed)
			/* SLURM_PROBE_COMMAND's window: wide in a stream's first cycle */
			answer_slurm(fs, &c->out, 1, c->seq == 1 ? SLURM_WINDOW_FIRST_S :
			    SLURM_WINDOW_NEXT_S, SLURM_SACCT_LINES);
		else if (strcmp(p, "slurm") == 0 && n->scheduler)
			answer_slurm(fs, &c->out, 1, SLURM_SIM_WINDOW_S, 0);
		else if (strcmp(p, "slurm") == 0)
			;	/* the probe's script exits 0 where there is no sacct */
		else
			status = 127;	/* a probe this simulator does not know */
		/* as frame_script() prints it: "\n@@end NONCE $?" after the output */
		sim_printf(&c->out, "\n@@end %s%d\n", c->req.nonce, status);
	}
}

/*
 * Writes queued output as far as the channel window allows, a piece at a
 * time (sim_piece_len), refilling from a flood in progress. Returns 0, or -1
 * when the channel is broken.
 */
static int
chan_flush(struct fleetsim *fs, struct fs_chan *c)
{
	for (;;) {
		while (c->off < c->out.len) {
			uint32_t win = ssh_channel_window_size(c->ch);
			size_t n = c->out.len - c->off;
			if (win == 0)
				return 0;
			n = sim_piece_len(c->out.data + c->off, n < win ? n : win);
			int w = ssh_channel_write(c->ch, c->out.data + c->off, (uint32_t)n);
			if (w == SSH_ERROR)
				return -1;
			if (w <= 0)
				return 0;
			c->off += (size_t)w;
			fs->bytes += (uint64_t)w;
		}
		buf_reset(&c->out);
		c->off = 0;
		if (c->flood_left == 0)
			return 0;
		size_t chunk = c->flood_left < FLOOD_CHUNK ? (size_t)c->flood_left : FLOOD_CHUNK;
		sim_flood(&c->flood_line, chunk, &c->out);
		c->flood_left = c->out.len >= c->flood_left ? 0 : c->flood_left - c->out.len;
		if (c->flood_left == 0)
			sim_printf(&c->out, "\n@@end %s0\n", c->req.nonce);
	}
}

/*
 * Services one channel: starts a pending exec, makes a frame when one is due
 * and the previous one is out, finishes one-shot commands. Returns -1 when
 * the channel is to be freed. *next_ms lowers to the channel's next frame.
 */
static int
chan_service(struct fleetsim *fs, struct fs_chan *c, int64_t now, int64_t *next_ms)
{
	struct fs_node *n = c->sess->node;

	if (c->closed || ssh_channel_is_closed(c->ch))
		return -1;
	if (c->done)
		return 0;
	if (c->started && !c->streaming && !c->finishing && c->cmdlen >= c->stdin_want)
		chan_begin(fs, c);
	if (c->streaming && c->off >= c->out.len && c->flood_left == 0 &&
	    c->next_ms <= now + TIMER_SLACK_MS) {
		int64_t iv = (int64_t)((double)c->req.interval_ms * fs->interval_scale);
		if (iv < FLEETSIM_MIN_INTERVAL_MS)
			iv = FLEETSIM_MIN_INTERVAL_MS;
		if (n->fault == FAULT_SLOW)
			iv *= 5;
		chan_frame(fs, c, now);
		c->next_ms += iv;
		if (c->next_ms < now)
			c->next_ms = now + iv;
	}
	if (chan_flush(fs, c) < 0)
		return -1;
	if (c->finishing && c->off >= c->out.len) {
		ssh_channel_request_send_exit_status(c->ch, c->exit_status);
		ssh_channel_send_eof(c->ch);
		ssh_channel_close(c->ch);
		c->done = 1;
	}
	if (c->streaming && c->off >= c->out.len && c->flood_left == 0 && c->next_ms < *next_ms)
		*next_ms = c->next_ms;
	return 0;
}

/*
 * Services a session's channels and sets sess->next_ms (when it needs a
 * look without I/O: a frame due, or the auth deadline); returns -1 when the
 * session is over.
 */
static int
session_service(struct fleetsim *fs, struct fs_session *sess, int64_t now)
{
	int st = ssh_get_status(sess->s);
	struct fs_chan **pp, *c;
	int64_t next = now + 60000;
	int64_t *next_ms = &next;

	if (st & (SSH_CLOSED | SSH_CLOSED_ERROR))
		return -1;
	if (!sess->authed) {
		if (now - sess->accepted_ms > FLEETSIM_KEX_TIMEOUT_MS)
			return -1;
		sess->next_ms = sess->accepted_ms + FLEETSIM_KEX_TIMEOUT_MS + 1;
		return 0;
	}
	/*
	 * Mark, then sweep: a write may run callbacks that open a channel on
	 * this very session (inserted at the head), so no pointer into the
	 * list is held across chan_service().
	 */
	for (c = sess->chans; c != NULL; c = c->next)
		if (!c->dead && chan_service(fs, c, now, next_ms) < 0)
			c->dead = 1;
	for (pp = &sess->chans; (c = *pp) != NULL;) {
		if (c->dead) {
			*pp = c->next;
			sess->nchans--;
			ssh_channel ch = c->ch;
			chan_free(c);
			ssh_channel_free(ch);
		} else {
			pp = &c->next;
		}
	}
	/*
	 * A write above may have found the peer gone: libssh then closed
	 * the socket (and so took it out of epoll), and no event would ever
	 * bring this session back before its timer.
	 */
	if (ssh_get_status(sess->s) & (SSH_CLOSED | SSH_CLOSED_ERROR))
		return -1;
	sess->next_ms = next;
	return 0;
}

/* Watches for output too while libssh still has some queued for the socket. */
static void
session_rewatch(struct fleetsim *fs, struct fs_session *sess)
{
	uint32_t want = EPOLLIN;

	if (!sess->in_epoll)
		return;
	if (ssh_get_poll_flags(sess->s) & SSH_WRITE_PENDING)
		want |= EPOLLOUT;
	if (want != sess->epmask) {
		sess->epmask = want;
		watch_ctl(fs, EPOLL_CTL_MOD, sess->fd, want, &sess->watch);
	}
}

/* ---- control --------------------------------------------------------------- */

struct fs_node *
server_find_node(struct fleetsim *fs, const char *ref, int *all)
{
	*all = strcmp(ref, "all") == 0;
	if (*all)
		return NULL;
	for (int i = 0; i < fs->nnodes; i++)
		if (strcmp(fs->nodes[i].name, ref) == 0 || strcmp(fs->nodes[i].addr, ref) == 0)
			return &fs->nodes[i];
	return NULL;
}

/*
 * One control line: `fault NODE KIND` or `clear NODE` (NODE: a name, an
 * address or `all`). Prints an acknowledgement on stdout. Returns 0, or -1
 * with *cause (malloc'd).
 */
int
server_control(struct fleetsim *fs, const char *line, char **cause)
{
	char verb[16], ref[64], kind[32];
	enum fs_fault f = FAULT_NONE;
	int all, k = sscanf(line, "%15s %63s %31s", verb, ref, kind);
	struct fs_node *n;

	if (k <= 0)
		return 0;
	if (strcmp(verb, "fault") == 0 && k == 3) {
		if (fault_parse(kind, &f) != 0) {
			*cause = xasprintf("unknown fault '%s'", kind);
			return -1;
		}
	} else if (strcmp(verb, "clear") == 0 && k == 2) {
		f = FAULT_NONE;
	} else {
		*cause = xasprintf("expected 'fault NODE KIND' or 'clear NODE'");
		return -1;
	}
	n = server_find_node(fs, ref, &all);
	if (n == NULL && !all) {
		*cause = xasprintf("no node '%s'", ref);
		return -1;
	}
	for (int i = 0; i < fs->nnodes; i++)
		if (all || &fs->nodes[i] == n)
			server_set_fault(fs, &fs->nodes[i], f);
	if (f == FAULT_NONE)
		printf("clear %s\n", ref);
	else
		printf("fault %s %s\n", ref, fault_name(f));
	fflush(stdout);
	return 0;
}

/* Runs every complete line read from the control FIFO; errors go to stderr. */
static void
control_drain(struct fleetsim *fs)
{
	struct buf *b = &fs->control_line;
	char *nl;

	while (b->len > 0 && (nl = memchr(b->data, '\n', b->len)) != NULL) {
		size_t l = (size_t)(nl - b->data);
		char *line = xstrndup(b->data, l);
		char *cause = NULL;
		if (server_control(fs, line, &cause) != 0) {
			fprintf(stderr, "opsdeck-fleetsim: control: %s\n", cause);
			free(cause);
		}
		free(line);
		buf_consume(b, l + 1);
	}
	if (b->len > 4096)
		buf_reset(b);	/* a line this long is no command */
}

/* ---- loop ------------------------------------------------------------------ */

/*
 * The loop: wait on epoll (at most until the next session needs servicing,
 * 1 s at most); accept, read control lines and signals, let libssh handle
 * each ready session's socket; then service the sessions that had I/O or
 * are due, unless their node hangs. Ends when a signal set fs->stop.
 */
int
server_run(struct fleetsim *fs)
{
	struct epoll_event evs[256];
	int64_t next_ms = now_mono_ms();

	fs->control_watch.kind = WATCH_CONTROL;
	fs->control_watch.obj = fs;
	fs->signal_watch.kind = WATCH_SIGNAL;
	fs->signal_watch.obj = fs;
	if (fs->control_fd >= 0)
		watch_ctl(fs, EPOLL_CTL_ADD, fs->control_fd, EPOLLIN, &fs->control_watch);
	watch_ctl(fs, EPOLL_CTL_ADD, fs->sig_fd, EPOLLIN, &fs->signal_watch);
	while (!fs->stop) {
		int64_t now = now_mono_ms();
		int64_t wait = next_ms - now;
		if (wait < 0)
			wait = 0;
		if (wait > 1000)
			wait = 1000;
		int k = epoll_wait(fs->epfd, evs, (int)OD_ARRAY_LEN(evs), (int)wait);
		for (int i = 0; i < k; i++) {
			struct fs_watch *w = evs[i].data.ptr;
			switch (w->kind) {
			case WATCH_LISTEN:
				accept_all(fs, w->obj);
				break;
			case WATCH_CONTROL:
				control_read(fs);
				break;
			case WATCH_SIGNAL:
				signal_read(fs);
				break;
			default: {
				struct fs_session *sess = w->obj;
				sess->active = 1;
				ssh_event_dopoll(sess->ev, 0);
				break;
			}
			}
		}
		if (fs->stop)
			break;
		control_drain(fs);
		now = now_mono_ms();
		next_ms = now + 1000;
		for (int i = 0; i < fs->nnodes; i++) {
			struct fs_node *n = &fs->nodes[i];
			struct fs_session *sess, *nx;
			if (n->fault == FAULT_HANG)
				continue;
			for (sess = n->sessions; sess != NULL; sess = nx) {
				nx = sess->next;
				if (sess->active || sess->next_ms <= now + TIMER_SLACK_MS) {
					sess->active = 0;
					if (session_service(fs, sess, now) < 0) {
						session_destroy(fs, sess, 0);
						continue;
					}
					session_rewatch(fs, sess);
				}
				if (sess->next_ms < next_ms)
					next_ms = sess->next_ms;
			}
		}
	}
	return 0;
}

/* Closes every session (exit status, EOF, close, disconnect) and socket. */
void
server_shutdown(struct fleetsim *fs)
{
	fs->shutting = 1;
	for (int i = 0; i < fs->nnodes; i++) {
		struct fs_node *n = &fs->nodes[i];
		while (n->sessions != NULL) {
			struct fs_session *sess = n->sessions;
			for (struct fs_chan *c = sess->chans; c != NULL; c = c->next)
				if (!c->closed && !c->done && c->started) {
					ssh_channel_request_send_exit_signal(c->ch, "TERM", 0,
					    "node shutting down", "");
					ssh_channel_send_eof(c->ch);
					ssh_channel_close(c->ch);
				}
			session_destroy(fs, sess, 1);
		}
		held_close(n);
		listen_close(fs, n);
	}
	for (int i = 0; fs->gpu_names != NULL && i < fs->ngpu; i++)
		free(fs->gpu_names[i]);
	free(fs->gpu_names);
	free(fs->gpu_idle);
	free(fs->gpu_job);
	free(fs->gpu_user);
	fs->gpu_names = NULL;
	fs->gpu_idle = NULL;
}
