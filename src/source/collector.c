/*
 * collector.c: keeps every configured host streaming framed reports and turns
 * them into host_status updates (collector.h).
 *
 * Threads, all bounded whatever the number of hosts:
 * - the publisher: collector_run()'s caller, or the thread of
 *   collector_start(). Every tick it copies the statuses that changed, writes
 *   them to the store in one transaction and writes a byte to wake_fd.
 * - up to COLLECTOR_MAX_WORKERS workers. Each owns a fixed subset of the
 *   hosts: their pipes or SSH sessions, frame readers, reports, deadlines and
 *   back-off. A worker waits on all its connections at once (epoll, so a
 *   wake-up costs what is ready, not what is open) and reads them with
 *   non-blocking calls; nothing it does blocks on one host.
 * - up to COLLECTOR_MAX_CONNECTORS connect threads: blocking TCP connect,
 *   key exchange, host-key check, authentication and exec for SSH hosts, with
 *   our own deadlines. An established stream is handed to the host's worker
 *   through its inbox.
 * A host is touched by one thread at a time: its worker, or a connector while
 * it is in PH_CONNECTING. The published status (struct chost.st and the
 * fields after it) is shared under c->lock.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "opsdeck/collector.h"
#include "opsdeck/alert.h"
#include "opsdeck/budget.h"
#include "opsdeck/testbed.h"
#include "opsdeck/frame.h"
#include "opsdeck/probe.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/ssh.h"
#include "opsdeck/util.h"

extern char **environ;

#define TICK_MIN_MS		100	/* publisher period: half the shortest interval, */
#define TICK_MAX_MS		1000	/* within these bounds */
#define READ_CHUNK		(64 * 1024)
#define READ_BUDGET		(256 * 1024)	/* per host per poll round, for fairness */
#define BACKOFF_BASE_MS		1000
#define BACKOFF_CAP_MS		60000
#define WORKER_MAX_WAIT_MS	1000
#define WORKER_BATCH_MS		20	/* after a busy round, gather input this long */
#define WORKER_BULK_BYTES	(16 * 1024)	/* ...unless a host sent this much in it */
#define WORKER_EVENTS		256		/* epoll events taken per wait */
#define WAKE_TOKEN		UINT64_MAX	/* epoll data of the wake pipe */

enum phase { PH_IDLE, PH_CONNECTING, PH_STREAMING };

struct cgroup {
	const struct group	*g;
	const struct probe	**probes;
	size_t			 nprobes;
	char			*script;
	int64_t			 interval_ms;
	int64_t			 timeout_ms;
};

struct worker;

/*
 * Parts of a report that modules with tables of their own store (devices,
 * compute use): moved out of the worker's report, written by publish().
 */
struct extras {
	struct testbed_report	*testbed;
	struct slurm_usage	*slurm;
};

static void
extras_free(struct extras *e)
{
	if (e->testbed != NULL) {
		testbed_report_free(e->testbed);
		free(e->testbed);
	}
	if (e->slurm != NULL) {
		slurm_usage_free(e->slurm);
		free(e->slurm);
	}
	memset(e, 0, sizeof *e);
}

/* Moves r's module parts into e, replacing older ones not yet stored. */
static void
extras_take(struct extras *e, struct host_report *r)
{
	if (r->testbed != NULL) {
		if (e->testbed != NULL) {
			testbed_report_free(e->testbed);
			free(e->testbed);
		}
		e->testbed = r->testbed;
		r->testbed = NULL;
	}
	if (r->slurm != NULL) {
		if (e->slurm != NULL) {
			slurm_usage_free(e->slurm);
			free(e->slurm);
		}
		e->slurm = r->slurm;
		r->slurm = NULL;
	}
}

struct chost {
	struct collector	*c;
	size_t			 idx;
	const struct host	*h;
	struct cgroup		*cg;
	struct worker		*w;

	/* Owned by the worker (or a connector during PH_CONNECTING). */
	enum phase		 phase;
	pid_t			 pid;		/* local sh, leader of its process group */
	int			 fd;		/* local pipe, or the SSH session's socket */
	struct ssh_stream	*ss;
	struct ssh_target	 target;	/* ssh only, resolved once */
	struct frame_reader	 fr;
	uint64_t		 garbage_mark;
	int			 flood;
	int			 more;		/* read budget ran out: read again soon */
	size_t			 last_read;	/* bytes taken in the latest read round */
	uint64_t		 read_round;	/* the worker round that last read it */
	int			 watched;	/* fd is in the worker's epoll set */
	struct host_report	 cur, prev;
	int			 have_prev;
	int64_t			 prev_mono;
	uint64_t		 seq;
	int			 in_cycle;
	unsigned char		*seen;
	size_t			 nseen;
	char			*cycle_err;
	int64_t			 stream_mono;
	int64_t			 last_frame_mono;	/* the last complete cycle (deadlines) */
	int			 partial_frames;	/* frames since, none completing a cycle */
	uint64_t		 cycle_garbage;	/* fr.garbage at that cycle */
	int			 stream_cycles;
	int			 attempts;
	int64_t			 retry_mono;
	struct host_status	 figs;		/* figures of the latest good cycle */

	/* Shared, under c->lock. */
	struct host_status	 st;
	struct extras		 pending;	/* the latest reports of modules with tables of their own */
	int			 dirty;
	int			 cycles;	/* good cycles since collector_new */
	int			 settled;	/* failed at least once */
	int			 sock;		/* socket being set up by a connector, or -1 */

	/* The collector thread's own (publish): a controller's known devices. */
	struct device		*devs;
	size_t			 ndevs;
	int			 alerts_clear;	/* the cache holds no active host alert for it */
};

struct inbox_item {
	size_t			 idx;
	struct ssh_stream	*ss;		/* NULL: failed */
	enum host_state		 state;
	char			*cause;
};

struct worker {
	struct collector	*c;
	pthread_t		 thr;
	int			 started;
	int			 wake[2];
	int			 epfd;		/* epoll set: wake[0] and every streaming fd */
	size_t			*hosts;
	size_t			 nhosts;
	pthread_mutex_t		 inbox_lock;
	struct inbox_item	*inbox;
	size_t			 ninbox, capinbox;
	unsigned		 seed;
};

struct collector {
	const struct config	*cfg;
	struct store		*st;
	struct collector_opts	 opts;

	struct cgroup		*groups;
	size_t			 ngroups;
	struct chost		*hosts;
	size_t			 nhosts;
	size_t			 nssh;

	struct worker		*workers;
	size_t			 nworkers;
	pthread_t		*connectors;
	size_t			 nconnectors;

	pthread_mutex_t		 qlock;
	pthread_cond_t		 qcond;
	size_t			*queue;
	size_t			 qhead, qlen, qcap;

	pthread_mutex_t		 lock;
	int			 transports_up;
	atomic_int		 stopping;
	atomic_int		 interrupted;
	int			 intr[2];	/* collector_interrupt() writes here */
	int			 abort_pipe[2];	/* readable while transports stop */

	pthread_t		 thr;
	int			 thread_started;
	int			 in_run;

	char			*store_error;	/* latest store failure, under lock */
	int64_t			 tick_ms;	/* publisher period */
	int64_t			 maint_next;	/* mono ms of the next housekeeping slice */
	int64_t			 prune_next;	/* mono ms of the next device/alert pruning */
};

static void worker_watch(struct chost *ch);
static void worker_unwatch(struct chost *ch);

static void
set_cloexec_nonblock(int fd, int nonblock)
{
	int fl = fcntl(fd, F_GETFD);
	if (fl >= 0)
		fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
	if (nonblock) {
		fl = fcntl(fd, F_GETFL);
		if (fl >= 0)
			fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	}
}

static void
make_pipe(int p[2])
{
	if (pipe(p) != 0)
		fatal("pipe: %s", strerror(errno));
	set_cloexec_nonblock(p[0], 1);
	set_cloexec_nonblock(p[1], 1);
}

static void
drain_fd(int fd)
{
	char b[256];
	while (read(fd, b, sizeof b) > 0)
		;
}

static void
poke_fd(int fd)
{
	ssize_t r;
	do
		r = write(fd, "x", 1);
	while (r < 0 && errno == EINTR);
}

/* Raises RLIMIT_NOFILE to its hard limit: 1,000 sessions need more than 1,024. */
static void
raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* ---- groups ---------------------------------------------------------- */

/*
 * Builds the probe list and sh loop of group g. Probe names that are not in
 * probe_table are skipped (the config checked them). A testbed group's
 * `command` replaces the command of its "testbed" probe.
 */
static void
cgroup_init(struct cgroup *cg, const struct group *g, int64_t timeout_override)
{
	memset(cg, 0, sizeof *cg);
	cg->g = g;
	cg->probes = xcalloc(g->nprobes + 1, sizeof *cg->probes);
	for (size_t i = 0; i < g->nprobes && g->probes[i] != NULL; i++) {
		const struct probe *p = probe_find(g->probes[i]);
		if (p == NULL)
			continue;
		int dup = 0;
		for (size_t j = 0; j < cg->nprobes; j++)
			if (cg->probes[j] == p)
				dup = 1;
		if (!dup)
			cg->probes[cg->nprobes++] = p;
	}
	const char **cmds = xcalloc(cg->nprobes + 1, sizeof *cmds);
	const char **names = xcalloc(cg->nprobes + 1, sizeof *names);
	for (size_t i = 0; i < cg->nprobes; i++) {
		names[i] = cg->probes[i]->name;
		cmds[i] = cg->probes[i]->command;
		if (g->command != NULL && strcmp(names[i], "testbed") == 0)
			cmds[i] = g->command;
	}
	cg->interval_ms = g->conn.interval_ms > 0 ? g->conn.interval_ms : 2000;
	cg->timeout_ms = timeout_override > 0 ? timeout_override :
	    (g->conn.timeout_ms > 0 ? g->conn.timeout_ms : 10000);
	if (cg->nprobes > 0)
		cg->script = frame_script(cmds, names, cg->nprobes, cg->interval_ms);
	free(cmds);
	free(names);
}

static void
cgroup_free(struct cgroup *cg)
{
	free(cg->probes);
	free(cg->script);
}

/* ---- publishing state (any thread, takes c->lock) ---------------------- */

static int
state_is_failure(enum host_state s)
{
	return s != HOST_CONNECTING && s != HOST_UP && s != HOST_STALE;
}

/* Sets the host's state and message (sanitised, cut to fit). Takes c->lock. */
static void
publish_state(struct chost *ch, enum host_state state, const char *msg)
{
	struct collector *c = ch->c;
	char err[HOST_ERROR_MAX];

	sanitize_text(err, sizeof err, msg != NULL ? msg : "", msg != NULL ? strlen(msg) : 0);
	pthread_mutex_lock(&c->lock);
	if (ch->st.state != state || strcmp(ch->st.error, err) != 0) {
		if (ch->st.state != state)
			ch->st.state_since_ms = now_wall_ms();
		ch->st.state = state;
		memcpy(ch->st.error, err, sizeof err);
		ch->dirty = 1;
	}
	if (state_is_failure(state))
		ch->settled = 1;
	pthread_mutex_unlock(&c->lock);
}

/* Publishes ch->figs with state UP (a good cycle). Takes c->lock. */
static void
publish_cycle(struct chost *ch)
{
	struct collector *c = ch->c;

	pthread_mutex_lock(&c->lock);
	enum host_state old = ch->st.state;
	int64_t since = ch->st.state_since_ms;
	host_status_free(&ch->st);
	host_status_copy(&ch->st, &ch->figs);
	ch->st.state = HOST_UP;
	ch->st.error[0] = '\0';
	ch->st.state_since_ms = old == HOST_UP ? since : now_wall_ms();
	/* Devices and compute use go to the store with the next tick (publish). */
	extras_take(&ch->pending, &ch->cur);
	ch->dirty = 1;
	ch->cycles++;
	pthread_mutex_unlock(&c->lock);
}

/* ---- streams (worker side) ---------------------------------------------- */

/* Forgets the cycle being assembled. */
static void
cycle_reset(struct chost *ch)
{
	report_free(&ch->cur);
	memset(&ch->cur, 0, sizeof ch->cur);
	free(ch->cycle_err);
	ch->cycle_err = NULL;
	ch->in_cycle = 0;
	ch->nseen = 0;
	if (ch->seen != NULL)
		memset(ch->seen, 0, ch->cg->nprobes);
}

/* Kills the local sh and everything it started (its process group) and reaps it. */
static int
local_kill(struct chost *ch)
{
	int status = 0;
	if (ch->pid > 0) {
		kill(-ch->pid, SIGKILL);
		while (waitpid(ch->pid, &status, 0) < 0 && errno == EINTR)
			;
		ch->pid = -1;
	}
	if (ch->fd >= 0) {
		close(ch->fd);
		ch->fd = -1;
	}
	return status;
}

/* Closes whatever transport the host has; it goes back to PH_IDLE. */
static void
stream_close(struct chost *ch, int graceful)
{
	worker_unwatch(ch);
	if (ch->cg->g->local)
		local_kill(ch);
	if (ch->ss != NULL) {
		ssh_stream_free(ch->ss, graceful);
		ch->ss = NULL;
		ch->fd = -1;	/* closed by libssh */
	}
	frame_reader_free(&ch->fr);
	frame_reader_init(&ch->fr, PROBE_MAX_OUTPUT);
	ch->garbage_mark = 0;
	ch->flood = 0;
	ch->more = 0;
	cycle_reset(ch);
	/* A new stream restarts its counters; rates across the gap would lie. */
	report_free(&ch->prev);
	memset(&ch->prev, 0, sizeof ch->prev);
	ch->have_prev = 0;
	ch->phase = PH_IDLE;
}

/* Next delay of the exponential back-off: 1s doubling to 60s, +-20 % jitter. */
static int64_t
backoff_ms(struct chost *ch)
{
	int64_t d = BACKOFF_BASE_MS;
	for (int i = 1; i < ch->attempts && d < BACKOFF_CAP_MS; i++)
		d *= 2;
	if (d > BACKOFF_CAP_MS)
		d = BACKOFF_CAP_MS;
	int64_t j = d / 5;
	if (j > 0)
		d += (int64_t)(rand_r(&ch->w->seed) % (unsigned)(2 * j + 1)) - j;
	return d;
}

/* The host failed: publish why, drop its transport, retry after back-off. */
static void
host_fail(struct chost *ch, enum host_state state, const char *msg)
{
	stream_close(ch, 0);
	publish_state(ch, state, msg);
	ch->attempts++;
	ch->retry_mono = now_mono_ms() + backoff_ms(ch);
}

/* One cycle (every probe's frame of one SEQ) arrived. */
static void
cycle_done(struct chost *ch)
{
	int64_t now = now_mono_ms();

	/* A complete cycle, good or not, resets the report deadline. */
	ch->last_frame_mono = now;
	ch->partial_frames = 0;
	ch->cycle_garbage = ch->fr.garbage;
	if (ch->cycle_err != NULL) {
		publish_state(ch, HOST_PARSE_ERROR, ch->cycle_err);
		cycle_reset(ch);
		return;
	}
	host_status_from_reports(&ch->figs, ch->have_prev ? &ch->prev : NULL, &ch->cur,
	    ch->have_prev ? now - ch->prev_mono : 0);
	ch->figs.sample_ms = now_wall_ms();
	publish_cycle(ch);
	report_free(&ch->prev);
	ch->prev = ch->cur;
	memset(&ch->cur, 0, sizeof ch->cur);
	ch->have_prev = 1;
	ch->prev_mono = now;
	ch->stream_cycles++;
	ch->attempts = 0;
	cycle_reset(ch);
}

/* frame_reader callback: files a frame into the cycle of its SEQ. */
static void
on_frame(const struct frame *f, void *arg)
{
	struct chost *ch = arg;
	struct cgroup *cg = ch->cg;

	ch->partial_frames++;
	ch->garbage_mark = ch->fr.garbage;
	if (f->truncated) {
		ch->flood = 1;
		return;
	}
	if (!ch->in_cycle || f->seq != ch->seq) {
		cycle_reset(ch);	/* an unfinished cycle is dropped */
		ch->in_cycle = 1;
		ch->seq = f->seq;
	}
	size_t i;
	for (i = 0; i < cg->nprobes; i++)
		if (strcmp(cg->probes[i]->name, f->probe) == 0)
			break;
	if (i == cg->nprobes || ch->seen[i])
		return;
	ch->seen[i] = 1;
	ch->nseen++;
	if (ch->cycle_err == NULL) {
		char *cause = NULL;
		if (cg->probes[i]->parse(f->body, f->len, &ch->cur, &cause) != 0) {
			ch->cycle_err = xasprintf("%s: %s", f->probe,
			    cause != NULL ? cause : "unreadable output");
		}
		free(cause);
	}
	if (ch->nseen == cg->nprobes)
		cycle_done(ch);
}

/* Feeds bytes from the host; cuts off a host that floods. 0, or -1 when cut off. */
static int
host_feed(struct chost *ch, const char *p, size_t n)
{
	frame_reader_feed(&ch->fr, p, n, on_frame, ch);
	if (ch->flood || (ch->fr.in_frame && ch->fr.body.overflow) ||
	    ch->fr.garbage - ch->garbage_mark > PROBE_MAX_OUTPUT) {
		char *m = xasprintf("output over %d bytes, cut off", PROBE_MAX_OUTPUT);
		host_fail(ch, HOST_PARSE_ERROR, m);
		free(m);
		return -1;
	}
	return 0;
}

/* Reads what the local pipe has, up to the budget. */
static void
local_read(struct chost *ch)
{
	char buf[READ_CHUNK];
	size_t total = 0;

	ch->more = 0;
	while (total < READ_BUDGET) {
		ssize_t r = read(ch->fd, buf, sizeof buf);
		if (r > 0) {
			total += (size_t)r;
			ch->last_read = total;
			if (host_feed(ch, buf, (size_t)r) != 0)
				return;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		/* EOF or error: the sh ended. */
		int status = local_kill(ch);
		char *m;
		if (WIFSIGNALED(status))
			m = xasprintf("local sh was killed by signal %d", WTERMSIG(status));
		else
			m = xasprintf("local sh exited with status %d", WEXITSTATUS(status));
		host_fail(ch, HOST_DOWN, m);
		free(m);
		return;
	}
	ch->more = 1;
}

/* Reads what the SSH channel has, up to the budget. */
static void
ssh_read(struct chost *ch)
{
	char buf[READ_CHUNK];
	size_t total = 0;

	ch->more = 0;
	while (total < READ_BUDGET) {
		char *cause = NULL;
		ssize_t r = ssh_stream_read(ch->ss, buf, sizeof buf, &cause);
		if (r > 0) {
			total += (size_t)r;
			ch->last_read = total;
			if (host_feed(ch, buf, (size_t)r) != 0)
				return;
			continue;
		}
		if (r == 0)
			return;
		host_fail(ch, HOST_DOWN, cause != NULL ? cause : "connection lost");
		free(cause);
		return;
	}
	ch->more = 1;
}

/*
 * Starts the local sh loop: /bin/sh -c SCRIPT in a process group of its own,
 * stdout to a non-blocking pipe, stdin and stderr /dev/null. posix_spawn is
 * safe from a threaded process.
 */
static void
local_start(struct chost *ch)
{
	int p[2];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	pid_t pid;

	if (pipe(p) != 0) {
		char *m = xasprintf("cannot make a pipe: %s", strerror(errno));
		host_fail(ch, HOST_DOWN, m);
		free(m);
		return;
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
	char *argv[] = { (char *)"sh", (char *)"-c", ch->cg->script, NULL };
	int rc = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		char *m = xasprintf("cannot run /bin/sh: %s", strerror(rc));
		host_fail(ch, HOST_DOWN, m);
		free(m);
		return;
	}
	set_cloexec_nonblock(p[0], 1);
	ch->pid = pid;
	ch->fd = p[0];
	worker_watch(ch);
	ch->phase = PH_STREAMING;
	ch->stream_mono = now_mono_ms();
	ch->last_frame_mono = 0;
	ch->partial_frames = 0;
	ch->cycle_garbage = 0;
	ch->stream_cycles = 0;
}

/* Queues an SSH host for a connector. */
static void
ssh_enqueue(struct chost *ch)
{
	struct collector *c = ch->c;

	ch->phase = PH_CONNECTING;
	pthread_mutex_lock(&c->qlock);
	if (c->qlen == c->qcap) {
		size_t ncap = c->qcap ? c->qcap * 2 : 64;
		size_t *nq = xreallocarray(NULL, ncap, sizeof *nq);
		for (size_t i = 0; i < c->qlen; i++)
			nq[i] = c->queue[(c->qhead + i) % c->qcap];
		free(c->queue);
		c->queue = nq;
		c->qcap = ncap;
		c->qhead = 0;
	}
	c->queue[(c->qhead + c->qlen) % c->qcap] = ch->idx;
	c->qlen++;
	pthread_cond_signal(&c->qcond);
	pthread_mutex_unlock(&c->qlock);
}

/* A host whose back-off expired (or that never ran): start it. */
static void
host_begin(struct chost *ch)
{
	if (ch->cg->nprobes == 0) {
		host_fail(ch, HOST_PARSE_ERROR, "no known probe configured for this group");
		ch->retry_mono = INT64_MAX;
		return;
	}
	if (ch->cg->g->local)
		local_start(ch);
	else
		ssh_enqueue(ch);
}

/* Deadlines of a streaming host: stale after 2 intervals, timeout after interval + timeout. */
static void
host_check_deadlines(struct chost *ch, int64_t now, int64_t *next)
{
	struct cgroup *cg = ch->cg;
	int64_t last = ch->last_frame_mono > 0 ? ch->last_frame_mono : ch->stream_mono;
	int64_t dead = last + cg->interval_ms + cg->timeout_ms;

	if (now >= dead) {
		char a[32], b[32], d[32];
		duration_format((now - last) / 1000 * 1000, a, sizeof a);
		duration_format(cg->interval_ms, b, sizeof b);
		duration_format(cg->timeout_ms, d, sizeof d);
		uint64_t junk = ch->fr.garbage - ch->cycle_garbage;
		if (ch->partial_frames > 0 || junk > 0) {
			/* It talks, but never a whole report: its output is the problem. */
			char *m = xasprintf("no complete report for %s: %d frame%s without a "
			    "full cycle, %llu bytes outside frames; connection dropped", a,
			    ch->partial_frames, ch->partial_frames == 1 ? "" : "s",
			    (unsigned long long)junk);
			host_fail(ch, HOST_PARSE_ERROR, m);
			free(m);
			return;
		}
		char *m = xasprintf("no report for %s (interval %s + timeout %s); "
		    "connection dropped", a, b, d);
		host_fail(ch, HOST_TIMEOUT, m);
		free(m);
		return;
	}
	if (dead < *next)
		*next = dead;
	if (ch->stream_cycles > 0) {
		int64_t stale = last + 2 * cg->interval_ms;
		if (now >= stale) {
			pthread_mutex_lock(&ch->c->lock);
			enum host_state s = ch->st.state;
			pthread_mutex_unlock(&ch->c->lock);
			if (s == HOST_UP) {
				char a[32];
				duration_format((now - last) / 1000 * 1000, a, sizeof a);
				char *m = xasprintf("no report for %s", a);
				publish_state(ch, HOST_STALE, m);
				free(m);
			}
		} else if (stale < *next)
			*next = stale;
	}
}

/* Registers a streaming host's fd with its worker's epoll set. */
static void
worker_watch(struct chost *ch)
{
	struct epoll_event e;

	memset(&e, 0, sizeof e);
	e.events = EPOLLIN;
	e.data.u64 = ch->idx;
	if (epoll_ctl(ch->w->epfd, EPOLL_CTL_ADD, ch->fd, &e) != 0)
		fatal("epoll_ctl: %s", strerror(errno));
	ch->watched = 1;
}

static void
worker_unwatch(struct chost *ch)
{
	if (ch->watched && ch->fd >= 0)
		epoll_ctl(ch->w->epfd, EPOLL_CTL_DEL, ch->fd, NULL);
	ch->watched = 0;
}

/* Reads one host once per round; *bulk gets the largest amount read. */
static void
worker_read(struct chost *ch, uint64_t round, size_t *bulk)
{
	ch->read_round = round;
	ch->last_read = 0;
	if (ch->ss != NULL)
		ssh_read(ch);
	else
		local_read(ch);
	if (ch->last_read > *bulk)
		*bulk = ch->last_read;
}

/* Takes the connectors' results for this worker's hosts. */
static void
worker_take_inbox(struct worker *w)
{
	struct collector *c = w->c;

	pthread_mutex_lock(&w->inbox_lock);
	struct inbox_item *items = w->inbox;
	size_t n = w->ninbox;
	w->inbox = NULL;
	w->ninbox = w->capinbox = 0;
	pthread_mutex_unlock(&w->inbox_lock);

	for (size_t i = 0; i < n; i++) {
		struct chost *ch = &c->hosts[items[i].idx];
		if (items[i].ss != NULL) {
			ch->ss = items[i].ss;
			ch->fd = ssh_stream_fd(ch->ss);
			worker_watch(ch);
			ch->phase = PH_STREAMING;
			ch->stream_mono = now_mono_ms();
			ch->last_frame_mono = 0;
			ch->partial_frames = 0;
			ch->cycle_garbage = 0;
			ch->stream_cycles = 0;
			ch->more = 1;	/* libssh may hold data already */
		} else {
			ch->phase = PH_IDLE;
			if (!atomic_load(&c->stopping))
				host_fail(ch, items[i].state, items[i].cause);
		}
		free(items[i].cause);
	}
	free(items);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct collector *c = w->c;
	struct epoll_event ev[WORKER_EVENTS];
	uint64_t round = 0;

	while (!atomic_load(&c->stopping)) {
		worker_take_inbox(w);
		int64_t now = now_mono_ms();
		int64_t next = now + WORKER_MAX_WAIT_MS;
		int more = 0;

		round++;
		for (size_t i = 0; i < w->nhosts; i++) {
			struct chost *ch = &c->hosts[w->hosts[i]];
			if (ch->phase == PH_IDLE) {
				if (now >= ch->retry_mono) {
					host_begin(ch);
					now = now_mono_ms();
				}
				if (ch->phase == PH_IDLE && ch->retry_mono < next)
					next = ch->retry_mono;
			}
			if (ch->phase == PH_STREAMING && ch->more)
				more = 1;
		}
		int timeout = more ? 0 : (int)OD_MAX(0, OD_MIN(next - now, WORKER_MAX_WAIT_MS));
		int64_t start = now_mono_ms();
		int r = epoll_wait(w->epfd, ev, WORKER_EVENTS, timeout);
		if (r < 0 && errno != EINTR)
			fatal("epoll_wait: %s", strerror(errno));
		size_t bulk = 0;
		int busy = 0;
		for (int i = 0; i < r; i++) {
			if (ev[i].data.u64 == WAKE_TOKEN) {
				drain_fd(w->wake[0]);
				continue;
			}
			struct chost *ch = &c->hosts[ev[i].data.u64];
			if (ch->phase != PH_STREAMING || ch->read_round == round)
				continue;
			busy = 1;
			worker_read(ch, round, &bulk);
		}
		now = now_mono_ms();
		next = INT64_MAX;
		for (size_t i = 0; i < w->nhosts; i++) {
			struct chost *ch = &c->hosts[w->hosts[i]];
			if (ch->phase == PH_STREAMING && ch->more && ch->read_round != round)
				worker_read(ch, round, &bulk);
			if (ch->phase == PH_STREAMING)
				host_check_deadlines(ch, now, &next);
		}
		/*
		 * Frames of many hosts arrive spread over the interval: rather
		 * than a wake-up per arrival, let input gather for a moment
		 * after a busy round. Costs at most WORKER_BATCH_MS of latency.
		 * Not while a host sends in bulk (a big frame, a flood): that
		 * would throttle it to one window per pause.
		 */
		if (busy && bulk < WORKER_BULK_BYTES && now - start < WORKER_BATCH_MS &&
		    !atomic_load(&c->stopping))
			poll(NULL, 0, (int)(WORKER_BATCH_MS - (now - start)));
	}
	worker_take_inbox(w);
	for (size_t i = 0; i < w->nhosts; i++) {
		struct chost *ch = &c->hosts[w->hosts[i]];
		if (ch->phase == PH_STREAMING)
			stream_close(ch, 1);
	}
	return NULL;
}

/* ---- connectors ------------------------------------------------------- */

static void
worker_post(struct worker *w, struct inbox_item *it)
{
	pthread_mutex_lock(&w->inbox_lock);
	if (w->ninbox == w->capinbox) {
		w->capinbox = w->capinbox ? w->capinbox * 2 : 16;
		w->inbox = xreallocarray(w->inbox, w->capinbox, sizeof *w->inbox);
	}
	w->inbox[w->ninbox++] = *it;
	pthread_mutex_unlock(&w->inbox_lock);
	poke_fd(w->wake[1]);
}

static void *
connector_main(void *arg)
{
	struct collector *c = arg;

	for (;;) {
		pthread_mutex_lock(&c->qlock);
		while (c->qlen == 0 && !atomic_load(&c->stopping))
			pthread_cond_wait(&c->qcond, &c->qlock);
		if (c->qlen == 0) {
			pthread_mutex_unlock(&c->qlock);
			break;
		}
		size_t idx = c->queue[c->qhead];
		c->qhead = (c->qhead + 1) % c->qcap;
		c->qlen--;
		pthread_mutex_unlock(&c->qlock);

		struct chost *ch = &c->hosts[idx];
		struct inbox_item it = { .idx = idx, .ss = NULL, .state = HOST_DOWN, .cause = NULL };
		if (atomic_load(&c->stopping)) {
			worker_post(ch->w, &it);
			continue;
		}
		struct ssh_stream *ss = ssh_stream_new(&ch->target);
		if (ssh_stream_connect(ss, c->abort_pipe[0], &it.state, &it.cause) == 0) {
			pthread_mutex_lock(&c->lock);
			ch->sock = ssh_stream_socket(ss);
			if (atomic_load(&c->stopping) && ch->sock >= 0)
				shutdown(ch->sock, SHUT_RDWR);
			pthread_mutex_unlock(&c->lock);
			int rc = ssh_stream_start(ss, ch->cg->script, &it.state, &it.cause);
			pthread_mutex_lock(&c->lock);
			ch->sock = -1;
			pthread_mutex_unlock(&c->lock);
			if (rc == 0)
				it.ss = ss;
		}
		if (it.ss == NULL)
			ssh_stream_free(ss, 0);
		worker_post(ch->w, &it);
	}
	return NULL;
}

/* ---- lifecycle --------------------------------------------------------- */

/* Reads $HOME/.ssh/config (capped); NULL when absent. */
static char *
read_ssh_config(size_t *len)
{
	const char *home = getenv("HOME");
	char *path, *text = NULL, *cause = NULL;

	*len = 0;
	if (home == NULL || *home == '\0')
		return NULL;
	path = xasprintf("%s/.ssh/config", home);
	if (read_file(path, SSH_CONFIG_MAX_BYTES, &text, len, &cause) != 0) {
		free(cause);
		text = NULL;
		*len = 0;
	}
	free(path);
	return text;
}

/*
 * Builds the collector for cfg (borrowed: it must outlive the collector) and
 * st (borrowed, may be NULL: statuses are then only kept in memory). Starts
 * nothing. Never NULL.
 */
struct collector *
collector_new(const struct config *cfg, struct store *st, const struct collector_opts *opts)
{
	struct collector *c = xcalloc(1, sizeof *c);
	size_t cfglen = 0;
	char *sshcfg = NULL;

	c->cfg = cfg;
	c->st = st;
	if (opts != NULL)
		c->opts = *opts;
	else
		c->opts.wake_fd = -1;
	if (c->opts.wake_fd >= 0) {
		int fl = fcntl(c->opts.wake_fd, F_GETFL);
		if (fl >= 0)
			fcntl(c->opts.wake_fd, F_SETFL, fl | O_NONBLOCK);
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->qlock, NULL);
	pthread_cond_init(&c->qcond, NULL);
	make_pipe(c->intr);
	make_pipe(c->abort_pipe);

	c->ngroups = cfg->ngroups;
	c->groups = xcalloc(c->ngroups + 1, sizeof *c->groups);
	/*
	 * One transaction per tick: ticking at half the shortest interval keeps
	 * the cache at most half an interval behind while each host's rows are
	 * written about twice per interval, not once per 100 ms.
	 */
	c->tick_ms = TICK_MAX_MS;
	for (size_t i = 0; i < cfg->ngroups; i++) {
		c->tick_ms = OD_MIN(c->tick_ms, OD_MAX(cfg->groups[i].conn.interval_ms / 2,
		    (int64_t)TICK_MIN_MS));
		cgroup_init(&c->groups[i], &cfg->groups[i], c->opts.timeout_ms);
		c->nhosts += cfg->groups[i].nhosts;
		if (!cfg->groups[i].local)
			c->nssh += cfg->groups[i].nhosts;
	}
	if (c->nssh > 0)
		sshcfg = read_ssh_config(&cfglen);

	c->hosts = xcalloc(c->nhosts + 1, sizeof *c->hosts);
	size_t k = 0;
	for (size_t i = 0; i < cfg->ngroups; i++) {
		const struct group *g = &cfg->groups[i];
		for (size_t j = 0; j < g->nhosts; j++, k++) {
			struct chost *ch = &c->hosts[k];
			ch->c = c;
			ch->idx = k;
			ch->h = &g->hosts[j];
			ch->cg = &c->groups[i];
			ch->pid = -1;
			ch->fd = -1;
			ch->sock = -1;
			ch->phase = PH_IDLE;
			ch->seen = xcalloc(ch->cg->nprobes + 1, 1);
			frame_reader_init(&ch->fr, PROBE_MAX_OUTPUT);
			host_status_init(&ch->figs);
			od_strlcpy(ch->figs.name, ch->h->name, sizeof ch->figs.name);
			od_strlcpy(ch->figs.group, g->name, sizeof ch->figs.group);
			ch->figs.kind = g->kind;
			host_status_init(&ch->st);
			od_strlcpy(ch->st.name, ch->h->name, sizeof ch->st.name);
			od_strlcpy(ch->st.group, g->name, sizeof ch->st.group);
			ch->st.kind = g->kind;
			ch->st.state = HOST_CONNECTING;
			ch->st.state_since_ms = now_wall_ms();
			ch->dirty = 1;
			if (!g->local)
				ssh_target_resolve(&ch->target, ch->h->name, &g->conn, sshcfg,
				    cfglen, ch->cg->timeout_ms);
		}
	}
	free(sshcfg);

	/* Tables of the device and alert modules, outside any tick. */
	if (st != NULL) {
		char *cause = NULL;
		if (devices_store_init(st, &cause) != 0 || alert_store_init(st, &cause) != 0)
			c->store_error = cause;
	}
	return c;
}

/* Starts workers and connectors (once). */
static void
transports_start(struct collector *c)
{
	if (c->transports_up)
		return;
	raise_nofile();
	atomic_store(&c->stopping, 0);
	drain_fd(c->abort_pipe[0]);

	c->nworkers = (c->nhosts + 127) / 128;
	if (c->nworkers < 1)
		c->nworkers = 1;
	if (c->nworkers > COLLECTOR_MAX_WORKERS)
		c->nworkers = COLLECTOR_MAX_WORKERS;
	c->workers = xcalloc(c->nworkers, sizeof *c->workers);
	for (size_t i = 0; i < c->nworkers; i++) {
		struct worker *w = &c->workers[i];
		w->c = c;
		w->seed = (unsigned)(now_mono_ms() ^ (int64_t)getpid() ^ (int64_t)(i * 7919));
		make_pipe(w->wake);
		w->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (w->epfd < 0)
			fatal("epoll_create1: %s", strerror(errno));
		struct epoll_event e;
		memset(&e, 0, sizeof e);
		e.events = EPOLLIN;
		e.data.u64 = WAKE_TOKEN;
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wake[0], &e) != 0)
			fatal("epoll_ctl: %s", strerror(errno));
		pthread_mutex_init(&w->inbox_lock, NULL);
		w->hosts = xcalloc(c->nhosts / c->nworkers + 2, sizeof *w->hosts);
	}
	for (size_t k = 0; k < c->nhosts; k++) {
		struct worker *w = &c->workers[k % c->nworkers];
		c->hosts[k].w = w;
		c->hosts[k].phase = PH_IDLE;
		c->hosts[k].retry_mono = 0;
		w->hosts[w->nhosts++] = k;
	}
	c->nconnectors = OD_MIN(c->nssh, (size_t)COLLECTOR_MAX_CONNECTORS);
	c->connectors = xcalloc(c->nconnectors + 1, sizeof *c->connectors);
	for (size_t i = 0; i < c->nconnectors; i++)
		if (pthread_create(&c->connectors[i], NULL, connector_main, c) != 0)
			fatal("cannot start a collector thread");
	for (size_t i = 0; i < c->nworkers; i++) {
		if (pthread_create(&c->workers[i].thr, NULL, worker_main, &c->workers[i]) != 0)
			fatal("cannot start a collector thread");
		c->workers[i].started = 1;
	}
	c->transports_up = 1;
}

/*
 * Stops connectors (aborting connects in progress) and workers, which close
 * every session and kill every local sh. Statuses are kept.
 */
static void
transports_stop(struct collector *c)
{
	if (!c->transports_up)
		return;
	atomic_store(&c->stopping, 1);
	poke_fd(c->abort_pipe[1]);
	pthread_mutex_lock(&c->lock);
	for (size_t k = 0; k < c->nhosts; k++)
		if (c->hosts[k].sock >= 0)
			shutdown(c->hosts[k].sock, SHUT_RDWR);
	pthread_mutex_unlock(&c->lock);
	pthread_mutex_lock(&c->qlock);
	c->qlen = 0;
	pthread_cond_broadcast(&c->qcond);
	pthread_mutex_unlock(&c->qlock);
	for (size_t i = 0; i < c->nconnectors; i++)
		pthread_join(c->connectors[i], NULL);
	free(c->connectors);
	c->connectors = NULL;
	c->nconnectors = 0;
	for (size_t i = 0; i < c->nworkers; i++) {
		struct worker *w = &c->workers[i];
		poke_fd(w->wake[1]);
		if (w->started)
			pthread_join(w->thr, NULL);
		/* Streams a connector finished after the worker's last look. */
		for (size_t j = 0; j < w->ninbox; j++) {
			struct chost *ch = &c->hosts[w->inbox[j].idx];
			ssh_stream_free(w->inbox[j].ss, 1);
			free(w->inbox[j].cause);
			ch->phase = PH_IDLE;
		}
		w->ninbox = 0;
		close(w->epfd);
		close(w->wake[0]);
		close(w->wake[1]);
		pthread_mutex_destroy(&w->inbox_lock);
		free(w->inbox);
		free(w->hosts);
	}
	free(c->workers);
	c->workers = NULL;
	c->nworkers = 0;
	c->transports_up = 0;
}

/*
 * A test-bed controller's devices for this tick, in its transaction: the new
 * report when the cycle brought one, `unknown` devices while the controller
 * is not up (never their last `ok`). Other hosts: nothing. 0 or -1 with *cause.
 */
static int
publish_devices(struct collector *c, struct chost *ch, const struct host_status *h,
    const struct testbed_report *rep, char **cause)
{
	if (ch->cg->g->kind != GROUP_TESTBED)
		return 0;
	if (rep == NULL && (h->state == HOST_UP || h->state == HOST_CONNECTING ||
	    h->state == HOST_STALE))
		return 0;
	return devices_ingest(c->st, c->cfg, h->name, &ch->devs, &ch->ndevs, rep,
	    rep == NULL ? (h->error[0] ? h->error : host_state_name(h->state)) : NULL,
	    now_wall_ms(), cause);
}

/*
 * Host alerts for this tick, in its transaction: the rules are evaluated in
 * memory, and the cache is only touched when the host has alerts now or had
 * some at the last sync (a healthy fleet costs no queries). 0 or -1 with *cause.
 */
static int
publish_alerts(struct collector *c, struct chost *ch, const struct host_status *h,
    char **cause)
{
	struct alert_set cur;
	int rc = 0;

	alert_set_init(&cur);
	alert_eval_host(h, c->cfg->thresholds, c->cfg->nthresholds, &cur);
	if (cur.n > 0 || !ch->alerts_clear) {
		rc = alert_store_sync(c->st, h->name, ALERT_SRC_HOST, cur.v, cur.n,
		    now_wall_ms(), cause);
		if (rc == 0)
			ch->alerts_clear = cur.n == 0;
	}
	alert_set_free(&cur);
	return rc;
}

/* A host's name and mean GPU utilisation, for budget_idle_compute. */
struct node_util {
	const char	*name;		/* borrowed from a copy of the statuses */
	double		 pct;
};

static int
node_util_cmp(const void *a, const void *b)
{
	const struct node_util *x = a, *y = b;
	return strcmp(x->name, y->name);
}

struct node_utils {
	struct node_util *v;		/* sorted by name */
	size_t		 n;
};

/*
 * budget_idle_compute's lookup over a struct node_utils `arg`: 0 with *pct
 * for a host named exactly `node`, else -1.
 */
static int
node_util_find(void *arg, const char *node, double *pct)
{
	const struct node_utils *nu = arg;
	const struct node_util key = { node, 0 };
	const struct node_util *hit = nu->n ? bsearch(&key, nu->v, nu->n, sizeof *nu->v,
	    node_util_cmp) : NULL;
	if (hit == NULL)
		return -1;
	*pct = hit->pct;
	return 0;
}

/*
 * Compute use per tenant from a scheduler's sacct, in the tick's transaction,
 * and, when the report has the nodes of running jobs, the GPUs allocated but
 * idle per account: each host this collector knows that is up with GPU
 * figures (c->hosts[k].st, read under c->lock) gives its mean GPU
 * utilisation by its name. 0, or -1 with *cause.
 */
static int
publish_usage(struct collector *c, const struct slurm_usage *u, char **cause)
{
	size_t changed, n, nu = 0;
	struct budget_idle *idle;

	if (u == NULL)
		return 0;
	if (budget_store_put_usage(c->st, u, budget_day_from_wall_ms(now_wall_ms()),
	    &changed, cause) != 0)
		return -1;
	if (!u->has_nodes)
		return 0;
	struct node_util *nv = xcalloc(c->nhosts + 1, sizeof *nv);	/* owned here */
	char (*names)[HOSTNAME_MAX + 1] = xcalloc(c->nhosts + 1, sizeof *names);
	pthread_mutex_lock(&c->lock);
	for (size_t k = 0; k < c->nhosts; k++) {
		const struct host_status *h = &c->hosts[k].st;
		double sum = 0;
		int g, ng = 0;
		for (g = 0; h->state == HOST_UP && g < h->ngpus; g++) {
			if (h->gpus[g].util_pct >= 0) {
				sum += h->gpus[g].util_pct;
				ng++;
			}
		}
		if (ng == 0)
			continue;
		memcpy(names[nu], h->name, sizeof names[nu]);
		nv[nu].name = names[nu];
		nv[nu].pct = sum / ng;
		nu++;
	}
	pthread_mutex_unlock(&c->lock);
	qsort(nv, nu, sizeof *nv, node_util_cmp);
	struct node_utils look = { nv, nu };
	n = budget_idle_compute(u, node_util_find, &look, &idle);
	free(nv);
	free(names);
	int rc = budget_store_put_idle(c->st, idle, n, now_wall_ms(), cause);
	free(idle);
	return rc;
}

/*
 * Housekeeping between ticks, on the collector's thread: one bounded slice
 * of rollups, retention and WAL checkpointing at most every second (more
 * often while there is a backlog), and hourly pruning of old device
 * transitions and cleared alerts (kept as long as the 1-minute rollups).
 */
static void
maintain(struct collector *c)
{
	int64_t now = now_mono_ms();
	char *cause = NULL;

	if (c->st == NULL || now < c->maint_next)
		return;
	int rc = store_maintain(c->st, &c->cfg->retention, now_wall_ms(), 0, &cause);
	c->maint_next = now + (rc == 1 ? 100 : 1000);
	if (rc == 0 && now >= c->prune_next) {
		int64_t before = now_wall_ms() - c->cfg->retention.minute_ms;
		if (devices_store_prune(c->st, before, &cause) == 0 &&
		    alert_store_prune(c->st, before, &cause) == 0)
			c->prune_next = now + 3600 * 1000;
	}
	if (cause != NULL) {
		pthread_mutex_lock(&c->lock);
		free(c->store_error);
		c->store_error = cause;
		pthread_mutex_unlock(&c->lock);
	}
}

/*
 * One tick: copies the changed statuses, calls the callback, writes them in
 * one transaction and pokes wake_fd. A failed write is rolled back and the
 * hosts stay dirty, so the next tick tries again; collecting goes on.
 */
static void
publish(struct collector *c)
{
	size_t n = 0;
	struct host_status *v;
	size_t *idx;

	pthread_mutex_lock(&c->lock);
	for (size_t k = 0; k < c->nhosts; k++)
		if (c->hosts[k].dirty)
			n++;
	if (n == 0) {
		pthread_mutex_unlock(&c->lock);
		return;
	}
	v = xcalloc(n, sizeof *v);
	idx = xcalloc(n, sizeof *idx);
	struct extras *ex = xcalloc(n, sizeof *ex);
	n = 0;
	for (size_t k = 0; k < c->nhosts; k++) {
		if (!c->hosts[k].dirty)
			continue;
		host_status_copy(&v[n], &c->hosts[k].st);
		ex[n] = c->hosts[k].pending;
		memset(&c->hosts[k].pending, 0, sizeof c->hosts[k].pending);
		idx[n++] = k;
		c->hosts[k].dirty = 0;
	}
	pthread_mutex_unlock(&c->lock);

	if (c->opts.on_change != NULL)
		for (size_t i = 0; i < n; i++)
			c->opts.on_change(&v[i], c->opts.on_change_arg);

	int ok = 1;
	if (c->st != NULL) {
		char *cause = NULL;
		if (store_begin(c->st, &cause) != 0)
			ok = 0;
		for (size_t i = 0; ok && i < n; i++) {
			if (store_put_status(c->st, &v[i], &cause) != 0 ||
			    publish_devices(c, &c->hosts[idx[i]], &v[i], ex[i].testbed, &cause) != 0 ||
			    publish_usage(c, ex[i].slurm, &cause) != 0 ||
			    publish_alerts(c, &c->hosts[idx[i]], &v[i], &cause) != 0)
				ok = 0;
		}
		if (ok && store_commit(c->st, &cause) != 0)
			ok = 0;
		if (!ok) {
			store_rollback(c->st);
			pthread_mutex_lock(&c->lock);
			for (size_t i = 0; i < n; i++) {
				c->hosts[idx[i]].dirty = 1;
				c->hosts[idx[i]].alerts_clear = 0;	/* the sync was rolled back too */
			}
			free(c->store_error);
			c->store_error = cause;
			cause = NULL;
			pthread_mutex_unlock(&c->lock);
		} else {
			pthread_mutex_lock(&c->lock);
			free(c->store_error);
			c->store_error = NULL;
			pthread_mutex_unlock(&c->lock);
		}
		free(cause);
	}
	for (size_t i = 0; i < n; i++) {
		host_status_free(&v[i]);
		extras_free(&ex[i]);
	}
	free(ex);
	free(v);
	free(idx);
	if (c->opts.wake_fd >= 0)
		poke_fd(c->opts.wake_fd);
	if (ok)
		maintain(c);
}

/*
 * Whether every host is done for collector_run (delivered `frames` cycles or
 * failed once). *answered gets those with `frames` cycles (with at least one
 * when frames is INT_MAX: run until told).
 */
static int
all_done(struct collector *c, int frames, int *answered)
{
	int done = 1;
	*answered = 0;
	pthread_mutex_lock(&c->lock);
	int need = frames == INT_MAX ? 1 : frames;
	for (size_t k = 0; k < c->nhosts; k++) {
		struct chost *ch = &c->hosts[k];
		if (ch->cycles >= need)
			(*answered)++;
		if (ch->cycles < frames && !ch->settled)
			done = 0;
	}
	pthread_mutex_unlock(&c->lock);
	return done;
}

/* The publisher loop shared by collector_run and the thread. */
static int
run_loop(struct collector *c, int frames, int64_t deadline_ms)
{
	int answered = 0;

	transports_start(c);
	for (;;) {
		int64_t now = now_mono_ms();
		int64_t wait = OD_MIN(c->tick_ms, deadline_ms - now);
		if (wait > 0 && !atomic_load(&c->interrupted)) {
			struct pollfd p = { .fd = c->intr[0], .events = POLLIN };
			poll(&p, 1, (int)wait);
		}
		drain_fd(c->intr[0]);
		publish(c);
		int done = all_done(c, frames, &answered);
		if (done || atomic_load(&c->interrupted) || now_mono_ms() >= deadline_ms)
			break;
	}
	transports_stop(c);
	publish(c);
	all_done(c, frames, &answered);
	return answered;
}

int
collector_run(struct collector *c, int frames, int64_t deadline_ms)
{
	if (frames < 1)
		frames = 1;
	c->in_run = 1;
	int n = run_loop(c, frames, deadline_ms);
	c->in_run = 0;
	return n;
}

static void *
collector_thread(void *arg)
{
	struct collector *c = arg;
	run_loop(c, INT_MAX, INT64_MAX);
	return NULL;
}

int
collector_start(struct collector *c, char **cause)
{
	if (c->thread_started) {
		*cause = xstrdup("collector already running");
		return -1;
	}
	atomic_store(&c->interrupted, 0);
	drain_fd(c->intr[0]);
	int rc = pthread_create(&c->thr, NULL, collector_thread, c);
	if (rc != 0) {
		*cause = xasprintf("cannot start the collector thread: %s", strerror(rc));
		return -1;
	}
	c->thread_started = 1;
	return 0;
}

void
collector_stop(struct collector *c)
{
	if (!c->thread_started)
		return;
	collector_interrupt(c);
	pthread_join(c->thr, NULL);
	c->thread_started = 0;
}

void
collector_interrupt(struct collector *c)
{
	int saved = errno;
	atomic_store(&c->interrupted, 1);
	ssize_t r = write(c->intr[1], "x", 1);
	(void)r;
	errno = saved;
}

void
collector_hosts(struct collector *c, struct host_status **out, size_t *n)
{
	pthread_mutex_lock(&c->lock);
	*out = xcalloc(c->nhosts + 1, sizeof **out);
	*n = c->nhosts;
	for (size_t k = 0; k < c->nhosts; k++)
		host_status_copy(&(*out)[k], &c->hosts[k].st);
	pthread_mutex_unlock(&c->lock);
}

char *
collector_store_error(struct collector *c)
{
	pthread_mutex_lock(&c->lock);
	char *s = c->store_error != NULL ? xstrdup(c->store_error) : NULL;
	pthread_mutex_unlock(&c->lock);
	return s;
}

void
collector_free(struct collector *c)
{
	if (c == NULL)
		return;
	collector_stop(c);
	transports_stop(c);
	for (size_t k = 0; k < c->nhosts; k++) {
		struct chost *ch = &c->hosts[k];
		frame_reader_free(&ch->fr);
		report_free(&ch->cur);
		report_free(&ch->prev);
		free(ch->cycle_err);
		free(ch->seen);
		host_status_free(&ch->figs);
		host_status_free(&ch->st);
		extras_free(&ch->pending);
		devices_free(ch->devs, ch->ndevs);
		if (!ch->cg->g->local)
			ssh_target_free(&ch->target);
	}
	free(c->hosts);
	for (size_t i = 0; i < c->ngroups; i++)
		cgroup_free(&c->groups[i]);
	free(c->groups);
	free(c->queue);
	free(c->store_error);
	close(c->intr[0]);
	close(c->intr[1]);
	close(c->abort_pipe[0]);
	close(c->abort_pipe[1]);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->qlock);
	pthread_cond_destroy(&c->qcond);
	free(c);
}
