/*
 * test_theme.c: the theme parser (src/config/theme.c): the shipped themes, the
 * exact FILE:LINE:COL of each error class, colours by name, number and
 * #rrggbb, reduction to 16 and 8 colours, hostile input (aliases, depth,
 * size, NUL), and the search path (XDG first, OPSDECK_THEMES_DIR).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opsdeck/theme.h"
#include "opsdeck/util.h"

static char *
fixture(const char *name)
{
	const char *dir = getenv("FIXTURES");
	if (dir != NULL)
		return xasprintf("%s/theme/%s", dir, name);
	const char *top = getenv("top_srcdir");
	return xasprintf("%s/tests/fixtures/theme/%s", top != NULL ? top : "..", name);
}

static char *
shipped(const char *name)
{
	const char *top = getenv("top_srcdir");
	return xasprintf("%s/themes/%s.yaml", top != NULL ? top : "..", name);
}

/* Loads a fixture; returns the rc and leaves the diagnostics in d. */
static int
load(const char *name, struct theme *t, struct diag *d)
{
	char *p = fixture(name);
	diag_init(d, name);
	int rc = theme_load(p, t, d);
	free(p);
	return rc;
}

static char *
entry(const struct diag *d, size_t i)
{
	const struct diag_entry *e = &d->v[i];
	return xasprintf("%s:%d:%d: %s", d->file, e->line, e->col, e->msg);
}

static void
test_shipped_themes_parse(void **state)
{
	static const char *const names[] = { "default", "light", "high-contrast",
		"monochrome" };
	for (size_t i = 0; i < OD_ARRAY_LEN(names); i++) {
		struct theme t;
		struct diag d;
		char *p = shipped(names[i]);
		diag_init(&d, p);
		if (theme_load(p, &t, &d) != 0)
			diag_print(&d, stderr);
		assert_int_equal(diag_count(&d), 0);
		assert_string_equal(t.name, names[i]);
		diag_free(&d);
		free(p);
	}
}

static void
test_default_file_matches_builtin(void **state)
{
	struct theme file, builtin;
	struct diag d;
	char *p = shipped("default");

	diag_init(&d, p);
	assert_int_equal(theme_load(p, &file, &d), 0);
	theme_default(&builtin);
	for (int r = 0; r < THEME_ROLE_COUNT; r++) {
		assert_int_equal(file.role[r].fg, builtin.role[r].fg);
		assert_int_equal(file.role[r].bg, builtin.role[r].bg);
		assert_int_equal(file.role[r].attrs, builtin.role[r].attrs);
	}
	diag_free(&d);
	free(p);
}

static void
test_monochrome_has_no_colour(void **state)
{
	struct theme t;
	struct diag d;
	char *p = shipped("monochrome");

	diag_init(&d, p);
	assert_int_equal(theme_load(p, &t, &d), 0);
	for (int r = 0; r < THEME_ROLE_COUNT; r++) {
		assert_int_equal(t.role[r].fg, THEME_COLOR_DEFAULT);
		assert_int_equal(t.role[r].bg, THEME_COLOR_DEFAULT);
	}
	assert_true(t.role[THEME_SELECTION].attrs & THEME_ATTR_REVERSE);
	diag_free(&d);
	free(p);
}

static void
test_bad_colour_positions(void **state)
{
	struct theme t;
	struct diag d;
	char *e;

	assert_int_equal(load("bad_colour.yaml", &t, &d), -1);
	assert_int_equal(diag_count(&d), 3);
	e = entry(&d, 0);
	assert_string_equal(e, "bad_colour.yaml:3:17: fg: unknown colour 'purple' (a name "
	    "such as red or bright-blue, 0-255, or #rrggbb)");
	free(e);
	e = entry(&d, 1);
	assert_string_equal(e, "bad_colour.yaml:4:36: unknown attribute 'blink' (bold, "
	    "reverse, underline, dim, italic, none)");
	free(e);
	e = entry(&d, 2);
	assert_string_equal(e, "bad_colour.yaml:5:3: unknown role 'nosuchrole'");
	free(e);
	/* on error the theme is the default */
	struct theme def;
	theme_default(&def);
	assert_memory_equal(&t, &def, sizeof t);
	diag_free(&d);
}

static void
test_bad_syntax(void **state)
{
	struct theme t;
	struct diag d;

	assert_int_equal(load("bad_syntax.yaml", &t, &d), -1);
	assert_true(diag_count(&d) >= 1);
	assert_true(d.v[0].line >= 3);
	assert_non_null(strstr(d.v[0].msg, "YAML"));
	assert_string_equal(t.name, "default");
	diag_free(&d);
}

static void
test_flow_and_numbers(void **state)
{
	struct theme t;
	struct diag d;

	assert_int_equal(load("flow_and_numbers.yaml", &t, &d), 0);
	assert_string_equal(t.name, "numbers");
	assert_int_equal(t.role[THEME_NORMAL].fg, 250);
	assert_int_equal(t.role[THEME_NORMAL].bg, 16);
	assert_int_equal(t.role[THEME_CRIT].fg, 9);	/* #ff0000 is bright red exactly */
	assert_int_equal(t.role[THEME_CRIT].attrs, THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE);
	assert_int_equal(t.role[THEME_OK].fg, 46);
	assert_int_equal(t.role[THEME_WARN].fg, 214);
	assert_int_equal(t.role[THEME_WARN].bg, 0);
	/* a listed role starts from the terminal's colours */
	assert_int_equal(t.role[THEME_OK].bg, THEME_COLOR_DEFAULT);
	/* roles not listed keep the built-in default */
	struct theme def;
	theme_default(&def);
	assert_int_equal(t.role[THEME_HEADER].bg, def.role[THEME_HEADER].bg);
	diag_free(&d);
}

static void
test_hostile(void **state)
{
	struct theme t;
	struct diag d;

	assert_int_equal(load("alias.yaml", &t, &d), -1);
	/* yamltree's wording, shared with the config and plans */
	assert_string_equal(d.v[0].msg, "anchors are not allowed ('&n')");
	assert_int_equal(d.v[0].line, 3);
	assert_string_equal(d.v[1].msg, "aliases are not allowed ('*n')");
	assert_int_equal(d.v[1].line, 4);
	diag_free(&d);

	assert_int_equal(load("deep.yaml", &t, &d), -1);
	assert_non_null(strstr(d.v[0].msg, "nesting deeper than"));
	diag_free(&d);

	/* 100,000 nested brackets: refused at the depth limit, quickly */
	size_t n = 100000;
	char *deep = xmalloc(n + 1);
	memset(deep, '[', n);
	deep[n] = '\0';
	diag_init(&d, "deep");
	assert_int_equal(theme_parse(deep, n, &t, &d), -1);
	diag_free(&d);
	free(deep);

	/* too large */
	size_t big = THEME_MAX_BYTES + 1;
	char *text = xmalloc(big);
	memset(text, '#', big);
	diag_init(&d, "big");
	assert_int_equal(theme_parse(text, big, &t, &d), -1);
	assert_non_null(strstr(d.v[0].msg, "larger than"));
	diag_free(&d);
	free(text);

	/* a NUL byte, an empty document, a scalar document, unknown keys */
	diag_init(&d, "x");
	assert_int_equal(theme_parse("name: a\0b", 9, &t, &d), -1);
	assert_int_equal(theme_parse("", 0, &t, &d), -1);
	assert_int_equal(theme_parse("just text", 9, &t, &d), -1);
	assert_int_equal(theme_parse("colours: {}", 11, &t, &d), -1);
	assert_int_equal(diag_count(&d), 4);
	assert_string_equal(d.v[3].msg, "unknown key 'colours' (name, description, roles)");
	assert_int_equal(d.v[3].line, 1);
	assert_int_equal(d.v[3].col, 1);
	diag_free(&d);

	/* a missing file */
	diag_init(&d, "missing");
	assert_int_equal(theme_load("/nonexistent/theme.yaml", &t, &d), -1);
	assert_int_equal(d.v[0].line, 0);
	diag_free(&d);
}

static void
test_colour_parse(void **state)
{
	int c;

	assert_int_equal(theme_color_parse("default", &c), 0);
	assert_int_equal(c, THEME_COLOR_DEFAULT);
	assert_int_equal(theme_color_parse("red", &c), 0);
	assert_int_equal(c, 1);
	assert_int_equal(theme_color_parse("bright-white", &c), 0);
	assert_int_equal(c, 15);
	assert_int_equal(theme_color_parse("grey", &c), 0);
	assert_int_equal(c, 8);
	assert_int_equal(theme_color_parse("255", &c), 0);
	assert_int_equal(c, 255);
	assert_int_equal(theme_color_parse("colour0", &c), 0);
	assert_int_equal(c, 0);
	assert_int_equal(theme_color_parse("#87afff", &c), 0);
	assert_int_equal(c, 111);	/* 135,175,255 in the 6x6x6 cube */
	assert_int_equal(theme_color_parse("#808080", &c), 0);
	assert_int_equal(c, 244);	/* nearest grey ramp entry */
	assert_int_equal(theme_color_parse("256", &c), -1);
	assert_int_equal(theme_color_parse("-1", &c), -1);
	assert_int_equal(theme_color_parse("", &c), -1);
	assert_int_equal(theme_color_parse("color", &c), -1);
	assert_int_equal(theme_color_parse("#12345", &c), -1);
	assert_int_equal(theme_color_parse("#gg0000", &c), -1);
	assert_int_equal(theme_color_parse("purple", &c), -1);
}

static void
test_colour_reduce(void **state)
{
	assert_int_equal(theme_color_reduce(THEME_COLOR_DEFAULT, 8), THEME_COLOR_DEFAULT);
	assert_int_equal(theme_color_reduce(200, 256), 200);
	assert_int_equal(theme_color_reduce(196, 16), 9);	/* pure red: bright red */
	assert_int_equal(theme_color_reduce(196, 8), 1);	/* red */
	assert_int_equal(theme_color_reduce(9, 8), 1);
	assert_int_equal(theme_color_reduce(15, 8), 7);
	assert_int_equal(theme_color_reduce(250, 8), 7);	/* light grey: white */
	assert_int_equal(theme_color_reduce(16, 8), 0);		/* cube black */
	assert_int_equal(theme_color_reduce(21, 16), 4);	/* pure blue: blue (0,0,238) */
	assert_int_equal(theme_color_reduce(231, 16), 15);	/* cube white */
	assert_int_equal(theme_color_reduce(28, 8), 2);		/* dark green: green */
	for (int c = 0; c < 256; c++) {
		assert_in_range(theme_color_reduce(c, 8), 0, 7);
		assert_in_range(theme_color_reduce(c, 16), 0, 15);
	}
}

static void
test_roles(void **state)
{
	for (int r = 0; r < THEME_ROLE_COUNT; r++)
		assert_int_equal(theme_role_parse(theme_role_name(r)), r);
	assert_int_equal(theme_role_parse("nope"), -1);
	assert_string_equal(theme_role_name(THEME_GAUGE_FILL), "gauge_fill");
}

static void
test_search_path(void **state)
{
	char tmpl[] = "/tmp/opsdeck-theme.XXXXXX";
	char *dir = mkdtemp(tmpl), *fx = fixture(""), *p;

	assert_non_null(dir);
	fx[strlen(fx) - 1] = '\0';	/* no trailing slash */
	setenv("OPSDECK_THEMES_DIR", fx, 1);
	setenv("XDG_CONFIG_HOME", dir, 1);
	p = theme_find("light");
	assert_non_null(p);
	assert_non_null(strstr(p, "/theme/light.yaml"));
	free(p);
	/* XDG comes first */
	char *xd = xasprintf("%s/opsdeck/themes", dir);
	assert_int_equal(mkdir_p(xd, 0700), 0);
	char *mine = xasprintf("%s/light.yaml", xd);
	FILE *fp = fopen(mine, "w");
	assert_non_null(fp);
	fputs("name: mine\n", fp);
	fclose(fp);
	p = theme_find("light");
	assert_string_equal(p, mine);
	free(p);
	/* names are names, not paths */
	assert_null(theme_find("../light"));
	assert_null(theme_find(".hidden"));
	assert_null(theme_find("nosuchtheme"));
	/* a path is used as it is */
	p = fixture("light.yaml");
	char *q = theme_find(p);
	assert_string_equal(q, p);
	free(q);
	free(p);
	/* names over the path, sorted, once each */
	char **v = theme_names();
	int light = 0, mono = 0;
	for (size_t i = 0; v[i] != NULL; i++) {
		light += strcmp(v[i], "light") == 0;
		mono += strcmp(v[i], "monochrome") == 0;
		if (i > 0)
			assert_true(strcmp(v[i - 1], v[i]) < 0);
	}
	assert_int_equal(light, 1);
	assert_int_equal(mono, 1);
	theme_names_free(v);
	unlink(mine);
	rmdir(xd);
	char *od = xasprintf("%s/opsdeck", dir);
	rmdir(od);
	rmdir(dir);
	free(od);
	free(mine);
	free(xd);
	free(fx);
	unsetenv("OPSDECK_THEMES_DIR");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_themes_parse),
		cmocka_unit_test(test_default_file_matches_builtin),
		cmocka_unit_test(test_monochrome_has_no_colour),
		cmocka_unit_test(test_bad_colour_positions),
		cmocka_unit_test(test_bad_syntax),
		cmocka_unit_test(test_flow_and_numbers),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_colour_parse),
		cmocka_unit_test(test_colour_reduce),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_search_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
