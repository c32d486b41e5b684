/*
 * alert.h: pure rules from states and thresholds to alerts, and the alert
 * history in the cache.
 *
 * An alert is keyed by (host, device, rule): device is "" for a host-level
 * rule, a test-bed device id, or "gpuN" for one GPU of a host. The rules:
 *
 *   host.state        a host that is not up: crit (stale, warn; connecting none)
 *   <host metric>     config thresholds on a metric of metrics.h's table,
 *                     for a host that is up: "cpu.util_pct", "load.0", one
 *                     alert per GPU for "gpus.<metric>" (device "gpuN"), per
 *                     BMC sensor for "sensors.<metric>" (device: its name)
 *   device.state      a test-bed device in fault (crit), offline (warn) or
 *                     stale (warn). A device whose controller is unreachable
 *                     (unknown) keeps the alerts of its last reported state.
 *   devices.<...>     config thresholds on device metrics:
 *                     "devices.<metric>" for every device with that metric,
 *                     "devices.<kind>.<metric>" for devices of one kind (it
 *                     wins over "devices.<metric>"). Config paths are lower
 *                     case with '_': a part names a kind or metric when they
 *                     are equal with upper case folded and '-' read as '_'
 *                     ("devices.ess_monitor.cell_temp_c" for kind
 *                     "ess-monitor").
 *
 * A threshold fires at value >= warn / >= crit; when lower is worse
 * (threshold_lower: the metric's direction or `reverse`, for device paths
 * warn > crit) it fires at value <= warn / <= crit (a battery's state of
 * charge, a fan's speed). NaN never fires.
 *
 * An alert lives while its rule holds: each evaluation gives the complete set
 * for a (host, source); alert_diff/alert_store_sync raise what is new, clear
 * what is gone and update what changed severity.
 */
#ifndef OPSDECK_ALERT_H
#define OPSDECK_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "opsdeck/config.h"
#include "opsdeck/hostlist.h"
#include "opsdeck/hoststate.h"
#include "opsdeck/testbed.h"

#define ALERT_RULE_MAX		96
#define ALERT_MESSAGE_MAX	320
#define ALERT_MAX_PER_SYNC	(4 * TESTBED_MAX_DEVICES)	/* beyond: not raised */

enum alert_sev { ALERT_NONE, ALERT_WARN, ALERT_CRIT };

/* Which evaluation an alert came from; a sync replaces one source of a host. */
enum alert_source { ALERT_SRC_HOST, ALERT_SRC_DEVICE };

struct alert {
	char		 host[HOSTNAME_MAX + 1];
	char		 device[TESTBED_ID_MAX + 1];	/* "" for the host itself */
	char		 rule[ALERT_RULE_MAX];		/* "device.state", "cpu.util_pct", ... */
	enum alert_source source;
	enum alert_sev	 sev;
	double		 value;		/* the metric's value, NaN for state rules */
	double		 limit;		/* the threshold crossed, NaN for state rules */
	char		 message[ALERT_MESSAGE_MAX];	/* sanitised, one line */
	/* From the cache (alert_store_list); 0 / "" in evaluations. */
	int64_t		 id;
	int64_t		 raised_ms, cleared_ms;	/* cleared 0: active */
	char		 ack_user[64];
	char		 ack_note[TESTBED_MESSAGE_MAX + 1];
	int64_t		 ack_ms;		/* 0: not acknowledged */
};

/* A growable list of alerts. */
struct alert_set {
	struct alert	*v;
	size_t		 n, cap;
};

void alert_set_init(struct alert_set *s);
void alert_set_free(struct alert_set *s);
/* Appends a copy of a; returns the copy (valid until the next add). */
struct alert *alert_set_add(struct alert_set *s, const struct alert *a);

const char *alert_sev_name(enum alert_sev s);	/* "none", "warn", "crit" */

/*
 * The level of value against t: ALERT_NONE, ALERT_WARN or ALERT_CRIT, with
 * the limit that was crossed in *limit (may be NULL).
 */
enum alert_sev threshold_level(const struct threshold *t, double value, double *limit);
/* Whether t fires downwards (lower is worse): t->lower, or warn > crit. */
int threshold_lower(const struct threshold *t);

/*
 * The threshold of th[0..nth) that applies to metric `metric` of a device of
 * `kind` ("devices.<kind>.<metric>" before "devices.<metric>"), or NULL.
 */
const struct threshold *alert_device_threshold(const struct threshold *th, size_t nth,
	    const char *kind, const char *metric);

/*
 * Host-level rules for h: its state and every threshold on its metrics.
 * Appends to out (source ALERT_SRC_HOST). Pure.
 */
void alert_eval_host(const struct host_status *h, const struct threshold *th, size_t nth,
	    struct alert_set *out);

/*
 * Device rules for the devices of controller host (a tracker's list): state
 * and thresholds. Appends to out (source ALERT_SRC_DEVICE). Pure.
 */
void alert_eval_devices(const char *host, const struct device *v, size_t n,
	    const struct threshold *th, size_t nth, struct alert_set *out);

/*
 * Compares the active alerts `prev` with a new evaluation `cur` of the same
 * scope, by (host, device, rule): new keys go to raised, keys no longer there
 * to cleared, keys whose severity or message changed to changed (with cur's
 * values). Any output may be NULL. Pure; O((n + m) log(n + m)).
 */
void alert_diff(const struct alert *prev, size_t nprev, const struct alert *cur, size_t ncur,
	    struct alert_set *raised, struct alert_set *cleared, struct alert_set *changed);

/* ---- the cache (alert_store.c) ------------------------------------------ */

struct store;

/* Creates the alert table when missing (as devices_store_init). */
int alert_store_init(struct store *st, char **cause);

/* 1 when the cache has the alert log (older caches and read-only ones may not). */
int alert_store_has_log(struct store *st);

/*
 * Makes the cache's active alerts of (host, source) equal to cur: raises new
 * ones at now_ms, clears those whose cause is gone, updates severity and
 * message of the rest. In the caller's transaction or its own. Writes
 * nothing when nothing changed. 0 or -1 with *cause.
 */
int alert_store_sync(struct store *st, const char *host, enum alert_source source,
	    const struct alert *cur, size_t ncur, int64_t now_ms, char **cause);

/*
 * Host-level rules for one host status (alert_eval_host with cfg's
 * thresholds) synchronised into the cache: what the collector calls for
 * every host after each status change. 0 or -1 with *cause.
 */
int alert_ingest_host(struct store *st, const struct config *cfg, const struct host_status *h,
	    int64_t now_ms, char **cause);

/*
 * Alerts for the Alerts pane: every active one, then those cleared at or
 * after since_ms (0: none), newest first, at most max (0: 1000). host NULL:
 * every host. Appends to out. 0 or -1 with *cause.
 */
int alert_store_list(struct store *st, const char *host, int64_t since_ms, size_t max,
	    struct alert_set *out, char **cause);
/*
 * The alerts active at at_ms (raised by then, not cleared by then), as they
 * stood: a later clear or acknowledgement is not shown. At most max (0:
 * 1000), newest first. 0 or -1 with *cause.
 */
int alert_store_at(struct store *st, int64_t at_ms, size_t max, struct alert_set *out,
	    char **cause);

/*
 * Acknowledges one alert by id with a note and the local user name. -1 with
 * *cause when there is no such alert.
 */
int alert_store_ack(struct store *st, int64_t id, const char *note, int64_t now_ms,
	    char **cause);

/* Deletes alerts cleared before before_ms. */
int alert_store_prune(struct store *st, int64_t before_ms, char **cause);

#endif
