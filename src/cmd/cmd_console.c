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

#include "demo.h"
#include "opsdeck/cmd.h"
#include "opsdeck/acks.h"
#include "opsdeck/collector.h"
#include "opsdeck/history.h"
#include "opsdeck/ui.h"

static void
usage(void)
{
	printf("Usage: opsdeck [console] [-c FILE] [--cache FILE] [--offline] [--theme NAME]\n"
	    "                         [--view compute|devices|budgets|all] [--at TIME]\n"
	    "                         [--read-only]\n"
	    "                         [--demo[=N]] [--demo-port P]\n"
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
	    "      --read-only        refuse every action on hosts: S (ssh), :run, :drain,\n"
	    "                         :resume (also: read_only: true in the configuration)\n"
	    "      --at TIME          start at TIME, as the cache had it (replay; End or :live\n"
	    "                         returns); TIME as `opsdeck history` reads it\n"
	    "      --demo[=N]         start opsdeck-fleetsim with N simulated nodes (default\n"
	    "                         80: 64 GPU and 16 CPU nodes) and watch them; it stops\n"
	    "                         and its directory goes with the console (q, SIGHUP,\n"
	    "                         SIGTERM, SIGINT)\n"
	    "      --demo-port P      the port of the demo's nodes (default: the first free\n"
	    "                         one from 2222)\n"
	    "  -h, --help             show this help\n");
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
		{ "at", required_argument, NULL, 'A' },
		{ "demo-port", required_argument, NULL, 'P' },
		{ "read-only", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *cache = NULL, *theme = NULL, *view = NULL;
	int offline = 0, ch, demo_nodes = 0, demo_port = 0, read_only = 0;
	int64_t at_ms = 0;
	char *end, *why = NULL;

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
		case 'A':
			if (history_parse_time(optarg, now_wall_ms(), &at_ms, &why) != 0) {
				int r = cmd_usage_error("console", "--at: %s", why);
				free(why);
				return r;
			}
			if (at_ms >= now_wall_ms())
				return cmd_usage_error("console", "--at: '%s' is not in the past",
				    optarg);
			break;
		case 'P': {
			long n = strtol(optarg, &end, 10);
			if (*end != '\0' || end == optarg || n < 1 || n > 65535)
				return cmd_usage_error("console", "bad port '%s' for --demo-port "
				    "(1 to 65535)", optarg);
			demo_port = (int)n;
			break;
		}
		case 'R':
			read_only = 1;
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
	if (demo_port > 0 && demo_nodes == 0)
		return cmd_usage_error("console", "--demo-port is for --demo");

	struct demo demo;
	memset(&demo, 0, sizeof demo);
	if (demo_nodes > 0) {
		/* from here on a signal stops the demo and removes its directory */
		demo_signals();
		if (demo_start(&demo, demo_nodes, demo_port) != 0) {
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
		.at_ms = at_ms,
		.submit = c != NULL ? submit_write : NULL,
		.submit_arg = c,
		.acks = &acks,
		.quit = demo_nodes > 0 ? &demo_stop_requested : NULL,
		.hide_unknown = cmd_hides_unknown(cfg, cache),
		.read_only = read_only,
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
