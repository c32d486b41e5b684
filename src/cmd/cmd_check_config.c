/*
 * cmd_check_config.c: `opsdeck check-config [-c FILE] [--keys | --metrics]`.
 *
 * The file is parsed (config_load: form, keys, metric names, warn/crit
 * order) and, when it parses, the files it names are checked
 * (config_check_files: budget plan, theme, identity files, known_hosts).
 * --keys and --metrics print the key table and the metric table.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "opsdeck/cmd.h"
#include "opsdeck/config_keys.h"
#include "opsdeck/yamltree.h"

static void
usage(void)
{
	printf("Usage: opsdeck check-config [-c FILE]\n"
	    "       opsdeck check-config --keys | --metrics\n"
	    "Checks the configuration and prints every error as FILE:LINE:COL: message:\n"
	    "its syntax and keys, that every threshold names a known metric with warn and\n"
	    "crit in the order of the metric's direction, and that the files it names are\n"
	    "usable: the budget plan and the theme exist and parse, identity files are\n"
	    "readable and not open to group or others, known_hosts folders exist.\n"
	    "Exit status: 0 when valid (a one-line summary is printed), 4 when not.\n"
	    "\n"
	    "  -c, --config FILE   the file to check (default: the one opsdeck would use)\n"
	    "      --keys          print every configuration key: where, type, default, help\n"
	    "      --metrics       print every metric a threshold may name: unit, direction\n"
	    "  -h, --help          show this help\n");
}

int
cmd_check_config(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "keys", no_argument, NULL, 'K' },
		{ "metrics", no_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	int ch, list = 0;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'h':
			usage();
			return 0;
		case 'K':
		case 'M':
			if (list != 0 && list != ch)
				return cmd_usage_error("check-config",
				    "--keys and --metrics are exclusive");
			list = ch;
			break;
		default:
			return cmd_bad_option("check-config", ch, argv);
		}
	}
	if (optind < argc)
		return cmd_usage_error("check-config", "unexpected argument '%s'", argv[optind]);
	if (list != 0 && path != NULL)
		return cmd_usage_error("check-config", "-c does not go with --%s",
		    list == 'K' ? "keys" : "metrics");
	if (list == 'K' || list == 'M') {
		if (list == 'K')
			config_keys_print(stdout);
		else
			config_metrics_print(stdout);
		return fflush(stdout) == 0 ? 0 : 1;
	}

	char *found = config_find(path);
	if (found == NULL) {
		struct config *cfg = config_default();
		printf("no configuration file: the built-in default is used (%zu group, %zu host)\n",
		    cfg->ngroups, cfg->nhosts);
		config_free(cfg);
		return 0;
	}

	struct diag d;
	diag_init(&d, found);
	struct config *cfg = config_load(found, &d);
	int rc;
	if (cfg != NULL && config_check_files(cfg, &d) > 0) {
		yamltree_sort_diag(&d, 0);
		config_free(cfg);
		cfg = NULL;
	}
	if (cfg == NULL) {
		diag_print(&d, stderr);
		fprintf(stderr, "%s: %zu error%s\n", found, diag_count(&d), diag_count(&d) == 1 ? "" : "s");
		rc = EXIT_CONFIG;
	} else {
		printf("%s: ok, %zu group%s, %zu host%s\n", found, cfg->ngroups,
		    cfg->ngroups == 1 ? "" : "s", cfg->nhosts, cfg->nhosts == 1 ? "" : "s");
		config_free(cfg);
		rc = 0;
	}
	diag_free(&d);
	free(found);
	return rc;
}
