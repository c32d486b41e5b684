/*
 * feature.h: what a report means, as rows of one table.
 *
 * The publisher (publish.c) writes each tick's changes in one transaction by
 * looping over feature_table: host metrics (the status and its samples),
 * test-bed devices (transitions, device alerts), Slurm usage (compute use per
 * tenant, GPUs allocated but idle) and host alerts. A feature row names the
 * probes whose report parts it stores (probe.h, struct report_part), creates
 * its tables, ingests one host's status and queued parts into the open
 * transaction, prunes old rows and frees its per-host state.
 *
 * Nothing is dropped before it is committed: ingest never changes the
 * committed per-host state; it returns the state that holds after this tick
 * in *next, which the publisher installs only after the commit succeeded
 * (and frees after a rollback, when the same parts are ingested again on the
 * next tick). Parts are released only after commit.
 *
 * Adding a feature is one file with its row plus a line in feature_table
 * (features.c); adding a probe whose output a feature stores is its parser
 * file, a line in probe_table (probe_table.c) and its name in the row's
 * probes. docs/DESIGN.md shows the steps.
 */
#ifndef OPSDECK_FEATURE_H
#define OPSDECK_FEATURE_H

#include <stddef.h>
#include <stdint.h>

#include "opsdeck/config.h"
#include "opsdeck/hoststate.h"
#include "opsdeck/probe.h"

struct store;
struct device;
struct alert_set;

/* What every feature's ingest sees of the tick. */
struct feature_tick {
	struct store		*st;
	const struct config	*cfg;
	int64_t			 now_ms;
	/*
	 * Every host's current status, for features that look across hosts
	 * (GPU use of a job's nodes); a copy made on first use, sorted by name.
	 */
	const struct host_status *(*fleet)(const struct feature_tick *t, size_t *n);
	void			*fleet_arg;
	/*
	 * Where alert changes go for notifications (alert_store_sync_events),
	 * posted only after the tick commits; NULL: nobody listens.
	 */
	struct alert_set	*events;
};

/* One host's change in a tick. */
struct feature_host {
	const struct group	*group;
	const struct host_status *status;	/* this tick's */
	const struct queued_part *parts;	/* oldest first */
	size_t			 nparts;
};

struct feature {
	const char	*name;
	/* Probes whose parts it stores, NULL terminated; NULL: none. */
	const char *const *probes;
	/* Creates its tables when missing (outside any tick). 0 or -1 with *cause. */
	int		(*init)(struct store *st, char **cause);
	/*
	 * Writes h into the tick's transaction. `state` is this host's
	 * committed state (NULL at first); a new state goes to *next (NULL: it
	 * stays). Must not change *state. 0, or -1 with *cause.
	 */
	int		(*ingest)(const struct feature_tick *t, const struct feature_host *h,
			    const void *state, void **next, char **cause);
	/* Frees a state of ingest's (NULL: states are not allocated). */
	void		(*state_free)(void *state);
	/* Deletes rows older than before_ms (NULL: nothing to prune). 0 or -1. */
	int		(*prune)(struct store *st, int64_t before_ms, char **cause);
};

/* Every feature, in the order a tick ingests them; NULL terminated. */
extern const struct feature *const feature_table[];

extern const struct feature feature_hosts;
extern const struct feature feature_devices;
extern const struct feature feature_usage;
extern const struct feature feature_alerts;

/* The committed device list of a devices-feature state (NULL: none); how many. */
size_t feature_devices_list(const void *state, const struct device **v);

/* Whether feature f stores the parts of probe p. */
int feature_owns(const struct feature *f, const struct probe *p);

#endif
