/*
 * test_timeutil.c: civil days, zones, RFC 3339 and the ISO 8601 subset
 * (fixtures in tests/fixtures/time/cases.tsv), formatting.
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

#include "opsdeck/timeutil.h"
#include "opsdeck/util.h"

static void
test_civil_days(void **state)
{
	int y, m, d;
	(void)state;

	assert_int_equal(time_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(time_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(time_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(time_days_from_civil(1, 1, 1), -719162);
	/* every day from 1600 to 2400 follows the one before and round-trips */
	int64_t prev = time_days_from_civil(1599, 12, 31);
	for (int yy = 1600; yy <= 2400; yy++) {
		for (int mm = 1; mm <= 12; mm++) {
			for (int dd = 1; dd <= time_days_in_month(yy, mm); dd++) {
				int64_t day = time_days_from_civil(yy, mm, dd);
				assert_int_equal(day, prev + 1);
				prev = day;
				time_civil_from_days(day, &y, &m, &d);
				assert_true(y == yy && m == mm && d == dd);
			}
		}
	}
	assert_int_equal(time_days_in_month(2024, 2), 29);
	assert_int_equal(time_days_in_month(2100, 2), 28);
	assert_int_equal(time_days_in_month(2000, 2), 29);
	assert_int_equal(time_days_in_month(2026, 4), 30);
}

static void
test_zones(void **state)
{
	(void)state;
	/* 2021-12-31T15:00:00Z is already 2022-01-01 in Seoul */
	int64_t ms = time_days_from_civil(2021, 12, 31) * 86400000 + 15 * 3600000;
	assert_int_equal(time_day_of(ms - 1, TIME_ZONE_SEOUL_S), time_days_from_civil(2021, 12, 31));
	assert_int_equal(time_day_of(ms, TIME_ZONE_SEOUL_S), time_days_from_civil(2022, 1, 1));
	assert_int_equal(time_day_of(ms, 0), time_days_from_civil(2021, 12, 31));
	/* before the epoch, floor division */
	assert_int_equal(time_day_of(-1, 0), -1);
	assert_int_equal(time_day_of(-86400000, 0), -1);
	assert_int_equal(time_day_of(-86400001, 0), -2);
	setenv("TZ", "Asia/Seoul", 1);
	tzset();
	assert_int_equal(time_local_offset_s(1796557452000LL), TIME_ZONE_SEOUL_S);
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(time_local_offset_s(1796557452000LL), 0);
}

static void
test_format(void **state)
{
	char buf[TIME_RFC3339_LEN];
	(void)state;

	time_format_rfc3339(1796557452000LL, 0, 0, buf, sizeof buf);
	assert_string_equal(buf, "2026-12-06T11:44:12Z");
	time_format_rfc3339(1796557452000LL, TIME_ZONE_SEOUL_S, 0, buf, sizeof buf);
	assert_string_equal(buf, "2026-12-06T20:44:12+09:00");
	time_format_rfc3339(1796557452250LL, -(5 * 3600 + 30 * 60), 1, buf, sizeof buf);
	assert_string_equal(buf, "2026-12-06T06:14:12.250-05:30");
	time_format_rfc3339(0, 0, 1, buf, sizeof buf);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	time_format_rfc3339(-1, 0, 1, buf, sizeof buf);
	assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
	time_format_rfc3339(951782400000LL, 0, 0, buf, sizeof buf);
	assert_string_equal(buf, "2000-02-29T00:00:00Z");
	setenv("TZ", "Asia/Seoul", 1);
	tzset();
	time_format(1796557452000LL, 1, buf, sizeof buf);
	assert_string_equal(buf, "2026-12-06T20:44:12+09:00");
	time_format(1796557452000LL, 0, buf, sizeof buf);
	assert_string_equal(buf, "2026-12-06 20:44:12");
	setenv("TZ", "UTC", 1);
	tzset();
	time_format(1796557452000LL, 1, buf, sizeof buf);
	assert_string_equal(buf, "2026-12-06T11:44:12Z");
}

/* Every line of the fixture: the mode, the text, and the instant or "bad". */
static void
test_fixture_cases(void **state)
{
	const char *dir = getenv("FIXTURES");
	char path[4096], line[512];
	int cases = 0;
	(void)state;

	snprintf(path, sizeof path, "%s/time/cases.tsv", dir != NULL ? dir : "tests/fixtures");
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof line, fp) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\n")] = '\0';
		char *mode = line, *text = strchr(mode, '\t');
		assert_non_null(text);
		*text++ = '\0';
		char *want = strchr(text, '\t');
		assert_non_null(want);
		*want++ = '\0';
		int64_t ms = 0;
		int r;
		if (strcmp(mode, "rfc3339") == 0) {
			r = time_parse_rfc3339(text, strlen(text), &ms);
		} else {
			struct time_parsed tp;
			r = time_parse(text, strlen(text), 0, &tp);
			if (r == 0)
				ms = time_parsed_ms(&tp, 0);
		}
		if (strcmp(want, "bad") == 0) {
			if (r == 0)
				fail_msg("%s accepted '%s'", mode, text);
		} else if (r != 0 || ms != strtoll(want, NULL, 10)) {
			fail_msg("%s '%s': %s, %lld instead of %s", mode, text,
			    r != 0 ? "refused" : "accepted", (long long)ms, want);
		}
		cases++;
	}
	fclose(fp);
	assert_true(cases >= 40);
}

/* Parsing reads only the n bytes it is given. */
static void
test_length_bound(void **state)
{
	int64_t ms;
	(void)state;

	assert_int_equal(time_parse_rfc3339("2026-12-06T11:44:12Zjunk", 20, &ms), 0);
	assert_int_equal(ms, 1796557452000LL);
	assert_int_equal(time_parse_rfc3339("2026-12-06T11:44:12Z", 19, &ms), -1);
}

static void
test_durations(void **state)
{
	char buf[32];
	int64_t ms;
	(void)state;

	assert_int_equal(duration_parse("90m", &ms), 0);
	assert_int_equal(ms, 5400000);
	duration_format(ms, buf, sizeof buf);
	assert_string_equal(buf, "90m");
	duration_format(86400000, buf, sizeof buf);
	assert_string_equal(buf, "1d");
}

/* time_format_near: the time alone on the same local day, else the date too. */
static void
test_format_near(void **state)
{
	(void)state;
	char b[32];
	setenv("TZ", "UTC", 1);
	tzset();
	int64_t now = 1796558400000;		/* 2026-12-06 12:00:00 UTC */
	time_format_near(now + 2 * 3600000, now, b, sizeof b);
	assert_string_equal(b, "14:00");
	time_format_near(now + 13 * 3600000, now, b, sizeof b);
	assert_string_equal(b, "2026-12-07 01:00");
	setenv("TZ", "Asia/Seoul", 1);		/* 21:00 there: 01:00 UTC is tomorrow's 10:00 */
	tzset();
	time_format_near(now + 2 * 3600000, now, b, sizeof b);
	assert_string_equal(b, "23:00");
	time_format_near(now + 4 * 3600000, now, b, sizeof b);
	assert_string_equal(b, "2026-12-07 01:00");
	setenv("TZ", "UTC", 1);
	tzset();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_civil_days),
		cmocka_unit_test(test_zones),
		cmocka_unit_test(test_format_near),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_fixture_cases),
		cmocka_unit_test(test_length_bound),
		cmocka_unit_test(test_durations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
