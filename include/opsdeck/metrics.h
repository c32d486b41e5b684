/*
 * metrics.h: the host metrics a threshold may name, in one table.
 *
 * Every row gives a path of opsdeck.yaml(5)'s `thresholds` ("cpu.util_pct",
 * "gpus.temp_c", "sensors.temp_c"), the direction in which the metric gets
 * worse, its unit and a line of help, and a function that reads the values
 * of a host status. The alert engine (alert.c) evaluates thresholds through
 * this table, the config checks names and warn/crit order against it, and
 * `opsdeck check-config --metrics` prints it. Test-bed device metrics
 * ("devices.KIND.METRIC") are named by the controllers and are not here.
 */
#ifndef OPSDECK_METRICS_H
#define OPSDECK_METRICS_H

#include <stddef.h>

struct host_status;

#define METRIC_MAX_VALUES	512	/* values one host gives one metric (sensors) */
#define METRIC_SUBJECT_MAX	64	/* "gpu3", a sensor's name */

/* Which way a metric gets worse. */
enum metric_dir {
	METRIC_HIGHER_WORSE,	/* CPU, temperature: warn <= crit */
	METRIC_LOWER_WORSE,	/* free memory: warn >= crit */
};

/* One value of a metric on a host: the subject is "" for the host itself. */
struct metric_value {
	char	 subject[METRIC_SUBJECT_MAX];	/* "gpu0", a sensor name (sanitised) */
	char	 path[96];			/* as shown: "gpus.0.temp_c" */
	double	 value;
};

struct metric_def {
	const char	*path;		/* threshold path, "cpu.util_pct" */
	const char	*unit;		/* "%", "C", "W", "B/s", "" */
	enum metric_dir	 dir;
	const char	*help;		/* one line */
	/*
	 * The known values of this metric on h (none when h lacks it, is not up
	 * or the value is unknown): appends to out[0..max) and returns how many.
	 */
	size_t		(*values)(const struct metric_def *m, const struct host_status *h,
			    struct metric_value *out, size_t max);
};

/* Every host metric a threshold may name, NULL-path terminated. */
extern const struct metric_def metric_table[];

/* The row for a threshold path, or NULL. */
const struct metric_def *metric_find(const char *path);

/* Whether path names test-bed device metrics ("devices.KIND.METRIC"). */
int metric_is_device_path(const char *path);

/*
 * The paths of metric_table into out[0..max), NULL terminated (for a
 * did-you-mean); returns how many. METRIC_TABLE_MAX entries always fit.
 */
#define METRIC_TABLE_MAX	64
size_t metric_paths(const char **out, size_t max);

#endif
