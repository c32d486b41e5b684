/*
 * testbed.h: test-bed controllers and the devices behind them
 * (man/opsdeck-testbed.5).
 *
 * A controller host answers its configured command (default `opsdeck-report`)
 * with one YAML document: schema, controller, sector, site and a list of
 * devices, each with a state and metrics. Three layers, each pure:
 *
 *   testbed_parse()        bytes -> struct testbed_report (probe_testbed.c)
 *   devices_track_*()      previous device list + report or "unreachable"
 *                          -> current list with derived states and the
 *                          state transitions (devices.c)
 *   testbed_sim_report()   contract YAML for simulated controllers of each
 *                          sector, with scripted faults (testbed_sim.c)
 *
 * and one that touches the cache (devices_store.c): the latest devices per
 * controller, their transitions, metric history and acknowledgements.
 *
 * Every string in these records came from a remote host and is sanitised
 * (sanitize.h) and length-capped by the parser; the fixed-size fields are
 * always NUL-terminated.
 */
#ifndef OPSDECK_TESTBED_H
#define OPSDECK_TESTBED_H

#include <stddef.h>
#include <stdint.h>

#include "opsdeck/config.h"
#include "opsdeck/hostlist.h"

#define TESTBED_SCHEMA		1
#define TESTBED_COMMAND		"opsdeck-report"	/* default controller command */
#define TESTBED_MAX_DEVICES	20000	/* devices in one report */
#define TESTBED_MAX_METRICS	64	/* metrics of one device */
#define TESTBED_MAX_DEPTH	16	/* YAML nesting, unknown keys included */
#define TESTBED_MAX_NODES	1000000	/* YAML scalars, lists and maps in one report */
/* Longest value in bytes (before sanitising); longer is a parse error. */
#define TESTBED_ID_MAX		64	/* controller and device ids */
#define TESTBED_NAME_MAX	128	/* device name (UTF-8) */
#define TESTBED_KIND_MAX	64
#define TESTBED_SECTOR_MAX	32
#define TESTBED_SITE_MAX	128
#define TESTBED_MESSAGE_MAX	512
#define TESTBED_FIRMWARE_MAX	64
#define TESTBED_METRIC_MAX	64	/* metric name */
#define TESTBED_UNIT_MAX	16
#define TESTBED_DATE_MAX	40	/* `since` and `calibrated` as written */

/* A device missing from this many reports in a row becomes DEVICE_STALE. */
#define DEVICES_STALE_MISSED	3
/* Devices a tracker keeps for one controller; stale ones beyond are dropped. */
#define DEVICES_MAX_TRACKED	(2 * TESTBED_MAX_DEVICES)

/*
 * The first five are what a controller reports; DEVICE_STALE and
 * DEVICE_UNKNOWN are derived by the tracker. The order is the order of
 * severity for sorting only: fault, offline, stale, unknown, degraded,
 * maintenance, ok (device_state_rank).
 */
enum device_state {
	DEVICE_OK,
	DEVICE_DEGRADED,
	DEVICE_FAULT,
	DEVICE_OFFLINE,
	DEVICE_MAINTENANCE,
	DEVICE_STALE,
	DEVICE_UNKNOWN,
	DEVICE_STATE_COUNT
};
#define DEVICE_NONE	(-1)	/* `from` of a device seen for the first time */

/* "ok", "degraded", ..., "stale", "unknown"; "none" for DEVICE_NONE. */
const char *device_state_name(int s);
/* The state called word (any of the seven), or -1. */
int device_state_parse(const char *word);
/* 0 (most urgent: fault) .. 6 (ok), for sorting. */
int device_state_rank(int s);

struct device_metric {
	char	 name[TESTBED_METRIC_MAX + 1];	/* [A-Za-z0-9_-] */
	char	 unit[TESTBED_UNIT_MAX + 1];	/* sanitised, may be "" */
	double	 value;				/* NaN: the report said null */
};

struct device {
	char	 id[TESTBED_ID_MAX + 1];	/* printable ASCII, no blanks */
	char	*name;				/* owned, sanitised UTF-8, never NULL */
	char	 kind[TESTBED_KIND_MAX + 1];	/* [A-Za-z0-9_-] */
	char	*message;			/* owned, sanitised, never NULL, may be "" */
	char	 firmware[TESTBED_FIRMWARE_MAX + 1];
	char	 calibrated[11];		/* "YYYY-MM-DD" or "" */
	enum device_state state;	/* parser: as reported; tracker: derived */
	enum device_state reported;	/* the last state the controller reported */
	int64_t	 since_ms;		/* wall clock; parser: 0 when not given */
	int64_t	 seen_ms;		/* tracker: time of the last report that had it */
	int	 missed;		/* tracker: reports in a row without it */
	int	 changed;		/* tracker: differs from the previous list */
	int	 line;			/* parser: 1-based line of the item, 0: none */
	struct device_metric *metrics;	/* owned */
	int	 nmetrics;
};

struct testbed_report {
	int	 schema;
	char	 controller[TESTBED_ID_MAX + 1];
	char	 sector[TESTBED_SECTOR_MAX + 1];	/* "energy", "automotive", ... */
	char	 site[TESTBED_SITE_MAX + 1];		/* sanitised UTF-8, may be "" */
	struct device *devices;		/* owned, in report order */
	size_t	 ndevices;
};

/* ---- parser (probe_testbed.c) ------------------------------------------ */

/*
 * Parses one report: len bytes of YAML (need not be NUL-terminated, at most
 * PROBE_MAX_OUTPUT). Pure: no I/O, no globals, no locale. out is overwritten
 * (call testbed_report_free on it afterwards, also after an error).
 * Returns 0, or -1 and a malloc'd *cause "line N, column M: message"
 * (1-based) for malformed YAML, a missing or mistyped key, a limit exceeded,
 * an alias, a duplicate device id or an unknown state.
 */
int  testbed_parse(const char *data, size_t len, struct testbed_report *out, char **cause);
void testbed_report_free(struct testbed_report *r);

/*
 * Parse function of the `testbed` probe (probe_testbed in probe.h's table):
 * testbed_parse into a struct testbed_report that becomes the report's
 * "testbed" part (report_part_get), stored by the devices feature.
 */
struct host_report;
struct probe;
extern const struct probe probe_testbed;
int  testbed_probe_parse(const char *data, size_t len, struct host_report *r, char **cause);

/* ---- device records ----------------------------------------------------- */

void device_init(struct device *d);	/* zeroed, name and message "" */
void device_free(struct device *d);	/* frees what d owns */
void device_copy(struct device *dst, const struct device *src);	/* deep; dst uninitialised */
/* The metric called name, or NULL. */
const struct device_metric *device_metric_find(const struct device *d, const char *name);

/* ---- tracker (devices.c) ----------------------------------------------- */

struct device_transition {
	char	 device[TESTBED_ID_MAX + 1];
	int	 from;		/* enum device_state or DEVICE_NONE */
	int	 to;		/* enum device_state */
	int64_t	 ts_ms;
	char	*message;	/* owned: the device's message or the reason */
};

/* What one report or one "unreachable" did to a controller's devices. */
struct device_update {
	struct device *devices;		/* owned: the current list, sorted by id */
	size_t	 ndevices;
	struct device_transition *tr;	/* owned, in device id order */
	size_t	 ntr;
	char	(*removed)[TESTBED_ID_MAX + 1];	/* ids dropped past DEVICES_MAX_TRACKED */
	size_t	 nremoved;
};

void device_update_free(struct device_update *u);

/*
 * A report arrived at now_ms. prev (nprev devices sorted by id, e.g. the
 * previous update's list; may be NULL/0) is read only. Fills *out (which the
 * caller frees with device_update_free):
 *  - a reported device takes its reported state; a change is a transition
 *    at the reported `since` when it is plausible (not in the future, not
 *    before the previous change), else at now_ms;
 *  - a known device missing from the report counts a miss and, at
 *    DEVICES_STALE_MISSED misses in a row, becomes DEVICE_STALE;
 *  - a device seen for the first time is a transition from DEVICE_NONE.
 */
void devices_track_report(const struct device *prev, size_t nprev,
	    const struct testbed_report *rep, int64_t now_ms, struct device_update *out);

/*
 * The controller could not be asked (unreachable, timed out, or its report
 * was unreadable; why says which). Every device becomes DEVICE_UNKNOWN with
 * message "controller unreachable: WHY"; its `reported` state is kept so the
 * next report's change is measured from it. Misses are not counted.
 */
void devices_track_unknown(const struct device *prev, size_t nprev, int64_t now_ms,
	    const char *why, struct device_update *out);

/* Counts of a list per derived state. counts has DEVICE_STATE_COUNT entries. */
void devices_count(const struct device *v, size_t n, size_t *counts);

/* ---- simulated controllers (testbed_sim.c) ------------------------------ */

enum testbed_sector {
	TESTBED_ENERGY,
	TESTBED_AUTOMOTIVE,
	TESTBED_HEALTHCARE,
	TESTBED_SECTOR_COUNT
};

/* "energy", "automotive", "healthcare"; NULL when out of range. */
const char *testbed_sector_name(int sector);
/* The sector called word, or -1. */
int testbed_sector_parse(const char *word);

/* Scripted faults for testbed_sim_report, OR-ed. */
enum {
	TESTBED_SIM_FLAP	= 1 << 0,	/* one device alternates ok and fault each 30 s */
	TESTBED_SIM_FAULT	= 1 << 1,	/* one device goes fault 60 s after its epoch */
	TESTBED_SIM_VANISH	= 1 << 2,	/* one device is absent 60 s after its epoch */
	TESTBED_SIM_MALFORMED	= 1 << 3,	/* a broken line: a parse error at line 7 */
	TESTBED_SIM_HOT		= 1 << 4,	/* one device's temperature climbs past 80 C */
};
#define TESTBED_SIM_EPOCH_MS	1700000000000LL	/* "time 0" of the fault script */
#define TESTBED_SIM_MALFORMED_LINE 7

/*
 * Contract YAML for a simulated controller of a sector: its realistic
 * devices (AI energy diagnosis unit, large driving simulator, bio-signal
 * collector, ...; Korean names), states and metrics that drift with now_ms
 * and are fixed by seed, plus the scripted faults of fault_mode. The script
 * runs in cycles of 10 minutes counted from TESTBED_SIM_EPOCH_MS: in each,
 * device 0 is in fault from 60 s on, device 3 is absent from 60 s on,
 * device 1's temp_c climbs from 45 C by 0.5 C/s; device 2 flaps every 30 s
 * of wall time. Devices also degrade now and then on their own (seeded).
 * ndevices 0 gives the sector's natural set (about 10); larger repeats the
 * kinds with numbered ids, up to TESTBED_MAX_DEVICES. Pure. Returns a
 * malloc'd NUL-terminated document; the caller frees it.
 */
char *testbed_sim_report(const char *controller, int sector, uint64_t seed,
	    int64_t now_ms, int fault_mode);
char *testbed_sim_report_n(const char *controller, int sector, uint64_t seed,
	    int64_t now_ms, int fault_mode, size_t ndevices);

/* ---- the cache (devices_store.c) ---------------------------------------- */

struct store;

/* How often one device's metrics get a row in the history table at most. */
#define DEVICES_METRIC_STEP_MS	10000

/*
 * Creates the device tables when missing (CREATE TABLE IF NOT EXISTS, in its
 * own transaction unless one is open). Every write function calls it; a
 * read-only cache without them reads as empty. 0 or -1 with *cause.
 */
int devices_store_init(struct store *st, char **cause);

/*
 * 1 when the cache knows any test-bed controller, 0 when it knows none, has
 * no device tables or cannot be read.
 */
int devices_store_any(struct store *st);

/*
 * Tables (all keyed by the controller's host name as configured, not the
 * `controller:` id it reports): tb_controllers, tb_devices (latest state,
 * metrics as a blob), tb_transitions, tb_metric_samples, tb_acks.
 *
 * Records one controller's state after an update: its sector and site (rep
 * may be NULL when unreachable: the stored ones are kept), whether it
 * answered and why not (error "" when it did), the devices whose `changed`
 * flag is set, every transition, removed devices, and a metric sample of
 * every reported device when DEVICES_METRIC_STEP_MS passed since the
 * controller's last samples. Runs in the caller's open
 * transaction (store_begin) or in one of its own. 0 or -1 with *cause.
 */
int devices_store_put(struct store *st, const char *controller,
	    const struct testbed_report *rep, const char *error,
	    const struct device_update *u, int64_t now_ms, char **cause);

/*
 * The last known devices of one controller, sorted by id, with the tracker's
 * fields (reported state, misses): what devices_track_* needs as `prev`
 * after a restart, and what `snapshot` prints. Caller frees with
 * devices_free. 0 (an unknown controller gives none) or -1 with *cause.
 */
int  devices_store_get(struct store *st, const char *controller,
	    struct device **out, size_t *n, char **cause);
/*
 * The same devices as they stood at at_ms, from their transitions (devices
 * the cache did not know yet are left out). Free with devices_free.
 */
int  devices_store_get_at(struct store *st, const char *controller, int64_t at_ms,
	    struct device **out, size_t *n, char **cause);
void devices_free(struct device *v, size_t n);

struct device_ack {
	char	*note;		/* owned; sanitised */
	char	 user[64];
	int64_t	 ts_ms;
	enum device_state state;	/* the state that was acknowledged */
	int64_t	 since_ms;		/* of that state */
};

/* One device with where it is, for the Devices pane. */
struct device_row {
	char	 controller[HOSTNAME_MAX + 1];	/* the controller's host name */
	char	 sector[TESTBED_SECTOR_MAX + 1];
	struct device dev;		/* owned strings and metrics */
	int	 acked;			/* ack covers the current state: same state, given
					   after the device entered it */
	struct device_ack ack;		/* latest acknowledgement, note NULL: none */
};

struct controller_row {
	char	 controller[HOSTNAME_MAX + 1];	/* host name (the key everywhere) */
	char	 report_id[TESTBED_ID_MAX + 1];	/* `controller:` of its last report */
	char	 sector[TESTBED_SECTOR_MAX + 1];
	char	 site[TESTBED_SITE_MAX + 1];
	int	 reachable;		/* the last attempt got a report */
	char	 error[256];		/* why not, "" */
	int64_t	 reported_ms;		/* last report, 0: never */
	int64_t	 updated_ms;		/* last attempt */
	size_t	 counts[DEVICE_STATE_COUNT];
	size_t	 ndevices;
};

struct sector_row {
	char	 sector[TESTBED_SECTOR_MAX + 1];
	size_t	 ncontrollers;
	size_t	 counts[DEVICE_STATE_COUNT];
	size_t	 ndevices;
};

/* Which devices a view shows; zeroed: all. */
struct devices_filter {
	unsigned state_mask;	/* 1 << enum device_state; 0: every state */
	const char *sector;	/* NULL: every sector */
	const char *kind;	/* NULL: every kind */
	const char *controller;	/* NULL: every controller */
};

struct devices_view {
	struct sector_row *sectors;	/* by name */
	size_t	 nsectors;
	struct controller_row *controllers;	/* by sector, then id */
	size_t	 ncontrollers;
	struct device_row *devices;	/* by sector, controller, then device id */
	size_t	 ndevices;
};

/*
 * Everything the Devices pane shows: sectors and controllers with counts per
 * state (of every device, the filter aside) and the devices that pass the
 * filter, each with its latest acknowledgement. Caller frees with
 * devices_view_free. 0 or -1 with *cause.
 */
int  devices_store_view(struct store *st, const struct devices_filter *f,
	    struct devices_view *out, char **cause);
void devices_view_free(struct devices_view *v);

/*
 * State changes of one device, newest first, at most max (0: 1000).
 * Caller frees with devices_transitions_free. 0 or -1 with *cause.
 */
int  devices_store_transitions(struct store *st, const char *controller, const char *device,
	    size_t max, struct device_transition **out, size_t *n, char **cause);
void devices_transitions_free(struct device_transition *v, size_t n);

struct device_point {
	int64_t	 ts_ms;
	double	 value;		/* NaN: no reading */
};

/* One metric of one device in [from_ms, to_ms], oldest first. Caller frees *out. */
int devices_store_metric(struct store *st, const char *controller, const char *device,
	    const char *metric, int64_t from_ms, int64_t to_ms,
	    struct device_point **out, size_t *n, char **cause);

/*
 * Acknowledges the current state of a device with a note (sanitised, at most
 * TESTBED_MESSAGE_MAX bytes), the local user name (getpwuid) and now_ms; the
 * device's open alerts get the same acknowledgement. -1 with *cause when the
 * device is not in the cache.
 */
int devices_store_ack(struct store *st, const char *controller, const char *device,
	    const char *note, int64_t now_ms, char **cause);

/* Acknowledgements of one device, newest first, at most max (0: 100). */
int  devices_store_acks(struct store *st, const char *controller, const char *device,
	    size_t max, struct device_ack **out, size_t *n, char **cause);
void devices_acks_free(struct device_ack *v, size_t n);

/* Deletes transitions and metric rows older than before_ms. */
int devices_store_prune(struct store *st, int64_t before_ms, char **cause);

#endif
