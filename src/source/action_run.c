/*
 * action_run.c: an operator's command on hosts, on worker threads of its
 * own (action_run.h). Each worker takes the next host, opens a session
 * through ssh.c (the collector's login: ssh_login.c, ssh_jump.c) or starts
 * /bin/sh for a `local` group, and reads the output until the command
 * ends, its deadline passes or the run is cancelled. A cancel writes a
 * pipe every wait of the workers watches and shuts down the sockets of
 * logins still under way; closing a channel makes the guard on the node
 * kill the command's process tree (frame_guarded_command).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "opsdeck/action_run.h"
#include "opsdeck/frame.h"
#include "opsdeck/source.h"
#include "opsdeck/spawn.h"
#include "opsdeck/util.h"

#define RUN_MAX_THREADS	64

/* A host of the run: its part, and what a worker needs for it. */
struct slot {
	struct action_run_host	 part;		/* under the lock */
	struct ssh_target	 t;		/* resolved at start; unused for local */
	int			 local;
	int			 sock;		/* a socket a login blocks on, -1: none */
	struct action_run	*r;
};

struct action_run {
	pthread_mutex_t	 lock;
	struct slot	*slots;
	size_t		 n, next, over;
	char		*command;	/* the guarded exec command (ssh) */
	char		*raw;		/* the operator's command (local) */
	int64_t		 timeout_ms;
	int		 cancelled;
	int		 cancel_pipe[2];	/* readable once cancelled */
	int		 wake_pipe[2];		/* to the console's loop */
	pthread_t	 threads[RUN_MAX_THREADS];
	size_t		 nthreads;
};

static const char *const state_names[] = {
	"waiting", "connecting", "running", "done", "failed", "timeout", "cancelled",
};

/* See action_run.h. */
const char *
action_run_state_name(enum action_run_state s)
{
	return (unsigned)s < OD_ARRAY_LEN(state_names) ? state_names[s] : "?";
}

/* Pokes the console (non-blocking; a full pipe already says so). */
static void
wake(struct action_run *r)
{
	(void)!write(r->wake_pipe[1], "w", 1);
}

/* Sets slot's state (and ends it when final); under no lock; wakes the console. */
static void
slot_state(struct slot *sl, enum action_run_state st, int status, char *why)
{
	struct action_run *r = sl->r;

	pthread_mutex_lock(&r->lock);
	sl->part.state = st;
	sl->part.status = status;
	if (why != NULL) {
		free(sl->part.why);
		sl->part.why = why;
	}
	if (st == ARUN_CONNECTING || st == ARUN_RUNNING) {
		if (sl->part.start_ms == 0)
			sl->part.start_ms = now_mono_ms();
	} else if (st >= ARUN_DONE) {
		sl->part.end_ms = now_mono_ms();
		r->over++;
	}
	pthread_mutex_unlock(&r->lock);
	wake(r);
}

/* Appends output, up to the cap; past it only marks the part cut. */
static void
slot_output(struct slot *sl, const char *buf, size_t n)
{
	struct action_run *r = sl->r;

	pthread_mutex_lock(&r->lock);
	size_t room = ACTION_RUN_OUTPUT_MAX - sl->part.len;
	if (n > room) {
		sl->part.cut = 1;
		n = room;
	}
	if (n > 0) {
		sl->part.out = xrealloc(sl->part.out, sl->part.len + n);
		memcpy(sl->part.out + sl->part.len, buf, n);
		sl->part.len += n;
	}
	pthread_mutex_unlock(&r->lock);
	wake(r);
}

/* on_socket of a login (source.h): remembered so that a cancel can shut it down. */
static void
slot_socket(void *arg, int sock)
{
	struct slot *sl = arg;
	struct action_run *r = sl->r;

	pthread_mutex_lock(&r->lock);
	sl->sock = sock;
	if (sock >= 0 && r->cancelled)
		shutdown(sock, SHUT_RDWR);
	pthread_mutex_unlock(&r->lock);
}

static int
is_cancelled(struct action_run *r)
{
	pthread_mutex_lock(&r->lock);
	int c = r->cancelled;
	pthread_mutex_unlock(&r->lock);
	return c;
}

/*
 * Waits up to the deadline for fd (or the cancel pipe). 1 fd readable, 0
 * nothing within 500 ms, -1 cancelled, -2 past the deadline.
 */
static int
wait_input(struct action_run *r, int fd, int64_t deadline)
{
	int64_t left = deadline - now_mono_ms();

	if (left <= 0)
		return -2;
	struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
	    { .fd = r->cancel_pipe[0], .events = POLLIN } };
	int k = poll(p, 2, (int)OD_MIN(left, 500));
	if (k < 0 && errno != EINTR)
		return -1;
	if (p[1].revents & POLLIN)
		return -1;
	return k > 0 && p[0].revents != 0 ? 1 : 0;
}

/* "timeout after 30s". */
static char *
timeout_text(int64_t ms)
{
	char d[32];
	duration_format(ms, d, sizeof d);
	return xasprintf("no end within %s: stopped", d);
}

/* One host over SSH, from login to the command's end. */
static void
run_ssh(struct slot *sl)
{
	struct action_run *r = sl->r;
	struct ssh_stream *s = ssh_stream_new(&sl->t);
	struct source_open_ctx ctx = { r->cancel_pipe[0], slot_socket, sl };
	enum host_state hs;
	char *cause = NULL, buf[8192];

	slot_state(sl, ARUN_CONNECTING, -1, NULL);
	int rc = ssh_stream_connect(s, &ctx, &hs, &cause);
	if (rc == 0) {
		slot_socket(sl, ssh_stream_socket(s));
		rc = ssh_stream_start(s, r->command, &hs, &cause);
	}
	slot_socket(sl, -1);
	if (rc != 0) {
		if (is_cancelled(r)) {
			free(cause);
			slot_state(sl, ARUN_CANCELLED, -1, NULL);
		} else {
			slot_state(sl, ARUN_FAILED, -1, cause);
		}
		ssh_stream_free(s, 0);
		return;
	}
	slot_state(sl, ARUN_RUNNING, -1, NULL);
	int64_t deadline = now_mono_ms() + r->timeout_ms;
	for (;;) {
		int w = wait_input(r, ssh_stream_fd(s), deadline);
		if (w == -1) {
			slot_state(sl, ARUN_CANCELLED, -1, NULL);
			break;
		}
		if (w == -2) {
			slot_state(sl, ARUN_TIMEOUT, -1, timeout_text(r->timeout_ms));
			break;
		}
		ssize_t n;
		while ((n = ssh_stream_read(s, buf, sizeof buf, &cause)) > 0)
			slot_output(sl, buf, (size_t)n);
		if (n < 0) {
			int st = ssh_stream_exit_status(s, ACTION_RUN_STATUS_WAIT_MS);
			if (st >= 0) {
				free(cause);
				slot_state(sl, ARUN_DONE, st, NULL);
			} else {
				char *why = xasprintf("ended without an exit status (%s)",
				    cause != NULL ? cause : "?");
				free(cause);
				slot_state(sl, ARUN_FAILED, -1, why);
			}
			break;
		}
	}
	/* closing the channel ends the command on the node (its guard) */
	ssh_stream_free(s, 1);
}

/* One host of a `local` group: the operator's command under /bin/sh here. */
static void
run_local(struct slot *sl)
{
	struct action_run *r = sl->r;
	char *line = xasprintf("exec 2>&1\n%s", r->raw);
	char *argv[] = { "sh", "-c", line, NULL };
	char *cause = NULL, buf[8192];
	pid_t pid;
	int fd, status = 0;

	slot_state(sl, ARUN_RUNNING, -1, NULL);
	if (spawn_pipe_stdout("/bin/sh", argv, &pid, &fd, &cause) != 0) {
		free(line);
		slot_state(sl, ARUN_FAILED, -1, cause);
		return;
	}
	free(line);
	int64_t deadline = now_mono_ms() + r->timeout_ms;
	enum action_run_state end = ARUN_DONE;
	for (;;) {
		int w = wait_input(r, fd, deadline);
		if (w < 0) {
			end = w == -1 ? ARUN_CANCELLED : ARUN_TIMEOUT;
			kill(-pid, SIGKILL);	/* its process group: what it started too */
			break;
		}
		ssize_t n = read(fd, buf, sizeof buf);
		if (n > 0)
			slot_output(sl, buf, (size_t)n);
		else if (n == 0 || (errno != EAGAIN && errno != EINTR))
			break;
	}
	close(fd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (end == ARUN_CANCELLED)
		slot_state(sl, end, -1, NULL);
	else if (end == ARUN_TIMEOUT)
		slot_state(sl, end, -1, timeout_text(r->timeout_ms));
	else if (WIFEXITED(status))
		slot_state(sl, ARUN_DONE, WEXITSTATUS(status), NULL);
	else
		slot_state(sl, ARUN_FAILED, -1, xasprintf("killed by signal %d",
		    WIFSIGNALED(status) ? WTERMSIG(status) : 0));
}

/* A worker: hosts one after the other until none is left. */
static void *
worker(void *arg)
{
	struct action_run *r = arg;

	for (;;) {
		pthread_mutex_lock(&r->lock);
		size_t i = r->next < r->n ? r->next++ : r->n;
		int cancelled = r->cancelled;
		pthread_mutex_unlock(&r->lock);
		if (i >= r->n)
			return NULL;
		struct slot *sl = &r->slots[i];
		if (cancelled)
			slot_state(sl, ARUN_CANCELLED, -1, NULL);
		else if (sl->local)
			run_local(sl);
		else
			run_ssh(sl);
	}
}

static void
make_pipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0)
		fatal("action run: pipe: %s", strerror(errno));
}

/* See action_run.h. */
struct action_run *
action_run_start(const struct action_run_spec *v, size_t n, const char *command,
    int64_t timeout_ms, size_t fanout)
{
	struct action_run *r = xcalloc(1, sizeof *r);
	size_t cfg_len = 0;
	char *cfg_text = NULL;

	pthread_mutex_init(&r->lock, NULL);
	make_pipe(r->cancel_pipe);
	make_pipe(r->wake_pipe);
	r->raw = xstrdup(command);
	r->command = frame_guarded_command(command);
	r->timeout_ms = timeout_ms > 0 ? timeout_ms : 60000;
	r->n = n;
	r->slots = xcalloc(n, sizeof *r->slots);
	for (size_t i = 0; i < n; i++) {
		struct slot *sl = &r->slots[i];
		sl->r = r;
		sl->sock = -1;
		sl->part.name = xstrdup(v[i].h->name);
		sl->part.status = -1;
		sl->local = v[i].g->local;
		if (sl->local)
			continue;
		if (cfg_text == NULL)
			cfg_text = ssh_config_read_home(&cfg_len);
		ssh_target_resolve(&sl->t, v[i].h->name, v[i].h->address, &v[i].g->conn,
		    cfg_text, cfg_len, v[i].g->conn.timeout_ms);
	}
	free(cfg_text);
	if (fanout == 0)
		fanout = ACTION_RUN_FANOUT;
	size_t nt = OD_MIN(OD_MIN(n, fanout), (size_t)RUN_MAX_THREADS);
	for (size_t i = 0; i < nt; i++) {
		if (pthread_create(&r->threads[r->nthreads], NULL, worker, r) != 0)
			break;
		r->nthreads++;
	}
	if (r->nthreads == 0)
		fatal("action run: cannot start a thread");
	return r;
}

int
action_run_fd(const struct action_run *r)
{
	return r->wake_pipe[0];
}

void
action_run_ack(struct action_run *r)
{
	char c[64];
	while (read(r->wake_pipe[0], c, sizeof c) > 0)
		;
}

void
action_run_lock(struct action_run *r)
{
	pthread_mutex_lock(&r->lock);
}

void
action_run_unlock(struct action_run *r)
{
	pthread_mutex_unlock(&r->lock);
}

size_t
action_run_count(const struct action_run *r)
{
	return r->n;
}

const struct action_run_host *
action_run_host(const struct action_run *r, size_t i)
{
	return i < r->n ? &r->slots[i].part : NULL;
}

int
action_run_over(struct action_run *r)
{
	pthread_mutex_lock(&r->lock);
	int over = r->over >= r->n;
	pthread_mutex_unlock(&r->lock);
	return over;
}

/* See action_run.h. */
void
action_run_cancel(struct action_run *r)
{
	pthread_mutex_lock(&r->lock);
	if (!r->cancelled) {
		r->cancelled = 1;
		(void)!write(r->cancel_pipe[1], "c", 1);
		for (size_t i = 0; i < r->n; i++)
			if (r->slots[i].sock >= 0)
				shutdown(r->slots[i].sock, SHUT_RDWR);
	}
	pthread_mutex_unlock(&r->lock);
}

/* See action_run.h. */
void
action_run_free(struct action_run *r)
{
	if (r == NULL)
		return;
	action_run_cancel(r);
	for (size_t i = 0; i < r->nthreads; i++)
		pthread_join(r->threads[i], NULL);
	for (size_t i = 0; i < r->n; i++) {
		struct slot *sl = &r->slots[i];
		free(sl->part.name);
		free(sl->part.why);
		free(sl->part.out);
		if (!sl->local)
			ssh_target_free(&sl->t);
	}
	free(r->slots);
	free(r->command);
	free(r->raw);
	for (int i = 0; i < 2; i++) {
		close(r->cancel_pipe[i]);
		close(r->wake_pipe[i]);
	}
	pthread_mutex_destroy(&r->lock);
	free(r);
}
