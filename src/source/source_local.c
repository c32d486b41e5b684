/*
 * source_local.c: the `local` source (source.h). The group's sh loop runs as
 * /bin/sh -c SCRIPT on this machine, in a process group of its own, its
 * output read through a non-blocking pipe; closing kills the whole group and
 * reaps it, so nothing outlives the stream.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "opsdeck/source.h"
#include "opsdeck/spawn.h"
#include "opsdeck/util.h"

struct source_conn {
	pid_t	 pid;		/* leader of its process group, -1 once reaped */
	int	 fd;		/* read end of its stdout, -1 once closed */
};

/*
 * Kills the sh and everything it started and reaps it; its wait status. The
 * pipe stays open until local_close, so the engine's epoll set never holds a
 * descriptor number that was closed under it.
 */
static int
local_reap(struct source_conn *lc)
{
	int status = 0;

	if (lc->pid > 0) {
		kill(-lc->pid, SIGKILL);
		while (waitpid(lc->pid, &status, 0) < 0 && errno == EINTR)
			;
		lc->pid = -1;
	}
	return status;
}

/*
 * Starts /bin/sh -c script through spawn.h: stdout to a non-blocking
 * close-on-exec pipe, stdin and stderr /dev/null, a process group of its
 * own, default signals. -1 with HOST_DOWN and a cause when there is no pipe
 * or no shell.
 */
static int
local_open(void *hd, const char *script, const struct source_open_ctx *ctx,
    struct source_conn **conn, enum host_state *state, char **cause)
{
	char *argv[] = { (char *)"sh", (char *)"-c", (char *)script, NULL };
	pid_t pid;
	int fd;

	(void)hd;
	(void)ctx;
	if (spawn_pipe_stdout("/bin/sh", argv, &pid, &fd, cause) != 0) {
		*state = HOST_DOWN;
		return -1;
	}
	struct source_conn *lc = xcalloc(1, sizeof *lc);
	lc->pid = pid;
	lc->fd = fd;
	*conn = lc;
	return 0;
}

static int
local_fd(struct source_conn *lc)
{
	return lc->fd;
}

/* See source.h. End of file means the sh ended: reaped, with how it ended. */
static ssize_t
local_read(struct source_conn *lc, char *buf, size_t len, enum host_state *state,
    char **cause)
{
	for (;;) {
		ssize_t r = read(lc->fd, buf, len);
		if (r > 0)
			return r;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		int status = local_reap(lc);
		*state = HOST_DOWN;
		if (WIFSIGNALED(status))
			*cause = xasprintf("local sh was killed by signal %d", WTERMSIG(status));
		else
			*cause = xasprintf("local sh exited with status %d", WEXITSTATUS(status));
		return -1;
	}
}

static void
local_close(struct source_conn *lc, int graceful)
{
	(void)graceful;
	if (lc == NULL)
		return;
	local_reap(lc);
	if (lc->fd >= 0)
		close(lc->fd);
	free(lc);
}

const struct source_ops source_local = {
	.name = "local",
	.blocking = 0,
	.host_new = NULL,
	.host_free = NULL,
	.open = local_open,
	.fd = local_fd,
	.read = local_read,
	.close = local_close,
};
