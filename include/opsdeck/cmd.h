/*
 * cmd.h: subcommands, one file each (src/cmd_*.c), and the helpers they share.
 *
 * A subcommand gets argv starting at its own name (argv[0] = "snapshot"),
 * parses its options with getopt_long, and returns the process exit status,
 * the same for every subcommand (opsdeck(1), EXIT STATUS) so that a service
 * manager can tell them apart:
 *   0                ran as asked
 *   1 EXIT_FAILED    a failure, with a message (for a bounded `collect`: some
 *                    hosts never answered)
 *   2 EXIT_USAGE     a usage error, with "Try 'opsdeck NAME --help'."
 *   3 EXIT_CACHE_BUSY the cache is held by another writer (the message names
 *                    its pid and suggests --offline or --cache)
 *   4 EXIT_CONFIG    the configuration (or a file it names) has errors
 */
#ifndef OPSDECK_CMD_H
#define OPSDECK_CMD_H

#include <stdio.h>

#include "opsdeck/config.h"
#include "opsdeck/store.h"

#define EXIT_FAILED	1
#define EXIT_USAGE	2
#define EXIT_CACHE_BUSY	3
#define EXIT_CONFIG	4

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
 * cmd_open_store for subcommand `name`, returning the exit status: 0 with
 * *st, or (printed) EXIT_CACHE_BUSY when another process holds the cache's
 * writer lock, with its pid and a hint (--offline, --cache), else
 * EXIT_FAILED.
 */
int cmd_open_store_status(const char *name, const struct config *cfg, const char *override,
	    int flags, struct store **st);

/*
 * Both of the above for a command that collects: the config from -c PATH and
 * its cache opened as the single writer. 0, or the exit status after
 * printing why (EXIT_CONFIG, EXIT_CACHE_BUSY, EXIT_FAILED; nothing is left
 * open).
 */
int cmd_open_writer(const char *name, const char *path, const char *cache,
	    struct config **cfg, struct store **st);

/*
 * After a failed write: when another process held the cache's lock past the
 * wait (SQLITE_BUSY), *cause (replaced) names the writer that holds it.
 * Returns EXIT_CACHE_BUSY then, else EXIT_FAILED.
 */
int cmd_explain_busy(struct store *st, char **cause);

#endif
