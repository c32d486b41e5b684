/*
 * hostlive.h: a host's latest GPUs, BMC sensors and GPU processes as one
 * blob, the data of its row in the cache's host_live table (schema 6; the
 * processes since schema 8). A row per GPU, sensor and process cost the
 * writer some thirty B-tree writes a host and tick, most of its time
 * (docs/PERFORMANCE.md); the blob is one.
 *
 * Format, version 2: 'L', 2; a varint count of GPUs, each: a varint index,
 * the uuid and the name (a varint length and the bytes), util_pct,
 * mem_util_pct, mem_used_bytes, mem_total_bytes, temp_c, power_w,
 * power_limit_w, ecc_uncorrected, throttle_reasons (eight bytes each, little
 * endian: doubles as their bits, integers as two's complement); a varint
 * count of sensors, each: name, value (eight bytes), unit, status, a byte of
 * level, state; a varint count of processes, each: a varint GPU index and a
 * varint pid (both as their 32 bits), mem_used_bytes (eight bytes), user,
 * job, name. Version 1 (schema 6 and 7) ends after the sensors: it decodes
 * with no processes. Pure: bytes in, records out.
 */
#ifndef OPSDECK_HOSTLIVE_H
#define OPSDECK_HOSTLIVE_H

#include <stddef.h>

#include "opsdeck/probe.h"

/* What one row holds; an array is NULL when its count is 0. */
struct host_live {
	struct gpu_sample	*gpus;
	int			 ngpus;
	struct sensor_sample	*sensors;
	int			 nsensors;
	struct gpu_proc		*procs;
	int			 nprocs;
};

/*
 * The blob of l's records (at most PROBE_MAX_GPUS, PROBE_MAX_SENSORS and
 * PROBE_MAX_GPU_PROCS of each are kept), malloc'd, its size in *len.
 */
unsigned char *host_live_encode(const struct host_live *l, size_t *len);

/*
 * The records of a blob into *out, each array malloc'd (NULL when none). 0,
 * or -1 when it is not one host_live_encode wrote (cut short, too long, a
 * count or a string past its bound, an unknown version): then *out is all
 * zero and nothing is allocated.
 */
int host_live_decode(const void *p, size_t len, struct host_live *out);

/* Frees l's arrays and zeroes it. */
void host_live_free(struct host_live *l);

#endif
