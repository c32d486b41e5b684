/*
 * ui_state.c: what the console remembers across restarts, and the folded
 * groups it keeps meanwhile.
 *
 * The state file ($XDG_STATE_HOME/opsdeck/state, else
 * ~/.local/state/opsdeck/state) is text, one setting a line, `KEY VALUE`:
 *
 *   # opsdeck console state
 *   view all
 *   theme default
 *   sort cpu
 *   reverse 0
 *   grouped 1
 *   filter gpu
 *   fold cpu nodes        (one line per folded group; the rest of the line)
 *
 * It is written when the console quits, atomically (a temp file beside it,
 * fsync, rename), and read at start tolerantly: a line that is not
 * understood costs that line, and the first such line is reported. The
 * values are checked where they are used (a view or sort word, a theme
 * name); this file only splits lines. Draws nothing.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opsdeck/ui_priv.h"

/* ---- folds ----------------------------------------------------------------- */

/* 1 when group is folded. Linear: a fleet has tens of groups. */
int
ui_folded(const struct ui_folds *f, const char *group)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i], group) == 0)
			return 1;
	return 0;
}

/*
 * Folds or unfolds group (its name cut to UI_GROUP_MAX - 1 bytes); at most
 * UI_STATE_FOLDS are kept, a fold past them is not. Returns 1 on a change.
 */
int
ui_fold_set(struct ui_folds *f, const char *group, int on)
{
	for (size_t i = 0; i < f->n; i++) {
		if (strcmp(f->v[i], group) != 0)
			continue;
		if (on)
			return 0;
		memmove(&f->v[i], &f->v[i + 1], (f->n - i - 1) * sizeof *f->v);
		f->n--;
		return 1;
	}
	if (!on || f->n >= UI_STATE_FOLDS)
		return 0;
	f->v = xreallocarray(f->v, f->n + 1, sizeof *f->v);
	od_strlcpy(f->v[f->n++], group, sizeof *f->v);
	return 1;
}

void
ui_folds_free(struct ui_folds *f)
{
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

/* ---- the state file ---------------------------------------------------------- */

/* The state file's path, malloc'd (xdg_path). */
char *
ui_state_path(void)
{
	return xdg_path(XDG_STATE, "state");
}

/* A value of text characters only (what the console's inputs accept). */
static int
value_ok(const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* "0" or "1" to *out; -1 otherwise. */
static int
flag_parse(const char *v, int *out)
{
	if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
		return -1;
	*out = v[0] == '1';
	return 0;
}

/*
 * One line (NUL-terminated, no newline) into s. Returns NULL when it was
 * understood (or is blank or a comment), else why not (static text).
 */
static const char *
state_line(struct ui_saved *s, char *line)
{
	char *v;
	size_t n = strlen(line);

	if (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	if (line[0] == '\0' || line[0] == '#')
		return NULL;
	if (!value_ok(line))
		return "control characters";
	v = strchr(line, ' ');
	if (v == NULL)
		return "a setting without a value";
	*v++ = '\0';
	if (strcmp(line, "view") == 0 || strcmp(line, "sort") == 0) {
		char *dst = line[0] == 'v' ? s->view : s->sort;
		if (strlen(v) >= sizeof s->view)
			return "a value too long";
		od_strlcpy(dst, v, sizeof s->view);
	} else if (strcmp(line, "theme") == 0) {
		if (strlen(v) >= sizeof s->theme)
			return "a value too long";
		od_strlcpy(s->theme, v, sizeof s->theme);
	} else if (strcmp(line, "reverse") == 0) {
		if (flag_parse(v, &s->sort_rev) != 0)
			return "reverse is 0 or 1";
	} else if (strcmp(line, "grouped") == 0) {
		if (flag_parse(v, &s->grouped) != 0)
			return "grouped is 0 or 1";
	} else if (strcmp(line, "filter") == 0) {
		if (strlen(v) >= sizeof s->filter)
			return "a value too long";
		od_strlcpy(s->filter, v, sizeof s->filter);
		s->has_filter = 1;
	} else if (strcmp(line, "fold") == 0) {
		if (v[0] == '\0' || strlen(v) >= UI_GROUP_MAX)
			return "a group name empty or too long";
		ui_fold_set(&s->folds, v, 1);
	} else if (strcmp(line, "version") == 0) {
		if (strcmp(v, "1") != 0)
			return "a version this opsdeck does not know";
	} else {
		return "an unknown setting";
	}
	return NULL;
}

/* See ui_priv.h. */
int
ui_state_read(const char *path, struct ui_saved *s, char *msg, size_t len)
{
	char *text = NULL, *cause = NULL;
	size_t tlen = 0;
	int bad = 0, lineno = 0;

	memset(s, 0, sizeof *s);
	s->sort_rev = s->grouped = -1;
	msg[0] = '\0';
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return 0;
	if (read_file(path, UI_STATE_MAX, &text, &tlen, &cause) != 0) {
		snprintf(msg, len, "%s: not read: %s", path, cause != NULL ? cause : "?");
		free(cause);
		return -1;
	}
	for (char *p = text, *nl; p < text + tlen; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(text + tlen - p));
		if (nl == NULL)
			nl = text + tlen;
		*nl = '\0';
		lineno++;
		/* a NUL inside the line ends it early: the rest is not text */
		if (strlen(p) != (size_t)(nl - p)) {
			if (bad++ == 0)
				snprintf(msg, len, "line %d: not text, ignored", lineno);
			continue;
		}
		const char *why = state_line(s, p);
		if (why != NULL && bad++ == 0)
			snprintf(msg, len, "line %d: %s, ignored", lineno, why);
	}
	free(text);
	return bad;
}

/* See ui_priv.h. */
int
ui_state_write(const char *path, const struct ui_saved *s, char **cause)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/'), *tmp;
	int fd;
	FILE *fp;

	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir_p(dir, 0700) != 0) {
			*cause = xasprintf("cannot make %s: %s", dir, strerror(errno));
			free(dir);
			return -1;
		}
	}
	free(dir);
	tmp = xasprintf("%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0 || (fp = fdopen(fd, "w")) == NULL) {
		*cause = xasprintf("cannot write %s: %s", tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return -1;
	}
	fchmod(fd, 0600);
	fprintf(fp, "# opsdeck console state, written when it quits (opsdeck(1), FILES)\n");
	fprintf(fp, "version 1\n");
	if (s->view[0] != '\0')
		fprintf(fp, "view %s\n", s->view);
	if (s->theme[0] != '\0' && value_ok(s->theme))
		fprintf(fp, "theme %s\n", s->theme);
	if (s->sort[0] != '\0')
		fprintf(fp, "sort %s\n", s->sort);
	fprintf(fp, "reverse %d\n", s->sort_rev > 0);
	fprintf(fp, "grouped %d\n", s->grouped != 0);
	if (s->has_filter && s->filter[0] != '\0' && value_ok(s->filter))
		fprintf(fp, "filter %s\n", s->filter);
	for (size_t i = 0; i < s->folds.n; i++)
		if (value_ok(s->folds.v[i]))
			fprintf(fp, "fold %s\n", s->folds.v[i]);
	int ok = fflush(fp) == 0 && fsync(fd) == 0;
	ok &= fclose(fp) == 0;
	if (!ok || rename(tmp, path) != 0) {
		*cause = xasprintf("cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}
