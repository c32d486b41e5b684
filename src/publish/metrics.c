/*
 * metrics.c: the table of host metrics thresholds may name (metrics.h).
 *
 * Adding a metric is one row here (plus its line in opsdeck.yaml(5) and a
 * case in tests/test_alert.c, which checks every row raises and clears).
 */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "opsdeck/hoststate.h"
#include "opsdeck/metrics.h"
#include "opsdeck/sanitize.h"
#include "opsdeck/util.h"

/* Appends one value when it is known (finite, not the -1 of "unknown"). */
static size_t
put(struct metric_value *out, size_t n, size_t max, const char *subject, const char *path,
    double v)
{
	if (n >= max || isnan(v) || isinf(v) || v < 0)
		return n;
	od_strlcpy(out[n].subject, subject, sizeof out[n].subject);
	od_strlcpy(out[n].path, path, sizeof out[n].path);
	out[n].value = v;
	return n + 1;
}

/* part of whole in %; -1 when either is unknown (negative) or whole is 0. */
static double
pct(int64_t part, int64_t whole)
{
	return whole > 0 && part >= 0 ? 100.0 * (double)part / (double)whole : -1;
}

/* ---- host-wide figures --------------------------------------------------- */

static size_t
v_cpu(const struct metric_def *m, const struct host_status *h, struct metric_value *o,
    size_t max)
{
	return put(o, 0, max, "", m->path, h->cpu_pct);
}

static size_t
v_mem_pct(const struct metric_def *m, const struct host_status *h, struct metric_value *o,
    size_t max)
{
	return put(o, 0, max, "", m->path, pct(h->mem_used, h->mem_total));
}

static size_t
v_mem_used(const struct metric_def *m, const struct host_status *h, struct metric_value *o,
    size_t max)
{
	return h->mem_total > 0 ? put(o, 0, max, "", m->path, (double)h->mem_used) : 0;
}

static size_t
v_mem_avail(const struct metric_def *m, const struct host_status *h, struct metric_value *o,
    size_t max)
{
	if (h->mem_total == 0 || h->mem_used > h->mem_total)
		return 0;
	return put(o, 0, max, "", m->path, (double)(h->mem_total - h->mem_used));
}

static size_t
v_swap_pct(const struct metric_def *m, const struct host_status *h, struct metric_value *o,
    size_t max)
{
	return put(o, 0, max, "", m->path, pct(h->swap_used, h->swap_total));
}

static size_t
v_swap_used(const struct metric_def *m, const struct host_status *h, struct metric_value *o,
    size_t max)
{
	return h->swap_total > 0 ? put(o, 0, max, "", m->path, (double)h->swap_used) : 0;
}

static size_t
v_load(const struct metric_def *m, const struct host_status *h, struct metric_value *o,
    size_t max)
{
	int i = m->path[5] - '0';	/* "load.N" */
	return put(o, 0, max, "", m->path, h->load[i]);
}

/* A double member of struct host_status, by the row's path. */
static size_t
v_rate(const struct metric_def *m, const struct host_status *h, struct metric_value *o,
    size_t max)
{
	double v = -1;
	if (strcmp(m->path, "net.rx_bps") == 0)
		v = h->net_rx_bps;
	else if (strcmp(m->path, "net.tx_bps") == 0)
		v = h->net_tx_bps;
	else if (strcmp(m->path, "disk.read_bps") == 0)
		v = h->disk_read_bps;
	else if (strcmp(m->path, "disk.write_bps") == 0)
		v = h->disk_write_bps;
	return put(o, 0, max, "", m->path, v);
}

/* ---- per GPU ----------------------------------------------------------------- */

/* The figure of one GPU that "gpus.FIELD" names, or -1. */
static double
gpu_field(const struct gpu_sample *g, const char *field)
{
	if (strcmp(field, "util_pct") == 0)
		return g->util_pct;
	if (strcmp(field, "mem_util_pct") == 0)
		return g->mem_util_pct;
	if (strcmp(field, "mem_used_pct") == 0)
		return pct(g->mem_used_bytes, g->mem_total_bytes);
	if (strcmp(field, "mem_used_bytes") == 0)
		return g->mem_total_bytes > 0 && g->mem_used_bytes >= 0 ?
		    (double)g->mem_used_bytes : -1;
	if (strcmp(field, "temp_c") == 0)
		return g->temp_c;
	if (strcmp(field, "power_w") == 0)
		return g->power_w;
	if (strcmp(field, "ecc_uncorrected") == 0)
		return (double)g->ecc_uncorrected;
	return -1;
}

/* "gpus.FIELD": one value per GPU, subject "gpuN", path "gpus.N.FIELD". */
static size_t
v_gpu(const struct metric_def *m, const struct host_status *h, struct metric_value *o,
    size_t max)
{
	const char *field = m->path + 5;
	size_t n = 0;
	char subj[METRIC_SUBJECT_MAX], path[96];

	for (int i = 0; i < h->ngpus; i++) {
		const struct gpu_sample *g = &h->gpus[i];
		snprintf(subj, sizeof subj, "gpu%d", g->index);
		snprintf(path, sizeof path, "gpus.%d.%s", g->index, field);
		n = put(o, n, max, subj, path, gpu_field(g, field));
	}
	return n;
}

/* ---- BMC sensors (ipmi probe) ----------------------------------------------- */

/* "sensors.X": every sensor whose unit is the row's, subject the sensor's name. */
static size_t
v_sensor(const struct metric_def *m, const struct host_status *h, struct metric_value *o,
    size_t max)
{
	const char *want = strcmp(m->path, "sensors.temp_c") == 0 ? "degrees C" :
	    strcmp(m->path, "sensors.fan_rpm") == 0 ? "RPM" :
	    strcmp(m->path, "sensors.power_w") == 0 ? "Watts" : "Volts";
	size_t n = 0;
	char path[96];

	for (int i = 0; i < h->nsensors; i++) {
		const struct sensor_sample *s = &h->sensors[i];
		if (strcmp(s->unit, want) != 0)
			continue;
		snprintf(path, sizeof path, "%s", m->path);
		n = put(o, n, max, s->name, path, s->value);
	}
	return n;
}

const struct metric_def metric_table[] = {
	{ "cpu.util_pct", "%", METRIC_HIGHER_WORSE, "CPU busy, all cores", v_cpu },
	{ "mem.used_pct", "%", METRIC_HIGHER_WORSE, "memory in use (total - available)",
	  v_mem_pct },
	{ "mem.used_bytes", "B", METRIC_HIGHER_WORSE, "memory in use, bytes", v_mem_used },
	{ "mem.available_bytes", "B", METRIC_LOWER_WORSE, "memory available, bytes",
	  v_mem_avail },
	{ "swap.used_pct", "%", METRIC_HIGHER_WORSE, "swap in use", v_swap_pct },
	{ "swap.used_bytes", "B", METRIC_HIGHER_WORSE, "swap in use, bytes", v_swap_used },
	{ "load.0", "", METRIC_HIGHER_WORSE, "load average, 1 minute", v_load },
	{ "load.1", "", METRIC_HIGHER_WORSE, "load average, 5 minutes", v_load },
	{ "load.2", "", METRIC_HIGHER_WORSE, "load average, 15 minutes", v_load },
	{ "net.rx_bps", "B/s", METRIC_HIGHER_WORSE, "received, all interfaces but lo",
	  v_rate },
	{ "net.tx_bps", "B/s", METRIC_HIGHER_WORSE, "sent, all interfaces but lo", v_rate },
	{ "disk.read_bps", "B/s", METRIC_HIGHER_WORSE, "read, whole disks", v_rate },
	{ "disk.write_bps", "B/s", METRIC_HIGHER_WORSE, "written, whole disks", v_rate },
	{ "gpus.util_pct", "%", METRIC_HIGHER_WORSE, "each GPU's utilisation", v_gpu },
	{ "gpus.mem_util_pct", "%", METRIC_HIGHER_WORSE, "each GPU's memory bandwidth use",
	  v_gpu },
	{ "gpus.mem_used_pct", "%", METRIC_HIGHER_WORSE, "each GPU's memory in use", v_gpu },
	{ "gpus.mem_used_bytes", "B", METRIC_HIGHER_WORSE, "each GPU's memory in use, bytes",
	  v_gpu },
	{ "gpus.temp_c", "C", METRIC_HIGHER_WORSE, "each GPU's temperature", v_gpu },
	{ "gpus.power_w", "W", METRIC_HIGHER_WORSE, "each GPU's power draw", v_gpu },
	{ "gpus.ecc_uncorrected", "", METRIC_HIGHER_WORSE,
	  "each GPU's uncorrected ECC errors (volatile)", v_gpu },
	{ "sensors.temp_c", "C", METRIC_HIGHER_WORSE, "each BMC temperature sensor",
	  v_sensor },
	{ "sensors.fan_rpm", "RPM", METRIC_LOWER_WORSE, "each BMC fan sensor", v_sensor },
	{ "sensors.power_w", "W", METRIC_HIGHER_WORSE, "each BMC power sensor", v_sensor },
	{ NULL, NULL, METRIC_HIGHER_WORSE, NULL, NULL },
};

const struct metric_def *
metric_find(const char *path)
{
	if (path == NULL)
		return NULL;
	for (const struct metric_def *m = metric_table; m->path != NULL; m++)
		if (strcmp(m->path, path) == 0)
			return m;
	return NULL;
}

int
metric_is_device_path(const char *path)
{
	return path != NULL && strncmp(path, "devices.", 8) == 0;
}

size_t
metric_paths(const char **out, size_t max)
{
	size_t n = 0;

	for (const struct metric_def *m = metric_table; m->path != NULL && n + 1 < max; m++)
		out[n++] = m->path;
	if (max > 0)
		out[n] = NULL;
	return n;
}
