/*
 * cmd_common.c: what the subcommands share.
 */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/cmd.h"

int
cmd_usage_error(const char *name, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "opsdeck %s: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'opsdeck %s --help'.\n", name);
	return EXIT_USAGE;
}

int
cmd_bad_option(const char *name, int ch, char **argv)
{
	const char *opt = optind > 0 ? argv[optind - 1] : "?";

	if (ch == ':')
		return cmd_usage_error(name, "option '%s' needs a value", opt);
	return cmd_usage_error(name, "unknown option '%s'", opt);
}

/*
 * Loads the configuration: path (from -c), else the XDG file when it exists,
 * else the built-in default. Prints every error; NULL on failure.
 */
struct config *
cmd_load_config(const char *path)
{
	char *found = config_find(path);
	if (found == NULL)
		return config_default();

	struct diag d;
	diag_init(&d, found);
	struct config *cfg = config_load(found, &d);
	if (cfg == NULL)
		diag_print(&d, stderr);
	diag_free(&d);
	free(found);
	return cfg;
}

/* The cache file cmd_open_store opens, malloc'd. */
static char *
cache_path(const struct config *cfg, const char *override)
{
	return override != NULL ? xstrdup(override) :
	    cfg->cache != NULL ? xstrdup(cfg->cache) : store_path_for_config(cfg->path);
}

/* See cmd.h. */
int
cmd_open_store_status(const char *name, const struct config *cfg, const char *override,
    int flags, struct store **st)
{
	char *path = cache_path(cfg, override);
	char *cause = NULL;
	int rc = 0;

	*st = NULL;
	if (store_open(path, flags, st, &cause) != 0) {
		*st = NULL;
		char *who = (flags & STORE_WRITER) ? store_writer_holder(path) : NULL;
		if (who != NULL) {
			/* "cache PATH is in use by pid N (COMMAND)" */
			fprintf(stderr, "opsdeck %s: %s; another writer holds it: read it with "
			    "--offline (the console), or give this one a cache of its own with "
			    "--cache FILE\n", name, cause);
			rc = EXIT_CACHE_BUSY;
		} else {
			fprintf(stderr, "opsdeck: %s\n", cause);
			rc = EXIT_FAILED;
		}
		free(who);
		free(cause);
	} else if (store_warning(*st) != NULL) {
		/* e.g. a corrupt file was moved aside and a new cache started */
		fprintf(stderr, "opsdeck: %s\n", store_warning(*st));
	}
	free(path);
	return rc;
}

/*
 * Opens the cache named by --cache, the config, or the default location.
 * Prints the reason and returns NULL on failure.
 */
struct store *
cmd_open_store(const struct config *cfg, const char *override, int flags)
{
	struct store *st;

	cmd_open_store_status("cache", cfg, override, flags, &st);
	return st;
}

int
cmd_hides_unknown(const struct config *cfg, const char *override)
{
	return override == NULL && cfg != NULL && cfg->path != NULL;
}

int
cmd_open_writer(const char *name, const char *path, const char *cache, struct config **cfg,
    struct store **st)
{
	*st = NULL;
	if ((*cfg = cmd_load_config(path)) == NULL)
		return EXIT_CONFIG;
	int rc = cmd_open_store_status(name, *cfg, cache, STORE_WRITER, st);
	if (rc != 0) {
		config_free(*cfg);
		*cfg = NULL;
	}
	return rc;
}

/*
 * After a failed write: when another process held the cache's lock past the
 * wait (SQLITE_BUSY), *cause (replaced) names the writer that holds it.
 */
int
cmd_explain_busy(struct store *st, char **cause)
{
	if (st == NULL || !store_last_busy(st))
		return EXIT_FAILED;
	char *who = store_writer_holder(store_path(st));
	char *m = xasprintf(" the cache stayed busy for %d s%s%s; try again", STORE_BUSY_MS / 1000,
	    who != NULL ? " while written by " : "", who != NULL ? who : "");
	free(who);
	free(*cause);
	*cause = m;
	return EXIT_CACHE_BUSY;
}

int
cmd_format_parse(const char *name, const char *arg, enum cmd_format *out)
{
	static const char *const names[] = { "table", "csv", "json" };

	for (int i = 0; i < 3; i++) {
		if (strcmp(arg, names[i]) == 0) {
			*out = (enum cmd_format)i;
			return 0;
		}
	}
	return cmd_usage_error(name, "unknown format '%s' (table, csv or json)", arg);
}
