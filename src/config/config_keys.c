/*
 * config_keys.c: the keys of opsdeck.yaml(5) in one table (config_keys.h).
 *
 * Adding a key: one row here (its place, type, default, help, and the field
 * it sets), its entry in man/opsdeck.yaml.5 (tests/man_config.sh fails until
 * it is there) and, for a new place or a key with rules of its own, a case in
 * the walker of its place in config.c.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "opsdeck/config.h"
#include "opsdeck/config_keys.h"
#include "opsdeck/metrics.h"
#include "opsdeck/util.h"

const char *const config_kind_names[] = { "node", "testbed", "scheduler", "prometheus", NULL };
const char *const config_policy_names[] = { "strict", "accept-new", NULL };
const char *const config_transport_names[] = { "ssh", "local", NULL };

/* CONFIG_T_CHOICE writes an int into these enum fields (cfg_set). */
_Static_assert(sizeof(enum group_kind) == sizeof(int), "enum group_kind is an int");
_Static_assert(sizeof(enum hostkey_policy) == sizeof(int), "enum hostkey_policy is an int");

#define NF	CONFIG_NO_FIELD

/* A key read by its place's walker. */
#define WALK(n, id, pl, ty, tt, def, help) \
	{ n, id, pl, ty, tt, def, help, NF, NF, NF, 0, 0, NULL }
/* A key that sets field f of struct st (at: where its position goes). */
#define FIELD(n, id, pl, ty, tt, def, help, st, f, seen, at, lo, hi, ch) \
	{ n, id, pl, ty, tt, def, help, offsetof(st, f), seen, at, lo, hi, ch }

const struct config_key config_keys[] = {
	/* top level */
	WALK("defaults", CK_DEFAULTS, CONFIG_AT_TOP, CONFIG_T_SECTION, "map", "-",
	    "connection settings every group inherits"),
	WALK("groups", CK_GROUPS, CONFIG_AT_TOP, CONFIG_T_SPECIAL, "list of groups", "required",
	    "the groups of hosts to watch (optional when 'budget' is given)"),
	FIELD("cache", CK_CACHE, CONFIG_AT_TOP, CONFIG_T_PATH, "path",
	    "$XDG_STATE_HOME/opsdeck/cache.db", "the SQLite cache of samples and alerts",
	    struct config, cache, NF, offsetof(struct config, cache_at), 0, 0, NULL),
	FIELD("theme", CK_THEME, CONFIG_AT_TOP, CONFIG_T_PATH, "theme name or path", "default",
	    "the console's colours (opsdeck-theme(5))",
	    struct config, theme, NF, offsetof(struct config, theme_at), 0, 0, NULL),
	FIELD("budget", CK_BUDGET, CONFIG_AT_TOP, CONFIG_T_PATH, "path", "-",
	    "the budget plan (opsdeck-budget(5)), relative to this file",
	    struct config, budget, NF, offsetof(struct config, budget_at), 0, 0, NULL),
	FIELD("listen", CK_LISTEN, CONFIG_AT_TOP, CONFIG_T_STRING, "ADDR:PORT", "-",
	    "collect serves Prometheus metrics at http://ADDR:PORT/metrics",
	    struct config, listen, NF, offsetof(struct config, listen_at), 0, 0, NULL),
	WALK("shard", CK_SHARD, CONFIG_AT_TOP, CONFIG_T_SPECIAL, "K/N", "1/1",
	    "watch only the hosts whose name hashes to shard K of N"),
	WALK("thresholds", CK_THRESHOLDS, CONFIG_AT_TOP, CONFIG_T_SECTION,
	    "map of metric paths", "-", "alert levels per metric (check-config --metrics)"),
	WALK("retention", CK_RETENTION, CONFIG_AT_TOP, CONFIG_T_SECTION, "map", "-",
	    "how long samples and rollups are kept"),
	FIELD("connect_window", CK_CONNECT_WINDOW, CONFIG_AT_TOP, CONFIG_T_INT,
	    "integer 1-1024", "64", "connections set up at once (hosts behind a ProxyJump hop "
	    "share its logins)", struct config, connect_window, NF, NF, 1,
	    CONFIG_MAX_CONNECT_WINDOW, NULL),
	FIELD("read_only", CK_READ_ONLY, CONFIG_AT_TOP, CONFIG_T_BOOL, "true|false", "false",
	    "the console refuses every action on hosts (S, :run, :drain, :resume)",
	    struct config, read_only, NF, NF, 0, 0, NULL),
	FIELD("action_timeout", CK_ACTION_TIMEOUT, CONFIG_AT_TOP, CONFIG_T_DURATION,
	    "duration >= 100ms", "60s", "a :run, :drain or :resume command still running "
	    "then is stopped (its channel closed, the command killed on the host)",
	    struct config, action_timeout_ms, NF, NF, CONFIG_MIN_INTERVAL_MS, 0, NULL),
	WALK("notify", CK_NOTIFY, CONFIG_AT_TOP, CONFIG_T_SPECIAL, "list: program and arguments",
	    "-", "run on every alert raised and cleared, the alert as JSON on its stdin"),
	FIELD("notify_rate", CK_NOTIFY_RATE, CONFIG_AT_TOP, CONFIG_T_INT, "integer 1-10000",
	    "10", "notifications a minute at most; past it one summary of those suppressed",
	    struct config, notify_rate, NF, NF, 1, 10000, NULL),
	FIELD("notify_timeout", CK_NOTIFY_TIMEOUT, CONFIG_AT_TOP, CONFIG_T_DURATION,
	    "duration >= 100ms", "10s", "a notify command still running then is killed",
	    struct config, notify_timeout_ms, NF, NF, CONFIG_MIN_INTERVAL_MS, 0, NULL),
	FIELD("notify_log", CK_NOTIFY_LOG, CONFIG_AT_TOP, CONFIG_T_PATH, "path", "/dev/null",
	    "the notify command's output and opsdeck's notes on it are appended here",
	    struct config, notify_log, NF, offsetof(struct config, notify_log_at), 0, 0, NULL),

	/* groups (and the connection settings below) */
	WALK("name", CK_NAME, CONFIG_AT_GROUP, CONFIG_T_SPECIAL, "string, <= 64 bytes",
	    "required", "the group's name, unique"),
	FIELD("kind", CK_KIND, CONFIG_AT_GROUP, CONFIG_T_CHOICE,
	    "node|testbed|scheduler|prometheus",
	    "node", "what the hosts are; sets the default probes",
	    struct group, kind, NF, NF, 0, 0, config_kind_names),
	WALK("hosts", CK_HOSTS, CONFIG_AT_GROUP, CONFIG_T_SPECIAL,
	    "list of host ranges or host maps", "required",
	    "host names with pdsh-style ranges: gpu[001-064], or maps of 'host' and 'address' "
	    "(none for kind prometheus)"),
	WALK("probes", CK_PROBES, CONFIG_AT_GROUP, CONFIG_T_SPECIAL, "list of probe names",
	    "by kind", "the probes to run on each host (probe_table)"),
	FIELD("transport", CK_TRANSPORT, CONFIG_AT_GROUP, CONFIG_T_CHOICE, "ssh|local", "ssh",
	    "local runs the probes on this machine",
	    struct group, local, NF, NF, 0, 0, config_transport_names),
	FIELD("command", CK_COMMAND, CONFIG_AT_GROUP, CONFIG_T_STRING, "string",
	    "the probe's own", "kind testbed: the controller's report command",
	    struct group, command, NF, NF, 0, 0, NULL),
	FIELD("url", CK_URL, CONFIG_AT_GROUP, CONFIG_T_STRING, "http(s) URL", "-",
	    "kind prometheus: the Prometheus server whose HTTP API is read",
	    struct group, url, NF, offsetof(struct group, url_at), 0, 0, NULL),
	FIELD("selector", CK_SELECTOR, CONFIG_AT_GROUP, CONFIG_T_STRING, "{label matchers}",
	    "node_exporter jobs", "kind prometheus: which targets, e.g. {job=\"node\"}",
	    struct group, selector, NF, offsetof(struct group, selector_at), 0, 0, NULL),
	FIELD("scheduler", CK_SCHEDULER, CONFIG_AT_GROUP, CONFIG_T_STRING, "group name",
	    "the only scheduler group", "the scheduler group whose head node drains and "
	    "resumes these hosts in Slurm (:drain, :resume)",
	    struct group, scheduler, NF, offsetof(struct group, scheduler_at), 0, 0, NULL),

	/* an item of hosts written as a map: names and where they are */
	WALK("host", CK_HOST, CONFIG_AT_HOST, CONFIG_T_SPECIAL, "host range", "required",
	    "the names shown and looked up in ~/.ssh/config: gpu[001-064]"),
	WALK("address", CK_ADDRESS, CONFIG_AT_HOST, CONFIG_T_SPECIAL, "address range",
	    "HostName, else the name", "where to connect, one per name: 10.0.1.[1-64]"),

	/* connection settings: defaults and groups */
	FIELD("user", CK_USER, CONFIG_AT_CONN, CONFIG_T_STRING, "string", "local user",
	    "the SSH user name", struct conn_settings, user, NF, NF, 0, 0, NULL),
	FIELD("port", CK_PORT, CONFIG_AT_CONN, CONFIG_T_INT, "integer 1-65535", "22",
	    "the SSH port", struct conn_settings, port, NF, NF, 1, 65535, NULL),
	FIELD("identity", CK_IDENTITY, CONFIG_AT_CONN, CONFIG_T_PATH, "path",
	    "agent, ~/.ssh", "the private key (mode 0600 or stricter)",
	    struct conn_settings, identity, NF, offsetof(struct conn_settings, identity_at),
	    0, 0, NULL),
	FIELD("known_hosts", CK_KNOWN_HOSTS, CONFIG_AT_CONN, CONFIG_T_PATH, "path",
	    "~/.ssh/known_hosts", "the host keys opsdeck trusts",
	    struct conn_settings, known_hosts, NF,
	    offsetof(struct conn_settings, known_hosts_at), 0, 0, NULL),
	FIELD("host_key_policy", CK_HOST_KEY_POLICY, CONFIG_AT_CONN, CONFIG_T_CHOICE,
	    "strict|accept-new", "strict", "what to do with a host key not in known_hosts",
	    struct conn_settings, hostkey_policy, NF, NF, 0, 0, config_policy_names),
	FIELD("interval", CK_INTERVAL, CONFIG_AT_CONN, CONFIG_T_DURATION, "duration >= 100ms",
	    "2s", "how often each host is sampled",
	    struct conn_settings, interval_ms, NF, NF, CONFIG_MIN_INTERVAL_MS, 0, NULL),
	FIELD("timeout", CK_TIMEOUT, CONFIG_AT_CONN, CONFIG_T_DURATION, "duration >= 100ms",
	    "10s", "deadline to connect and for each frame",
	    struct conn_settings, timeout_ms, NF, NF, CONFIG_MIN_INTERVAL_MS, 0, NULL),
	FIELD("jump_channels", CK_JUMP_CHANNELS, CONFIG_AT_CONN, CONFIG_T_INT, "integer 1-4096",
	    "128", "hosts that share one login to a ProxyJump hop (ssh_config ProxyJump)",
	    struct conn_settings, jump_channels, NF, NF, 1, 4096, NULL),
	FIELD("probe_timeout", CK_PROBE_TIMEOUT, CONFIG_AT_CONN, CONFIG_T_DURATION,
	    "duration >= 100ms", "timeout-2s", "a probe command still running after "
	    "this is killed on the node, with its children",
	    struct conn_settings, probe_timeout_ms, NF, NF, CONFIG_MIN_INTERVAL_MS, 0, NULL),
	FIELD("backoff_max", CK_BACKOFF_MAX, CONFIG_AT_CONN, CONFIG_T_DURATION,
	    "duration >= 100ms", "60s", "the longest wait between attempts to reach a host "
	    "that failed", struct conn_settings, backoff_max_ms, NF, NF,
	    CONFIG_MIN_INTERVAL_MS, 0, NULL),

	/* thresholds: metric path -> these keys */
	FIELD("warn", CK_WARN, CONFIG_AT_THRESHOLD, CONFIG_T_NUMBER, "number", "-",
	    "the level that raises a warning", struct threshold, warn,
	    offsetof(struct threshold, has_warn), NF, 0, 0, NULL),
	FIELD("crit", CK_CRIT, CONFIG_AT_THRESHOLD, CONFIG_T_NUMBER, "number", "-",
	    "the level that raises a critical alert", struct threshold, crit,
	    offsetof(struct threshold, has_crit), NF, 0, 0, NULL),
	FIELD("reverse", CK_REVERSE, CONFIG_AT_THRESHOLD, CONFIG_T_BOOL, "true|false", "false",
	    "turn the metric's direction around (alert at or below the levels)",
	    struct threshold, reverse, NF, NF, 0, 0, NULL),

	/* retention */
	FIELD("raw", CK_RAW, CONFIG_AT_RETENTION, CONFIG_T_DURATION, "duration >= 1m", "6h",
	    "how long raw samples are kept", struct retention, raw_ms, NF, NF, 60000, 0, NULL),
	FIELD("minute", CK_MINUTE, CONFIG_AT_RETENTION, CONFIG_T_DURATION, "duration >= 1m",
	    "30d", "how long 1-minute rollups are kept", struct retention, minute_ms, NF, NF,
	    60000, 0, NULL),
	FIELD("hour", CK_HOUR, CONFIG_AT_RETENTION, CONFIG_T_DURATION, "duration >= 1m", "2y",
	    "how long 1-hour rollups are kept", struct retention, hour_ms, NF, NF, 60000, 0,
	    NULL),
	{ NULL, CK_COUNT, 0, CONFIG_T_SPECIAL, NULL, NULL, NULL, NF, NF, NF, 0, 0, NULL },
};

/* The row for key `name` at one place (config_keys.h), or NULL. */
const struct config_key *
config_key_find(unsigned place, const char *name)
{
	for (const struct config_key *k = config_keys; k->name != NULL; k++)
		if ((k->places & place) != 0 && strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

/* The names at place into out[0..max), NULL-terminated; returns how many. */
size_t
config_key_names(unsigned place, const char **out, size_t max)
{
	size_t n = 0;

	if (max == 0)
		return 0;
	for (const struct config_key *k = config_keys; k->name != NULL && n + 1 < max; k++)
		if ((k->places & place) != 0)
			out[n++] = k->name;
	out[n] = NULL;
	return n;
}

/* "defaults,group" for a bit set of places; buf of size bytes, returned. */
const char *
config_place_text(unsigned places, char *buf, size_t size)
{
	static const struct { unsigned bit; const char *name; } names[] = {
		{ CONFIG_AT_TOP, "top" }, { CONFIG_AT_DEFAULTS, "defaults" },
		{ CONFIG_AT_GROUP, "group" }, { CONFIG_AT_THRESHOLD, "threshold" },
		{ CONFIG_AT_RETENTION, "retention" }, { CONFIG_AT_HOST, "host" },
	};
	size_t o = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < OD_ARRAY_LEN(names); i++) {
		if ((places & names[i].bit) == 0)
			continue;
		int w = snprintf(buf + o, size - o, "%s%s", o > 0 ? "," : "", names[i].name);
		if (w < 0 || (size_t)w >= size - o)
			break;
		o += (size_t)w;
	}
	return buf;
}

/* See config_keys.h: the key table as columns as wide as their widest cell. */
void
config_keys_print(FILE *fp)
{
	char where[64];
	int wk = 3, ww = 5, wt = 4, wd = 7;

	for (const struct config_key *k = config_keys; k->name != NULL; k++) {
		wk = OD_MAX(wk, (int)strlen(k->name));
		ww = OD_MAX(ww, (int)strlen(config_place_text(k->places, where, sizeof where)));
		wt = OD_MAX(wt, (int)strlen(k->type_text));
		wd = OD_MAX(wd, (int)strlen(k->def));
	}
	fprintf(fp, "%-*s  %-*s  %-*s  %-*s  %s\n", wk, "KEY", ww, "WHERE", wt, "TYPE", wd,
	    "DEFAULT", "HELP");
	for (const struct config_key *k = config_keys; k->name != NULL; k++)
		fprintf(fp, "%-*s  %-*s  %-*s  %-*s  %s\n", wk, k->name, ww,
		    config_place_text(k->places, where, sizeof where), wt, k->type_text, wd,
		    k->def, k->help);
}

/* See config_keys.h: metrics.h's table as columns. */
void
config_metrics_print(FILE *fp)
{
	fprintf(fp, "%-22s %-5s %-6s %s\n", "PATH", "UNIT", "WORSE", "HELP");
	for (const struct metric_def *m = metric_table; m->path != NULL; m++)
		fprintf(fp, "%-22s %-5s %-6s %s\n", m->path, m->unit[0] != '\0' ? m->unit : "-",
		    m->dir == METRIC_LOWER_WORSE ? "lower" : "higher", m->help);
	fprintf(fp, "%-22s %-5s %-6s %s\n", "devices.KIND.METRIC", "-", "-",
	    "a test-bed device metric, named by its controller; devices.METRIC: every kind");
}
