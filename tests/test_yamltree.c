/*
 * test_yamltree.c: the shared YAML node tree (src/config/yamltree.c): 1-based
 * positions, the depth and string limits, anchors and aliases refused, one
 * document, libyaml's errors, map lookup and the unknown-key check with its
 * suggestion, in the standard wording and in a caller's.
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

#include "opsdeck/diag.h"
#include "opsdeck/util.h"
#include "opsdeck/yamltree.h"

static const struct yamltree_limits lim = {
	.max_depth = 4,
	.max_string = 16,
	.one_document = "a test file is one document",
	.errors = YAMLTREE_ERR_CONTEXT,
};

/* Parses s with lim into *d (initialised here as "t.yaml"). */
static struct ynode *
parse(const char *s, struct diag *d, int *failed)
{
	diag_init(d, "t.yaml");
	return yamltree_parse(s, strlen(s), &lim, d, failed);
}

/* Asserts entry i of d is at line:col and its message contains part. */
static void
assert_entry(const struct diag *d, size_t i, int line, int col, const char *part)
{
	if (i >= d->n || d->v[i].line != line || d->v[i].col != col ||
	    strstr(d->v[i].msg, part) == NULL) {
		for (size_t k = 0; k < d->n; k++)
			fprintf(stderr, "# %d:%d: %s\n", d->v[k].line, d->v[k].col, d->v[k].msg);
		fail_msg("want %zu at %d:%d '%s'", i, line, col, part);
	}
}

static void
test_positions(void **state)
{
	struct diag d;
	int failed;
	struct ynode *root = parse("a: 1\nlist:\n  - x\n  - \"y\"\n", &d, &failed);

	(void)state;
	assert_int_equal(failed, 0);
	assert_int_equal(diag_count(&d), 0);
	assert_non_null(root);
	assert_int_equal(root->type, YN_MAP);
	assert_int_equal(root->line, 1);
	assert_int_equal(root->col, 1);
	assert_int_equal(root->nkids, 4);
	const struct ynode *a = yn_get(root, "a");
	assert_non_null(a);
	assert_string_equal(a->s, "1");
	assert_int_equal(a->line, 1);
	assert_int_equal(a->col, 4);
	const struct ynode *list = yn_get(root, "list");
	assert_non_null(list);
	assert_int_equal(list->type, YN_SEQ);
	assert_int_equal(list->nkids, 2);
	assert_int_equal(list->kids[0]->line, 3);
	assert_int_equal(list->kids[0]->col, 5);
	assert_true(list->kids[0]->plain);
	assert_int_equal(list->kids[1]->line, 4);
	assert_int_equal(list->kids[1]->col, 5);
	assert_false(list->kids[1]->plain);
	assert_null(yn_get(root, "missing"));
	assert_null(yn_get(list, "a"));		/* not a map */
	assert_null(yn_get(NULL, "a"));
	assert_string_equal(yn_type_name(root), "a map");
	assert_string_equal(yn_type_name(list), "a list");
	assert_string_equal(yn_type_name(a), "a string");
	yn_free(root);
	diag_free(&d);

	/* an empty stream is no tree and no error; "~" is null */
	root = parse("", &d, &failed);
	assert_null(root);
	assert_int_equal(failed, 0);
	assert_int_equal(diag_count(&d), 0);
	diag_free(&d);
	root = parse("k: ~\n", &d, &failed);
	assert_true(yn_is_null(yn_get(root, "k")));
	assert_string_equal(yn_type_name(yn_get(root, "k")), "empty");
	yn_free(root);
	diag_free(&d);
}

static void
test_depth_limit(void **state)
{
	struct diag d;
	int failed;
	struct ynode *root;

	(void)state;
	/* four levels are fine, the fifth stops the parse where it opens */
	root = parse("[[[[x]]]]", &d, &failed);
	assert_int_equal(failed, 0);
	assert_int_equal(diag_count(&d), 0);
	yn_free(root);
	diag_free(&d);
	root = parse("[[[[[x]]]]]", &d, &failed);
	assert_int_equal(failed, 1);
	assert_int_equal(diag_count(&d), 1);
	assert_entry(&d, 0, 1, 5, "nesting deeper than 4 levels");
	yn_free(root);
	diag_free(&d);

	/* 100,000 '[' stop at the limit at once */
	size_t n = 100000;
	char *deep = xmalloc(n + 1);
	memset(deep, '[', n);
	deep[n] = '\0';
	root = parse(deep, &d, &failed);
	assert_int_equal(failed, 1);
	assert_int_equal(diag_count(&d), 1);
	assert_entry(&d, 0, 1, 5, "nesting deeper than 4 levels");
	yn_free(root);
	diag_free(&d);
	free(deep);
}

static void
test_refused(void **state)
{
	struct diag d;
	int failed;
	struct ynode *root;

	(void)state;
	root = parse("a: &x 1\nb: *x\n", &d, &failed);
	assert_int_equal(failed, 0);
	assert_int_equal(diag_count(&d), 2);
	assert_entry(&d, 0, 1, 4, "anchors are not allowed ('&x')");
	assert_entry(&d, 1, 2, 4, "aliases are not allowed ('*x')");
	assert_int_equal(yn_get(root, "b")->type, YN_BAD);
	yn_free(root);
	diag_free(&d);

	root = parse("a: 1\n---\nb: 2\n", &d, &failed);
	assert_int_equal(failed, 1);
	assert_entry(&d, 0, 2, 1, "more than one YAML document; a test file is one document");
	yn_free(root);
	diag_free(&d);

	root = parse("a: 0123456789abcdefg\nb: \"x\\0y\"\n", &d, &failed);
	assert_int_equal(failed, 0);
	assert_entry(&d, 0, 1, 4, "string longer than 16 bytes");
	assert_entry(&d, 1, 2, 4, "string contains a NUL byte");
	assert_int_equal(yn_get(root, "a")->type, YN_BAD);
	assert_int_equal(yn_get(root, "b")->type, YN_BAD);
	yn_free(root);
	diag_free(&d);

	/* libyaml's own errors, at 1-based positions */
	root = parse("a: [1, 2\nb: 3\n", &d, &failed);
	assert_int_equal(failed, 1);
	assert_int_equal(diag_count(&d), 1);
	assert_non_null(strstr(d.v[0].msg, "YAML syntax error"));
	assert_true(d.v[0].line >= 1 && d.v[0].col >= 1);
	yn_free(root);
	diag_free(&d);
	root = parse("a: 1\nb: \x8f\n", &d, &failed);
	assert_int_equal(failed, 1);
	assert_entry(&d, 0, 2, 4, "invalid YAML input: invalid leading UTF-8 octet (byte 0x8f)");
	yn_free(root);
	diag_free(&d);
}

static const char *const words[] = { "name", "hosts", "interval", NULL };

static void
test_keys(void **state)
{
	struct diag d;
	int failed;
	struct ynode *root;

	(void)state;
	root = parse("name: a\nintervl: 2s\nzzz: 1\nname: b\n[x]: 1\n", &d, &failed);
	char *use = yamltree_keys(root, words, "in group", NULL, &d);
	assert_int_equal(diag_count(&d), 4);
	assert_entry(&d, 0, 2, 1, "unknown key 'intervl' in group; did you mean 'interval'?");
	assert_entry(&d, 1, 3, 1, "unknown key 'zzz' in group; expected one of: "
	    "name, hosts, interval");
	assert_entry(&d, 2, 4, 1, "duplicate key 'name' (first at t.yaml:1:1)");
	assert_entry(&d, 3, 5, 1, "a key in group must be a string, not a list");
	assert_memory_equal(use, "\1\0\0\0\0", 5);
	free(use);
	yn_free(root);
	diag_free(&d);

	assert_string_equal(yamltree_suggest("HOSTS", words), "hosts");
	assert_string_equal(yamltree_suggest("nmae", words), "name");
	assert_null(yamltree_suggest("colour", words));
	assert_int_equal(yamltree_distance("abc", "acb"), 1);
	assert_int_equal(yamltree_word_index("hosts", words), 1);
	assert_int_equal(yamltree_word_index("host", words), -1);
}

/* A caller's wording, and a pair with a refused value left unused. */
static char *
my_msg(void *arg, const struct yamltree_key_issue *is)
{
	(*(int *)arg)++;
	return xasprintf("%d %s %s", (int)is->problem, is->key->s,
	    is->first != NULL ? is->first->s : "-");
}

static void
test_keys_style(void **state)
{
	struct diag d;
	int failed, calls = 0;
	struct yamltree_keys_style style = { .skip_bad_values = 1, .message = my_msg,
	    .arg = &calls };
	struct ynode *root;

	(void)state;
	root = parse("name: *a\nname: b\nhots: 1\nhosts: 1\nhosts: 2\n", &d, &failed);
	size_t before = d.n;
	char *use = yamltree_keys(root, words, "here", &style, &d);
	assert_int_equal(calls, 2);
	assert_int_equal(d.n - before, 2);
	assert_entry(&d, before, 3, 1, "1 hots -");
	assert_entry(&d, before + 1, 5, 1, "2 hosts hosts");
	assert_memory_equal(use, "\0\1\0\1\0", 5);
	free(use);
	yn_free(root);
	diag_free(&d);
}

static void
test_show_sort(void **state)
{
	char out[YAMLTREE_SHOW_SIZE], list[64];
	struct diag d;

	(void)state;
	assert_string_equal(yamltree_show(out, "a\tb\\c", 5), "a\\x09b\\x5cc");
	assert_string_equal(yamltree_show(out, "caf\xc3\xa9", 5), "caf\xc3\xa9");
	assert_string_equal(yamltree_show(out, "\xe2\x80\xae", 3), "\\xe2\\x80\\xae");
	char longs[100];
	memset(longs, 'x', sizeof longs);
	yamltree_show(out, longs, sizeof longs);
	assert_int_equal(strlen(out), YAMLTREE_SHOW_MAX + 3);
	assert_string_equal(yamltree_join(list, sizeof list, words, " or "),
	    "name, hosts or interval");

	diag_init(&d, "t.yaml");
	diag_add(&d, 0, 0, "first");
	diag_add(&d, 3, 1, "c");
	diag_add(&d, 1, 9, "a");
	diag_add(&d, 3, 1, "d");
	diag_add(&d, 1, 2, "b");
	yamltree_sort_diag(&d, 1);
	assert_string_equal(d.v[0].msg, "first");
	assert_string_equal(d.v[1].msg, "b");
	assert_string_equal(d.v[2].msg, "a");
	assert_string_equal(d.v[3].msg, "c");
	assert_string_equal(d.v[4].msg, "d");
	diag_free(&d);
}

/* max_nodes stops the parse at the first node past it; allow_nul keeps NUL bytes. */
static void
test_node_cap_and_nul(void **state)
{
	struct yamltree_limits l = lim;
	struct diag d;
	int failed;
	(void)state;

	l.max_nodes = 4;
	diag_init(&d, "t.yaml");
	struct ynode *root = yamltree_parse("[a, b, c]", 9, &l, &d, &failed);
	assert_int_equal(failed, 0);
	assert_int_equal(diag_count(&d), 0);
	assert_int_equal(root->nkids, 3);
	yn_free(root);
	root = yamltree_parse("[a, b, c, d]", 12, &l, &d, &failed);
	assert_int_equal(failed, 1);
	assert_entry(&d, 0, 1, 11, "more than 4 YAML nodes");
	yn_free(root);
	diag_free(&d);

	l = lim;
	diag_init(&d, "t.yaml");
	root = yamltree_parse("\"a\\0b\"", 6, &l, &d, &failed);
	assert_entry(&d, 0, 1, 1, "NUL byte");
	yn_free(root);
	diag_free(&d);
	l.allow_nul = 1;
	diag_init(&d, "t.yaml");
	root = yamltree_parse("\"a\\0b\"", 6, &l, &d, &failed);
	assert_int_equal(diag_count(&d), 0);
	assert_int_equal(root->len, 3);
	assert_memory_equal(root->s, "a\0b", 4);
	yn_free(root);
	diag_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_keys_style),
		cmocka_unit_test(test_show_sort),
		cmocka_unit_test(test_node_cap_and_nul),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
