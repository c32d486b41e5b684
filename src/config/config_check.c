/*
 * config_check.c: what `opsdeck check-config` checks beyond the file itself
 * (config.h, config_check_files): the files a configuration names.
 *
 * config_parse() is pure; this is the part with I/O, run by check-config
 * only, so that a console or collector does not refuse to start over a
 * budget plan it may never draw. Each problem is added to the config's diag
 * at the position of the key that names the file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opsdeck/budget.h"
#include "opsdeck/config.h"
#include "opsdeck/theme.h"
#include "opsdeck/util.h"

/*
 * The first problem of a loader's diag sub, for a message about `path`: the
 * reason alone for a problem with the whole file (read_file's "PATH: why"
 * loses its prefix), else "FILE:LINE:COL: message". Caller frees.
 */
static char *
first_problem(const struct diag *sub, const char *path)
{
	size_t plen = strlen(path);

	if (sub->n == 0)
		return xstrdup("unknown error");
	if (sub->v[0].line > 0)
		return diag_first(sub);
	const char *msg = sub->v[0].msg;
	if (strncmp(msg, path, plen) == 0 && msg[plen] == ':' && msg[plen + 1] == ' ')
		msg += plen + 2;
	return xstrdup(msg);
}

/* Adds "WHAT 'PATH': first problem (and N more)" at `at` for a failed load. */
static void
add_load_error(struct diag *d, struct config_at at, const char *what, const char *path,
    const struct diag *sub)
{
	char *first = first_problem(sub, path);
	size_t more = diag_count(sub) > 0 ? diag_count(sub) - 1 : 0;

	if (more > 0)
		diag_add(d, at.line, at.col, "%s '%s': %s (and %zu more)", what, path, first,
		    more);
	else
		diag_add(d, at.line, at.col, "%s '%s': %s", what, path, first);
	free(first);
}

/* `budget:`: the plan (relative to the config's folder) loads without errors. */
static void
check_budget(const struct config *c, struct diag *d)
{
	if (c->budget == NULL)
		return;
	char *path = budget_plan_path(c->path, c->budget);
	struct diag sub;
	diag_init(&sub, path);
	struct budget_plan *p = budget_plan_load(path, &sub);
	if (p == NULL)
		add_load_error(d, c->budget_at, "budget plan", path, &sub);
	budget_plan_free(p);
	diag_free(&sub);
	free(path);
}

/*
 * `theme:`: a theme on the search path or a readable file that parses.
 * "default" may be missing: the built-in default is the same theme.
 */
static void
check_theme(const struct config *c, struct diag *d)
{
	if (c->theme == NULL)
		return;
	char *path = theme_find(c->theme);
	if (path == NULL) {
		if (strcmp(c->theme, "default") == 0)
			return;
		char **names = theme_names();
		size_t o = 0, cap = 256;
		char *list = xcalloc(1, cap);
		for (size_t i = 0; names != NULL && names[i] != NULL && o + 1 < cap; i++) {
			int w = snprintf(list + o, cap - o, "%s%s", i > 0 ? ", " : "", names[i]);
			if (w < 0 || (size_t)w >= cap - o)
				break;
			o += (size_t)w;
		}
		diag_add(d, c->theme_at.line, c->theme_at.col, "theme '%s' is neither a shipped "
		    "theme nor a readable file (the themes: %s)", c->theme,
		    o > 0 ? list : "none found");
		free(list);
		theme_names_free(names);
		return;
	}
	struct theme t;
	struct diag sub;
	diag_init(&sub, path);
	if (theme_load(path, &t, &sub) != 0)
		add_load_error(d, c->theme_at, "theme", path, &sub);
	diag_free(&sub);
	free(path);
}

/*
 * An identity file: a regular file this user can read, with no access for
 * the group or others (ssh refuses such a key with "UNPROTECTED PRIVATE KEY
 * FILE", and so would the libssh session).
 */
static void
check_identity(struct diag *d, const char *path, struct config_at at)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		diag_add(d, at.line, at.col, "identity file '%s': %s", path, strerror(errno));
		return;
	}
	if (fstat(fd, &sb) != 0)
		diag_add(d, at.line, at.col, "identity file '%s': %s", path, strerror(errno));
	else if (!S_ISREG(sb.st_mode))
		diag_add(d, at.line, at.col, "identity file '%s' is not a regular file", path);
	else if ((sb.st_mode & 077) != 0)
		diag_add(d, at.line, at.col, "identity file '%s' has mode %04o: the group and "
		    "others must have no access, or ssh refuses the key (chmod 600)", path,
		    (unsigned)(sb.st_mode & 07777));
	close(fd);
}

/* A known_hosts file: its folder exists (the file may not, yet: accept-new). */
static void
check_known_hosts(struct diag *d, const char *path, struct config_at at)
{
	struct stat sb;
	const char *slash = strrchr(path, '/');
	char *dir = slash == NULL ? xstrdup(".") : slash == path ? xstrdup("/") :
	    xstrndup(path, (size_t)(slash - path));

	if (stat(dir, &sb) != 0)
		diag_add(d, at.line, at.col, "known_hosts '%s': folder '%s': %s", path, dir,
		    strerror(errno));
	else if (!S_ISDIR(sb.st_mode))
		diag_add(d, at.line, at.col, "known_hosts '%s': '%s' is not a folder", path,
		    dir);
	else if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		diag_add(d, at.line, at.col, "known_hosts '%s' is a folder, not a file", path);
	free(dir);
}

/* Whether a and b are the same position. */
static int
same_at(struct config_at a, struct config_at b)
{
	return a.line == b.line && a.col == b.col;
}

/*
 * The files of one set of connection settings; those a group inherited
 * from `defaults` (same position) are checked once, with the defaults.
 */
static void
check_conn(const struct conn_settings *cs, const struct conn_settings *defaults,
    struct diag *d)
{
	if (cs->identity != NULL && cs->identity_at.line > 0 &&
	    (cs == defaults || !same_at(cs->identity_at, defaults->identity_at)))
		check_identity(d, cs->identity, cs->identity_at);
	if (cs->known_hosts != NULL && cs->known_hosts_at.line > 0 &&
	    (cs == defaults || !same_at(cs->known_hosts_at, defaults->known_hosts_at)))
		check_known_hosts(d, cs->known_hosts, cs->known_hosts_at);
}

/* See config.h. */
/*
 * `notify:`: its program is an executable regular file, at its absolute
 * path or in $PATH; `notify_log:`'s folder exists.
 */
static void
check_notify(const struct config *c, struct diag *d)
{
	struct stat sb;

	if (c->notify != NULL) {
		const char *prog = c->notify[0];
		char *found = NULL;
		if (strchr(prog, '/') != NULL) {
			found = xstrdup(prog);
		} else {
			const char *path = getenv("PATH");
			char *dirs = xstrdup(path != NULL ? path : "/usr/bin:/bin"), *save = NULL;
			for (char *dir = strtok_r(dirs, ":", &save); dir != NULL && found == NULL;
			    dir = strtok_r(NULL, ":", &save)) {
				char *cand = xasprintf("%s/%s", dir, prog);
				if (access(cand, X_OK) == 0)
					found = cand;
				else
					free(cand);
			}
			free(dirs);
		}
		if (found == NULL)
			diag_add(d, c->notify_at.line, c->notify_at.col,
			    "notify program '%s' is not in $PATH", prog);
		else if (stat(found, &sb) != 0 || !S_ISREG(sb.st_mode))
			diag_add(d, c->notify_at.line, c->notify_at.col,
			    "notify program '%s' is not a file", found);
		else if (access(found, X_OK) != 0)
			diag_add(d, c->notify_at.line, c->notify_at.col,
			    "notify program '%s' cannot be run: %s", found, strerror(errno));
		free(found);
	}
	if (c->notify_log != NULL) {
		char *dir = xstrdup(c->notify_log), *slash = strrchr(dir, '/');
		if (slash != NULL && slash != dir)
			*slash = '\0';
		if (slash != NULL && (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)))
			diag_add(d, c->notify_log_at.line, c->notify_log_at.col,
			    "notify_log '%s': no folder %s", c->notify_log, dir);
		free(dir);
	}
}

size_t
config_check_files(const struct config *c, struct diag *d)
{
	size_t before = diag_count(d);

	check_notify(c, d);
	check_budget(c, d);
	check_theme(c, d);
	check_conn(&c->defaults, &c->defaults, d);
	for (size_t i = 0; i < c->ngroups; i++)
		check_conn(&c->groups[i].conn, &c->defaults, d);
	return diag_count(d) - before;
}
