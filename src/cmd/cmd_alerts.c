/*
 * cmd_alerts.c: `opsdeck alerts`: the alerts in the cache, as the collector
 * (headless or in a console) raised them: the active ones, or with --all the
 * cleared ones too, as a table, CSV or JSON.
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "opsdeck/alert.h"
#include "opsdeck/buf.h"
#include "opsdeck/cmd.h"
#include "opsdeck/json.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/util.h"

#define ALERTS_ALL_MAX	100000	/* --all: at most this many, newest first */

static void
usage(void)
{
	printf("Usage: opsdeck alerts [--all] [--format table|csv|json] [-c FILE]\n"
	    "                      [--cache FILE]\n"
	    "Prints the alerts in the cache, raised and cleared by the collector: the\n"
	    "active ones first (most severe, then newest), with --all also the cleared\n"
	    "ones still kept (as long as the 1-minute rollups).\n"
	    "\n"
	    "  -a, --all              cleared alerts too\n"
	    "  -f, --format FORMAT    table (default), csv or json\n"
	    "  -c, --config FILE      configuration file (for the cache location)\n"
	    "      --cache FILE       the cache file (default: the config's, else\n"
	    "                         $XDG_STATE_HOME/opsdeck/cache.db)\n"
	    "  -h, --help             show this help\n"
	    "\n"
	    "JSON is a list of objects: host, subject (a device id, \"gpu0\", a sensor, or\n"
	    "null for the host itself), metric, severity (warn or crit), value (null for\n"
	    "state rules), since and cleared (RFC 3339, cleared null while active),\n"
	    "acked (bool), snoozed_until (RFC 3339 while snoozed with :snooze in the\n"
	    "console, else null), message. A snoozed alert is listed after the active\n"
	    "ones, as snoozed, and not counted as active.\n"
	    "\n"
	    "Exit status: 0 success, 1 an unreadable cache, 2 usage error, 4 a configuration\n"
	    "error (opsdeck(1), EXIT STATUS).\n");
}

/* RFC 3339 in UTC, with milliseconds when there are any: "2026-12-06T11:44:12.345Z". */
static void
rfc3339(int64_t ms, char *buf, size_t len)
{
	time_format_rfc3339(ms, 0, 1, buf, len);
}

static int64_t order_now;	/* the time snoozes are judged at, for alert_order */

/*
 * Alerts active first, the most severe then the newest; then snoozed ones;
 * then cleared, newest first.
 */
static int
alert_order(const void *x, const void *y)
{
	const struct alert *a = x, *b = y;

	if ((a->cleared_ms == 0) != (b->cleared_ms == 0))
		return a->cleared_ms == 0 ? -1 : 1;
	int sa = alert_snoozed(a, order_now), sb = alert_snoozed(b, order_now);
	if (sa != sb)
		return sa ? 1 : -1;
	if (a->cleared_ms == 0 && a->sev != b->sev)
		return a->sev > b->sev ? -1 : 1;
	int64_t ta = a->cleared_ms ? a->cleared_ms : a->raised_ms;
	int64_t tb = b->cleared_ms ? b->cleared_ms : b->raised_ms;
	if (ta != tb)
		return ta > tb ? -1 : 1;
	return a->id > b->id ? -1 : a->id < b->id;
}

/* The alerts as one JSON array on stdout, streamed alert by alert. */
static void
put_json(const struct alert *v, size_t n)
{
	struct json_writer *w = json_writer_new(stdout);
	char t[TIME_RFC3339_LEN];

	json_array_open(w);
	for (size_t i = 0; i < n; i++) {
		const struct alert *a = &v[i];
		json_map_open(w);
		json_kstr(w, "host", a->host);
		json_kstr(w, "subject", a->device[0] != '\0' ? a->device : NULL);
		json_kstr(w, "metric", a->rule);
		json_kstr(w, "severity", alert_sev_name(a->sev));
		json_knum(w, "value", a->value, 4, 0);	/* NaN: null */
		rfc3339(a->raised_ms, t, sizeof t);
		json_kstr(w, "since", t);
		if (a->cleared_ms != 0)
			rfc3339(a->cleared_ms, t, sizeof t);
		json_kstr(w, "cleared", a->cleared_ms != 0 ? t : NULL);
		json_kbool(w, "acked", a->ack_ms != 0);
		if (alert_snoozed(a, order_now))
			rfc3339(a->snooze_until_ms, t, sizeof t);
		json_kstr(w, "snoozed_until", alert_snoozed(a, order_now) ? t : NULL);
		json_kstr(w, "message", a->message);
		json_map_close(w);
	}
	json_array_close(w);
	json_writer_end(w);
}

static void
put_csv(struct buf *b, const struct alert *v, size_t n)
{
	char t[40], num[48];
	static const char head[] = "host,subject,metric,severity,value,since,cleared,acked,"
	    "message,snoozed_until\n";

	buf_append(b, head, sizeof head - 1);
	for (size_t i = 0; i < n; i++) {
		const struct alert *a = &v[i];
		csv_field(b, a->host);
		buf_append(b, ",", 1);
		csv_field(b, a->device);
		buf_append(b, ",", 1);
		csv_field(b, a->rule);
		buf_append(b, ",", 1);
		csv_field(b, alert_sev_name(a->sev));
		buf_append(b, ",", 1);
		num[0] = '\0';
		if (!isnan(a->value))
			snprintf(num, sizeof num, "%.4g", a->value);
		csv_field(b, num);
		buf_append(b, ",", 1);
		rfc3339(a->raised_ms, t, sizeof t);
		csv_field(b, t);
		buf_append(b, ",", 1);
		t[0] = '\0';
		if (a->cleared_ms != 0)
			rfc3339(a->cleared_ms, t, sizeof t);
		csv_field(b, t);
		buf_append(b, ",", 1);
		csv_field(b, a->ack_ms != 0 ? "true" : "false");
		buf_append(b, ",", 1);
		csv_field(b, a->message);
		buf_append(b, ",", 1);
		t[0] = '\0';
		if (alert_snoozed(a, order_now))
			rfc3339(a->snooze_until_ms, t, sizeof t);
		csv_field(b, t);
		buf_append(b, "\n", 1);
	}
}

/* "5s", "3m", "2h", "4d": how long ago ms was. */
static void
ago(int64_t now, int64_t ms, char *buf, size_t len)
{
	int64_t s = (now - ms) / 1000;
	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(buf, len, "%llds", (long long)s);
	else if (s < 7200)
		snprintf(buf, len, "%lldm", (long long)(s / 60));
	else if (s < 172800)
		snprintf(buf, len, "%lldh", (long long)(s / 3600));
	else
		snprintf(buf, len, "%lldd", (long long)(s / 86400));
}

static void
put_table(struct buf *b, const struct alert *v, size_t n, int all)
{
	int64_t now = now_wall_ms();
	char line[ALERT_MESSAGE_MAX + 256], since[16];
	size_t active = 0, snoozed = 0;

	for (size_t i = 0; i < n; i++) {
		snoozed += alert_snoozed(&v[i], order_now);
		active += v[i].cleared_ms == 0 && !alert_snoozed(&v[i], order_now);
	}
	if (n == 0) {
		buf_printf(b, all ? "no alerts in the cache\n" : "no active alerts\n");
		return;
	}
	buf_printf(b, "%-5s %-8s %5s %-20s %-14s %-18s %s\n", "SEV", "STATE", "SINCE", "HOST",
	    "SUBJECT", "METRIC", "MESSAGE");
	for (size_t i = 0; i < n; i++) {
		const struct alert *a = &v[i];
		const char *state = a->cleared_ms ? "cleared" : alert_snoozed(a, order_now) ?
		    "snoozed" : a->ack_ms ? "acked" : "active";
		ago(now, a->cleared_ms ? a->cleared_ms : a->raised_ms, since, sizeof since);
		snprintf(line, sizeof line, "%-5s %-8s %5s %-20s %-14s %-18s %s\n",
		    alert_sev_name(a->sev), state, since, a->host, a->device[0] ? a->device : "-",
		    a->rule, a->message);
		buf_append(b, line, strlen(line));
	}
	if (snoozed > 0)
		buf_printf(b, "%zu active, %zu snoozed, %zu cleared\n", active, snoozed,
		    n - active - snoozed);
	else
		buf_printf(b, "%zu active, %zu cleared\n", active, n - active);
}

int
cmd_alerts(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "config", required_argument, NULL, 'c' },
		{ "cache", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cfg_path = NULL, *cache = NULL;
	enum cmd_format fmt = CMD_TABLE;
	int all = 0, ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, ":af:c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			all = 1;
			break;
		case 'f':
			if ((rc = cmd_format_parse("alerts", optarg, &fmt)) != 0)
				return rc;
			break;
		case 'c':
			cfg_path = optarg;
			break;
		case 'C':
			cache = optarg;
			break;
		case 'h':
			usage();
			return 0;
		default:
			return cmd_bad_option("alerts", ch, argv);
		}
	}
	if (optind < argc)
		return cmd_usage_error("alerts", "unexpected argument '%s'", argv[optind]);

	struct config *cfg = cmd_load_config(cfg_path);
	if (cfg == NULL)
		return EXIT_CONFIG;
	struct store *st = cmd_open_store(cfg, cache, STORE_READONLY);
	if (st == NULL) {
		config_free(cfg);
		return 1;
	}
	struct alert_set set;
	char *cause = NULL;
	alert_set_init(&set);
	rc = alert_store_list(st, NULL, all ? 1 : 0, all ? ALERTS_ALL_MAX : 0, &set, &cause);
	store_close(st);
	if (rc != 0) {
		fprintf(stderr, "opsdeck: alerts: %s\n", cause);
		free(cause);
		alert_set_free(&set);
		config_free(cfg);
		return 1;
	}
	/* hosts the configuration no longer names are hidden (opsdeck forget) */
	size_t k = 0;
	for (size_t i = 0; i < set.n; i++)
		if (!cmd_hides_unknown(cfg, cache) || config_knows_host(cfg, set.v[i].host, NULL))
			set.v[k++] = set.v[i];
	set.n = k;
	config_free(cfg);
	order_now = now_wall_ms();
	qsort(set.v, set.n, sizeof *set.v, alert_order);
	struct buf b;
	buf_init(&b, 0);
	if (fmt == CMD_JSON)
		put_json(set.v, set.n);
	else if (fmt == CMD_CSV)
		put_csv(&b, set.v, set.n);
	else
		put_table(&b, set.v, set.n, all);
	if (b.len > 0)	/* json went to stdout as it was written */
		fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
	alert_set_free(&set);
	return fflush(stdout) == 0 ? 0 : 1;
}
