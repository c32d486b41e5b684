/*
 * cmd_forget.c: `opsdeck forget HOST... | --missing`: removes hosts from the
 * cache with everything kept under their names (store_forget). A short
 * write beside the one writer, as `budget import` makes: it waits for a
 * running collector's transaction a bounded time (STORE_BUSY_MS), then gives
 * up naming the process that holds the cache and changes nothing.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/cmd.h"

static void
usage(void)
{
	printf("Usage: opsdeck forget [-c FILE] [--cache FILE] HOST... | --missing\n"
	    "Removes hosts from the cache with their history, alerts and devices. Hosts the\n"
	    "configuration no longer names are hidden everywhere already; this removes them.\n"
	    "\n"
	    "  -m, --missing          every host the configuration does not name\n"
	    "  -n, --dry-run          say what would go, change nothing\n"
	    "  -c, --config FILE      configuration file (see opsdeck.yaml(5))\n"
	    "      --cache FILE       the cache file (default: the config's)\n"
	    "  -h, --help             show this help\n"
	    "Exit status: 0 when something was removed (or, with --missing, nothing was\n"
	    "missing), 1 when a named host is not in the cache or the cache stayed busy.\n");
}

/* --dry-run: the names store_forget would take, from a read-only look. */
static int
dry_run(struct store *st, const struct config *cfg, int missing, char **names, int n)
{
	struct host_status *v;
	size_t nv;
	char *cause = NULL;

	if (store_get_hosts(st, &v, &nv, &cause) != 0) {
		fprintf(stderr, "opsdeck forget: %s\n", cause);
		free(cause);
		return 1;
	}
	for (size_t i = 0; i < nv; i++) {
		int pick = missing && !config_knows_host(cfg, v[i].name, v[i].group);
		for (int k = 0; k < n && !pick; k++)
			pick = strcmp(names[k], v[i].name) == 0;
		if (pick)
			printf("would forget %s\n", v[i].name);
	}
	store_free_hosts(v, nv);
	return 0;
}

int
cmd_forget(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "missing", no_argument, NULL, 'm' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "config", required_argument, NULL, 'c' },
		{ "cache", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cfg_path = NULL, *cache = NULL;
	int missing = 0, dry = 0, ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":mnc:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			missing = 1;
			break;
		case 'n':
			dry = 1;
			break;
		case 'c':
			cfg_path = optarg;
			break;
		case 'C':
			cache = optarg;
			break;
		case 'h':
			usage();
			return 0;
		default:
			return cmd_bad_option("forget", ch, argv);
		}
	}
	int n = argc - optind;
	char **names = argv + optind;
	if (n == 0 && !missing)
		return cmd_usage_error("forget", "name the hosts to forget, or --missing");
	if (n > 0 && missing)
		return cmd_usage_error("forget", "hosts or --missing, not both");

	struct config *cfg = cmd_load_config(cfg_path);
	if (cfg == NULL)
		return 1;
	struct store *st = cmd_open_store(cfg, cache, dry ? STORE_READONLY : 0);
	if (st == NULL) {
		config_free(cfg);
		return 1;
	}
	int rc = 0;
	if (dry) {
		rc = dry_run(st, cfg, missing, names, n);
		store_close(st);
		config_free(cfg);
		return rc;
	}
	for (int i = 0; i < n; i++)
		if (config_knows_host(cfg, names[i], ""))
			fprintf(stderr, "opsdeck forget: warning: %s is in the configuration: a "
			    "collector brings it back\n", names[i]);
	char **gone = NULL, *cause = NULL;
	size_t ngone = 0;
	if (store_forget(st, missing ? cfg : NULL, (const char *const *)names, (size_t)n,
	    &gone, &ngone, &cause) != 0) {
		cmd_explain_busy(st, &cause);
		fprintf(stderr, "opsdeck forget: %s\nopsdeck forget: nothing was removed\n",
		    cause);
		free(cause);
		rc = 1;
	} else {
		for (size_t i = 0; i < ngone; i++)
			printf("forgot %s\n", gone[i]);
		for (int i = 0; i < n; i++) {
			int found = 0;
			for (size_t k = 0; k < ngone && !found; k++)
				found = strcmp(gone[k], names[i]) == 0;
			if (!found) {
				fprintf(stderr, "opsdeck forget: %s is not in the cache %s\n",
				    names[i], store_path(st));
				rc = 1;
			}
		}
		if (missing && ngone == 0)
			printf("no host is missing from the configuration\n");
		store_forget_free(gone, ngone);
	}
	store_close(st);
	config_free(cfg);
	return rc;
}
