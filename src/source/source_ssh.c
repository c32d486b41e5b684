/*
 * source_ssh.c: the `ssh` source (source.h) over ssh.c's streams: one libssh
 * session and one exec channel per host running the group's sh loop. The
 * target (address, user, port, identities, jump, host-key policy) is
 * resolved once per host from the config and ~/.ssh/config (ssh_config.c).
 * Opening blocks (TCP connect, key exchange, host key, authentication, exec),
 * so it runs on a connector thread with our own deadlines.
 */
#include "config.h"

#include <stdlib.h>

#include "opsdeck/source.h"
#include "opsdeck/ssh.h"
#include "opsdeck/util.h"

static void *
ssh_host_new(const struct group *g, const struct host *h, const char *ssh_config,
    size_t ssh_config_len, int64_t timeout_ms)
{
	struct ssh_target *t = xcalloc(1, sizeof *t);

	ssh_target_resolve(t, h->name, h->address, &g->conn, ssh_config, ssh_config_len, timeout_ms);
	return t;
}

static void
ssh_host_free(void *hd)
{
	if (hd == NULL)
		return;
	ssh_target_free(hd);
	free(hd);
}

/* See source.h. The socket is announced while key exchange and auth block on it. */
static int
ssh_open(void *hd, const char *script, const struct source_open_ctx *ctx,
    struct source_conn **conn, enum host_state *state, char **cause)
{
	struct ssh_stream *ss = ssh_stream_new(hd);

	*state = HOST_DOWN;
	if (ssh_stream_connect(ss, ctx, state, cause) != 0) {
		ssh_stream_free(ss, 0);
		return -1;
	}
	if (ctx->on_socket != NULL)
		ctx->on_socket(ctx->arg, ssh_stream_socket(ss));
	int rc = ssh_stream_start_script(ss, script, state, cause);
	if (ctx->on_socket != NULL)
		ctx->on_socket(ctx->arg, -1);
	if (rc != 0) {
		ssh_stream_free(ss, 0);
		return -1;
	}
	*conn = (struct source_conn *)ss;
	return 0;
}

static int
ssh_fd(struct source_conn *conn)
{
	return ssh_stream_fd((struct ssh_stream *)conn);
}

static ssize_t
ssh_read(struct source_conn *conn, char *buf, size_t len, enum host_state *state,
    char **cause)
{
	ssize_t r = ssh_stream_read((struct ssh_stream *)conn, buf, len, cause);
	if (r < 0) {
		*state = HOST_DOWN;
		if (*cause == NULL)
			*cause = xstrdup("connection lost");
	}
	return r;
}

static void
ssh_close(struct source_conn *conn, int graceful)
{
	if (conn != NULL)
		ssh_stream_free((struct ssh_stream *)conn, graceful);
}

const struct source_ops source_ssh = {
	.name = "ssh",
	.blocking = 1,
	.host_new = ssh_host_new,
	.host_free = ssh_host_free,
	.open = ssh_open,
	.fd = ssh_fd,
	.read = ssh_read,
	.close = ssh_close,
};
