/*
 * ui_theme.c: turns a struct theme into ncurses attributes: one colour pair
 * per role, colours reduced to what the terminal has (256, 16, 8), and
 * attributes only when it has none or NO_COLOR is set (https://no-color.org).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/ui_priv.h"

static attr_t
attrs_of(unsigned a)
{
	attr_t r = A_NORMAL;

	if (a & THEME_ATTR_BOLD)
		r |= A_BOLD;
	if (a & THEME_ATTR_REVERSE)
		r |= A_REVERSE;
	if (a & THEME_ATTR_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & THEME_ATTR_DIM)
		r |= A_DIM;
#ifdef A_ITALIC
	if (a & THEME_ATTR_ITALIC)
		r |= A_ITALIC;
#endif
	return r;
}

/*
 * Fills u->attr[] from t. Colour pair i+1 is role i. Without colours, roles
 * that need to stand out and have no attribute get one (selection: reverse,
 * header and status: reverse, crit: bold, stale and dim: dim), so nothing
 * relies on colour alone.
 */
void
ui_theme_apply(struct ui *u, const struct theme *t)
{
	const char *nc = getenv("NO_COLOR");
	int ncolors;

	u->theme = *t;
	u->colors = has_colors() && (nc == NULL || nc[0] == '\0');
	int have_default = 1;
	if (u->colors) {
		start_color();
		have_default = use_default_colors() == OK;
		ncolors = COLORS >= 256 ? 256 : COLORS >= 16 ? 16 : 8;
	} else {
		ncolors = 0;
	}
	for (int i = 0; i < THEME_ROLE_COUNT; i++) {
		const struct theme_style *s = &t->role[i];
		attr_t a = attrs_of(s->attrs);
		if (u->colors && i + 1 < COLOR_PAIRS) {
			int fg = theme_color_reduce(s->fg, ncolors);
			int bg = theme_color_reduce(s->bg, ncolors);
			if (!have_default) {	/* no terminal default: white on black */
				if (fg < 0)
					fg = COLOR_WHITE;
				if (bg < 0)
					bg = COLOR_BLACK;
			}
			init_pair((short)(i + 1), (short)fg, (short)bg);
			a |= COLOR_PAIR(i + 1);
		} else {
			switch (i) {
			case THEME_SELECTION: case THEME_HEADER: case THEME_STATUS:
			case THEME_STATUS_ERROR:
				if (!(a & (A_REVERSE | A_UNDERLINE)))
					a |= A_REVERSE;
				break;
			case THEME_CRIT: case THEME_TITLE_FOCUS: case THEME_GROUP:
				a |= A_BOLD;
				break;
			case THEME_REPLAY:	/* never mistaken for the live status line */
				if (!(a & (A_REVERSE | A_UNDERLINE)))
					a |= A_REVERSE | A_BOLD | A_UNDERLINE;
				break;
			case THEME_STALE: case THEME_DIM:
				a |= A_DIM;
				break;
			default:
				break;
			}
		}
		u->attr[i] = a;
	}
	ui_dirty_all(u);
}

/*
 * Loads theme `name` (a name on the search path or a file) and applies it.
 * A missing or bad theme keeps the default and puts FILE:LINE:COL: message
 * on the status line. Returns 0 or -1.
 */
int
ui_theme_select(struct ui *u, const char *name)
{
	struct theme t;
	struct diag d;
	char *path = theme_find(name);
	int rc = 0;

	u->theme_err[0] = '\0';
	if (path == NULL) {
		theme_default(&t);
		if (strcmp(name, "default") != 0) {
			snprintf(u->theme_err, sizeof u->theme_err, "theme '%s' not found; "
			    "using the default", name);
			rc = -1;
		}
		ui_theme_apply(u, &t);
		return rc;
	}
	diag_init(&d, path);
	if (theme_load(path, &t, &d) != 0) {
		char *first = diag_first(&d);
		snprintf(u->theme_err, sizeof u->theme_err, "%s (default theme used)",
		    first != NULL ? first : "bad theme");
		free(first);
		theme_default(&t);
		rc = -1;
	}
	diag_free(&d);
	free(path);
	ui_theme_apply(u, &t);
	return rc;
}
