/*
 * cmd_console.c: `opsdeck [console]`: the interactive console.
 *
 * Normally the console runs its own collector thread, which writes the cache
 * and wakes the UI through a pipe; the UI reads the cache through a
 * connection of its own. With --offline, or when another process (an
 * `opsdeck collect`) already writes the cache, it only reads.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "opsdeck/cmd.h"
#include "opsdeck/acks.h"
#include "opsdeck/collector.h"
#include "opsdeck/ui.h"

static void
usage(void)
{
	printf("Usage: opsdeck [console] [-c FILE] [--cache FILE] [--offline] [--theme NAME]\n"
	    "                         [--view compute|devices|budgets|all] [--demo[=N]]\n"
	    "The interactive console: compute nodes, test-bed devices and budgets in split\n"
	    "panes. Press ? inside for every key, q to quit.\n"
	    "\n"
	    "  -c, --config FILE      configuration file (see opsdeck.yaml(5))\n"
	    "      --cache FILE       the cache file (default: the config's, else\n"
	    "                         $XDG_STATE_HOME/opsdeck/cache.db)\n"
	    "  -o, --offline          collect nothing: show the cache as it is, with the age\n"
	    "                         of every value (another opsdeck may be writing it)\n"
	    "  -t, --theme NAME       a theme from themes/ or a theme file (opsdeck-theme(5))\n"
	    "  -v, --view VIEW        compute, devices, budgets or all (default)\n"
	    "      --demo[=N]         start opsdeck-fleetsim with N simulated nodes (default\n"
	    "                         80: 64 GPU and 16 CPU nodes) and watch them\n"
	    "  -h, --help             show this help\n");
}

/* A running opsdeck-fleetsim for --demo. */
struct demo {
	pid_t	 pid;
	char	 dir[PATH_MAX];
	char	 config[PATH_MAX + 16];
	char	 cache[PATH_MAX + 16];
};

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

/*
 * Starts the simulator with `nodes` nodes (a quarter of them CPU-only, as the
 * default 64 GPU + 16 CPU) in a new temporary directory and waits for its
 * "ready DIR N" line. 0, or -1 with a message printed.
 */
static int
demo_start(struct demo *d, int nodes)
{
	char sim[PATH_MAX + 32], nbuf[16], gbuf[16];
	if (demo_find_sim(sim, sizeof sim) != 0) {
		fprintf(stderr, "opsdeck: --demo needs opsdeck-fleetsim, which was not found "
		    "beside opsdeck, in %s or in $PATH\n", OPSDECK_LIBEXECDIR);
		return -1;
	}
	snprintf(d->dir, sizeof d->dir, "%s/opsdeck-demo.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(d->dir) == NULL) {
		fprintf(stderr, "opsdeck: --demo: %s: %s\n", d->dir, strerror(errno));
		return -1;
	}
	char budget[PATH_MAX];
	if (demo_example("budget.yaml", budget, sizeof budget) != 0)
		budget[0] = '\0';
	snprintf(nbuf, sizeof nbuf, "%d", nodes);
	snprintf(gbuf, sizeof gbuf, "%d", nodes - nodes / 5);
	int out[2];
	if (pipe(out) != 0) {
		perror("opsdeck: pipe");
		return -1;
	}
	d->pid = fork();
	if (d->pid < 0) {
		perror("opsdeck: fork");
		return -1;
	}
	if (d->pid == 0) {
		dup2(out[1], STDOUT_FILENO);
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, STDERR_FILENO);
		close(out[0]);
		close(out[1]);
		setpgid(0, 0);
		/*
		 * Six test-bed controllers (two per sector, the first of each with
		 * scripted faults) and a Slurm head node whose jobs are charged to
		 * the tenants of the example budget plan, an hour of jobs a second.
		 */
		if (budget[0] != '\0')
			execl(sim, "opsdeck-fleetsim", "--nodes", nbuf, "--gpu-nodes", gbuf,
			    "--controllers", "6", "--scheduler", "--budget", budget,
			    "--time-scale", "3600", "--dir", d->dir, (char *)NULL);
		else
			execl(sim, "opsdeck-fleetsim", "--nodes", nbuf, "--gpu-nodes", gbuf,
			    "--controllers", "6", "--dir", d->dir, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	FILE *fp = fdopen(out[0], "r");
	char line[PATH_MAX + 64];
	int ready = 0;
	while (fp != NULL && fgets(line, sizeof line, fp) != NULL) {
		if (strncmp(line, "ready ", 6) == 0) {
			ready = 1;
			break;
		}
	}
	if (fp != NULL)
		fclose(fp);	/* the simulator's later output goes nowhere */
	if (!ready) {
		fprintf(stderr, "opsdeck: --demo: opsdeck-fleetsim did not start (%s)\n", sim);
		return -1;
	}
	snprintf(d->config, sizeof d->config, "%s/config.yaml", d->dir);
	snprintf(d->cache, sizeof d->cache, "%s/cache.db", d->dir);
	if (budget[0] != '\0')
		demo_import_ledger(d);
	return 0;
}

static void
demo_stop(struct demo *d)
{
	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		int st;
		for (int i = 0; i < 50; i++) {
			if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
				d->pid = 0;
				break;
			}
			usleep(100000);
		}
		if (d->pid > 0) {
			kill(-d->pid, SIGKILL);
			kill(d->pid, SIGKILL);
			waitpid(d->pid, &st, 0);
		}
	}
	if (d->dir[0] != '\0') {
		/* The simulator's keys, config and cache: nothing worth keeping. */
		char *cmd = xasprintf("rm -rf '%s'", d->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "opsdeck: could not remove %s\n", d->dir);
		free(cmd);
	}
}

/* ui_opts.submit: the console's writes go through its collector's tick. */
static int
submit_write(void *arg, const struct publish_write *w)
{
	return collector_submit(arg, w);
}

int
cmd_console(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "cache", required_argument, NULL, 'C' },
		{ "offline", no_argument, NULL, 'o' },
		{ "theme", required_argument, NULL, 't' },
		{ "view", required_argument, NULL, 'v' },
		{ "demo", optional_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *cache = NULL, *theme = NULL, *view = NULL;
	int offline = 0, ch, demo_nodes = 0;
	char *end;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:ot:v:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'C':
			cache = optarg;
			break;
		case 'o':
			offline = 1;
			break;
		case 't':
			theme = optarg;
			break;
		case 'v':
			if (ui_view_parse(optarg) < 0)
				return cmd_usage_error("console", "unknown view '%s' (%s)", optarg,
				    ui_view_choices());
			view = optarg;
			break;
		case 'D':
			demo_nodes = 80;
			/* --demo N as well as --demo=N */
			if (optarg == NULL && optind < argc && argv[optind][0] >= '0' &&
			    argv[optind][0] <= '9')
				optarg = argv[optind++];
			if (optarg != NULL) {
				long n = strtol(optarg, &end, 10);
				if (*end != '\0' || n < 1 || n > 10000)
					return cmd_usage_error("console", "bad node count '%s' for --demo (1 to 10000)", optarg);
				demo_nodes = (int)n;
			}
			break;
		case 'h':
			usage();
			return 0;
		default:
			return cmd_bad_option("console", ch, argv);
		}
	}
	if (optind < argc)
		return cmd_usage_error("console", "unexpected argument '%s'", argv[optind]);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "opsdeck: the console needs a terminal; for scripts use "
		    "'opsdeck snapshot' or 'opsdeck collect'\n");
		return 1;
	}

	if (demo_nodes > 0 && (path != NULL || offline))
		return cmd_usage_error("console", "--demo makes its own configuration: drop -c and --offline");

	struct demo demo;
	memset(&demo, 0, sizeof demo);
	if (demo_nodes > 0) {
		if (demo_start(&demo, demo_nodes) != 0) {
			demo_stop(&demo);
			return 1;
		}
		path = demo.config;
		if (cache == NULL)
			cache = demo.cache;
	}

	struct config *cfg = cmd_load_config(path);
	if (cfg == NULL) {
		demo_stop(&demo);
		return EXIT_CONFIG;
	}

	struct store *writer = NULL;
	if (!offline) {
		int orc = cmd_open_store_status("console", cfg, cache, STORE_WRITER, &writer);
		if (orc != 0) {
			config_free(cfg);
			demo_stop(&demo);
			return orc;
		}
	}
	struct store *reader = cmd_open_store(cfg, writer != NULL ? store_path(writer) : cache,
	    STORE_READONLY);
	if (reader == NULL) {
		if (writer != NULL)
			store_close(writer);
		config_free(cfg);
		demo_stop(&demo);
		return 1;
	}

	int wake[2] = { -1, -1 };
	struct collector *c = NULL;
	struct ack_outbox acks;	/* outlives the UI and the collector */
	ack_outbox_init(&acks);
	int rc = 1;
	if (writer != NULL) {
		if (pipe(wake) != 0) {
			perror("opsdeck: pipe");
			goto out;
		}
		for (int i = 0; i < 2; i++) {
			fcntl(wake[i], F_SETFL, fcntl(wake[i], F_GETFL) | O_NONBLOCK);
			fcntl(wake[i], F_SETFD, FD_CLOEXEC);
		}
		signal(SIGPIPE, SIG_IGN);
		struct collector_opts co = { .wake_fd = wake[1], .timeout_ms = 0 };
		c = collector_new(cfg, writer, &co);
		char *cause = NULL;
		if (collector_start(c, &cause) != 0) {
			fprintf(stderr, "opsdeck: %s\n", cause);
			free(cause);
			goto out;
		}
	}

	struct ui_opts uo = {
		.cfg = cfg,
		.store = reader,
		.wake_fd = wake[0],
		.offline = writer == NULL,
		.theme = theme,
		.view = view,
		.submit = c != NULL ? submit_write : NULL,
		.submit_arg = c,
		.acks = &acks,
	};
	rc = ui_run(&uo);

out:
	if (c != NULL) {
		collector_stop(c);
		collector_free(c);	/* writes still queued hear "stopped" in acks */
	}
	ack_outbox_free(&acks);
	for (int i = 0; i < 2; i++) {
		if (wake[i] >= 0)
			close(wake[i]);
	}
	store_close(reader);
	if (writer != NULL)
		store_close(writer);
	config_free(cfg);
	demo_stop(&demo);
	return rc;
}
