/*
 * demo.c: `opsdeck --demo`'s simulator (demo.h). opsdeck-fleetsim runs in a
 * directory of its own under $TMPDIR with its stderr in DIR/fleetsim.log, in
 * a process group of its own (a terminal's SIGINT is the console's to
 * handle) that dies with the console (PR_SET_PDEATHSIG). A port another
 * program (or another demo) holds is skipped; the reason a start failed is
 * the simulator's exit status and the end of its log. Stopping it removes
 * the directory with remove_tree(), never a shell.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "demo.h"
#include "opsdeck/timeutil.h"
#include "opsdeck/util.h"

#define DEMO_BASE_ADDR	"127.0.1.1"	/* opsdeck-fleetsim's first node (its default) */
#define DEMO_EXIT_IN_USE 3		/* opsdeck-fleetsim: a node's port is taken */
#define DEMO_LOG_TAIL	3		/* lines of the simulator's log in a message */

volatile sig_atomic_t demo_stop_requested;

static void
demo_on_signal(int sig)
{
	(void)sig;
	demo_stop_requested = 1;
}

/* See demo.h. No SA_RESTART: a wait in demo_start wakes up (EINTR). */
void
demo_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = demo_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

/*
 * Finds opsdeck-fleetsim: beside this binary (the build tree or bindir),
 * then OPSDECK_LIBEXECDIR, then $PATH. Writes the path to out; 0 or -1.
 */
static int
demo_find_sim(char *out, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash != NULL) {
			*slash = '\0';
			snprintf(out, len, "%s/opsdeck-fleetsim", self);
			if (access(out, X_OK) == 0)
				return 0;
		}
	}
	snprintf(out, len, "%s/opsdeck-fleetsim", OPSDECK_LIBEXECDIR);
	if (access(out, X_OK) == 0)
		return 0;
	const char *path = getenv("PATH");
	while (path != NULL && *path) {
		const char *colon = strchr(path, ':');
		size_t l = colon ? (size_t)(colon - path) : strlen(path);
		snprintf(out, len, "%.*s/opsdeck-fleetsim", (int)l, path);
		if (l > 0 && access(out, X_OK) == 0)
			return 0;
		path = colon ? colon + 1 : NULL;
	}
	return -1;
}

/*
 * The shipped example named `file` (budget.yaml, ledger.csv): installed under
 * OPSDECK_DATADIR/examples, or in the source tree this binary was built from.
 * Writes the path to out; 0 or -1.
 */
static int
demo_example(const char *file, char *out, size_t len)
{
	snprintf(out, len, "%s/examples/%s", OPSDECK_DATADIR, file);
	if (access(out, R_OK) == 0)
		return 0;
	snprintf(out, len, "%s/examples/%s", OPSDECK_SRCDIR, file);
	return access(out, R_OK) == 0 ? 0 : -1;
}

/*
 * Imports the example ledger into the demo's cache by running this binary's
 * own `budget import`, so the Budgets pane shows spending. Quiet; failures
 * only mean an empty ledger.
 */
static void
demo_import_ledger(const struct demo *d)
{
	char ledger[PATH_MAX];
	if (demo_example("ledger.csv", ledger, sizeof ledger) != 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execl("/proc/self/exe", "opsdeck", "budget", "import", "-c", d->config,
		    "--cache", d->cache, ledger, (char *)NULL);
		_exit(127);
	}
	int st;
	if (pid > 0)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
}

/* Whether DEMO_BASE_ADDR:port can be bound now (a quick look; the simulator decides). */
static int
port_free(int port)
{
	struct sockaddr_in sin;
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, DEMO_BASE_ADDR, &sin.sin_addr);
	int ok = bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0 || errno != EADDRINUSE;
	close(fd);
	return ok;
}

/* The last DEMO_LOG_TAIL lines of DIR/fleetsim.log, joined by "; " (caller frees). */
static char *
log_tail(const struct demo *d)
{
	char *path = xasprintf("%s/fleetsim.log", d->dir), *text = NULL, *cause = NULL;
	size_t len = 0;

	if (read_file(path, 1 << 20, &text, &len, &cause) != 0) {
		free(cause);
		free(path);
		return xstrdup("");
	}
	free(path);
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	size_t start = len;
	for (int lines = 0; start > 0; start--) {
		if (text[start - 1] == '\n' && ++lines == DEMO_LOG_TAIL)
			break;
	}
	char *tail = xstrdup(text + start);
	free(text);
	for (char *p = tail; *p != '\0'; p++)
		if (*p == '\n')
			*p = ';';
	return tail;
}

/* "exit status N" or "killed by signal N" for a wait status (static buffer). */
static const char *
status_text(int st)
{
	static char buf[48];

	if (WIFEXITED(st))
		snprintf(buf, sizeof buf, "exit status %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, sizeof buf, "killed by signal %d", WTERMSIG(st));
	else
		snprintf(buf, sizeof buf, "wait status %d", st);
	return buf;
}

/*
 * Waits for d->pid to end, `ms` at most (polling), then kills its group.
 * Returns its wait status, or -1 when it had to be killed.
 */
static int
reap(struct demo *d, int ms)
{
	int st = 0;

	for (int64_t end = now_mono_ms() + ms;;) {
		pid_t r = waitpid(d->pid, &st, WNOHANG);
		if (r == d->pid || (r < 0 && errno != EINTR)) {
			d->pid = 0;
			return r < 0 ? -1 : st;
		}
		if (now_mono_ms() >= end)
			break;
		usleep(20000);
	}
	kill(-d->pid, SIGKILL);
	kill(d->pid, SIGKILL);
	while (waitpid(d->pid, &st, 0) < 0 && errno == EINTR)
		;
	d->pid = 0;
	return -1;
}

/* Starts the simulator on port; its stdout's read end in *out_fd. 0 or -1 (printed). */
static int
spawn_sim(struct demo *d, const char *sim, int nodes, int port, const char *budget,
    int *out_fd)
{
	char nbuf[16], gbuf[16], pbuf[16];
	int out[2];
	pid_t parent = getpid();

	snprintf(nbuf, sizeof nbuf, "%d", nodes);
	snprintf(gbuf, sizeof gbuf, "%d", nodes - nodes / 5);
	snprintf(pbuf, sizeof pbuf, "%d", port);
	char *logp = xasprintf("%s/fleetsim.log", d->dir);
	int logfd = open(logp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	free(logp);
	if (logfd < 0 || pipe2(out, O_CLOEXEC) != 0) {
		fprintf(stderr, "opsdeck: --demo: %s: %s\n", d->dir, strerror(errno));
		if (logfd >= 0)
			close(logfd);
		return -1;
	}
	d->pid = fork();
	if (d->pid < 0) {
		perror("opsdeck: fork");
		d->pid = 0;
		close(out[0]);
		close(out[1]);
		close(logfd);
		return -1;
	}
	if (d->pid == 0) {
		dup2(out[1], STDOUT_FILENO);
		dup2(logfd, STDERR_FILENO);
		setpgid(0, 0);
		/* gone with the console, even when it is killed outright */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(1);
		signal(SIGPIPE, SIG_DFL);
		/*
		 * Six test-bed controllers (two per sector, the first of each with
		 * scripted faults) and a Slurm head node whose jobs are charged to
		 * the tenants of the example budget plan, an hour of jobs a second.
		 */
		if (budget[0] != '\0')
			execl(sim, "opsdeck-fleetsim", "--nodes", nbuf, "--gpu-nodes", gbuf,
			    "--controllers", "6", "--scheduler", "--budget", budget,
			    "--time-scale", "3600", "--port", pbuf, "--dir", d->dir,
			    (char *)NULL);
		else
			execl(sim, "opsdeck-fleetsim", "--nodes", nbuf, "--gpu-nodes", gbuf,
			    "--controllers", "6", "--port", pbuf, "--dir", d->dir, (char *)NULL);
		fprintf(stderr, "opsdeck-fleetsim: cannot run %s: %s\n", sim, strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(logfd);
	*out_fd = out[0];
	return 0;
}

/*
 * Reads the simulator's stdout until its `ready` line. 0 ready; 1 its port
 * was taken (it exited DEMO_EXIT_IN_USE; *why the end of its log, caller
 * frees); -1 after printing why it did not start.
 */
static int
wait_ready(struct demo *d, int fd, const char *sim, char **why)
{
	char line[PATH_MAX + 64];
	size_t len = 0;
	int64_t end = now_mono_ms() + DEMO_START_MS;

	while (!demo_stop_requested) {
		int64_t left = end - now_mono_ms();
		if (left <= 0) {
			char *tail = log_tail(d);
			fprintf(stderr, "opsdeck: --demo: opsdeck-fleetsim did not start within "
			    "%d s%s%s\n", DEMO_START_MS / 1000, tail[0] ? ": " : "", tail);
			free(tail);
			return -1;
		}
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, (int)OD_MIN(left, 200));
		if (r <= 0)
			continue;	/* EINTR: a signal, looked at above */
		ssize_t n = read(fd, line + len, sizeof line - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;		/* it exited, or closed its stdout */
		len += (size_t)n;
		line[len] = '\0';
		char *nl;
		while ((nl = strchr(line, '\n')) != NULL) {
			if (strncmp(line, "ready ", 6) == 0)
				return 0;
			len -= (size_t)(nl + 1 - line);
			memmove(line, nl + 1, len + 1);
		}
		if (len == sizeof line - 1)
			len = 0;	/* a line that long is not ours */
	}
	if (demo_stop_requested)
		return -1;
	int st = reap(d, 2000);
	char *tail = log_tail(d);
	if (st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == DEMO_EXIT_IN_USE) {
		*why = tail;
		return 1;
	}
	fprintf(stderr, "opsdeck: --demo: opsdeck-fleetsim did not start (%s, %s)%s%s\n",
	    sim, st >= 0 ? status_text(st) : "killed after closing its output",
	    tail[0] ? ": " : "", tail);
	free(tail);
	return -1;
}

/* See demo.h. */
int
demo_start(struct demo *d, int nodes, int port)
{
	char sim[PATH_MAX + 32];
	if (demo_find_sim(sim, sizeof sim) != 0) {
		fprintf(stderr, "opsdeck: --demo needs opsdeck-fleetsim, which was not found "
		    "beside opsdeck, in %s or in $PATH\n", OPSDECK_LIBEXECDIR);
		return -1;
	}
	const char *tmp = getenv("TMPDIR");
	snprintf(d->dir, sizeof d->dir, "%s/opsdeck-demo.XXXXXX",
	    tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	if (mkdtemp(d->dir) == NULL) {
		fprintf(stderr, "opsdeck: --demo: %s: %s\n", d->dir, strerror(errno));
		d->dir[0] = '\0';
		return -1;
	}
	char budget[PATH_MAX];
	if (demo_example("budget.yaml", budget, sizeof budget) != 0)
		budget[0] = '\0';

	int first = port > 0 ? port : DEMO_PORT_FIRST;
	int tries = port > 0 ? 1 : DEMO_PORT_TRIES;
	char *why = NULL;
	for (int k = 0; k < tries && !demo_stop_requested; k++) {
		int p = first + k, fd;
		if (port == 0 && !port_free(p))
			continue;	/* another demo or program has it */
		if (spawn_sim(d, sim, nodes, p, budget, &fd) != 0)
			return -1;
		free(why);
		why = NULL;
		int r = wait_ready(d, fd, sim, &why);
		close(fd);
		if (r == 0) {
			free(why);
			d->port = p;
			snprintf(d->config, sizeof d->config, "%s/config.yaml", d->dir);
			snprintf(d->cache, sizeof d->cache, "%s/cache.db", d->dir);
			if (budget[0] != '\0')
				demo_import_ledger(d);
			return 0;
		}
		if (r < 0) {
			free(why);
			return -1;
		}
	}
	if (demo_stop_requested) {
		free(why);
		return -1;
	}
	if (port > 0)
		fprintf(stderr, "opsdeck: --demo: port %d is taken on %s%s%s; leave --demo-port "
		    "out to take a free one\n", port, DEMO_BASE_ADDR, why != NULL ? ": " : "",
		    why != NULL ? why : "");
	else
		fprintf(stderr, "opsdeck: --demo: ports %d to %d are all taken on %s; name a "
		    "free one with --demo-port\n", first, first + tries - 1, DEMO_BASE_ADDR);
	free(why);
	return -1;
}

/* See demo.h. */
void
demo_stop(struct demo *d)
{
	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		reap(d, 5000);
	}
	if (d->dir[0] != '\0') {
		/* The simulator's keys, config, log and the cache: nothing worth keeping. */
		if (remove_tree(d->dir) != 0)
			fprintf(stderr, "opsdeck: could not remove %s: %s\n", d->dir,
			    strerror(errno));
		d->dir[0] = '\0';
	}
}
