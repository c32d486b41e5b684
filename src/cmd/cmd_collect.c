/*
 * cmd_collect.c: `opsdeck collect`: the headless collector. It is the single
 * writer of the cache; consoles started with --offline read the same file.
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/budget.h"
#include "opsdeck/cmd.h"
#include "opsdeck/collector.h"
#include "opsdeck/exporter.h"
#include "opsdeck/store.h"

static struct collector *volatile collect_running;

static void
on_signal(int sig)
{
	(void)sig;
	struct collector *c = collect_running;
	if (c != NULL)
		collector_interrupt(c);
}

/* exporter_hosts_fn: the collector's latest statuses. */
static void
collect_hosts(void *arg, struct host_status **v, size_t *n)
{
	collector_hosts(arg, v, n);
}

static void
usage(void)
{
	printf("Usage: opsdeck collect [-c FILE] [--cycles N | --duration DURATION] [--cache FILE]\n"
	    "                       [--listen ADDR:PORT] [--shard K/N]\n"
	    "Keeps every configured host streaming and writes what it reports to the cache,\n"
	    "one transaction per tick, until signalled (SIGINT or SIGTERM flush and exit),\n"
	    "for --duration, or until --cycles intervals have passed. Hosts that are down\n"
	    "are retried with back-off (config: backoff_max) and never end it early.\n"
	    "\n"
	    "  -c, --config FILE      configuration file (see opsdeck.yaml(5))\n"
	    "  -n, --cycles N         stop once every host delivered N cycles, or after N\n"
	    "                         intervals and the timeout of the slowest group from\n"
	    "                         the last host's connection (connect_window paces\n"
	    "                         them; at most four times that from the start)\n"
	    "  -d, --duration D       stop after D (e.g. 30s, 5m, 1h)\n"
	    "      --cache FILE       the cache file (default: the config's, else\n"
	    "                         $XDG_STATE_HOME/opsdeck/cache.db)\n"
	    "  -l, --listen ADDR:PORT serve Prometheus metrics at http://ADDR:PORT/metrics\n"
	    "                         (and /-/healthy); only there (config: listen)\n"
	    "  -s, --shard K/N        watch only the hosts whose name hashes to shard K\n"
	    "                         of N; N collectors split a fleet (config: shard)\n"
	    "  -h, --help             show this help\n"
	    "\n"
	    "Exit status: 0 ran as asked; 1 some hosts never answered (with --cycles or\n"
	    "--duration only) or the listen address failed; 2 usage error; 3 another\n"
	    "writer holds the cache; 4 configuration error. See opsdeck(1), EXIT STATUS.\n");
}

/*
 * How long --cycles N may take: N intervals of the slowest group and its
 * timeout (what a host that answers needs for its N-th cycle).
 */
static int64_t
cycles_ms(const struct config *cfg, long cycles)
{
	int64_t ms = 0;

	for (size_t i = 0; i < cfg->ngroups; i++) {
		const struct conn_settings *cs = &cfg->groups[i].conn;
		ms = OD_MAX(ms, cycles * cs->interval_ms + cs->timeout_ms);
	}
	return ms > 0 ? ms : cycles * 2000 + 10000;
}

/*
 * The closing line: how many answered, and when some never did (bounded
 * runs), their names and why, up to a few. Returns EXIT_FAILED then, else 0.
 */
static int
report_end(const struct host_status *v, size_t n, int answered, int silent, int bounded)
{
	fprintf(stderr, "opsdeck collect: %d of %zu hosts answered\n", answered, n);
	if (!bounded || silent == 0)
		return 0;
	fprintf(stderr, "opsdeck collect: %d host%s never answered:", silent,
	    silent == 1 ? "" : "s");
	int shown = 0;
	for (size_t i = 0; i < n && shown < 5; i++) {
		if (v[i].state == HOST_UP || v[i].state == HOST_STALE)
			continue;
		fprintf(stderr, "%s %s (%s%s%s)", shown ? "," : "", v[i].name,
		    host_state_name(v[i].state), v[i].error[0] ? ": " : "", v[i].error);
		shown++;
	}
	fprintf(stderr, "%s\n", silent > shown ? ", ..." : "");
	return EXIT_FAILED;
}

int
cmd_collect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "cycles", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "cache", required_argument, NULL, 'C' },
		{ "listen", required_argument, NULL, 'l' },
		{ "shard", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *cache = NULL, *listen = NULL;
	int shard_k = 0, shard_n = 0;
	char *cause = NULL;
	long cycles = -1;
	int64_t duration_ms = -1;
	int ch;
	char *end;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:n:d:l:s:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'n':
			cycles = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || cycles < 1 || cycles > INT_MAX)
				return cmd_usage_error("collect", "bad cycle count '%s'", optarg);
			break;
		case 'd':
			if (duration_parse(optarg, &duration_ms) != 0 || duration_ms <= 0)
				return cmd_usage_error("collect", "bad duration '%s' (e.g. 30s, 5m)", optarg);
			break;
		case 'C':
			cache = optarg;
			break;
		case 'l':
			listen = optarg;
			break;
		case 's':
			if (shard_parse(optarg, &shard_k, &shard_n, &cause) != 0) {
				int rc = cmd_usage_error("collect", "%s", cause);
				free(cause);
				return rc;
			}
			break;
		case 'h':
			usage();
			return 0;
		default:
			return cmd_bad_option("collect", ch, argv);
		}
	}
	if (optind < argc)
		return cmd_usage_error("collect", "unexpected argument '%s'", argv[optind]);
	if (cycles > 0 && duration_ms > 0)
		return cmd_usage_error("collect", "--cycles and --duration exclude each other");

	struct config *cfg;
	struct store *st;
	int orc = cmd_open_writer("collect", path, cache, &cfg, &st);
	if (orc != 0)
		return orc;

	/* The command line wins over the config. */
	if (shard_n == 0) {
		shard_k = cfg->shard_k;
		shard_n = cfg->shard_n;
	}
	if (shard_n > 1) {
		config_apply_shard(cfg, shard_k, shard_n);
		fprintf(stderr, "opsdeck collect: shard %d/%d: %zu hosts\n", shard_k, shard_n,
		    cfg->nhosts);
	}
	cfg->shard_k = shard_k;
	cfg->shard_n = shard_n;
	if (listen == NULL)
		listen = cfg->listen;

	/* the exporter's node_* counters come from the raw counters */
	struct collector_opts co = { .wake_fd = -1, .timeout_ms = 0, .counters = listen != NULL };
	struct collector *c = collector_new(cfg, st, &co);
	if (collector_warning(c) != NULL)
		fprintf(stderr, "opsdeck collect: warning: %s\n", collector_warning(c));
	struct exporter *ex = NULL;
	if (listen != NULL) {
		char *plan = cfg->budget != NULL ? budget_plan_path(cfg->path, cfg->budget) : NULL;
		struct exporter_opts eo = { listen, collect_hosts, c, store_path(st), plan };
		int rc = exporter_start(&eo, &ex, &cause);
		free(plan);
		if (rc != 0) {
			fprintf(stderr, "opsdeck collect: %s\n", cause);
			free(cause);
			collector_free(c);
			store_close(st);
			config_free(cfg);
			return EXIT_FAILED;
		}
		fprintf(stderr, "opsdeck collect: serving metrics at http://%s/metrics (port %d)\n",
		    listen, exporter_port(ex));
	}
	collect_running = c;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/*
	 * --cycles N: done when every host delivered N cycles, else after N
	 * intervals and the timeout; a host that is down is retried meanwhile.
	 */
	int frames = cycles > 0 ? (int)cycles : INT_MAX;
	if (cycles > 0)
		duration_ms = cycles_ms(cfg, cycles);
	int64_t deadline = duration_ms > 0 ? now_mono_ms() + duration_ms : INT64_MAX;
	int silent = 0;
	int answered = collector_run_until(c, frames, deadline, &silent);

	collect_running = NULL;
	exporter_stop(ex);
	/* Every row: configured hosts, and prometheus servers and their instances. */
	struct host_status *all;
	size_t nall;
	collector_hosts(c, &all, &nall);
	int rc = report_end(all, nall, answered, silent, duration_ms > 0);
	store_free_hosts(all, nall);
	collector_free(c);
	store_close(st);
	config_free(cfg);
	return rc;
}
