/*
 * cmd_history.c: `opsdeck history HOST`: a host's metrics over time, read
 * from the cache at the resolution the range and step call for (raw
 * samples, 1-minute or 1-hour rollups), as a table, CSV or JSON.
 */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "opsdeck/alert.h"
#include "opsdeck/buf.h"
#include "opsdeck/cmd.h"
#include "opsdeck/history.h"
#include "opsdeck/json.h"
#include "opsdeck/util.h"

#define HISTORY_MAX_METRICS 32	/* --metric options in one call */
#define HISTORY_AT_WINDOW_MS (5 * 60000)	/* --at: figures no older than this */


static void
usage(void)
{
	printf("Usage: opsdeck history HOST [--metric M]... [--since DURATION |\n"
	    "                       --from T [--to T]]\n"
	    "                       [--step DURATION] [--format table|csv|json] [-c FILE]\n"
	    "                       [--cache FILE]\n"
	    "       opsdeck history --at T [HOST] [--format table|csv|json] [-c FILE]\n"
	    "                       [--cache FILE]\n"
	    "Prints a host's metrics over time from the cache: raw samples for recent short\n"
	    "ranges, 1-minute or 1-hour rollups (min, avg, max) for longer ones. With --at,\n"
	    "every host (or HOST) as `snapshot` would have printed it at T: its state then,\n"
	    "its newest figures of the 5 minutes before, test-bed devices as they stood, and\n"
	    "in JSON the alerts active then.\n"
	    "\n"
	    "      --at T             the fleet as of T (T as for --from)\n"
	    "  -m, --metric M         a metric as named in snapshot's JSON: cpu.util_pct,\n"
	    "                         mem.used_bytes, load.0, net.rx_bps, gpus.0.util_pct, ...\n"
	    "                         (repeatable; default: cpu.util_pct and mem.used_bytes)\n"
	    "  -s, --since DURATION   the last DURATION (default 1h)\n"
	    "      --from T, --to T   a range; T is '2026-11-26 10:00', ISO 8601\n"
	    "                         (2026-11-26T10:00:00+09:00), 'now' or relative ('-2h')\n"
	    "      --step DURATION    one point per step (e.g. 10s, 1m, 1h), or 'raw';\n"
	    "                         default: about %d points over the range\n"
	    "  -f, --format FORMAT    table (default), csv or json\n"
	    "  -c, --config FILE      configuration file (for the cache location)\n"
	    "      --cache FILE       the cache file (default: the config's, else\n"
	    "                         $XDG_STATE_HOME/opsdeck/cache.db)\n"
	    "  -h, --help             show this help\n"
	    "\n"
	    "Exit status: 0 success, 1 unknown host or metric or an unreadable cache,\n"
	    "2 usage error, 4 a configuration error.\n", HISTORY_AUTO_POINTS);
}

/* ---- times ----------------------------------------------------------------- */

/*
 * See history.h. Absolute times are timeutil's ISO 8601 subset (time_parse);
 * one without a zone is local time (TZ, with its daylight saving rules), so
 * it goes through mktime.
 */
int
history_parse_time(const char *s, int64_t now_ms, int64_t *out_ms, char **cause)
{
	const char *p = s;
	struct time_parsed tp;

	while (*p == ' ')
		p++;
	size_t n = strlen(p);
	while (n > 0 && p[n - 1] == ' ')
		n--;
	if (n == 3 && memcmp(p, "now", 3) == 0) {
		*out_ms = now_ms;
		return 0;
	}
	if (*p == '-') {
		int64_t dur;
		if (duration_parse(p + 1, &dur) != 0 || dur > now_ms) {
			*cause = xasprintf("'%s' is not a time before now (e.g. -2h, -30m, "
			    "-1d)", s);
			return -1;
		}
		*out_ms = now_ms - dur;
		return 0;
	}
	if (time_parse(p, n, 0, &tp) != 0) {
		*cause = xasprintf("'%s' is not a time: use '2026-11-26 10:00', ISO 8601 "
		    "(2026-11-26T10:00:00Z), 'now' or a relative time such as -2h", s);
		return -1;
	}
	if (tp.zoned) {
		*out_ms = time_parsed_ms(&tp, 0);
		return 0;
	}
	struct tm tm = { 0 };
	tm.tm_year = (int)tp.year - 1900;
	tm.tm_mon = tp.month - 1;
	tm.tm_mday = tp.day;
	tm.tm_hour = tp.hour;
	tm.tm_min = tp.minute;
	tm.tm_sec = tp.second;
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	if (t == (time_t)-1 && !(tp.year == 1970 && tp.month == 1 && tp.day == 1)) {
		*cause = xasprintf("'%s' is not a valid local time", s);
		return -1;
	}
	*out_ms = (int64_t)t * 1000 + tp.ms;
	return 0;
}

int64_t
history_auto_step(int64_t range_ms)
{
	static const int64_t steps[] = {
		10000, 30000, 60000, 300000, 900000, 1800000, 3600000, 3 * 3600000LL,
		6 * 3600000LL, 12 * 3600000LL, 86400000LL, 7 * 86400000LL,
	};
	if (range_ms <= 10 * 60000)
		return 0;
	for (size_t i = 0; i < OD_ARRAY_LEN(steps); i++)
		if (range_ms / steps[i] <= HISTORY_AUTO_POINTS)
			return steps[i];
	return steps[OD_ARRAY_LEN(steps) - 1];
}

/* ---- output ---------------------------------------------------------------- */

struct series_out {
	const char		*metric;
	struct store_point	*p;
	size_t			 n;
};

static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* A value for the table: sizes in binary units for *_bytes, else 2 decimals. */
static void
table_value(const char *metric, double v, char *buf, size_t len)
{
	if (isnan(v)) {
		snprintf(buf, len, "-");
	} else if (ends_with(metric, "_bytes") || ends_with(metric, "_bps")) {
		static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
		size_t u = 0;
		double x = v;
		while (fabs(x) >= 1024 && u + 1 < OD_ARRAY_LEN(units)) {
			x /= 1024;
			u++;
		}
		snprintf(buf, len, u == 0 ? "%.0f %s%s" : "%.1f %s%s", x, units[u],
		    ends_with(metric, "_bps") ? "/s" : "");
	} else {
		snprintf(buf, len, "%.2f", v);
	}
}

static void
print_table(const char *host, struct series_out *s, size_t ns, int64_t from, int64_t to,
    int64_t step)
{
	char when[40], until[40], v[48];

	time_format(from, 0, when, sizeof when);
	time_format(to, 0, until, sizeof until);
	printf("%s%s%s: %s to %s, ", host, ns == 1 ? " " : "", ns == 1 ? s[0].metric : "",
	    when, until);
	if (step > 0) {
		duration_format(step, v, sizeof v);
		printf("step %s (min, avg, max per step)\n", v);
	} else {
		printf("raw samples\n");
	}
	if (ns == 1) {
		printf("%-19s  %14s  %14s  %14s\n", "TIME", "MIN", "AVG", "MAX");
		for (size_t i = 0; i < s[0].n; i++) {
			const struct store_point *p = &s[0].p[i];
			time_format(p->ts_ms, 0, when, sizeof when);
			printf("%-19s", when);
			double vals[3] = { p->min, p->avg, p->max };
			for (int k = 0; k < 3; k++) {
				table_value(s[0].metric, vals[k], v, sizeof v);
				printf("  %14s", v);
			}
			printf("\n");
		}
		return;
	}
	/* Several metrics: one column of averages each, a row for every time any has. */
	printf("%-19s", "TIME");
	for (size_t k = 0; k < ns; k++)
		printf("  %16s", s[k].metric);
	printf("\n");
	size_t *at = xcalloc(ns, sizeof *at);
	for (;;) {
		int64_t t = INT64_MAX;
		for (size_t k = 0; k < ns; k++)
			if (at[k] < s[k].n && s[k].p[at[k]].ts_ms < t)
				t = s[k].p[at[k]].ts_ms;
		if (t == INT64_MAX)
			break;
		time_format(t, 0, when, sizeof when);
		printf("%-19s", when);
		for (size_t k = 0; k < ns; k++) {
			if (at[k] < s[k].n && s[k].p[at[k]].ts_ms == t)
				table_value(s[k].metric, s[k].p[at[k]++].avg, v, sizeof v);
			else
				snprintf(v, sizeof v, "-");
			printf("  %16s", v);
		}
		printf("\n");
	}
	free(at);
}

static void
csv_num(struct buf *b, double v)
{
	if (isfinite(v))
		buf_printf(b, "%.15g", v);
}

static void
print_csv(const char *host, struct series_out *s, size_t ns)
{
	struct buf b;
	char when[TIME_RFC3339_LEN];

	buf_init(&b, 0);
	buf_printf(&b, "time,ts_ms,host,metric,min,avg,max\n");
	for (size_t k = 0; k < ns; k++) {
		for (size_t i = 0; i < s[k].n; i++) {
			const struct store_point *p = &s[k].p[i];
			time_format(p->ts_ms, 1, when, sizeof when);
			buf_printf(&b, "%s,%lld,", when, (long long)p->ts_ms);
			csv_field(&b, host);
			buf_append(&b, ",", 1);
			csv_field(&b, s[k].metric);
			buf_append(&b, ",", 1);
			csv_num(&b, p->min);
			buf_append(&b, ",", 1);
			csv_num(&b, p->avg);
			buf_append(&b, ",", 1);
			csv_num(&b, p->max);
			buf_append(&b, "\n", 1);
		}
		fwrite(b.data, 1, b.len, stdout);
		buf_reset(&b);
	}
	buf_free(&b);
}

/*
 * The series as one JSON document, streamed to stdout point by point: times
 * in RFC 3339 at the local offset, and as ms since the epoch.
 */
static void
print_json(const char *host, struct series_out *s, size_t ns, int64_t from, int64_t to,
    int64_t step)
{
	struct json_writer *w = json_writer_new(stdout);
	char when[TIME_RFC3339_LEN];

	json_map_open(w);
	json_kstr(w, "host", host);
	time_format(from, 1, when, sizeof when);
	json_kstr(w, "from", when);
	time_format(to, 1, when, sizeof when);
	json_kstr(w, "to", when);
	json_kint(w, "step_ms", step);
	json_key(w, "metrics");
	json_array_open(w);
	for (size_t k = 0; k < ns; k++) {
		json_map_open(w);
		json_kstr(w, "name", s[k].metric);
		json_key(w, "points");
		json_array_open(w);
		for (size_t i = 0; i < s[k].n; i++) {
			const struct store_point *p = &s[k].p[i];
			json_map_open(w);
			time_format(p->ts_ms, 1, when, sizeof when);
			json_kstr(w, "time", when);
			json_kint(w, "ts_ms", p->ts_ms);
			json_knum(w, "min", p->min, 4, 0);
			json_knum(w, "avg", p->avg, 4, 0);
			json_knum(w, "max", p->max, 4, 0);
			json_map_close(w);
		}
		json_array_close(w);
		json_map_close(w);
	}
	json_array_close(w);
	json_map_close(w);
	json_writer_end(w);
}

/* ---- the command ---------------------------------------------------------- */

/* "no metric" errors list what the host does have. */
static void
print_known_metrics(struct store *st, const char *host)
{
	char **names;
	size_t n;
	char *cause = NULL;

	if (store_metric_names(st, host, &names, &n, &cause) != 0) {
		free(cause);
		return;
	}
	if (n > 0) {
		fprintf(stderr, "opsdeck history: metrics of %s:", host);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "%s %s", i ? "," : "", names[i]);
		fprintf(stderr, "\n");
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * `history --at T [HOST]`: the fleet (or HOST) as of T from the cache,
 * printed as snapshot prints it. Exit status as cmd_history's.
 */
static int
history_at(const char *at_s, const char *host, enum cmd_format fmt, const char *cfg_path,
    const char *cache)
{
	int64_t now = now_wall_ms(), at;
	char *cause = NULL;

	if (history_parse_time(at_s, now, &at, &cause) != 0) {
		int r = cmd_usage_error("history", "--at: %s", cause);
		free(cause);
		return r;
	}
	struct config *cfg = cache != NULL ? config_default() : cmd_load_config(cfg_path);
	if (cfg == NULL)
		return 1;
	struct store *st = cmd_open_store(cfg, cache, STORE_READONLY);
	config_free(cfg);
	if (st == NULL)
		return 1;

	struct host_status *v = NULL;
	size_t n = 0, unknown = 0, keep = 0;
	struct alert_set as;
	int status = 0;
	alert_set_init(&as);
	if (store_hosts_at(st, at, HISTORY_AT_WINDOW_MS, &v, &n, &unknown, &cause) != 0 ||
	    alert_store_at(st, at, 0, &as, &cause) != 0) {
		fprintf(stderr, "opsdeck history: %s\n", cause);
		free(cause);
		status = 1;
	}
	if (status == 0 && host != NULL) {	/* one host: the others go */
		for (size_t i = 0; i < n; i++) {
			if (strcmp(v[i].name, host) == 0 && keep == 0)
				v[keep++] = v[i];
			else
				host_status_free(&v[i]);
		}
		n = keep;
		if (n == 0) {
			fprintf(stderr, "opsdeck history: host '%s' %s at %s\n", host,
			    "is not in the cache or was not known yet", at_s);
			status = 1;
		}
		size_t k = 0;
		for (size_t i = 0; i < as.n; i++)
			if (strcmp(as.v[i].host, host) == 0)
				as.v[k++] = as.v[i];
		as.n = k;
	}
	if (status == 0) {
		char when[TIME_RFC3339_LEN];
		time_format_rfc3339(at, 0, 0, when, sizeof when);
		if (fmt == CMD_TABLE)
			printf("As of %s, from the cache\n", when);
		snapshot_print(st, v, n, fmt, at, &as);
		if (unknown > 0 && host == NULL)
			fprintf(stderr, "opsdeck history: %zu host%s not known yet at %s\n",
			    unknown, unknown == 1 ? " was" : "s were", when);
		if (fflush(stdout) != 0 || ferror(stdout))
			status = 1;
	}
	store_free_hosts(v, n);
	alert_set_free(&as);
	store_close(st);
	return status;
}

int
cmd_history(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "metric", required_argument, NULL, 'm' },
		{ "since", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "step", required_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'f' },
		{ "config", required_argument, NULL, 'c' },
		{ "cache", required_argument, NULL, 'C' },
		{ "at", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *metrics[HISTORY_MAX_METRICS];
	const char *at_s = NULL;
	size_t nmetrics = 0;
	const char *since = NULL, *from_s = NULL, *to_s = NULL, *step_s = NULL;
	const char *cfg_path = NULL, *cache = NULL;
	enum cmd_format fmt = CMD_TABLE;
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":m:s:f:c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			if (nmetrics == HISTORY_MAX_METRICS)
				return cmd_usage_error("history", "at most %d metrics",
				    HISTORY_MAX_METRICS);
			metrics[nmetrics++] = optarg;
			break;
		case 's':
			since = optarg;
			break;
		case 'F':
			from_s = optarg;
			break;
		case 'T':
			to_s = optarg;
			break;
		case 'S':
			step_s = optarg;
			break;
		case 'f':
			if ((rc = cmd_format_parse("history", optarg, &fmt)) != 0)
				return rc;
			break;
		case 'c':
			cfg_path = optarg;
			break;
		case 'C':
			cache = optarg;
			break;
		case 'A':
			at_s = optarg;
			break;
		case 'h':
			usage();
			return 0;
		default:
			return cmd_bad_option("history", ch, argv);
		}
	}
	if (at_s != NULL) {
		if (nmetrics > 0 || since != NULL || from_s != NULL || to_s != NULL ||
		    step_s != NULL)
			return cmd_usage_error("history", "--at goes with neither --metric, "
			    "--since, --from, --to nor --step");
		if (argc - optind > 1)
			return cmd_usage_error("history", "one host at a time ('%s' is extra)",
			    argv[optind + 1]);
		return history_at(at_s, optind < argc ? argv[optind] : NULL, fmt, cfg_path,
		    cache);
	}
	if (optind >= argc)
		return cmd_usage_error("history", "which host?");
	if (argc - optind > 1)
		return cmd_usage_error("history", "one host at a time ('%s' is extra)",
		    argv[optind + 1]);
	const char *host = argv[optind];
	if (since != NULL && (from_s != NULL || to_s != NULL))
		return cmd_usage_error("history", "--since and --from/--to do not go together");

	int64_t now = now_wall_ms(), from, to, step = -1;
	char *cause = NULL;
	if (from_s != NULL || to_s != NULL) {
		if (to_s == NULL) {
			to = now;
		} else if (history_parse_time(to_s, now, &to, &cause) != 0) {
			int r = cmd_usage_error("history", "--to: %s", cause);
			free(cause);
			return r;
		}
		if (from_s == NULL) {
			from = to - 3600000;
		} else if (history_parse_time(from_s, now, &from, &cause) != 0) {
			int r = cmd_usage_error("history", "--from: %s", cause);
			free(cause);
			return r;
		}
		if (from > to)
			return cmd_usage_error("history", "--from is after --to");
	} else {
		int64_t d = 3600000;
		if (since != NULL && (duration_parse(since, &d) != 0 || d <= 0 || d > now))
			return cmd_usage_error("history", "--since: '%s' is not a duration "
			    "(e.g. 30m, 6h, 7d)", since);
		from = now - d;
		to = now;
	}
	if (step_s != NULL) {
		if (strcmp(step_s, "raw") == 0)
			step = 0;
		else if (strcmp(step_s, "auto") == 0)
			step = -1;
		else if (duration_parse(step_s, &step) != 0 || step <= 0)
			return cmd_usage_error("history", "--step: '%s' is not a duration "
			    "(e.g. 10s, 1m, 1h) or 'raw'", step_s);
	}
	if (step < 0)
		step = history_auto_step(to - from);
	if (step > 0 && (to - from) / step >= STORE_HISTORY_MAX_POINTS) {
		char d[32];
		duration_format(step, d, sizeof d);
		return cmd_usage_error("history", "a step of %s gives too many points; "
		    "use a larger one", d);
	}
	if (nmetrics == 0) {
		metrics[nmetrics++] = "cpu.util_pct";
		metrics[nmetrics++] = "mem.used_bytes";
	}

	struct config *cfg = cache != NULL ? config_default() : cmd_load_config(cfg_path);
	if (cfg == NULL)
		return EXIT_CONFIG;
	struct store *st = cmd_open_store(cfg, cache, STORE_READONLY);
	config_free(cfg);
	if (st == NULL)
		return 1;

	struct series_out s[HISTORY_MAX_METRICS];
	size_t ns = 0;
	int status = 0;
	for (size_t k = 0; k < nmetrics; k++) {
		s[ns].metric = metrics[k];
		if (store_history(st, host, metrics[k], from, to, step, &s[ns].p, &s[ns].n,
		    &cause) != 0) {
			fprintf(stderr, "opsdeck history: %s\n", cause);
			if (strstr(cause, "no metric") != NULL)
				print_known_metrics(st, host);
			free(cause);
			status = 1;
			break;
		}
		ns++;
	}
	if (status == 0) {
		switch (fmt) {
		case CMD_TABLE:
			print_table(host, s, ns, from, to, step);
			break;
		case CMD_CSV:
			print_csv(host, s, ns);
			break;
		case CMD_JSON:
			print_json(host, s, ns, from, to, step);
			break;
		}
		if (fflush(stdout) != 0 || ferror(stdout))
			status = 1;
	}
	for (size_t k = 0; k < ns; k++)
		free(s[k].p);
	store_close(st);
	return status;
}
