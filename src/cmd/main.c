/*
 * main.c: git-style dispatch to the subcommands of cmd_table[].
 *
 * `opsdeck` alone, or with options first, is `opsdeck console`.
 */
#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "opsdeck/cmd.h"

const struct cmd_entry cmd_table[] = {
	{ "console", "the interactive console (the default)", cmd_console },
	{ "snapshot", "connect to every host, sample twice, print them and exit", cmd_snapshot },
	{ "collect", "headless collector that keeps the cache current", cmd_collect },
	{ "history", "a host's metric history from the cache", cmd_history },
	{ "alerts", "the active (or all) alerts from the cache", cmd_alerts },
	{ "budget", "budget reports and ledger import", cmd_budget },
	{ "check-config", "check the configuration and report every error", cmd_check_config },
	{ "forget", "remove hosts (or every host the config no longer names) from the cache",
	  cmd_forget },
	{ NULL, NULL, NULL },
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "Usage: opsdeck [COMMAND] [OPTIONS]\n"
	    "A terminal console for a data center's compute nodes, test-bed devices and budgets.\n"
	    "\n"
	    "Commands:\n");
	for (const struct cmd_entry *e = cmd_table; e->name != NULL; e++)
		fprintf(fp, "  %-13s %s\n", e->name, e->summary);
	fprintf(fp,
	    "\n"
	    "Without a command, opsdeck starts the console; its options may come first:\n"
	    "  opsdeck -c FILE        is  opsdeck console -c FILE\n"
	    "  opsdeck --demo[=N]     is  opsdeck console --demo: a simulated fleet of N nodes\n"
	    "                         (opsdeck-fleetsim), nothing to configure\n"
	    "\n"
	    "Options:\n"
	    "  -h, --help             show this help, or a command's with 'opsdeck COMMAND --help'\n"
	    "  -V, --version          show the version\n"
	    "\n"
	    "Configuration: -c FILE, else $XDG_CONFIG_HOME/opsdeck/config.yaml, else a built-in\n"
	    "default that watches this machine. See opsdeck(1) and opsdeck.yaml(5).\n");
}

int
main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	/* Writes to a closed pipe or socket (a host, the agent, `| head`) are errors, not deaths. */
	signal(SIGPIPE, SIG_IGN);

	if (argc < 2)
		return cmd_console(argc, argv);

	const char *a = argv[1];
	if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0 || strcmp(a, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
		printf("%s\n", PACKAGE_STRING);
		return 0;
	}
	if (a[0] == '-')
		return cmd_console(argc, argv);	/* console options first */

	for (const struct cmd_entry *e = cmd_table; e->name != NULL; e++) {
		if (strcmp(a, e->name) == 0)
			return e->run(argc - 1, argv + 1);
	}
	fprintf(stderr, "opsdeck: '%s' is not a command\nTry 'opsdeck --help'.\n", a);
	return EXIT_USAGE;
}
