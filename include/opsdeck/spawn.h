/*
 * spawn.h: starting a child process the one way opsdeck does it.
 *
 * posix_spawn (safe from a threaded process: no fork of a process holding
 * other threads' locks), the child in a process group of its own (so a
 * whole pipeline can be signalled with kill(-pid)), an empty signal mask
 * and default dispositions for the signals opsdeck handles or ignores
 * (SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGQUIT), and descriptors 0,
 * 1 and 2 set up by the caller; every other descriptor opsdeck opens is
 * close-on-exec.
 */
#ifndef OPSDECK_SPAWN_H
#define OPSDECK_SPAWN_H

#include <sys/types.h>

#define SPAWN_DEVNULL	(-1)	/* stdio[i]: /dev/null */

/*
 * Starts file with argv (argv[0] is the name the child sees); with
 * search_path set, file is looked up in $PATH. stdio[0..2] are descriptors
 * to put at 0, 1 and 2 in the child, or SPAWN_DEVNULL; the caller keeps and
 * closes its own. Returns 0 with *pid, or -1 with *cause ("cannot run
 * FILE: reason", malloc'd).
 */
int spawn_start(const char *file, char *const argv[], int search_path, const int stdio[3],
    pid_t *pid, char **cause);

/*
 * An interactive child on our terminal: file looked up in $PATH, with our
 * descriptors 0, 1 and 2, in our own process group (the terminal's
 * foreground group, so that it may read the terminal), signals as
 * spawn_start sets them. The caller ignores SIGINT and SIGQUIT while it
 * waits, as system(3) does. 0 with *pid, or -1 with *cause.
 */
int spawn_foreground(const char *file, char *const argv[], pid_t *pid, char **cause);

/*
 * spawn_start with stdin and stderr on /dev/null and stdout on a new pipe:
 * *out_fd is its read end, close-on-exec and non-blocking, the caller's to
 * close. Returns 0 with *pid and *out_fd, or -1 with *cause.
 */
int spawn_pipe_stdout(const char *file, char *const argv[], pid_t *pid, int *out_fd,
    char **cause);

#endif
