/*
 * timeutil.c: clocks, civil days, zones, RFC 3339 and durations.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "opsdeck/timeutil.h"
#include "opsdeck/util.h"

static int64_t
clock_ms(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t now_mono_ms(void) { return clock_ms(CLOCK_MONOTONIC); }
int64_t now_wall_ms(void) { return clock_ms(CLOCK_REALTIME); }

/* ---- civil days ---------------------------------------------------------- */

/* Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar. */
int64_t
time_days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
time_civil_from_days(int64_t days, int *y, int *m, int *d)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int
time_days_in_month(int64_t y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

/* Floor division, so instants before the epoch fall on the right day. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int64_t
time_day_of(int64_t wall_ms, int off_s)
{
	return floor_div(floor_div(wall_ms, 1000) + off_s, 86400);
}

/* ---- zones --------------------------------------------------------------- */

int
time_local_offset_s(int64_t wall_ms)
{
	time_t t = (time_t)floor_div(wall_ms, 1000);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return (int)tm.tm_gmtoff;
}

/* ---- text ---------------------------------------------------------------- */

/* Exactly w digits at s[*i] (within n) into *v; 0 or -1. */
static int
field(const char *s, size_t n, size_t *i, size_t w, int *v)
{
	if (*i + w > n)
		return -1;
	*v = 0;
	for (size_t k = 0; k < w; k++) {
		char c = s[*i + k];
		if (c < '0' || c > '9')
			return -1;
		*v = *v * 10 + (c - '0');
	}
	*i += w;
	return 0;
}

/* s[*i] is c (one of the two cases when c is a letter); advances. */
static int
lit(const char *s, size_t n, size_t *i, char c)
{
	if (*i >= n || (s[*i] != c && s[*i] != (c | 0x20)))
		return -1;
	(*i)++;
	return 0;
}

/* The zone at s[*i]: Z, or +hh:mm (and with !rfc3339 also +hhmm and +hh). */
static int
parse_zone(const char *s, size_t n, size_t *i, int rfc3339, struct time_parsed *t)
{
	int oh, om = 0;

	if (lit(s, n, i, 'Z') == 0) {
		t->zoned = 1;
		return 0;
	}
	if (*i >= n || (s[*i] != '+' && s[*i] != '-'))
		return -1;
	int neg = s[(*i)++] == '-';
	if (field(s, n, i, 2, &oh) != 0)
		return -1;
	if (rfc3339) {
		if (lit(s, n, i, ':') != 0 || field(s, n, i, 2, &om) != 0)
			return -1;
	} else if (*i < n) {
		if (s[*i] == ':')
			(*i)++;
		if (field(s, n, i, 2, &om) != 0)
			return -1;
	}
	if (oh > 23 || om > 59)
		return -1;
	t->zoned = 1;
	t->off_s = (oh * 3600 + om * 60) * (neg ? -1 : 1);
	return 0;
}

/* See timeutil.h for the grammar. */
int
time_parse(const char *s, size_t n, int rfc3339, struct time_parsed *out)
{
	struct time_parsed t;
	size_t i = 0;
	int y;

	memset(&t, 0, sizeof t);
	if (field(s, n, &i, 4, &y) != 0 || lit(s, n, &i, '-') != 0 ||
	    field(s, n, &i, 2, &t.month) != 0 || lit(s, n, &i, '-') != 0 ||
	    field(s, n, &i, 2, &t.day) != 0)
		return -1;
	t.year = y;
	if (y < 1970 || t.month < 1 || t.month > 12 || t.day < 1 ||
	    t.day > time_days_in_month(y, t.month))
		return -1;
	if (i == n && !rfc3339)
		goto done;
	if (i >= n || (s[i] != 'T' && s[i] != 't' && s[i] != ' '))
		return -1;
	i++;
	t.has_time = 1;
	if (field(s, n, &i, 2, &t.hour) != 0 || lit(s, n, &i, ':') != 0 ||
	    field(s, n, &i, 2, &t.minute) != 0)
		return -1;
	if (i < n && s[i] == ':') {
		i++;
		t.has_seconds = 1;
		if (field(s, n, &i, 2, &t.second) != 0)
			return -1;
		if (i < n && (s[i] == '.' || (s[i] == ',' && !rfc3339))) {
			size_t start = ++i;
			for (int scale = 100; i < n && s[i] >= '0' && s[i] <= '9'; i++, scale /= 10)
				t.ms += (s[i] - '0') * scale;
			if (i == start)
				return -1;
		}
	}
	if (t.hour > 23 || t.minute > 59 || t.second > 60)
		return -1;
	if (rfc3339 && !t.has_seconds)
		return -1;
	if (i < n && parse_zone(s, n, &i, rfc3339, &t) != 0)
		return -1;
	if (rfc3339 && !t.zoned)
		return -1;
done:
	if (i != n)
		return -1;
	*out = t;
	return 0;
}

int64_t
time_parsed_ms(const struct time_parsed *t, int default_off_s)
{
	int64_t secs = time_days_from_civil(t->year, t->month, t->day) * 86400 +
	    t->hour * 3600 + t->minute * 60 + t->second;
	secs -= t->zoned ? t->off_s : default_off_s;
	return secs * 1000 + t->ms;
}

int
time_parse_rfc3339(const char *s, size_t n, int64_t *ms)
{
	struct time_parsed t;

	if (time_parse(s, n, 1, &t) != 0)
		return -1;
	*ms = time_parsed_ms(&t, 0);
	return 0;
}

void
time_format_rfc3339(int64_t wall_ms, int off_s, int with_ms, char *buf, size_t len)
{
	int64_t local = floor_div(wall_ms, 1000) + off_s;
	int64_t days = floor_div(local, 86400), rem = local - days * 86400;
	int y, m, d, frac = (int)(wall_ms - floor_div(wall_ms, 1000) * 1000);
	char ms[8] = "", zone[8] = "Z";

	time_civil_from_days(days, &y, &m, &d);
	if (with_ms && frac != 0)
		snprintf(ms, sizeof ms, ".%03d", frac);
	if (off_s != 0)
		snprintf(zone, sizeof zone, "%c%02d:%02d", off_s < 0 ? '-' : '+',
		    abs(off_s) / 3600 % 24, abs(off_s) / 60 % 60);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%s%s", y, m, d,
	    (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), ms, zone);
}

void
time_format(int64_t wall_ms, int iso, char *buf, size_t len)
{
	if (iso) {
		time_format_rfc3339(wall_ms, time_local_offset_s(wall_ms), 0, buf, len);
		return;
	}
	time_t t = (time_t)floor_div(wall_ms, 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

void
time_format_near(int64_t wall_ms, int64_t now_ms, char *buf, size_t len)
{
	char when[32], today[32];

	time_format(wall_ms, 0, when, sizeof when);	/* "YYYY-MM-DD HH:MM:SS" */
	time_format(now_ms, 0, today, sizeof today);
	int same = strncmp(when, today, 10) == 0;
	snprintf(buf, len, "%.*s", same ? 5 : 16, same ? when + 11 : when);
}

/* ---- durations ----------------------------------------------------------- */

static const struct {
	const char *suffix;
	int64_t ms;
} duration_units[] = {
	{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
	{ "d", 86400000 }, { "w", 604800000 }, { "y", 31536000000 },
};

int
duration_parse(const char *s, int64_t *out_ms)
{
	const char *p = s;
	int64_t whole = 0, frac = 0, fracdiv = 1;
	int digits = 0;

	while (*p == ' ')
		p++;
	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (whole > (INT64_MAX - 9) / 10)
			return -1;
		whole = whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
			if (fracdiv < 1000000) {
				frac = frac * 10 + (*p - '0');
				fracdiv *= 10;
			}
		}
	}
	if (digits == 0)
		return -1;
	const char *unit = p;
	size_t ulen = strlen(unit);
	while (ulen > 0 && unit[ulen - 1] == ' ')
		ulen--;
	int64_t mult = 0;
	if (ulen == 0)
		mult = 1000;
	for (size_t i = 0; i < OD_ARRAY_LEN(duration_units) && mult == 0; i++) {
		if (strlen(duration_units[i].suffix) == ulen &&
		    strncmp(unit, duration_units[i].suffix, ulen) == 0)
			mult = duration_units[i].ms;
	}
	if (mult == 0)
		return -1;
	if (whole > INT64_MAX / mult)
		return -1;
	*out_ms = whole * mult + frac * mult / fracdiv;
	return 0;
}

void
duration_format(int64_t ms, char *buf, size_t len)
{
	for (size_t i = OD_ARRAY_LEN(duration_units); i-- > 0;) {
		int64_t u = duration_units[i].ms;
		if (ms != 0 && ms % u == 0) {
			snprintf(buf, len, "%lld%s", (long long)(ms / u), duration_units[i].suffix);
			return;
		}
	}
	snprintf(buf, len, "%lldms", (long long)ms);
}
