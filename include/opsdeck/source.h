/*
 * source.h: how reports arrive, one interface for every transport.
 *
 * A source turns a host of a group into a stream of bytes carrying framed
 * reports (frame.h): `local` runs the group's sh loop on this machine through
 * a pipe, `ssh` runs it over one libssh session and exec channel.
 *
 * Or, in reports mode, a source delivers reports instead of bytes: `prometheus`
 * polls a Prometheus server's HTTP API at the group's interval and answers with
 * one host status per instance the server watches (poll, below). Its group has
 * one row of its own (the server) that the engine runs like any host (on a
 * connector, with deadlines and back-off), and a bounded number of rows that
 * the answers fill (CONFIG_PROM_MAX_INSTANCES). The
 * collector's engine (collector.c, stream.c, connect.c) owns everything that
 * is the same for all of them, written once: threads, the epoll wait,
 * frames into cycles, deadlines (stale, timeout), back-off with jitter, the
 * published state. A source only opens, reads and closes, and says what went
 * wrong as a host state and a human message.
 *
 * Threads: host_new/host_free run on the thread that builds or frees the
 * collector; open runs on a connector thread when `blocking` is set (network
 * work that may take seconds), else on the host's worker; fd, read and close
 * on the host's worker. A connection is used by one thread at a time.
 */
#ifndef OPSDECK_SOURCE_H
#define OPSDECK_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "opsdeck/config.h"
#include "opsdeck/hoststate.h"

struct source_conn;

/* What open may use besides the host: an abort fd and a socket announcement. */
struct source_open_ctx {
	int	 abort_fd;	/* readable: give up (the collector is stopping) */
	/*
	 * Called with the socket being set up (and with -1 when set up is over)
	 * so that stopping can shut it down while a blocking call waits on it.
	 */
	void	(*on_socket)(void *arg, int sock);
	void	*arg;
};

/* What one poll of a source in reports mode found. */
struct source_poll {
	struct host_status *hosts;	/* one per instance, owned (source_poll_free) */
	size_t		 nhosts;
	size_t		 over;		/* instances past max, left out */
};

/* What a poll may keep: at most max instances, those of shard k of n (n 0: all). */
struct source_poll_opts {
	size_t		 max;
	int		 shard_k, shard_n;
};

void source_poll_free(struct source_poll *p);

struct source_ops {
	const char	*name;		/* "local", "ssh": the group's transport */
	int		 blocking;	/* open runs on a connector thread */
	/*
	 * Per-host data resolved once (an SSH target with ~/.ssh/config
	 * applied; NULL when the source needs none). ssh_config is the text of
	 * ~/.ssh/config (may be NULL). Never fails.
	 */
	void		*(*host_new)(const struct group *g, const struct host *h,
			    const char *ssh_config, size_t ssh_config_len, int64_t timeout_ms);
	void		 (*host_free)(void *hd);
	/*
	 * Starts the stream that runs `script` for the host. 0 with *conn, or
	 * -1 with *state (HOST_DOWN, HOST_TIMEOUT, HOST_AUTH_FAILED, ...) and a
	 * malloc'd *cause naming what failed.
	 */
	int		 (*open)(void *hd, const char *script, const struct source_open_ctx *ctx,
			    struct source_conn **conn, enum host_state *state, char **cause);
	/* The descriptor to wait on for input. */
	int		 (*fd)(struct source_conn *conn);
	/*
	 * Reads what is there without blocking: > 0 bytes, 0 nothing now (or
	 * only protocol traffic), -1 the stream ended, with *state and *cause.
	 */
	ssize_t		 (*read)(struct source_conn *conn, char *buf, size_t len,
			    enum host_state *state, char **cause);
	/* Ends the stream (politely when graceful) and frees conn. */
	void		 (*close)(struct source_conn *conn, int graceful);
	/*
	 * Reports mode (NULL for a byte stream, whose open, fd, read and close
	 * are then NULL): one poll, on a connector thread, that gives up when
	 * ctx->abort_fd turns readable. 0 with *out, or -1 with *state
	 * (HOST_DOWN, HOST_TIMEOUT, HOST_PARSE_ERROR) and a malloc'd *cause.
	 */
	int		 (*poll)(void *hd, const struct source_open_ctx *ctx,
			    const struct source_poll_opts *o, struct source_poll *out,
			    enum host_state *state, char **cause);
};

extern const struct source_ops source_local;
extern const struct source_ops source_ssh;
extern const struct source_ops source_prometheus;

/* The source of group g's transport. */
const struct source_ops *source_of_group(const struct group *g);

#endif
