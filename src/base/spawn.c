/*
 * spawn.c: child processes through posix_spawn (spawn.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <unistd.h>

#include "opsdeck/spawn.h"
#include "opsdeck/util.h"

extern char **environ;

/* spawn_start and spawn_foreground: own_group puts the child in a process group of its own. */
static int
spawn_any(const char *file, char *const argv[], int search_path, const int stdio[3],
    int own_group, pid_t *pid, char **cause)
{
	static const int defaults[] = { SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGQUIT };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	int rc;

	posix_spawn_file_actions_init(&fa);
	for (int i = 0; i < 3; i++) {
		if (stdio[i] == SPAWN_DEVNULL)
			posix_spawn_file_actions_addopen(&fa, i, "/dev/null",
			    i == 0 ? O_RDONLY : O_WRONLY, 0);
		else
			posix_spawn_file_actions_adddup2(&fa, stdio[i], i);
	}
	/* the sources, once every dup2 is done (one may serve two of 0-2) */
	for (int i = 0; i < 3; i++) {
		int seen = stdio[i] < 3;
		for (int j = 0; j < i; j++)
			seen |= stdio[j] == stdio[i];
		if (!seen)
			posix_spawn_file_actions_addclose(&fa, stdio[i]);
	}
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&def);
	for (size_t i = 0; i < OD_ARRAY_LEN(defaults); i++)
		sigaddset(&def, defaults[i]);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, (own_group ? POSIX_SPAWN_SETPGROUP : 0) |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	if (search_path)
		rc = posix_spawnp(pid, file, &fa, &at, argv, environ);
	else
		rc = posix_spawn(pid, file, &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc != 0) {
		*cause = xasprintf("cannot run %s: %s", file, strerror(rc));
		return -1;
	}
	return 0;
}

/* See spawn.h. */
int
spawn_start(const char *file, char *const argv[], int search_path, const int stdio[3],
    pid_t *pid, char **cause)
{
	return spawn_any(file, argv, search_path, stdio, 1, pid, cause);
}

/* See spawn.h. */
int
spawn_foreground(const char *file, char *const argv[], pid_t *pid, char **cause)
{
	static const int tty[3] = { 0, 1, 2 };

	return spawn_any(file, argv, 1, tty, 0, pid, cause);
}

/* See spawn.h. */
int
spawn_pipe_stdout(const char *file, char *const argv[], pid_t *pid, int *out_fd, char **cause)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) != 0) {
		*cause = xasprintf("cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	const int stdio[3] = { SPAWN_DEVNULL, p[1], SPAWN_DEVNULL };
	int rc = spawn_start(file, argv, 0, stdio, pid, cause);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		return -1;
	}
	fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
	*out_fd = p[0];
	return 0;
}
