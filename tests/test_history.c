/*
 * test_history.c: the times `opsdeck history` accepts and the step it picks.
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
#include <time.h>

#include "opsdeck/history.h"

#define NOW 1795687200000LL	/* 2026-11-26T10:00:00Z */

static void
tz(const char *zone)
{
	setenv("TZ", zone, 1);
	tzset();
}

static int64_t
parse_ok(const char *s)
{
	int64_t t = 0;
	char *cause = NULL;
	if (history_parse_time(s, NOW, &t, &cause) != 0) {
		fprintf(stderr, "# %s: %s\n", s, cause);
		fail();
	}
	return t;
}

static void
parse_bad(const char *s)
{
	int64_t t = 0;
	char *cause = NULL;
	assert_int_equal(history_parse_time(s, NOW, &t, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, s));
	free(cause);
}

static void
test_utc(void **state)
{
	(void)state;
	tz("UTC");
	assert_int_equal(parse_ok("2026-11-26 10:00"), 1795687200000LL);
	assert_int_equal(parse_ok("2026-11-26 10:00:00"), 1795687200000LL);
	assert_int_equal(parse_ok("2026-11-26T10:00:30"), 1795687230000LL);
	assert_int_equal(parse_ok("2026-11-26"), 1795651200000LL);
	assert_int_equal(parse_ok("2024-02-29T23:59:59Z"), 1709251199000LL);
	assert_int_equal(parse_ok("2026-11-26T10:00:00.250Z"), 1795687200250LL);
	assert_int_equal(parse_ok("now"), NOW);
	assert_int_equal(parse_ok("-2h"), NOW - 7200000);
	assert_int_equal(parse_ok("-90m"), NOW - 5400000);
	assert_int_equal(parse_ok("-1d"), NOW - 86400000);
}

static void
test_zones(void **state)
{
	(void)state;
	/* Local time follows TZ; explicit offsets do not. */
	tz("Asia/Seoul");
	assert_int_equal(parse_ok("2026-11-26 10:00"), 1795654800000LL);
	assert_int_equal(parse_ok("2026-11-26T10:00:00+09:00"), 1795654800000LL);
	assert_int_equal(parse_ok("2026-11-26T10:00+0900"), 1795654800000LL);
	assert_int_equal(parse_ok("2026-11-26T10:00Z"), 1795687200000LL);
	assert_int_equal(parse_ok("2026-11-26T05:00-05"), 1795687200000LL);
	tz("UTC");
}

static void
test_bad(void **state)
{
	(void)state;
	tz("UTC");
	parse_bad("");
	parse_bad("yesterday");
	parse_bad("2026-13-01");
	parse_bad("2026-02-29");		/* not a leap year */
	parse_bad("2026-11-31 10:00");
	parse_bad("2026-11-26 24:00");
	parse_bad("2026-11-26 10:60");
	parse_bad("2026-11-26 10");
	parse_bad("2026-11-26T10:00+25:00");
	parse_bad("2026-11-26 10:00 tomorrow");
	parse_bad("26-11-2026");
	parse_bad("-2x");
	parse_bad("-");
	parse_bad("-99999d");			/* before the epoch */
	parse_bad("1969-12-31");
}

static void
test_auto_step(void **state)
{
	(void)state;
	assert_int_equal(history_auto_step(5 * 60000), 0);
	assert_int_equal(history_auto_step(10 * 60000), 0);
	assert_int_equal(history_auto_step(20 * 60000), 10000);
	assert_int_equal(history_auto_step(3600000), 30000);
	assert_int_equal(history_auto_step(6 * 3600000), 300000);
	assert_int_equal(history_auto_step(86400000), 900000);
	assert_int_equal(history_auto_step(7 * 86400000LL), 3 * 3600000);
	assert_int_equal(history_auto_step(730 * 86400000LL), 7 * 86400000LL);
	/* Never more than the target number of points, up to the largest step. */
	for (int64_t r = 11 * 60000; r < 365 * 86400000LL; r = r * 3 / 2)
		assert_true(r / history_auto_step(r) <= HISTORY_AUTO_POINTS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utc),
		cmocka_unit_test(test_zones),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_auto_step),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
