/*
 * theme.c: console themes from YAML (theme.h, man/opsdeck-theme.5).
 *
 * The document is read into yamltree's node tree (yamltree.h, shared with the
 * config, budget plans and test-bed reports), stopping at THEME_MAX_DEPTH and
 * refusing anchors and aliases (libyaml has no depth limit of its own and
 * aliases can build cycles), then walked against the key table. Every
 * problem goes to the struct diag with a 1-based line and column.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opsdeck/theme.h"
#include "opsdeck/util.h"
#include "opsdeck/yamltree.h"

static const char *const role_names[THEME_ROLE_COUNT] = {
	[THEME_NORMAL] = "normal",
	[THEME_HEADER] = "header",
	[THEME_TITLE] = "title",
	[THEME_TITLE_FOCUS] = "title_focus",
	[THEME_BORDER] = "border",
	[THEME_BORDER_FOCUS] = "border_focus",
	[THEME_GROUP] = "group",
	[THEME_OK] = "ok",
	[THEME_WARN] = "warn",
	[THEME_CRIT] = "crit",
	[THEME_STALE] = "stale",
	[THEME_SELECTION] = "selection",
	[THEME_DIM] = "dim",
	[THEME_GAUGE_FILL] = "gauge_fill",
	[THEME_GAUGE_EMPTY] = "gauge_empty",
	[THEME_SPARK] = "spark",
	[THEME_STATUS] = "status",
	[THEME_REPLAY] = "replay",
	[THEME_STATUS_ERROR] = "status_error",
	[THEME_INPUT] = "input",
	[THEME_HELP] = "help",
};

static const struct {
	const char	*name;
	unsigned	 bit;
} attr_names[] = {
	{ "bold", THEME_ATTR_BOLD },
	{ "reverse", THEME_ATTR_REVERSE },
	{ "underline", THEME_ATTR_UNDERLINE },
	{ "dim", THEME_ATTR_DIM },
	{ "italic", THEME_ATTR_ITALIC },
	{ "none", 0 },
};

static const char *const color_names[16] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
	"bright-black", "bright-red", "bright-green", "bright-yellow",
	"bright-blue", "bright-magenta", "bright-cyan", "bright-white",
};

const char *
theme_role_name(enum theme_role r)
{
	return (unsigned)r < THEME_ROLE_COUNT ? role_names[r] : "?";
}

int
theme_role_parse(const char *word)
{
	for (int i = 0; i < THEME_ROLE_COUNT; i++)
		if (strcmp(word, role_names[i]) == 0)
			return i;
	return -1;
}

void
theme_default(struct theme *t)
{
	static const struct theme_style def[THEME_ROLE_COUNT] = {
		[THEME_NORMAL] = { -1, -1, 0 },
		[THEME_HEADER] = { 0, 6, 0 },
		[THEME_TITLE] = { 6, -1, THEME_ATTR_BOLD },
		[THEME_TITLE_FOCUS] = { 11, -1, THEME_ATTR_BOLD },
		[THEME_BORDER] = { 8, -1, 0 },
		[THEME_BORDER_FOCUS] = { 14, -1, 0 },
		[THEME_GROUP] = { 6, -1, THEME_ATTR_BOLD },
		[THEME_OK] = { 2, -1, 0 },
		[THEME_WARN] = { 3, -1, THEME_ATTR_BOLD },
		[THEME_CRIT] = { 1, -1, THEME_ATTR_BOLD },
		[THEME_STALE] = { 8, -1, 0 },
		[THEME_SELECTION] = { 0, 14, 0 },
		[THEME_DIM] = { 8, -1, 0 },
		[THEME_GAUGE_FILL] = { 2, -1, 0 },
		[THEME_GAUGE_EMPTY] = { 8, -1, 0 },
		[THEME_SPARK] = { 6, -1, 0 },
		[THEME_STATUS] = { 0, 6, 0 },
		[THEME_STATUS_ERROR] = { 15, 1, THEME_ATTR_BOLD },
		[THEME_INPUT] = { -1, -1, THEME_ATTR_BOLD },
		[THEME_HELP] = { -1, -1, 0 },
		[THEME_REPLAY] = { 0, 13, THEME_ATTR_BOLD },
	};
	memset(t, 0, sizeof *t);
	od_strlcpy(t->name, "default", sizeof t->name);
	memcpy(t->role, def, sizeof def);
}

/* ---- colours ------------------------------------------------------------- */

/* RGB of palette entry c (xterm 256-colour palette). */
static void
palette_rgb(int c, int rgb[3])
{
	static const int base[16][3] = {
		{ 0, 0, 0 }, { 205, 0, 0 }, { 0, 205, 0 }, { 205, 205, 0 },
		{ 0, 0, 238 }, { 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 },
		{ 127, 127, 127 }, { 255, 0, 0 }, { 0, 255, 0 }, { 255, 255, 0 },
		{ 92, 92, 255 }, { 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 },
	};
	static const int steps[6] = { 0, 95, 135, 175, 215, 255 };

	if (c < 16) {
		memcpy(rgb, base[c], sizeof base[c]);
	} else if (c < 232) {
		c -= 16;
		rgb[0] = steps[c / 36];
		rgb[1] = steps[c / 6 % 6];
		rgb[2] = steps[c % 6];
	} else {
		rgb[0] = rgb[1] = rgb[2] = 8 + (c - 232) * 10;
	}
}

/* Nearest palette entry in [lo, hi) to rgb by squared distance. */
static int
palette_nearest(const int rgb[3], int lo, int hi)
{
	int best = lo;
	long bestd = LONG_MAX;

	for (int c = lo; c < hi; c++) {
		int p[3];
		palette_rgb(c, p);
		long d = 0;
		for (int k = 0; k < 3; k++)
			d += (long)(p[k] - rgb[k]) * (p[k] - rgb[k]);
		if (d < bestd) {
			bestd = d;
			best = c;
		}
	}
	return best;
}

int
theme_color_reduce(int c, int ncolors)
{
	int rgb[3];

	if (c < 0 || c > 255)
		return THEME_COLOR_DEFAULT;
	if (c < ncolors)
		return c;
	if (ncolors >= 16) {
		palette_rgb(c, rgb);
		return palette_nearest(rgb, 0, 16);
	}
	if (c >= 8 && c < 16)
		return c - 8;	/* bright-x -> x */
	palette_rgb(c, rgb);
	/* against the 8 base colours, with bright grey counting as white */
	int n = palette_nearest(rgb, 0, 16);
	return n >= 8 ? n - 8 : n;
}

static int
parse_hex(const char *s, int *out)
{
	int rgb[3];

	if (strlen(s) != 7)
		return -1;
	for (int i = 1; i < 7; i++)
		if (!isxdigit((unsigned char)s[i]))
			return -1;
	for (int k = 0; k < 3; k++) {
		char two[3] = { s[1 + 2 * k], s[2 + 2 * k], '\0' };
		rgb[k] = (int)strtol(two, NULL, 16);
	}
	*out = palette_nearest(rgb, 16, 256);
	/* an exact base colour is better as itself */
	int b = palette_nearest(rgb, 0, 16), p[3];
	palette_rgb(b, p);
	if (p[0] == rgb[0] && p[1] == rgb[1] && p[2] == rgb[2])
		*out = b;
	return 0;
}

int
theme_color_parse(const char *s, int *out)
{
	const char *num = s;

	if (strcmp(s, "default") == 0 || strcmp(s, "none") == 0) {
		*out = THEME_COLOR_DEFAULT;
		return 0;
	}
	if (strcmp(s, "grey") == 0 || strcmp(s, "gray") == 0) {
		*out = 8;
		return 0;
	}
	for (int i = 0; i < 16; i++) {
		if (strcmp(s, color_names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	if (s[0] == '#')
		return parse_hex(s, out);
	if (strncmp(s, "color", 5) == 0 || strncmp(s, "colour", 6) == 0)
		num = s + (s[5] == 'r' ? 6 : 5);
	if (*num == '\0' || strlen(num) > 3)
		return -1;
	for (const char *p = num; *p; p++)
		if (!isdigit((unsigned char)*p))
			return -1;
	int v = atoi(num);
	if (v > 255)
		return -1;
	*out = v;
	return 0;
}

/* ---- the theme keys ------------------------------------------------------ */

/* Attributes from a scalar ("bold reverse", "bold,underline") or a sequence. */
static void
parse_attrs(const struct ynode *n, unsigned *out, struct diag *d)
{
	*out = 0;
	if (n->type == YN_SEQ) {
		for (size_t i = 0; i < n->nkids; i++) {
			unsigned a;
			parse_attrs(n->kids[i], &a, d);
			*out |= a;
		}
		return;
	}
	if (n->type != YN_SCALAR) {
		diag_add(d, n->line, n->col, "attrs: expected a word or a list");
		return;
	}
	char *copy = xstrdup(n->s), *save = NULL;
	for (char *w = strtok_r(copy, " ,\t", &save); w != NULL;
	    w = strtok_r(NULL, " ,\t", &save)) {
		size_t i;
		for (i = 0; i < OD_ARRAY_LEN(attr_names); i++)
			if (strcmp(w, attr_names[i].name) == 0)
				break;
		if (i == OD_ARRAY_LEN(attr_names))
			diag_add(d, n->line, n->col, "unknown attribute '%s' (bold, reverse, "
			    "underline, dim, italic, none)", w);
		else
			*out |= attr_names[i].bit;
	}
	free(copy);
}

static void
parse_color(const struct ynode *n, const char *key, int *out, struct diag *d)
{
	if (n->type != YN_SCALAR) {
		diag_add(d, n->line, n->col, "%s: expected a colour", key);
		return;
	}
	if (theme_color_parse(n->s, out) != 0)
		diag_add(d, n->line, n->col, "%s: unknown colour '%s' (a name such as red or "
		    "bright-blue, 0-255, or #rrggbb)", key, n->s);
}

static void
parse_style(const struct ynode *n, const char *role, struct theme_style *s, struct diag *d)
{
	if (n->type != YN_MAP) {
		diag_add(d, n->line, n->col, "%s: expected a mapping with fg, bg and attrs", role);
		return;
	}
	/* a role that is listed starts from the terminal's own colours */
	s->fg = s->bg = THEME_COLOR_DEFAULT;
	s->attrs = 0;
	for (size_t i = 0; i + 1 < n->nkids; i += 2) {
		const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
		if (k->type != YN_SCALAR) {
			diag_add(d, k->line, k->col, "%s: keys must be words", role);
			continue;
		}
		if (strcmp(k->s, "fg") == 0)
			parse_color(v, "fg", &s->fg, d);
		else if (strcmp(k->s, "bg") == 0)
			parse_color(v, "bg", &s->bg, d);
		else if (strcmp(k->s, "attrs") == 0)
			parse_attrs(v, &s->attrs, d);
		else
			diag_add(d, k->line, k->col, "%s: unknown key '%s' (fg, bg, attrs)", role,
			    k->s);
	}
}

int
theme_parse(const char *text, size_t len, struct theme *t, struct diag *d)
{
	size_t errors = diag_count(d);
	struct ynode *root;
	int failed;
	static const struct yamltree_limits lim = {
		.max_depth = THEME_MAX_DEPTH,
		.max_string = THEME_MAX_BYTES,
		.one_document = "a theme is one document",
		.errors = YAMLTREE_ERR_CONTEXT,
	};

	theme_default(t);
	if (len > THEME_MAX_BYTES) {
		diag_add(d, 0, 0, "theme larger than %d bytes", THEME_MAX_BYTES);
		return -1;
	}
	if (memchr(text, '\0', len) != NULL) {
		diag_add(d, 0, 0, "theme contains a NUL byte");
		return -1;
	}
	root = yamltree_parse(text, len, &lim, d, &failed);
	if (failed || diag_count(d) != errors) {
		yn_free(root);
		theme_default(t);
		return -1;
	}
	if (root == NULL) {
		if (diag_count(d) == errors)
			diag_add(d, 1, 1, "empty theme: expected a mapping with roles");
		theme_default(t);
		return -1;
	}
	if (root->type != YN_MAP) {
		diag_add(d, root->line, root->col, "expected a mapping with name and roles");
		goto out;
	}
	for (size_t i = 0; i + 1 < root->nkids; i += 2) {
		const struct ynode *k = root->kids[i], *v = root->kids[i + 1];
		if (k->type != YN_SCALAR) {
			diag_add(d, k->line, k->col, "keys must be words");
			continue;
		}
		if (strcmp(k->s, "name") == 0) {
			if (v->type != YN_SCALAR || v->s[0] == '\0' ||
			    strlen(v->s) >= THEME_NAME_MAX)
				diag_add(d, v->line, v->col, "name: expected a word of at most %d "
				    "bytes", THEME_NAME_MAX - 1);
			else
				od_strlcpy(t->name, v->s, sizeof t->name);
		} else if (strcmp(k->s, "description") == 0) {
			if (v->type != YN_SCALAR)
				diag_add(d, v->line, v->col, "description: expected text");
		} else if (strcmp(k->s, "roles") == 0) {
			if (v->type != YN_MAP) {
				diag_add(d, v->line, v->col, "roles: expected a mapping of role "
				    "names to styles");
				continue;
			}
			for (size_t j = 0; j + 1 < v->nkids; j += 2) {
				const struct ynode *rk = v->kids[j], *rv = v->kids[j + 1];
				int r = rk->type == YN_SCALAR ? theme_role_parse(rk->s) : -1;
				if (r < 0) {
					diag_add(d, rk->line, rk->col, "unknown role '%s'",
					    rk->type == YN_SCALAR ? rk->s : "?");
					continue;
				}
				parse_style(rv, rk->s, &t->role[r], d);
			}
		} else {
			diag_add(d, k->line, k->col, "unknown key '%s' (name, description, roles)",
			    k->s);
		}
	}
out:
	yn_free(root);
	if (diag_count(d) != errors) {
		theme_default(t);
		return -1;
	}
	return 0;
}

int
theme_load(const char *path, struct theme *t, struct diag *d)
{
	char *text = NULL, *cause = NULL;
	size_t len = 0;
	int rc;

	if (read_file(path, THEME_MAX_BYTES, &text, &len, &cause) != 0) {
		diag_add(d, 0, 0, "%s", cause != NULL ? cause : "cannot read");
		free(cause);
		theme_default(t);
		return -1;
	}
	rc = theme_parse(text, len, t, d);
	free(text);
	return rc;
}

/* ---- search path --------------------------------------------------------- */

/* The folders to search, in order; a malloc'd NULL-terminated array. */
static char **
theme_dirs(void)
{
	char **v = xcalloc(6, sizeof *v);
	size_t n = 0;
	const char *env = getenv("OPSDECK_THEMES_DIR");

	v[n++] = xdg_path(XDG_CONFIG, "themes");
	if (env != NULL && env[0] != '\0')
		v[n++] = xstrdup(env);
	/* run from a build tree: the source tree's themes (abs_top_srcdir of its Makefile) */
	{
		char exe[PATH_MAX], *mk = NULL, *text = NULL, *slash, *cause = NULL;
		size_t tlen = 0;
		ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
		if (l > 0) {
			exe[l] = '\0';
			if ((slash = strrchr(exe, '/')) != NULL) {
				*slash = '\0';
				mk = xasprintf("%s/Makefile", exe);
			}
		}
		if (mk != NULL && read_file(mk, 4 * 1024 * 1024, &text, &tlen, &cause) == 0) {
			const char *key = "\nabs_top_srcdir = ";
			char *at = strstr(text, key);
			if (at != NULL) {
				at += strlen(key);
				size_t e = strcspn(at, "\n");
				if (e > 0 && at[0] == '/')
					v[n++] = xasprintf("%.*s/themes", (int)e, at);
			}
		}
		free(cause);
		free(text);
		free(mk);
	}
#ifdef OPSDECK_DATADIR
	v[n++] = xstrdup(OPSDECK_DATADIR "/themes");
#endif
	return v;
}

static void
strv_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static int
theme_name_ok(const char *name)
{
	if (name[0] == '\0' || name[0] == '.' || strlen(name) >= THEME_NAME_MAX)
		return 0;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return 0;
	return 1;
}

char *
theme_find(const char *name)
{
	size_t len = strlen(name);
	char **dirs, *found = NULL;

	if (strchr(name, '/') != NULL || (len > 5 && strcmp(name + len - 5, ".yaml") == 0))
		return access(name, R_OK) == 0 ? xstrdup(name) : NULL;
	if (!theme_name_ok(name))
		return NULL;
	dirs = theme_dirs();
	for (size_t i = 0; dirs[i] != NULL && found == NULL; i++) {
		char *p = xasprintf("%s/%s.yaml", dirs[i], name);
		if (access(p, R_OK) == 0)
			found = p;
		else
			free(p);
	}
	strv_free(dirs);
	return found;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
theme_names(void)
{
	char **dirs = theme_dirs(), **v = NULL;
	size_t n = 0;

	for (size_t i = 0; dirs[i] != NULL; i++) {
		DIR *dp = opendir(dirs[i]);
		struct dirent *de;
		if (dp == NULL)
			continue;
		while ((de = readdir(dp)) != NULL && n < 1000) {
			size_t l = strlen(de->d_name);
			if (l <= 5 || strcmp(de->d_name + l - 5, ".yaml") != 0)
				continue;
			char *nm = xstrndup(de->d_name, l - 5);
			if (!theme_name_ok(nm)) {
				free(nm);
				continue;
			}
			v = xreallocarray(v, n + 2, sizeof *v);
			v[n++] = nm;
		}
		closedir(dp);
	}
	strv_free(dirs);
	v = xreallocarray(v, n + 1, sizeof *v);
	v[n] = NULL;
	qsort(v, n, sizeof *v, str_cmp);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (o > 0 && strcmp(v[o - 1], v[i]) == 0)
			free(v[i]);
		else
			v[o++] = v[i];
	}
	v[o] = NULL;
	return v;
}

void
theme_names_free(char **v)
{
	strv_free(v);
}
