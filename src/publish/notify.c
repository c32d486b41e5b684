/*
 * notify.c: the config's notify command (notify.h): a queue the publisher
 * posts committed alert changes to, and one thread that runs the command
 * for each, bounded in time and rate.
 *
 * Threads: notifier_post runs on the collector's publisher thread and only
 * takes the lock to copy into the queue; the notifier's thread takes the
 * lock to pick what to run and never holds it while a command runs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "opsdeck/json.h"
#include "opsdeck/notify.h"
#include "opsdeck/spawn.h"
#include "opsdeck/util.h"

struct notifier {
	const struct config	*cfg;
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	struct alert		*q;		/* ring of NOTIFY_QUEUE_MAX */
	size_t			 qhead, qn;
	size_t			 suppressed;	/* held back by the rate, not summed up yet */
	int			 stop;
	int64_t			 stop_by;	/* mono ms: past it, what is queued is only counted */
	/* the thread's own: start times of the last notify_rate commands (mono ms) */
	int64_t			*sent;
	size_t			 nsent, sent_at;
};

/* ---- JSON ------------------------------------------------------------------ */

static void
kstr_time(struct json_writer *w, const char *key, int64_t ms)
{
	char t[TIME_RFC3339_LEN];

	if (ms <= 0) {
		json_kstr(w, key, NULL);
		return;
	}
	time_format_rfc3339(ms, 0, 1, t, sizeof t);
	json_kstr(w, key, t);
}

/* See notify.h. The keys of `opsdeck alerts --format json`, with event, id and limit. */
void
notify_json(FILE *fp, const struct alert *a)
{
	struct json_writer *w = json_writer_new(fp);

	json_map_open(w);
	json_kstr(w, "event", a->cleared_ms != 0 ? "clear" : "raise");
	json_kint(w, "id", a->id);
	json_kstr(w, "host", a->host);
	json_kstr(w, "subject", a->device[0] != '\0' ? a->device : NULL);
	json_kstr(w, "metric", a->rule);
	json_kstr(w, "severity", alert_sev_name(a->sev));
	json_knum(w, "value", a->value, 4, 0);
	json_knum(w, "limit", a->limit, 4, 0);
	json_kstr(w, "message", a->message);
	kstr_time(w, "since", a->raised_ms);
	kstr_time(w, "cleared", a->cleared_ms);
	kstr_time(w, "snoozed_until", a->snooze_until_ms);
	json_map_close(w);
	json_writer_end(w);
}

/* The summary of n alerts held back by the rate. */
static void
summary_json(FILE *fp, size_t n)
{
	struct json_writer *w = json_writer_new(fp);
	char msg[64];

	snprintf(msg, sizeof msg, "%zu more alert%s suppressed", n, n == 1 ? "" : "s");
	json_map_open(w);
	json_kstr(w, "event", "suppressed");
	json_kint(w, "count", (int64_t)n);
	json_kstr(w, "message", msg);
	json_map_close(w);
	json_writer_end(w);
}

/* ---- running the command ------------------------------------------------------ */

/* A line of our own in the log (when there is one): what happened to a command. */
static void
note(int logfd, const char *msg)
{
	char line[600], when[TIME_RFC3339_LEN];

	if (logfd < 0)
		return;
	time_format_rfc3339(now_wall_ms(), 0, 0, when, sizeof when);
	int n = snprintf(line, sizeof line, "%s opsdeck notify: %s\n", when, msg);
	if (n > 0)
		(void)!write(logfd, line, OD_MIN((size_t)n, sizeof line - 1));
}

/*
 * Writes text[0..len) to fd (non-blocking) until done or the deadline (mono
 * ms). A command that does not read its stdin costs this write only.
 */
static void
feed(int fd, const char *text, size_t len, int64_t deadline)
{
	size_t off = 0;

	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno != EAGAIN)
			return;		/* EPIPE: it closed its stdin */
		int64_t left = deadline - now_mono_ms();
		if (left <= 0)
			return;
		struct pollfd p = { fd, POLLOUT, 0 };
		poll(&p, 1, (int)OD_MIN(left, 1000));
	}
}

/*
 * Runs the command once with text on its stdin; returns when it exited, or
 * when it ran past the timeout and was killed with its process group.
 */
static void
run_command(const struct config *cfg, const char *text, size_t len)
{
	int in[2], logfd = -1;
	pid_t pid;
	char *cause = NULL;
	const char *prog = cfg->notify[0];

	if (cfg->notify_log != NULL)
		logfd = open(cfg->notify_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (pipe2(in, O_CLOEXEC) != 0) {
		note(logfd, "cannot make a pipe for the command");
		if (logfd >= 0)
			close(logfd);
		return;
	}
	const int stdio[3] = { in[0], logfd >= 0 ? logfd : SPAWN_DEVNULL,
	    logfd >= 0 ? logfd : SPAWN_DEVNULL };
	int64_t start = now_mono_ms(), deadline = start + cfg->notify_timeout_ms;
	if (spawn_start(prog, cfg->notify, strchr(prog, '/') == NULL, stdio, &pid, &cause) != 0) {
		note(logfd, cause);
		free(cause);
		close(in[0]);
		close(in[1]);
		if (logfd >= 0)
			close(logfd);
		return;
	}
	close(in[0]);
	fcntl(in[1], F_SETFL, fcntl(in[1], F_GETFL) | O_NONBLOCK);
	feed(in[1], text, len, deadline);
	close(in[1]);
	int status = 0, killed = 0;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			break;
		if (now_mono_ms() >= deadline) {
			kill(-pid, SIGKILL);	/* its process group: what it started too */
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			killed = 1;
			break;
		}
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	char msg[512] = "";
	if (killed)
		snprintf(msg, sizeof msg, "%.400s killed after %lld ms", prog,
		    (long long)cfg->notify_timeout_ms);
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		snprintf(msg, sizeof msg, "%.400s exited with status %d", prog,
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(msg, sizeof msg, "%.400s died of signal %d", prog, WTERMSIG(status));
	if (msg[0] != '\0')
		note(logfd, msg);
	if (logfd >= 0)
		close(logfd);
}

/* Builds the JSON of a (or a summary of n when a is NULL) and runs the command. */
static void
run_one(struct notifier *nt, const struct alert *a, size_t n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	if (fp == NULL)
		fatal("open_memstream: %s", strerror(errno));
	if (a != NULL)
		notify_json(fp, a);
	else
		summary_json(fp, n);
	fclose(fp);
	run_command(nt->cfg, text, len);
	free(text);
}

/* ---- the rate ------------------------------------------------------------------ */

/* Whether a command may start at now: fewer than notify_rate in the last window. */
static int
rate_allows(const struct notifier *nt, int64_t now)
{
	size_t in_window = 0;

	for (size_t i = 0; i < nt->nsent; i++)
		in_window += now - nt->sent[i] < NOTIFY_WINDOW_MS;
	return in_window < (size_t)nt->cfg->notify_rate;
}

/* When the window next allows a command (mono ms). */
static int64_t
rate_next(const struct notifier *nt)
{
	int64_t oldest = INT64_MAX;

	if (nt->nsent < (size_t)nt->cfg->notify_rate)
		return 0;
	for (size_t i = 0; i < nt->nsent; i++)
		oldest = OD_MIN(oldest, nt->sent[i]);
	return oldest + NOTIFY_WINDOW_MS;
}

static void
rate_count(struct notifier *nt, int64_t now)
{
	size_t cap = (size_t)nt->cfg->notify_rate;

	nt->sent[nt->sent_at] = now;
	nt->sent_at = (nt->sent_at + 1) % cap;
	if (nt->nsent < cap)
		nt->nsent++;
}

/* ---- the thread ------------------------------------------------------------------ */

/* Waits on the condition until mono ms `until` (0: no limit). Lock held. */
static void
wait_until(struct notifier *nt, int64_t until)
{
	if (until <= 0) {
		pthread_cond_wait(&nt->cond, &nt->lock);
		return;
	}
	int64_t left = until - now_mono_ms();
	if (left <= 0)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += left / 1000;
	ts.tv_nsec += (left % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&nt->cond, &nt->lock, &ts);
}

/*
 * The loop: the summary of held-back alerts first when the rate allows,
 * then the queue in order; a raise of a snoozed alert is skipped. On stop,
 * what is queued still goes (past the rate: counted), then one last summary.
 */
static void *
notify_thread(void *arg)
{
	struct notifier *nt = arg;
	struct alert a;

	pthread_mutex_lock(&nt->lock);
	for (;;) {
		int64_t now = now_mono_ms();
		/* stopping: the queue gets one timeout, the last summary another */
		int allows = rate_allows(nt, now) && !(nt->stop && now >= nt->stop_by);
		if (nt->suppressed > 0 && ((allows && (!nt->stop || nt->qn == 0)) ||
		    (nt->stop && nt->qn == 0))) {
			size_t n = nt->suppressed;
			nt->suppressed = 0;
			rate_count(nt, now);
			pthread_mutex_unlock(&nt->lock);
			run_one(nt, NULL, n);
			pthread_mutex_lock(&nt->lock);
			continue;
		}
		if (nt->qn > 0) {
			a = nt->q[nt->qhead];
			nt->qhead = (nt->qhead + 1) % NOTIFY_QUEUE_MAX;
			nt->qn--;
			if (a.cleared_ms == 0 && a.snooze_until_ms > now_wall_ms())
				continue;	/* snoozed: its raise tells nobody */
			if (!allows) {
				nt->suppressed++;
				continue;
			}
			rate_count(nt, now);
			pthread_mutex_unlock(&nt->lock);
			run_one(nt, &a, 0);
			pthread_mutex_lock(&nt->lock);
			continue;
		}
		if (nt->stop)
			break;
		wait_until(nt, nt->suppressed > 0 ? rate_next(nt) : 0);
	}
	pthread_mutex_unlock(&nt->lock);
	return NULL;
}

/* ---- the interface ------------------------------------------------------------------ */

/* See notify.h. Every signal is blocked on the thread (SIGPIPE from a closed stdin too). */
struct notifier *
notifier_new(const struct config *cfg)
{
	struct notifier *nt;
	pthread_condattr_t ca;
	sigset_t all, old;

	if (cfg == NULL || cfg->notify == NULL || cfg->notify[0] == NULL)
		return NULL;
	nt = xcalloc(1, sizeof *nt);
	nt->cfg = cfg;
	nt->q = xcalloc(NOTIFY_QUEUE_MAX, sizeof *nt->q);
	nt->sent = xcalloc((size_t)OD_MAX(cfg->notify_rate, 1), sizeof *nt->sent);
	pthread_mutex_init(&nt->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&nt->cond, &ca);
	pthread_condattr_destroy(&ca);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&nt->thread, NULL, notify_thread, nt);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		fatal("cannot start the notify thread: %s", strerror(rc));
	return nt;
}

/* See notify.h. */
void
notifier_post(struct notifier *nt, const struct alert *v, size_t n)
{
	if (nt == NULL || n == 0)
		return;
	pthread_mutex_lock(&nt->lock);
	for (size_t i = 0; i < n; i++) {
		if (nt->qn >= NOTIFY_QUEUE_MAX) {
			nt->suppressed++;
			continue;
		}
		nt->q[(nt->qhead + nt->qn) % NOTIFY_QUEUE_MAX] = v[i];
		nt->qn++;
	}
	pthread_cond_signal(&nt->cond);
	pthread_mutex_unlock(&nt->lock);
}

/* See notify.h. */
void
notifier_free(struct notifier *nt)
{
	if (nt == NULL)
		return;
	pthread_mutex_lock(&nt->lock);
	nt->stop = 1;
	nt->stop_by = now_mono_ms() + nt->cfg->notify_timeout_ms;
	pthread_cond_signal(&nt->cond);
	pthread_mutex_unlock(&nt->lock);
	pthread_join(nt->thread, NULL);
	pthread_cond_destroy(&nt->cond);
	pthread_mutex_destroy(&nt->lock);
	free(nt->sent);
	free(nt->q);
	free(nt);
}
