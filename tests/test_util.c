/*
 * test_util.c: durations, sizes, the capped buffer, diagnostics, JSON and CSV.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

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

static void
test_json_csv(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	json_str(&b, "a\"b\\c\n\x1b[2J 광주");
	assert_string_equal(buf_cstr(&b), "\"a\\\"b\\\\c\\n\\u001b[2J 광주\"");
	buf_reset(&b);
	json_num(&b, -1, 1, 1);
	buf_append(&b, " ", 1);
	json_num(&b, 12.345, 1, 1);
	buf_append(&b, " ", 1);
	json_num(&b, 3, 2, 1);
	assert_string_equal(buf_cstr(&b), "null 12.3 3");
	buf_reset(&b);
	csv_field(&b, "plain");
	buf_append(&b, ",", 1);
	csv_field(&b, "a,\"b\"");
	assert_string_equal(buf_cstr(&b), "plain,\"a,\"\"b\"\"\"");
	buf_free(&b);
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
		cmocka_unit_test(test_json_csv),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
