/*
 * theme.h: console colour themes (man/opsdeck-theme.5), parsed from YAML.
 *
 * A theme maps semantic roles (normal, header, ok, crit, selection, ...) to a
 * foreground and background colour (a name, 0-255, or #rrggbb) and
 * attributes (bold, reverse, underline, dim, italic). Roles a file leaves out
 * keep the built-in default. The parser is pure (bytes in, struct out, every
 * problem collected in a struct diag as FILE:LINE:COL, 1-based); theme_load()
 * and theme_find() do the file I/O and the search path. No ncurses here: the
 * console turns a struct theme into colour pairs (src/ui/ui_theme.c).
 */
#ifndef OPSDECK_THEME_H
#define OPSDECK_THEME_H

#include <stddef.h>

#include "opsdeck/diag.h"

#define THEME_MAX_BYTES		(256 * 1024)	/* a larger file is refused */
#define THEME_MAX_DEPTH		8		/* YAML nesting depth */
#define THEME_NAME_MAX		64

#define THEME_COLOR_DEFAULT	(-1)		/* the terminal's own colour */

enum theme_role {
	THEME_NORMAL,		/* pane text */
	THEME_HEADER,		/* column headings */
	THEME_TITLE,		/* pane titles in the border */
	THEME_TITLE_FOCUS,	/* the focused pane's title */
	THEME_BORDER,
	THEME_BORDER_FOCUS,
	THEME_GROUP,		/* group header rows */
	THEME_OK,
	THEME_WARN,
	THEME_CRIT,
	THEME_STALE,		/* old or missing data */
	THEME_SELECTION,
	THEME_DIM,
	THEME_GAUGE_FILL,
	THEME_GAUGE_EMPTY,
	THEME_SPARK,
	THEME_STATUS,		/* the bottom status line */
	THEME_STATUS_ERROR,
	THEME_INPUT,		/* `/` and `:` prompts */
	THEME_HELP,		/* the help overlay */
	THEME_REPLAY,		/* REPLAY and the time cursor, while not live */
	THEME_ROLE_COUNT
};

enum {
	THEME_ATTR_BOLD		= 1 << 0,
	THEME_ATTR_REVERSE	= 1 << 1,
	THEME_ATTR_UNDERLINE	= 1 << 2,
	THEME_ATTR_DIM		= 1 << 3,
	THEME_ATTR_ITALIC	= 1 << 4,
};

struct theme_style {
	int		fg, bg;		/* 0-255 or THEME_COLOR_DEFAULT */
	unsigned	attrs;		/* THEME_ATTR_* */
};

struct theme {
	char		name[THEME_NAME_MAX];
	struct theme_style role[THEME_ROLE_COUNT];
};

const char *theme_role_name(enum theme_role r);
/* -1 when the word names no role. */
int theme_role_parse(const char *word);

/* The built-in default (dark) theme. */
void theme_default(struct theme *t);

/*
 * Parses a colour: "default", one of the 16 names ("red", "bright-blue",
 * "grey"/"gray" = bright-black), a number 0-255, "colorN", or "#rrggbb"
 * (nearest of the 256-colour palette). Returns 0, or -1 when unknown.
 */
int theme_color_parse(const char *s, int *out);

/*
 * The nearest colour a terminal with `ncolors` colours (8, 16, 88, 256) can
 * show for c (0-255 or THEME_COLOR_DEFAULT, which is returned unchanged).
 */
int theme_color_reduce(int c, int ncolors);

/*
 * Parses a theme document of len bytes. t is first set to the default; keys
 * in the document override it. Every problem is added to d (FILE:LINE:COL).
 * Returns 0 when d gained no errors, else -1 (t then holds the default).
 */
int theme_parse(const char *text, size_t len, struct theme *t, struct diag *d);

/* Reads and parses path (at most THEME_MAX_BYTES). Same return as theme_parse. */
int theme_load(const char *path, struct theme *t, struct diag *d);

/*
 * Finds a theme by name: a name containing '/' or ending in ".yaml" is a
 * path; otherwise NAME.yaml is looked up in, in order,
 * $XDG_CONFIG_HOME/opsdeck/themes (~/.config/...), $OPSDECK_THEMES_DIR,
 * the themes/ folder of the source tree when running from the build
 * directory, and OPSDECK_DATADIR/themes. Returns a malloc'd path or NULL.
 */
char *theme_find(const char *name);

/*
 * Names of the themes found on the search path, sorted, without duplicates:
 * a malloc'd NULL-terminated array of malloc'd strings (theme_names_free).
 */
char **theme_names(void);
void theme_names_free(char **v);

#endif
