/*
 * expo.h: the Prometheus exposition of the collector's latest state, pure:
 * state in, text out (no I/O, no clock, no globals).
 *
 * Two formats: the Prometheus text format 0.0.4 and OpenMetrics 1.0 (chosen
 * from the scraper's Accept header by expo_negotiate). Names follow the
 * exporters people already graph: node_exporter's for CPU, memory, load,
 * network, disks and boot time; dcgm-exporter's for GPUs; ipmi_exporter's
 * for sensors whose unit fits; opsdeck_ names for the rest. Every host's
 * series carry `instance` (the host's name) and `group`.
 */
#ifndef OPSDECK_EXPO_H
#define OPSDECK_EXPO_H

#include <stddef.h>
#include <stdint.h>

#include "opsdeck/hoststate.h"

enum expo_format { EXPO_TEXT, EXPO_OPENMETRICS };

/* A test-bed device as opsdeck_device_state shows it (borrowed strings). */
struct expo_device {
	const char	*controller, *device, *kind, *sector, *state;
};

/* One budget line: a programme (item NULL) or one of its items; won. */
struct expo_budget {
	const char	*programme, *item;
	int64_t		 allocated, spent;
};

/* A tenant's GPU-hours in its current period. */
struct expo_tenant {
	const char	*tenant;
	double		 gpu_hours_used, gpu_hours_allocated;
};

struct expo_input {
	const struct host_status *hosts;
	size_t			 nhosts;
	const struct expo_device *devices;
	size_t			 ndevices;
	const struct expo_budget *budget;
	size_t			 nbudget;
	const struct expo_tenant *tenants;
	size_t			 ntenants;
};

/*
 * The format a scraper asks for: OpenMetrics when its Accept header names
 * application/openmetrics-text (with no q=0), else the text format.
 * accept may be NULL.
 */
enum expo_format expo_negotiate(const char *accept);
/* The Content-Type header value of format f (static). */
const char *expo_content_type(enum expo_format f);

/*
 * The exposition of in, in format f: a malloc'd, NUL-terminated text of *len
 * bytes. Families are contiguous, label values escaped; OpenMetrics ends
 * with "# EOF". Never NULL.
 */
char *expo_render(const struct expo_input *in, enum expo_format f, size_t *len);

/*
 * The same into b, reusing its memory: a scrape of 1,000 hosts is tens of
 * MiB, and fresh pages cost more than the rendering (a page fault each).
 * b starts zeroed; b->p is NUL-terminated after; free(b->p) when done.
 */
struct expo_buf {
	char	*p;
	size_t	 len, cap;
};
void expo_render_buf(const struct expo_input *in, enum expo_format f, struct expo_buf *b);

#endif
