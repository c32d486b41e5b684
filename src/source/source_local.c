/*
 * source_local.c: the `local` source (source.h). The group's sh loop runs as
 * /bin/sh -c SCRIPT on this machine, in a process group of its own, its
 * output read through a non-blocking pipe; closing kills the whole group and
 * reaps it, so nothing outlives the stream.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "opsdeck/source.h"
#include "opsdeck/util.h"

extern char **environ;

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
 * Starts /bin/sh -c script: stdout to a non-blocking close-on-exec pipe,
 * stdin and stderr /dev/null, default signal dispositions and an empty mask
 * (posix_spawn is safe from a threaded process). -1 with HOST_DOWN and a
 * cause when there is no pipe or no shell.
 */
static int
local_open(void *hd, const char *script, const struct source_open_ctx *ctx,
    struct source_conn **conn, enum host_state *state, char **cause)
{
	int p[2];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	pid_t pid;

	(void)hd;
	(void)ctx;
	if (pipe(p) != 0) {
		*state = HOST_DOWN;
		*cause = xasprintf("cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	posix_spawn_file_actions_addclose(&fa, p[1]);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGHUP);
	sigaddset(&def, SIGCHLD);
	sigaddset(&def, SIGQUIT);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	char *argv[] = { (char *)"sh", (char *)"-c", (char *)script, NULL };
	int rc = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		*state = HOST_DOWN;
		*cause = xasprintf("cannot run /bin/sh: %s", strerror(rc));
		return -1;
	}
	int fl = fcntl(p[0], F_GETFD);
	if (fl >= 0)
		fcntl(p[0], F_SETFD, fl | FD_CLOEXEC);
	fl = fcntl(p[0], F_GETFL);
	if (fl >= 0)
		fcntl(p[0], F_SETFL, fl | O_NONBLOCK);
	struct source_conn *lc = xcalloc(1, sizeof *lc);
	lc->pid = pid;
	lc->fd = p[0];
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
