/*
 * cmd_check_config.c: `opsdeck check-config [-c FILE]`.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "opsdeck/cmd.h"

static void
usage(void)
{
	printf("Usage: opsdeck check-config [-c FILE]\n"
	    "Checks the configuration and prints every error as FILE:LINE:COL: message.\n"
	    "Exit status: 0 when valid (a one-line summary is printed), 1 when not.\n"
	    "\n"
	    "  -c, --config FILE   the file to check (default: the one opsdeck would use)\n"
	    "  -h, --help          show this help\n");
}

int
cmd_check_config(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	int ch;

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
		default:
			return cmd_bad_option("check-config", ch, argv);
		}
	}
	if (optind < argc)
		return cmd_usage_error("check-config", "unexpected argument '%s'", argv[optind]);

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
	if (cfg == NULL) {
		diag_print(&d, stderr);
		fprintf(stderr, "%s: %zu error%s\n", found, diag_count(&d), diag_count(&d) == 1 ? "" : "s");
		rc = 1;
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
