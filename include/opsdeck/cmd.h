/*
 * cmd.h: subcommands, one file each (src/cmd_*.c), and the helpers they share.
 *
 * A subcommand gets argv starting at its own name (argv[0] = "snapshot"),
 * parses its options with getopt_long, and returns the process exit status:
 * 0 success, 1 failure (a message was printed), 2 usage error (a one-line
 * hint was printed: "Try 'opsdeck NAME --help'.").
 */
#ifndef OPSDECK_CMD_H
#define OPSDECK_CMD_H

#include <stdio.h>

#include "opsdeck/config.h"
#include "opsdeck/store.h"

#define EXIT_USAGE 2

struct cmd_entry {
	const char	*name;
	const char	*summary;	/* one line for --help */
	int		(*run)(int argc, char **argv);
};

extern const struct cmd_entry cmd_table[];	/* in main.c, terminated by a NULL name */

int cmd_console(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_collect(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_alerts(int argc, char **argv);
int cmd_budget(int argc, char **argv);
int cmd_check_config(int argc, char **argv);
int cmd_forget(int argc, char **argv);

/* Prints "opsdeck NAME: <msg>\nTry 'opsdeck NAME --help'." and returns EXIT_USAGE. */
int cmd_usage_error(const char *name, const char *fmt, ...) OD_PRINTF(2, 3);

/* The output formats of --format, shared by every subcommand that has it. */
enum cmd_format { CMD_TABLE, CMD_CSV, CMD_JSON };
/*
 * Reads --format's argument for subcommand `name` into *out: 0, or the
 * usage error's exit status (printed) for anything but table, csv or json.
 */
int cmd_format_parse(const char *name, const char *arg, enum cmd_format *out);

struct store;
struct host_status;
struct alert_set;
/*
 * Prints hosts as `snapshot` does, in fmt, to stdout. at_ms > 0: as of that
 * time (`history --at`): test-bed devices from their transitions, and in
 * JSON "at" and the alerts active then (alerts, may be NULL otherwise).
 */
void snapshot_print(struct store *st, const struct host_status *v, size_t n,
	    enum cmd_format fmt, int64_t at_ms, const struct alert_set *alerts);

/*
 * getopt_long's ':' (missing value) or '?' (unknown option) for subcommand
 * `name`, with opterr 0 and optstring starting with ':': prints the usage
 * error naming the option and returns EXIT_USAGE.
 */
int cmd_bad_option(const char *name, int ch, char **argv);

/*
 * Loads the config from -c PATH (NULL: config_find()'s choice, else the
 * built-in default). Prints every error as FILE:LINE:COL to stderr and
 * returns NULL on failure.
 */
struct config *cmd_load_config(const char *path);

/*
 * Opens the cache: `override` (--cache) else the config's `cache` else the
 * default path. Prints "opsdeck: cache PATH: reason" on failure and returns NULL.
 */
struct store *cmd_open_store(const struct config *cfg, const char *override, int flags);
/*
 * Whether hosts cfg does not name are hidden: in a configuration file's own
 * cache (no --cache `override`, cfg read from a file). The built-in default
 * and an explicit --cache show every host of the cache.
 */
int cmd_hides_unknown(const struct config *cfg, const char *override);

/*
 * Both of the above for a command that collects: the config from -c PATH and
 * its cache opened as the single writer. 0, or -1 after printing why (nothing
 * is left open).
 */
void cmd_explain_busy(struct store *st, char **cause);

int cmd_open_writer(const char *path, const char *cache, struct config **cfg,
	    struct store **st);

#endif
