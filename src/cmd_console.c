/*
 * cmd_console.c: `opsdeck [console]`: the interactive console.
 *
 * Normally the console runs its own collector thread, which writes the cache
 * and wakes the UI through a pipe; the UI reads the cache through a
 * connection of its own. With --offline, or when another process (an
 * `opsdeck collect`) already writes the cache, it only reads.
 */
#include "config.h"

#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opsdeck/cmd.h"
#include "opsdeck/collector.h"
#include "opsdeck/ui.h"

static void
usage(void)
{
	printf("Usage: opsdeck [console] [-c FILE] [--cache FILE] [--offline] [--theme NAME]\n"
	    "                         [--view compute|devices|budgets|all]\n"
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
	    "  -h, --help             show this help\n");
}

static const char *const views[] = { "compute", "devices", "budgets", "all", NULL };

int
cmd_console(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "cache", required_argument, NULL, 'C' },
		{ "offline", no_argument, NULL, 'o' },
		{ "theme", required_argument, NULL, 't' },
		{ "view", required_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *cache = NULL, *theme = NULL, *view = NULL;
	int offline = 0, ch;

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
		case 'v': {
			int okv = 0;
			for (int i = 0; views[i] != NULL; i++)
				okv |= strcmp(optarg, views[i]) == 0;
			if (!okv)
				return cmd_usage_error("console", "unknown view '%s' (compute, devices, budgets or all)", optarg);
			view = optarg;
			break;
		}
		case 'h':
			usage();
			return 0;
		case ':':
			return cmd_usage_error("console", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cmd_usage_error("console", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_usage_error("console", "unexpected argument '%s'", argv[optind]);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "opsdeck: the console needs a terminal; for scripts use "
		    "'opsdeck snapshot' or 'opsdeck collect'\n");
		return 1;
	}

	struct config *cfg = cmd_load_config(path);
	if (cfg == NULL)
		return 1;

	struct store *writer = NULL;
	if (!offline) {
		writer = cmd_open_store(cfg, cache, STORE_WRITER);
		if (writer == NULL) {
			config_free(cfg);
			return 1;
		}
	}
	struct store *reader = cmd_open_store(cfg, writer != NULL ? store_path(writer) : cache,
	    STORE_READONLY);
	if (reader == NULL) {
		if (writer != NULL)
			store_close(writer);
		config_free(cfg);
		return 1;
	}

	int wake[2] = { -1, -1 };
	struct collector *c = NULL;
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
	};
	rc = ui_run(&uo);

out:
	if (c != NULL) {
		collector_stop(c);
		collector_free(c);
	}
	for (int i = 0; i < 2; i++) {
		if (wake[i] >= 0)
			close(wake[i]);
	}
	store_close(reader);
	if (writer != NULL)
		store_close(writer);
	config_free(cfg);
	return rc;
}
