/*
 * test_util.c: durations, sizes, the capped buffer, diagnostics, JSON and CSV.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "opsdeck/buf.h"
#include "opsdeck/diag.h"
#include "opsdeck/json.h"
#include "opsdeck/util.h"

static void
test_duration_parse(void **state)
{
	static const struct {
		const char *in;
		int64_t ms;
	} good[] = {
		{ "500ms", 500 }, { "2s", 2000 }, { "5m", 300000 }, { "1h", 3600000 },
		{ "1d", 86400000 }, { "2w", 1209600000 }, { "2y", 63072000000 },
		{ "10", 10000 }, { "1.5s", 1500 }, { "0.25m", 15000 },
	};
	static const char *const bad[] = {
		"", "s", "-1s", "2 s x", "2x", "ms", "1e3s", "99999999999999999999s", "2sec",
	};
	int64_t ms;

	(void)state;
	for (size_t i = 0; i < OD_ARRAY_LEN(good); i++) {
		assert_int_equal(duration_parse(good[i].in, &ms), 0);
		assert_int_equal(ms, good[i].ms);
	}
	for (size_t i = 0; i < OD_ARRAY_LEN(bad); i++)
		assert_int_equal(duration_parse(bad[i], &ms), -1);
}

static void
test_duration_format(void **state)
{
	char b[32];

	(void)state;
	duration_format(2000, b, sizeof b);
	assert_string_equal(b, "2s");
	duration_format(90000, b, sizeof b);
	assert_string_equal(b, "90s");
	duration_format(3600000, b, sizeof b);
	assert_string_equal(b, "1h");
	duration_format(250, b, sizeof b);
	assert_string_equal(b, "250ms");
	duration_format(0, b, sizeof b);
	assert_string_equal(b, "0ms");
}

static void
test_format_bytes(void **state)
{
	char b[16];

	(void)state;
	format_bytes(512, b, sizeof b);
	assert_string_equal(b, "512B");
	format_bytes(3.2 * 1024, b, sizeof b);
	assert_string_equal(b, "3.2K");
	format_bytes(24.0 * 1024 * 1024 * 1024, b, sizeof b);
	assert_string_equal(b, "24G");
	format_bytes(-1, b, sizeof b);
	assert_string_equal(b, "-");
}

static void
test_buf_limit(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_append(&b, "abcd", 4), 0);
	assert_int_equal(buf_append(&b, "efghij", 6), -1);
	assert_int_equal(b.len, 8);
	assert_true(b.overflow);
	assert_string_equal(buf_cstr(&b), "abcdefgh");
	buf_consume(&b, 3);
	assert_string_equal(buf_cstr(&b), "defgh");
	buf_free(&b);
}

static void
test_diag(void **state)
{
	struct diag d;

	(void)state;
	diag_init(&d, "c.yaml");
	diag_add(&d, 3, 7, "unknown key '%s'", "intervl");
	diag_add(&d, 0, 0, "empty");
	char *first = diag_first(&d);
	assert_string_equal(first, "c.yaml:3:7: unknown key 'intervl'");
	free(first);
	assert_int_equal(diag_count(&d), 2);
	for (int i = 0; i < DIAG_MAX + 5; i++)
		diag_add(&d, 1, 1, "x");
	assert_int_equal(diag_count(&d), DIAG_MAX + 7);
	diag_free(&d);
}

/* Reads back what a writer wrote to a memory stream; caller frees. */
static char *
json_of(void (*write)(struct json_writer *))
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	assert_non_null(fp);
	struct json_writer *w = json_writer_new(fp);
	write(w);
	json_writer_end(w);
	fclose(fp);
	return text;
}

static void
write_sample(struct json_writer *w)
{
	json_map_open(w);
	json_kstr(w, "s", "a\"b\\c\n\x1b[2J 광주");
	json_kstr(w, "none", NULL);
	json_key(w, "nums");
	json_array_open(w);
	json_num(w, -1, 1, 1);
	json_num(w, -1, 1, 0);
	json_num(w, 12.345, 1, 1);
	json_num(w, 3, 2, 1);
	json_num(w, 0.0 / 0.0, 2, 0);
	json_int(w, -9007199254740993LL);
	json_array_close(w);
	json_kbool(w, "yes", 1);
	json_kbool(w, "no", 0);
	json_key(w, "empty");
	json_map_open(w);
	json_map_close(w);
	json_map_close(w);
}

static void
test_json(void **state)
{
	(void)state;
	char *text = json_of(write_sample);
	assert_string_equal(text, "{\"s\":\"a\\\"b\\\\c\\n\\u001B[2J 광주\",\"none\":null,"
	    "\"nums\":[null,-1,12.3,3,null,-9007199254740993],\"yes\":true,\"no\":false,"
	    "\"empty\":{}}\n");
	free(text);
}

static void
write_unclosed(struct json_writer *w)
{
	json_map_open(w);
	json_kint(w, "n", 1);
}

/* A document left open is a bug the writer stops on. */
static void
test_json_unclosed(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		freopen("/dev/null", "w", stderr);
		free(json_of(write_unclosed));
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
}

static void
test_csv(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	csv_field(&b, "plain");
	buf_append(&b, ",", 1);
	csv_field(&b, "a,\"b\"");
	assert_string_equal(buf_cstr(&b), "plain,\"a,\"\"b\"\"\"");
	buf_free(&b);
}

/* The published FNV-1a 64 test vectors. */
static void
test_hash(void **state)
{
	(void)state;
	assert_true(hash_fnv1a("") == 0xcbf29ce484222325ULL);
	assert_true(hash_fnv1a("a") == 0xaf63dc4c8601ec8cULL);
	assert_true(hash_fnv1a("foobar") == 0x85944171f73967e8ULL);
}

static void
test_xdg_path(void **state)
{
	char *p;
	(void)state;

	setenv("HOME", "/home/op", 1);
	setenv("XDG_CONFIG_HOME", "/cfg", 1);
	setenv("XDG_STATE_HOME", "/st", 1);
	p = xdg_path(XDG_CONFIG, "config.yaml");
	assert_string_equal(p, "/cfg/opsdeck/config.yaml");
	free(p);
	p = xdg_path(XDG_STATE, "cache.db");
	assert_string_equal(p, "/st/opsdeck/cache.db");
	free(p);
	/* a relative XDG_*_HOME is ignored */
	setenv("XDG_CONFIG_HOME", "cfg", 1);
	unsetenv("XDG_STATE_HOME");
	p = xdg_path(XDG_CONFIG, "themes");
	assert_string_equal(p, "/home/op/.config/opsdeck/themes");
	free(p);
	p = xdg_path(XDG_STATE, "cache.db");
	assert_string_equal(p, "/home/op/.local/state/opsdeck/cache.db");
	free(p);
	/* no usable HOME: the passwd entry's home directory */
	setenv("HOME", "relative", 1);
	p = xdg_path(XDG_STATE, "cache.db");
	assert_true(p[0] == '/' || strncmp(p, "/.local", 7) == 0);
	assert_non_null(strstr(p, "/.local/state/opsdeck/cache.db"));
	assert_null(strstr(p, "relative"));
	free(p);
	unsetenv("XDG_CONFIG_HOME");
}

/* remove_tree: a nested tree goes; a symbolic link in it goes, not what it points at. */
static void
test_remove_tree(void **state)
{
	char top[] = "/tmp/opsdeck-rmtree-XXXXXX", keep[] = "/tmp/opsdeck-keep-XXXXXX";
	struct stat sb;
	(void)state;

	assert_non_null(mkdtemp(top));
	assert_non_null(mkdtemp(keep));
	char *kept = xasprintf("%s/precious", keep);
	FILE *fp = fopen(kept, "w");
	assert_non_null(fp);
	fclose(fp);
	char *deep = xasprintf("%s/a/b/c", top);
	assert_int_equal(mkdir_p(deep, 0700), 0);
	char *f = xasprintf("%s/file", deep);
	fp = fopen(f, "w");
	assert_non_null(fp);
	fclose(fp);
	char *link = xasprintf("%s/a/outside", top);
	assert_int_equal(symlink(keep, link), 0);
	assert_int_equal(remove_tree(top), 0);
	assert_int_not_equal(lstat(top, &sb), 0);
	assert_int_equal(stat(kept, &sb), 0);		/* the link's target is untouched */
	assert_int_equal(remove_tree(top), 0);		/* already gone */
	assert_int_equal(remove_tree(keep), 0);
	assert_int_not_equal(lstat(keep, &sb), 0);
	free(kept);
	free(deep);
	free(f);
	free(link);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_parse),
		cmocka_unit_test(test_duration_format),
		cmocka_unit_test(test_format_bytes),
		cmocka_unit_test(test_buf_limit),
		cmocka_unit_test(test_diag),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_unclosed),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_xdg_path),
		cmocka_unit_test(test_remove_tree),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
