/*
 * timeutil.h: time in one place: clocks, civil days (proleptic Gregorian,
 * without the C library's time zone state), the zones opsdeck names, RFC 3339
 * and the ISO 8601 subset it reads, and durations.
 *
 * Instants are milliseconds since 1970-01-01T00:00:00Z ("wall ms"); days are
 * days since 1970-01-01 in some zone; zones are fixed offsets east of UTC in
 * seconds, or the process's local zone (TZ) where a function says so.
 * Parsers are pure: bytes and a length in, no locale, no globals.
 */
#ifndef OPSDECK_TIMEUTIL_H
#define OPSDECK_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Asia/Seoul: +09:00, with no daylight saving time since 1988, so a fixed
 * offset gives its civil days for every date opsdeck handles. */
#define TIME_ZONE_SEOUL_NAME	"Asia/Seoul"
#define TIME_ZONE_SEOUL_S	(9 * 3600)

/* Longest text time_format_rfc3339() writes, with its NUL. */
#define TIME_RFC3339_LEN	sizeof("-292277026596-12-04T15:30:07.000+23:59")

/* Milliseconds: CLOCK_MONOTONIC for deadlines, CLOCK_REALTIME for records. */
int64_t now_mono_ms(void);
int64_t now_wall_ms(void);

/* ---- civil days ---------------------------------------------------------- */

/* Days from 1970-01-01 to y-m-d; m 1-12, d 1-31 (not checked against m). */
int64_t time_days_from_civil(int64_t y, int m, int d);
/* The inverse: y-m-d of a day number (any day of an int64_t of ms fits int years). */
void    time_civil_from_days(int64_t days, int *y, int *m, int *d);
/* 28-31; m 1-12. */
int     time_days_in_month(int64_t y, int m);
/* The day (since 1970-01-01) an instant falls on at offset off_s; floor division. */
int64_t time_day_of(int64_t wall_ms, int off_s);

/* ---- zones --------------------------------------------------------------- */

/* The local zone's (TZ) offset east of UTC at that instant, in seconds. */
int time_local_offset_s(int64_t wall_ms);

/* ---- text ---------------------------------------------------------------- */

/* What time_parse() read. */
struct time_parsed {
	int64_t	 year;
	int	 month, day, hour, minute, second, ms;
	int	 has_time;	/* a time of day followed the date */
	int	 has_seconds;
	int	 zoned;		/* Z or an offset was given; off_s is it */
	int	 off_s;
};

/*
 * Parses s[0..n) (no NUL needed) as the ISO 8601 subset opsdeck reads:
 *
 *   date      = YYYY "-" MM "-" DD                 (a real date, 1970-9999)
 *   date-time = date ("T" / "t" / " ") hh ":" mm [":" ss [("." / ",") 1*DIGIT]] [zone]
 *   zone      = "Z" / "z" / ("+" / "-") hh [[":"] mm]    (hh 00-23, mm 00-59)
 *   text      = date / date-time
 *
 * hh 00-23, mm 00-59, ss 00-60 (a leap second counts as the next second's
 * start); fractions are cut to milliseconds. With `rfc3339` set only RFC 3339's
 * date-time is taken: seconds and a zone are required and an offset is
 * "+hh:mm". Returns 0 and fills *out, or -1.
 */
int time_parse(const char *s, size_t n, int rfc3339, struct time_parsed *out);
/* The instant of a parse; one without a zone is taken at offset default_off_s. */
int64_t time_parsed_ms(const struct time_parsed *t, int default_off_s);
/* time_parse(rfc3339) and time_parsed_ms() in one: 0 and *ms, or -1. */
int time_parse_rfc3339(const char *s, size_t n, int64_t *ms);

/*
 * RFC 3339 at offset off_s (east of UTC, whole minutes): "2026-12-06T11:44:12Z"
 * when off_s is 0, else "2026-12-06T20:44:12+09:00"; milliseconds only with
 * `with_ms` and when not zero. buf of TIME_RFC3339_LEN is always enough.
 */
void time_format_rfc3339(int64_t wall_ms, int off_s, int with_ms, char *buf, size_t len);
/* Local time (TZ) as "YYYY-MM-DD HH:MM:SS", or RFC 3339 with its offset if iso. */
void time_format(int64_t wall_ms, int iso, char *buf, size_t len);
/* Local "HH:MM" when wall_ms falls on now_ms's day, else "YYYY-MM-DD HH:MM". */
void time_format_near(int64_t wall_ms, int64_t now_ms, char *buf, size_t len);

/* ---- durations ----------------------------------------------------------- */

/*
 * Parse a duration such as "500ms", "2s", "5m", "1h", "1d" (one number and one
 * unit; a bare number means seconds) into milliseconds. Returns 0, or -1 for
 * malformed, negative or overflowing input.
 */
int  duration_parse(const char *s, int64_t *out_ms);
/* Format milliseconds as the shortest exact "1h", "90s", "250ms". */
void duration_format(int64_t ms, char *buf, size_t len);

#endif
