/*
 * test_hostlist.c: pdsh-style host ranges (src/config/hostlist.c).
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

#include "opsdeck/hostlist.h"

/* Expands pattern, which must succeed with `count` names. Caller frees. */
static char **
expand_ok(const char *pattern, size_t count)
{
	char **names = NULL, *cause = NULL;
	size_t n = 0, col = 0;
	int rc = hostlist_expand(pattern, &names, &n, &cause, &col);
	if (rc != 0)
		print_message("# '%s': %s (col %zu)\n", pattern, cause, col);
	assert_int_equal(rc, 0);
	assert_null(cause);
	assert_int_equal(n, count);
	assert_non_null(names);
	assert_null(names[n]);
	return names;
}

/* Expands pattern, which must fail with exactly msg at 0-based offset col. */
static void
expand_err(const char *pattern, const char *msg, size_t col)
{
	char **names = (char **)1, *cause = NULL;
	size_t n = 7, errcol = 999;
	assert_int_equal(hostlist_expand(pattern, &names, &n, &cause, &errcol), -1);
	assert_null(names);
	assert_int_equal(n, 0);
	assert_non_null(cause);
	assert_string_equal(cause, msg);
	assert_int_equal(errcol, col);
	free(cause);
}

static void
test_padding(void **state)
{
	(void)state;
	char **v = expand_ok("gpu[001-128]", 128);
	assert_string_equal(v[0], "gpu001");
	assert_string_equal(v[9], "gpu010");
	assert_string_equal(v[99], "gpu100");
	assert_string_equal(v[127], "gpu128");
	hostlist_free(v);

	/* No padding when the lower bound has one digit. */
	v = expand_ok("n[1-10]", 10);
	assert_string_equal(v[0], "n1");
	assert_string_equal(v[9], "n10");
	hostlist_free(v);

	/* The width is the lower bound's, also when the upper bound is wider. */
	v = expand_ok("n[08-100]", 93);
	assert_string_equal(v[0], "n08");
	assert_string_equal(v[1], "n09");
	assert_string_equal(v[2], "n10");
	assert_string_equal(v[92], "n100");
	hostlist_free(v);

	/* One number in brackets keeps its zeros. */
	v = expand_ok("node[007]", 1);
	assert_string_equal(v[0], "node007");
	hostlist_free(v);

	v = expand_ok("x[0-0]", 1);
	assert_string_equal(v[0], "x0");
	hostlist_free(v);
}

static void
test_plain(void **state)
{
	(void)state;
	char **v = expand_ok("slurm-head", 1);
	assert_string_equal(v[0], "slurm-head");
	hostlist_free(v);

	v = expand_ok("cpu[001-016].hpc.gwangju.example", 16);
	assert_string_equal(v[0], "cpu001.hpc.gwangju.example");
	assert_string_equal(v[15], "cpu016.hpc.gwangju.example");
	hostlist_free(v);

	v = expand_ok("node_7.lab", 1);
	assert_string_equal(v[0], "node_7.lab");
	hostlist_free(v);
}

static void
test_multiple_ranges(void **state)
{
	(void)state;
	char **v = expand_ok("rack[1-4]-n[01-32]", 128);
	/* The left-most group varies slowest. */
	assert_string_equal(v[0], "rack1-n01");
	assert_string_equal(v[1], "rack1-n02");
	assert_string_equal(v[31], "rack1-n32");
	assert_string_equal(v[32], "rack2-n01");
	assert_string_equal(v[127], "rack4-n32");
	hostlist_free(v);

	v = expand_ok("[1-2]x[01-3,5]y", 8);
	const char *want[] = { "1x01y", "1x02y", "1x03y", "1x5y",
		"2x01y", "2x02y", "2x03y", "2x5y" };
	for (size_t i = 0; i < 8; i++)
		assert_string_equal(v[i], want[i]);
	hostlist_free(v);
}

static void
test_lists(void **state)
{
	(void)state;
	char **v = expand_ok("node[1,3,5-7]", 5);
	const char *want[] = { "node1", "node3", "node5", "node6", "node7" };
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(v[i], want[i]);
	hostlist_free(v);

	/* Commas outside brackets separate names. */
	v = expand_ok("tb-energy[1-4],tb-auto[1-4],tb-health[1-6]", 14);
	assert_string_equal(v[0], "tb-energy1");
	assert_string_equal(v[4], "tb-auto1");
	assert_string_equal(v[8], "tb-health1");
	assert_string_equal(v[13], "tb-health6");
	hostlist_free(v);

	/* Items keep their own widths. */
	v = expand_ok("g[1,02,003]", 3);
	assert_string_equal(v[0], "g1");
	assert_string_equal(v[1], "g02");
	assert_string_equal(v[2], "g003");
	hostlist_free(v);
}

static void
test_limits(void **state)
{
	(void)state;
	char **v = expand_ok("n[1-100000]", HOSTLIST_MAX_EXPANSION);
	assert_string_equal(v[HOSTLIST_MAX_EXPANSION - 1], "n100000");
	hostlist_free(v);

	char name[HOSTNAME_MAX + 2];
	memset(name, 'a', HOSTNAME_MAX);
	name[HOSTNAME_MAX] = '\0';
	v = expand_ok(name, 1);
	hostlist_free(v);

	/* Names from several parts count together. */
	expand_err("a[1-60000],b[1-60000]",
	    "pattern expands to more than 100000 names in 'a[1-60000],b[1-60000]'", 11);
}

static void
test_errors(void **state)
{
	(void)state;
	expand_err("gpu[10-1]", "reversed range 10-1 in 'gpu[10-1]'", 4);
	expand_err("node[1,9-3]", "reversed range 9-3 in 'node[1,9-3]'", 7);
	expand_err("gpu[001-128", "unclosed '[' in 'gpu[001-128'", 3);
	expand_err("a[1-2]b[3", "unclosed '[' in 'a[1-2]b[3'", 7);
	expand_err("gpu[]", "empty range '[]' in 'gpu[]'", 3);
	expand_err("gpu[1-x]", "non-numeric range character 'x' in 'gpu[1-x]'", 6);
	expand_err("gpu[a-3]", "non-numeric range character 'a' in 'gpu[a-3]'", 4);
	expand_err("gpu[1 ]", "non-numeric range character ' ' in 'gpu[1 ]'", 5);
	expand_err("gpu[1,]", "missing number in range in 'gpu[1,]'", 6);
	expand_err("gpu[-3]", "missing number in range in 'gpu[-3]'", 4);
	expand_err("gpu[1-2-3]", "unexpected '-' in range in 'gpu[1-2-3]'", 7);
	expand_err("gpu[1[2]]", "non-numeric range character '[' in 'gpu[1[2]]'", 5);
	expand_err("gpu[1234567890]",
	    "number longer than 9 digits in 'gpu[1234567890]'", 4);
	expand_err("n[1-1000]-g[0-999]",
	    "pattern expands to more than 100000 names in 'n[1-1000]-g[0-999]'", 0);
	expand_err("n[1-100001]", "range expands to more than 100000 names in 'n[1-100001]'", 1);
	expand_err("gpu 01", "invalid host name character ' ' in 'gpu 01'", 3);
	expand_err("gpu/1", "invalid host name character '/' in 'gpu/1'", 3);
	expand_err("gpu\x1b[2J", "invalid host name character '\\x1b' in 'gpu\\x1b[2J'", 3);
	expand_err("h\xc3\xa9", "invalid host name character '\\xc3' in 'h\\xc3\\xa9'", 1);
	expand_err("gpu]1", "unexpected ']' in 'gpu]1'", 3);
	expand_err("", "empty host name in ''", 0);
	expand_err("a,,b", "empty host name in 'a,,b'", 2);
	expand_err("a,", "empty host name in 'a,'", 2);
	expand_err("-oProxyCommand", "a host name must start with a letter, a digit or a range "
	    "in '-oProxyCommand'", 0);
	expand_err("ok,.bad", "a host name must start with a letter, a digit or a range "
	    "in 'ok,.bad'", 3);

	/* A name longer than HOSTNAME_MAX, written or after expansion. */
	char name[HOSTNAME_MAX + 16];
	memset(name, 'a', HOSTNAME_MAX - 2);
	strcpy(name + HOSTNAME_MAX - 2, "[1-100]");
	char **names, *cause;
	size_t n, col;
	assert_int_equal(hostlist_expand(name, &names, &n, &cause, &col), -1);
	assert_non_null(strstr(cause, "host name longer than 255 characters in 'aaa"));
	assert_non_null(strstr(cause, "...'"));	/* long patterns are cut */
	assert_int_equal(col, 0);
	free(cause);
	name[HOSTNAME_MAX - 2] = '\0';
	strcat(name, "[1-99]");
	char **v = expand_ok(name, 99);
	assert_int_equal(strlen(v[98]), HOSTNAME_MAX);
	hostlist_free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_padding),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_multiple_ranges),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
