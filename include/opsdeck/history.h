/*
 * history.h: the pure parts of `opsdeck history` (src/cmd_history.c): the
 * times it accepts and the step it picks when none is given.
 */
#ifndef OPSDECK_HISTORY_H
#define OPSDECK_HISTORY_H

#include <stdint.h>

/*
 * Parses a point in time into wall-clock ms:
 *   "now";  relative "-2h", "-90m", "-1d" (before now_ms);
 *   "2026-11-26", "2026-11-26 10:00", "2026-11-26 10:00:30" in local time;
 *   ISO 8601 "2026-11-26T10:00[:30[.123]]" with an optional zone "Z",
 *   "+09:00", "+0900" or "-05" (local time without one).
 * Returns 0, or -1 with *cause (malloc'd) saying what was expected.
 */
int history_parse_time(const char *s, int64_t now_ms, int64_t *out_ms, char **cause);

/*
 * The step for a range when none was given: 0 (raw samples) up to ten
 * minutes, else the smallest of 10s 30s 1m 5m 15m 30m 1h 3h 6h 12h 1d 7d
 * that gives at most HISTORY_AUTO_POINTS points.
 */
#define HISTORY_AUTO_POINTS 150
int64_t history_auto_step(int64_t range_ms);

#endif
