/*
 * test_spawn.c: what a child started by spawn.h gets: its own process
 * group, an empty signal mask and default dispositions even when the parent
 * blocks and ignores signals, /dev/null or the given descriptors at 0-2,
 * and none of our close-on-exec descriptors.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "opsdeck/spawn.h"
#include "opsdeck/util.h"

/* Everything fd gives until EOF (it is non-blocking), NUL-terminated. */
static char *
read_all(int fd)
{
	static char out[8192];
	size_t n = 0;

	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		poll(&p, 1, 5000);
		ssize_t r = read(fd, out + n, sizeof out - 1 - n);
		if (r > 0) {
			n += (size_t)r;
			continue;
		}
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		break;
	}
	out[n] = '\0';
	return out;
}

/* The value of "Key:" in the child's /proc status as the script printed it. */
static const char *
field(const char *out, const char *key)
{
	static char v[64];
	const char *p = strstr(out, key);

	assert_non_null(p);
	p += strlen(key);
	p += strspn(p, " \t");
	size_t n = strcspn(p, "\n");
	assert_true(n < sizeof v);
	memcpy(v, p, n);
	v[n] = '\0';
	return v;
}

/*
 * Spawns argv through spawn_pipe_stdout from a parent that blocks SIGTERM,
 * ignores SIGPIPE and holds a close-on-exec descriptor (*mine) of its own,
 * as the collector may; returns all the child printed and checks that it
 * ran in a process group of its own and exited 0.
 */
static char *
run_from_hostile_parent(char *const argv[], int *mine)
{
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	struct sigaction ign = { .sa_handler = SIG_IGN }, oldpipe;
	sigaction(SIGPIPE, &ign, &oldpipe);
	pid_t pid;
	int fd;
	char *cause = NULL;
	assert_int_equal(spawn_pipe_stdout(argv[0], argv, &pid, &fd, &cause), 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	char *out = read_all(fd);
	close(fd);
	assert_int_equal(getpgid(pid), pid);	/* a group of its own (still a zombie at worst) */
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	sigaction(SIGPIPE, &oldpipe, NULL);
	close(*mine);
	return out;
}

static void
test_pipe_stdout(void **state)
{
	(void)state;
	/*
	 * The signal state is read by the spawned program itself, never by a
	 * shell's child: dash blocks every signal around its own vfork, so a
	 * grep of the shell's status can see that mask (it did, under load).
	 */
	int mine = open("/dev/null", O_RDONLY | O_CLOEXEC);
	char *grep[] = { "/bin/grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status", NULL };
	char *out = run_from_hostile_parent(grep, &mine);
	assert_string_equal(field(out, "SigBlk:"), "0000000000000000");
	/* SIGPIPE (bit 13) back to default (what the harness ignores may stay) */
	unsigned long long ignored = strtoull(field(out, "SigIgn:"), NULL, 16);
	assert_false(ignored & (1ULL << (SIGPIPE - 1)));

	/* descriptors: the shell's own are stable while it runs builtins and readlink */
	mine = open("/dev/null", O_RDONLY | O_CLOEXEC);
	char *script = xasprintf("echo in $(readlink /proc/$$/fd/0); "
	    "echo err $(readlink /proc/$$/fd/2); "
	    "if [ -e /proc/$$/fd/%d ]; then echo mine open; else echo mine closed; fi", mine);
	char *sh[] = { "/bin/sh", "-c", script, NULL };
	out = run_from_hostile_parent(sh, &mine);
	free(script);
	assert_string_equal(field(out, "in"), "/dev/null");
	assert_string_equal(field(out, "err"), "/dev/null");
	assert_string_equal(field(out, "mine"), "closed");
}

static void
test_stdio_and_errors(void **state)
{
	(void)state;
	int sv[2];
	assert_int_equal(pipe2(sv, O_CLOEXEC), 0);
	/* stdout and stderr onto one pipe; stdin /dev/null; $PATH lookup */
	const int stdio[3] = { SPAWN_DEVNULL, sv[1], sv[1] };
	char *argv[] = { "sh", "-c", "echo out; echo err >&2; read x || echo eof", NULL };
	pid_t pid;
	char *cause = NULL;
	assert_int_equal(spawn_start("sh", argv, 1, stdio, &pid, &cause), 0);
	close(sv[1]);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	assert_string_equal(read_all(sv[0]), "out\nerr\neof\n");
	close(sv[0]);
	waitpid(pid, NULL, 0);

	char *bad[] = { "no-such-program", NULL };
	const int none[3] = { SPAWN_DEVNULL, SPAWN_DEVNULL, SPAWN_DEVNULL };
	assert_int_equal(spawn_start("no-such-program-opsdeck", bad, 1, none, &pid, &cause), -1);
	assert_string_equal(cause, "cannot run no-such-program-opsdeck: No such file or directory");
	free(cause);
	int fd;
	assert_int_equal(spawn_pipe_stdout("/nonexistent/sh", bad, &pid, &fd, &cause), -1);
	assert_non_null(strstr(cause, "cannot run /nonexistent/sh"));
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipe_stdout),
		cmocka_unit_test(test_stdio_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
