/*
 * fuzz_time.c: timeutil's parser (time_parse, both grammars) on arbitrary
 * bytes. What RFC 3339 takes the ISO 8601 subset takes too, at the same
 * instant; a parsed time formats back to RFC 3339 text that parses to the
 * same instant; the parsed date round-trips through civil days.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck/timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct time_parsed iso, strict;
	char text[TIME_RFC3339_LEN];
	int64_t ms, again;

	int ok_iso = time_parse(s, size, 0, &iso) == 0;
	int ok_strict = time_parse(s, size, 1, &strict) == 0;
	if (ok_strict && (!ok_iso || time_parsed_ms(&iso, 0) != time_parsed_ms(&strict, 0)))
		abort();
	if (!ok_iso)
		return 0;
	ms = time_parsed_ms(&iso, 0);
	if (ms >= 253402300800000LL)	/* 10000-01-01: past RFC 3339's four-digit years */
		return 0;
	time_format_rfc3339(ms, iso.zoned ? iso.off_s : 0, 1, text, sizeof text);
	if (time_parse_rfc3339(text, strlen(text), &again) != 0 || again != ms)
		abort();
	int y, m, d;
	time_civil_from_days(time_days_from_civil(iso.year, iso.month, iso.day), &y, &m, &d);
	if (y != iso.year || m != iso.month || d != iso.day)
		abort();
	return 0;
}
