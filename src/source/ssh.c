/*
 * ssh.c: a host's stream (ssh.h): the transport (our own TCP connect, or a
 * channel through the ProxyJump chain, ssh_jump.h), one login under
 * opsdeck's policy (ssh_login.c), and a non-blocking exec channel running
 * the report loop. What ~/.ssh/config says of a host is ssh_config.c's.
 */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#include "ssh_int.h"
#include "opsdeck/buf.h"
#include "opsdeck/frame.h"
#include "opsdeck/source.h"
#include "opsdeck/ssh.h"
#include "opsdeck/ssh_jump.h"
#include "opsdeck/util.h"

static void
target_copy(struct ssh_target *d, const struct ssh_target *s)
{
	*d = *s;
	d->name = xstrdup(s->name);
	d->hostname = xstrdup(s->hostname);
	d->user = xstrdup(s->user);
	d->known_hosts = xstrdup(s->known_hosts);
	for (size_t i = 0; i < s->nidentity; i++)
		d->identity[i] = xstrdup(s->identity[i]);
	d->proxyjump = s->proxyjump != NULL ? xstrdup(s->proxyjump) : NULL;
	d->jump_error = s->jump_error != NULL ? xstrdup(s->jump_error) : NULL;
	d->hops = s->nhops > 0 ? xcalloc(s->nhops, sizeof *d->hops) : NULL;
	for (size_t i = 0; i < s->nhops; i++) {
		struct ssh_hop *a = &d->hops[i];
		const struct ssh_hop *b = &s->hops[i];
		*a = *b;
		a->label = xstrdup(b->label);
		a->hostname = xstrdup(b->hostname);
		a->user = xstrdup(b->user);
		for (size_t j = 0; j < b->nidentity; j++)
			a->identity[j] = xstrdup(b->identity[j]);
	}
}

/* ---- streams ----------------------------------------------------------- */

#define SSH_SPILL_MAX	(1024 * 1024)
/* What libssh 0.10 reads from a socket at most per call (MAX_BUF_SIZE). */
#define SSH_SOCKET_READ	4096

struct ssh_stream {
	struct ssh_target t;
	struct ssh_peer	 peer;		/* the host's login, over t */
	int		 fd;		/* our transport socket until libssh owns it */
	int		 libssh_owns_fd;
	struct jump_ref	*jump;		/* the hop session our channel runs on, or NULL */
	ssh_session	 session;
	ssh_channel	 channel;
	/*
	 * The channel's output comes through on_data as libssh decrypts each
	 * packet, straight into the read in progress (dst: room bytes, got
	 * taken); what arrives outside a read or past its room waits in
	 * spill, freed once drained. libssh's own channel buffer then never
	 * holds more than the packet at hand (docs/PERFORMANCE.md). A read
	 * stops once its room is full, so while the stream is read spill
	 * holds at most one socket read's packets; past SSH_SPILL_MAX (output
	 * after the end, while an exit status is awaited) the rest is dropped.
	 */
	struct ssh_channel_callbacks_struct cb;
	char		*dst;
	size_t		 room, got;
	struct buf	 spill;
	struct ssh_counter_struct sock;	/* bytes libssh read from the socket */
};

/* libssh's channel_data_function: takes all of it (stderr is dropped). */
static int
on_data(ssh_session session, ssh_channel channel, void *data, uint32_t len, int is_stderr,
    void *userdata)
{
	struct ssh_stream *s = userdata;
	size_t n = 0;

	(void)session;
	(void)channel;
	if (is_stderr)
		return (int)len;	/* read so that the window stays open; not kept */
	if (s->dst != NULL && s->spill.len == 0) {
		n = OD_MIN((size_t)len, s->room - s->got);
		memcpy(s->dst + s->got, data, n);
		s->got += n;
	}
	if (n < len)
		buf_append(&s->spill, (const char *)data + n, len - n);
	return (int)len;
}

struct ssh_stream *
ssh_stream_new(const struct ssh_target *t)
{
	struct ssh_stream *s = xcalloc(1, sizeof *s);
	target_copy(&s->t, t);
	buf_init(&s->spill, SSH_SPILL_MAX);	/* buf_free keeps the limit */
	s->fd = -1;
	s->peer = (struct ssh_peer){ .label = NULL, .hostname = s->t.hostname,
	    .port = s->t.port, .user = s->t.user, .identity = s->t.identity,
	    .nidentity = s->t.nidentity, .known_hosts = s->t.known_hosts,
	    .known_hosts_explicit = s->t.known_hosts_explicit, .policy = s->t.policy,
	    .deadline = now_mono_ms() + s->t.timeout_ms, .timeout_ms = s->t.timeout_ms };
	return s;
}

int
ssh_stream_socket(const struct ssh_stream *s)
{
	return s->fd;
}

int
ssh_stream_fd(const struct ssh_stream *s)
{
	return s->session != NULL ? ssh_get_fd(s->session) : s->fd;
}

int
ssh_stream_connect(struct ssh_stream *s, const struct source_open_ctx *ctx,
    enum host_state *state, char **cause)
{
	int abort_fd = ctx != NULL ? ctx->abort_fd : -1;

	s->peer.deadline = now_mono_ms() + s->t.timeout_ms;
	if (s->t.jump_error != NULL) {
		*state = HOST_DOWN;
		*cause = xstrdup(s->t.jump_error);
		return -1;
	}
	if (s->t.nhops > 0)
		return jump_open(&s->t, s->peer.deadline, ctx, &s->fd, &s->jump, state, cause);
	return ssh_tcp_connect(&s->peer, abort_fd, &s->fd, state, cause);
}

/* ssh_stream_start, then `input` (len bytes) written to the command's stdin. */
static int
stream_start(struct ssh_stream *s, const char *command, const char *input, size_t len,
    enum host_state *state, char **cause)
{
	s->libssh_owns_fd = 1;	/* ssh_login adopts it; ssh_login_end closes it */
	if (ssh_login(&s->peer, s->fd, &s->session, state, cause) != 0)
		return -1;
	ssh_set_deadline(s->session, s->peer.deadline);
	ssh_set_counters(s->session, &s->sock, NULL);
	s->channel = ssh_channel_new(s->session);
	if (s->channel != NULL) {
		ssh_callbacks_init(&s->cb);
		s->cb.userdata = s;
		s->cb.channel_data_function = on_data;
		ssh_set_channel_callbacks(s->channel, &s->cb);
	}
	if (s->channel == NULL || ssh_channel_open_session(s->channel) != SSH_OK)
		return ssh_fail(s->session, &s->peer, "opening a channel", state, cause);
	ssh_set_deadline(s->session, s->peer.deadline);
	if (ssh_channel_request_exec(s->channel, command) != SSH_OK)
		return ssh_fail(s->session, &s->peer, "starting the report loop", state, cause);
	/* a packet a piece: libssh's buffers grow to the largest and stay */
	for (size_t off = 0; off < len;) {
		ssh_set_deadline(s->session, s->peer.deadline);
		int w = ssh_channel_write(s->channel, input + off,
		    (uint32_t)OD_MIN(len - off, (size_t)SSH_SCRIPT_PIECE));
		if (w <= 0)
			return ssh_fail(s->session, &s->peer, "sending the report loop", state,
			    cause);
		off += (size_t)w;
	}
	ssh_set_blocking(s->session, 0);
	return 0;
}

int
ssh_stream_start(struct ssh_stream *s, const char *command, enum host_state *state,
    char **cause)
{
	return stream_start(s, command, NULL, 0, state, cause);
}

/* See ssh.h. */
int
ssh_stream_start_script(struct ssh_stream *s, const char *script, enum host_state *state,
    char **cause)
{
	size_t len = strlen(script);
	char *command = frame_stdin_command(len);
	int rc = stream_start(s, command, script, len, state, cause);
	free(command);
	return rc;
}

ssize_t
ssh_stream_read(struct ssh_stream *s, char *buf, size_t len, char **cause)
{
	if (s->spill.len > 0) {
		size_t n = OD_MIN(len, s->spill.len);
		memcpy(buf, s->spill.data, n);
		buf_consume(&s->spill, n);
		if (s->spill.len == 0)
			buf_free(&s->spill);
		return (ssize_t)n;
	}
	/*
	 * Each call into libssh polls the socket and reads at most
	 * SSH_SOCKET_READ bytes of it, delivering the packets they complete
	 * (on_data): call again while a read came full and there is room. A
	 * short read (or none) means the socket is used up for now; the
	 * worker's epoll says when it has more. (Returning that too, so that
	 * the worker would not call once more, saved another fifth of the
	 * polls but cost 3.5 MiB at 1,000 hosts, unexplained: left out.)
	 */
	s->dst = buf;
	s->room = len;
	s->got = 0;
	ssize_t rc = 0;
	for (int round = 0; round < 64 && s->got < s->room; round++) {
		uint64_t before = s->sock.in_bytes;
		int n = ssh_channel_poll(s->channel, 0);
		uint64_t took = s->sock.in_bytes - before;
		if (n == SSH_ERROR || !ssh_is_connected(s->session)) {
			if (s->got > 0)
				break;		/* the output first; the end at the next call */
			const char *e = ssh_get_error(s->session);
			*cause = xasprintf("connection lost: %s",
			    e != NULL && *e ? e : "socket closed");
			rc = -1;
			break;
		}
		if (n == SSH_EOF || ssh_channel_is_eof(s->channel) ||
		    ssh_channel_is_closed(s->channel)) {
			if (s->got > 0)
				break;
			*cause = xstrdup("the report loop ended: channel closed by the host");
			rc = -1;
			break;
		}
		if (took < SSH_SOCKET_READ)
			break;
	}
	s->dst = NULL;
	return s->got > 0 ? (ssize_t)s->got : rc;
}

/* See ssh.h. */
int
ssh_stream_exit_status(struct ssh_stream *s, int64_t wait_ms)
{
	if (s->session == NULL || s->channel == NULL || !ssh_is_connected(s->session))
		return -1;
	/* the status may follow the end of the output: wait for it, bounded */
	ssh_set_blocking(s->session, 1);
	ssh_set_deadline(s->session, now_mono_ms() + OD_MAX(wait_ms, 1));
	int st = ssh_channel_get_exit_status(s->channel);
	ssh_set_blocking(s->session, 0);
	return st >= 0 ? st : -1;
}

void
ssh_stream_free(struct ssh_stream *s, int graceful)
{
	if (s == NULL)
		return;
	/*
	 * No ssh_channel_close(): it waits for the peer. The end of the
	 * connection makes sshd close the loop's pipes; the loop ends on its
	 * next write, a guarded command at once.
	 */
	ssh_login_end(s->session, graceful);
	if (!s->libssh_owns_fd && s->fd >= 0)
		close(s->fd);
	/* After our end of the channel's socket pair is closed. */
	jump_release(s->jump);
	ssh_target_free(&s->t);
	buf_free(&s->spill);
	free(s);
}
